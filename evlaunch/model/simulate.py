"""The one simulator: a scenario's stages wired over ``(paths, months)``.

The deterministic run is this simulation with one path at the central values; the Monte
Carlo is the same call with many sampled paths. The stages are fused into one compiled loop
per path (numba), which calls each stage's own formula (``bass_new_orders``,
``ramp_fraction``, ``fulfil_month``, ``cumulative_cost_at``, ``month_overlap``,
``shift_running_from``, ``expansion_commit``): nothing of the model is written twice, and no
(paths, months) temporary is made per stage.

Demand is per model of the roadmap: the first car (``market``) and the scenario's later
``models``, each a Bass diffusion on its own market, opening at its own (slipping) launch,
a later one taking part of its orders from the earlier ones' remaining buyers. Capacity
serves the models' open orders in proportion, and each model's backlog cancels alike.

Each path takes its own decisions at the end of every month: an option that runs adds a
shift (up to ``max_utilisation`` times nameplate, ``shift_months`` later) when its backlog
calls for one, and an option under an expansion rule is committed when the rule fires on
that path's order book.
"""

from dataclasses import dataclass

import numpy as np
from numba import njit, prange

from ..scenario.inputs import (
    Params,
)
from ..scenario.schema import Scenario
from .arguments import kernel_inputs
from .decisions import backlog_exceeds, expansion_commit, lowest_threshold, shift_running_from
from .demand import (
    bass_new_orders,
    take_from_earlier,
)
from .finance import cumulative_cost_at, month_overlap
from .fulfil import fulfil_month, serve_lines
from .ramp import ramp_fraction


@dataclass(frozen=True)
class Paths:
    """Simulated paths. ``deliveries``, ``npv_cny`` and ``peak_cash_need_cny`` cover every
    path; the other trajectories only the first ``kept`` paths (all by default)."""

    deliveries: np.ndarray  # (paths, months) [vehicles/month]
    npv_cny: np.ndarray  # (paths,)
    peak_cash_need_cny: np.ndarray  # (paths,)
    orders: np.ndarray  # (kept, months) [vehicles/month]
    orders_by_model: np.ndarray  # (kept, models, months), models as ``model_names``
    deliveries_by_model: np.ndarray  # (kept, models, months) [vehicles/month]
    backlog_by_model: np.ndarray  # (kept, models, months) waiting at each month's end
    revenue_by_model_cny: np.ndarray  # (kept, models, months) [CNY/month]
    cost_by_model_cny: np.ndarray  # (kept, models, months) unit cost, fees, above nameplate
    capacity_by_option: np.ndarray  # (kept, options, months) [vehicles/month]
    backlog: np.ndarray  # (kept, months) waiting at the end of each month [vehicles]
    cancelled: np.ndarray  # (kept, months) [vehicles/month]
    cash_flow_cny: np.ndarray  # (kept, months) [CNY/month]
    shift_month: np.ndarray  # (paths, options) grid month a shift runs from; inf: never
    commit_month: np.ndarray  # (paths, options) grid month an option starts; inf: never

    @property
    def capacity(self) -> np.ndarray:
        return self.capacity_by_option.sum(axis=1)


def simulate(
    scenario: Scenario,
    params: Params,
    options: list[str],
    keep: int | None = None,
    earlier_months: np.ndarray | None = None,
    into: Paths | None = None,
    inputs: dict | None = None,
) -> Paths:
    """Run demand, supply, fulfilment and finance for every path, using ``options`` only.

    ``keep`` limits the full trajectories recorded to the first ``keep`` paths (the Monte
    Carlo keeps none and measures deliveries); by default all are kept. ``earlier_months``
    (options,) starts each option that many months (may be fractional) before its date.
    ``into``: an earlier call's result, at least as large, whose arrays are written over
    (the result is then views of them): a run in chunks would otherwise have the kernel
    fault in fresh pages for every chunk, 6% of a Monte Carlo's CPU time (perf, 1M paths).
    ``inputs``: ``kernel_inputs`` of these ``params``, made already (a run in chunks makes
    the next chunk's on a thread while the kernel runs this one: 26 ms a chunk on one core).
    """
    paths = next(iter(params.values())).shape[0]
    keep = paths if keep is None else min(keep, paths)
    if inputs is None:
        inputs = kernel_inputs(scenario, params, options, earlier_months)
    models, lines_ = inputs["price_cny"].shape[0], inputs["builds"].shape[0]
    out = _outputs(paths, keep, scenario.horizon_months, models, len(options), into)
    _simulate_paths(  # by keyword: the kernel takes many arrays of one shape
        **inputs,
        deliveries_out=out.deliveries,
        npv_out=out.npv_cny,
        peak_out=out.peak_cash_need_cny,
        orders_out=out.orders,
        capacity_out=out.capacity_by_option,
        backlog_out=out.backlog,
        cancelled_out=out.cancelled,
        cash_out=out.cash_flow_cny,
        shift_out=out.shift_month,
        commit_out=out.commit_month,
        streak_scratch=np.empty((paths, len(options))),
        orders_by_model_out=out.orders_by_model,
        deliveries_by_model_out=out.deliveries_by_model,
        backlog_by_model_out=out.backlog_by_model,
        revenue_by_model_out=out.revenue_by_model_cny,
        cost_by_model_out=out.cost_by_model_cny,
        model_scratch=np.empty((paths, 3, models)),
        line_scratch=np.empty((paths, lines_ + 3, max(models, lines_))),
    )
    return out


