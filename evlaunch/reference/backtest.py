"""Backtest: fit on each entrant's first 12 months of sales, forecast months 13-36.

Our method: the Bass fit with its bootstrap intervals (``fit.py``). Naive baselines: the
drift method on cumulative deliveries (linear extrapolation) and on log cumulative
deliveries (constant growth), with their standard intervals, sd_h = sigma sqrt(h (1 + h /
(T - 1))) (Hyndman & Athanasopoulos, Forecasting: Principles and Practice, 3rd ed., 5.5).
The entrants' monthly series are interpolated from annual, quarterly and milestone figures
(``entrants.py``), so the test is of the shape of the curve, not of month-to-month noise.
"""

from dataclasses import asdict, dataclass

import numpy as np
from scipy import stats

from .entrants import entrants
from .fit import fit_bass

TRAIN, HORIZON = 12, 36
Z80 = stats.norm.ppf(0.9)


@dataclass(frozen=True)
class BacktestRow:
    entrant: str
    method: str
    mape: float  # mean absolute percentage error of cumulative deliveries, months 13-36
    coverage_80: float  # share of months 13-36 inside the 80% interval


def _drift(train: np.ndarray, h: np.ndarray):
    steps = np.diff(train)
    drift = steps.mean()
    sigma = steps.std(ddof=1)
    t = train.size
    centre = train[-1] + h * drift
    half = Z80 * sigma * np.sqrt(h * (1 + h / (t - 1)))
    return centre, centre - half, centre + half


def _score(truth, centre, low, high) -> tuple[float, float]:
    mape = float(np.mean(np.abs(centre - truth) / truth))
    return mape, float(np.mean((truth >= low) & (truth <= high)))


def backtest(seed: int = 0, draws: int = 2000) -> list[BacktestRow]:
    """One row per entrant with 36 months of data, per method, and an average per method."""
    rows = []
    rng = np.random.default_rng(seed)
    h = np.arange(1, HORIZON - TRAIN + 1)
    for e in entrants():
        if e.last_month < HORIZON:
            continue
        cum = e.monthly_cumulative(HORIZON)
        train, truth = cum[:TRAIN], cum[TRAIN:]
        monthly = np.diff(np.concatenate([[0.0], train]))
        fit = fit_bass(np.arange(1, TRAIN + 1), monthly, seed=seed)
        paths = fit.forecast(TRAIN, train[-1], np.arange(TRAIN + 1, HORIZON + 1), rng, draws)
        low, mid, high = np.quantile(paths, [0.1, 0.5, 0.9], axis=0)
        rows.append(BacktestRow(e.company, "Bass fit (evlaunch)", *_score(truth, mid, low, high)))
        rows.append(BacktestRow(e.company, "linear (drift)", *_score(truth, *_drift(train, h))))
        centre, lo, hi = _drift(np.log(np.maximum(train, 1.0)), h)
        rows.append(
            BacktestRow(
                e.company,
                "constant growth (log drift)",
                *_score(truth, np.exp(centre), np.exp(lo), np.exp(hi)),
            )
        )
    methods = dict.fromkeys(r.method for r in rows)
    for m in methods:
        mine = [r for r in rows if r.method == m]
        rows.append(
            BacktestRow(
                "all",
                m,
                float(np.mean([r.mape for r in mine])),
                float(np.mean([r.coverage_80 for r in mine])),
            )
        )
    return rows


def as_dicts(rows: list[BacktestRow]) -> list[dict]:
    return [asdict(r) for r in rows]
