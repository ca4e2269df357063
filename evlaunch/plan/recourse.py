"""The sample-average plan's second stage, scenario by scenario.

Given the first stage (which option starts in which month, shared by every scenario), what
each scenario produces, stocks, delivers and spends is a linear programme of its own: the
sample-average MILP's block for that scenario, about 1,900 variables, with the start
columns fixed by their bounds. One HiGHS instance per scenario keeps its basis, so moving to
another first stage re-solves from the last basis in a millisecond or two, where the
sample-average MILP over 200 scenarios is one LP of 350,000 variables. Each scenario's
optimal value is concave in the (relaxed) starts; the reduced costs of the fixed start
columns are its gradient, what a Benders cut needs (``benders``).
"""

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, fields, replace

import highspy
import numpy as np

from .inputs import PlanInputs
from .lp import LinearProgram, _quiet_stdout
from .milp import Settings, Variables, build

# The fields of PlanInputs with one row per scenario; the rest (months, options, candidate
# starts, window, target) every scenario shares.
PER_SCENARIO = (
    "orders",
    "cancel_rate",
    "price_cny",
    "capacity",
    "above",
    "above_cost_cny",
    "committed",
    "spend_cny",
    "fee_cny",
    "company_cny",
    "discount",
    "unit_cost_cny",
    "learning_rate",
)
MET = 1 - 1e-9  # a scenario meets the target at this share of it, as the plan counts it
# The scenario LPs are small and re-solved from their last basis (HiGHS then skips its
# presolve); the first solve of each is cold, with presolve, which measured faster than
# starting it from the basis of the scenario before.
LP_OPTIONS = {"solver": "simplex"}
# Scenario LPs solved at once: the machines evlaunch runs on have two cores or more, and
# with two the 200 scenario LPs of a first stage took half the time of one by one
THREADS = 2


class SolverFailed(RuntimeError):
    """HiGHS ended one of the decomposition's LPs neither optimal nor infeasible (a
    numerical failure): the sample-average programme is then left to the MILP."""


def programme(settings: Settings) -> Settings:
    """``settings`` as they shape the scenario LPs: the first stage, the chance constraint
    and a target in every scenario are not in them."""
    return replace(settings, target_probability=None, require_target=False, fixed_starts=None)


def _same(a: Settings, b: Settings) -> bool:
    return (a.objective, a.relax, a.max_backlog_vehicles, a.cash_limit_cny) == (
        b.objective,
        b.relax,
        b.max_backlog_vehicles,
        b.cash_limit_cny,
    )


def scenario_inputs(data: PlanInputs, k: int) -> PlanInputs:
    """Scenario ``k`` of ``data`` alone (one scenario, the same candidate starts)."""
    return replace(data, **{f: getattr(data, f)[k : k + 1] for f in PER_SCENARIO})


@dataclass(frozen=True)
class Recourse:
    """Every scenario's second stage at one first stage (``started_by``)."""

    started_by: np.ndarray  # (Y,) 0/1 (or fractional): option j(y) started by month s(y)
    value: np.ndarray  # (K,) each scenario's objective, maximised (-inf where infeasible)
    gradient: np.ndarray  # (K, Y) d value / d started_by (0 where infeasible)
    window: np.ndarray  # (K,) deliveries of every model in the target window [vehicles]
    met: np.ndarray  # (K,) bool: the scenario meets the target (in the plan's count)
    x: np.ndarray  # (K, n) each scenario's solution, in its own LP's columns

    @property
    def feasible(self) -> np.ndarray:
        return np.isfinite(self.value)

    @property
    def mean(self) -> float:
        """The sample average of the value (the sample-average objective, maximised)."""
        return float(self.value.mean())


