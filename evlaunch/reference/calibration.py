"""Spread calibration of the forecaster, fitted on its own past forecasts, as of a date.

The hindcast found the forecaster's intervals too narrow in a launch's first months and
about right after a year. The remedy is the one ensemble forecasters use (Gneiting et al.
2005, "Calibrated probabilistic forecasting using ensemble model output statistics", MWR
133:1098-1118: inflate the spread, keep the centre): each forecast's deliveries beyond what
is known are spread k times wider in log space about their median, k fitted per group of
forecast origins by minimising the CRPS of log deliveries.

k is itself learnt from outcomes, so it obeys the rule every forecast does: a forecast as of
a date uses a k fitted only on past forecasts whose outcome was published by that date. The
hindcast scores it so (each forecast's k fitted on the other entrants' forecasts resolved
by its own date), and ``data/calibration.csv`` holds k as fitted at the end of each year
(a vintage), with the run that fitted it. Before MIN_CASES forecasts of a group had resolved
there is nothing to learn k from, and the forecasts are left as the model gives them.
"""

import csv
import datetime as dt
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

import numpy as np
from scipy.optimize import minimize_scalar

SPREAD_BOUNDS = (0.25, 6.0)
# Forecast origins (months of sales seen) that share a spread: a launch seen for under a year,
# and after
ORIGIN_GROUPS = ((0, 11), (12, 10**6))
# Resolved forecasts a spread is fitted on, at least: with fewer, one entrant's miss would
# set it (a group's forecasts of one entrant number up to 9)
MIN_CASES = 10


@dataclass(frozen=True)
class Resolved:
    """A past forecast of one checkpoint whose outcome has been published."""

    entrant: str
    months_seen: int  # the forecast's origin
    resolved_on: dt.date  # when the outcome was first published
    draws: np.ndarray  # (draws,) cumulative deliveries
    known: float  # delivered by the origin
    truth: float


def group_of(months_seen: float) -> tuple[int, int]:
    for lo, hi in ORIGIN_GROUPS:
        if lo <= months_seen <= hi:
            return lo, hi
    raise ValueError(f"months of sales seen: {months_seen} is negative")


def widen(draws, known, spread: float) -> np.ndarray:
    """``draws`` (draws, checkpoints) of cumulative deliveries with ``known`` delivered
    already (a number, or one per checkpoint): what comes after it spread ``spread`` times
    wider in log space about its median, per checkpoint."""
    draws = np.asarray(draws, dtype=float)
    ahead = np.log1p(np.maximum(draws - known, 0.0))
    centre = np.median(ahead, axis=0)
    return known + np.expm1(centre + spread * (ahead - centre))


def fit_spread(items) -> float:
    """The spread minimising the mean CRPS of log deliveries over ``items``, each
    (draws at one checkpoint, known, truth)."""
    import scoringrules as sr

    draws = np.stack([d for d, _, _ in items], axis=1)  # (draws, items)
    known = np.array([k for _, k, _ in items])
    truth = np.log1p([t for _, _, t in items])

    def loss(k):
        widened = np.log1p(widen(draws, known, k))
        return float(np.mean(sr.crps_ensemble(truth, widened.T)))

    best = minimize_scalar(loss, bounds=SPREAD_BOUNDS, method="bounded", options={"xatol": 1e-3})
    return float(best.x)


def spread_from(
    resolved: list[Resolved], months_seen: float, as_of: dt.date, leave_out: str | None = None
) -> tuple[float, int] | None:
    """(spread, forecasts it rests on) for a forecast after ``months_seen`` months of sales
    made on ``as_of``: fitted on the past forecasts of its origin group resolved by then
    (none of ``leave_out``'s); None when fewer than MIN_CASES had."""
    group = group_of(months_seen)
    usable = [
        (r.draws, r.known, r.truth)
        for r in resolved
        if group_of(r.months_seen) == group and r.resolved_on <= as_of and r.entrant != leave_out
    ]
    return (fit_spread(usable), len(usable)) if len(usable) >= MIN_CASES else None


@dataclass(frozen=True)
class Vintage:
    as_of: dt.date
    origins: tuple[int, int]
    spread: float
    cases: int


@cache
def vintages() -> tuple[Vintage, ...]:
    """The bundled spreads, oldest first."""
    path = files("evlaunch") / "data" / "calibration.csv"
    with path.open(encoding="utf-8", newline="") as h:
        rows = [
            Vintage(
                dt.date.fromisoformat(r["as_of"]),
                (int(r["origin_from"]), int(r["origin_to"])),
                float(r["spread"]),
                int(r["cases"]),
            )
            for r in csv.DictReader(h)
        ]
    return tuple(sorted(rows, key=lambda v: v.as_of))


def spread_for(months_seen: float, as_of: dt.date) -> float:
    """The bundled spread for a forecast after ``months_seen`` months of sales made on
    ``as_of``: the latest vintage fitted by then, or 1 (the model's own spread) if none was."""
    group = group_of(months_seen)
    fitted = [v for v in vintages() if v.origins == group and v.as_of <= as_of]
    return fitted[-1].spread if fitted else 1.0
