"""What the planning MILP needs, computed from the scenario by the model's own stages."""

from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple

import numpy as np

from ..model.demand import model_names, roadmap, roadmap_orders, season_by_month
from ..model.finance import (
    cumulative_cost_cny,
    discount_factors,
    share_of_month_in,
    spread_evenly,
)
from ..model.ramp import capacity_per_month
from ..scenario.inputs import Params, company_cost_per_month
from ..scenario.months import months_between
from ..scenario.schema import Scenario


@dataclass(frozen=True)
class PlanInputs:
    """Per scenario k (one for the deterministic plan), candidate start y, option j and
    model m of the roadmap (the first car, then the scenario's later models)."""

    months: int
    options: list[str]
    models: list[str]
    builds: np.ndarray  # (J, M) bool: option j can build model m
    option_of: np.ndarray  # (Y,) option index of each candidate start
    start_of: np.ndarray  # (Y,) grid month of each candidate start
    recourse: np.ndarray  # (Y,) bool: decided per scenario (an option under an expansion rule)
    requires: list[tuple[int, int]]  # (option, option it requires)
    orders: np.ndarray  # (K, M, T) new orders of each model [vehicles/month]
    cancel_rate: np.ndarray  # (K,)
    price_cny: np.ndarray  # (K, M) each model's price [CNY/vehicle]
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
    unit_cost_cny: np.ndarray  # (K, M) each model's at the learning reference volume
    learning_rate: np.ndarray  # (K,) the brand's: one curve over every model's output
    reference_units: float

    @property
    def scenarios(self) -> int:
        return self.orders.shape[0]

    @property
    def total_orders(self) -> np.ndarray:
        """(K, T) orders of every model together [vehicles/month]."""
        return self.orders.sum(axis=1)

    @cached_property
    def lines(self) -> "Lines":
        return production_lines(self.builds)

    def average_unit_cost(self, built: np.ndarray) -> np.ndarray:
        """(K, M) average variable cost per vehicle of each model when the brand builds
        ``built`` (K,) vehicles: one learning curve over the brand's output, each model's
        cost its own reference cost times it (as the simulator's cost ratio); the cost at
        the reference volume where nothing is built [CNY/vehicle]."""
        built = np.maximum(np.asarray(built, dtype=float), 1.0)
        first = self.unit_cost_cny[:, 0]
        total = cumulative_cost_cny(built, first, self.learning_rate, self.reference_units)
        # the ratio is exactly 1 for the first car, so one model costs what it always did
        return (total / built)[:, None] * (self.unit_cost_cny / first[:, None])


class Lines(NamedTuple):
    """Options that build the same models make a line, as in the simulator. An option of a
    line of one model makes that model; a line of several models has its own production of
    each (``made`` in the MILP), as much in all as its options make (j option, q a pair of
    a line of several models and one of its models)."""

    only: np.ndarray  # (J,) the one model option j builds; -1: it builds several
    line_of: np.ndarray  # (J,) option j's line among the lines of several models; -1: none
    pair_line: np.ndarray  # (Q,) line of pair q
    pair_model: np.ndarray  # (Q,) model of pair q
    count: int  # lines of several models

    def by_model(self, make: np.ndarray, made: np.ndarray, models: int) -> np.ndarray:
        """(K, M, T) production of each model from the MILP's ``make`` (K, J, T) and
        ``made`` (K, Q, T) [vehicles/month]."""
        one = self.only >= 0
        out = np.zeros((make.shape[0], models, make.shape[2]))
        np.add.at(out, (slice(None), self.only[one]), make[:, one])
        np.add.at(out, (slice(None), self.pair_model), made)
        return out

    def option_volumes(self, make: np.ndarray, made: np.ndarray, models: int) -> np.ndarray:
        """(J, M) vehicles of each model each option makes over the horizon, mean over
        scenarios: an option of a line of several models makes them in its line's mix of
        the month (the MILP decides the line's, not the option's)."""
        K, J, _ = make.shape
        one = self.only >= 0
        volume = np.zeros((J, models))
        volume[one, self.only[one]] = make[:, one].sum(axis=(0, 2)) / K
        line_total = np.zeros((K, self.count, make.shape[2]))
        np.add.at(line_total, (slice(None), self.pair_line), made)
        total = line_total[:, self.pair_line]
        mix = np.divide(made, total, out=np.zeros_like(made), where=total > 0)
        j, q = np.nonzero((self.line_of[:, None] == self.pair_line[None, :]) & ~one[:, None])
        volume[j, self.pair_model[q]] = np.einsum("kqt,kqt->q", mix[:, q], make[:, j]) / K
        return volume


def production_lines(builds: np.ndarray) -> Lines:
    """The lines of options by ``builds`` (J, M), options building the same models."""
    several = builds.sum(axis=1) > 1
    sets, line = np.unique(builds[several], axis=0, return_inverse=True)
    line_of = np.full(builds.shape[0], -1)
    line_of[several] = line.ravel()
    pair_line, pair_model = np.nonzero(sets)
    only = np.where(several, -1, builds.argmax(axis=1))
    return Lines(only, line_of, pair_line, pair_model, len(sets))


def _orders(scenario: Scenario, demand: dict[str, np.ndarray]) -> np.ndarray:
    """(K, M, T) each model's new orders, as the simulator's demand gives them (Bass on its
    own market from its own launch, later models taking part of the earlier ones')."""
    grid = np.arange(scenario.horizon_months)
    opened = grid[None, None, :] >= demand["launch_month"][:, :, None]
    return roadmap_orders(
        demand["p_per_month"].T,
        demand["q_per_month"].T,
        demand["market_vehicles"].T,
        (demand["price_factor"][:, :, None] * season_by_month(scenario) * opened).transpose(
            1, 0, 2
        ),
        demand["cannibalisation"].T,
    )


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


def _builds(scenario: Scenario, options: list[str]) -> np.ndarray:
    """(J, M) whether each option builds each model (by default, every one)."""
    models = model_names(scenario)
    return np.array(
        [[m in (scenario.option(n).builds or models) for m in models] for n in options], bool
    ).reshape(len(options), len(models))


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
    demand = roadmap(scenario, params)
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
        models=model_names(scenario),
        builds=_builds(scenario, options),
        option_of=option_of,
        start_of=start_of,
        recourse=recourse,
        requires=requires,
        orders=_orders(scenario, demand),
        cancel_rate=np.asarray(params["market.backlog_cancel_rate_per_month"], float),
        price_cny=demand["price_cny"].T,
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
        unit_cost_cny=demand["unit_cost_cny"].T,
        learning_rate=np.asarray(params["finance.learning_rate"], float),
        reference_units=float(scenario.finance.learning_reference_units),
    )
