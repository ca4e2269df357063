"""Fulfilment: deliveries, the waiting backlog and orders lost to cancellation."""

from typing import NamedTuple

import numpy as np
from numba import njit


@njit(cache=True)
def fulfil_month(open_orders, capacity, cancel_rate_per_month):
    """One month: deliver min(open orders, capacity); a share of the rest cancels.

    Returns (delivered, cancelled, still waiting) [vehicles]; works on floats or arrays.
    """
    delivered = np.minimum(open_orders, capacity)
    unfilled = open_orders - delivered
    cancelled = cancel_rate_per_month * unfilled
    return delivered, cancelled, unfilled - cancelled


class Fulfilment(NamedTuple):
    deliveries: np.ndarray  # (paths, months) [vehicles/month]
    backlog: np.ndarray  # (paths, months) orders waiting at the end of each month [vehicles]
    cancelled: np.ndarray  # (paths, months) orders lost from the backlog [vehicles/month]


def fulfil(orders, capacity, cancel_rate_per_month) -> Fulfilment:
    """Deliver what capacity allows; the rest waits, and part of what waits cancels.

    deliveries(t) = min(orders(t) + backlog(t-1), capacity(t));
    cancelled(t) = rate x (orders(t) + backlog(t-1) - deliveries(t));
    backlog(t) = the remainder.

    Parameters
    ----------
    orders, capacity : (paths, months) arrays [vehicles/month]
    cancel_rate_per_month : scalar or (paths,) array
        Share of the unfilled orders that cancels each month [-].
    """
    orders = np.asarray(orders, dtype=float)
    capacity = np.asarray(capacity, dtype=float)
    rate = np.broadcast_to(np.asarray(cancel_rate_per_month, dtype=float), orders.shape[:1])
    deliveries, backlog, cancelled = (np.empty_like(orders) for _ in range(3))
    waiting = np.zeros(orders.shape[0])
    for t in range(orders.shape[1]):
        deliveries[:, t], cancelled[:, t], waiting = fulfil_month(
            waiting + orders[:, t], capacity[:, t], rate
        )
        backlog[:, t] = waiting
    return Fulfilment(deliveries, backlog, cancelled)
