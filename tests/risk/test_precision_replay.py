"""Precision control stops where a hand calculation says it must; a replayed path is the full
run's path to the last bit."""

import numpy as np
import pytest
from test_montecarlo import capacity_decides, scenario_from
from typer.testing import CliRunner

from evlaunch.cli import app
from evlaunch.errors import ArgumentError
from evlaunch.model.simulate import simulate
from evlaunch.risk.montecarlo import monte_carlo, wilson_interval
from evlaunch.risk.precision import Precision, check_points, half_width_95
from evlaunch.risk.replay import replay
from evlaunch.risk.sampling import BLOCK_PATHS, Sampler
from evlaunch.scenario.load import load_scenario


def test_check_points_double_to_a_block_then_step_by_blocks_up_to_the_cap():
    assert check_points(5_000) == [1_024, 2_048, 4_096, 5_000]
    assert check_points(200_000)[:7] == [1_024, 2_048, 4_096, 8_192, 16_384, 32_768, 65_536]
    assert check_points(200_000)[7:] == [131_072, 196_608, 200_000]


def test_half_width_is_wilsons_for_p_target_and_the_normal_one_for_a_mean():
    hits = np.zeros(1_000, dtype=bool)
    hits[:300] = True
    lo, hi = wilson_interval(300, 1_000)
    assert half_width_95("p_target", hits) == pytest.approx((hi - lo) / 2, rel=1e-12)
    values = np.array([1.0, 3.0] * 50)  # sd (ddof 1) = sqrt(100/99)
    expected = 1.959964 * np.sqrt(100 / 99) / 10
    assert half_width_95("npv_cny", values) == pytest.approx(expected, rel=1e-6)


def test_precision_on_p_target_stops_at_the_first_check_point_that_is_precise_enough():
    # P(target) = P(share >= 0.6) = 0.1587 (normal(0.5, 0.1)): the Wilson half-width is
    # 1.96 sqrt(0.1587 x 0.8413 / n) = 0.0112 at n = 4,096 and 0.0079 at 8,192, so a run
    # asked for +/- 0.01 stops at 8,192 paths, and equals the fixed run of 8,192 paths
    scenario = scenario_from(capacity_decides())
    precise = monte_carlo(scenario, ["plant"], seed=3, precision=Precision(0.01))
    assert precise.paths == 8_192
    assert precise.precision.reached and precise.precision.half_width <= 0.01
    fixed = monte_carlo(scenario, ["plant"], paths=8_192, seed=3)
    assert precise.p_target == fixed.p_target
    assert precise.deliveries_quantiles == fixed.deliveries_quantiles


def test_precision_on_a_mean_and_the_cap():
    # deliveries in 36 months = 3,000,000 x share, sd 300,000: half-width 1.96 x 3e5 / sqrt(n)
    # = 12,994 at 2,048 and 9,188 at 4,096 paths
    scenario = scenario_from(capacity_decides())
    found = monte_carlo(scenario, ["plant"], seed=3, precision=Precision(1e4, "deliveries_36"))
    assert found.paths == 4_096 and found.precision.reached
    capped = monte_carlo(scenario, ["plant"], seed=3, precision=Precision(1e-4, max_paths=3_000))
    assert capped.paths == 3_000 and not capped.precision.reached
    with pytest.raises(ArgumentError, match="allowed"):
        Precision(0.01, "deliveries_48")


def test_replayed_path_is_the_full_runs_path_across_a_block_boundary():
    scenario, _ = load_scenario()
    options = scenario.plan.options
    paths = BLOCK_PATHS + 100
    full = simulate(scenario, Sampler(scenario, 7, "lhs").params(0, paths), options, keep=0)
    for k in (0, BLOCK_PATHS - 1, BLOCK_PATHS + 42):
        one = replay(scenario, options, k, paths, seed=7)
        assert one.deliveries == full.deliveries[k].tolist()
        assert one.npv_cny == full.npv_cny[k]
        assert one.peak_cash_need_cny == full.peak_cash_need_cny[k]
    drawn = {i.name: i.value for i in one.inputs}
    params = Sampler(scenario, 7, "lhs").params(BLOCK_PATHS + 42, BLOCK_PATHS + 43)
    assert drawn == {name: float(v[0]) for name, v in params.items()}


def test_replay_on_the_command_line(tmp_path):
    runner = CliRunner()
    csv = tmp_path / "path.csv"
    done = runner.invoke(app, ["risk", "--replay", "3", "--paths", "10", "--csv", str(csv)])
    assert done.exit_code == 0, done.output
    assert "path 3 of 10" in done.output
    rows = csv.read_text().splitlines()
    assert rows[0].startswith("month,orders,deliveries,backlog")
    assert len(rows) == 1 + load_scenario()[0].horizon_months
    wrong = runner.invoke(app, ["risk", "--replay", "10", "--paths", "10"])
    assert wrong.exit_code == 2 and "--replay 10: must be from 0 to 9" in wrong.output
    alone = runner.invoke(app, ["risk", "--csv", str(csv), "--no-save"])
    assert alone.exit_code == 2 and "--replay" in alone.output


def test_the_python_api_runs_to_a_precision_and_replays():
    import evlaunch as ev

    scenario = scenario_from(capacity_decides())
    found = ev.risk(scenario, seed=3, precision=0.01)
    assert (found.paths, found.precision.reached) == (8_192, True)
    path = ev.replay(scenario, 5, paths=100, seed=3)
    assert path.path == 5 and len(path.deliveries) == scenario.horizon_months
