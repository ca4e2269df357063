"""The planning MILP on cases solved by hand, replayed through the model, and explained."""

import copy
import re
from dataclasses import replace

import numpy as np
import pytest
import yaml

from evlaunch.model.fulfil import fulfil
from evlaunch.model.simulate import simulate
from evlaunch.plan.inputs import PlanInputs, plan_inputs
from evlaunch.plan.milp import Settings, start_values
from evlaunch.plan.solve import Deadline, plan, solve_inputs, with_plan_starts
from evlaunch.scenario.inputs import central_params
from evlaunch.scenario.load import bundled_text, parse_scenario

BUNDLED = yaml.safe_load(bundled_text())


def two_options(target=250.0, committed_b=0.0, cancel=0.0, shift_a=0.0, **changes) -> PlanInputs:
    """Two options, three months, 100 orders a month, price 10, variable cost 4 (no learning),
    no discounting. A: 60 a month, fee 1, capex 100 in month 1, ``shift_a`` a month more
    above nameplate at 1 a car more. B: 100 a month, fee 3."""
    capacity = np.array([[[60.0] * 3, [100.0] * 3]])
    inputs = PlanInputs(
        months=3,
        options=["A", "B"],
        models=["car"],
        builds=np.ones((2, 1), bool),
        option_of=np.array([0, 1]),
        start_of=np.array([0, 0]),
        recourse=np.array([False, False]),
        requires=[],
        orders=np.array([[[100.0, 100, 100]]]),
        cancel_rate=np.array([cancel]),
        price_cny=np.array([[10.0]]),
        capacity=capacity,
        above=np.array([[[shift_a] * 3, [0.0] * 3]]),
        above_cost_cny=np.array([[1.0, 0.0]]),
        committed=np.array([[[0.0] * 3, [committed_b] * 3]]),
        spend_cny=np.array([[[100.0, 0, 0], [0.0, 0, 0]]]),
        fee_cny=np.array([[1.0, 3.0]]),
        company_cny=np.array([0.0]),
        discount=np.ones((1, 3)),
        window=np.ones(3, bool),
        target=target,
        unit_cost_cny=np.array([[4.0]]),
        learning_rate=np.array([1.0]),
        reference_units=1.0,
    )
    return replace(inputs, **changes)


def solved(data, settings):
    result = solve_inputs(data, settings, Deadline.after(60))
    return result.x, result.variables


def test_max_npv_by_hand():
    # Margins: A 10 - 4 - 1 = 5 a car, B 10 - 4 - 3 = 3. A alone: 180 x 5 - 100 = 800;
    # B alone: 300 x 3 = 900; both: A makes its 180, B the other 120: 900 + 360 - 100 = 1160.
    data = two_options()
    x, v = solved(data, Settings(objective="max_npv"))
    assert start_values(data, x[v.started]).tolist() == [[1, 1]]
    np.testing.assert_allclose(x[v.make][0].sum(axis=1), [180, 120], atol=1e-6)
    np.testing.assert_allclose(x[v.cash][0, -1], 1160 / 1e6, rtol=1e-9)  # in M CNY


def test_a_shift_above_nameplate_by_hand():
    # A can make 30 a month more at 1 a car more: margin 10 - 4 - 1 - 1 = 4, above B's 3.
    # A makes 90 a month (30 above nameplate), B the other 10: 180 x 5 + 90 x 4 + 30 x 3 - 100
    x, v = solved(two_options(shift_a=30.0), Settings(objective="max_npv"))
    np.testing.assert_allclose(x[v.make][0].sum(axis=1), [270, 30], atol=1e-6)
    np.testing.assert_allclose(x[v.extra][0, 0], [30, 30, 30], atol=1e-6)
    np.testing.assert_allclose(x[v.cash][0, -1], 1250 / 1e6, rtol=1e-9)


