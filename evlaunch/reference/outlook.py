"""Forecasts of one entrant's cumulative deliveries, made as of a date, by the one forecaster.

A forecast made on ``as_of`` sees the reference class as published by then (the entrant
itself left out) and the entrant's own figures published by then and ending by the month of
sales it is made after. Its draws are a function of (data, seed, version) only.
"""

import datetime as dt
import hashlib
from dataclasses import dataclass, replace

import numpy as np

from ..model.outcomes import CHECKPOINTS
from ..scenario.months import add_months
from .calibration import spread_for, widen
from .entrants import Entrant, entrants, month_end
from .forecaster import Posterior, Series, fit


@dataclass(frozen=True)
class Question:
    """Forecast ``entrant``'s cumulative deliveries at ``months`` of sales, as of ``as_of``."""

    entrant: Entrant  # its own figures already cut to what is known (see ``question``)
    as_of: dt.date
    months: tuple[float, ...]
    key: str  # names the question in its seed: the same question, the same draws

    @property
    def own(self) -> Series:
        return Series(self.entrant.company, tuple(self.entrant.increments()))

    @property
    def known(self) -> tuple[float, float] | None:
        """The entrant's last known (month of sales, cumulative deliveries), if anchored."""
        months, cumulative = self.entrant.points
        return (float(months[-1]), float(cumulative[-1])) if months.size > 1 else None


def origin_date(first_delivery: str, months_of_sales: int) -> dt.date:
    """The forecast date after ``months_of_sales`` whole months of sales: the end of the next
    calendar month, by when the last of those months' figures is usually published."""
    return month_end(add_months(first_delivery, months_of_sales))


def question(entrant: Entrant, as_of: dt.date, after_month: float, months, key: str) -> Question:
    """What a forecaster on ``as_of`` knows of ``entrant``: figures published by then that end
    by month ``after_month`` of sales."""
    known = entrant.as_of(as_of)
    cut = tuple(f for f in known.figures if f.end_month <= after_month)
    return Question(replace(known, figures=cut), as_of, tuple(float(m) for m in months), key)


def reference_class(as_of: dt.date, leave_out: str | None = None) -> list[Series]:
    """Every passenger-car entrant known on ``as_of``, as published by then."""
    series = (Series(e.company, tuple(e.increments())) for e in entrants(as_of))
    return [s for s in series if s.name != leave_out and s.increments]


def _seed(seed: int, key: str) -> int:
    return int.from_bytes(hashlib.sha256(f"{seed}:{key}".encode()).digest()[:4])


@dataclass(frozen=True)
class Outlook:
    question: Question
    draws: np.ndarray  # (draws, len(months)) cumulative deliveries
    posterior: Posterior


def answer(questions: list[Question], seed: int = 0) -> list[Outlook]:
    """Answer each question with its own fit (one batch per question, so a question's
    draws do not depend on which others are asked with it)."""
    out = []
    for q in questions:
        reference = reference_class(q.as_of, leave_out=q.entrant.company)
        qseed = _seed(seed, q.key)
        posterior = fit(reference, q.own, qseed)
        rng = np.random.default_rng(qseed)
        out.append(Outlook(q, posterior.predict(q.months, rng, q.known), posterior))
    return out


@dataclass(frozen=True)
class ActualsForecast:
    """What the forecaster expects after a maker's own monthly deliveries."""

    as_of: str  # ISO date: the reference class as published by then
    months_observed: int
    delivered_so_far: float
    reference_entrants: int
    months: list[int]  # months of sales forecast
    quantiles: dict[float, list[float]]  # level -> cumulative deliveries at ``months``
    p_per_year: tuple[float, float, float]  # posterior 10/50/90% of Bass p
    q_per_year: tuple[float, float, float]
    market_vehicles: tuple[float, float, float]
    divergences: int
    p_target: float | None  # P(cumulative after the target's months >= its vehicles)
    # level -> cumulative deliveries after each of ``fan_months`` months of sales (the known
    # total where a month is observed; None past FAN_MONTHS), when asked for
    fan: dict[float, list[float | None]] | None = None


# The forecaster is scored up to 36 months of sales (the hindcast): its fan stops there
FAN_MONTHS = max(CHECKPOINTS)


def _fan(posterior: Posterior, monthly, at, levels, rng, spread) -> dict:
    """``levels`` quantiles of cumulative deliveries after ``at`` months of sales, from whole
    predicted paths: the known total where a month is observed, None past FAN_MONTHS."""
    n, total = monthly.size, float(monthly.sum())
    known = np.concatenate([[0.0], np.cumsum(monthly)])[np.clip(at, 0, n).astype(int)]
    out = np.tile(known, (posterior.log_m.size, 1))
    ahead = (at > n) & (at <= FAN_MONTHS)
    if ahead.any():
        drawn = posterior.predict(at[ahead], rng, known=(float(n), total), paths=True)
        out[:, ahead] = widen(drawn, total, spread)
    quantiles = np.quantile(out, levels, axis=0)
    return {
        lv: [float(v) if m <= FAN_MONTHS else None for v, m in zip(row, at, strict=True)]
        for lv, row in zip(levels, quantiles, strict=True)
    }


def forecast_actuals(
    first_month: str,
    monthly,
    seed: int = 0,
    months=CHECKPOINTS,
    target: tuple[int, float] | None = None,
    fan_months=(),
    fan_levels=(0.05, 0.25, 0.5, 0.75, 0.95),
) -> ActualsForecast:
    """Forecast a maker's cumulative deliveries from its monthly deliveries so far (month 1 of
    sales is ``first_month``), as of the end of the month after the last one (when its
    figure is out), learning from the entrants published by then; spread as the hindcast
    calibrated it. ``fan_months`` (months of sales): also the ``fan_levels`` quantiles there,
    drawn after everything else, so asking for them changes no other figure."""
    monthly = np.asarray(monthly, dtype=float)
    n = monthly.size
    as_of = origin_date(first_month, n)
    reference = reference_class(as_of)
    own = Series(
        "actuals", tuple((float(t), t + 1.0, float(v), False) for t, v in enumerate(monthly))
    )
    posterior = fit(reference, own, _seed(seed, f"actuals:{first_month}:{n}"))
    ahead = [m for m in months if m > n] or [n + 1]
    rng = np.random.default_rng(seed)
    known = (float(n), float(monthly.sum()))
    spread = spread_for(n, as_of)
    draws = widen(posterior.predict(ahead, rng, known=known), known[1], spread)
    levels = (0.025, 0.1, 0.5, 0.9, 0.975)
    q = np.quantile(draws, levels, axis=0)
    m = np.exp(posterior.log_m)
    p = 12 * np.exp(posterior.log_rate0) / m
    qq = 12 * np.exp(posterior.log_q)

    p_target = None
    if target is not None:
        window, vehicles = target
        if window <= n:
            p_target = float(monthly[:window].sum() >= vehicles)
        else:
            at = widen(posterior.predict([window], rng, known=known), known[1], spread)
            p_target = float(np.mean(at[:, 0] >= vehicles))

    fan = None
    if len(fan_months):
        fan = _fan(posterior, monthly, np.asarray(fan_months, dtype=float), fan_levels, rng, spread)

    def tri(x):
        return tuple(float(v) for v in np.quantile(x, [0.1, 0.5, 0.9]))

    return ActualsForecast(
        as_of.isoformat(),
        n,
        float(monthly.sum()),
        len(reference),
        ahead,
        {lv: q[i].tolist() for i, lv in enumerate(levels)},
        tri(p),
        tri(qq),
        tri(m),
        posterior.divergences,
        p_target,
        fan,
    )
