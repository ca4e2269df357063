"""The best shared first stage by Benders decomposition over scenarios: the L-shaped
method (Van Slyke & Wets 1969) with one cut per scenario (multicut, Birge & Louveaux 1988).

The master problem holds the first stage alone, the "started by" columns of ``milp``
(about a hundred) with their rules (an option starts once; not before what it requires),
and one estimate theta_k of each scenario's value. Every first stage tried is evaluated on
each scenario's own LP (``recourse``), which gives the scenario's value there and its
gradient, so theta_k <= value_k + gradient_k . (s - s_tried) for every s: each scenario's
value is concave in the relaxed starts. The master's optimum bounds every first stage from
above; the best whole first stage tried bounds the optimum from below; the search stops when
the two are within the relative gap (HiGHS's mip_rel_gap, as the sample-average MILP would
stop). The master is an LP while its optimum keeps moving, and a MILP over the starts once
the LP has converged on a fractional first stage (the plans' LP relaxations have so far been
integral, so it rarely is).
"""

from dataclasses import dataclass

import highspy
import numpy as np

from .inputs import PlanInputs
from .lp import LinearProgram
from .milp import Variables, _starts
from .recourse import Recourse, ScenarioLPs, SolverFailed

INTEGRAL = 1e-6  # a first stage within this of 0/1 is whole (and is rounded to it)
MASTER_GAP = 1e-9  # the master MILP's own gap: far inside the search's
ABS_GAP = 1e-6  # HiGHS's mip_abs_gap, in the objective's unit (millions of CNY, vehicles)


@dataclass(frozen=True)
class FirstStage:
    """The outcome of the search."""

    best: Recourse | None  # every scenario at the best whole first stage found
    bound: float  # no first stage has a larger sample-average value
    iterations: int  # first stages evaluated
    converged: bool  # best and bound are within the gap (else the deadline stopped it)


def earliest_starts(data: PlanInputs) -> np.ndarray:
    """(Y,) 0/1 "started by" of every option started as early as it may (after what it
    requires): with ramps that only shift with the start (``plan_inputs``), the most
    capacity of every option in every month, so often the plan that delivers most."""
    first = {}
    for j in np.unique(data.option_of):
        first[j] = data.start_of[data.option_of == j].min()
    for _ in data.requires:  # a chain of requirements settles within as many passes
        for j, r in data.requires:
            first[j] = max(first[j], first[r])
    return np.array(
        [data.start_of[y] >= first[j] for y, j in enumerate(data.option_of)], dtype=float
    )


def _start_rules(lp: LinearProgram, data: PlanInputs) -> np.ndarray:
    """(Y,) new "started by" columns in [0, 1] in ``lp``, under the start rules of
    ``milp`` (an option starts once, and not before what it requires)."""
    started = lp.variables(data.option_of.size, 0.0, 1.0)
    none = np.zeros((1, 0), dtype=np.int64)
    _starts(lp, data, Variables(started[None, :], *[none] * 8, None))
    return started


def rules_allow(data: PlanInputs, started_by: np.ndarray) -> bool:
    """Whether the first stage ``started_by`` (Y,) keeps the start rules (the scenario
    LPs leave them out)."""
    lp = LinearProgram()
    started = _start_rules(lp, data).astype(np.int32)
    h = lp.highs(integer=False)
    h.changeColsBounds(started.size, started, started_by, started_by)
    h.run()
    return h.getModelStatus() == highspy.HighsModelStatus.kOptimal


def scenario_bounds(data: PlanInputs, r: Recourse) -> np.ndarray:
    """(K,) no first stage gives scenario k a larger value than this: its value is concave
    in the starts, so it is at most its value at ``r``'s first stage plus the most its
    gradient there gains over every first stage the start rules allow."""
    lp = LinearProgram()
    started = _start_rules(lp, data).astype(np.int32)
    h = lp.highs(integer=False)
    Y = started.size
    gains = np.empty(r.value.size)
    for k, g in enumerate(r.gradient):
        h.changeColsCost(Y, started, -g)
        h.run()
        status = h.getModelStatus()
        if status != highspy.HighsModelStatus.kOptimal:
            raise SolverFailed(f"the start rules' LP: HiGHS says {h.modelStatusToString(status)}")
        gains[k] = -h.getInfo().objective_function_value - g @ r.started_by
    return r.value + gains