def test_two_stage_starts_an_option_only_where_its_scenario_pays_for_it():
    # Two equally likely scenarios, 100 and 200 orders a month; B now costs 400 to start.
    # Low: A makes 180 (900 - 100 = 800), B would add 120 cars x 3 - 400 < 0: not started.
    # High: A 800, B its 300 cars x 3 - 400 = 500: started. Committed now for both, B would
    # start in both (mean (360 - 400 + 500) / 2 > 0); decided per scenario it starts only in
    # the high one: mean NPV (800 + 1,300) / 2 = 1,050.
    two = dict(
        orders=np.array([[[100.0] * 3], [[200.0] * 3]]),
        cancel_rate=np.zeros(2),
        price_cny=np.full((2, 1), 10.0),
        capacity=np.repeat(two_options().capacity, 2, axis=0),
        above=np.zeros((2, 2, 3)),
        above_cost_cny=np.zeros((2, 2)),
        committed=np.zeros((2, 2, 3)),
        spend_cny=np.repeat(np.array([[[100.0, 0, 0], [400.0, 0, 0]]]), 2, axis=0),
        fee_cny=np.repeat(np.array([[1.0, 3.0]]), 2, axis=0),
        company_cny=np.zeros(2),
        discount=np.ones((2, 3)),
        unit_cost_cny=np.full((2, 1), 4.0),
        learning_rate=np.ones(2),
    )
    data = two_options(**two)
    x, v = solved(data, Settings(objective="max_npv"))
    assert start_values(data, x[v.started]).tolist() == [[1, 1], [1, 1]]  # one first stage
    data = two_options(recourse=np.array([False, True]), **two)
    x, v = solved(data, Settings())
    assert start_values(data, x[v.started]).tolist() == [[1, 0], [1, 1]]
    np.testing.assert_allclose(x[v.cash][:, -1], [800 / 1e6, 1300 / 1e6], rtol=1e-9)


def test_min_cost_to_meet_a_target_by_hand():
    # 250 cars: B alone costs 250 x 7 = 1,750; A's 180 at 5 plus capex 100 and B's 70 at 7
    # cost 900 + 100 + 490 = 1,490, the least.
    x, v = solved(two_options(), Settings(objective="min_cost", require_target=True))
    np.testing.assert_allclose(x[v.make][0].sum(axis=1), [180, 70], atol=1e-6)
    assert x[v.ship][0].sum() == pytest.approx(250)


def test_take_or_pay_is_paid_even_when_not_made():
    # B must be paid on 100 a month once started: 300 x 3 = 900 in fees whatever it makes.
    # Then B is cheaper per extra car (cost 4) than A (5 incl. fee), so B makes all 300 and
    # A, whose capex would be wasted, is not started: cash = 300 x 10 - 300 x 4 - 900 = 900.
    data = two_options(committed_b=100.0)
    x, v = solved(data, Settings(objective="max_npv"))
    assert start_values(data, x[v.started]).tolist() == [[0, 1]]
    np.testing.assert_allclose(x[v.paid][0, 1].sum(), 300, atol=1e-6)
    np.testing.assert_allclose(x[v.cash][0, -1], 900 / 1e6, rtol=1e-9)


def test_unreachable_target_is_explained():
    data = yaml.safe_load(bundled_text())
    data["planning"] = {"objective": "min_cost"}
    result = plan(parse_scenario(yaml.safe_dump(data), "yaml"))
    assert result.status == "infeasible"
    assert "at most" in result.explanation and "900,000" in result.explanation
    assert "binding constraint is orders" in result.explanation
    best = float(result.explanation.split("at most ")[1].split(" ")[0].replace(",", ""))
    # the most the max-NPV plan delivers is no more than the most that can be delivered
    assert plan(parse_scenario(bundled_text(), "yaml")).window_deliveries <= best + 1


@pytest.fixture(scope="module")
def xiaomi_plan():
    scenario = parse_scenario(bundled_text(), "yaml")
    return scenario, plan(scenario)


def test_plan_replayed_through_the_model_gives_the_same_totals(xiaomi_plan):
    scenario, result = xiaomi_plan
    data = plan_inputs(scenario, central_params(scenario), [o.name for o in scenario.options])
    # the model's own fulfilment, shipping what the plan ships, has the plan's backlog
    replay = fulfil(data.total_orders, np.array([result.deliveries]), data.cancel_rate)
    np.testing.assert_allclose(replay.deliveries[0], result.deliveries, atol=1e-6)
    np.testing.assert_allclose(replay.backlog[0], result.backlog, rtol=1e-9, atol=1e-4)
    # and the simulator, built the plan's way, has the capacity the plan was given
    built = with_plan_starts(scenario, result)
    used = [o.option for o in result.options if o.used]
    paths = simulate(built, central_params(built), used)
    made = np.array([result.production[n] for n in used])
    # the plan may run a shift from shift_months after SOP; the simulator adds it when its
    # backlog calls for one: at most nameplate x max_utilisation either way
    params = central_params(built)
    utilisation = np.array([params[f"options.{n}.max_utilisation"][0] for n in used])
    nameplate = paths.capacity_by_option[0] / np.where(
        paths.shift_month[0][:, None] <= np.arange(built.horizon_months), utilisation[:, None], 1
    )
    assert (made <= nameplate * utilisation[:, None] + 1e-6).all()
    total = sum(sum(v) for v in result.production.values())
    assert paths.deliveries.sum() <= total + 1e-6  # the simulator keeps no stock to ship later
    assert paths.deliveries.sum() == pytest.approx(total, rel=0.05)


