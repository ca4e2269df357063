"""A solved plan's values as the ProductionPlan a user sees: each option's start and
volumes, the monthly series, and the per-model fields."""

from typing import TYPE_CHECKING

import numpy as np

from .. import __version__
from ..scenario.months import add_months
from ..scenario.provenance import provenance
from .inputs import PlanInputs
from .milp import MONEY, company_npv_cny, start_values
from .result import OptionPlan, ProductionPlan

if TYPE_CHECKING:
    from .solve import Solved


def plan_result(scenario, data: PlanInputs, settings, solved: "Solved") -> ProductionPlan:
    """The ProductionPlan of a solved MILP: every field a presenter needs."""
    x, v, lp = solved.x, solved.variables, solved.lp
    K, _, T = data.orders.shape
    make = x[v.make]  # (K, J, T)
    ship = x[v.ship].sum(axis=1)  # (K, T) every model's
    months = [add_months(scenario.start, t) for t in range(T)]
    window = ship[:, data.window].sum(axis=1)
    cash_flow = np.diff(x[v.cash], axis=1, prepend=0.0) * MONEY
    npv = (cash_flow * data.discount).sum(axis=1)
    decided = npv - company_npv_cny(data)
    revenue = (x[v.ship] * data.price_cny[:, :, None]).sum(axis=1)  # (K, T) [CNY]
    return ProductionPlan(
        scenario=scenario.name,
        version=__version__,
        objective=settings.objective,
        scenarios=K,
        status="optimal" if solved.solution.optimal and not solved.out_of_time else "time limit",
        options=_option_plans(scenario, data, x, v, months),
        npv_cny=float(npv.mean()),
        discounted_cost_cny=float(((revenue * data.discount).sum(axis=1) - decided).mean()),
        window_deliveries=float(window.mean()),
        target_deliveries=scenario.target.deliveries,
        p_target_in_sample=float((window >= data.target * (1 - 1e-9)).mean()),
        months=months,
        orders=data.total_orders.mean(axis=0).tolist(),
        production={n: make[:, j, :].mean(axis=0).tolist() for j, n in enumerate(data.options)},
        deliveries=ship.mean(axis=0).tolist(),
        backlog=x[v.wait].sum(axis=1).mean(axis=0).tolist(),
        stock=x[v.stock].sum(axis=1).mean(axis=0).tolist(),
        **_by_model(data, x, v, solved.unit_cost_cny),
        build_seconds=solved.build_seconds,
        solve_seconds=solved.solve_seconds,
        variables=lp.n,
        constraints=lp.m,
        learning_rounds=solved.learning_rounds,
        learning_settled=solved.learning_settled,
        provenance=provenance(scenario),
    )


def _option_plans(scenario, data: PlanInputs, x, v, months: list[str]) -> list[OptionPlan]:
    """Each option's start (the median over the scenarios that start it), its volumes by
    year and by model, and its utilisation."""
    K = data.scenarios
    start = start_values(data, x[v.started]) > 0.5  # (K, Y)
    make = x[v.make]  # (K, J, T)
    by_model = data.lines.option_volumes(make, x[v.made], len(data.models))  # (J, M)
    years = np.array([m[:4] for m in months], dtype=object)
    options = []
    for j, name in enumerate(data.options):
        k, chosen = np.nonzero(start & (data.option_of == j)[None, :])  # one per scenario at most
        made = make[:, j, :].mean(axis=0)
        capacity = data.capacity[k, chosen, :].sum() / K if chosen.size else 0.0
        median = int(np.sort(data.start_of[chosen])[(chosen.size - 1) // 2]) if chosen.size else 0
        options.append(
            OptionPlan(
                option=name,
                used=bool(chosen.size),
                start=add_months(scenario.start, median) if chosen.size else None,
                started_share=chosen.size / K,
                volume_by_year={str(y): float(made[years == y].sum()) for y in sorted(set(years))},
                utilisation=float(made.sum() / capacity) if capacity > 0 else 0.0,
                volume_by_model={
                    n: float(by_model[j, m]) for m, n in enumerate(data.models) if data.builds[j, m]
                },
            )
        )
    return options


def _by_model(data: PlanInputs, x, v, unit: np.ndarray) -> dict:
    """The plan's per-model fields: each model's orders, production, deliveries and backlog
    by month, and the cost the MILP charged a vehicle of it; and the average cost of a
    vehicle, weighted by what each model made (the first car's where nothing is made)."""
    made = data.lines.by_model(x[v.make], x[v.made], len(data.models))  # (K, M, T)
    volume = made.sum(axis=2)  # (K, M)
    total = volume.sum(axis=1, keepdims=True)
    # a share of exactly 1 with one model: its cost, as charged
    first = np.zeros_like(volume)
    first[:, 0] = 1.0
    share = np.divide(volume, total, out=first, where=total > 0)

    def monthly(a):
        return {n: a[:, m, :].mean(axis=0).tolist() for m, n in enumerate(data.models)}

    return {
        "unit_cost_cny": float((unit * share).sum(axis=1).mean()),
        "unit_cost_by_model_cny": {n: float(unit[:, m].mean()) for m, n in enumerate(data.models)},
        "orders_by_model": monthly(data.orders),
        "production_by_model": monthly(made),
        "deliveries_by_model": monthly(x[v.ship]),
        "backlog_by_model": monthly(x[v.wait]),
    }
