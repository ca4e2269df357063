"""What a path achieved in months of sales: first delivery, cumulative deliveries, target."""

from typing import NamedTuple

import numpy as np

FIRST_DELIVERY_VEHICLES = 1.0  # a month with at least one delivered vehicle starts sales


class SalesOutcomes(NamedTuple):
    first_delivery_month: np.ndarray  # (paths,) grid month of first delivery, -1 if none
    cumulative_at: dict[int, np.ndarray]  # months of sales -> (paths,) cumulative deliveries
    months_to_target: np.ndarray  # (paths,) months of sales to reach the target; nan if not
    hit: np.ndarray  # (paths,) bool: target reached within the window
    window_truncated: np.ndarray  # (paths,) bool: the window runs past the grid's end


def sales_outcomes(
    deliveries: np.ndarray,
    target_vehicles: float,
    window_months: int,
    checkpoints: tuple[int, ...] = (12, 24, 36),
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
        Months of sales at which to report cumulative deliveries.
    """
    paths, months = deliveries.shape
    started = deliveries >= FIRST_DELIVERY_VEHICLES
    any_sales = started.any(axis=1)
    first = np.where(any_sales, started.argmax(axis=1), months)
    cumulative = np.concatenate([np.zeros((paths, 1)), np.cumsum(deliveries, axis=1)], axis=1)
    before = np.take_along_axis(cumulative, first[:, None], axis=1)[:, 0]

    def after(k: int) -> np.ndarray:  # cumulative deliveries in the first k months of sales
        end = np.minimum(first + k, months)
        return np.take_along_axis(cumulative, end[:, None], axis=1)[:, 0] - before

    since_first = cumulative[:, 1:] - before[:, None]
    reached = (since_first >= target_vehicles) & (np.arange(months)[None, :] >= first[:, None])
    months_to_target = np.where(reached.any(axis=1), reached.argmax(axis=1) - first + 1.0, np.nan)
    hit = months_to_target <= window_months  # nan compares False
    return SalesOutcomes(
        first_delivery_month=np.where(any_sales, first, -1),
        cumulative_at={k: after(k) for k in sorted({*checkpoints, window_months})},
        months_to_target=months_to_target,
        hit=hit,
        window_truncated=first + window_months > months,
    )
