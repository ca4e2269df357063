"""When new makers launched their second and later models (``data/model_launches.csv``).

Real entrants did not stay with one product: the time from a maker's first deliveries to its
second model's is the analog a roadmap's launch dates rest on. As elsewhere, a view as of a
date sees only the rows published by then.
"""

import csv
import datetime as dt
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from ..errors import UserError
from ..scenario.months import months_between, parse_month
from .entrants import all_entrants, published_date

EVENTS = ("first deliveries", "orders opened", "launch event")


@dataclass(frozen=True)
class ModelLaunch:
    company: str
    model: str
    order: int  # 1 for the maker's first model line, 2 for its second, ...
    event: str  # what the month marks: one of EVENTS
    month: str  # 'YYYY-MM'
    published: dt.date
    source: str


@dataclass(frozen=True)
class SecondModelGap:
    """Months from a maker's first deliveries to its second model's."""

    company: str
    months: int
    first: str  # the first model, or 'first deliveries' where the table has no row for it
    second: str


@cache
def model_launches() -> tuple[ModelLaunch, ...]:
    path = files("evlaunch") / "data" / "model_launches.csv"
    out = []
    with path.open(encoding="utf-8", newline="") as h:
        for line, row in enumerate(csv.DictReader(h), start=2):
            where = f"model_launches.csv, line {line} ({row['company']} {row['model']})"
            if not row["source"].strip():
                raise UserError(f"{where}: no source")
            if row["event"] not in EVENTS:
                raise UserError(f"{where}: event {row['event']!r}; allowed: {', '.join(EVENTS)}")
            launch = ModelLaunch(
                row["company"],
                row["model"],
                int(row["model_order"]),
                row["event"],
                parse_month(row["month"]),
                published_date(row["published"], where),
                row["source"],
            )
            if launch.published < dt.date.fromisoformat(f"{launch.month}-01"):
                raise UserError(f"{where}: published {launch.published} before {launch.month}")
            out.append(launch)
    return tuple(out)


def months_to_second_model(as_of: dt.date) -> list[SecondModelGap]:
    """Makers whose second model was known on ``as_of``: the months from their first
    deliveries to it. The table is not exhaustive, so a maker without a second-model row is
    left out rather than counted as never having launched one."""
    known = [x for x in model_launches() if x.published <= as_of]
    first_delivery = {e.company: e.first_delivery for e in all_entrants() if e.known_on(as_of)}
    out = []
    for second in (x for x in known if x.order == 2):
        first = next((x for x in known if x.company == second.company and x.order == 1), None)
        start = first.month if first else first_delivery.get(second.company)
        if start is None or start >= second.month:
            continue  # the first model's month is not known, or the data start at the second
        name = first.model if first else "first deliveries"
        out.append(
            SecondModelGap(second.company, months_between(start, second.month), name, second.model)
        )
    return out
