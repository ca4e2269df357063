"""The outside view: what real entrants, as known on the plan's date, say about its target.

The outside view is the forecaster's prior predictive for a new entrant (``forecaster.py``):
the hierarchical Bass population fitted on every entrant's figures published by ``as_of``,
a new entrant drawn from it, its cumulative deliveries after the target window, spread as
the hindcast calibrated it (``calibration.py``). So a 2021
plan is judged only by what was known in 2021.

Blend: the plan's own median (the inside view) is a stated volume like a maker's target,
so it updates the outside view by what stated targets turned out to be worth as known on
the plan's date (``targets.py``, scored on the hindcast's stated targets): the weight of the
inside view is fitted, and the outside view still gives probability to outcomes the plan's
paths never reach. Where no target stated that far ahead had resolved by then, the fit
would be an extrapolation: the two views are then pooled with equal weights (a mixture;
Clemen 1989, "Combining forecasts", IJF 5:559-583: equal weights are hard to beat), and
the view says which it did.
"""

import datetime as dt
import hashlib
import io
import os
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path

import numpy as np

from .. import __version__
from ..errors import UserError
from ..io import write_bytes_atomic
from . import forecaster
from .calibration import spread_for, widen
from .entrants import entrants
from .forecaster import Series, fit
from .outlook import reference_class
from .targets import Combined, combine, reliability

WEIGHT_INSIDE = 0.5  # of the equal-weight pool, where the stated-target fit does not reach
DISAGREEMENT = 3.0  # a factor between the two views' medians worth a sentence
OUTSIDE_SEED = 20_210_900  # the outside view of a date is one fixed draw set, whatever the run


@dataclass(frozen=True)
class OutsideView:
    as_of: str  # ISO date: the forecaster saw figures published by then
    window_months: int
    target: float
    reference_entrants: int  # in the class the forecaster was fitted on
    entrants: dict[str, float]  # company -> deliveries in the window, those known that far
    target_percentile: float  # share of the outside view's draws below the target, in %
    p_target_outside: float
    p_target_inside: float
    p_target_blend: float
    weight_inside: float
    blend_method: str  # one sentence: how the two views were combined, and on what
    outside_median: float
    outside_p10_p90: tuple[float, float]
    inside_median: float
    blend_median: float
    disagreement: str | None  # one sentence when the views differ by more than 3x

    def to_dict(self) -> dict:
        return asdict(self)


@cache
def outside_draws(as_of: dt.date, window_months: int) -> tuple[np.ndarray, int]:
    """(draws of a new entrant's cumulative deliveries after ``window_months`` months of
    sales, entrants in the reference class), as known on ``as_of``.

    A function of the bundled data, the date, the window, the forecaster's code and the
    version only, so it is kept on disk (fitting takes seconds, compiling the sampler in a
    new process ~25 s)."""
    reference = reference_class(as_of)
    model = Path(forecaster.__file__).read_bytes()
    spread = spread_for(0, as_of)
    key = hashlib.sha256(
        repr((reference, as_of, window_months, spread, OUTSIDE_SEED, __version__)).encode() + model
    ).hexdigest()[:24]
    path = Path(_cache_dir()) / f"outside-{key}.npy"
    try:
        return np.load(path, allow_pickle=False), len(reference)
    except (OSError, ValueError):
        pass
    posterior = fit(reference, Series("new entrant", ()), seed=OUTSIDE_SEED)
    rng = np.random.default_rng(OUTSIDE_SEED)
    draws = widen(posterior.predict([window_months], rng), 0.0, spread)[:, 0]
    buffer = io.BytesIO()
    np.save(buffer, draws)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_bytes_atomic(path, buffer.getvalue())
    except (OSError, UserError):
        pass  # a cache we cannot write is only slower
    return draws, len(reference)


def _cache_dir() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "evlaunch")


def _inside_cdf(edges: np.ndarray, counts: np.ndarray, log_value: float) -> float:
    """Share of inside paths at or below ``log_value`` (uniform within a histogram bin)."""
    total = counts.sum()
    if total == 0:
        return float("nan")
    part = np.clip((log_value - edges[:-1]) / np.diff(edges), 0.0, 1.0)
    return float((counts * part).sum() / total)


@dataclass(frozen=True)
class Blend:
    """P(target) of the inside and outside views combined (see the module)."""

    p_target: float
    weight_inside: float
    method: str  # one sentence: how, and on what
    fitted: Combined | None  # the updated outside view, where the weight is fitted


