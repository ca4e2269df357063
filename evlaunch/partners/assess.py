"""The partner assessment: MCDA rankings, SMAA-2 robustness, and the simulation's view of
each way of building on common random numbers, with a plain verdict on whether they agree."""

from dataclasses import asdict, dataclass

import numpy as np

from .. import __version__
from ..errors import ArgumentError, UserError
from ..model.outcomes import sales_outcomes
from ..model.simulate import simulate
from ..reference.entrants import month_end
from ..reference.outside import blend
from ..risk.montecarlo import OptionDecisions, option_decisions, tally, wilson_interval
from ..risk.sampling import Sampler
from ..scenario.ahp import ahp_weights
from ..scenario.checks import with_requirements
from ..scenario.inputs import central_params
from ..scenario.provenance import Provenance, provenance
from ..scenario.schema import Scenario
from . import mcda
from .criteria import benefit_mask, criteria_matrix
from .smaa import interval_weights, simplex_weights, smaa2

Z95 = 1.959963984540054


@dataclass(frozen=True)
class AlternativeView:
    alternative: str
    options: list[str]
    criteria: dict[str, float]  # at central values
    weighted_sum: float
    topsis: float
    ahp: float
    ranks: dict[str, int]  # method -> rank (1 best)
    rank_acceptability: list[float]  # share of SMAA draws at rank 1, 2, ...
    central_weights: dict[str, float] | None  # None if it is never first
    confidence: float
    p_target: float
    p_target_ci95: tuple[float, float]
    p_target_blend: float  # with the outside view, as in ``run`` (reference.outside.blend)
    npv_cny_mean: float
    npv_cny_p10_p50_p90: tuple[float, float, float]
    peak_cash_need_cny_p50: float
    npv_vs_recommended_cny: tuple[float, float, float]  # mean paired difference, 95% CI
    p_target_vs_recommended: tuple[float, float, float]
    decisions: list[OptionDecisions]  # shifts added and expansions committed on the paths


@dataclass(frozen=True)
class PartnerAssessment:
    scenario: str
    version: str
    criteria: dict[str, str]  # name -> benefit or cost
    weights: dict[str, float]
    weights_kind: str
    consistency_ratio: float | None
    smaa_draws: int
    paths: int
    seed: int
    alternatives: list[AlternativeView]
    recommended: str
    simulation_best: str
    agree: bool
    statement: str
    provenance: Provenance | None = None

    def to_dict(self) -> dict:
        return asdict(self)


def alternatives(scenario: Scenario) -> list[tuple[str, list[str]]]:
    """Each option with what it requires: the ways of building to choose between."""
    return [(o.name, with_requirements(scenario, [o.name])) for o in scenario.options]


def criterion_weights(scenario: Scenario) -> tuple[np.ndarray, float | None]:
    """Weights for the point methods (interval midpoints, rescaled to sum 1) and the AHP
    consistency ratio where the weights come from a pairwise matrix."""
    a = scenario.assessment
    names = list(a.criteria)
    w = a.weights
    if w.kind == "point":
        return np.array([w.values[n] for n in names]), None
    if w.kind == "intervals":
        mid = np.array([sum(w.values[n]) / 2 for n in names])
        return mid / mid.sum(), None
    weights, _, cr = ahp_weights(w.matrix)
    order = [w.criteria.index(n) for n in names]
    return weights[order], cr


