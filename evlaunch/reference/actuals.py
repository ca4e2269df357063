"""Actual monthly deliveries, read from a CSV file.

Format: a header ``month,deliveries`` then one row a month, 'YYYY-MM' and a whole number of
vehicles delivered in that month, in order, without gaps or repeats; lines starting with '#'
are comments (say where the figures come from), e.g.::

    month,deliveries
    2024-04,7058
    2024-05,8630
"""

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import UserError
from ..limits import MAX_NUMBER_CHARS
from ..scenario.facts import china_market
from ..scenario.months import add_months, months_between, parse_month

MAX_BYTES = 1_000_000
MAX_MONTHS = 600  # fifty years of months


@dataclass(frozen=True)
class Actuals:
    first_month: str  # 'YYYY-MM' of the first row
    deliveries: np.ndarray  # (months,) vehicles per month

    @property
    def months(self) -> list[str]:
        return [add_months(self.first_month, t) for t in range(len(self.deliveries))]


def read_actuals(path: str | Path) -> Actuals:
    """Read and check an actuals file; every problem is a UserError naming the line."""
    path = Path(path)
    too_big = f"{path}: larger than 1 MB; an actuals file has a row a month"
    try:
        if path.stat().st_size > MAX_BYTES:
            raise UserError(too_big)
        with path.open("rb") as handle:  # counted while reading: a pipe has no size
            raw = handle.read(MAX_BYTES + 1)
        if len(raw) > MAX_BYTES:
            raise UserError(too_big)
        text = raw.decode("utf-8")
    except FileNotFoundError:
        raise UserError(f"{path}: no such file") from None
    except (IsADirectoryError, UnicodeDecodeError, OSError) as exc:
        raise UserError(f"{path}: cannot be read as UTF-8 text ({exc})") from None
    return parse_actuals(text, str(path))


def parse_actuals(text: str, origin: str = "actuals") -> Actuals:
    lines = [
        (n, line)
        for n, line in enumerate(text.splitlines(), start=1)
        if line.strip() and not line.lstrip().startswith("#")
    ]
    numbers = [n for n, _ in lines]
    rows = list(csv.reader(io.StringIO("\n".join(line for _, line in lines))))
    if not rows:
        raise UserError(f"{origin}: empty; expected a header 'month,deliveries' and a row a month")
    header = [c.strip().lower() for c in rows[0]]
    if header != ["month", "deliveries"]:
        raise UserError(
            f"{origin}, line 1: header is {','.join(rows[0])!r}; "
            "expected exactly 'month,deliveries'"
        )
    if len(rows) < 2:
        raise UserError(f"{origin}: no rows after the header")
    if len(rows) - 1 > MAX_MONTHS:
        raise UserError(f"{origin}: {len(rows) - 1:,} rows; at most {MAX_MONTHS} months")
    months, values = [], []
    for line, row in zip(numbers[1:], rows[1:], strict=True):
        if len(row) != 2:
            raise UserError(f"{origin}, line {line}: {len(row)} columns; expected month,deliveries")
        try:
            month = parse_month(row[0].strip())
        except ValueError as exc:
            raise UserError(f"{origin}, line {line}, month: {exc}") from None
        value = _deliveries(row[1].strip(), f"{origin}, line {line}, deliveries")
        if months:
            step = months_between(months[-1], month)
            if step == 0:
                raise UserError(f"{origin}, line {line}, month: {month} appears twice")
            if step < 0:
                raise UserError(
                    f"{origin}, line {line}, month: {month} comes before "
                    f"{months[-1]}; rows must be in order"
                )
            if step > 1:
                raise UserError(
                    f"{origin}, line {line}, month: a gap from {months[-1]} to "
                    f"{month}; give every month, 0 where nothing was delivered"
                )
        months.append(month)
        values.append(value)
    return Actuals(months[0], np.array(values))


def _deliveries(text: str, where: str) -> float:
    """One month's deliveries: a whole number of vehicles from 0 to the plausible most."""
    shown = repr(text) if len(text) <= 20 else repr(text[:20]) + f"... ({len(text):,} characters)"
    if len(text) > MAX_NUMBER_CHARS:
        raise UserError(f"{where}: {shown} is too long to be a number of vehicles")
    try:
        value = float(text)
    except ValueError:
        raise UserError(f"{where}: {shown} is not a number") from None
    if not np.isfinite(value) or value < 0 or value != int(value):
        raise UserError(f"{where}: {shown}; expected a whole number of vehicles, 0 or more")
    market = china_market()
    if value > market.number / 12:
        raise UserError(
            f"{where}: {shown} vehicles in one month is more than the whole Chinese car "
            f"market sells in an average month ({market.number:,.0f} a year in 2021; "
            f"{market.source})"
        )
    return value