def test_option_starts_respect_what_they_require():
    data = copy.deepcopy(BUNDLED)
    data["planning"] = {"options": ["Own plant phase I", "Own plant phase II"]}
    # make phase II very attractive so that it wants to start as early as it can
    data["options"][3]["capex_cny"] = 1.0
    data["options"][3]["fixed_cost_per_year_cny"] = 0.0
    result = plan(parse_scenario(yaml.safe_dump(data), "yaml"))
    starts = {o.option: o.start for o in result.options}
    assert starts["Own plant phase II"] is not None
    assert starts["Own plant phase I"] <= starts["Own plant phase II"]


def test_stochastic_plan_meets_its_chance_constraint_in_sample():
    from evlaunch.plan.stochastic import stochastic_plan

    data = copy.deepcopy(BUNDLED)
    data["target"]["deliveries"] = 350_000
    data["planning"] = {"target_probability": 0.8}
    scenario = parse_scenario(yaml.safe_dump(data), "yaml")
    steps = []
    result = stochastic_plan(
        scenario,
        10,
        seed=1,
        evaluation_paths=2000,
        on_step=steps.append,
        gap_batches=3,
        gap_scenarios=5,
    )
    assert result.status == "optimal" and result.scenarios == 10
    assert steps[0] == "solving the plan over 10 scenarios" and "out of sample" in steps[-2]
    assert steps[-1] == "its optimality gap from 3 batches of 5 fresh scenarios"
    assert len(steps) == 5  # what the command's spinner shows while it works
    gap = result.stochastic["optimality_gap"]
    assert gap["scenarios_per_batch"] == 5 and gap["batches"] >= 2
    lo, hi = gap["gap_cny_ci95"]
    assert lo <= gap["gap_cny_mean"] <= hi
    assert len(gap["batch_gaps_cny"]) == gap["batches"]
    # each batch's best bound is at least as good as the plan on that batch
    assert min(gap["batch_gaps_cny"]) >= -1e-6 * abs(result.npv_cny)
    assert result.p_target_in_sample >= 0.8
    st = result.stochastic
    assert set(st) >= {"value_of_stochastic_solution_cny", "out_of_sample"}
    assert 0 <= st["out_of_sample"]["p_target"] <= 1
    # the stochastic plan is optimal for its sample, so on it no other first stage does
    # better, the central-values plan's included, as long as that one also meets the
    # chance constraint
    if st["expected_value_plan_p_target_in_sample"] >= 0.8:
        assert st["value_of_stochastic_solution_cny"] >= -1e-6 * abs(result.npv_cny)


def test_a_chance_constraint_out_of_reach_says_how_far():
    from evlaunch.plan.stochastic import stochastic_plan

    scenario = parse_scenario(bundled_text(), "yaml")  # 900,000 in 80% of scenarios
    result = stochastic_plan(scenario, 5, seed=0, evaluation_paths=1000)
    assert result.status == "infeasible"
    most = int(re.search(r"at most (\d+) of the 5 scenarios", result.explanation).group(1))
    assert most < 4  # 80% of 5 would be 4


