"""The stochastic plan: sample-average approximation over scenarios drawn by the risk engine,
with a chance constraint, its value against the plan made at central values, and an
out-of-sample check."""

from collections.abc import Callable
from dataclasses import replace

import numpy as np

from ..errors import ArgumentError
from ..risk.montecarlo import monte_carlo
from ..risk.sampling import Sampler
from ..scenario.months import months_between
from ..scenario.provenance import provenance
from ..scenario.schema import Scenario
from .gap import batch_draws, batch_gap
from .inputs import plan_inputs
from .milp import Settings
from .solve import Deadline, ProductionPlan, plan, with_plan_starts

# HiGHS's default gap: the sample-average MILP over hundreds of scenarios is solved to
# within 1e-4 of its bound (the deterministic plan to 1e-6); the stochastic result says so.
SAA_GAP = 1e-4
SAA_HIGHS = ()  # HiGHS's defaults: its LP relaxation is integral at the root (README)
GAP_BATCHES = 5  # the optimality gap's batches (t interval on 4 degrees of freedom) ...
GAP_SCENARIOS = 20  # ... of this many scenarios each


def stochastic_plan(
    scenario: Scenario,
    scenarios: int,
    seed: int = 0,
    evaluation_paths: int = 20_000,
    time_limit_s: float = 120.0,
    on_step: Callable[[str], None] | None = None,
    gap_batches: int = GAP_BATCHES,
    gap_scenarios: int = GAP_SCENARIOS,
) -> ProductionPlan:
    """Sample-average approximation over ``scenarios`` draws of the risk engine, with the
    chance constraint P(target) >= planning.target_probability; the value of the stochastic
    solution against the plan made at central values; and an out-of-sample Monte Carlo of
    the chosen first stage on fresh draws; and its statistical optimality gap from
    ``gap_batches`` independent batches of ``gap_scenarios`` (``gap.batch_gap``). ``on_step``
    is told each step as it starts."""
    step = on_step or (lambda what: None)
    if not 2 <= scenarios <= 2000:
        raise ArgumentError("scenarios", scenarios, "must be from 2 to 2,000")
    p = scenario.planning
    params = Sampler(scenario, seed, "lhs").params(0, scenarios)
    settings = Settings(
        objective=p.objective,
        target_probability=p.target_probability,
        max_backlog_vehicles=p.max_backlog_vehicles,
        cash_limit_cny=p.cash_limit_cny,
        mip_rel_gap=SAA_GAP,
        highs=SAA_HIGHS,
    )
    deadline = Deadline.after(time_limit_s)
    step(f"solving the plan over {scenarios} scenarios")
    rp = plan(scenario, params, settings, deadline=deadline, on_step=step)
    if rp.status == "infeasible" or not rp.options:
        return rp
    # Expected value of the expected-value solution: the central plan's starts, fixed, with
    # production as recourse in each scenario (no chance constraint: it may not meet it).
    step("the plan at central values, for the value of the stochastic solution")
    ev = plan(scenario, deadline=deadline)
    options = p.options or [o.name for o in scenario.options]
    data = plan_inputs(scenario, params, options)
    fixed = _first_stage(scenario, data, ev)
    step(f"the central plan's starts in each of the {scenarios} scenarios")
    eev = plan(
        scenario,
        params,
        replace(settings, target_probability=None, fixed_starts=fixed),
        deadline=deadline,
    )
    value = rp.npv_cny if p.objective == "max_npv" else -rp.discounted_cost_cny
    ev_value = eev.npv_cny if p.objective == "max_npv" else -eev.discounted_cost_cny
    step(f"checking the plan out of sample on {evaluation_paths:,} paths")
    check = monte_carlo(
        with_plan_starts(scenario, rp),
        [o.option for o in rp.options if o.used],
        evaluation_paths,
        seed + 1,
    )
    step(f"its optimality gap from {gap_batches} batches of {gap_scenarios} fresh scenarios")
    gap = batch_gap(
        batch_draws(scenario, options, gap_scenarios, seed),
        settings,
        _first_stage(scenario, data, rp),
        gap_batches,
        deadline,
    )
    stochastic = {
        "scenarios": scenarios,
        "seed": seed,
        "target_probability": p.target_probability,
        "value_of_stochastic_solution_cny": value - ev_value,
        "expected_value_plan_starts": {o.option: o.start for o in ev.options if o.used},
        "expected_value_plan_p_target_in_sample": eev.p_target_in_sample,
        "mip_rel_gap": SAA_GAP,
        "optimality_gap": gap.to_dict() if gap else None,
        "out_of_sample": _out_of_sample(check, evaluation_paths, seed + 1),
    }
    return replace(rp, stochastic=stochastic, provenance=provenance(scenario, seed, "lhs"))


def _out_of_sample(check, paths: int, seed: int) -> dict:
    return {
        "paths": paths,
        "seed": seed,
        "p_target": check.p_target,
        "p_target_ci95": check.p_target_ci95,
        "npv_cny_mean": check.npv_cny_mean,
        "npv_cny_quantiles": dict(zip(check.quantiles, check.npv_cny_quantiles, strict=True)),
    }


def _first_stage(scenario: Scenario, data, result: ProductionPlan) -> np.ndarray:
    """(Y,) 0/1 the starts of ``result``'s options (their median start where decided per
    scenario)."""
    fixed = np.zeros(data.option_of.size)
    for j, name in enumerate(data.options):
        chosen = next((o for o in result.options if o.option == name), None)
        if chosen is not None and chosen.used:
            fixed[(data.option_of == j) & (data.start_of == _grid(scenario, chosen.start))] = 1
    return fixed


def _grid(scenario: Scenario, month: str) -> int:
    return months_between(scenario.start, month)
