"""The bundled scenario's numbers, as the code gave them before the pipeline was refactored
(commit 78e43ee, issue 14): the Monte Carlo, the plan and the partner assessment, unchanged.
The Monte Carlo's and the partners' were drawn again when issue 17 changed the Latin
hypercube's random stream (the file's "made_by" says by how much they moved)."""

import json
from pathlib import Path

import numpy as np
import pytest

import evlaunch as ev

GOLDEN = json.loads((Path(__file__).parent / "data" / "golden-before-refactor.json").read_text())


@pytest.fixture(scope="module")
def scenario():
    return ev.bundled("xiaomi-2021")


def test_the_monte_carlo_is_unchanged(scenario):
    r = ev.risk(scenario, paths=20_000, seed=0)
    g = GOLDEN["risk"]
    assert r.p_target == g["p_target"]
    for k, v in g["deliveries_quantiles"].items():
        np.testing.assert_allclose(r.deliveries_quantiles[int(k)], v, rtol=1e-12)
    np.testing.assert_allclose(r.npv_cny_quantiles, g["npv_cny_quantiles"], rtol=1e-12)
    np.testing.assert_allclose(
        r.peak_cash_need_cny_quantiles, g["peak_cash_need_cny_quantiles"], rtol=1e-12
    )


# Own plant phases I and II are a tie within a month: no fee, the same variable cost and the
# same cost above nameplate, both started whatever they make; which phase makes a vehicle
# changes nothing. The MILP branching on started-by binaries (issue 17) ends at another
# vertex of the same optimum, so the two phases' production is compared as one.
TIED = ("Own plant phase I", "Own plant phase II")


def test_the_plan_is_unchanged(scenario):
    p, g = ev.plan(scenario), GOLDEN["plan"]
    assert p.status == g["status"]
    assert p.npv_cny == pytest.approx(g["npv_cny"], rel=1e-9)
    assert p.window_deliveries == pytest.approx(g["window_deliveries"], rel=1e-9)
    made = {o: sum(p.production[o]) for o in g["production"]}
    for option, expected in g["production"].items():
        if option not in TIED:
            assert made[option] == pytest.approx(expected, rel=1e-9, abs=1e-6)
    tied = sum(g["production"][o] for o in TIED)
    assert sum(made[o] for o in TIED) == pytest.approx(tied, rel=1e-9)
    assert min(made[o] for o in TIED) > 0.3 * tied  # both phases build


def test_the_partner_assessment_is_unchanged(scenario):
    a = ev.partners(scenario, paths=2_000, seed=0)
    for view in a.alternatives:
        g = GOLDEN["partners"][view.alternative]
        assert view.ranks == g["ranks"]
        assert view.p_target == g["p_target"]
        assert view.npv_cny_mean == pytest.approx(g["npv_cny_mean"], rel=1e-12)
        assert view.rank_acceptability[0] == pytest.approx(g["first_rank_acceptability"])
