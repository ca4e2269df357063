"""Finance: revenue, unit cost on Wright's learning curve, fees, capex, fixed cost, cash, NPV."""

import numpy as np

from .compiled import ufunc_and_inline
from .powers import power


def learning_exponent(learning_rate) -> np.ndarray:
    """Wright's exponent b = log2(learning rate): each doubling multiplies unit cost by 2^b."""
    return np.log2(learning_rate)


def unit_cost_cny(cumulative_units, unit_cost_cny, learning_rate, reference_units):
    """Cost of the next vehicle after ``cumulative_units`` (Wright's law) [CNY].

    c(n) = c_ref (max(n, n_ref) / n_ref)^b with b = log2(learning rate): flat up to the
    reference volume, then each doubling of cumulative output multiplies the cost by the
    learning rate.

    References
    ----------
    Wright, T. P. (1936), Factors affecting the cost of airplanes, Journal of the
    Aeronautical Sciences 3(4):122-128.
    """
    ratio = np.maximum(cumulative_units, reference_units) / reference_units
    return unit_cost_cny * ratio ** learning_exponent(learning_rate)


def _cumulative_cost_at(cumulative_units, unit_cost_cny, exponent, reference_units):
    """Variable cost of the first ``cumulative_units`` vehicles [CNY]: the exact integral of
    ``unit_cost_cny`` over units, with ``exponent`` = b (> -1), so a month's cost is a
    difference of two calls. The power is ``powers.power``, not libm's: the kernel's loop
    over lanes runs it in vector registers (within 1e-15 relative of libm's)."""
    below = min(cumulative_units, reference_units)
    ratio = max(cumulative_units, reference_units) / reference_units
    beyond = reference_units * (power(ratio, exponent + 1.0) - 1.0) / (exponent + 1.0)
    return unit_cost_cny * (below + beyond)


cumulative_cost_at, cumulative_cost_at_inline = ufunc_and_inline(_cumulative_cost_at)


def cumulative_cost_cny(cumulative_units, unit_cost_cny, learning_rate, reference_units):
    """``cumulative_cost_at`` with the learning rate (> 0.5) instead of its exponent [CNY]."""
    b = learning_exponent(learning_rate)
    return cumulative_cost_at(cumulative_units, unit_cost_cny, b, reference_units)


def _month_overlap(month, start_month, length_months):
    """Share of grid month [t, t+1) inside [start, start + length) [-]."""
    inside = min(month + 1.0, start_month + length_months) - max(month, start_month)
    return min(max(inside, 0.0), 1.0)


month_overlap, month_overlap_inline = ufunc_and_inline(_month_overlap)


def share_of_month_in(start_month, length_months, months: int) -> np.ndarray:
    """(paths, months) share of each grid month inside [start, start + length)."""
    t = np.arange(months, dtype=float)[None, :]
    start = np.asarray(start_month, dtype=float)[:, None]
    return month_overlap(t, start, np.asarray(length_months, dtype=float)[:, None])


def spread_evenly(total, start_month, length_months, months: int) -> np.ndarray:
    """(paths, months) ``total`` spent at an even rate over [start, start + length)."""
    rate = np.asarray(total, dtype=float) / np.asarray(length_months, dtype=float)
    return rate[:, None] * share_of_month_in(start_month, length_months, months)


def monthly_discount(discount_rate_per_year) -> np.ndarray:
    """Factor per month, (1 + r)^(-1/12): cash at the end of month t is worth its factor^(t+1)."""
    return (1.0 + np.asarray(discount_rate_per_year, dtype=float)) ** (-1.0 / 12.0)


def discount_factors(discount_rate_per_year, months: int) -> np.ndarray:
    """(paths, months) factors for cash at the end of each month: (1 + r)^-((t + 1) / 12)."""
    return monthly_discount(discount_rate_per_year)[:, None] ** (np.arange(months) + 1.0)


def peak_cash_need_cny(cash_flow_cny: np.ndarray) -> np.ndarray:
    """(paths,) deepest point of cumulative cash below zero, as a positive amount [CNY]."""
    return np.maximum(-np.cumsum(cash_flow_cny, axis=1).min(axis=1), 0.0)


def npv_cny(cash_flow_cny: np.ndarray, discount_rate_per_year) -> np.ndarray:
    """(paths,) net present value at the grid start of monthly cash flows [CNY]; no
    terminal value: what happens after the horizon is not counted."""
    months = cash_flow_cny.shape[1]
    return (cash_flow_cny * discount_factors(discount_rate_per_year, months)).sum(axis=1)
