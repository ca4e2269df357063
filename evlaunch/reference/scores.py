"""Scores of probabilistic forecasts, per case and per method and origin (Gneiting &
Raftery 2007, JASA 102:359-378): CRPS from ``scoringrules`` (in vehicles, and of log
deliveries, which weighs small and large entrants alike), coverage of the central
50/80/95% intervals, MdAPE and MAPE of the median, bias (share of medians above the truth),
the PIT, and each method's CRPS against the baselines' on the cases both forecast."""

import datetime as dt
from dataclasses import dataclass

import numpy as np

LEVELS = (0.5, 0.8, 0.95)
OURS = "evlaunch (hier. Bayes)"
# Spread-calibrated (calibration.py), k fitted on the other entrants' forecasts: all of them,
# as today's k is for a new forecast; or those resolved by the forecast's own date, as the
# forecasts dated in the past that users see are
CALIBRATED = "evlaunch, spread calibrated"
CALIBRATED_AS_OF = "evlaunch, spread as of the date"
ANALOG, DRIFT, BASS = "analog ensemble", "linear drift", "Bass per entrant"
BASELINES = (ANALOG, DRIFT, BASS)
METHODS = (OURS, CALIBRATED, CALIBRATED_AS_OF, *BASELINES)


@dataclass(frozen=True)
class Case:
    """One forecast of one checkpoint by one method, with its scores."""

    entrant: str
    origin: int  # months of sales seen
    as_of: str  # ISO date of the forecast
    checkpoint: int
    method: str
    truth: float
    median: float
    bounds: dict  # level -> (low, high)
    crps: float
    crps_log: float
    pit: float


@dataclass(frozen=True)
class MethodScore:
    method: str
    origin: int
    cases: int
    crps: float
    crps_log: float
    coverage: dict  # level -> share of truths inside the central interval
    mdape: float
    mape: float
    bias: float  # share of forecasts too high


def score(e: str, origin: int, as_of: dt.date, c: int, method: str, truth: float, draws):
    import scoringrules as sr

    draws = np.asarray(draws, dtype=float)
    tails = {
        lv: (float(np.quantile(draws, (1 - lv) / 2)), float(np.quantile(draws, (1 + lv) / 2)))
        for lv in LEVELS
    }
    return Case(
        e,
        origin,
        as_of.isoformat(),
        c,
        method,
        truth,
        float(np.median(draws)),
        tails,
        float(sr.crps_ensemble(truth, draws)),
        float(sr.crps_ensemble(np.log1p(truth), np.log1p(np.maximum(draws, 0)))),
        float(np.mean(draws < truth) + 0.5 * np.mean(draws == truth)),
    )


def ape(cases: list[Case]) -> np.ndarray:
    """Absolute percentage error of each case's median."""
    truth = np.array([c.truth for c in cases])
    return np.abs(np.array([c.median for c in cases]) - truth) / np.maximum(truth, 1.0)


def summarise(cases: list[Case]) -> list[MethodScore]:
    out = []
    for origin in sorted({c.origin for c in cases}):
        for method in METHODS:
            mine = [c for c in cases if c.origin == origin and c.method == method]
            if not mine:
                continue
            errors = ape(mine)
            out.append(
                MethodScore(
                    method,
                    origin,
                    len(mine),
                    float(np.mean([c.crps for c in mine])),
                    float(np.mean([c.crps_log for c in mine])),
                    {
                        lv: float(
                            np.mean([c.bounds[lv][0] <= c.truth <= c.bounds[lv][1] for c in mine])
                        )
                        for lv in LEVELS
                    },
                    float(np.median(errors)),
                    float(np.mean(errors)),
                    float(np.mean([c.median > c.truth for c in mine])),
                )
            )
    return out


def skill(cases: list[Case], ours_method: str) -> dict:
    """origin -> baseline -> (``ours_method``'s CRPS / its CRPS, cases) on the forecasts both
    made."""
    out = {}
    for origin in sorted({c.origin for c in cases}):
        ours = {
            (c.entrant, c.checkpoint): c.crps
            for c in cases
            if c.origin == origin and c.method == ours_method
        }
        row = {}
        for method in BASELINES:
            theirs = {
                (c.entrant, c.checkpoint): c.crps
                for c in cases
                if c.origin == origin and c.method == method and (c.entrant, c.checkpoint) in ours
            }
            if theirs:
                a = sum(ours[k] for k in theirs)
                b = sum(theirs.values())
                row[method] = {"ratio": a / b if b > 0 else float("nan"), "cases": len(theirs)}
        if row:
            out[origin] = row
    return out
