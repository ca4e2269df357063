"""A report is computed once, stored with its run, and rendered again with no computation."""

import json

import pytest
from typer.testing import CliRunner

from evlaunch.cli import app
from evlaunch.model import simulate as simulate_module
from evlaunch.pipeline import ReportResults, report_results
from evlaunch.plan import solve as solve_module
from evlaunch.reference import forecaster
from evlaunch.report.html import render_report
from evlaunch.scenario.load import load_scenario
from evlaunch.store import list_runs


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    """A report run in a fresh store, and the report rendered when it was computed."""
    folder = tmp_path_factory.mktemp("report")
    store = folder / "runs.duckdb"
    result = CliRunner().invoke(
        app,
        ["report", "--paths", "2000", "--store", str(store), "-o", str(folder / "first.html")],
    )
    assert result.exit_code == 0, result.output
    (run,) = [r for r in list_runs(store) if r["kind"] == "report"]
    return folder, store, run["id"]


def _no_computing(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("rendering a stored report computed something")

    monkeypatch.setattr(simulate_module, "run_kernel", refuse)
    monkeypatch.setattr(solve_module, "solve_inputs", refuse)
    monkeypatch.setattr(forecaster, "sample", refuse)


def test_a_stored_report_renders_with_no_simulation_and_the_same_data(stored, monkeypatch):
    folder, store, run_id = stored
    _no_computing(monkeypatch)
    result = CliRunner().invoke(
        app, ["report", "--run", run_id, "--store", str(store), "-o", str(folder / "again.html")]
    )
    assert result.exit_code == 0, result.output
    for name in ("report.json", "supply.csv", "fan.csv", "tornado.csv", "sobol.csv", "plan.csv"):
        first = (folder / "first_data" / name).read_text()
        again = (folder / "again_data" / name).read_text()
        assert first == again, name


def test_results_survive_json(stored):
    scenario, text = load_scenario()
    computed = report_results(scenario, paths=1000, seed=2)
    back = ReportResults.from_dict(json.loads(json.dumps(computed.to_dict())))
    assert back.risk.deliveries_quantiles == computed.risk.deliveries_quantiles
    assert back.plan.options == computed.plan.options and back.central == computed.central
    assert render_report(back, scenario, text)[1] == render_report(computed, scenario, text)[1]


def test_only_report_runs_render(stored, tmp_path):
    _, store, _ = stored
    runner = CliRunner()
    assert runner.invoke(app, ["risk", "--paths", "1000", "--store", str(store)]).exit_code == 0
    risk_id = next(r["id"] for r in list_runs(store) if r["kind"] == "risk")
    result = runner.invoke(
        app, ["report", "--run", risk_id, "--store", str(store), "-o", str(tmp_path / "x.html")]
    )
    assert result.exit_code == 2 and "is a risk run" in result.output


def test_every_figure_has_data_and_every_input_is_listed_with_its_source():
    from evlaunch.scenario.inputs import input_names

    scenario, text = load_scenario()
    html, data, summary = render_report(report_results(scenario, 1000, 0), scenario, text)
    for figure in summary["figures"]:
        assert data[figure], f"{figure} has no rows"
        assert f'id="{figure}"' in html
    rows = {r["input"]: r for r in data["assumptions"]}
    assert list(rows) == input_names(scenario)
    # each input's source is the comment beside it in the file, later models' too
    assert "Model 3 standard version" in rows["market.price_cny"]["source"]
    assert "Tesla's 52 the tail" in rows["models.second model.launch_slip_months"]["source"]
    assert "Hyundai Montgomery" in rows["options.Own plant phase I.max_utilisation"]["source"]


def test_the_partner_table_writes_numbers_as_people_do():
    scenario, text = load_scenario()
    _, data, _ = render_report(report_results(scenario, 1000, 0), scenario, text)
    cells = [str(v) for row in data["partner_table"] for v in row.values()]
    assert not [c for c in cells if "e+" in c]
    faw = next(r for r in data["partner_table"] if r["way of building"] == "FAW Group")
    assert faw["capacity available per year"] == "100,000"  # 200,000 x a median share of 0.5


def test_stored_runs_compare_side_by_side_without_computing(stored, monkeypatch):
    folder, store, first = stored
    runner = CliRunner()
    # a second report run, of the 2024 scenario
    second_file = folder / "at-launch.yaml"
    assert (
        runner.invoke(app, ["init", str(second_file), "--scenario", "xiaomi-2024"]).exit_code == 0
    )
    made = runner.invoke(
        app,
        [
            "report",
            str(second_file),
            "--paths",
            "1000",
            "--store",
            str(store),
            "-o",
            str(folder / "second.html"),
        ],
    )
    assert made.exit_code == 0, made.output
    ids = [r["id"] for r in list_runs(store) if r["kind"] == "report"]
    _no_computing(monkeypatch)
    result = runner.invoke(
        app,
        [
            "report",
            "--run",
            ids[-1],
            "--run",
            ids[0],
            "--store",
            str(store),
            "-o",
            str(folder / "both.html"),
        ],
    )
    assert result.exit_code == 0, result.output
    runs = json.loads((folder / "both_data" / "report.json").read_text())
    assert runs["runs"] == [ids[-1], ids[0]] and len(runs["p_target"]) == 2
    table = (folder / "both_data" / "runs.csv").read_text()
    assert "Xiaomi EV 2021 plan" in table and "Xiaomi EV 2024 launch" in table
    fans = (folder / "both_data" / "fans.csv").read_text().splitlines()
    assert len(fans) == 1 + 84 + 72  # a row a month of each run's grid
    html = (folder / "both.html").read_text()
    assert "Comparison of 2 stored runs" in html and 'id="fans"' in html
