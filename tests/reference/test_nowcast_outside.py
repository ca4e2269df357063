import numpy as np
import pytest
from scipy import stats
from typer.testing import CliRunner

from evlaunch.cli import app
from evlaunch.errors import UserError
from evlaunch.model.simulate import simulate
from evlaunch.reference.actuals import Actuals, parse_actuals
from evlaunch.reference.entrants import entrants
from evlaunch.reference.nowcast import nowcast
from evlaunch.reference.outside import outside_view
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
    result = nowcast(xiaomi, actual, MIX, paths=20_000, seed=1, noise_cv=0.25)
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


def test_nowcast_refuses_actuals_outside_the_grid(xiaomi):
    with pytest.raises(UserError, match="before the scenario's start"):
        nowcast(xiaomi, Actuals("2020-01", np.array([1.0])), MIX, paths=100)
    with pytest.raises(UserError, match="past the scenario's last month"):
        nowcast(xiaomi, Actuals("2028-08", np.array([1.0, 2.0])), MIX, paths=100)


def test_outside_view_by_hand():
    reached = {e.company: float(e.cumulative_at(36)) for e in entrants()}
    reached = {k: v for k, v in reached.items() if np.isfinite(v)}
    logs = np.log1p(list(reached.values()))
    n = len(logs)
    target = float(np.median(list(reached.values())))
    # inside view: every path delivers exactly the target (one histogram bin at it)
    edges = np.linspace(0, 20, 401)
    counts = np.zeros(400, int)
    counts[np.searchsorted(edges, np.log1p(target * 1.5)) - 1] = 1000
    view = outside_view(target, 36, edges, counts, p_target_inside=1.0)
    assert view.target_percentile == pytest.approx(
        100 * np.mean(np.array(list(reached.values())) < target)
    )
    expected = stats.t(n - 1, logs.mean(), logs.std(ddof=1) * np.sqrt(1 + 1 / n)).sf(
        np.log1p(target)
    )
    assert view.p_target_outside == pytest.approx(expected)
    assert view.p_target_blend == pytest.approx(1.0)  # every inside path is above the target
    counts[:] = 0
    counts[np.searchsorted(edges, np.log1p(target / 3)) - 1] = 1000
    view = outside_view(target, 36, edges, counts, p_target_inside=0.0)
    assert view.p_target_blend == 0.0  # the outside view cannot add capacity


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