def assess(
    scenario: Scenario,
    paths: int = 20_000,
    seed: int = 0,
    sampler: str = "lhs",
    smaa_draws: int = 10_000,
) -> PartnerAssessment:
    """Rank the ways of building by MCDA and SMAA-2, and simulate each on the same draws."""
    if scenario.assessment is None:
        raise UserError(
            "the scenario has no `assessment` section (criteria and weights); "
            "`evlaunch init` writes one to start from"
        )
    for argument, value in (("paths", paths), ("smaa_draws", smaa_draws)):
        if value < 100:
            raise ArgumentError(argument, value, "must be at least 100")
    names = list(scenario.assessment.criteria)
    benefit = benefit_mask(scenario)
    alts = alternatives(scenario)
    weights, cr = criterion_weights(scenario)

    x = criteria_matrix(scenario, central_params(scenario), alts)[0]
    scores = {
        "weighted sum": mcda.weighted_sum(x, weights, benefit),
        "TOPSIS": mcda.topsis(x, weights, benefit),
        "AHP": _ahp(x, weights, benefit, names),
    }

    params = Sampler(scenario, seed, sampler).params(0, max(paths, smaa_draws))
    smaa = _smaa(scenario, {k: v[:smaa_draws] for k, v in params.items()}, alts, seed)

    # The stated weights decide: the alternative most methods rank first (SMAA's first-rank
    # acceptability breaks a tie); SMAA then says how far that holds under other weights.
    first = smaa.rank_acceptability[:, 0]
    votes = sum(mcda.ranks(s) == 1 for s in scores.values())
    recommended = int(np.lexsort((first, votes))[-1])
    runs = [
        _simulate(scenario, {k: v[:paths] for k, v in params.items()}, options)
        for _, options in alts
    ]
    hits = np.array([r.hit.mean() for r in runs])
    npv_mean = np.array([r.npv_cny.mean() for r in runs])
    best = int(np.lexsort((npv_mean, hits))[-1])  # P(target) first, then mean NPV

    ranks = {m: mcda.ranks(v) for m, v in scores.items()}
    views = [
        _view(
            scenario,
            label,
            options,
            criteria=dict(zip(names, x[i].tolist(), strict=True)),
            scores={m: float(v[i]) for m, v in scores.items()},
            ranks={m: int(r[i]) for m, r in ranks.items()},
            smaa=(smaa, i),
            run=runs[i],
            recommended=runs[recommended],
        )
        for i, (label, options) in enumerate(alts)
    ]
    statement = _statement(views, recommended, best)
    return PartnerAssessment(
        scenario=scenario.name,
        version=__version__,
        criteria={n: c.direction for n, c in scenario.assessment.criteria.items()},
        weights=dict(zip(names, weights.tolist(), strict=True)),
        weights_kind=scenario.assessment.weights.kind,
        consistency_ratio=cr,
        smaa_draws=smaa_draws,
        paths=paths,
        seed=seed,
        alternatives=views,
        recommended=alts[recommended][0],
        simulation_best=alts[best][0],
        agree=recommended == best,
        statement=statement,
        provenance=provenance(scenario, seed, sampler),
    )


def _smaa(scenario: Scenario, params, alts, seed: int):
    """SMAA-2 over the criteria's sampled values and weights drawn from what the scenario
    states (its intervals, or the whole simplex)."""
    names = list(scenario.assessment.criteria)
    draws = next(iter(params.values())).shape[0]
    rng = np.random.default_rng([seed, 1])
    w = scenario.assessment.weights
    if w.kind == "intervals":
        low, high = [w.values[n][0] for n in names], [w.values[n][1] for n in names]
        sampled = interval_weights(draws, low, high, rng)
    else:  # no preference information beyond the criteria: the whole simplex
        sampled = simplex_weights(draws, len(names), rng)
    values = criteria_matrix(scenario, params, alts)
    return smaa2(values, sampled, benefit_mask(scenario), rng)


def _view(scenario, label, options, *, criteria, scores, ranks, smaa, run, recommended):
    """One way of building: its criteria, scores and ranks by each method, SMAA-2 (the
    result and this alternative's row) and its simulation against the recommended one's
    (on the same draws)."""
    smaa, i = smaa
    hit, npv, peak = run.hit, run.npv_cny, run.peak_cash_need_cny
    mix = blend(
        scenario.target.deliveries,
        scenario.target.window_months,
        month_end(scenario.start),
        run.months_to_window_end,
        run.window_deliveries_p50,
        float(hit.mean()),
    )
    names = list(criteria)
    return AlternativeView(
        alternative=label,
        options=options,
        criteria=criteria,
        weighted_sum=scores["weighted sum"],
        topsis=scores["TOPSIS"],
        ahp=scores["AHP"],
        ranks=ranks,
        rank_acceptability=smaa.rank_acceptability[i].tolist(),
        central_weights=None
        if np.isnan(smaa.central_weights[i]).any()
        else dict(zip(names, smaa.central_weights[i].tolist(), strict=True)),
        confidence=float(smaa.confidence[i]),
        p_target=float(hit.mean()),
        p_target_ci95=wilson_interval(int(hit.sum()), hit.size),
        p_target_blend=mix.p_target,
        npv_cny_mean=float(npv.mean()),
        npv_cny_p10_p50_p90=tuple(np.quantile(npv, [0.1, 0.5, 0.9]).tolist()),
        peak_cash_need_cny_p50=float(np.median(peak)),
        npv_vs_recommended_cny=_paired(npv, recommended.npv_cny),
        p_target_vs_recommended=_paired(hit.astype(float), recommended.hit.astype(float)),
        decisions=run.decisions,
    )


