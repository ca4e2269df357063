"""Scenarios compared on common random numbers: differences known by hand."""

import numpy as np
import pytest
from scipy import special
from test_montecarlo import capacity_decides, scenario_from
from typer.testing import CliRunner

from evlaunch.cli import app
from evlaunch.risk.compare import compare, paired_difference


def _compared(*datas, paths=8_192):
    scenarios = [scenario_from(d) for d in datas]
    return compare([(f"s{n}", s, ["plant"]) for n, s in enumerate(scenarios)], paths, seed=5)


def test_identical_scenarios_differ_by_exactly_zero_with_a_zero_width_interval():
    found = _compared(capacity_decides(), capacity_decides())
    for d in found.scenarios[1].versus_first:
        assert d.mean == 0.0 and d.ci95 == (0.0, 0.0), d
    assert found.scenarios[0].versus_first == []


def test_a_lower_target_gains_exactly_the_paths_between_the_two_thresholds():
    # deliveries in 36 months are 3,000,000 x share, share ~ normal(0.5, 0.1) truncated to
    # [0.001, 1]: the target 1,800,000 needs share >= 0.6, the target 1,500,000 share >= 0.5.
    # On common numbers each path's deliveries are the same in both, and P(target) rises by
    # P(0.5 <= share < 0.6) = (Phi(1) - Phi(0)) / (Phi(5) - Phi(-4.99)) = 0.3413
    lower = capacity_decides()
    lower["target"]["deliveries"] = 1_500_000
    found = _compared(capacity_decides(), lower)
    diff = {d.measure: d for d in found.scenarios[1].versus_first}
    assert diff["deliveries_36"].mean == 0.0 and diff["deliveries_36"].ci95 == (0.0, 0.0)
    exact = (special.ndtr(1.0) - special.ndtr(0.0)) / (special.ndtr(5.0) - special.ndtr(-4.99))
    lo, hi = diff["p_target"].ci95
    assert lo < exact < hi and hi - lo < 0.03


def test_an_input_only_one_scenario_has_leaves_the_shared_ones_common():
    # the second scenario's fee is uncertain: it moves NPV, not deliveries, so deliveries
    # stay equal path by path only if the shared share_available got the same numbers
    fee = capacity_decides()
    fee["options"][0]["fee_per_vehicle_cny"] = {"dist": "uniform", "low": 0, "high": 20_000}
    found = _compared(capacity_decides(), fee)
    diff = {d.measure: d for d in found.scenarios[1].versus_first}
    assert diff["deliveries_36"].ci95 == (0.0, 0.0) and diff["p_target"].mean == 0.0
    assert diff["npv_cny"].mean < 0
    assert "options.plant.share_available" in found.common_inputs
    assert "options.plant.fee_per_vehicle_cny" not in found.common_inputs
    assert found.own_inputs["s1"] == ["options.plant.fee_per_vehicle_cny"]


def test_paired_difference_interval_by_hand():
    # differences 1, 3, 1, 3: mean 2, sd (ddof 1) 2/sqrt(3), half-width 1.96 x 1.1547 / 2
    d = paired_difference("npv_cny", np.zeros(4), np.array([1.0, 3.0, 1.0, 3.0]))
    assert d.mean == 2.0
    assert d.ci95 == pytest.approx((2 - 1.959964 * 1.154701 / 2, 2 + 1.959964 * 1.154701 / 2))


def test_compare_on_the_command_line(tmp_path):
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    runner = CliRunner()
    assert runner.invoke(app, ["init", str(a)]).exit_code == 0
    b.write_text(a.read_text().replace("capacity_per_year: 200000", "capacity_per_year: 250000"))
    html = tmp_path / "cmp.html"
    done = runner.invoke(app, ["compare", str(a), str(b), "--paths", "2000", "--report", str(html)])
    assert done.exit_code == 0, done.output
    assert "common random numbers" in done.output and html.stat().st_size > 1e6
    assert (tmp_path / "cmp_data" / "scenarios.csv").read_text().count("\n") == 7
    one = runner.invoke(app, ["compare", str(a)])
    assert one.exit_code == 2 and "from 2 to 8" in one.output