def _outputs(
    paths: int, keep: int, months: int, models: int, options: int, into: Paths | None = None
) -> Paths:
    if into is not None and _fits(into, paths, keep, months, models, options):
        return Paths(
            **{
                name: getattr(into, name)[: keep if name in KEPT else paths]
                for name in Paths.__dataclass_fields__
            }
        )
    return Paths(
        deliveries=np.empty((paths, months)),
        npv_cny=np.empty(paths),
        peak_cash_need_cny=np.empty(paths),
        orders=np.empty((keep, months)),
        orders_by_model=np.empty((keep, models, months)),
        deliveries_by_model=np.empty((keep, models, months)),
        backlog_by_model=np.empty((keep, models, months)),
        revenue_by_model_cny=np.empty((keep, models, months)),
        cost_by_model_cny=np.empty((keep, models, months)),
        capacity_by_option=np.empty((keep, options, months)),
        backlog=np.empty((keep, months)),
        cancelled=np.empty((keep, months)),
        cash_flow_cny=np.empty((keep, months)),
        shift_month=np.empty((paths, options)),
        commit_month=np.empty((paths, options)),
    )


# the trajectories only the first ``keep`` paths record
KEPT = frozenset(Paths.__dataclass_fields__) - {
    "deliveries",
    "npv_cny",
    "peak_cash_need_cny",
    "shift_month",
    "commit_month",
}


def _fits(into: Paths, paths: int, keep: int, months: int, models: int, options: int) -> bool:
    """Whether ``into``'s arrays can hold a run of this size (their first rows)."""
    return (
        into.deliveries.shape[0] >= paths
        and into.orders.shape[0] >= keep
        and into.deliveries.shape[1] == months
        and into.orders_by_model.shape[1] == models
        and into.shift_month.shape[1] == options
    )


