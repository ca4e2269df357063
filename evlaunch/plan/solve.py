"""Solving the plan: deterministic at central values, or by sample-average approximation
over the risk engine's scenarios with a chance constraint; infeasibility explained."""

import time
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from .. import __version__
from ..errors import UserError
from ..scenario.inputs import Params, central_params
from ..scenario.months import add_months
from ..scenario.provenance import provenance
from ..scenario.schema import Plan, Scenario
from .assemble import plan_result
from .branch import branch_and_bound
from .decomposed import Round, decomposable, solve_round
from .inputs import PlanInputs, plan_inputs
from .lp import LinearProgram, Solution
from .milp import Settings, Variables, build
from .result import ProductionPlan

LEARNING_TOLERANCE = 0.002  # re-solve until the average unit cost moves less than this
LEARNING_ROUNDS = 6  # at most; a plan that has not settled by then says so
# Objectives that count vehicles: the unit cost only moves cash, so without a cash limit
# one round settles them (the explanation of a target out of reach asks for these).
WINDOW_ONLY = ("max_window", "max_meet")
RELAXABLE = {
    "capacity": "production capacity of the options (with the latest starts allowed)",
    "demand": "orders: deliveries cannot exceed orders plus backlog",
    "backlog": "planning.max_backlog_vehicles",
    "cash": "planning.cash_limit_cny",
}


@dataclass(frozen=True)
class Deadline:
    """One time budget for every solve of a command: the plan, the explanation of an
    infeasible one, the stochastic plan's reference plans."""

    end: float  # time.perf_counter() by which solving stops

    @classmethod
    def after(cls, seconds: float) -> "Deadline":
        return cls(time.perf_counter() + seconds)

    def left(self) -> float:
        return max(self.end - time.perf_counter(), 0.0)


@dataclass(frozen=True)
class Solved:
    """The outcome of solving one plan's MILP, re-charging the learning curve's cost."""

    x: np.ndarray | None  # None: no solution found (infeasible, or out of time)
    variables: object  # the variable blocks of ``build``
    unit_cost_cny: np.ndarray  # (K,) the average variable cost charged last
    lp: object
    solution: object  # lp.Solution of the last solve
    build_seconds: float
    solve_seconds: float
    learning_rounds: int
    learning_settled: bool  # the cost charged and the cost of what the plan makes agree
    out_of_time: bool  # the deadline ended the solving
    by_scenario: Round | None = None  # the last round, if solved scenario by scenario


def solve_inputs(
    data: PlanInputs, settings: Settings, deadline: Deadline, warm: Solved | None = None
) -> Solved:
    """Solve, re-charging the learning-curve average cost until it settles (at most
    LEARNING_ROUNDS solves, within ``deadline``). It starts from the cost of serving every
    order (the cheapest it can be): starting from the cost of the first cars would make a
    new maker's first cars look unprofitable, and nothing gets built. Over several
    scenarios each round is solved scenario by scenario where it can be (``decomposed``),
    else as one MILP, from ``warm``'s last round (a solve on the same draws) if given."""
    unit = data.average_unit_cost(data.total_orders.sum(axis=1))
    built = solved = 0.0
    settled = False
    rounds = 0
    previous = warm.by_scenario if warm is not None else None
    while rounds < LEARNING_ROUNDS and (rounds == 0 or deadline.left() > 0):
        rounds += 1
        started = time.perf_counter()
        by_scenario = (
            solve_round(data, unit, settings, deadline.left, previous)
            if decomposable(data, settings)
            else None
        )
        previous = by_scenario or previous
        if by_scenario is not None:
            lp, v, result = by_scenario.lp, by_scenario.variables, by_scenario.solution
            built += by_scenario.build_seconds
            solved += time.perf_counter() - started - by_scenario.build_seconds
        else:
            lp, v = build(data, unit, settings)
            built += time.perf_counter() - started
            started = time.perf_counter()
            result = solve_milp(lp, v, data, settings, deadline.left())
            solved += time.perf_counter() - started
        if result.x is None:
            break
        if settings.objective in WINDOW_ONLY and not settings.cash_limit_cny:
            settled = True  # the cost charged moves no delivery while cash is unlimited
            break
        made = result.x[v.make].sum(axis=(1, 2))
        new = data.average_unit_cost(made)
        settled = bool(np.max(np.abs(new / unit - 1)) < LEARNING_TOLERANCE)
        if settled:
            break
        unit = new
    out_of_time = deadline.left() <= 0 and (not settled or not result.optimal)
    return Solved(
        result.x, v, unit, lp, result, built, solved, rounds, settled, out_of_time, by_scenario
    )