def test_cli_plan_prints_the_plan_and_writes_the_monthly_csv(tmp_path):
    import csv
    import subprocess
    import sys

    out = tmp_path / "plan.csv"
    proc = subprocess.run(
        [sys.executable, "-m", "evlaunch.cli", "plan", "--csv", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Running HiGHS" not in proc.stdout  # the solver's banner stays out of the way
    assert "FAW Group" in proc.stdout and "NPV" in proc.stdout
    rows = list(csv.DictReader(out.open()))
    assert len(rows) == 84 and rows[0]["month"] == "2021-09"
    assert "production FAW Group" in rows[0]
    # the bundled scenario's two models, each with its own columns after the totals
    assert {"deliveries of first model", "production of second model"} <= set(rows[0])
    assert float(rows[-1]["deliveries"]) == pytest.approx(
        float(rows[-1]["deliveries of first model"])
        + float(rows[-1]["deliveries of second model"]),
        abs=2e-3,
    )


def test_the_time_limit_is_one_budget_for_every_solve():
    # a deadline already past: the command stops with no plan and says so, instead of
    # running each of its solves (plan, explanation, reference plans) for the full limit
    result = plan(parse_scenario(yaml.safe_dump(BUNDLED), "yaml"), deadline=Deadline.after(0.0))
    assert result.status == "time limit" and "time limit ran out" in result.explanation


def test_the_plan_says_whether_the_learning_curve_settled(xiaomi_plan):
    _, result = xiaomi_plan
    assert result.learning_settled and 1 <= result.learning_rounds <= 6


def candidates(option_of, start_of, capacity, spend, requires=(), **changes) -> PlanInputs:
    """``two_options`` with several candidate starts: option_of and start_of per candidate,
    and each candidate's (3,) capacity and capex by month."""
    y = len(option_of)
    return two_options(
        option_of=np.array(option_of),
        start_of=np.array(start_of),
        recourse=np.zeros(y, bool),
        requires=list(requires),
        capacity=np.array([capacity], float),
        above=np.zeros((1, y, 3)),
        committed=np.zeros((1, y, 3)),
        spend_cny=np.array([spend], float),
        **changes,
    )


def test_an_option_starts_once_and_for_good():
    # A may start in month 0 or 1 (60 a month from its start, capex 100), margin 5 a car;
    # 100 orders in month 0 only, which cancel if not served then. From month 0: 60 cars x
    # 5 - 100 = 200; from month 1 it would sell none. Started in month 0 and "unstarted" in
    # month 1 (start -1 there) it would make its 60 and get its capex back: 300, which
    # must not happen.
    data = candidates(
        [0, 0],
        [0, 1],
        [[60, 60, 60], [0, 60, 60]],
        [[100, 0, 0], [0, 100, 0]],
        cancel=1.0,
        options=["A"],
        builds=np.ones((1, 1), bool),
        fee_cny=np.array([[1.0]]),
        above_cost_cny=np.array([[0.0]]),
        orders=np.array([[[100.0, 0, 0]]]),
    )
    x, v = solved(data, Settings())
    assert start_values(data, x[v.started]).tolist() == [[1, 0]]
    assert x[v.started].tolist() == [[1, 1]]  # started by month 0, so by month 1 too
    np.testing.assert_allclose(x[v.cash][0, -1], 200 / 1e6, rtol=1e-9)


@pytest.mark.parametrize("a", [0, 1])
def test_an_option_waits_for_what_it_requires(a):
    # A only from month a (60 a month, capex 100); B (100 a month, fee 3) from month 0 or
    # 1 but requires A. Alone from month 0 B would earn 300 x 3 = 900. With A from month 0
    # both start then: A 180 x 5 - 100 = 800, B the other 120 x 3 = 360, 1,160 in all. With
    # A from month 1 B waits for it, and they serve all 300 orders from month 1 (none
    # cancel): A 120 x 5 - 100 = 500, B 180 x 3 = 540, 1,040 in all.
    data = candidates(
        [0, 1, 1],
        [a, 0, 1],
        [[60 * (a == 0), 60, 60], [100, 100, 100], [0, 100, 100]],
        [[100 * (a == 0), 100 * (a == 1), 0], [0, 0, 0], [0, 0, 0]],
        requires=[(1, 0)],
    )
    x, v = solved(data, Settings())
    assert start_values(data, x[v.started]).tolist() == [[1, a == 0, a == 1]]
    np.testing.assert_allclose(x[v.make][0].sum(axis=1), [[180, 120], [120, 180]][a], atol=1e-6)
    np.testing.assert_allclose(x[v.cash][0, -1], [1160e-6, 1040e-6][a], rtol=1e-9)
    # the first stage given as starts evaluates to the same plan
    fixed = np.array([1.0, a == 0, a == 1])
    x, v = solved(data, Settings(fixed_starts=fixed))
    np.testing.assert_allclose(x[v.cash][0, -1], [1160e-6, 1040e-6][a], rtol=1e-9)


def test_an_explanation_cut_short_by_the_time_limit_says_so(monkeypatch):
    # Every solve runs out of time with no plan: the explanation must not call the plan
    # infeasible ("no plan satisfies the constraints") when it only ran out of time.
    from evlaunch.plan import lp as lp_module
    from evlaunch.plan.solve import why_infeasible

    def out_of_time(self, *args, **kwargs):
        return lp_module.Solution(None, False, float("nan"), "Time limit reached")

    monkeypatch.setattr(lp_module.LinearProgram, "solve", out_of_time)
    text = why_infeasible(
        two_options(target=1000.0), Settings(require_target=True), Deadline(end=0.0)
    )
    assert "time limit ran out" in text and "no plan satisfies" not in text
