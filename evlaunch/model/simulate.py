"""The one simulator: a scenario's stages wired over ``(paths, months)``.

The deterministic run is this simulation with one path at the central values; the Monte
Carlo is the same call with many sampled paths. The stages are fused into one compiled loop
(numba, ``kernel.py``) that steps blocks of paths in lockstep, several to a vector register,
and calls each stage's own formula (``bass_new_orders``, ``ramp_fraction``, ``fulfil_month``,
``cumulative_cost_at``, ``month_overlap``, ``shift_running_from``, ``expansion_commit``):
nothing of the model is written twice, and no (paths, months) temporary is made per stage.

Demand is per model of the roadmap: the first car (``market``) and the scenario's later
``models``, each a Bass diffusion on its own market, opening at its own (slipping) launch,
a later one taking part of its orders from the earlier ones' remaining buyers. Capacity
serves the models' open orders in proportion, and each model's backlog cancels alike.

Each path takes its own decisions at the end of every month: an option that runs adds a
shift (up to ``max_utilisation`` times nameplate, ``shift_months`` later) when its backlog
calls for one, and an option under an expansion rule is committed when the rule fires on
that path's order book.
"""

from dataclasses import dataclass, replace

import numpy as np

from ..scenario.inputs import (
    Params,
)
from ..scenario.schema import Scenario
from .arguments import kernel_inputs
from .kernel import run_kernel
from .outcomes import SalesMeasure, SalesOutcomes, measured_arrays, outcomes_of


@dataclass(frozen=True)
class Paths:
    """Simulated paths. ``npv_cny``, ``peak_cash_need_cny`` and the decisions cover every
    path, ``deliveries`` the first ``kept_deliveries`` (all by default), the other
    trajectories the first ``kept`` (all by default); ``sales`` each path's sales measured
    as the run asked (``SalesMeasure``), or None."""

    deliveries: np.ndarray  # (kept deliveries, months) [vehicles/month]
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
    sales: SalesOutcomes | None = None

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
    measure: SalesMeasure | None = None,
    kept_deliveries: int | None = None,
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
    ``measure``: each path's sales measured by the kernel from its months while they are at
    hand (``Paths.sales``), so that a run that needs no more of them can keep the
    ``deliveries`` of only the first ``kept_deliveries`` paths: writing every path's months
    out and reading them again was a tenth of a Monte Carlo's time.
    """
    paths = next(iter(params.values())).shape[0]
    keep = paths if keep is None else min(keep, paths)
    kept_deliveries = paths if kept_deliveries is None else min(kept_deliveries, paths)
    if inputs is None:
        inputs = kernel_inputs(scenario, params, options, earlier_months)
    models = inputs["price_cny"].shape[0]
    months = scenario.horizon_months
    out = _outputs((paths, keep, kept_deliveries), months, models, len(options), into)
    measuring = measure or SalesMeasure(0.0, 1)  # without one: no path's rows, none measured
    measured = measured_arrays(paths if measure else 0, measuring)
    arguments = dict(
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
        orders_by_model_out=out.orders_by_model,
        deliveries_by_model_out=out.deliveries_by_model,
        backlog_by_model_out=out.backlog_by_model,
        revenue_by_model_out=out.revenue_by_model_cny,
        cost_by_model_out=out.cost_by_model_cny,
        target_vehicles=float(measuring.target_vehicles),
        checkpoints=measuring.marks,
        first_sale_out=measured[0],
        deliveries_at_out=measured[1],
        months_to_target_out=measured[2],
    )
    lines = inputs["builds"].shape[0]
    pooled = bool(lines == 1 and inputs["builds"].min() > 0.0)  # one line builds every model
    run_kernel(arguments, (models, len(options), lines, pooled))
    if measure:
        return replace(out, sales=outcomes_of(measure, months, *measured))
    return out


def _outputs(
    sizes: tuple[int, int, int], months: int, models: int, options: int, into: Paths | None
) -> Paths:
    """Arrays for a run's outputs; ``sizes``: (paths, kept, kept deliveries)."""
    paths, keep, kept_deliveries = sizes
    rows = {name: keep if name in KEPT else paths for name in ARRAYS}
    rows["deliveries"] = kept_deliveries
    if into is not None and _fits(into, rows, months, models, options):
        return Paths(**{name: getattr(into, name)[: rows[name]] for name in ARRAYS})
    return Paths(
        deliveries=np.empty((kept_deliveries, months)),
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


ARRAYS = [name for name in Paths.__dataclass_fields__ if name != "sales"]
# the trajectories only the first ``keep`` paths record
KEPT = frozenset(ARRAYS) - {
    "deliveries",
    "npv_cny",
    "peak_cash_need_cny",
    "shift_month",
    "commit_month",
}


def _fits(into: Paths, rows: dict[str, int], months: int, models: int, options: int) -> bool:
    """Whether ``into``'s arrays can hold a run of this size (their first rows)."""
    return (
        all(getattr(into, name).shape[0] >= rows[name] for name in ARRAYS)
        and into.deliveries.shape[1] == months
        and into.orders_by_model.shape[1] == models
        and into.shift_month.shape[1] == options
    )
