import datetime as dt

import numpy as np
import pytest
from typer.testing import CliRunner

from evlaunch.cli import app
from evlaunch.errors import UserError
from evlaunch.model.simulate import simulate
from evlaunch.reference import outside, targets
from evlaunch.reference.actuals import Actuals, parse_actuals
from evlaunch.reference.nowcast import nowcast
from evlaunch.risk.sampling import Sampler
from evlaunch.scenario.load import load_scenario
from evlaunch.scenario.months import add_months

MIX = ["Own plant phase I", "Own plant phase II"]


@pytest.fixture(scope="module")
def xiaomi():
    return load_scenario()[0]


def test_nowcast_moves_towards_the_path_that_happened(xiaomi):
    # Take one path the model can produce, show the nowcast its first 12 months of sales:
    # the posterior of deliveries by month 30 of sales moves from the prior towards that path
    # and keeps it inside its 90% band.
    params = Sampler(xiaomi, seed=99, method="lhs").params(0, 1)
    truth = simulate(xiaomi, params, MIX).deliveries[0]
    first = int(np.argmax(truth >= 1))
    actual = Actuals(add_months(xiaomi.start, first), np.round(truth[first : first + 12]))
    result = nowcast(xiaomi, actual, MIX, paths=40_000, seed=1, noise_cv=0.25)
    assert result.effective_paths > 100
    month = first + 30
    true_total = truth[: month + 1].sum()
    prior = simulate(xiaomi, Sampler(xiaomi, 1, "lhs").params(0, 20_000), MIX, keep=0)
    prior_median = np.median(prior.deliveries[:, : month + 1].sum(axis=1))
    posterior_median = result.fan_cumulative[0.5][month]
    assert abs(posterior_median - true_total) < 0.9 * abs(prior_median - true_total)
    assert result.fan_cumulative[0.05][month] <= true_total <= result.fan_cumulative[0.95][month]
    # the observed months are the actual ones, exactly
    observed = truth[: first + 12].sum()
    assert result.fan_cumulative[0.5][first + 11] == pytest.approx(observed, abs=12)


def test_nowcast_interval_rests_on_the_effective_paths_not_the_count(xiaomi):
    from evlaunch.risk.montecarlo import wilson_interval

    params = Sampler(xiaomi, seed=99, method="lhs").params(0, 1)
    truth = simulate(xiaomi, params, MIX).deliveries[0]
    first = int(np.argmax(truth >= 1))
    actual = Actuals(add_months(xiaomi.start, first), np.round(truth[first : first + 6]))
    result = nowcast(xiaomi, actual, MIX, paths=5_000, seed=1)
    assert result.effective_paths < 0.5 * result.paths  # the weights matter here
    p = result.p_target
    expected = wilson_interval(p * result.effective_paths, result.effective_paths)
    assert result.p_target_ci95 == pytest.approx(expected)
    assert result.estimated == (result.effective_paths >= 100) and not result.contradicted


def test_actuals_no_path_can_produce_are_named_and_no_probability_is_stated(xiaomi, tmp_path):
    # 2022-01 is years before any path's first car (orders open in 2024): every path
    # delivers 0 then, and 5,000 cars contradict them all
    actual = Actuals("2022-01", np.array([5_000.0, 8_630.0]))
    result = nowcast(xiaomi, actual, MIX, paths=2_000, seed=1)
    assert not result.estimated
    assert result.contradicted[0].startswith("2022-01: 5,000 delivered, before any path")
    # the forecaster's fan stands in: the actual totals where known (grid month 4 is
    # 2022-01), never falling, and nothing past month 36 of sales, where it is not scored
    fan = result.outside_fan_cumulative
    for q in fan:
        assert fan[q][3] == 0.0 and fan[q][4] == 5_000.0 and fan[q][5] == 13_630.0
        assert fan[q][4 + 35] is not None and fan[q][4 + 36] is None
        assert np.all(np.diff(fan[q][: 4 + 36]) >= 0)
    assert fan[0.05][4 + 35] < fan[0.5][4 + 35] < fan[0.95][4 + 35]
    # no blend with a P(target) the paths cannot state: the forecaster's alone
    assert result.p_target_blend == result.p_target_outside
    path = _csv(actual, tmp_path)
    done = CliRunner().invoke(app, ["nowcast", "--actuals", str(path), "--no-save"])
    assert (
        done.exit_code == 0
        and "not stated" in done.output
        and "P(target) before" not in (done.output)
        and "real entrants' forecaster" in done.output
    )


def _csv(actual: Actuals, folder):
    rows = "".join(f"{m},{int(v)}\n" for m, v in zip(actual.months, actual.deliveries, strict=True))
    path = folder / "actuals.csv"
    path.write_text("month,deliveries\n" + rows)
    return path


def test_nowcast_refuses_actuals_outside_the_grid(xiaomi):
    with pytest.raises(UserError, match="before the scenario's start"):
        nowcast(xiaomi, Actuals("2020-01", np.array([1.0])), MIX, paths=100)
    with pytest.raises(UserError, match="past the scenario's last month"):
        nowcast(xiaomi, Actuals("2028-08", np.array([1.0, 2.0])), MIX, paths=100)