@njit(parallel=True, cache=True, nogil=True)
def _simulate_paths(
    p_per_month,
    q_per_month,
    market_vehicles,  # this and the next five (models, paths)
    price_factor,
    launch_month,
    cannibalisation,
    season,  # (months,)
    price_cny,  # (models, paths)
    cost_ratio,  # (models, paths) unit cost over the first car's
    cancel_rate,
    full_rate,
    lead_months,
    ramp_months,
    fee_cny,
    capex_per_month,
    capex_start,
    capex_months,
    fixed_per_month,
    utilisation,  # (3, options, paths): max utilisation, shift months, cost above nameplate
    decisions,  # (4, options): shift backlog months; rule backlog months, months, not before
    line_of,  # (options,) the line each option belongs to
    builds,  # (lines, models) 1 where the line builds the model
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
    shift_out,
    commit_out,
    streak_scratch,
    orders_by_model_out,
    deliveries_by_model_out,
    backlog_by_model_out,
    revenue_by_model_out,
    cost_by_model_out,
    model_scratch,  # (paths, 3, models): market left, adopted, open orders
    line_scratch,  # (paths, lines + 3, ...): served by line and model; capacity, cost, served
):
    paths, months = deliveries_out.shape
    models = price_cny.shape[0]
    options = full_rate.shape[0]
    n_lines = builds.shape[0]
    pooled = n_lines == 1 and builds.min() > 0.0  # one line builds every model
    keep = orders_out.shape[0]
    for i in prange(paths):
        waiting = built = cost_so_far = cash = lowest = npv = 0.0
        market, adopted, open_orders = model_scratch[i, 0], model_scratch[i, 1], model_scratch[i, 2]
        by_line = line_scratch[i, :n_lines, :models]
        line_capacity = line_scratch[i, n_lines, :n_lines]
        line_cost = line_scratch[i, n_lines + 1, :n_lines]
        served = line_scratch[i, n_lines + 2, :models]
        for k in range(models):
            market[k] = market_vehicles[k, i]
            adopted[k] = open_orders[k] = 0.0
        discount = 1.0
        # this path's decisions are kept in its rows of the outputs as they are taken: an
        # option under an expansion rule starts (and so builds) only when its rule fires
        starts, shift_at, streak = commit_out[i], shift_out[i], streak_scratch[i]
        for j in range(options):
            starts[j] = capex_start[j, i]
            shift_at[j] = np.inf
            streak[j] = 0.0
        # infinite when no decision is left to take, so none is checked
        threshold = lowest_threshold(shift_at, starts, utilisation[0, :, i], decisions)
        streaking = False  # some rule's backlog streak is running
        for t in range(months):
            new = 0.0
            for k in range(models):
                if t < launch_month[k, i]:  # no orders before its launch
                    if i < keep:
                        orders_by_model_out[i, k, t] = 0.0
                    continue
                ordered = bass_new_orders(
                    p_per_month[k, i],
                    q_per_month[k, i],
                    market[k],
                    adopted[k],
                    price_factor[k, i] * season[t],
                )
                adopted[k] += ordered
                if k > 0 and ordered > 0.0 and cannibalisation[k, i] > 0.0:
                    take_from_earlier(market, adopted, k, cannibalisation[k, i] * ordered)
                open_orders[k] += ordered
                new += ordered
                if i < keep:
                    orders_by_model_out[i, k, t] = ordered
            capacity = spend = fees = 0.0
            for g in range(n_lines):
                line_capacity[g] = line_cost[g] = 0.0
            for j in range(options):
                if t + 1.0 <= starts[j]:  # not started (or not committed): no output, no spend
                    if i < keep:
                        capacity_out[i, j, t] = 0.0
                    continue
                sop_j = starts[j] + lead_months[j, i]
                nameplate = full_rate[j, i] * ramp_fraction(t + 0.5 - sop_j, ramp_months[j, i])
                c = nameplate * (utilisation[0, j, i] if t >= shift_at[j] else 1.0)
                cost = fee_cny[j, i] * c + utilisation[2, j, i] * (c - nameplate)
                capacity += c
                fees += cost
                if not pooled:
                    line_capacity[line_of[j]] += c
                    line_cost[line_of[j]] += cost
                spend += capex_per_month[j, i] * month_overlap(t, starts[j], capex_months[j, i])
                spend += fixed_per_month[j, i] * month_overlap(t, sop_j, np.inf)
                if i < keep:
                    capacity_out[i, j, t] = c
            # Each line serves the models it builds; each model's unserved orders wait, and
            # part of them cancels. A line's per-vehicle fees and above-nameplate cost are
            # shared by what it built. Where every option builds every model (one line) the
            # per-line bookkeeping is skipped: it doubles the kernel's time (measured).
            if pooled:
                total_open = 0.0
                for k in range(models):
                    total_open += open_orders[k]
                delivered = min(total_open, capacity)
                for k in range(models):
                    served[k] = (
                        delivered * (open_orders[k] / total_open) if total_open > 0.0 else 0.0
                    )
                line_cost[0] = fees / capacity if capacity > 0.0 else 0.0
            else:
                serve_lines(open_orders, line_capacity, builds, by_line, served)
                delivered = 0.0
                for k in range(models):
                    delivered += served[k]
                for g in range(n_lines):
                    if line_capacity[g] > 0.0:
                        line_cost[g] /= line_capacity[g]
            increment = 0.0
            if delivered > 0.0:  # skips the learning curve's power where nothing is built
                built += delivered
                cost_after = cumulative_cost_at(
                    built, unit_cost_cny[i], learning_b[i], reference_units
                )
                increment = (cost_after - cost_so_far) / delivered
                cost_so_far = cost_after
            lost = waiting = revenue = variable = per_vehicle = 0.0
            for k in range(models):
                got, gone, open_orders[k] = fulfil_month(open_orders[k], served[k], cancel_rate[i])
                lost += gone
                waiting += open_orders[k]
                revenue += got * price_cny[k, i]
                variable_k = got * increment * cost_ratio[k, i]
                variable += variable_k
                if pooled:
                    fees_k = got * line_cost[0]
                else:
                    fees_k = 0.0
                    for g in range(n_lines):
                        fees_k += by_line[g, k] * line_cost[g]
                per_vehicle += fees_k
                if i < keep:
                    deliveries_by_model_out[i, k, t] = got
                    backlog_by_model_out[i, k, t] = open_orders[k]
                    revenue_by_model_out[i, k, t] = got * price_cny[k, i]
                    cost_by_model_out[i, k, t] = variable_k + fees_k
            flow = revenue - variable - per_vehicle - spend - company_per_month[i]
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
            # The month's decisions. None can be taken, and no streak changes, while the
            # backlog stays within the lowest threshold still undecided: the check is then
            # skipped (the kernel 11% faster with 4 options' shifts and 2 rules, measured).
            if not (streaking or backlog_exceeds(waiting, capacity, threshold)):
                continue
            taken, streaking = False, False
            for j in range(options):
                if (
                    shift_at[j] == np.inf
                    and utilisation[0, j, i] > 1.0
                    and t + 0.5 >= starts[j] + lead_months[j, i]  # it runs
                ):
                    shift_at[j] = shift_running_from(
                        t, waiting, capacity, decisions[0, j], utilisation[1, j, i]
                    )
                    taken = taken or shift_at[j] < np.inf
                if decisions[1, j] < np.inf and starts[j] == np.inf:
                    streak[j], starts[j] = expansion_commit(
                        t,
                        streak[j],
                        waiting,
                        capacity,
                        decisions[1, j],
                        decisions[2, j],
                        decisions[3, j],
                    )
                    taken = taken or starts[j] < np.inf
                    streaking = streaking or streak[j] > 0.0
            if taken:
                threshold = lowest_threshold(shift_at, starts, utilisation[0, :, i], decisions)
        npv_out[i] = npv
        peak_out[i] = -lowest
