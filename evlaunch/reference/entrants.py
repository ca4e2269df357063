"""Real EV entrants: cumulative deliveries by months of sales, from sourced figures.

Each entrant's known points (months since the start of its first-delivery month, cumulative
deliveries) come from cumulative milestones and from annual or quarterly totals chained onto
them; the months in between are interpolated by a monotone cubic (PCHIP, Fritsch & Carlson
1980, SIAM J. Numer. Anal. 17(2):238-246) through those points, which reproduces every source
total exactly at its date and never makes cumulative deliveries fall. Nothing is
extrapolated past an entrant's last known point.
"""

import csv
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

import numpy as np
from scipy.interpolate import PchipInterpolator

from ..errors import UserError
from ..scenario.months import months_between, parse_month

CONSISTENCY = 0.02  # two sources may disagree by rounding: 2% of the period's total


@dataclass(frozen=True)
class Entrant:
    company: str
    country: str
    first_delivery: str  # 'YYYY-MM'
    months: tuple[float, ...]  # months since the start of the first-delivery month
    cumulative: tuple[float, ...]  # deliveries by then
    sources: tuple[str, ...]

    @property
    def last_month(self) -> float:
        return self.months[-1]

    def cumulative_at(self, months_of_sales) -> np.ndarray:
        """Cumulative deliveries after ``months_of_sales`` months; nan past the last point."""
        t = np.asarray(months_of_sales, dtype=float)
        curve = PchipInterpolator(self.months, self.cumulative, extrapolate=False)
        return np.where(t <= self.last_month, curve(np.minimum(t, self.last_month)), np.nan)

    def monthly_cumulative(self, months: int) -> np.ndarray:
        """(months,) cumulative at the end of months 1..months of sales (nan past the data)."""
        return self.cumulative_at(np.arange(1, months + 1))


def _rows(name: str) -> list[dict]:
    with (files("evlaunch") / "data" / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _month_end(first: str, month: str) -> float:
    """Months from the start of ``first`` to the end of ``month``."""
    return float(months_between(first, month) + 1)


@cache
def entrants() -> tuple[Entrant, ...]:
    """Every entrant with a first-delivery month, its points checked for consistency."""
    deliveries = _rows("deliveries.csv")
    milestones = _rows("cumulative_milestones.csv")
    out = []
    for row in _rows("first_deliveries.csv"):
        company, first = row["company"], parse_month(row["first_delivery"])
        known = {0.0: 0.0}
        sources = {row["source"]}
        for m in (m for m in milestones if m["company"] == company):
            t = _month_end(first, parse_month(m["as_of"]))
            known[t] = float(m["cumulative_deliveries"])
            sources.add(m["source"])
        periods = []
        for d in (d for d in deliveries if d["company"] == company):
            year, quarter = int(d["year"]), d["quarter"]
            start, end = (
                (f"{year}-01", f"{year}-12")
                if not quarter
                else (f"{year}-{3 * int(quarter) - 2:02d}", f"{year}-{3 * int(quarter):02d}")
            )
            t0 = max(float(months_between(first, start)), 0.0)
            t1 = _month_end(first, end)
            if t1 > 0:
                periods.append((t0, t1, float(d["deliveries"]), d))
                sources.add(d["source"])
        _chain(company, known, periods)
        months = sorted(known)
        cumulative = [known[t] for t in months]
        if any(b < a for a, b in zip(cumulative, cumulative[1:], strict=False)):
            raise UserError(
                f"reference data for {company}: cumulative deliveries fall between "
                f"{list(zip(months, cumulative, strict=True))}"
            )
        out.append(
            Entrant(
                company,
                row["country"],
                first,
                tuple(months),
                tuple(cumulative),
                tuple(sorted(sources)),
            )
        )
    return tuple(out)


def _chain(company, known: dict, periods: list) -> None:
    """Fill in period ends (or starts) from totals until nothing more follows; check the rest."""
    changed = True
    while changed:
        changed = False
        for t0, t1, total, _row in periods:
            if t0 in known and t1 not in known:
                known[t1] = known[t0] + total
                changed = True
            elif t1 in known and t0 not in known:
                known[t0] = known[t1] - total
                changed = True
    for t0, t1, total, row in periods:
        if t0 in known and t1 in known:
            gap = known[t1] - known[t0] - total
            if abs(gap) > CONSISTENCY * total + 1:
                raise UserError(
                    f"reference data for {company}: {row['year']} {row['quarter'] or ''} "
                    f"deliveries of {total:,.0f} (source {row['source']}) disagree by "
                    f"{gap:+,.0f} with the cumulative figures around them"
                )


def entrant(company: str) -> Entrant:
    for e in entrants():
        if e.company == company:
            return e
    raise KeyError(company)