def blend(
    target: float,
    window_months: int,
    as_of: dt.date,
    horizon_months: float,
    inside_median: float,
    p_target_inside: float,
) -> Blend:
    """Combine a plan whose median delivers ``inside_median`` in the window (and reaches the
    target with ``p_target_inside``) with the outside view as of ``as_of``; the window ends
    ``horizon_months`` after ``as_of``."""
    draws, _ = outside_draws(as_of, window_months)
    trust = reliability(as_of)
    if trust is not None and horizon_months <= trust.longest_horizon_months:
        fitted = combine(draws, inside_median, horizon_months, trust)
        return Blend(
            fitted.p_at_least(target),
            fitted.weight_stated,
            f"the plan's median updates the outside view as {trust.targets} stated targets "
            f"resolved by {as_of} say such a figure is worth {horizon_months:.0f} months ahead",
            fitted,
        )
    longest = f"{trust.longest_horizon_months:.0f}" if trust else "no"
    p_outside = float(np.mean(draws >= target))
    return Blend(
        WEIGHT_INSIDE * p_target_inside + (1 - WEIGHT_INSIDE) * p_outside,
        WEIGHT_INSIDE,
        f"equal weights: no stated target {horizon_months:.0f} months ahead had resolved by "
        f"{as_of} (the longest: {longest} months), so a fitted weight would be a guess",
        None,
    )


def outside_view(
    target: float,
    window_months: int,
    as_of: dt.date,
    horizon_months: float,
    inside_log_edges,
    inside_log_counts,
    p_target_inside: float,
) -> OutsideView:
    """Compare a target of ``target`` deliveries in ``window_months`` months of sales with
    real entrants as known on ``as_of``, and blend with the inside view (a histogram of
    log(1 + window deliveries) over the Monte Carlo's paths); ``horizon_months`` from
    ``as_of`` to the end of the plan's target window."""
    draws, n_reference = outside_draws(as_of, window_months)
    edges = np.asarray(inside_log_edges, dtype=float)
    counts = np.asarray(inside_log_counts, dtype=float)
    p_outside = float(np.mean(draws >= target))
    grid = np.sort(np.concatenate([np.log1p(draws), edges]))
    inside_cdf = np.array([_inside_cdf(edges, counts, g) for g in grid])
    inside_median = float(np.expm1(grid[np.searchsorted(inside_cdf, 0.5)]))
    outside_median = float(np.median(draws))

    mix = blend(target, window_months, as_of, horizon_months, inside_median, p_target_inside)
    if mix.fitted is not None:
        blend_median = mix.fitted.quantile(0.5)
    else:
        w = mix.weight_inside
        outside_cdf = np.searchsorted(np.sort(np.log1p(draws)), grid, side="right") / draws.size
        blend_cdf = w * inside_cdf + (1 - w) * outside_cdf
        blend_median = float(np.expm1(grid[min(np.searchsorted(blend_cdf, 0.5), grid.size - 1)]))

    disagreement = None
    ratio = max(inside_median, 1.0) / max(outside_median, 1.0)
    if ratio > DISAGREEMENT or ratio < 1 / DISAGREEMENT:
        highest = float(np.expm1(edges[np.nonzero(counts)[0][-1] + 1])) if counts.any() else 0.0
        lacks = (
            f"every simulated path stays below {highest:,.0f}, so the plan's capacity and "
            "demand, not the odds, cap it"
            if highest < target
            else "its uncertainty may be too narrow"
        )
        disagreement = (
            f"The inside view's median ({inside_median:,.0f}) is {max(ratio, 1 / ratio):.1f} "
            f"times {'above' if ratio > 1 else 'below'} what entrants known on {as_of} "
            f"suggest ({outside_median:,.0f}): {lacks}."
        )
    known = {e.company: float(e.cumulative_at(window_months)) for e in entrants(as_of)}
    return OutsideView(
        as_of=as_of.isoformat(),
        window_months=window_months,
        target=target,
        reference_entrants=n_reference,
        entrants={k: v for k, v in known.items() if np.isfinite(v)},
        target_percentile=100.0 * float(np.mean(draws < target)),
        p_target_outside=p_outside,
        p_target_inside=p_target_inside,
        p_target_blend=mix.p_target,
        weight_inside=mix.weight_inside,
        blend_method=mix.method,
        outside_median=outside_median,
        outside_p10_p90=tuple(float(v) for v in np.quantile(draws, [0.1, 0.9])),
        inside_median=inside_median,
        blend_median=blend_median,
        disagreement=disagreement,
    )
