"""The sample-average programme solved scenario by scenario (issue 17, item 3).

Over 200 draws the sample-average MILP is one programme of 350,000 variables, and HiGHS
spends minutes in its presolve and root LP although its LP relaxation is integral. Its
structure is simple: about a hundred "started by" binaries shared by every scenario (the
first stage), and given them, one small LP per scenario (``recourse``). So:

- a plan without the chance constraint is found by Benders over the scenarios (``benders``),
  from the previous learning round's first stage and every option started as early as it
  may; it stops within the relative gap the MILP would stop at;
- with the chance constraint, that plan is the answer if it meets the target in enough
  scenarios (then it is optimal for the constrained programme too, whose optimum cannot be
  better than the unconstrained one); a first stage given is evaluated exactly by sorting
  (``ScenarioLPs.with_chance``); a chance constraint that no plan can meet is shown so by
  an upper bound on each scenario's deliveries in the window (its orders, or every option's
  largest capacity, whichever is smaller), without any LP;
- the most scenarios one plan can meet the target in (to explain a target out of reach) is
  the count at the earliest starts, when each scenario's LP shows that no first stage
  delivers more in it.

Anything else (starts decided per scenario, a target every scenario must meet, a scenario
LP without a solution at some first stage, a chance constraint that binds) returns None:
the caller solves the MILP, as before.
"""

import time
from dataclasses import dataclass, replace

import numpy as np

from .benders import best_first_stage, earliest_starts, rules_allow, scenario_bounds
from .inputs import PlanInputs
from .lp import LinearProgram, Solution
from .milp import Settings, Variables, _cumulative, build
from .recourse import MET, Recourse, ScenarioLPs, SolverFailed, extensive_solution

OBJECTIVES = ("max_npv", "min_cost", "max_window", "max_meet")


@dataclass(frozen=True)
class Round:
    """One learning round's sample-average programme, solved scenario by scenario."""

    lp: LinearProgram  # the sample-average MILP (its layout, size and objective)
    variables: Variables
    solution: Solution  # as the MILP's solve would report it
    lps: ScenarioLPs | None  # to warm the next round's
    build_seconds: float


def decomposable(data: PlanInputs, settings: Settings) -> bool:
    """Whether ``solve_round`` may settle this programme: several scenarios sharing every
    start, and no target that each scenario must meet on its own."""
    return (
        data.scenarios > 1
        and not data.recourse.any()
        and not settings.require_target
        and settings.objective in OBJECTIVES
    )


def needed(data: PlanInputs, settings: Settings) -> int:
    """Scenarios the chance constraint requires to meet the target (as the MILP's row)."""
    return int(np.ceil((settings.target_probability or 0.0) * data.scenarios - 1e-9))


def window_bound(data: PlanInputs, settings: Settings) -> np.ndarray:
    """(K,) no plan delivers more in the target window [vehicles]: deliveries up to the
    window's end are at most the orders up to then, and at most what every option can make
    by then (each at the candidate start with the most capacity in each month, a shift
    included)."""
    end = int(np.flatnonzero(data.window).max()) + 1
    bound = np.full(data.scenarios, np.inf)
    if "demand" not in settings.relax:
        bound = np.minimum(bound, data.total_orders[:, :end].sum(axis=1))
    if "capacity" not in settings.relax:
        most = data.capacity[:, :, :end] + data.above[:, :, :end]  # (K, Y, end)
        by_option = np.stack(
            [most[:, data.option_of == j].max(axis=1) for j in np.unique(data.option_of)], 1
        )
        bound = np.minimum(bound, by_option.sum(axis=(1, 2)))
    return bound


def solve_round(
    data: PlanInputs,
    unit_cost_cny: np.ndarray,
    settings: Settings,
    left_s,
    warm: Round | None = None,
) -> Round | None:
    """The sample-average programme charging ``unit_cost_cny`` (K, M), by scenario, while
    ``left_s()`` seconds are left; None where the MILP must settle it (module doc).
    ``warm``: an earlier round on the same draws (the learning round before, or the solve
    whose plan is being explained or compared), whose first stage the search starts from
    and whose scenario LPs it reuses, or their bases."""
    try:
        return _solve_round(data, unit_cost_cny, settings, left_s, warm)
    except SolverFailed:
        return None


