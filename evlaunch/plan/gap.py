"""A statistical optimality gap of the stochastic plan from independent batches (Mak, Morton
& Wood 1999, "Monte Carlo bounding techniques for determining solution quality in
stochastic programs", Oper. Res. Letters 24:47-56), as mpi-sppy reports it.

The sample-average plan over n scenarios is optimistic on average: its optimal value
overstates the true problem's. Each of B batches of n fresh scenarios is planned again (its
own optimum, or HiGHS's bound on it, an upper bound on what any plan can earn on that
batch) and the candidate's first stage is evaluated on the same batch (production as
recourse, the chance constraint on the batch). The batch differences are independent
estimates of a quantity that is, in expectation, at least the candidate's true gap; their
mean with a t-based 95% interval is reported.
"""

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
from scipy import stats

from ..risk.sampling import Sampler
from ..scenario.schema import Scenario
from .inputs import PlanInputs, plan_inputs
from .milp import MONEY, Settings
from .solve import Deadline, solve_inputs, solve_once

BATCH_SEED = 1_000  # batches draw from seed + 1,000 + b: none shares the plan's draws


@dataclass(frozen=True)
class Gap:
    batches: int  # B
    scenarios: int  # n in each
    differences_cny: list[float]  # per batch: its plans' best bound less the candidate's value
    infeasible: int  # batches on which the candidate cannot meet the chance constraint
    mean_cny: float
    ci95_cny: tuple[float, float]

    def to_dict(self) -> dict:
        return {
            "method": "Mak, Morton & Wood (1999): independent batches, t interval",
            "batches": self.batches,
            "scenarios_per_batch": self.scenarios,
            "gap_cny_mean": self.mean_cny,
            "gap_cny_ci95": list(self.ci95_cny),
            "batch_gaps_cny": self.differences_cny,
            "batches_where_the_plan_misses_the_chance_constraint": self.infeasible,
        }


def t_interval(differences: np.ndarray, confidence: float = 0.95) -> tuple[float, float, float]:
    """Mean of ``differences`` and its two-sided t interval (B - 1 degrees of freedom)."""
    g = np.asarray(differences, float)
    mean = float(g.mean())
    if g.size < 2:
        return mean, float("nan"), float("nan")
    half = float(stats.t.ppf(0.5 + confidence / 2, g.size - 1) * g.std(ddof=1) / np.sqrt(g.size))
    return mean, mean - half, mean + half


def batch_draws(scenario: Scenario, options: list[str], scenarios: int, seed: int):
    """Batch b's ``scenarios`` draws as the MILP's data, from seed + BATCH_SEED + b."""

    def draw(b: int) -> PlanInputs:
        params = Sampler(scenario, seed + BATCH_SEED + b, "lhs").params(0, scenarios)
        return plan_inputs(scenario, params, options)

    return draw


def batch_gap(
    draw: Callable[[int], PlanInputs],
    settings: Settings,
    first_stage: np.ndarray,
    batches: int,
    deadline: Deadline,
) -> Gap | None:
    """The gap of ``first_stage`` (Y,) 0/1 starts, from ``batches`` batches ``draw(b)``;
    None if the time ran out before two batches were done."""
    differences, infeasible, scenarios = [], 0, 0
    for b in range(batches):
        data = draw(b)
        scenarios = data.scenarios
        best = solve_inputs(data, settings, deadline)
        if best.x is None or best.out_of_time:
            if best.out_of_time or deadline.left() <= 0:
                break
            continue  # no plan meets the chance constraint on this batch: nothing to compare
        # the candidate at the cost the batch's own plan was charged: only starts differ
        mine = solve_once(
            data, best.unit_cost_cny, replace(settings, fixed_starts=first_stage), deadline, best
        )
        if mine.x is None:
            if deadline.left() <= 0:
                break
            infeasible += 1
            continue
        differences.append((mine.fun - best.solution.bound) * MONEY)
    if len(differences) < 2:
        return None
    mean, lo, hi = t_interval(np.array(differences))
    return Gap(len(differences), scenarios, differences, infeasible, mean, (lo, hi))