class ScenarioLPs:
    """One HiGHS LP per scenario of ``data``, charging ``unit_cost_cny`` (K, M) a vehicle,
    with ``settings``' objective and constraint families; the starts are columns fixed at
    the first stage being evaluated. The chance constraint is not in them: a scenario that
    must meet the target gets its window row's lower bound raised (``with_chance``).

    They are cut out of one build of the sample-average programme in which every scenario
    has its own copy of the starts (as if decided per scenario), so each is exactly that
    programme's block for its scenario, its objective the scenario's own (not divided by the
    number of scenarios). The rules on the starts alone (an option starts once; not before
    what it requires) are left to whoever sets the first stage. ``warm``, the scenario LPs of
    the same draws at another unit cost, lends each its last basis."""

    def __init__(
        self,
        data: PlanInputs,
        unit_cost_cny: np.ndarray,
        settings: Settings,
        warm: "ScenarioLPs | None" = None,
    ):
        if data.recourse.any():
            raise ValueError(
                f"data.recourse: {int(data.recourse.sum())} candidate starts are decided per "
                "scenario; scenario LPs need every start shared by all (none per scenario)"
            )
        self.data, self.target = data, data.target
        local = programme(settings)
        self.unit_cost_cny, self.settings = np.asarray(unit_cost_cny), local
        copies = replace(data, recourse=np.ones_like(data.recourse))
        lp, v = build(copies, unit_cost_cny, local)
        window = lp.constraints(data.scenarios)  # free until a scenario must meet the target
        lp.add(window[:, None, None], v.ship[:, :, data.window])
        blocks = _blocks(lp, v, data.scenarios)
        self.models = [
            _highs(blocks, k, warm.models[k] if warm is not None else None)
            for k in range(data.scenarios)
        ]
        self.starts = blocks.local_column[v.started[0]]  # (Y,) scenario 0's, alike in each
        self.window_row = int(np.searchsorted(blocks.rows[0], window[0]))
        self.window_columns = blocks.local_column[v.ship[0][:, data.window].ravel()]
        self.variables = v  # the blocks of the build they were cut from
        self.columns = blocks.columns  # (K, n) each scenario's columns in that build

    def holds(self, data: PlanInputs, unit_cost_cny: np.ndarray, settings: Settings) -> bool:
        """Whether these are the scenario LPs of ``data`` at that cost and settings."""
        return self.same_draws(data, settings) and np.array_equal(self.unit_cost_cny, unit_cost_cny)

    def same_draws(self, data: PlanInputs, settings: Settings) -> bool:
        """Whether these LPs are of ``data`` with ``settings``' objective and constraints,
        at whatever cost (so their bases suit)."""
        return self.data is data and _same(self.settings, programme(settings))

    def solve(self, started_by: np.ndarray) -> Recourse:
        """Every scenario at the first stage ``started_by`` (Y,)."""
        started_by = np.asarray(started_by, float)
        parts = self._each(range(len(self.models)), started_by, False)
        return self._recourse(started_by, parts)

    def _each(self, scenarios, started_by: np.ndarray, meet: bool) -> list:
        """``_solve`` for each of ``scenarios``, on THREADS threads (HiGHS lets go of
        Python's lock while it solves, and the instances share nothing)."""
        with _quiet_stdout(), ThreadPoolExecutor(THREADS) as pool:
            return list(pool.map(lambda k: self._solve(k, started_by, meet), scenarios))

    def _solve(self, k: int, started_by: np.ndarray, meet: bool):
        """Scenario k's (value, gradient, window deliveries, solution) at ``started_by``,
        delivering the target in the window if ``meet``; value -inf if it cannot."""
        h, Y = self.models[k], self.starts.size
        h.changeColsBounds(Y, self.starts, started_by, started_by)
        if meet:
            h.changeRowBounds(self.window_row, self.target, highspy.kHighsInf)
        h.run()
        status = h.getModelStatus()
        if meet:
            h.changeRowBounds(self.window_row, -highspy.kHighsInf, highspy.kHighsInf)
        if status == highspy.HighsModelStatus.kInfeasible:
            return -np.inf, np.zeros(Y), 0.0, np.zeros(h.getNumCol())
        if status != highspy.HighsModelStatus.kOptimal:
            raise SolverFailed(f"scenario {k}: HiGHS says {h.modelStatusToString(status)}")
        solution = h.getSolution()
        x = np.asarray(solution.col_value)
        # HiGHS minimises; a fixed column's reduced cost is d objective / d its value
        gradient = -np.asarray(solution.col_dual)[self.starts]
        value = -h.getInfo().objective_function_value
        return value, gradient, float(x[self.window_columns].sum()), x

    def _recourse(self, started_by: np.ndarray, parts, met=None) -> Recourse:
        value, gradient, window, x = (np.array(a) for a in zip(*parts, strict=True))
        if met is None:
            met = np.isfinite(value) & (window >= self.target * MET)
        return Recourse(started_by, value, gradient, window, met, x)

    def with_chance(self, free: Recourse, need: int) -> Recourse | None:
        """The best second stage at ``free``'s first stage that meets the target in at
        least ``need`` scenarios; None if none does. Once the first stage is fixed the
        scenarios are independent: it meets the target where ``free`` does and, where that
        is not enough, in the scenarios where meeting it costs least (by sorting)."""
        short = need - int(free.met.sum())
        if short <= 0:
            return free
        missed = np.flatnonzero(~free.met)
        forced = dict(zip(missed, self._each(missed, free.started_by, True), strict=True))
        can = np.array([k for k in missed if np.isfinite(forced[k][0])], dtype=int)
        if can.size < short:
            return None
        loss = free.value[can] - np.array([forced[k][0] for k in can])
        take = can[np.argsort(loss, kind="stable")[:short]]
        parts = [
            (free.value[k], free.gradient[k], free.window[k], free.x[k])
            for k in range(free.value.size)
        ]
        for k in take:
            parts[k] = forced[k]
        met = free.met.copy()
        met[take] = True
        return self._recourse(free.started_by, parts, met)


