"""Spread calibration of the forecaster, fitted on its own hindcast.

The hindcast found the forecaster's intervals too narrow in a launch's first months (80%
intervals holding about half of what happened) and about right after a year. The remedy is
the one ensemble forecasters use (Gneiting et al. 2005, "Calibrated probabilistic
forecasting using ensemble model output statistics", MWR 133:1098-1118: inflate the spread,
keep the centre): each forecast's deliveries beyond what is known are spread k times wider
in log space about their median, k fitted per group of forecast origins by minimising the
CRPS of log deliveries. The hindcast scores it cross-validated (k fitted without the
entrant scored); ``data/calibration.csv`` holds k fitted on every entrant, with the run
that produced it, and the forecasts users see (``fit``, the outside view) apply it.
"""

import csv
from functools import cache
from importlib.resources import files

import numpy as np
from scipy.optimize import minimize_scalar

SPREAD_BOUNDS = (0.25, 6.0)
# Forecast origins (months of sales seen) that share a spread: a launch seen for under a year,
# and after
ORIGIN_GROUPS = ((0, 11), (12, 10**6))


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


@cache
def _table() -> dict[tuple[int, int], float]:
    path = files("evlaunch") / "data" / "calibration.csv"
    with path.open(encoding="utf-8", newline="") as h:
        return {
            (int(r["origin_from"]), int(r["origin_to"])): float(r["spread"])
            for r in csv.DictReader(h)
        }


def spread_for(months_seen: float) -> float:
    """The bundled spread for a forecast after ``months_seen`` months of sales."""
    return _table()[group_of(months_seen)]
