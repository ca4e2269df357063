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


class SalesMeasure(NamedTuple):
    """What to measure each path's sales against: the target, its window, the checkpoints."""

    target_vehicles: float
    window_months: int
    checkpoints: tuple[int, ...] = CHECKPOINTS

    @property
    def marks(self) -> np.ndarray:
        """The months of sales at which cumulative deliveries are kept, the window's too."""
        return np.array(sorted({*self.checkpoints, self.window_months}), dtype=np.int64)

    @classmethod
    def of_target(cls, target) -> "SalesMeasure":
        """A scenario's ``target`` (deliveries in a window), at the usual checkpoints."""
        return cls(target.deliveries, target.window_months)


@njit(inline="always")
def measure_path(values, start, stride, months, target, checkpoints, cumulative_out, i):
    """Path ``i``'s sales from its months' deliveries ``values[start + t * stride]``: its
    deliveries so far at each checkpoint (months of sales; up to the grid's end where one is
    past it) into ``cumulative_out[i]``; returns its first month of sales (-1: none) and the
    month of sales it reaches ``target`` in (nan: never). One pass over its months from the
    first sale, summed in order."""
    first = months
    for t in range(months):
        if not values[start + t * stride] < FIRST_DELIVERY_VEHICLES:  # a nan starts sales
            first = t
            break
    total, reached, k = 0.0, np.nan, 0
    while k < checkpoints.size and checkpoints[k] < 1:  # before the first month of sales
        cumulative_out[i, k] = 0.0
        k += 1
    for t in range(first, months):
        total += values[start + t * stride]
        if total >= target and np.isnan(reached):
            reached = t - first + 1
        if k < checkpoints.size and t - first + 1 == checkpoints[k]:
            cumulative_out[i, k] = total
            k += 1
    for rest in range(k, checkpoints.size):  # past the grid's end: all there is
        cumulative_out[i, rest] = total
    return (first if first < months else -1), reached


@njit(parallel=True, cache=True)
def _measure(deliveries, target, checkpoints, first_out, cumulative_out, months_to_target_out):
    paths, months = deliveries.shape
    flat = deliveries.reshape(paths * months)
    for i in prange(paths):
        first_out[i], months_to_target_out[i] = measure_path(
            flat, i * months, 1, months, target, checkpoints, cumulative_out, i
        )


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
    measure = SalesMeasure(float(target_vehicles), window_months, checkpoints)
    first, cumulative, months_to_target = measured_arrays(paths, measure)
    _measure(
        deliveries, measure.target_vehicles, measure.marks, first, cumulative, months_to_target
    )
    return outcomes_of(measure, months, first, cumulative, months_to_target)


def measured_arrays(paths: int, measure: SalesMeasure):
    """Empty arrays for each path's first month of sales, its deliveries at the marks and
    its months to target, as ``measure_path`` fills them."""
    return np.empty(paths, dtype=np.int64), np.empty((paths, measure.marks.size)), np.empty(paths)


def outcomes_of(measure: SalesMeasure, months: int, first, cumulative, months_to_target):
    """The ``SalesOutcomes`` of paths measured by ``measure_path`` on a grid of ``months``."""
    window = measure.window_months
    return SalesOutcomes(
        first_delivery_month=first,
        cumulative_at={int(k): cumulative[:, n] for n, k in enumerate(measure.marks)},
        months_to_target=months_to_target,
        hit=months_to_target <= window,  # nan compares False
        window_truncated=(first < 0) | (first + window > months),
    )
