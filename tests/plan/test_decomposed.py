"""The sample-average programme solved scenario by scenario (``plan/decomposed.py``)
against the MILP it replaces: on small cases where every first stage is enumerated and
evaluated by the MILP with its starts fixed, by hand, and on the bundled case."""

import copy
import itertools
import re
from dataclasses import replace

import numpy as np
import pytest
import yaml

from evlaunch.plan.benders import earliest_starts, rules_allow
from evlaunch.plan.decomposed import solve_round, window_bound
from evlaunch.plan.milp import Settings, _cumulative, build
from evlaunch.plan.recourse import ScenarioLPs, extensive_solution
from evlaunch.plan.solve import Deadline, solve_inputs
from evlaunch.scenario.load import bundled_text, parse_scenario

from .test_plan import candidates, two_options

BUNDLED = yaml.safe_load(bundled_text())


def small_case(seed: int, scenarios: int = 4, requires=()):
    """Random two-stage cases: three options, each startable in month 0, 1 or 2 of six, at
    full rate from its start plus a lead time; capex spent at the start; orders, cancel
    rate and fees drawn per scenario; price 100,000 and unit cost 40,000 CNY; discounting,
    so a later start is cheaper. Values are millions of CNY, as in the bundled case's
    programme (HiGHS's absolute gap, 1e-6 of them, is then far below the answers')."""
    rng = np.random.default_rng(seed)
    T, J, K = 6, 3, scenarios
    option_of = np.repeat(np.arange(J), 3)
    start_of = np.tile(np.arange(3), J)
    lead = np.array([1, 2, 0])
    rate = rng.uniform(30, 90, size=(K, J))
    months = np.arange(T)
    on = months[None, :] >= (start_of + lead[option_of])[:, None]  # (Y, T)
    capacity = rate[:, option_of, None] * on[None]
    spend = np.zeros((K, option_of.size, T))
    capex = rng.uniform(50, 400, size=(K, J)) * 1e4
    spend[:, np.arange(option_of.size), start_of] = capex[:, option_of]
    return two_options(
        target=float(rng.uniform(250, 450)),
        options=["A", "B", "C"],
        builds=np.ones((J, 1), bool),
        option_of=option_of,
        start_of=start_of,
        recourse=np.zeros(option_of.size, bool),
        requires=list(requires),
        orders=rng.uniform(40, 160, size=(K, 1, T)),
        cancel_rate=rng.uniform(0.0, 0.2, size=K),
        price_cny=np.full((K, 1), 10.0e4),
        capacity=capacity,
        above=np.zeros_like(capacity),
        above_cost_cny=np.zeros((K, J)),
        committed=np.zeros_like(capacity),
        spend_cny=spend,
        fee_cny=rng.uniform(0.5, 3.0, size=(K, J)) * 1e4,
        company_cny=np.zeros(K),
        discount=np.tile(0.97 ** np.arange(T), (K, 1)),
        window=np.ones(T, bool),
        unit_cost_cny=np.full((K, 1), 4.0e4),
        learning_rate=np.ones(K),
    )


def every_first_stage(data):
    """Every whole first stage the start rules allow, as (Y,) 0/1 starts."""
    options = np.unique(data.option_of)
    choices = [[None, *np.flatnonzero(data.option_of == j)] for j in options]
    for pick in itertools.product(*choices):
        starts = np.zeros(data.option_of.size)
        starts[[y for y in pick if y is not None]] = 1
        if rules_allow(data, _cumulative(data, starts)):
            yield starts


def milp_at(data, unit, settings, starts):
    """The sample-average MILP with its first stage fixed at ``starts``."""
    lp, _ = build(data, unit, Settings(**{**settings.__dict__, "fixed_starts": starts}))
    return lp.solve(60)


def by_scenario(data, settings):
    unit = data.average_unit_cost(data.total_orders.sum(axis=1))
    return unit, solve_round(data, unit, settings, Deadline.after(60).left)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("requires", [(), ((1, 0),)])
