"""The one simulator: a scenario's stages wired over ``(paths, months)``.

The deterministic run is this simulation with one path at the central values; the Monte
Carlo is the same call with many sampled paths. The stages are fused into one compiled loop
per path (numba), which calls each stage's own formula (``bass_new_orders``,
``ramp_fraction``, ``fulfil_month``, ``cumulative_cost_at``, ``month_overlap``): nothing
of the model is written twice, and no (paths, months) temporary is made per stage.
"""

from dataclasses import dataclass

import numpy as np
from numba import njit, prange

from ..risk.distributions import central
from ..scenario.months import months_between
from ..scenario.schema import Scenario
from .demand import bass_new_orders, price_factor, season_and_open
from .finance import cumulative_cost_at, learning_exponent, month_overlap, monthly_discount
from .fulfil import fulfil_month
from .ramp import ramp_fraction

MARKET_INPUTS = (
    "addressable_market_vehicles",
    "bass_p_per_year",
    "bass_q_per_year",
    "price_cny",
    "price_elasticity",
    "backlog_cancel_rate_per_month",
)
OPTION_INPUTS = (
    "capacity_per_year",
    "share_available",
    "lead_time_months",
    "ramp_months",
    "fee_per_vehicle_cny",
    "capex_cny",
    "fixed_cost_per_year_cny",
)
FINANCE_INPUTS = ("unit_cost_cny", "learning_rate", "discount_rate_per_year")
COMPANY_INPUTS = ("cost_per_head_per_year_cny", "other_fixed_cost_per_year_cny")

Params = dict[str, np.ndarray]  # input name -> (paths,) values


def input_names(scenario: Scenario) -> list[str]:
    """Names of the numeric inputs the simulator reads, e.g. 'options.FAW Group.ramp_months'."""
    return (
        [f"market.{f}" for f in MARKET_INPUTS]
        + [f"options.{o.name}.{f}" for o in scenario.options for f in OPTION_INPUTS]
        + [f"finance.{f}" for f in FINANCE_INPUTS]
        + [f"company.{f}" for f in COMPANY_INPUTS]
    )


def input_value(scenario: Scenario, name: str):
    """The number or distribution the scenario gives for input ``name``."""
    section, rest = name.split(".", 1)
    if section == "options":
        option, field = rest.rsplit(".", 1)
        return getattr(scenario.option(option), field)
    return getattr(getattr(scenario, section), rest)


def central_params(scenario: Scenario) -> Params:
    """The scenario's central values as a one-path ``Params``."""
    return {n: np.array([central(input_value(scenario, n))]) for n in input_names(scenario)}


def calendar_demand(scenario: Scenario) -> np.ndarray:
    """(months,) the calendar part of the demand multiplier: season, 0 before launch."""
    grid = np.arange(scenario.horizon_months)
    launch = months_between(scenario.start, scenario.market.launch)
    first_calendar_month = int(scenario.start.split("-")[1]) - 1
    return season_and_open(
        scenario.market.seasonality, (first_calendar_month + grid) % 12, grid >= launch
    )


def company_cost_per_month(scenario: Scenario, params: Params) -> np.ndarray:
    """(paths,) the company's fixed cost: headcount x cost per head, plus other fixed [CNY]."""
    per_year = scenario.company.headcount * np.asarray(
        params["company.cost_per_head_per_year_cny"]
    ) + np.asarray(params["company.other_fixed_cost_per_year_cny"])
    return np.asarray(per_year, dtype=float) / 12.0


@dataclass(frozen=True)
class Paths:
    """Simulated paths. ``deliveries``, ``npv_cny`` and ``peak_cash_need_cny`` cover every
    path; the other trajectories only the first ``kept`` paths (all by default)."""

    deliveries: np.ndarray  # (paths, months) [vehicles/month]
    npv_cny: np.ndarray  # (paths,)
    peak_cash_need_cny: np.ndarray  # (paths,)
    orders: np.ndarray  # (kept, months) [vehicles/month]
    capacity_by_option: np.ndarray  # (kept, options, months) [vehicles/month]
    backlog: np.ndarray  # (kept, months) waiting at the end of each month [vehicles]
    cancelled: np.ndarray  # (kept, months) [vehicles/month]
    cash_flow_cny: np.ndarray  # (kept, months) [CNY/month]

    @property
    def capacity(self) -> np.ndarray:
        return self.capacity_by_option.sum(axis=1)


