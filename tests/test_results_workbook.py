"""Results to an Excel workbook: the figures in the cells are the result's, and each sheet
that should have a chart has a native one."""

import zipfile

import openpyxl
import pytest
from typer.testing import CliRunner

from evlaunch.cli import app
from evlaunch.pipeline import run
from evlaunch.plan.solve import plan
from evlaunch.reference.hindcast import Hindcast, TargetCase
from evlaunch.reference.scores import Case, MethodScore
from evlaunch.report.workbook import write_results_xlsx
from evlaunch.risk.montecarlo import monte_carlo
from evlaunch.scenario.load import load_scenario

runner = CliRunner()


@pytest.fixture(scope="module")
def scenario():
    return load_scenario()[0]


def _table(sheet, title: str) -> list[dict]:
    """The rows under the table titled ``title``, as heading -> value."""
    rows = list(sheet.iter_rows(values_only=True))
    start = next(i for i, r in enumerate(rows) if r[0] == title)
    headings = rows[start + 1]
    out = []
    for r in rows[start + 2 :]:
        if r[0] is None:
            break
        out.append({h: v for h, v in zip(headings, r, strict=False) if h is not None})
    return out


def _figures(sheet, title: str) -> dict:
    return {r["figure"]: r.get("value") for r in _table(sheet, title)}


def _charts(path) -> list[str]:
    with zipfile.ZipFile(path) as archive:
        return [
            archive.read(n).decode()
            for n in sorted(archive.namelist())
            if n.startswith("xl/charts/chart")
        ]


def test_risk_workbook_holds_the_summary_quantiles_and_fan_with_charts(tmp_path, scenario):
    result = monte_carlo(scenario, scenario.plan.options, paths=2_000, seed=1)
    path = write_results_xlsx(tmp_path / "risk.xlsx", result)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["risk", "risk fan"]
    summary = _figures(book["risk"], "Monte Carlo summary")
    assert summary["P(target)"] == pytest.approx(result.p_target)
    assert summary["P(target), 95% interval low"] == pytest.approx(result.p_target_ci95[0])
    assert summary["NPV, mean [CNY]"] == pytest.approx(result.npv_cny_mean)
    quantiles = {r["quantile"]: r for r in _table(book["risk"], "Quantiles over the paths")}
    assert list(quantiles) == ["P5", "P10", "P25", "P50", "P75", "P90", "P95"]
    median = quantiles["P50"]
    assert median["deliveries after 24 months of sales"] == pytest.approx(
        result.deliveries_quantiles[24][3]
    )
    assert median["peak cash need [CNY]"] == pytest.approx(result.peak_cash_need_cny_quantiles[3])
    fan = _table(book["risk fan"], "Deliveries by month: quantiles over the paths")
    assert [r["month"] for r in fan] == result.fan_months
    assert fan[-1]["cumulative deliveries P90"] == pytest.approx(
        result.fan_cumulative_deliveries[0.9][-1]
    )
    # people's number formats: thousands separators and percentages, never scientific
    cells = {c.value: c for row in book["risk"].iter_rows() for c in row[:1]}
    npv = book["risk"].cell(cells["NPV, mean [CNY]"].row, 2)
    assert npv.number_format == "#,##0"
    share = book["risk"].cell(cells["P(target)"].row, 2)
    assert share.number_format == "0.0%"
    charts = _charts(path)
    assert len(charts) == 2 and "<c:lineChart>" in charts[1]


def test_plan_workbook_has_the_monthly_plan_and_a_stacked_chart(tmp_path, scenario):
    result = plan(scenario, time_limit_s=60)
    path = write_results_xlsx(tmp_path / "plan.xlsx", result)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["plan", "plan monthly"]
    summary = _figures(book["plan"], "Production plan")
    assert summary["status"] == result.status
    assert summary["NPV [CNY]"] == pytest.approx(result.npv_cny)
    options = {r["option"]: r for r in _table(book["plan"], "Options")}
    assert set(options) == {o.option for o in result.options}
    monthly = _table(book["plan monthly"], "Month by month [vehicles]")
    assert len(monthly) == len(result.months)
    name = next(iter(result.production))
    busiest = max(range(len(result.months)), key=lambda t: result.production[name][t])
    assert monthly[busiest][f"production {name}"] == pytest.approx(result.production[name][busiest])
    assert monthly[busiest]["orders"] == pytest.approx(result.orders[busiest])
    # the bundled roadmap's two models, each with its columns after the ones charted
    second = result.deliveries_by_model["second model"][busiest]
    assert monthly[busiest]["deliveries of second model"] == pytest.approx(second)
    (chart,) = _charts(path)
    assert '<c:grouping val="stacked"/>' in chart and "<c:lineChart>" in chart


