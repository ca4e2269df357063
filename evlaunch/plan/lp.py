"""A small vectorised builder for sparse (mixed-integer) linear programmes.

Variables and constraints are made a whole array at a time and coefficients are added as
broadcast index arrays, so building never loops over months, options or scenarios in Python
(the way linopy builds PyPSA's models).
"""

import contextlib
import os
import sys
from dataclasses import dataclass

import highspy
import numpy as np
from scipy import sparse

# The plans' MILPs close most of their gap by branching, not by heuristics: HiGHS's sub-MIP
# heuristics (RINS, RENS, root reduced cost) and restarts after reduced-cost fixing took
# most of the time of the bundled plan and found nothing branching did not. Without them a
# plan stops on the gap alone, so the gap is tight: 1e-6, where HiGHS's default 1e-4 let a
# run without heuristics stop at a plan 6e-5 worse.
MIP_REL_GAP = 1e-6
HIGHS_MIP_OPTIONS = {
    "mip_heuristic_run_rins": False,
    "mip_heuristic_run_rens": False,
    "mip_heuristic_run_root_reduced_cost": False,
    "mip_allow_restart": False,
}


class LinearProgram:
    def __init__(self):
        self._lb, self._ub, self._int, self._cost = [], [], [], []
        self._lo, self._hi = [], []
        self._r, self._c, self._v = [], [], []
        self.n = self.m = 0

    def variables(self, shape, lb=0.0, ub=np.inf, integer=False) -> np.ndarray:
        """Indices of a new block of variables with the given shape and bounds."""
        size = int(np.prod(shape))
        idx = np.arange(self.n, self.n + size).reshape(shape)
        self.n += size
        self._lb.append(np.broadcast_to(np.asarray(lb, float), shape).ravel())
        self._ub.append(np.broadcast_to(np.asarray(ub, float), shape).ravel())
        self._int.append(np.full(size, int(integer)))
        self._cost.append(np.zeros(size))
        return idx

    def constraints(self, shape, lo=-np.inf, hi=np.inf) -> np.ndarray:
        """Indices of a new block of rows lo <= a.x <= hi; fill a with ``add``."""
        size = int(np.prod(shape))
        idx = np.arange(self.m, self.m + size).reshape(shape)
        self.m += size
        self._lo.append(np.broadcast_to(np.asarray(lo, float), shape).ravel())
        self._hi.append(np.broadcast_to(np.asarray(hi, float), shape).ravel())
        return idx

    def add(self, rows, cols, values=1.0) -> None:
        """Add ``values`` at (rows, cols), all three broadcast together (duplicates sum)."""
        rows, cols, values = np.broadcast_arrays(rows, cols, np.asarray(values, float))
        keep = values != 0
        self._r.append(rows[keep])
        self._c.append(cols[keep])
        self._v.append(values[keep])

    def objective(self, cols, values) -> None:
        """Add ``values`` to the (minimised) objective coefficients of ``cols``."""
        cost = np.concatenate(self._cost) if len(self._cost) > 1 else self._cost[0]
        cols, values = np.broadcast_arrays(cols, np.asarray(values, float))
        np.add.at(cost, cols.ravel(), values.ravel())
        self._cost = [cost]

    def bounds(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(n,) lower and upper bounds of the variables, (m,) of the rows."""
        return tuple(np.concatenate(b) for b in (self._lb, self._ub, self._lo, self._hi))

    def costs(self) -> np.ndarray:
        """(n,) the objective's coefficients (minimised)."""
        return np.concatenate(self._cost)

    def matrix(self) -> sparse.csr_array:
        return sparse.coo_array(
            (np.concatenate(self._v), (np.concatenate(self._r), np.concatenate(self._c))),
            shape=(self.m, self.n),
        ).tocsr()

    def highs(self, integer: bool = True, options: dict | None = None) -> highspy.Highs:
        """A quiet HiGHS instance holding this programme, its integer variables continuous
        unless ``integer``; ``options`` (name -> value) set on it."""
        with _quiet_stdout():  # HiGHS prints a banner when created
            h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        for name, value in (options or {}).items():
            h.setOptionValue(name, value)
        inf = highspy.kHighsInf
        a = self.matrix().tocsc()
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = self.n, self.m
        lp.col_cost_ = np.concatenate(self._cost)
        lp.col_lower_ = np.clip(np.concatenate(self._lb), -inf, inf)
        lp.col_upper_ = np.clip(np.concatenate(self._ub), -inf, inf)
        lp.row_lower_ = np.clip(np.concatenate(self._lo), -inf, inf)
        lp.row_upper_ = np.clip(np.concatenate(self._hi), -inf, inf)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = (
            a.indptr,
            a.indices,
            a.data,
        )
        if integer and self.integer.any():
            lp.integrality_ = [
                highspy.HighsVarType.kInteger if i else highspy.HighsVarType.kContinuous
                for i in self.integer
            ]
        with _quiet_stdout():
            h.passModel(lp)
        return h

    @property
    def integer(self) -> np.ndarray:
        """(n,) bool: which variables are integer."""
        return np.concatenate(self._int).astype(bool)

    def solve(
        self,
        time_limit_s: float = 60.0,
        mip_rel_gap: float = MIP_REL_GAP,
        log: bool = False,
        options: dict | None = None,
    ) -> "Solution":
        """Solve with HiGHS (highspy); ``x`` is None when no solution was found. ``log``
        prints HiGHS's log (presolve, the branch and bound, where time went); ``options``
        replaces HIGHS_MIP_OPTIONS."""
        h = self.highs(
            options={
                "time_limit": float(time_limit_s),
                "mip_rel_gap": float(mip_rel_gap),
                **(HIGHS_MIP_OPTIONS if options is None else options),
            }
        )
        h.setOptionValue("output_flag", bool(log))
        with contextlib.nullcontext() if log else _quiet_stdout():
            h.run()
        status = h.getModelStatus()
        info = h.getInfo()
        found = info.primal_solution_status == 2  # feasible
        x = np.asarray(h.getSolution().col_value) if found else None
        optimal = status == highspy.HighsModelStatus.kOptimal
        fun = info.objective_function_value if found else float("nan")
        return Solution(
            x=x,
            optimal=optimal,
            fun=fun,
            message=h.modelStatusToString(status),
            bound=float(info.mip_dual_bound) if self.integer.any() else fun,
        )


@dataclass(frozen=True)
class Solution:
    x: np.ndarray | None
    optimal: bool  # False: stopped at the time limit with the best solution found
    fun: float  # objective value (minimised)
    message: str
    bound: float = float("nan")  # no objective value is below it (the MIP's dual bound)


@contextlib.contextmanager
def _quiet_stdout():
    """Some HiGHS builds print debugging lines from C++ straight to file descriptor 1,
    whatever its options say;
    they are not for our users, so it points at /dev/null while HiGHS runs."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 1)
            yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)