def simulate(
    scenario: Scenario, params: Params, options: list[str], keep: int | None = None
) -> Paths:
    """Run demand, supply, fulfilment and finance for every path, using ``options`` only.

    ``keep`` limits the full trajectories recorded to the first ``keep`` paths (the Monte
    Carlo keeps none and measures deliveries); by default all are kept.
    """
    months = scenario.horizon_months
    paths = next(iter(params.values())).shape[0]
    keep = paths if keep is None else min(keep, paths)
    market = {f: np.asarray(params[f"market.{f}"], dtype=float) for f in MARKET_INPUTS}
    option = {
        f: np.stack([params[f"options.{n}.{f}"] for n in options]).astype(float)
        for f in OPTION_INPUTS
    }
    finance = {f: np.asarray(params[f"finance.{f}"], dtype=float) for f in FINANCE_INPUTS}

    season = calendar_demand(scenario)
    start = np.array(
        [months_between(scenario.start, scenario.option(n).start) for n in options], dtype=float
    )[:, None]
    sop = start + option["lead_time_months"]
    # Capex is spent evenly from the option's start to its SOP (over one month at least).
    capex_months = np.maximum(option["lead_time_months"], 1.0)
    company_per_month = company_cost_per_month(scenario, params)

    out = Paths(
        deliveries=np.empty((paths, months)),
        npv_cny=np.empty(paths),
        peak_cash_need_cny=np.empty(paths),
        orders=np.empty((keep, months)),
        capacity_by_option=np.empty((keep, len(options), months)),
        backlog=np.empty((keep, months)),
        cancelled=np.empty((keep, months)),
        cash_flow_cny=np.empty((keep, months)),
    )
    _simulate_paths(
        market["bass_p_per_year"] / 12.0,
        market["bass_q_per_year"] / 12.0,
        market["addressable_market_vehicles"],
        price_factor(
            market["price_cny"], scenario.market.reference_price_cny, market["price_elasticity"]
        ),
        season,
        market["price_cny"],
        market["backlog_cancel_rate_per_month"],
        option["capacity_per_year"] * option["share_available"] / 12.0,
        sop,
        option["ramp_months"],
        option["fee_per_vehicle_cny"],
        option["capex_cny"] / capex_months,
        np.broadcast_to(start, sop.shape).copy(),
        capex_months,
        option["fixed_cost_per_year_cny"] / 12.0,
        finance["unit_cost_cny"],
        learning_exponent(finance["learning_rate"]),
        float(scenario.finance.learning_reference_units),
        monthly_discount(finance["discount_rate_per_year"]),
        company_per_month,
        out.deliveries,
        out.npv_cny,
        out.peak_cash_need_cny,
        out.orders,
        out.capacity_by_option,
        out.backlog,
        out.cancelled,
        out.cash_flow_cny,
    )
    return out


@njit(parallel=True, cache=True, nogil=True)
def _simulate_paths(
    p_per_month,
    q_per_month,
    market_vehicles,
    price_factor,
    season,
    price_cny,
    cancel_rate,
    full_rate,
    sop,
    ramp_months,
    fee_cny,
    capex_per_month,
    capex_start,
    capex_months,
    fixed_per_month,
    unit_cost_cny,
    learning_b,
    reference_units,
    discount_per_month,
    company_per_month,
    deliveries_out,
    npv_out,
    peak_out,
    orders_out,
    capacity_out,
    backlog_out,
    cancelled_out,
    cash_out,
):
    paths, months = deliveries_out.shape
    options = full_rate.shape[0]
    keep = orders_out.shape[0]
    for i in prange(paths):
        adopted = waiting = built = cost_so_far = cash = lowest = npv = 0.0
        discount = 1.0
        for t in range(months):
            new = bass_new_orders(
                p_per_month[i],
                q_per_month[i],
                market_vehicles[i],
                adopted,
                price_factor[i] * season[t],
            )
            adopted += new
            capacity = fee_weighted = spend = 0.0
            for j in range(options):
                c = full_rate[j, i] * ramp_fraction(t + 0.5 - sop[j, i], ramp_months[j, i])
                capacity += c
                fee_weighted += fee_cny[j, i] * c
                spend += capex_per_month[j, i] * month_overlap(
                    t, capex_start[j, i], capex_months[j, i]
                )
                spend += fixed_per_month[j, i] * month_overlap(t, sop[j, i], np.inf)
                if i < keep:
                    capacity_out[i, j, t] = c
            delivered, lost, waiting = fulfil_month(waiting + new, capacity, cancel_rate[i])
            variable = 0.0
            if delivered > 0.0:  # skips the learning curve's power where nothing is built
                built += delivered
                cost_after = cumulative_cost_at(
                    built, unit_cost_cny[i], learning_b[i], reference_units
                )
                variable = cost_after - cost_so_far
                cost_so_far = cost_after
            # Deliveries are split between options in proportion to their capacity that month.
            fees = delivered * fee_weighted / capacity if capacity > 0.0 else 0.0
            flow = delivered * price_cny[i] - variable - fees - spend - company_per_month[i]
            cash += flow
            lowest = min(lowest, cash)
            discount *= discount_per_month[i]
            npv += flow * discount
            deliveries_out[i, t] = delivered
            if i < keep:
                orders_out[i, t] = new
                backlog_out[i, t] = waiting
                cancelled_out[i, t] = lost
                cash_out[i, t] = flow
        npv_out[i] = npv
        peak_out[i] = -lowest
