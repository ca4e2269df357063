"""Our branch and bound (plan/branch.py) against HiGHS's MILP on the same programmes."""

import numpy as np
import pytest

from evlaunch.plan.inputs import plan_inputs
from evlaunch.plan.milp import Settings, build, start_values
from evlaunch.plan.solve import solve_milp
from evlaunch.risk.sampling import Sampler
from evlaunch.scenario.inputs import central_params
from evlaunch.scenario.load import bundled_text, parse_scenario


def one_scenario_plans(draws: int):
    """The bundled plan's programme at central inputs and at ``draws`` sampled ones."""
    scenario = parse_scenario(bundled_text(), "yaml")
    options = [o.name for o in scenario.options]
    params = [central_params(scenario)]
    if draws:
        sampled = Sampler(scenario, 7, "lhs").params(0, draws)
        params += [
            {name: np.asarray(values)[k : k + 1] for name, values in sampled.items()}
            for k in range(draws)
        ]
    return [plan_inputs(scenario, p, options) for p in params]


@pytest.mark.parametrize("objective", ["max_npv", "min_cost"])
def test_the_search_finds_what_highs_milp_finds(objective):
    settings = Settings(objective=objective, require_target=objective == "min_cost")
    for data in one_scenario_plans(2):
        lp, v = build(data, data.average_unit_cost(data.total_orders.sum(axis=1)), settings)
        ours, milp = solve_milp(lp, v, data, settings, 60.0), lp.solve()
        assert (ours.x is None) == (milp.x is None)
        if milp.x is None:
            continue
        assert ours.optimal and abs(ours.fun - milp.fun) <= 1e-6 * abs(milp.fun)
        assert ours.bound <= ours.fun
        np.testing.assert_array_equal(
            start_values(data, ours.x[v.started]), start_values(data, milp.x[v.started])
        )


def test_a_search_that_gives_up_falls_back_to_highs_milp(monkeypatch):
    from evlaunch.plan import branch

    monkeypatch.setattr(branch, "MAX_NODES", 0)  # gives up at its first node
    data = one_scenario_plans(0)[0]
    settings = Settings()
    lp, v = build(data, data.average_unit_cost(data.total_orders.sum(axis=1)), settings)
    ours = solve_milp(lp, v, data, settings, 60.0)
    assert ours.optimal and abs(ours.fun - lp.solve().fun) <= 1e-6 * abs(ours.fun)
