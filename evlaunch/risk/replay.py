"""Replay one Monte Carlo path: its inputs and its month-by-month trajectory, exactly as in
the full run (GoldSim's realization re-run).

Path K's inputs depend only on (scenario, seed, sampler, K): samples are drawn in fixed blocks
(``sampling.BLOCK_PATHS``), and each path is simulated on its own in the kernel, so the
replay is the full run's path K to the last bit, whatever the run's path count or chunks.
"""

from dataclasses import asdict, dataclass

import numpy as np

from ..errors import ArgumentError
from ..model.demand import model_names
from ..model.simulate import simulate
from ..scenario.months import add_months
from ..scenario.schema import Scenario
from .sampling import Sampler


@dataclass(frozen=True)
class ReplayedInput:
    name: str  # dotted input name, e.g. market.addressable_market_vehicles
    value: float
    percentile: float | None  # of its distribution, 0-100; None: the input is fixed


@dataclass(frozen=True)
class ReplayedPath:
    """Path ``path`` of a run: what it drew and what happened to it, month by month."""

    scenario: str
    options: list[str]
    path: int
    paths: int
    seed: int
    sampler: str
    inputs: list[ReplayedInput]  # the uncertain inputs first, then the fixed ones
    months: list[str]  # calendar months of the grid
    orders: list[float]  # [vehicles/month]
    deliveries: list[float]  # [vehicles/month]
    backlog: list[float]  # waiting at the month's end [vehicles]
    cancelled: list[float]  # [vehicles/month]
    cash_flow_cny: list[float]  # [CNY/month]
    capacity_by_option: dict[str, list[float]]  # [vehicles/month]
    deliveries_by_model: dict[str, list[float]]  # [vehicles/month]
    npv_cny: float
    peak_cash_need_cny: float

    def to_dict(self) -> dict:
        return asdict(self)

    def rows(self) -> list[dict]:
        """The trajectory, one row per month (the CSV export)."""
        columns = {
            "orders": self.orders,
            "deliveries": self.deliveries,
            "backlog": self.backlog,
            "cancelled": self.cancelled,
            "cash_flow_cny": self.cash_flow_cny,
            **{f"capacity {name}": v for name, v in self.capacity_by_option.items()},
            **{f"deliveries {name}": v for name, v in self.deliveries_by_model.items()},
        }
        return [
            {"month": m, **{k: v[t] for k, v in columns.items()}} for t, m in enumerate(self.months)
        ]


def replay(
    scenario: Scenario,
    options: list[str],
    path: int,
    paths: int,
    seed: int = 0,
    sampler: str = "lhs",
) -> ReplayedPath:
    """Path ``path`` (from 0) of the run of ``paths`` paths with ``seed`` and ``sampler``."""
    if not 0 <= path < paths:
        raise ArgumentError("path", path, f"must be from 0 to {paths - 1:,} (the run's paths)")
    draw = Sampler(scenario, seed, sampler)
    u = draw.uniforms(path, path + 1)
    params = draw.params_from_uniforms(u)
    run = simulate(scenario, params, options)
    drawn = [
        ReplayedInput(name, float(params[name][0]), 100 * float(u[0, j]))
        for j, name in enumerate(draw.names)
    ]
    fixed = [
        ReplayedInput(name, float(params[name][0]), None)
        for name in params
        if name not in draw.names
    ]
    first = lambda a: np.asarray(a)[0].tolist()  # noqa: E731
    return ReplayedPath(
        scenario=scenario.name,
        options=list(options),
        path=path,
        paths=paths,
        seed=seed,
        sampler=sampler,
        inputs=drawn + fixed,
        months=[add_months(scenario.start, t) for t in range(scenario.horizon_months)],
        orders=first(run.orders),
        deliveries=first(run.deliveries),
        backlog=first(run.backlog),
        cancelled=first(run.cancelled),
        cash_flow_cny=first(run.cash_flow_cny),
        capacity_by_option=dict(zip(options, first(run.capacity_by_option), strict=True)),
        deliveries_by_model=dict(
            zip(model_names(scenario), first(run.deliveries_by_model), strict=True)
        ),
        npv_cny=float(run.npv_cny[0]),
        peak_cash_need_cny=float(run.peak_cash_need_cny[0]),
    )
