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

from dataclasses import dataclass

import numpy as np

from ..scenario.inputs import (
    Params,
)
from ..scenario.schema import Scenario
from .arguments import kernel_inputs
from .kernel import run_kernel


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
    models = inputs["price_cny"].shape[0]
    out = _outputs(paths, keep, scenario.horizon_months, models, len(options), into)
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
    )
    lines = inputs["builds"].shape[0]
    pooled = bool(lines == 1 and inputs["builds"].min() > 0.0)  # one line builds every model
    run_kernel(arguments, (models, len(options), lines, pooled))
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