def solve_once(
    data: PlanInputs,
    unit_cost_cny: np.ndarray,
    settings: Settings,
    deadline: Deadline,
    warm: Solved | None = None,
) -> Solution:
    """One solve charging ``unit_cost_cny`` (K, M), the learning curve's cost not
    re-charged: scenario by scenario where it can be (from ``warm``'s last round, a solve
    on the same draws, if given), else as one MILP."""
    if decomposable(data, settings):
        previous = warm.by_scenario if warm is not None else None
        by_scenario = solve_round(data, unit_cost_cny, settings, deadline.left, previous)
        if by_scenario is not None:
            return by_scenario.solution
    lp, v = build(data, unit_cost_cny, settings)
    return solve_milp(lp, v, data, settings, deadline.left())


def solve_milp(
    lp: LinearProgram, v: Variables, data: PlanInputs, settings: Settings, left_s: float
) -> Solution:
    """One MILP of ``build`` within ``left_s`` seconds: by our branch and bound where its
    only integers are the started-by binaries of one scenario (``branch``: the bundled
    plan in half HiGHS's MILP's time), else, or where that search gives up, by HiGHS's
    MILP."""
    end = time.perf_counter() + left_s
    integer = lp.integer
    searchable = integer.sum() == v.started.size and integer[v.started].all()
    if data.scenarios == 1 and searchable and left_s > 0:  # out of time: HiGHS's last word
        found = branch_and_bound(lp, v.started[0], data.option_of, settings.mip_rel_gap, left_s)
        if found is not None:
            return found
    left_s = end - time.perf_counter()
    return lp.solve(max(left_s, 1e-3), settings.mip_rel_gap, options=dict(settings.highs))


def plan(
    scenario: Scenario,
    params: Params | None = None,
    settings: Settings | None = None,
    time_limit_s: float = 60.0,
    deadline: Deadline | None = None,
    on_step: Callable[[str], None] | None = None,
) -> ProductionPlan:
    """The optimal plan for ``params`` (default: one scenario at central values), solved
    within ``time_limit_s`` in all (or by ``deadline``, shared with other solves);
    ``on_step`` is told when the explanation of an infeasible plan starts."""
    deadline = deadline or Deadline.after(time_limit_s)
    p = scenario.planning
    options = p.options or [o.name for o in scenario.options]
    params = params if params is not None else central_params(scenario)
    data = plan_inputs(scenario, params, options)
    if settings is None:
        settings = Settings(
            objective=p.objective,
            require_target=p.objective == "min_cost",
            max_backlog_vehicles=p.max_backlog_vehicles,
            cash_limit_cny=p.cash_limit_cny,
        )
    solved = solve_inputs(data, settings, deadline)
    if solved.x is None:
        return _infeasible(scenario, data, settings, solved, deadline, on_step)
    return plan_result(scenario, data, settings, solved)


def _infeasible(
    scenario, data, settings, solved: Solved, deadline: Deadline, on_step=None
) -> ProductionPlan:
    """A plan with no solution, and why (``why_infeasible``)."""
    text = (
        "the time limit ran out before any plan was found; allow more time"
        if solved.out_of_time
        else why_infeasible(data, settings, deadline, on_step)
    )
    K, _, T = data.orders.shape
    empty = [0.0] * T
    return ProductionPlan(
        scenario=scenario.name,
        version=__version__,
        objective=settings.objective,
        scenarios=K,
        status="time limit" if solved.out_of_time else "infeasible",
        options=[],
        npv_cny=float("nan"),
        discounted_cost_cny=float("nan"),
        window_deliveries=float("nan"),
        target_deliveries=scenario.target.deliveries,
        p_target_in_sample=0.0,
        unit_cost_cny=float(np.mean(data.unit_cost_cny[:, 0])),
        unit_cost_by_model_cny={},
        months=[add_months(scenario.start, t) for t in range(T)],
        orders=data.total_orders.mean(axis=0).tolist(),
        production={},
        deliveries=empty,
        backlog=empty,
        stock=empty,
        orders_by_model={
            n: data.orders[:, m].mean(axis=0).tolist() for m, n in enumerate(data.models)
        },
        production_by_model={},
        deliveries_by_model={},
        backlog_by_model={},
        build_seconds=solved.build_seconds,
        solve_seconds=solved.solve_seconds,
        variables=solved.lp.n,
        constraints=solved.lp.m,
        explanation=text,
        learning_rounds=solved.learning_rounds,
        learning_settled=solved.learning_settled,
        provenance=provenance(scenario),
    )


