"""The one simulator: a scenario's stages wired over ``(paths, months)`` arrays.

The deterministic run is this simulation with one path at the central values; the Monte
Carlo is the same call with many sampled paths.
"""

from dataclasses import dataclass

import numpy as np

from ..risk.distributions import central
from ..scenario.months import months_between
from ..scenario.schema import Scenario
from .demand import bass_orders, demand_multiplier
from .finance import (
    cumulative_cost_cny,
    npv_cny,
    peak_cash_need_cny,
    share_of_month_in,
    spread_evenly,
)
from .fulfil import fulfil
from .ramp import capacity_per_month

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


def central_params(scenario: Scenario) -> Params:
    """The scenario's central values as a one-path ``Params``."""
    return {
        name: np.array([central(input_value(scenario, name))]) for name in input_names(scenario)
    }


def input_value(scenario: Scenario, name: str):
    """The number or distribution the scenario gives for input ``name``."""
    section, rest = name.split(".", 1)
    if section == "options":
        option, field = rest.rsplit(".", 1)
        return getattr(scenario.option(option), field)
    return getattr(getattr(scenario, section), rest)


@dataclass(frozen=True)
class Paths:
    """Monthly trajectories of every path; arrays are (paths, months) unless noted."""

    orders: np.ndarray
    capacity_by_option: np.ndarray  # (paths, options, months)
    deliveries: np.ndarray
    backlog: np.ndarray
    cancelled: np.ndarray
    cash_flow_cny: np.ndarray
    npv_cny: np.ndarray  # (paths,)
    peak_cash_need_cny: np.ndarray  # (paths,)

    @property
    def capacity(self) -> np.ndarray:
        return self.capacity_by_option.sum(axis=1)


def simulate(scenario: Scenario, params: Params, options: list[str]) -> Paths:
    """Run demand, supply, fulfilment and finance for every path, using ``options`` only."""
    months = scenario.horizon_months
    grid_month = np.arange(months)
    first_calendar_month = int(scenario.start.split("-")[1]) - 1
    launch = months_between(scenario.start, scenario.market.launch)
    mk = {f: params[f"market.{f}"] for f in MARKET_INPUTS}

    multiplier = demand_multiplier(
        mk["price_cny"],
        scenario.market.reference_price_cny,
        mk["price_elasticity"],
        np.asarray(scenario.market.seasonality),
        (first_calendar_month + grid_month) % 12,
        grid_month >= launch,
    )
    orders = bass_orders(
        mk["bass_p_per_year"] / 12.0,
        mk["bass_q_per_year"] / 12.0,
        mk["addressable_market_vehicles"],
        multiplier,
    )

    opt = {f: np.stack([params[f"options.{n}.{f}"] for n in options]) for f in OPTION_INPUTS}
    start = np.array([months_between(scenario.start, scenario.option(n).start) for n in options])
    sop = start[:, None] + opt["lead_time_months"]  # (options, paths)
    capacity = np.stack(
        [
            capacity_per_month(
                opt["capacity_per_year"][j],
                opt["share_available"][j],
                sop[j],
                opt["ramp_months"][j],
                months,
            )
            for j in range(len(options))
        ],
        axis=1,
    )
    total_capacity = capacity.sum(axis=1)
    flow = fulfil(orders, total_capacity, mk["backlog_cancel_rate_per_month"])

    cash = _cash_flow(
        scenario,
        params,
        opt,
        start,
        sop,
        capacity,
        total_capacity,
        flow.deliveries,
        mk["price_cny"],
    )
    rate = params["finance.discount_rate_per_year"]
    return Paths(
        orders,
        capacity,
        flow.deliveries,
        flow.backlog,
        flow.cancelled,
        cash,
        npv_cny(cash, rate),
        peak_cash_need_cny(cash),
    )


def _cash_flow(scenario, params, opt, start, sop, capacity, total_capacity, deliveries, price):
    months = deliveries.shape[1]
    fin = {f: params[f"finance.{f}"][:, None] for f in FINANCE_INPUTS}
    built = np.cumsum(deliveries, axis=1)
    learning = (
        fin["unit_cost_cny"],
        fin["learning_rate"],
        scenario.finance.learning_reference_units,
    )
    variable = np.diff(cumulative_cost_cny(built, *learning), axis=1, prepend=0.0)
    # Deliveries are split between options in proportion to their capacity that month.
    share = np.divide(
        capacity,
        total_capacity[:, None, :],
        out=np.zeros_like(capacity),
        where=total_capacity[:, None, :] > 0,
    )
    fees = deliveries * np.einsum("jp,pjt->pt", opt["fee_per_vehicle_cny"], share)
    # Capex is spent evenly from the option's start to its SOP (over one month at least).
    capex = sum(
        spread_evenly(
            opt["capex_cny"][j],
            np.full_like(sop[j], start[j]),
            np.maximum(opt["lead_time_months"][j], 1.0),
            months,
        )
        for j in range(len(start))
    )
    plant_fixed = sum(
        opt["fixed_cost_per_year_cny"][j][:, None]
        / 12.0
        * share_of_month_in(sop[j], np.full_like(sop[j], np.inf), months)
        for j in range(len(start))
    )
    company = (
        scenario.company.headcount * params["company.cost_per_head_per_year_cny"]
        + params["company.other_fixed_cost_per_year_cny"]
    )[:, None] / 12.0
    return deliveries * price[:, None] - variable - fees - capex - plant_fixed - company
