"""Demand: generalised Bass diffusion of orders on the brand's addressable market."""

import numpy as np
from numba import vectorize


@vectorize(["float64(float64, float64, float64, float64, float64)"], cache=True)
def bass_new_orders(p_per_month, q_per_month, market_vehicles, adopted, multiplier):
    """One month of discrete generalised Bass diffusion [vehicles].

    orders = (p + q N/m) (m - N) x, never more than the m - N not yet adopted.

    Parameters
    ----------
    p_per_month, q_per_month : float
        Coefficients of innovation and imitation [1/month].
    market_vehicles : float
        Market potential m [vehicles].
    adopted : float
        Cumulative orders N before this month [vehicles].
    multiplier : float
        x(t), price and season factor [-]; 0 before orders open.

    References
    ----------
    Bass (1969), A new product growth model for consumer durables, Management Science
    15(5):215-227; Bass, Krishnan & Jain (1994), Why the Bass model fits without decision
    variables, Marketing Science 13(3):203-223.
    """
    left = market_vehicles - adopted
    if left <= 0.0:  # the market is exhausted (and inf x 0 would give nan)
        return 0.0
    return min((p_per_month + q_per_month * adopted / market_vehicles) * left * multiplier, left)


def price_factor(price_cny, reference_price_cny, price_elasticity) -> np.ndarray:
    """(price / reference)^elasticity: the price part of the Bass multiplier x(t) [-]."""
    return (np.asarray(price_cny, dtype=float) / reference_price_cny) ** price_elasticity


def season_and_open(seasonality, calendar_month, open_for_orders) -> np.ndarray:
    """(months,) the calendar part of x(t): the month's seasonal factor, 0 before launch."""
    return np.asarray(seasonality, dtype=float)[calendar_month] * open_for_orders


def demand_multiplier(
    price_cny, reference_price_cny, price_elasticity, seasonality, calendar_month, open_for_orders
) -> np.ndarray:
    """(paths, months) generalised-Bass multiplier x(t) = price factor x season x open.

    Parameters
    ----------
    price_cny, price_elasticity : (paths,) arrays
        Our price [CNY] and the price elasticity of demand [-].
    reference_price_cny : float
        Price at which p, q and m hold [CNY].
    seasonality : (12,) array
        Demand multipliers for January..December [-], mean 1.
    calendar_month : (months,) int array
        Calendar month (0 = January) of each grid month.
    open_for_orders : (months,) bool array
        True from the month orders open.
    """
    factor = price_factor(price_cny, reference_price_cny, price_elasticity)
    return factor[:, None] * season_and_open(seasonality, calendar_month, open_for_orders)


def bass_orders(p_per_month, q_per_month, market_vehicles, multiplier) -> np.ndarray:
    """(paths, months) new orders per month [vehicles/month]; see ``bass_new_orders``.

    Parameters
    ----------
    p_per_month, q_per_month, market_vehicles : (paths,) arrays
    multiplier : (paths, months) array from ``demand_multiplier``.
    """
    multiplier = np.asarray(multiplier, dtype=float)
    orders = np.empty_like(multiplier)
    adopted = np.zeros(multiplier.shape[0])
    for t in range(multiplier.shape[1]):
        orders[:, t] = bass_new_orders(
            p_per_month, q_per_month, market_vehicles, adopted, multiplier[:, t]
        )
        adopted = adopted + orders[:, t]
    return orders