def test_the_best_first_stage_is_the_best_of_every_one_enumerated(seed, requires):
    data = small_case(seed, requires=requires)
    settings = Settings(mip_rel_gap=1e-9)
    unit, found = by_scenario(data, settings)
    values = [-milp_at(data, unit, settings, s).fun for s in every_first_stage(data)]
    assert found is not None and found.solution.optimal
    assert -found.solution.fun == pytest.approx(max(values), rel=1e-7)
    assert -found.solution.bound >= max(values) - 1e-6
    # and the MILP over every start agrees
    lp, _ = build(data, unit, settings)
    assert lp.solve(60, 1e-9).fun == pytest.approx(found.solution.fun, rel=1e-7)


@pytest.mark.parametrize("seed", range(4))
def test_a_first_stage_is_evaluated_with_the_chance_constraint_as_the_milp_does(seed):
    # meeting the target in 3 of the 4 scenarios: which ones is the cheapest choice, found
    # by sorting; the MILP with the starts fixed decides it with its binaries
    data = small_case(seed)
    unit = data.average_unit_cost(data.total_orders.sum(axis=1))
    settings = Settings(target_probability=0.75)
    for starts in list(every_first_stage(data))[::5]:
        fixed = Settings(target_probability=0.75, fixed_starts=starts)
        ours = solve_round(data, unit, fixed, Deadline.after(60).left).solution
        milp = milp_at(data, unit, settings, starts)
        assert (ours.x is None) == (milp.x is None)
        if milp.x is not None:
            assert ours.fun == pytest.approx(milp.fun, rel=1e-7, abs=1e-9)


PATHS = []  # which way each chance-constrained case below was solved


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("probability", [0.25, 0.75, 1.0])
@pytest.mark.parametrize("rank", [None, 1, 2])
def test_the_chance_constrained_plan_equals_the_best_first_stage_enumerated(
    seed, probability, rank, monkeypatch
):
    # Through solve_inputs: by scenario where the unconstrained plan meets the chance
    # constraint (or no plan can), else the MILP; either way the best of every first stage.
    # ``rank``: the target a little above what the unconstrained plan delivers in the
    # scenario of that rank, so that it meets it in fewer scenarios (None: the case's own)
    from evlaunch.plan import solve as solve_module

    data = small_case(seed)
    if rank is not None:
        free = solve_inputs(data, Settings(), Deadline.after(60))
        window = np.sort(free.x[free.variables.ship].sum(axis=(1, 2)))
        data = replace(data, target=float(window[rank]) + 1.0)

    def recorded(*args, **kwargs):
        out = solve_round(*args, **kwargs)
        PATHS.append("MILP" if out is None else "by scenario")
        return out

    monkeypatch.setattr(solve_module, "solve_round", recorded)
    settings = Settings(target_probability=probability, mip_rel_gap=1e-9)
    solved = solve_inputs(data, settings, Deadline.after(60))
    unit = solved.unit_cost_cny
    values = [milp_at(data, unit, settings, s) for s in every_first_stage(data)]
    feasible = [-v.fun for v in values if v.x is not None]
    if not feasible:
        assert solved.x is None
        return
    assert solved.x is not None
    assert -solved.solution.fun == pytest.approx(max(feasible), rel=1e-7)


def test_the_cases_above_took_both_ways():
    assert {"MILP", "by scenario"} <= set(PATHS)


def test_scenario_lps_are_the_blocks_of_the_sample_average_programme():
    # each scenario's LP at a first stage, put together, is a solution of the MILP with
    # those starts fixed: every row holds and the objective is the MILP's optimum
    data = small_case(7, scenarios=5)
    unit = data.average_unit_cost(data.total_orders.sum(axis=1))
    lps = ScenarioLPs(data, unit, Settings())
    for starts in list(every_first_stage(data))[::7]:
        at = lps.solve(_cumulative(data, starts))
        lp, v = build(data, unit, Settings(fixed_starts=starts))
        x = extensive_solution(lps, v, lp.n, at)
        lb, ub, lo, hi = lp.bounds()
        ax = lp.matrix() @ x
        assert np.all(ax >= lo - 1e-6) and np.all(ax <= hi + 1e-6)
        assert np.all(x >= lb - 1e-9) and np.all(x <= ub + 1e-9)
        assert lp.costs() @ x == pytest.approx(lp.solve(60).fun, rel=1e-9)
        assert -at.mean == pytest.approx(lp.costs() @ x, rel=1e-9)


