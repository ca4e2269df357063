"""The deterministic run: each production option alone and the chosen mix, at central values.

Holds no model physics: it wires the scenario through the simulator and measures outcomes.
"""

from dataclasses import asdict, dataclass

import numpy as np

from . import __version__
from .model.demand import model_names
from .model.outcomes import CHECKPOINTS, sales_outcomes
from .model.simulate import simulate
from .partners.assess import PartnerAssessment, assess
from .plan.solve import ProductionPlan, plan
from .reference.entrants import month_end
from .reference.outside import OutsideView, outside_view
from .risk.montecarlo import RiskResult, monte_carlo
from .risk.sensitivity import Sensitivity, sensitivity
from .risk.what_it_takes import WhatItTakes, what_it_takes
from .scenario.checks import with_requirements
from .scenario.inputs import central_params
from .scenario.months import add_months
from .scenario.provenance import Provenance, provenance
from .scenario.schema import Scenario
from .typed import from_dict


@dataclass(frozen=True)
class ModelWindow:
    """One model of the roadmap over the target window, at central values."""

    deliveries: float  # [vehicles]
    revenue_cny: float
    cost_cny: float  # unit cost with the brand's learning, fees, cost above nameplate


@dataclass(frozen=True)
class CaseSummary:
    """One way of building the car, run at the scenario's central values."""

    case: str
    options: list[str]
    first_delivery: str | None  # calendar month 'YYYY-MM'
    deliveries_by_months_of_sales: dict[int, float]
    window_by_model: dict[str, ModelWindow]  # model -> its target window
    target_reached: str | None  # calendar month, or None if not within the window
    months_to_target: float | None
    shortfall_vehicles: float  # target minus deliveries in the window, 0 if reached
    peak_cash_need_cny: float
    npv_cny: float
    p_target: float  # Monte Carlo over the scenario's uncertainty
    p_target_ci95: tuple[float, float]


@dataclass(frozen=True)
class RunResult:
    scenario: str
    version: str
    target_deliveries: int
    target_window_months: int
    cases: list[CaseSummary]
    risk_paths: int
    risk_seed: int
    recommended: str | None  # way of building the assessment recommends, if it has one
    recommendation: str | None  # its plain statement
    outside_view: dict  # the chosen mix against real entrants (reference.outside)
    provenance: Provenance | None = None

    def to_dict(self) -> dict:
        return asdict(self)


def cases(scenario: Scenario) -> list[tuple[str, list[str]]]:
    """Each option alone (with the options it requires), then the scenario's chosen mix."""
    alone = [(o.name, with_requirements(scenario, [o.name])) for o in scenario.options]
    mix = with_requirements(scenario, scenario.plan.options)
    return alone + [("chosen mix", mix)]


def outside_of(scenario: Scenario, risk: RiskResult) -> OutsideView:
    """The Monte Carlo of a way of building against real entrants known on the scenario's
    date, and the two views blended (reference.outside)."""
    target = scenario.target
    return outside_view(
        target.deliveries,
        target.window_months,
        month_end(scenario.start),
        risk.months_to_window_end,
        risk.window_log_edges,
        risk.window_log_counts,
        risk.p_target,
    )