def test_run_workbook_has_each_way_of_building(tmp_path, scenario):
    result = run(scenario, risk_paths=1_000)
    path = write_results_xlsx(tmp_path / "run.xlsx", result)
    book = openpyxl.load_workbook(path)
    cases = {r["case"]: r for r in _table(book["run"], "Ways of building")}
    assert list(cases) == [c.case for c in result.cases]
    for c in result.cases:
        assert cases[c.case]["P(target)"] == pytest.approx(c.p_target)
        assert cases[c.case]["NPV [CNY]"] == pytest.approx(c.npv_cny)
    assert _figures(book["run"], "Run at central values")["recommended"] == result.recommended
    assert len(_charts(path)) == 1


def _hindcast() -> Hindcast:
    scores = [
        MethodScore("ours", 12, 4, 1500.0, 0.25, {0.5: 0.5, 0.8: 0.75, 0.95: 1.0}, 0.2, 0.3, 0.5),
        MethodScore("naive", 12, 4, 3000.0, 0.5, {0.5: 0.25, 0.8: 0.5, 0.95: 0.75}, 0.4, 0.6, 1.0),
    ]
    case = Case("Leapmotor", 12, "2020-06-30", 24, "ours", 18_910.0, 34_387.0, {}, 11_576.0,
                0.39, 0.28)  # fmt: skip
    target = TargetCase("NIO", "2018-01-01", 1e5, "2018", 11_348.0, 0.1, 0.05, False)
    return Hindcast(1, ["Leapmotor", "NIO"], [case], scores, {}, {}, [], 0, {}, [target],
                    0.02, 0.03, 0.1)  # fmt: skip


def test_hindcast_workbook_has_the_scores_coverage_and_cases(tmp_path):
    path = write_results_xlsx(tmp_path / "hindcast.xlsx", _hindcast())
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["hindcast", "hindcast cases"]
    scores = _table(book["hindcast"], "Scores by method and origin (months of sales seen)")
    assert [(r["method"], r["CRPS"]) for r in scores] == [("ours", 1500), ("naive", 3000)]
    assert scores[1]["coverage of the 80% interval"] == 0.5
    targets = _table(book["hindcast"], "Stated targets against what was achieved")
    assert targets[0]["company"] == "NIO" and targets[0]["hit"] is False
    (case,) = _table(book["hindcast cases"], "Every scored forecast")
    assert (case["entrant"], case["PIT"]) == ("Leapmotor", 0.28)
    (chart,) = _charts(path)
    assert '<c:barDir val="col"/>' in chart and "coverage of the 95% interval" in chart


def test_an_unknown_result_type_is_refused(tmp_path):
    with pytest.raises(TypeError, match="no workbook layout for a dict"):
        write_results_xlsx(tmp_path / "x.xlsx", {})
    assert not (tmp_path / "x.xlsx").exists()


def test_risk_command_writes_the_workbook(tmp_path):
    path = tmp_path / "out.xlsx"
    args = ["risk", "--paths", "2000", "--sobol-n", "64", "--xlsx", str(path), "--no-save"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert openpyxl.load_workbook(path).sheetnames == ["risk", "risk fan", "sensitivity"]


def test_a_comparison_workbook_holds_means_paired_differences_and_a_chart(scenario, tmp_path):
    from evlaunch.risk.compare import compare

    mix = scenario.plan.options
    found = compare([("a", scenario, mix), ("b", scenario, mix)], paths=1_000, seed=2)
    path = write_results_xlsx(tmp_path / "cmp.xlsx", found)
    sheet = openpyxl.load_workbook(path)["compare"]
    means = _table(sheet, "Means over 1,000 paths on common random numbers (seed 2)")
    assert means[0] == {
        "measure": "P(target)",
        "a": found.scenarios[0].risk.p_target,
        "b": (found.scenarios[1].risk.p_target),
    }
    diffs = _table(sheet, "Paired differences")
    assert {d["less the first: mean"] for d in diffs} == {0.0}  # the same scenario twice
    assert "xl/charts/chart1.xml" in zipfile.ZipFile(path).namelist()