def _ahp(x, weights, benefit, names):
    for c, name in enumerate(names):
        if not benefit[c] and (x[:, c] <= 0).any():
            raise UserError(
                f"assessment.criteria.{name}: AHP compares reciprocals of a cost "
                f"criterion, and an alternative has {x[:, c].min():g}; all must be > 0"
            )
    return mcda.ahp_priorities(x, weights, benefit)


@dataclass(frozen=True)
class _Simulated:
    hit: np.ndarray  # (paths,) bool
    npv_cny: np.ndarray
    peak_cash_need_cny: np.ndarray
    window_deliveries_p50: float  # vehicles in the target window, median path
    months_to_window_end: int  # from the scenario's start, on the median path
    decisions: list[OptionDecisions]


def _simulate(scenario, params, options) -> _Simulated:
    run = simulate(scenario, params, options, keep=0)
    months = scenario.horizon_months
    target = scenario.target
    out = sales_outcomes(run.deliveries, target.deliveries, target.window_months)
    first = out.first_delivery_month
    return _Simulated(
        out.hit,
        run.npv_cny,
        run.peak_cash_need_cny,
        float(np.median(out.cumulative_at[target.window_months])),
        int(np.median(np.where(first >= 0, first, run.deliveries.shape[1]))) + target.window_months,
        option_decisions(
            scenario, options, tally(run.shift_month, months), tally(run.commit_month, months)
        ),
    )


def _paired(a, b) -> tuple[float, float, float]:
    """Mean of a - b on the same draws, with its 95% interval (normal approximation)."""
    d = np.asarray(a) - np.asarray(b)
    half = Z95 * d.std(ddof=1) / np.sqrt(d.size) if d.size > 1 else 0.0
    return float(d.mean()), float(d.mean() - half), float(d.mean() + half)


def _statement(views: list[AlternativeView], recommended: int, best: int) -> str:
    rec, sim = views[recommended], views[best]
    methods = [m for m, r in rec.ranks.items() if r == 1]
    b1 = rec.rank_acceptability[0]
    rival = max((v for v in views if v is not rec), key=lambda v: v.rank_acceptability[0])
    text = (
        f"With the stated weights {' and '.join(methods)} rank{'s' if len(methods) == 1 else ''} "
        f"{rec.alternative} first. Across all weightings (SMAA-2) it is first in "
        f"{100 * b1:.0f}% of draws"
    )
    if b1 < 0.5:
        text += (
            f", {rival.alternative} in {100 * rival.rank_acceptability[0]:.0f}%: the choice "
            "depends on how the criteria are weighed."
        )
    else:
        text += ": the choice holds for most weightings."
    none_hit = all(v.p_target == 0 for v in views)
    measure = "mean NPV" if none_hit else "P(target), then mean NPV"
    if none_hit:
        text += " No way of building reaches the target in any simulated path."
    if recommended == best:
        return text + (
            f" The simulation agrees: {rec.alternative} does best on {measure} "
            f"(P(target) {100 * rec.p_target:.1f}%, mean NPV "
            f"{rec.npv_cny_mean / 1e9:,.1f} bn CNY)."
        )
    diff, lo, hi = sim.npv_vs_recommended_cny
    dp, _, _ = sim.p_target_vs_recommended
    return text + (
        f" The simulation disagrees: {sim.alternative} does better on {measure} "
        f"(P(target) {100 * dp:+.1f} points; mean NPV {diff / 1e9:+,.1f} bn CNY, "
        f"95% CI {lo / 1e9:+,.1f} to {hi / 1e9:+,.1f}, on common random numbers)."
    )
