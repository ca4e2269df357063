"""What the planning MILP needs, computed from the scenario by the model's own stages."""

from dataclasses import dataclass

import numpy as np

from ..model.demand import roadmap, roadmap_orders, season_by_month
from ..model.finance import (
    cumulative_cost_cny,
    discount_factors,
    share_of_month_in,
    spread_evenly,
)
from ..model.ramp import capacity_per_month
from ..scenario.inputs import MARKET_INPUTS, Params, company_cost_per_month
from ..scenario.months import months_between
from ..scenario.schema import Scenario


@dataclass(frozen=True)
class PlanInputs:
    """Per scenario k (one for the deterministic plan) and per candidate start y."""

    months: int
    options: list[str]
    option_of: np.ndarray  # (Y,) option index of each candidate start
    start_of: np.ndarray  # (Y,) grid month of each candidate start
    recourse: np.ndarray  # (Y,) bool: decided per scenario (an option under an expansion rule)
    requires: list[tuple[int, int]]  # (option, option it requires)
    orders: np.ndarray  # (K, T) [vehicles/month]
    cancel_rate: np.ndarray  # (K,)
    price_cny: np.ndarray  # (K,) or (K, T): with a roadmap, the month's order-weighted price
    capacity: np.ndarray  # (K, Y, T) nameplate, if started at y [vehicles/month]
    above: np.ndarray  # (K, Y, T) more with a shift, from shift_months after SOP [vehicles/month]
    above_cost_cny: np.ndarray  # (K, J) extra cost of a vehicle above nameplate [CNY/vehicle]
    committed: np.ndarray  # (K, Y, T) take-or-pay volume if started at y [vehicles/month]
    spend_cny: np.ndarray  # (K, Y, T) capex and plant fixed cost if started at y [CNY/month]
    fee_cny: np.ndarray  # (K, J) [CNY/vehicle]
    company_cny: np.ndarray  # (K,) company fixed cost [CNY/month]
    discount: np.ndarray  # (K, T) factor for cash at the end of month t
    window: np.ndarray  # (T,) months counted for the target
    target: float
    unit_cost_cny: np.ndarray  # (K,) at the learning reference volume
    learning_rate: np.ndarray  # (K,)
    reference_units: float

    @property
    def price_by_month(self) -> np.ndarray:
        """(K, T) price of a vehicle delivered in month t [CNY]."""
        price = np.asarray(self.price_cny, dtype=float)
        return np.broadcast_to(price if price.ndim == 2 else price[:, None], self.orders.shape)

    @property
    def scenarios(self) -> int:
        return self.orders.shape[0]

    def average_unit_cost(self, built: np.ndarray) -> np.ndarray:
        """(K,) average variable cost per vehicle of ``built`` vehicles on the learning
        curve (the unit cost at the reference volume where nothing is built)."""
        built = np.maximum(np.asarray(built, dtype=float), 1.0)
        total = cumulative_cost_cny(
            built, self.unit_cost_cny, self.learning_rate, self.reference_units
        )
        return total / built


def _orders_and_price(scenario: Scenario, params: Params) -> tuple[np.ndarray, np.ndarray]:
    """(K, T) orders of every model together, and the price they pay on average: the MILP
    ships vehicles, not models, each month's at its orders' average price."""
    grid = np.arange(scenario.horizon_months)
    demand = roadmap(scenario, params)
    opened = grid[None, None, :] >= demand["launch_month"][:, :, None]
    by_model = roadmap_orders(
        demand["p_per_month"].T,
        demand["q_per_month"].T,
        demand["market_vehicles"].T,
        (demand["price_factor"][:, :, None] * season_by_month(scenario) * opened).transpose(
            1, 0, 2
        ),
        demand["cannibalisation"].T,
    )
    orders = by_model.sum(axis=1)
    weighted = (by_model * demand["price_cny"].T[:, :, None]).sum(axis=1)
    first_price = np.asarray(params["market.price_cny"], dtype=float)
    price = np.divide(
        weighted,
        orders,
        out=np.broadcast_to(first_price[:, None], orders.shape).copy(),
        where=orders > 0,
    )
    return orders, price


