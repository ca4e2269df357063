"""The Python API: ``import evlaunch as ev``, the same results as the CLI, tables and arrays."""

from pathlib import Path

import numpy as np
import pytest

import evlaunch as ev
from evlaunch.errors import UserError
from evlaunch.risk.montecarlo import monte_carlo

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.fixture(scope="module")
def scenario():
    return ev.bundled("xiaomi-2021")


def test_risk_is_the_monte_carlo_of_the_chosen_mix_with_its_tables(scenario):
    result = ev.risk(scenario, paths=2_000, seed=3)
    same = monte_carlo(scenario, ["Own plant phase I", "Own plant phase II"], 2_000, 3)
    assert result.p_target == same.p_target
    table = ev.frame(result)
    assert list(table.columns) == ["P5", "P10", "P25", "P50", "P75", "P90", "P95"]
    np.testing.assert_allclose(table.loc["deliveries_36"], result.deliveries_quantiles[36])
    fan = ev.fan(result)
    assert fan.index[0] == scenario.start and len(fan) == scenario.horizon_months
    assert (fan["P10"] <= fan["P90"]).all()


def test_simulate_gives_named_dimensions_that_add_up(scenario):
    paths = ev.simulate(scenario, paths=64, seed=1)
    assert dict(paths.sizes) == {"path": 64, "month": 84, "option": 2, "model": 2}
    assert list(paths.model.values) == ["first model", "second model"]
    np.testing.assert_allclose(
        paths.deliveries_by_model.sum("model"), paths.deliveries, rtol=1e-9, atol=1e-6
    )
    np.testing.assert_allclose(paths.backlog_by_model.sum("model"), paths.backlog, atol=1e-6)
    with pytest.raises(UserError, match="paths = 0"):
        ev.simulate(scenario, paths=0)


def test_bundled_and_load_refuse_what_they_cannot_read(tmp_path):
    with pytest.raises(UserError, match="xiaomi-2021, xiaomi-2024"):
        ev.bundled("tesla-2003")
    with pytest.raises(UserError, match="no such file"):
        ev.load(tmp_path / "nope.yaml")


def test_the_api_names_shadow_nothing_the_package_needs():
    # ev.risk, ev.plan and ev.partners are functions; their subpackages still import
    import evlaunch.partners.assess  # noqa: F401
    import evlaunch.plan.solve  # noqa: F401
    import evlaunch.risk.montecarlo  # noqa: F401

    assert callable(ev.risk) and callable(ev.plan) and callable(ev.partners)


def test_the_walkthrough_notebook_runs(tmp_path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    notebook = nbformat.read(EXAMPLES / "walkthrough.ipynb", as_version=4)
    nbclient.NotebookClient(
        notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": EXAMPLES}}
    ).execute()
    outputs = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    text = " ".join(str(o.get("text", "")) + str(o.get("data", "")) for o in outputs)
    assert "P(target) =" in text and "optimal" in text and "months of deliveries" in text


def test_every_result_says_where_it_comes_from(scenario):
    result = ev.risk(scenario, paths=1_000, seed=4, sampler="sobol")
    p = result.provenance
    assert (p.scenario, p.seed, p.sampler, p.as_of) == (scenario.name, 4, "sobol", "2021-09-30")
    assert p.version == ev.__version__ and len(p.scenario_hash) == 16
    # the same scenario, the same hash; any change to it, another
    assert ev.risk(ev.bundled("xiaomi-2021"), paths=1_000).provenance.scenario_hash == (
        p.scenario_hash
    )
    moved = scenario.model_copy(update={"horizon_months": 90})
    assert ev.risk(moved, paths=1_000).provenance.scenario_hash != p.scenario_hash
    assert ev.plan(scenario).provenance.scenario_hash == p.scenario_hash
