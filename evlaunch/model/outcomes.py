"""What a path achieved in months of sales: first delivery, cumulative deliveries, target."""

from typing import NamedTuple

import numpy as np
from numba import njit, prange

# months of sales at which every result reports cumulative deliveries
CHECKPOINTS = (12, 24, 36)

FIRST_DELIVERY_VEHICLES = 1.0  # a month with at least one delivered vehicle starts sales


class SalesOutcomes(NamedTuple):
    first_delivery_month: np.ndarray  # (paths,) grid month of first delivery, -1 if none
    cumulative_at: dict[int, np.ndarray]  # months of sales -> (paths,) cumulative deliveries
    months_to_target: np.ndarray  # (paths,) months of sales to reach the target; nan if not
    hit: np.ndarray  # (paths,) bool: target reached within the window
    window_truncated: np.ndarray  # (paths,) bool: the window runs past the grid's end


@njit(parallel=True, cache=True)
def _measure(deliveries, target, checkpoints, first_out, cumulative_out, months_to_target_out):
    """Each path's first month of sales, its deliveries so far at each checkpoint (up to the
    grid's end where the checkpoint is past it), and the month of sales it reaches the
    target in (nan if never): one pass over its months from the first sale, summed in order."""
    paths, months = deliveries.shape
    for i in prange(paths):
        first = months
        for t in range(months):
            if not deliveries[i, t] < FIRST_DELIVERY_VEHICLES:  # a nan starts sales, too
                first = t
                break
        total, reached, k = 0.0, np.nan, 0
        while k < checkpoints.size and checkpoints[k] < 1:  # before the first month of sales
            cumulative_out[i, k] = 0.0
            k += 1
        for t in range(first, months):
            total += deliveries[i, t]
            if total >= target and np.isnan(reached):
                reached = t - first + 1
            if k < checkpoints.size and t - first + 1 == checkpoints[k]:
                cumulative_out[i, k] = total
                k += 1
        for rest in range(k, checkpoints.size):  # past the grid's end: all there is
            cumulative_out[i, rest] = total
        first_out[i] = first if first < months else -1
        months_to_target_out[i] = reached


def sales_outcomes(
    deliveries,
    target_vehicles: float,
    window_months: int,
    checkpoints: tuple[int, ...] = CHECKPOINTS,
) -> SalesOutcomes:
    """Measure each path from its own first delivery ("month 1 of sales").

    Parameters
    ----------
    deliveries : (paths, months) array [vehicles/month]
    target_vehicles : float
        Deliveries to reach [vehicles].
    window_months : int
        Months of sales in which to reach them.
    checkpoints : tuple of int
        Months of sales at which to report cumulative deliveries; a checkpoint past the
        grid's end gets the deliveries up to the end.
    """
    deliveries = np.ascontiguousarray(deliveries, dtype=float)
    paths, months = deliveries.shape
    marks = np.array(sorted({*checkpoints, window_months}), dtype=np.int64)
    first = np.empty(paths, dtype=np.int64)
    cumulative = np.empty((paths, marks.size))
    months_to_target = np.empty(paths)
    _measure(deliveries, float(target_vehicles), marks, first, cumulative, months_to_target)
    return SalesOutcomes(
        first_delivery_month=first,
        cumulative_at={int(k): cumulative[:, n] for n, k in enumerate(marks)},
        months_to_target=months_to_target,
        hit=months_to_target <= window_months,  # nan compares False
        window_truncated=(first < 0) | (first + window_months > months),
    )