def test_the_window_bound_by_hand():
    # two_options: A 60 a month and B 100 a month from month 0, over three months. With
    # 100 orders a month, at most the 300 ordered; with 200 a month, at most the 480 both
    # can make; without the demand rows, 480 either way; without capacity, the orders
    data = two_options(
        orders=np.array([[[100.0] * 3], [[200.0] * 3]]),
        capacity=np.repeat(two_options().capacity, 2, axis=0),
        above=np.zeros((2, 2, 3)),
    )
    assert window_bound(data, Settings()).tolist() == [300, 480]
    assert window_bound(data, Settings(relax=frozenset({"demand"}))).tolist() == [480, 480]
    assert window_bound(data, Settings(relax=frozenset({"capacity"}))).tolist() == [300, 600]


def test_earliest_starts_wait_for_what_they_require():
    # A may start in month 1 or 2; B in month 0 or 1 but requires A: B from month 1 at the
    # earliest, so "started by" is 1 for A's months 1 and 2 and for B's month 1 only
    data = candidates(
        [0, 0, 1, 1], [1, 2, 0, 1], np.zeros((4, 3)), np.zeros((4, 3)), requires=[(1, 0)]
    )
    assert earliest_starts(data).tolist() == [1, 1, 0, 1]
    assert rules_allow(data, earliest_starts(data))
    assert not rules_allow(data, np.array([0.0, 0, 1, 1]))  # B before A


def scenario(target: int):
    data = copy.deepcopy(BUNDLED)
    data["target"]["deliveries"] = target
    return parse_scenario(yaml.safe_dump(data), "yaml")


def stochastic(target: int, scenarios: int):
    from evlaunch.plan.stochastic import stochastic_plan

    return stochastic_plan(
        scenario(target),
        scenarios,
        seed=3,
        evaluation_paths=500,
        gap_batches=2,
        gap_scenarios=4,
    )


@pytest.mark.parametrize("target", [350_000, 900_000])
def test_the_bundled_stochastic_plan_is_the_milps(target, monkeypatch):
    # the same starts, value (within the gap), share meeting the target, verdict and
    # explanation as the sample-average MILP's, with 6 draws
    ours = stochastic(target, 6)
    from evlaunch.plan import solve as solve_module

    monkeypatch.setattr(solve_module, "decomposable", lambda data, settings: False)
    milp = stochastic(target, 6)
    assert ours.status == milp.status
    assert [(o.option, o.start) for o in ours.options] == [
        (o.option, o.start) for o in milp.options
    ]
    if milp.status == "infeasible":
        numbers = re.compile(r"[\d,]+")
        assert numbers.findall(ours.explanation) == numbers.findall(milp.explanation)
        return
    assert ours.npv_cny == pytest.approx(milp.npv_cny, rel=1e-4)
    assert ours.p_target_in_sample == milp.p_target_in_sample
    st, mt = ours.stochastic, milp.stochastic
    assert st["value_of_stochastic_solution_cny"] == pytest.approx(
        mt["value_of_stochastic_solution_cny"], rel=1e-4, abs=1e-4 * abs(milp.npv_cny)
    )
    assert (
        st["expected_value_plan_p_target_in_sample"] == mt["expected_value_plan_p_target_in_sample"]
    )


def test_scenario_lps_on_threads_give_what_one_by_one_does(monkeypatch):
    from evlaunch.plan import recourse

    data = small_case(3, scenarios=6)
    unit = data.average_unit_cost(data.total_orders.sum(axis=1))
    starts = earliest_starts(data)
    together = ScenarioLPs(data, unit, Settings()).solve(starts)
    monkeypatch.setattr(recourse, "THREADS", 1)
    alone = ScenarioLPs(data, unit, Settings()).solve(starts)
    np.testing.assert_array_equal(together.value, alone.value)
    np.testing.assert_array_equal(together.gradient, alone.gradient)


def test_a_target_out_of_reach_says_so_while_it_explains():
    from evlaunch.plan.stochastic import stochastic_plan

    steps = []
    bundled = parse_scenario(bundled_text(), "yaml")
    result = stochastic_plan(bundled, 5, seed=0, evaluation_paths=500, on_step=steps.append)
    assert result.status == "infeasible"
    assert steps == [
        "solving the plan over 5 scenarios",
        "no plan meets the target: the most that can be delivered, and what binds",
    ]