def _candidate_starts(scenario: Scenario, options: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(Y,) each candidate start's grid month and (Y,) its option: an option may start in
    any month from its own start to start_flexibility_months later."""
    months = scenario.horizon_months
    flexibility = scenario.planning.start_flexibility_months
    earliest = [months_between(scenario.start, scenario.option(n).start) for n in options]
    start_of = np.concatenate([np.arange(e, min(e + flexibility + 1, months)) for e in earliest])
    option_of = np.concatenate(
        [np.full(min(e + flexibility + 1, months) - e, j) for j, e in enumerate(earliest)]
    )
    return start_of, option_of


def _recourse(scenario, options, start_of, option_of) -> np.ndarray:
    """(Y,) candidate starts decided per scenario: with several scenarios an option under an
    expansion rule is decided later, from its rule's first month on (two-stage); the rest
    is committed now, shared by all."""
    ruled = {
        j: months_between(scenario.start, rule.not_before) if rule.not_before else 0
        for j, rule in enumerate(scenario.expansion(n) for n in options)
        if rule is not None
    }
    return np.array(
        [j in ruled and start_of[y] >= ruled[j] for y, j in enumerate(option_of)], dtype=bool
    )


def plan_inputs(scenario: Scenario, params: Params, options: list[str]) -> PlanInputs:
    """Build the MILP's data for ``options`` from ``params`` (one row per scenario)."""
    months = scenario.horizon_months
    grid = np.arange(months)
    k = next(iter(params.values())).shape[0]
    mk = {f: np.asarray(params[f"market.{f}"], dtype=float) for f in MARKET_INPUTS}
    orders, price = _orders_and_price(scenario, params)
    start_of, option_of = _candidate_starts(scenario, options)

    def by_option(f):  # (K, J) values of an option field
        return np.stack([np.asarray(params[f"options.{n}.{f}"], float) for n in options], axis=1)

    def field(f):  # (K, Y) values of an option field for each candidate start
        return np.stack(
            [np.asarray(params[f"options.{options[j]}.{f}"], float) for j in option_of], axis=1
        )

    lead, ramp = field("lead_time_months"), field("ramp_months")
    full = field("capacity_per_year") * field("share_available")
    sop = start_of[None, :] + lead
    shape = (k, start_of.size, months)
    flat = (-1,)
    capacity = capacity_per_month(
        full.reshape(flat), 1.0, sop.reshape(flat), ramp.reshape(flat), months
    ).reshape(shape)
    # a shift can run from shift_months after SOP: (max utilisation - 1) x the ramped nameplate
    above = (field("max_utilisation") - 1.0).reshape(flat)[:, None] * capacity_per_month(
        full.reshape(flat),
        1.0,
        (sop + field("shift_months")).reshape(flat),
        ramp.reshape(flat),
        months,
    )
    above = above.reshape(shape)
    ramped = capacity / np.maximum(full / 12.0, 1e-300)[..., None]  # ramp fraction
    minimum = np.array([scenario.option(options[j]).min_volume_per_year for j in option_of])
    committed = minimum[None, :, None] / 12.0 * ramped
    # As in the simulator: capex evenly from the start to SOP, plant fixed cost from SOP.
    starts = np.broadcast_to(start_of[None, :], sop.shape).astype(float).reshape(flat)
    spend = spread_evenly(
        field("capex_cny").reshape(flat), starts, np.maximum(lead, 1.0).reshape(flat), months
    )
    spend += (field("fixed_cost_per_year_cny").reshape(flat) / 12.0)[:, None] * share_of_month_in(
        sop.reshape(flat), np.full(sop.size, np.inf), months
    )
    spend = spend.reshape(shape)
    recourse = _recourse(scenario, options, start_of, option_of) if k > 1 else option_of < 0
    names = {n: j for j, n in enumerate(options)}
    requires = [
        (names[o.name], names[o.requires])
        for o in scenario.options
        if o.name in names and o.requires in names
    ]
    launch = months_between(scenario.start, scenario.market.launch)
    window = (grid >= launch) & (grid < launch + scenario.target.window_months)
    return PlanInputs(
        months=months,
        options=list(options),
        option_of=option_of,
        start_of=start_of,
        recourse=recourse,
        requires=requires,
        orders=orders,
        cancel_rate=mk["backlog_cancel_rate_per_month"],
        price_cny=price if scenario.models else mk["price_cny"],
        capacity=capacity,
        above=above,
        above_cost_cny=by_option("above_nameplate_cost_per_vehicle_cny"),
        committed=committed,
        spend_cny=spend,
        fee_cny=by_option("fee_per_vehicle_cny"),
        company_cny=company_cost_per_month(scenario, params),
        discount=discount_factors(params["finance.discount_rate_per_year"], months),
        window=window,
        target=float(scenario.target.deliveries),
        unit_cost_cny=np.asarray(params["finance.unit_cost_cny"], float),
        learning_rate=np.asarray(params["finance.learning_rate"], float),
        reference_units=float(scenario.finance.learning_reference_units),
    )
