"""The plan of one scenario by our own branch and bound over its "started by" binaries, each
node's LP solved by HiGHS from the basis of the node before.

Why not HiGHS's MILP: the bundled plan's MILP is closed by branching, not at the root
(the LP bound is 1.8% above the optimum; HiGHS's cuts move it 0.04%), and HiGHS spent its
0.69 s on a few nodes it chose by strong branching (5,974 of 8,173 simplex iterations) and
on separation, for 16 nodes. Which options are used is what the LP gets wrong: it builds a
fraction of a plant, paying that fraction of its capex and fixed cost for that fraction of
its capacity; with every option's "used" fixed to 0 or 1 the LP bound is within 0.4% of the
optimum. So we branch first on an option's "used" (started by its last candidate month),
then halve an option's candidate months (started by month s, or not), the most fractional
first, best bound first: 23 nodes of a few dozen simplex iterations each on the bundled plan.

The answer is HiGHS's: a node is dropped only when its LP bound is within the plan's
relative gap (``mip_rel_gap``) of the best plan found, as HiGHS stops. Anything else (an
LP that is not solved to optimality or infeasibility, too many nodes) falls back to
HiGHS's MILP.
"""

import heapq
import time
from dataclasses import dataclass

import highspy
import numpy as np

from .lp import LinearProgram, Solution, _quiet_stdout

INTEGRAL = 1e-6  # HiGHS's mip_feasibility_tolerance: a binary this close to 0 or 1 is one
ABS_GAP = 1e-6  # HiGHS's mip_abs_gap, in the objective's units [M CNY or vehicles]
MAX_NODES = 2_000  # beyond this, HiGHS's MILP (its cuts) is the better tool
OPTIMAL, INFEASIBLE = highspy.HighsModelStatus.kOptimal, highspy.HighsModelStatus.kInfeasible


@dataclass(order=True)
class _Node:
    bound: float  # the node's LP objective: no plan below it is better
    order: int  # ties: the older node first
    lower: np.ndarray  # (Y,) bounds of the started-by binaries at this node
    upper: np.ndarray
    x: np.ndarray  # the node's LP solution


class _GiveUp(Exception):
    """The search cannot settle this programme; HiGHS's MILP will."""


def branch_and_bound(
    lp: LinearProgram,
    started: np.ndarray,
    option_of: np.ndarray,
    rel_gap: float,
    time_limit_s: float,
) -> Solution | None:
    """Minimise ``lp`` whose only integers are the binaries ``started`` (Y,) (option
    ``option_of`` (Y,), candidates in month order); None where HiGHS's MILP must."""
    try:
        return _Search(lp, started, option_of, rel_gap, time_limit_s).run()
    except _GiveUp:
        return None


class _Search:
    def __init__(self, lp, started, option_of, rel_gap, time_limit_s):
        # HiGHS's time limit counts the instance's run time over all its solves: our budget
        self.h = lp.highs(integer=False, options={"time_limit": time_limit_s})
        self.cols = np.asarray(started, dtype=np.int32)
        self.costs = lp.costs()
        self.option_of = option_of
        self.used = np.r_[option_of[1:] != option_of[:-1], True]  # an option's last
        self.rel_gap = rel_gap
        self.end = time.perf_counter() + time_limit_s
        self.best, self.best_x = np.inf, None
        self.dropped = np.inf  # the lowest bound of a node dropped within the gap
        self.nodes = 0

    def run(self) -> Solution | None:
        y = self.cols.size
        root = self._node(np.zeros(y), np.ones(y), order=0)
        if root is None:  # infeasible: HiGHS's MILP says so in its own words
            raise _GiveUp
        self._prefer_earlier(root.bound)
        # the root is solved cold with presolve; each node after it from the last basis
        self.h.setOptionValue("presolve", "off")
        queue, order, out_of_time = [root], 1, False
        while queue:
            node = heapq.heappop(queue)
            if self._settled(node.bound):
                continue
            if time.perf_counter() > self.end:
                out_of_time = True
                self.dropped = min([self.dropped, node.bound, *(n.bound for n in queue)])
                break
            self.nodes += 1
            if self.nodes > MAX_NODES:
                raise _GiveUp
            pick = self._branching(node)
            if pick is None:  # integral: a plan, at its own costs
                value = float(self.costs @ node.x)
                if value < self.best:
                    self.best, self.best_x = value, node.x
                continue
            for lower, upper in self._children(node, pick):
                child = self._node(lower, upper, order)
                order += 1
                if child is not None and not self._settled(child.bound):
                    heapq.heappush(queue, child)
        return self._solution(out_of_time)

    def _prefer_earlier(self, scale: float) -> None:
        """Of plans that are worth the same, the LPs find the one that starts earliest: each
        started-by binary earns a tenth of the gap's tolerance over Y. The nodes' bounds are
        then at most that below their plans' value, never above: still bounds."""
        tolerance = max(self.rel_gap * abs(scale), ABS_GAP)
        earn = 0.1 * tolerance / self.cols.size
        self.h.changeColsCost(self.cols.size, self.cols, self.costs[self.cols] - earn)

    def _node(self, lower, upper, order) -> _Node | None:
        """The node's LP solved (None: infeasible)."""
        h = self.h
        h.changeColsBounds(self.cols.size, self.cols, lower, upper)
        with _quiet_stdout():
            h.run()
        status = h.getModelStatus()
        if status == INFEASIBLE:
            return None
        if status != OPTIMAL:
            raise _GiveUp
        x = np.asarray(h.getSolution().col_value)
        return _Node(h.getInfo().objective_function_value, order, lower, upper, x)

    def _settled(self, bound: float) -> bool:
        """Whether no plan under a node of this bound can be better than the best found by
        more than the gap (HiGHS's stopping rule); a node dropped so still bounds the
        optimum from below."""
        if self.best_x is None or bound < self.best - max(self.rel_gap * abs(self.best), ABS_GAP):
            return False
        self.dropped = min(self.dropped, bound)
        return True

    def _branching(self, node: _Node) -> int | None:
        """The candidate to branch on: a fractional "used" first, else the most fractional
        started-by (module doc); None where every one is 0 or 1."""
        value = node.x[self.cols]
        distance = np.minimum(value, 1.0 - value)
        fractional = distance > INTEGRAL
        if not fractional.any():
            return None
        among = np.flatnonzero(fractional & self.used)
        if among.size == 0:
            among = np.flatnonzero(fractional)
        return int(among[np.argmax(distance[among])])

    def _children(self, node: _Node, y: int):
        """Started by y's month or not: not started up to it (none of the option's
        candidates up to y), or started from it on (all of them from y)."""
        same = self.option_of == self.option_of[y]
        at = np.arange(self.option_of.size)
        upper = node.upper.copy()
        upper[same & (at <= y)] = 0.0
        lower = node.lower.copy()
        lower[same & (at >= y)] = 1.0
        children = [(node.lower, upper), (lower, node.upper)]
        return [(lo, up) for lo, up in children if np.all(lo <= up)]

    def _solution(self, out_of_time: bool) -> Solution:
        found = self.best_x is not None
        status = highspy.HighsModelStatus.kTimeLimit if out_of_time else OPTIMAL
        if not found and not out_of_time:  # every node infeasible past the root
            raise _GiveUp
        return Solution(
            x=self.best_x,
            optimal=not out_of_time,
            fun=float(self.best) if found else float("nan"),
            message=self.h.modelStatusToString(status),
            bound=float(min(self.dropped, self.best)),
        )
