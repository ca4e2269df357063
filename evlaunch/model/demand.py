"""Demand: generalised Bass diffusion of orders on the brand's addressable market."""

import numpy as np


def demand_multiplier(
    price_cny: np.ndarray,
    reference_price_cny: np.ndarray,
    price_elasticity: np.ndarray,
    seasonality: np.ndarray,
    calendar_month: np.ndarray,
    open_for_orders: np.ndarray,
) -> np.ndarray:
    """The generalised-Bass multiplier x(t) on the diffusion hazard.

    Parameters
    ----------
    price_cny, reference_price_cny, price_elasticity : (paths,) arrays
        Our price and the price at which p, q, m hold [CNY]; elasticity [-].
    seasonality : (12,) array
        Demand multipliers for January..December [-], mean 1.
    calendar_month : (months,) int array
        Calendar month (0 = January) of each grid month.
    open_for_orders : (months,) bool array
        True from the month orders open.

    Returns
    -------
    (paths, months) array: (price / reference)^elasticity x season x open [-].

    References
    ----------
    Bass, Krishnan & Jain (1994), Why the Bass model fits without decision variables,
    Marketing Science 13(3):203-223.
    """
    price_factor = (np.asarray(price_cny) / reference_price_cny) ** price_elasticity
    season = np.asarray(seasonality)[calendar_month] * open_for_orders
    return np.asarray(price_factor, dtype=float)[:, None] * season[None, :]


def bass_orders(
    p_per_month: np.ndarray,
    q_per_month: np.ndarray,
    market_vehicles: np.ndarray,
    multiplier: np.ndarray,
) -> np.ndarray:
    """New orders per month by discrete generalised Bass diffusion.

    orders(t) = (p + q N(t-1)/m) (m - N(t-1)) x(t), never more than the m - N(t-1) left.

    Parameters
    ----------
    p_per_month, q_per_month : (paths,) arrays
        Coefficients of innovation and imitation [1/month].
    market_vehicles : (paths,) array
        Market potential m [vehicles].
    multiplier : (paths, months) array
        x(t) from ``demand_multiplier`` [-].

    Returns
    -------
    (paths, months) array of new orders [vehicles/month].
    """
    multiplier = np.asarray(multiplier, dtype=float)
    orders = np.empty_like(multiplier)
    adopted = np.zeros(multiplier.shape[0])
    for t in range(multiplier.shape[1]):
        left = market_vehicles - adopted
        new = np.minimum(
            (p_per_month + q_per_month * adopted / market_vehicles) * left * multiplier[:, t], left
        )
        orders[:, t] = new
        adopted = adopted + new
    return orders
