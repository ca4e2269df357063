"""What a stated volume target is worth: the reference class of makers' announced targets.

A maker's target (or a plan's own forecast: its inside view) is a noisy signal of what it
will deliver. On the targets whose outcomes were published by a date, the log ratio of
target to outcome r = log(T / A) is modelled as a shading plus a random walk with drift
over the months h from the statement to the window's end, r = shade + drift h + scale
sqrt(h) e: guidance for the current quarter is close and shaded to be beaten, a goal
stated years ahead is neither close nor modest. The
class holds tight quarterly guidance beside makers that delivered 3 of 50 cars, so e is
Student t with 3 degrees of freedom (a normal would let one collapse widen every quarter's
guidance). Fitted by maximum likelihood.

Combined with the forecaster's predictive (the outside view, log-normal with the mean and
sd of its draws' logs) by Bayes' rule on a grid of log deliveries: the weight of the inside
view is what announced targets turned out to be worth, and the outside view still gives
probability to outcomes the plan never reaches.
"""

import csv
import datetime as dt
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

import numpy as np
from scipy.optimize import minimize
from scipy.stats import norm
from scipy.stats import t as student_t

from ..scenario.months import parse_month
from .entrants import month_end, published_date

MIN_TARGETS = 5  # resolved targets needed before they are trusted to weigh a signal
DAYS_PER_MONTH = 365.25 / 12
TAIL_DF = 3.0
GRID_POINTS = 4001


@dataclass(frozen=True)
class StatedTarget:
    """One row of ``data/targets.csv``: a maker's stated volume over a calendar window."""

    line: int  # in targets.csv, for messages
    company: str
    stated_on: dt.date
    target: float
    measure: str  # deliveries, sales or production
    window_start: str  # YYYY-MM
    window_end: str  # YYYY-MM, inclusive
    achieved: float | None  # None while the window has not ended
    achieved_is_lower_bound: bool
    achieved_published: dt.date | None

    @property
    def horizon_months(self) -> float:
        """Months from the statement to the end of the window (at least half a month)."""
        days = (month_end(self.window_end) - self.stated_on).days
        return max(days / DAYS_PER_MONTH, 0.5)


@cache
def stated_targets() -> tuple[StatedTarget, ...]:
    with (files("evlaunch") / "data" / "targets.csv").open(encoding="utf-8", newline="") as h:
        rows = list(csv.DictReader(h))
    out = []
    for line, row in enumerate(rows, start=2):
        where = f"targets.csv, line {line}"
        done = bool(row["achieved"].strip())
        out.append(
            StatedTarget(
                line,
                row["company"],
                published_date(row["stated_on"], where),
                float(row["target_value"]),
                row["measure"],
                parse_month(row["window_start"]),
                parse_month(row["window_end"]),
                float(row["achieved"]) if done else None,
                row["achieved_bound"] == "lower",
                published_date(row["achieved_published"], where) if done else None,
            )
        )
    return tuple(out)


@dataclass(frozen=True)
class TargetReliability:
    """How far stated targets were from outcomes, as known on ``as_of``."""

    as_of: dt.date
    targets: int  # resolved targets it was fitted on
    shade: float  # log(target / achieved) at no horizon: below 0, guidance set to be beaten
    drift: float  # log(target / achieved) per month of horizon: above 0, targets too high
    scale: float  # sd of log(target / achieved) per square root of a month of horizon
    hit_rate: float  # share of those targets met
    longest_horizon_months: float  # of those targets: the signal is not trusted beyond it

    def bias(self, horizon_months: float) -> float:
        return self.shade + self.drift * max(horizon_months, 0.5)

    def sd(self, horizon_months: float) -> float:
        return self.scale * float(np.sqrt(max(horizon_months, 0.5)))


def reliability(as_of: dt.date) -> TargetReliability | None:
    """Fitted on every target whose exact outcome was published by ``as_of``: deliveries,
    sales and production alike, as each is a stated volume and the long-range ones are
    mostly production goals ("over N" outcomes are not used as exact); None with fewer than
    MIN_TARGETS."""
    known = [
        t
        for t in stated_targets()
        if t.achieved_published is not None
        and t.achieved_published <= as_of
        and not t.achieved_is_lower_bound
        and t.achieved > 0
    ]
    if len(known) < MIN_TARGETS:
        return None
    r = np.log([t.target / t.achieved for t in known])
    h = np.array([t.horizon_months for t in known])
    shade, drift, scale = fit_random_walk(r, h)
    hit = np.mean([t.achieved >= t.target for t in known])
    return TargetReliability(as_of, len(known), shade, drift, scale, float(hit), float(h.max()))


def fit_random_walk(log_ratios, horizons_months, df: float = TAIL_DF) -> tuple[float, float, float]:
    """(shade, drift, scale): maximum likelihood of r = shade + drift h + scale sqrt(h) e,
    e ~ t(df)."""
    r = np.asarray(log_ratios, dtype=float)
    h = np.asarray(horizons_months, dtype=float)
    root = np.sqrt(h)

    def nll(x):
        shade, drift, log_scale = x
        z = (r - shade - drift * h) / (np.exp(log_scale) * root)
        return -np.sum(student_t.logpdf(z, df)) + r.size * log_scale

    start = np.array([np.median(r), 0.0, np.log(np.std(r / root) + 1e-3)])
    best = minimize(
        nll, start, method="Nelder-Mead", options={"xatol": 1e-9, "fatol": 1e-12, "maxiter": 4000}
    )
    shade, drift, log_scale = best.x
    return float(shade), float(drift), float(np.exp(log_scale))


@dataclass(frozen=True)
class Combined:
    """The outside view updated by a stated volume: a posterior of log(1 + vehicles)."""

    log_grid: np.ndarray
    cdf: np.ndarray
    weight_stated: float  # how far the median moved from the outside view's to the signal

    def p_at_least(self, vehicles: float) -> float:
        return float(1.0 - np.interp(np.log1p(vehicles), self.log_grid, self.cdf))

    def quantile(self, level: float) -> float:
        return float(np.expm1(np.interp(level, self.cdf, self.log_grid)))


def combine(
    outside_draws,
    stated: float,
    horizon_months: float,
    trust: TargetReliability,
    df: float = TAIL_DF,
) -> Combined:
    """The forecaster's draws of a window's deliveries (the outside view), updated by a stated
    volume for that window treated as a signal whose error is what ``trust`` measured."""
    logs = np.log1p(np.maximum(np.asarray(outside_draws, dtype=float), 0.0))
    mean, sd = float(logs.mean()), float(max(logs.std(), 1e-6))
    signal = float(np.log1p(stated) - trust.bias(horizon_months))
    noise = trust.sd(horizon_months)
    # the posterior lies where the prior or the signal has its mass, or between: a fine grid
    # over each and one over the whole span
    spans = [(mean - 12 * sd, mean + 12 * sd), (signal - 12 * noise, signal + 12 * noise)]
    spans.append((min(a for a, _ in spans), max(b for _, b in spans)))
    grid = np.unique(np.concatenate([np.linspace(a, b, GRID_POINTS) for a, b in spans]))
    log_post = norm.logpdf(grid, mean, sd) + student_t.logpdf((signal - grid) / noise, df)
    density = np.exp(log_post - log_post.max())
    cdf = np.concatenate([[0.0], np.cumsum(0.5 * (density[1:] + density[:-1]) * np.diff(grid))])
    cdf /= cdf[-1]
    median = float(np.interp(0.5, cdf, grid))
    moved = (median - mean) / (signal - mean) if abs(signal - mean) > 1e-9 else 1.0
    return Combined(grid, cdf, float(moved))
