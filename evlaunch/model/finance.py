"""Finance: revenue, unit cost on Wright's learning curve, fees, capex, fixed cost, cash, NPV."""

import numpy as np


def unit_cost_cny(
    cumulative_units: np.ndarray,
    unit_cost_cny: float,
    learning_rate: float,
    reference_units: float,
) -> np.ndarray:
    """Cost of the next vehicle after ``cumulative_units`` (Wright's law).

    c(n) = c_ref (max(n, n_ref) / n_ref)^b with b = log2(learning rate): flat up to the
    reference volume, then each doubling of cumulative output multiplies the cost by the
    learning rate.

    References
    ----------
    Wright, T. P. (1936), Factors affecting the cost of airplanes, Journal of the
    Aeronautical Sciences 3(4):122-128.
    """
    b = np.log2(learning_rate)
    return unit_cost_cny * (np.maximum(cumulative_units, reference_units) / reference_units) ** b


def cumulative_cost_cny(
    cumulative_units: np.ndarray,
    unit_cost_cny: float,
    learning_rate: float,
    reference_units: float,
) -> np.ndarray:
    """Total variable cost of the first ``cumulative_units`` vehicles: the integral of
    ``unit_cost_cny`` over units, exact, so monthly cost is a difference of two calls.
    Needs learning_rate > 0.5 (b > -1)."""
    n = np.asarray(cumulative_units, dtype=float)
    b = np.log2(learning_rate)
    ratio = np.maximum(n, reference_units) / reference_units
    beyond = reference_units * (ratio ** (b + 1.0) - 1.0) / (b + 1.0)
    return unit_cost_cny * np.minimum(n, reference_units) + unit_cost_cny * beyond


def share_of_month_in(start_month: np.ndarray, length_months: np.ndarray, months: int):
    """(paths, months) share of each grid month [t, t+1) inside [start, start + length)."""
    t = np.arange(months)[None, :]
    start = np.asarray(start_month, dtype=float)[:, None]
    end = start + np.asarray(length_months, dtype=float)[:, None]
    return np.clip(np.minimum(t + 1, end) - np.maximum(t, start), 0.0, 1.0)


def spread_evenly(total, start_month, length_months, months: int) -> np.ndarray:
    """(paths, months) ``total`` spent at an even rate over [start, start + length)."""
    rate = np.asarray(total, dtype=float) / np.asarray(length_months, dtype=float)
    return rate[:, None] * share_of_month_in(start_month, length_months, months)


def discount_factors(discount_rate_per_year: np.ndarray, months: int) -> np.ndarray:
    """(paths, months) factors for cash at the end of each month: (1 + r)^-((t + 1) / 12)."""
    years = (np.arange(months) + 1.0) / 12.0
    return (1.0 + np.asarray(discount_rate_per_year, dtype=float)[:, None]) ** -years[None, :]


def peak_cash_need_cny(cash_flow_cny: np.ndarray) -> np.ndarray:
    """(paths,) deepest point of cumulative cash below zero, as a positive amount [CNY]."""
    return np.maximum(-np.cumsum(cash_flow_cny, axis=1).min(axis=1), 0.0)


def npv_cny(cash_flow_cny: np.ndarray, discount_rate_per_year: np.ndarray) -> np.ndarray:
    """(paths,) net present value at the grid start of monthly cash flows [CNY]; no
    terminal value: what happens after the horizon is not counted."""
    months = cash_flow_cny.shape[1]
    return (cash_flow_cny * discount_factors(discount_rate_per_year, months)).sum(axis=1)
