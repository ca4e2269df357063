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
    paths, months = deliveries.shape
    for i in prange(paths):
        first, total, reached = -1, 0.0, np.nan
        cumulative_out[i, :] = 0.0
        for t in range(months):
            if first < 0:
                if deliveries[i, t] < FIRST_DELIVERY_VEHICLES:
                    continue
                first = t
            total += deliveries[i, t]
            month_of_sales = t - first + 1
            for k in range(checkpoints.size):
                if month_of_sales <= checkpoints[k]:
                    cumulative_out[i, k] = total
            if np.isnan(reached) and total >= target:
                reached = month_of_sales
        first_out[i] = first
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