def _solve_round(data, unit_cost_cny, settings: Settings, left_s, warm) -> Round | None:
    if settings.fixed_starts is not None and settings.objective == "max_meet":
        return None  # nothing asks this; the MILP answers it
    began = time.perf_counter()
    infeasible = settings.target_probability is not None and (
        np.sum(window_bound(data, settings) >= data.target * MET) < needed(data, settings)
    )
    if infeasible and settings.objective != "max_meet":
        return _answer(data, unit_cost_cny, settings, None, None, began, 0.0, True)
    window = settings.objective in ("max_window", "max_meet")
    local = replace(settings, objective="max_window") if window else settings
    lps = _scenario_lps(data, unit_cost_cny, local, warm)
    built = time.perf_counter() - began
    if settings.fixed_starts is not None:
        given = _cumulative(data, np.asarray(settings.fixed_starts, float))
        if not rules_allow(data, given):
            return _answer(data, unit_cost_cny, settings, lps, None, began, built, True)
        at = lps.solve(given)
        if not at.feasible.all():
            return _answer(data, unit_cost_cny, settings, lps, None, began, built, True)
        if settings.target_probability is not None:
            at = lps.with_chance(at, needed(data, settings))
        return _answer(data, unit_cost_cny, settings, lps, at, began, built, at is None)
    if settings.objective == "max_meet":
        return _most_met(data, unit_cost_cny, settings, lps, began, built)
    points = [earliest_starts(data)]
    if warm is not None and warm.solution.x is not None:
        points.insert(0, warm.solution.x[warm.variables.started[0]])
    found = best_first_stage(lps, data, settings.mip_rel_gap, left_s, _distinct(points))
    if found.best is None:
        return None  # some scenario has no solution at a first stage tried
    best = found.best
    if settings.target_probability is not None and best.met.sum() < needed(data, settings):
        if _out_of_reach(data, unit_cost_cny, settings):
            return _answer(data, unit_cost_cny, settings, lps, None, began, built, True)
        return None  # the chance constraint binds: the MILP decides
    return _answer(
        data, unit_cost_cny, settings, lps, best, began, built, False, found.bound, found.converged
    )


def _scenario_lps(data, unit_cost_cny, settings: Settings, warm: Round | None) -> ScenarioLPs:
    """The scenario LPs: ``warm``'s own if they are these, else new ones, from ``warm``'s
    bases where they are of the same draws and programme."""
    before = warm.lps if warm is not None else None
    if before is not None and before.holds(data, unit_cost_cny, settings):
        return before
    if before is not None and before.same_draws(data, settings):
        return ScenarioLPs(data, unit_cost_cny, settings, warm=before)
    return ScenarioLPs(data, unit_cost_cny, settings)


def _out_of_reach(data, unit_cost_cny, settings: Settings) -> bool:
    """Whether fewer scenarios than the chance constraint needs could meet the target
    under any first stage, by each scenario's LP bound on its deliveries in the window."""
    lps = ScenarioLPs(data, unit_cost_cny, replace(settings, objective="max_window"))
    at = lps.solve(earliest_starts(data))
    if not at.feasible.all():
        return False  # some scenario cannot even be run at these starts: no bound here
    could = scenario_bounds(data, at) >= data.target * MET
    return bool(could.sum() < needed(data, settings))


def _most_met(data, unit_cost_cny, settings, lps: ScenarioLPs, began, built) -> Round | None:
    """Most scenarios meeting the target: each scenario's most in the window at the
    earliest starts, if in none of them another first stage could cross the target."""
    at = lps.solve(earliest_starts(data))
    if not at.feasible.all():
        return None
    could = scenario_bounds(data, at) >= data.target * MET
    if (could != at.met).any():
        return None
    if at.met.sum() < needed(data, settings):
        return _answer(data, unit_cost_cny, settings, lps, None, began, built, True)
    return _answer(data, unit_cost_cny, settings, lps, at, began, built, False)


def _answer(
    data,
    unit_cost_cny,
    settings,
    lps,
    at: Recourse | None,
    began: float,
    built: float,
    infeasible: bool,
    bound: float | None = None,
    optimal: bool = True,
) -> Round:
    """The round's outcome as the MILP's solve would report it, its solution laid out as
    the MILP's columns."""
    lp, v = build(data, unit_cost_cny, settings)
    if infeasible or at is None:
        solution = Solution(None, False, float("nan"), "Infeasible")
        return Round(lp, v, solution, lps, built + time.perf_counter() - began)
    x = extensive_solution(lps, v, lp.n, at)
    # the mean of the scenario LPs' objectives: the extensive objective of x to rounding,
    # and the very number a bound from the same LPs is compared with (the optimality gap)
    fun = -at.mean
    solution = Solution(
        x=x,
        optimal=optimal,
        fun=fun,
        message="Optimal" if optimal else "Time limit reached",
        bound=fun if bound is None else -bound,
    )
    return Round(lp, v, solution, lps, built)


def _distinct(points: list[np.ndarray]) -> list[np.ndarray]:
    out: list[np.ndarray] = []
    for p in points:
        if not any(np.array_equal(p, q) for q in out):
            out.append(np.asarray(p, float))
    return out
