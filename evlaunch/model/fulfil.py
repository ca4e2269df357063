"""Fulfilment: deliveries, the waiting backlog and orders lost to cancellation."""

from typing import NamedTuple

import numpy as np


class Fulfilment(NamedTuple):
    deliveries: np.ndarray  # (paths, months) [vehicles/month]
    backlog: np.ndarray  # (paths, months) orders waiting at the end of each month [vehicles]
    cancelled: np.ndarray  # (paths, months) orders lost from the backlog [vehicles/month]


def fulfil(orders: np.ndarray, capacity: np.ndarray, cancel_rate_per_month) -> Fulfilment:
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
    rate = np.asarray(cancel_rate_per_month, dtype=float)
    deliveries, backlog, cancelled = (np.empty_like(orders) for _ in range(3))
    waiting = np.zeros(orders.shape[0])
    for t in range(orders.shape[1]):
        open_orders = waiting + orders[:, t]
        delivered = np.minimum(open_orders, capacity[:, t])
        unfilled = open_orders - delivered
        lost = rate * unfilled
        waiting = unfilled - lost
        deliveries[:, t], backlog[:, t], cancelled[:, t] = delivered, waiting, lost
    return Fulfilment(deliveries, backlog, cancelled)
