"""Nowcasting: the Monte Carlo conditioned on the deliveries so far.

Sequential importance resampling (Gordon, Salmond & Smith 1993, IEE Proc. F 140(2):107-113):
each simulated path is weighted by how well its monthly deliveries match the actual ones,
under a lognormal observation error (a coefficient of variation ``noise_cv`` a month, which
covers reporting noise and what the model leaves out); the paths are resampled by weight, and
the observed months are then replaced by the actual deliveries before measuring outcomes.

Beside it, the outside view: the hierarchical forecaster (``outlook.forecast_actuals``) given
the same actuals, the file's first month taken as month 1 of sales, with its own fan; the two
are blended as an equal-weight mixture, as in ``run``. Where the scenario's paths cannot
produce the actuals, the forecaster's fan is the one to read.
"""

from dataclasses import asdict, dataclass, replace

import numpy as np

from ..errors import ArgumentError, UserError
from ..model.outcomes import sales_outcomes
from ..model.simulate import simulate
from ..risk.montecarlo import QUANTILES, wilson_interval
from ..risk.sampling import Sampler
from ..scenario.months import add_months, months_between
from ..scenario.provenance import Provenance, provenance
from ..scenario.schema import Scenario
from .actuals import Actuals
from .outlook import forecast_actuals, origin_date
from .outside import WEIGHT_INSIDE

MIN_EFFECTIVE_PATHS = 100


@dataclass(frozen=True)
class Nowcast:
    months_observed: int
    delivered_so_far: float
    paths: int
    effective_paths: float
    p_target_prior: float
    p_target: float
    p_target_ci95: tuple[float, float]
    months_to_target_quantiles: list[float | None]
    expected_target_month: str | None
    fan_months: list[str]
    fan_cumulative: dict[float, list[float]]
    warning: str | None
    contradicted: list[str]  # actual months no simulated path comes near, each explained
    estimated: bool  # no contradiction, and enough effective paths to state P(target)
    p_target_outside: float  # the hierarchical forecaster given the actuals (outlook.py)
    # equal-weight mixture of the two, as in ``run``; the forecaster's alone where the
    # scenario's paths state none (``estimated`` false)
    p_target_blend: float
    # the forecaster's fan on ``fan_months``, cumulative deliveries: the actual ones where known
    outside_fan_cumulative: dict[float, list[float]]
    provenance: Provenance | None = None  # as of: the month after the last actual month

    def to_dict(self) -> dict:
        return asdict(self)