def test_outside_view_blend_by_hand(monkeypatch):
    # the outside view: 1,000 draws spread evenly on 1..1000 vehicles (a known distribution)
    draws = np.arange(1.0, 1001.0)
    monkeypatch.setattr(outside, "outside_draws", lambda as_of, months: (draws, 7))
    edges = np.linspace(0, 20, 401)
    counts = np.zeros(400, int)
    counts[np.searchsorted(edges, np.log1p(5000)) - 1] = 1000  # every inside path ~5,000
    # 66 months ahead of 2021-09-30, longer than any stated target resolved by then (32)
    view = outside.outside_view(900, 36, dt.date(2021, 9, 30), 66, edges, counts, 1.0)
    assert view.p_target_outside == pytest.approx(0.101)  # draws 900..1000
    assert view.target_percentile == pytest.approx(89.9)
    # an equal-weight mixture, not a reweighting: the outside view keeps its share
    assert view.p_target_blend == pytest.approx(0.5 * 1.0 + 0.5 * 0.101)
    assert view.blend_method.startswith("equal weights: no stated target 66 months ahead")
    assert view.outside_median == pytest.approx(500.5)
    assert 4700 < view.inside_median < 5300  # within its histogram bin (5% wide)
    assert "times above" in view.disagreement and view.reference_entrants == 7
    # an inside view no path of which reaches the target: the blend still can
    counts[:] = 0
    counts[np.searchsorted(edges, np.log1p(300)) - 1] = 1000
    view = outside.outside_view(900, 36, dt.date(2021, 9, 30), 66, edges, counts, 0.0)
    assert view.p_target_blend == pytest.approx(0.5 * 0.101)
    assert view.disagreement is None  # 300 against 500: within a factor of 3


def test_outside_view_blend_fitted_on_stated_targets(monkeypatch):
    draws = np.arange(1.0, 1001.0)
    monkeypatch.setattr(outside, "outside_draws", lambda as_of, months: (draws, 7))
    edges = np.linspace(0, 20, 401)
    counts = np.zeros(400, int)
    counts[np.searchsorted(edges, np.log1p(300)) - 1] = 1000  # every inside path ~300
    # within the stated targets' horizons, the plan's median is a stated volume: the blend is
    # the outside view updated by it (``targets.combine``), and gives the target a chance
    # although no inside path reaches it
    as_of = dt.date(2024, 6, 30)
    trust = targets.reliability(as_of)
    view = outside.outside_view(900, 36, as_of, 12, edges, counts, 0.0)
    expected = targets.combine(draws, view.inside_median, 12, trust)
    assert view.p_target_blend == pytest.approx(expected.p_at_least(900))
    assert 0 < view.p_target_blend < view.p_target_outside
    assert view.weight_inside == pytest.approx(expected.weight_stated)
    assert f"{trust.targets} stated targets resolved by 2024-06-30" in view.blend_method


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("", "empty"),
        ("date,units\n2024-04,1\n", "expected exactly 'month,deliveries'"),
        ("month,deliveries\n", "no rows"),
        (
            "month,deliveries\n2024-04,10\n2024-06,5\n",
            "line 3, month: a gap from 2024-04 to 2024-06",
        ),
        ("month,deliveries\n2024-04,10\n2024-04,5\n", "line 3, month: 2024-04 appears twice"),
        ("month,deliveries\n2024-05,10\n2024-04,5\n", "comes before 2024-05"),
        ("month,deliveries\n2024-04,-3\n", "line 2, deliveries: '-3'"),
        ("month,deliveries\n2024-04,2.5\n", "whole number"),
        ("month,deliveries\n2024-04,lots\n", "'lots' is not a number"),
        ("month,deliveries\nApril,3\n", "line 2, month"),
        ("month,deliveries\n2024-04,3,4\n", "3 columns"),
    ],
)
def test_bad_actuals_files(text, fragment):
    with pytest.raises(UserError, match=fragment.replace("(", r"\(")):
        parse_actuals(text, "a.csv")


def test_actuals_comments_and_line_numbers():
    data = parse_actuals("# from a source\nmonth,deliveries\n# note\n2024-04,7\n2024-05,9\n")
    assert data.first_month == "2024-04" and data.deliveries.tolist() == [7, 9]
    with pytest.raises(UserError, match="line 4"):
        parse_actuals("# c\nmonth,deliveries\n2024-04,7\n2024-04,9\n")


def test_cli_reference_backtest_and_bad_nowcast(tmp_path):
    runner = CliRunner()
    result = runner.invoke(app, ["reference"])
    assert result.exit_code == 0 and "Tesla" in result.output and "Xiaomi EV" in result.output
    result = runner.invoke(app, ["backtest"])
    assert result.exit_code == 0 and "constant growth" in result.output
    bad = tmp_path / "a.csv"
    bad.write_text("month,deliveries\n2019-01,5\n")
    result = runner.invoke(app, ["nowcast", "--actuals", str(bad)])
    assert result.exit_code == 2 and "before the scenario's start 2021-09" in result.output
    result = runner.invoke(app, ["nowcast", "--actuals", str(tmp_path / "none.csv")])
    assert result.exit_code == 2 and "no such file" in result.output


def test_cli_reference_as_of_and_hindcast_flags():
    runner = CliRunner()
    result = runner.invoke(app, ["reference", "--as-of", "2019-06"])
    assert result.exit_code == 0 and "NIO" in result.output
    assert "Zeekr" not in result.output and "Xiaomi" not in result.output
    result = runner.invoke(app, ["reference", "--as-of", "June"])
    assert result.exit_code == 2 and "--as-of" in result.output
    result = runner.invoke(app, ["hindcast", "--workers", "0"])
    assert result.exit_code == 2 and "--workers 0" in result.output
