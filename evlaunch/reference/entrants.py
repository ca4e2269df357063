"""Real EV entrants: dated delivery figures on each entrant's months-of-sales axis.

Every figure (``data/deliveries.csv``) covers calendar months ``period_start``..``period_end``
(an empty start means "since the first delivery") and carries the date it was published, so
that a forecast made as of a date sees only what was known then (:meth:`Entrant.as_of`).
Month ``t`` of sales ends ``t`` months after the start of the first-delivery month.

Known points (months of sales, cumulative deliveries) come from cumulative figures and from
period totals chained onto them; where two figures cover the same period, the one published
last (a revision) is used. Between points, cumulative deliveries are interpolated by a
monotone cubic (PCHIP, Fritsch & Carlson 1980, SIAM J. Numer. Anal. 17(2):238-246), which
reproduces every point exactly and never falls. Nothing is extrapolated past the last point.
"""

import csv
import datetime as dt
from dataclasses import dataclass, replace
from functools import cache, cached_property
from importlib.resources import files

import numpy as np
from scipy.interpolate import PchipInterpolator

from ..errors import UserError
from ..scenario.months import months_between, parse_month

CONSISTENCY = 0.05  # chained figures may disagree by rounding and revisions: 5% of the total
BOUNDS = ("exact", "approx", "lower")
STATUSES = ("active", "stalled", "bankrupt", "never delivered")
SEGMENTS = ("passenger", "commercial")


def published_date(value: str, where: str) -> dt.date:
    """'YYYY-MM-DD', or 'YYYY-MM' read as the month's last day (the latest it can have been)."""
    text = value.strip()
    try:
        if len(text) == 10:
            return dt.date.fromisoformat(text)
        month = parse_month(text)
    except ValueError:
        raise UserError(
            f"{where}, published: {value!r} is not a date; write 'YYYY-MM-DD' (or 'YYYY-MM')"
        ) from None
    return month_end(month)