class Master:
    """The master problem: ``started`` (Y,) in [0, 1] under the start rules, theta (K,)
    free, maximising the mean of theta under the cuts added."""

    def __init__(self, data: PlanInputs):
        lp = LinearProgram()
        started = _start_rules(lp, data)
        theta = lp.variables(data.scenarios, -np.inf, np.inf)
        lp.objective(theta, -1.0 / data.scenarios)
        self.h = lp.highs(
            integer=False, options={"mip_rel_gap": MASTER_GAP, "mip_abs_gap": ABS_GAP / 100}
        )
        self.started, self.theta = started.astype(np.int32), theta.astype(np.int32)
        self.integer = False

    def cut(self, r: Recourse) -> None:
        """theta_k <= value_k + gradient_k . (s - s_r), for each scenario feasible at r."""
        ks = np.flatnonzero(r.feasible)
        upper = r.value[ks] - r.gradient[ks] @ r.started_by
        index = np.column_stack([self.theta[ks], np.tile(self.started, (ks.size, 1))])
        value = np.column_stack([np.ones(ks.size), -r.gradient[ks]])
        keep = value != 0
        keep[:, 0] = True
        self.h.addRows(
            ks.size,
            np.full(ks.size, -highspy.kHighsInf),
            upper,
            int(keep.sum()),
            np.r_[0, np.cumsum(keep.sum(axis=1))[:-1]].astype(np.int32),
            index[keep].astype(np.int32),
            value[keep],
        )

    def whole(self) -> None:
        """From now on the starts are binary."""
        self.h.changeColsIntegrality(
            self.started.size,
            self.started,
            np.full(self.started.size, highspy.HighsVarType.kInteger),
        )
        self.integer = True

    def solve(self) -> tuple[np.ndarray, float]:
        """The master's first stage and its bound on the sample-average value."""
        self.h.run()
        status = self.h.getModelStatus()
        if status != highspy.HighsModelStatus.kOptimal:
            raise SolverFailed(f"Benders master: HiGHS says {self.h.modelStatusToString(status)}")
        info = self.h.getInfo()
        bound = info.mip_dual_bound if self.integer else info.objective_function_value
        s = np.asarray(self.h.getSolution().col_value)[self.started]
        return s, -float(bound)


def best_first_stage(
    lps: ScenarioLPs,
    data: PlanInputs,
    rel_gap: float,
    left_s,
    points: list[np.ndarray],
) -> FirstStage:
    """The first stage of largest sample-average value, within ``rel_gap`` of it, by
    Benders from the whole first stages ``points`` (at least one), while ``left_s()`` (the
    seconds left) is positive. A scenario infeasible at a point tried ends the search with
    no result (``best`` None, not converged): this module has no feasibility cuts."""
    master = Master(data)
    best: Recourse | None = None
    bound, tried = np.inf, 0

    def evaluate(s: np.ndarray) -> Recourse | None:
        nonlocal best, tried
        tried += 1
        r = lps.solve(s)
        if not r.feasible.all():
            return None
        master.cut(r)
        whole = np.all((s == 0) | (s == 1))
        if whole and (best is None or r.mean > best.mean):
            best = r
        return r

    for s in points:
        if evaluate(np.asarray(s, float)) is None:
            return FirstStage(None, np.inf, tried, False)
    seen: set[bytes] = set()
    while left_s() > 0:
        s, bound = master.solve()
        # the master may take the best first stage tried at its value, so its bound is at
        # least that, but for the LP's tolerances
        bound = max(bound, best.mean)
        if bound - best.mean <= _tolerance(rel_gap, best.mean):
            return FirstStage(best, bound, tried, True)
        rounded = np.round(s)
        s = rounded if np.abs(s - rounded).max() <= INTEGRAL else s
        key = np.round(s, 9).tobytes()
        if key in seen:
            # The master is back at a first stage it has a cut at, so its bound is the
            # value there, up to the LPs' tolerances: a whole one is the best within them;
            # at a fractional one the LP relaxation is solved: branch from now on.
            if master.integer or np.all((s == 0) | (s == 1)):
                return FirstStage(best, bound, tried, True)
            master.whole()
            continue
        seen.add(key)
        r = evaluate(s)
        if r is None:
            return FirstStage(None, np.inf, tried, False)
        if not master.integer and bound - r.mean <= _tolerance(rel_gap, best.mean):
            master.whole()  # the LP relaxation is solved, at a fractional first stage
    return FirstStage(best, bound, tried, False)


def _tolerance(rel_gap: float, value: float) -> float:
    """How far the bound may be above the best value found, as HiGHS stops a MILP: within
    ``rel_gap`` of it or within its absolute gap, whichever is larger."""
    return max(rel_gap * abs(value), ABS_GAP)
