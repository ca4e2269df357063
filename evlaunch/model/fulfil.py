"""Fulfilment: deliveries, the waiting backlog and orders lost to cancellation."""

from typing import NamedTuple

import numpy as np
from numba import njit


@njit(cache=True, inline="always")
def fulfil_month(open_orders, capacity, cancel_rate_per_month):
    """One month: deliver min(open orders, capacity); a share of the rest cancels.

    Returns (delivered, cancelled, still waiting) [vehicles]; works on floats or arrays.
    """
    delivered = np.minimum(open_orders, capacity)
    unfilled = open_orders - delivered
    cancelled = cancel_rate_per_month * unfilled
    return delivered, cancelled, unfilled - cancelled


@njit(inline="always", error_model="numpy")
def serve_lines(state, lane, rows, builds, lines_, models, selling):
    """Split one month's output between models when not every line builds every model;
    returns the vehicles delivered in all.

    A line is the options that build the same set of models (``builds[g, k]`` is 1 when
    line ``g`` builds model ``k``); lines come most dedicated first, so a line that builds
    one model is used before a flexible one that could serve another. Each line delivers
    min(its capacity, the open orders of its models not yet served), split between those
    models in proportion to what they still wait for. With one line this is
    ``fulfil_month``'s min(open orders, capacity), shared in proportion to each model's
    open orders; with nested lines (a dedicated one and a flexible one) it is the largest
    output there is.

    One lane (path) of a block's flat ``state``; ``rows`` (open orders, served, line
    capacity, served by line, stride): where model ``k``'s open orders are (``open + k *
    stride + lane``), what is served of them (written), line ``g``'s capacity, and what
    line ``g`` serves of model ``k`` (``by_line + (g * models + k) * stride + lane``,
    written) [vehicles]. ``lines_`` and ``models``: ``builds``' shape, as numbers the
    compiler knows; the models after the first ``selling`` have no open orders (none yet
    on sale), and are served nothing without the arithmetic.
    """
    open_orders, served, capacity, by_line, stride = rows
    for k in range(models):
        state[served + k * stride + lane] = 0.0
    for g in range(lines_):
        wanted = 0.0
        for k in range(selling):
            waiting = state[open_orders + k * stride + lane] - state[served + k * stride + lane]
            wanted += waiting if builds[g, k] > 0.0 else 0.0
        taken = min(state[capacity + g * stride + lane], wanted)
        for k in range(selling):
            waiting = state[open_orders + k * stride + lane] - state[served + k * stride + lane]
            # a select, not a branch, so that the lanes run together
            got = taken * (waiting / wanted) if builds[g, k] > 0.0 and taken > 0.0 else 0.0
            state[by_line + (g * models + k) * stride + lane] = got
            state[served + k * stride + lane] += got
        for k in range(selling, models):
            state[by_line + (g * models + k) * stride + lane] = 0.0
    delivered = 0.0
    for k in range(selling):
        delivered += state[served + k * stride + lane]
    return delivered


def lines(builds_by_option: list[list[bool]]) -> tuple[np.ndarray, np.ndarray]:
    """Group options into lines: options building the same models, the most dedicated first.

    ``builds_by_option[j][k]`` is whether option ``j`` builds model ``k``. Returns
    (line of each option (options,), what each line builds (lines, models) as 0/1).
    """
    sets = sorted({tuple(b) for b in builds_by_option}, key=lambda b: (sum(b), b))
    line_of = np.array([sets.index(tuple(b)) for b in builds_by_option], dtype=np.int64)
    return line_of, np.array(sets, dtype=np.float64).reshape(len(sets), -1)


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
