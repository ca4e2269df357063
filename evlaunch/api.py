"""The Python API: ``import evlaunch as ev`` and work on a scenario in a notebook.

    s = ev.bundled("xiaomi-2021")          # or ev.load("my-plan.yaml")
    result = ev.risk(s, paths=100_000, seed=0)
    result.p_target, ev.frame(result)      # pandas: quantiles of every measure
    ev.fan(result)                         # pandas: cumulative deliveries by month and quantile
    paths = ev.simulate(s, paths=1_000)    # xarray: (path, month, option, model)

Every function takes a Scenario (validated as the CLI validates a file), returns the same
typed result the CLI prints, and raises ``evlaunch.errors.UserError`` on bad input.
"""

from pathlib import Path

import numpy as np

from .errors import UserError
from .model.demand import model_names
from .model.simulate import simulate as _simulate
from .pipeline import RunResult
from .pipeline import run as _run
from .reference.actuals import Actuals, read_actuals
from .risk.montecarlo import RiskResult, monte_carlo
from .risk.sampling import Sampler
from .scenario.checks import with_requirements
from .scenario.load import BUNDLED, bundled_text, load_scenario, parse_scenario
from .scenario.months import add_months
from .scenario.schema import Scenario


def load(path: str | Path) -> Scenario:
    """A scenario file (YAML, TOML or JSON), validated."""
    return load_scenario(path)[0]


def bundled(name: str = "xiaomi-2021") -> Scenario:
    """A bundled scenario: 'xiaomi-2021' or 'xiaomi-2024'."""
    if name not in BUNDLED:
        raise UserError(f"bundled scenario {name!r}: allowed: {', '.join(BUNDLED)}")
    return parse_scenario(bundled_text(name), "yaml", f"bundled scenario {name}")


def _options(scenario: Scenario, options: list[str] | None) -> list[str]:
    return with_requirements(scenario, options or scenario.plan.options)


def run(scenario: Scenario, paths: int = 10_000, seed: int = 0) -> RunResult:
    """Each way of building at central values, with its P(target); the outside view."""
    return _run(scenario, paths, seed)


def risk(
    scenario: Scenario,
    options: list[str] | None = None,
    paths: int = 10_000,
    seed: int = 0,
    sampler: str = "lhs",
    precision: float | None = None,
    precision_of: str = "p_target",
    max_paths: int = 10_000_000,
) -> RiskResult:
    """The Monte Carlo of the chosen mix (or of ``options``, with what they require).

    With ``precision``, it runs until the 95% interval of P(target) (or of the mean of
    ``precision_of``: npv_cny, peak_cash_need_cny, deliveries_12/24/36) is at most that
    either side, or ``max_paths`` (``result.precision`` says which); ``paths`` is not used.
    """
    from .risk.precision import Precision

    precise = Precision(precision, precision_of, max_paths) if precision is not None else None
    chosen = _options(scenario, options)
    return monte_carlo(scenario, chosen, paths, seed, sampler, precision=precise)


def compare(*scenarios: Scenario, paths: int = 20_000, seed: int = 0, sampler: str = "lhs"):
    """Scenarios (each with its plan's mix) on common random numbers, each against the
    first with the 95% interval of the paired difference; labelled by their names."""
    from .risk.compare import compare as _compare

    chosen = [(s.name, s, _options(s, None)) for s in scenarios]
    return _compare(chosen, paths, seed, sampler)


def what_it_takes(scenario: Scenario, probability: float = 0.5, paths: int = 4_096, seed: int = 0):
    """The smallest change of assumptions (in their spreads) and decisions (prices, earlier
    starts; in NPV given up) that brings the plan's P(target) to ``probability``."""
    from .risk.what_it_takes import what_it_takes as _what_it_takes

    return _what_it_takes(scenario, _options(scenario, None), probability, paths, seed)


def replay(
    scenario: Scenario,
    path: int,
    paths: int = 10_000,
    seed: int = 0,
    options: list[str] | None = None,
    sampler: str = "lhs",
):
    """Path ``path`` (from 0) of ``risk``'s run of ``paths`` paths: its inputs and its
    month-by-month trajectory, equal to the full run's."""
    from .risk.replay import replay as _replay

    return _replay(scenario, _options(scenario, options), path, paths, seed, sampler)


def sensitivity(scenario: Scenario, options: list[str] | None = None, paths=10_000, seed=0):
    """Tornado (P10 to P90 of each input) and Sobol indices of the chosen mix."""
    from .risk.sensitivity import sensitivity as _sensitivity

    return _sensitivity(scenario, _options(scenario, options), paths, seed)


def plan(scenario: Scenario, stochastic: int = 0, seed: int = 0, time_limit_s: float = 60.0):
    """The production and capacity plan (MILP on HiGHS); over ``stochastic`` sampled
    scenarios if given, two-stage where expansions are decided later."""
    from .plan.solve import plan as _plan
    from .plan.stochastic import stochastic_plan

    if stochastic:
        return stochastic_plan(scenario, stochastic, seed, time_limit_s=time_limit_s)
    return _plan(scenario, time_limit_s=time_limit_s)


