"""Demand: generalised Bass diffusion of orders, per model of the roadmap, on each model's
addressable market; a later model may take buyers the earlier ones would still have won."""

import numpy as np
from numba import njit

from ..scenario.months import months_between
from ..scenario.schema import Scenario
from .compiled import ufunc_and_inline


def _bass_new_orders(p_per_month, q_per_month, market_vehicles, adopted, multiplier):
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


bass_new_orders, bass_new_orders_inline = ufunc_and_inline(_bass_new_orders)


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


@njit(inline="always", error_model="numpy")
def take_from_earlier(state, lane, market, adopted, stride, model, models, taken):
    """Shrink the remaining markets (m - N) of the models before ``model`` by ``taken``
    buyers in all, in proportion to what remains of each. Cannibalisation: those buyers
    bought the later model instead.

    One lane (path) of a block's flat ``state``: model ``k``'s market at ``market + k *
    stride + lane`` (changed in place), its adopted orders at ``adopted + k * stride +
    lane``; ``models``: how many of the roadmap's first models to look at, at least
    ``model`` (each loop runs that many times, a number the compiler knows). With no buyers
    ``taken`` (or none left) the markets are unchanged, to the bit.
    """
    left = 0.0
    for k in range(models):
        remaining = max(state[market + k * stride + lane] - state[adopted + k * stride + lane], 0.0)
        left += remaining if k < model else 0.0
    # a select, not a branch: numpy's error model lets the division run where unused
    share = min(taken / left, 1.0) if left > 0.0 else 0.0
    for k in range(models):
        at = market + k * stride + lane
        remaining = max(state[at] - state[adopted + k * stride + lane], 0.0)
        state[at] -= share * remaining if k < model else 0.0


def roadmap_orders(p_per_month, q_per_month, market_vehicles, multiplier, cannibalisation):
    """(paths, models, months) new orders of every model [vehicles/month], with the later
    models' cannibalisation (``take_from_earlier``), vectorised over paths.

    Parameters
    ----------
    p_per_month, q_per_month, market_vehicles, cannibalisation : (paths, models) arrays
    multiplier : (paths, models, months) array: price factor x season x open, per model.
    """
    multiplier = np.asarray(multiplier, dtype=float)
    paths, models, months = multiplier.shape
    market = np.array(market_vehicles, dtype=float)
    adopted = np.zeros((paths, models))
    orders = np.empty_like(multiplier)
    for t in range(months):
        for k in range(models):
            new = bass_new_orders(
                p_per_month[:, k],
                q_per_month[:, k],
                market[:, k],
                adopted[:, k],
                multiplier[:, k, t],
            )
            orders[:, k, t] = new
            adopted[:, k] += new
            if k:
                remaining = np.maximum(market[:, :k] - adopted[:, :k], 0.0)
                left = remaining.sum(axis=1)
                share = np.minimum(
                    np.divide(
                        cannibalisation[:, k] * new, left, out=np.zeros(paths), where=left > 0
                    ),
                    1.0,
                )
                market[:, :k] -= share[:, None] * remaining
    return orders


def model_names(scenario: Scenario) -> list[str]:
    """The roadmap's models in launch order: the first car, then ``scenario.models``."""
    return [scenario.market.model_name, *(m.name for m in scenario.models)]


def roadmap(scenario: Scenario, params: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """(models, paths) demand inputs of every model: Bass p and q per month, market,
    price, price factor, cannibalisation, and the grid month its orders open."""
    paths = next(iter(params.values())).shape[0]
    elasticity = np.asarray(params["market.price_elasticity"], dtype=float)

    def per_model(field, first):
        """A later model's value, or the first car's where the model has none."""
        rows = [np.broadcast_to(np.asarray(first, dtype=float), (paths,))]
        rows += [
            np.broadcast_to(
                np.asarray(params.get(f"models.{m.name}.{field}", first), float), (paths,)
            )
            for m in scenario.models
        ]
        return np.stack(rows)

    price = per_model("price_cny", params["market.price_cny"])
    references = [scenario.market.reference_price_cny] + [
        m.reference_price_cny for m in scenario.models
    ]
    planned = [months_between(scenario.start, scenario.market.launch)] + [
        months_between(scenario.start, m.launch) for m in scenario.models
    ]
    return {
        "p_per_month": per_model("bass_p_per_year", params["market.bass_p_per_year"]) / 12.0,
        "q_per_month": per_model("bass_q_per_year", params["market.bass_q_per_year"]) / 12.0,
        "market_vehicles": per_model(
            "addressable_market_vehicles", params["market.addressable_market_vehicles"]
        ),
        "price_cny": price,
        "price_factor": price_factor(price, np.array(references)[:, None], elasticity[None, :]),
        "cannibalisation": per_model("cannibalisation", 0.0),
        "unit_cost_cny": per_model("unit_cost_cny", params["finance.unit_cost_cny"]),
        "launch_month": np.array(planned, dtype=float)[:, None]
        + per_model("launch_slip_months", 0.0),
    }


def season_by_month(scenario: Scenario) -> np.ndarray:
    """(months,) the seasonal demand factor of each grid month."""
    first_calendar_month = int(scenario.start.split("-")[1]) - 1
    calendar = (first_calendar_month + np.arange(scenario.horizon_months)) % 12
    return np.asarray(scenario.market.seasonality, dtype=float)[calendar]