def month_end(month: str) -> dt.date:
    """The last day of calendar month 'YYYY-MM': an as-of month sees the whole month."""
    year, m = map(int, month.split("-"))
    first_of_next = dt.date(year + m // 12, m % 12 + 1, 1)
    return first_of_next - dt.timedelta(days=1)


@dataclass(frozen=True)
class Figure:
    """One published delivery figure, on its entrant's months-of-sales axis."""

    start_month: float  # months of sales before the period (0: since the first delivery)
    end_month: float  # months of sales at the period's end
    deliveries: float  # vehicles
    bound: str  # 'exact', 'approx' (about) or 'lower' (over / more than)
    published: dt.date
    source: str
    line: int  # in deliveries.csv, for messages

    @property
    def span(self) -> tuple[float, float]:
        return (self.start_month, self.end_month)


@dataclass(frozen=True)
class Entrant:
    company: str
    country: str
    segment: str
    status: str
    first_delivery: str | None  # 'YYYY-MM', None if it never delivered
    first_delivery_published: dt.date
    figures: tuple[Figure, ...]
    sources: tuple[str, ...]

    def as_of(self, date: dt.date | None) -> "Entrant":
        """The entrant as it was known on ``date``: figures published after it removed."""
        if date is None:
            return self
        return replace(self, figures=tuple(f for f in self.figures if f.published <= date))

    def known_on(self, date: dt.date | None) -> bool:
        """Whether a delivery by this entrant had been published by ``date``."""
        if self.first_delivery is None:
            return False
        dates = [self.first_delivery_published, *(f.published for f in self.figures)]
        return date is None or min(dates) <= date

    @cached_property
    def points(self) -> tuple[np.ndarray, np.ndarray]:
        """(months of sales, cumulative deliveries) known from the figures, starting at (0, 0)."""
        return _points(self)

    @property
    def last_month(self) -> float:
        return float(self.points[0][-1])

    def cumulative_at(self, months_of_sales) -> np.ndarray:
        """Cumulative deliveries after ``months_of_sales`` months; nan past the last point."""
        months, cumulative = self.points
        t = np.asarray(months_of_sales, dtype=float)
        if months.size < 2:
            return np.where(t == 0, 0.0, np.nan)
        curve = PchipInterpolator(months, cumulative, extrapolate=False)
        return np.where(t <= months[-1], curve(np.minimum(t, months[-1])), np.nan)

    def monthly_cumulative(self, months: int) -> np.ndarray:
        """(months,) cumulative at the end of months 1..months of sales (nan past the data)."""
        return self.cumulative_at(np.arange(1, months + 1))

    def increments(self) -> list[tuple[float, float, float, bool]]:
        """Non-overlapping observations (start month, end month, vehicles, is_lower_bound) for
        a forecaster: the steps between known points, unchained period totals outside them, and
        a lower bound past the last point (each piece of information counted once)."""
        months, cumulative = self.points
        out = [
            (float(a), float(b), float(cb - ca), False)
            for a, b, ca, cb in zip(months, months[1:], cumulative, cumulative[1:], strict=False)
        ]
        taken = [(float(months[0]), float(months[-1]))]
        for f in sorted(_latest(self.figures), key=lambda f: f.end_month - f.start_month):
            if f.bound == "lower" or any(f.start_month < b and a < f.end_month for a, b in taken):
                continue
            out.append((f.start_month, f.end_month, f.deliveries, False))
            taken.append(f.span)
        last_t, last_c = float(months[-1]), float(cumulative[-1])
        lower = [f for f in self.figures if f.bound == "lower" and f.start_month == 0]
        beyond = [f for f in lower if f.end_month > last_t and f.deliveries > last_c]
        if beyond:
            f = max(beyond, key=lambda f: f.deliveries)
            out.append((last_t, f.end_month, f.deliveries - last_c, True))
        return sorted(out)


def _latest(figures) -> list[Figure]:
    """One figure per period: exact before approx before lower, then the latest published."""

    def rank(f: Figure) -> tuple[int, int]:
        return (BOUNDS.index(f.bound), -f.published.toordinal())

    best: dict[tuple[float, float], Figure] = {}
    for f in figures:
        if f.span not in best or rank(f) < rank(best[f.span]):
            best[f.span] = f
    return list(best.values())


def _points(e: Entrant) -> tuple[np.ndarray, np.ndarray]:
    usable = [f for f in _latest(e.figures) if f.bound != "lower"]
    known: dict[float, tuple[float, Figure | None]] = {0.0: (0.0, None)}
    for f in (f for f in usable if f.start_month == 0):
        known[f.end_month] = (f.deliveries, f)
    periods = [f for f in usable if f.start_month > 0]
    changed = True
    while changed:
        changed = False
        for f in periods:
            t0, t1 = f.span
            if t0 in known and t1 not in known:
                known[t1] = (known[t0][0] + f.deliveries, f)
                changed = True
            elif t1 in known and t0 not in known and known[t1][0] >= f.deliveries:
                known[t0] = (known[t1][0] - f.deliveries, f)
                changed = True
    for f in periods:
        t0, t1 = f.span
        if t0 in known and t1 in known:
            gap = known[t1][0] - known[t0][0] - f.deliveries
            if abs(gap) > CONSISTENCY * f.deliveries + 1:
                raise UserError(
                    f"deliveries.csv, line {f.line} ({e.company}): {f.deliveries:,.0f} "
                    f"delivered in months {t0:g}-{t1:g} of sales disagrees by {gap:+,.0f} with "
                    f"the cumulative figures around it (source {f.source})"
                )
    months = sorted(known)
    for a, b in zip(months, months[1:], strict=False):
        if known[b][0] < known[a][0]:
            row = known[b][1] or known[a][1]
            raise UserError(
                f"deliveries.csv, line {row.line} ({e.company}): cumulative deliveries fall "
                f"from {known[a][0]:,.0f} after month {a:g} of sales to {known[b][0]:,.0f} "
                f"after month {b:g}"
            )
    return np.array(months), np.array([known[t][0] for t in months])


def _rows(name: str) -> list[tuple[int, dict]]:
    with (files("evlaunch") / "data" / name).open(encoding="utf-8", newline="") as handle:
        return list(enumerate(csv.DictReader(handle), start=2))


def _figure(line: int, row: dict, first: str) -> Figure:
    where = f"deliveries.csv, line {line} ({row['company']})"
    if not row.get("source", "").strip():
        raise UserError(f"{where}: no source; every figure needs the address it came from")
    if not row.get("published", "").strip():
        raise UserError(f"{where}: no published date; every figure needs the date it was known")
    published = published_date(row["published"], where)
    if row["bound"] not in BOUNDS:
        raise UserError(f"{where}, bound: {row['bound']!r}; allowed: {', '.join(BOUNDS)}")
    try:
        end = parse_month(row["period_end"])
        start = parse_month(row["period_start"]) if row["period_start"].strip() else None
        value = float(row["deliveries"])
    except ValueError as exc:
        raise UserError(f"{where}: {exc}") from None
    if not (np.isfinite(value) and value >= 0 and value == int(value)):
        raise UserError(f"{where}, deliveries: {row['deliveries']!r}; a whole number, 0 or more")
    t1 = float(months_between(first, end) + 1)
    t0 = 0.0 if start is None else max(float(months_between(first, start)), 0.0)
    if t1 <= t0:
        raise UserError(f"{where}: period {start} to {end} ends before it starts or before {first}")
    if published < month_end(end) - dt.timedelta(days=31) and start is not None:
        raise UserError(
            f"{where}: published {published} is before the period {start} to {end} ended"
        )
    return Figure(t0, t1, value, row["bound"], published, row["source"], line)


def load_entrants(entrant_rows, delivery_rows) -> tuple[Entrant, ...]:
    """Entrants from parsed CSV rows ``[(line, row), ...]``, every figure checked."""
    out = []
    for line, row in entrant_rows:
        where = f"entrants.csv, line {line} ({row['company']})"
        if row["status"] not in STATUSES or row["segment"] not in SEGMENTS:
            raise UserError(
                f"{where}: status {row['status']!r} / segment {row['segment']!r}; allowed: "
                f"{', '.join(STATUSES)} / {', '.join(SEGMENTS)}"
            )
        if not row["source"].strip():
            raise UserError(f"{where}: no source")
        first = parse_month(row["first_delivery"]) if row["first_delivery"].strip() else None
        mine = [(n, d) for n, d in delivery_rows if d["company"] == row["company"]]
        figures = tuple(_figure(n, d, first) for n, d in mine) if first else ()
        e = Entrant(
            row["company"],
            row["country"],
            row["segment"],
            row["status"],
            first,
            published_date(row["published"], where),
            figures,
            tuple(sorted({row["source"], *(f.source for f in figures)})),
        )
        if first:
            e.points  # noqa: B018 - checks the figures' consistency now, naming the row
        out.append(e)
    return tuple(out)


@cache
def all_entrants() -> tuple[Entrant, ...]:
    """Every bundled entrant, including the ones that never delivered a car."""
    return load_entrants(_rows("entrants.csv"), _rows("deliveries.csv"))


def entrants(as_of: dt.date | None = None, segment: str = "passenger") -> tuple[Entrant, ...]:
    """Entrants that had delivered cars, as known on ``as_of`` (today's data if None)."""
    known = (e.as_of(as_of) for e in all_entrants() if e.segment == segment and e.known_on(as_of))
    return tuple(e for e in known if e.figures)


def entrant(company: str) -> Entrant:
    for e in all_entrants():
        if e.company == company:
            return e
    raise KeyError(company)