def run(scenario: Scenario, risk_paths: int = 10_000, seed: int = 0) -> RunResult:
    """Run every case at central values, summarised in months of sales, with its P(target)
    from a Monte Carlo of ``risk_paths`` paths (common random numbers across cases)."""
    params = central_params(scenario)
    target = scenario.target
    summaries = []
    for label, options in cases(scenario):
        paths = simulate(scenario, params, options)
        risk = monte_carlo(scenario, options, risk_paths, seed)
        if label == "chosen mix":
            outside = outside_of(scenario, risk)
        out = sales_outcomes(paths.deliveries, target.deliveries, target.window_months, CHECKPOINTS)
        first = int(out.first_delivery_month[0])
        window = slice(max(first, 0), max(first, 0) + target.window_months)
        by_model = [
            np.zeros(len(model_names(scenario)))
            if first < 0
            else getattr(paths, f)[0, :, window].sum(axis=1)
            for f in ("deliveries_by_model", "revenue_by_model_cny", "cost_by_model_cny")
        ]
        months_to_target = float(out.months_to_target[0])
        reached = bool(out.hit[0])
        in_window = float(out.cumulative_at[target.window_months][0])
        summaries.append(
            CaseSummary(
                case=label,
                options=options,
                first_delivery=add_months(scenario.start, first) if first >= 0 else None,
                deliveries_by_months_of_sales={
                    k: float(out.cumulative_at[k][0]) for k in CHECKPOINTS
                },
                window_by_model={
                    name: ModelWindow(*(float(x[k]) for x in by_model))
                    for k, name in enumerate(model_names(scenario))
                },
                target_reached=add_months(scenario.start, first + int(months_to_target) - 1)
                if reached
                else None,
                months_to_target=months_to_target if np.isfinite(months_to_target) else None,
                shortfall_vehicles=max(target.deliveries - in_window, 0.0),
                peak_cash_need_cny=float(paths.peak_cash_need_cny[0]),
                npv_cny=float(paths.npv_cny[0]),
                p_target=risk.p_target,
                p_target_ci95=risk.p_target_ci95,
            )
        )
    verdict = assess(scenario, risk_paths, seed) if scenario.assessment else None
    return RunResult(
        scenario.name,
        __version__,
        target.deliveries,
        target.window_months,
        summaries,
        risk_paths,
        seed,
        verdict.recommended if verdict else None,
        verdict.statement if verdict else None,
        outside.to_dict(),
        provenance(scenario, seed, "lhs"),
    )


@dataclass(frozen=True)
class CentralPath:
    """The chosen mix at central values, month by month: what the report's supply and
    entrants figures draw."""

    options: list[str]
    models: list[str]
    months: list[str]
    orders_by_model: list[list[float]]  # (models, months) [vehicles/month]
    deliveries_by_model: list[list[float]]
    capacity_by_option: list[list[float]]  # (options, months)
    deliveries: list[float]
    shift_month: list[int | None]  # per option: grid month a shift runs from; None: never
    commit_month: list[int | None]  # per option under an expansion rule; None otherwise


@dataclass(frozen=True)
class ReportResults:
    """Everything the HTML report draws, computed once: stored with a run, it renders again
    without a simulation."""

    scenario: str
    version: str
    paths: int
    seed: int
    risk: RiskResult
    sensitivity: Sensitivity
    plan: ProductionPlan
    outside: OutsideView
    partners: PartnerAssessment | None
    central: CentralPath
    provenance: Provenance | None = None
    what_it_takes: WhatItTakes | None = None  # to reach REPORT_ASKS' next level

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "ReportResults":
        return from_dict(cls, data)


def central_path(scenario: Scenario, options: list[str]) -> CentralPath:
    paths = simulate(scenario, central_params(scenario), options)

    def month(x, applies=True):
        return int(x) if applies and np.isfinite(x) else None

    return CentralPath(
        options,
        model_names(scenario),
        [add_months(scenario.start, t) for t in range(scenario.horizon_months)],
        paths.orders_by_model[0].tolist(),
        paths.deliveries_by_model[0].tolist(),
        paths.capacity_by_option[0].tolist(),
        paths.deliveries[0].tolist(),
        [month(x) for x in paths.shift_month[0]],
        [
            month(x, scenario.expansion(n) is not None)
            for x, n in zip(paths.commit_month[0], options, strict=True)
        ],
    )


# the report asks what it would take to reach the first of these above today's P(target)
REPORT_ASKS = (0.5, 0.9)


def report_results(scenario: Scenario, paths: int = 20_000, seed: int = 0) -> ReportResults:
    """The chosen mix's Monte Carlo, drivers, production plan, outside view, partner
    assessment (if the scenario has one) and central path."""
    options = with_requirements(scenario, scenario.plan.options)
    risk = monte_carlo(scenario, options, paths, seed)
    outside = outside_of(scenario, risk)
    asked = next((p for p in REPORT_ASKS if risk.p_target < p), None)
    return ReportResults(
        scenario.name,
        __version__,
        paths,
        seed,
        risk,
        sensitivity(scenario, options, min(paths, 10_000), seed, sobol_base_samples=512),
        plan(scenario),
        outside,
        assess(scenario, min(paths, 20_000), seed) if scenario.assessment else None,
        central_path(scenario, options),
        provenance(scenario, seed, "lhs"),
        what_it_takes(scenario, options, asked, seed=seed) if asked else None,
    )