def why_infeasible(
    data: PlanInputs,
    settings: Settings,
    deadline: Deadline,
    on_step: Callable[[str], None] | None = None,
) -> str:
    """Say why: the most that can be delivered in the window, and which constraint binds
    (solved again with each family relaxed); for a chance constraint, also the largest
    share of scenarios one plan can carry. ``on_step`` is told when it starts."""
    if on_step is not None:
        on_step("no plan meets the target: the most that can be delivered, and what binds")
    explain = replace(
        settings, objective="max_window", require_target=False, target_probability=None
    )
    most = solve_inputs(data, explain, deadline)

    def relaxed(family: str) -> Solved:
        return solve_inputs(data, replace(explain, relax=frozenset({family})), deadline)

    if most.x is None and most.out_of_time:
        return (
            "no plan meets the target, and the time limit ran out before the most that can "
            "be delivered was found; allow more time to learn why"
        )
    if most.x is None:
        text = "no plan satisfies the constraints even without the target"
        binding = next((f for f in _active(settings) if relaxed(f).x is not None), None)
        if binding:
            text += f"; the binding constraint is {RELAXABLE[binding]}"
    else:
        best = _window(data, most).mean()
        gains = {}
        for family in _active(settings):
            r = relaxed(family)
            if r.x is not None:
                gains[family] = _window(data, r).mean() - best
        if not gains:  # out of time: what is known
            return (
                f"the target of {data.target:,.0f} deliveries in the window cannot be met: at "
                f"most {best:,.0f} can be delivered (on average over the scenarios); the time "
                "limit ran out before the binding constraint was found"
            )
        binding = max(gains, key=gains.get)
        need = (
            "in every scenario"
            if data.scenarios == 1
            else f"in {100 * (settings.target_probability or 1):.0f}% of the scenarios"
        )
        others = "; ".join(
            f"without {RELAXABLE[f].split(':')[0]}: {best + g:,.0f}"
            for f, g in gains.items()
            if f != binding
        )
        text = (
            f"the target of {data.target:,.0f} deliveries in the window cannot be met "
            f"{need}: at most {best:,.0f} can be delivered (on average over the "
            f"scenarios). The binding constraint is {RELAXABLE[binding]}: without it "
            f"{best + gains[binding]:,.0f} could be ({others})."
        )
    if settings.target_probability is not None:
        meet = solve_inputs(
            data,
            replace(settings, objective="max_meet", target_probability=0.0),
            deadline,
            warm=most,
        )
        if meet.x is not None:
            most_met = round(float(meet.x[meet.variables.meet].sum()))
            text = (
                f"P(target) >= {settings.target_probability:.0%} is out of reach: one plan "
                f"meets the target in at most {most_met} of the {data.scenarios} scenarios "
                f"({most_met / data.scenarios:.0%}). Across them, {text}"
            )
    return text


def _window(data: PlanInputs, solved: Solved) -> np.ndarray:
    """(K,) deliveries of every model in the target window."""
    return solved.x[solved.variables.ship][:, :, data.window].sum(axis=(1, 2))


def _active(settings: Settings) -> list[str]:
    """Constraint families this plan has (a backlog or cash limit only if one is set)."""
    present = {"backlog": settings.max_backlog_vehicles, "cash": settings.cash_limit_cny}
    return [f for f in RELAXABLE if present.get(f, True)]


def with_plan_starts(scenario: Scenario, result: ProductionPlan) -> Scenario:
    """The scenario built the plan's way: its options started when the plan starts them."""
    chosen = {o.option: o.start for o in result.options if o.used}
    if not chosen:
        raise UserError("the plan uses no option, so there is nothing to simulate")
    options = [
        o.model_copy(update={"start": chosen[o.name]}) if o.name in chosen else o
        for o in scenario.options
    ]
    return scenario.model_copy(update={"options": options, "plan": Plan(options=list(chosen))})