def partners(scenario: Scenario, paths: int = 20_000, seed: int = 0):
    """Which way to build: MCDA rankings, SMAA-2 and the simulation on common numbers."""
    from .partners.assess import assess

    return assess(scenario, paths, seed)


def nowcast(
    scenario: Scenario,
    actuals: Actuals | str | Path,
    options: list[str] | None = None,
    paths: int = 20_000,
    seed: int = 0,
):
    """P(target) given the actual monthly deliveries so far (a file or ``Actuals``)."""
    from .reference.nowcast import nowcast as _nowcast

    data = actuals if isinstance(actuals, Actuals) else read_actuals(actuals)
    return _nowcast(scenario, data, _options(scenario, options), paths, seed)


def simulate(
    scenario: Scenario,
    paths: int = 1_000,
    seed: int = 0,
    options: list[str] | None = None,
    sampler: str = "lhs",
):
    """Sampled paths with every trajectory, as an xarray Dataset over (path, month, option,
    model): orders, deliveries, backlog and capacity, with NPV and peak cash need per path."""
    import xarray as xr

    if not 1 <= paths <= 100_000:
        raise UserError(f"paths = {paths}: must be from 1 to 100,000 (every month is kept)")
    chosen = _options(scenario, options)
    out = _simulate(scenario, Sampler(scenario, seed, sampler).params(0, paths), chosen)
    months = [add_months(scenario.start, t) for t in range(scenario.horizon_months)]
    pm, pom, pkm = ("path", "month"), ("path", "option", "month"), ("path", "model", "month")
    return xr.Dataset(
        {
            "orders": (pm, out.orders),
            "deliveries": (pm, out.deliveries),
            "backlog": (pm, out.backlog),
            "cancelled": (pm, out.cancelled),
            "cash_flow_cny": (pm, out.cash_flow_cny),
            "capacity": (pom, out.capacity_by_option),
            "orders_by_model": (pkm, out.orders_by_model),
            "deliveries_by_model": (pkm, out.deliveries_by_model),
            "backlog_by_model": (pkm, out.backlog_by_model),
            "revenue_by_model_cny": (pkm, out.revenue_by_model_cny),
            "cost_by_model_cny": (pkm, out.cost_by_model_cny),
            "npv_cny": ("path", out.npv_cny),
            "peak_cash_need_cny": ("path", out.peak_cash_need_cny),
        },
        coords={
            "path": np.arange(paths),
            "month": months,
            "option": chosen,
            "model": model_names(scenario),
        },
        attrs={"scenario": scenario.name, "seed": seed, "sampler": sampler},
    )


def frame(result):
    """A result as a pandas DataFrame: a run's cases, a Monte Carlo's quantiles by measure,
    the ways of building of a partner assessment, a plan's months."""
    import pandas as pd

    from .partners.assess import PartnerAssessment
    from .plan.solve import ProductionPlan

    if isinstance(result, RunResult):
        rows = []
        for c in result.cases:
            row = {
                "case": c.case,
                "first_delivery": c.first_delivery,
                **{f"deliveries_{k}": v for k, v in c.deliveries_by_months_of_sales.items()},
                "shortfall_vehicles": c.shortfall_vehicles,
                "peak_cash_need_cny": c.peak_cash_need_cny,
                "npv_cny": c.npv_cny,
                "p_target": c.p_target,
            }
            rows.append(row)
        return pd.DataFrame(rows).set_index("case")
    if isinstance(result, RiskResult):
        columns = [f"P{round(100 * q)}" for q in result.quantiles]
        rows = {f"deliveries_{k}": v for k, v in result.deliveries_quantiles.items()}
        rows["months_to_target"] = [
            np.nan if v is None else v for v in result.months_to_target_quantiles
        ]
        rows["npv_cny"] = result.npv_cny_quantiles
        rows["peak_cash_need_cny"] = result.peak_cash_need_cny_quantiles
        return pd.DataFrame.from_dict(rows, orient="index", columns=columns)
    if isinstance(result, PartnerAssessment):
        return pd.DataFrame(
            [
                {
                    "alternative": a.alternative,
                    **{f"rank_{m}": r for m, r in a.ranks.items()},
                    "first_rank_acceptability": a.rank_acceptability[0],
                    "p_target": a.p_target,
                    "p_target_blend": a.p_target_blend,
                    "npv_cny_mean": a.npv_cny_mean,
                    "peak_cash_need_cny_p50": a.peak_cash_need_cny_p50,
                    **a.criteria,
                }
                for a in result.alternatives
            ]
        ).set_index("alternative")
    if isinstance(result, ProductionPlan):
        data = {
            "orders": result.orders,
            "deliveries": result.deliveries,
            "backlog": result.backlog,
            "stock": result.stock,
            **{f"production {n}": v for n, v in result.production.items()},
            **result.monthly_by_model(),
        }
        return pd.DataFrame(data, index=pd.Index(result.months, name="month"))
    raise TypeError(f"no table for a {type(result).__name__}")


def fan(result: RiskResult):
    """Cumulative deliveries by calendar month (rows) and quantile (columns)."""
    import pandas as pd

    return pd.DataFrame(
        {f"P{round(100 * q)}": v for q, v in result.fan_cumulative_deliveries.items()},
        index=pd.Index(result.fan_months, name="month"),
    )
