"""Calendar months as 'YYYY-MM' strings and their distance in months."""

import datetime as dt
import re

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
FIRST_YEAR, LAST_YEAR = 1900, 2200  # the years a month may be in


def parse_month(value: object) -> str:
    """Return ``value`` as a normalised 'YYYY-MM' string.

    Accepts 'YYYY-MM', 'YYYY-MM-DD' and ``datetime.date`` (YAML reads 2021-09-01 as a date).
    Raises ValueError with the allowed form otherwise.
    """
    year = month = None
    if isinstance(value, dt.date):
        year, month = value.year, value.month
    elif isinstance(value, str):
        text = value.strip()
        match = _MONTH.match(text)
        if match and 1 <= int(match.group(2)) <= 12:
            year, month = int(match.group(1)), int(match.group(2))
        elif len(text) == 10:
            try:
                day = dt.date.fromisoformat(text)
            except ValueError:
                pass
            else:
                year, month = day.year, day.month
    if year is None:
        raise ValueError(
            f"{value!r} is not a calendar month; write it as 'YYYY-MM', e.g. '2021-09'"
        )
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"{value!r} is outside the supported years, {FIRST_YEAR} to {LAST_YEAR}")
    return f"{year:04d}-{month:02d}"


def months_between(start: str, end: str) -> int:
    """Whole months from ``start`` to ``end`` (both 'YYYY-MM'); negative if ``end`` is earlier."""
    y0, m0 = map(int, start.split("-"))
    y1, m1 = map(int, end.split("-"))
    return (y1 - y0) * 12 + (m1 - m0)


def add_months(start: str, months: int) -> str:
    """The calendar month ``months`` after ``start``."""
    y, m = map(int, start.split("-"))
    total = y * 12 + (m - 1) + int(months)
    return f"{total // 12:04d}-{total % 12 + 1:02d}"