def extensive_solution(lps: ScenarioLPs, full: Variables, n: int, recourse: Recourse) -> np.ndarray:
    """(n,) ``recourse`` as a solution of the sample-average MILP whose variable blocks are
    ``full`` (``milp.build`` over every scenario, the starts shared), to be read as that
    MILP's solution."""
    copies = np.zeros(int(lps.columns.max()) + 1)
    copies[lps.columns] = recourse.x
    x = np.zeros(n)
    for f in fields(Variables):
        block, own = getattr(full, f.name), getattr(lps.variables, f.name)
        if f.name == "meet":
            if block is not None:
                x[block] = recourse.met
        elif f.name == "started":
            x[block] = recourse.started_by[None, :]
        else:
            x[block] = copies[own]
    return x


@dataclass(frozen=True)
class _Blocks:
    """Where each scenario's block lies in a programme whose every column but the
    scenario's own starts belong to one scenario."""

    columns: np.ndarray  # (K, n) scenario k's columns, in the programme's order
    rows: np.ndarray  # (K, m) its rows (the rules on the starts alone left out)
    local_column: np.ndarray  # (N,) a column's place in its scenario's block
    by_row: object  # scipy CSR: the rows of ``rows`` in order, columns numbered locally
    cost: np.ndarray  # (N,) the programme's objective times K: each scenario's its own
    bounds: tuple  # (N,) lower and upper of the columns, (M,) of the rows, as HiGHS takes them

    def pass_to(self, h: highspy.Highs, k: int) -> None:
        """Scenario k's LP into ``h``, as arrays (a HighsLp's fields convert element by
        element: 1.6 ms a scenario, most of cutting the blocks)."""
        n, m = self.columns.shape[1], self.rows.shape[1]
        lb, ub, lo, hi = self.bounds
        cols, rows = self.columns[k], self.rows[k]
        start = self.by_row.indptr[k * m : (k + 1) * m + 1]
        status = h.passModel(
            n,
            m,
            int(start[-1] - start[0]),
            int(highspy.MatrixFormat.kRowwise),
            int(highspy.ObjSense.kMinimize),
            0.0,
            self.cost[cols],
            lb[cols],
            ub[cols],
            lo[rows],
            hi[rows],
            (start[:-1] - start[0]).astype(np.int32),
            self.by_row.indices[start[0] : start[-1]],
            self.by_row.data[start[0] : start[-1]],
            np.zeros(n, np.int32),  # every column continuous
        )
        if status != highspy.HighsStatus.kOk:
            raise SolverFailed(f"scenario {k}'s LP: HiGHS would not take it ({status})")


def _blocks(lp: LinearProgram, v: Variables, K: int) -> _Blocks:
    """The scenario blocks of ``lp`` built with variables ``v``, every block (the starts
    too) shaped (K, ...)."""
    owner = np.full(lp.n, -1)
    for f in fields(Variables):
        block = getattr(v, f.name)
        if block is not None:
            owner[block.reshape(K, -1)] = np.arange(K)[:, None]
    columns = np.argsort(owner, kind="stable").reshape(K, -1)
    local_column = np.empty(lp.n, dtype=np.int32)
    local_column[columns] = np.arange(columns.shape[1])[None, :]
    a = lp.matrix()
    starts = np.zeros(lp.n, bool)
    starts[v.started] = True
    # a row of starts alone is a rule on the first stage, not part of any scenario's LP
    row_of = np.repeat(np.arange(lp.m), np.diff(a.indptr))
    second = np.bincount(row_of, weights=~starts[a.indices], minlength=lp.m) > 0
    row_owner = np.where(second, owner[a.indices[a.indptr[:-1]]], -1)
    rows = np.argsort(row_owner, kind="stable")[np.sum(row_owner < 0) :].reshape(K, -1)
    by_row = a[rows.ravel()]
    by_row.indices = local_column[by_row.indices]
    by_row.sort_indices()
    by_row.indices = by_row.indices.astype(np.int32)
    bounds = tuple(np.clip(b, -highspy.kHighsInf, highspy.kHighsInf) for b in lp.bounds())
    return _Blocks(columns, rows, local_column, by_row, lp.costs() * K, bounds)


def _highs(blocks: _Blocks, k: int, warm: highspy.Highs | None) -> highspy.Highs:
    """A quiet HiGHS holding scenario k's LP, from ``warm``'s last basis if given."""
    with _quiet_stdout():
        h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    for name, value in LP_OPTIONS.items():
        h.setOptionValue(name, value)
    blocks.pass_to(h, k)
    if warm is not None:
        h.setBasis(warm.getBasis())
    return h