def nowcast(
    scenario: Scenario,
    actuals: Actuals,
    options: list[str],
    paths: int = 20_000,
    seed: int = 0,
    noise_cv: float = 0.25,
) -> Nowcast:
    offset = _offset_checked(scenario, actuals, noise_cv)
    n = actuals.deliveries.size
    run = simulate(scenario, Sampler(scenario, seed, "lhs").params(0, paths), options, keep=0)
    simulated = run.deliveries[:, offset : offset + n]
    error = (np.log1p(actuals.deliveries)[None, :] - np.log1p(simulated)) / noise_cv
    log_weight = -0.5 * (error**2).sum(axis=1)
    weight = np.exp(log_weight - log_weight.max())
    weight /= weight.sum()
    effective = float(1.0 / np.sum(weight**2))
    rng = np.random.default_rng([seed, 7])
    # systematic resampling: one uniform, evenly spaced pointers (low variance)
    pointers = (rng.random() + np.arange(paths)) / paths
    chosen = np.minimum(np.searchsorted(np.cumsum(weight), pointers), paths - 1)
    posterior = run.deliveries[chosen].copy()
    posterior[:, offset : offset + n] = actuals.deliveries

    target = scenario.target
    prior = sales_outcomes(run.deliveries, target.deliveries, target.window_months)
    out = sales_outcomes(posterior, target.deliveries, target.window_months)
    hits = int(out.hit.sum())
    finite = np.nan_to_num(out.months_to_target, nan=np.inf)
    mtt = np.quantile(finite, QUANTILES, method="inverted_cdf")
    reached = out.first_delivery_month + out.months_to_target - 1
    median_month = np.quantile(np.nan_to_num(reached, nan=np.inf), 0.5, method="inverted_cdf")
    q = np.quantile(np.cumsum(posterior, axis=1), QUANTILES, axis=0)
    contradicted = contradicted_months(actuals, simulated)
    warning = None
    if effective < MIN_EFFECTIVE_PATHS:
        warning = (
            f"only {effective:.0f} effective paths match the actuals (at least "
            f"{MIN_EFFECTIVE_PATHS} are needed to state P(target)): the scenario's "
            "uncertainty barely covers them; run more paths, widen the scenario's "
            "distributions, or raise --noise"
        )
    if contradicted:
        warning = (warning + "; " if warning else "") + (
            "no path can produce these actuals: " + "; ".join(contradicted)
        )
    outside = _forecaster(scenario, actuals, offset, seed)
    estimated = effective >= MIN_EFFECTIVE_PATHS and not contradicted
    return Nowcast(
        months_observed=n,
        delivered_so_far=float(actuals.deliveries.sum()),
        paths=paths,
        effective_paths=effective,
        p_target_prior=float(prior.hit.mean()),
        p_target=hits / paths,
        # the interval of a weighted sample rests on its effective size, not its count
        p_target_ci95=wilson_interval(hits / paths * effective, effective),
        months_to_target_quantiles=[float(v) if np.isfinite(v) else None for v in mtt],
        expected_target_month=add_months(scenario.start, int(median_month))
        if np.isfinite(median_month)
        else None,
        fan_months=[add_months(scenario.start, t) for t in range(scenario.horizon_months)],
        fan_cumulative=dict(zip(QUANTILES, q.tolist(), strict=True)),
        warning=warning,
        contradicted=contradicted,
        estimated=estimated,
        p_target_outside=outside.p_target,
        p_target_blend=(
            WEIGHT_INSIDE * hits / paths + (1 - WEIGHT_INSIDE) * outside.p_target
            if estimated
            else outside.p_target
        ),
        outside_fan_cumulative=outside.fan,
        provenance=replace(
            provenance(scenario, seed, "lhs"),
            as_of=origin_date(actuals.first_month, n).isoformat(),
        ),
    )


def _forecaster(scenario: Scenario, actuals: Actuals, offset: int, seed: int):
    """The hierarchical forecaster given the actuals: P(target) and a fan on the grid."""
    target = scenario.target
    return forecast_actuals(
        actuals.first_month,
        actuals.deliveries,
        seed,
        target=(target.window_months, float(target.deliveries)),
        # month t of the grid ends month t - offset + 1 of sales
        fan_months=np.arange(scenario.horizon_months) - offset + 1,
        fan_levels=QUANTILES,
    )


def _offset_checked(scenario: Scenario, actuals: Actuals, noise_cv: float) -> int:
    """The grid month of the first actual; actuals off the grid or a bad noise refused."""
    offset = months_between(scenario.start, actuals.first_month)
    end = add_months(scenario.start, scenario.horizon_months - 1)
    if offset < 0:
        raise UserError(
            f"actuals start {actuals.first_month}, before the scenario's start {scenario.start}"
        )
    if offset + actuals.deliveries.size > scenario.horizon_months:
        raise UserError(
            f"actuals run to {actuals.months[-1]}, past the scenario's last month {end}"
        )
    if not 0 < noise_cv <= 2:
        raise ArgumentError("noise_cv", noise_cv, "must be above 0 and at most 2")
    return offset


def contradicted_months(actuals: Actuals, simulated: np.ndarray) -> list[str]:
    """The actual months above what every simulated path delivers then (``simulated``:
    (paths, months observed)), e.g. deliveries before any path's orders open or above every
    option's capacity, each as a sentence; a 5% margin (and one vehicle) for rounding."""
    most = simulated.max(axis=0)
    out = []
    for month, actual, top in zip(actuals.months, actuals.deliveries, most, strict=True):
        if actual > 1.05 * top + 1:
            why = (
                "before any path delivers a car (orders open or production starts later)"
                if top < 1
                else f"above the most any path delivers ({top:,.0f}: capacity caps it)"
            )
            out.append(f"{month}: {actual:,.0f} delivered, {why}")
    return out
