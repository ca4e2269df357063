"""What real makers did that a launch plan may assume: a second model, and plants run
above nameplate.

- ``data/model_launches.csv``: when makers delivered their first, second and later models;
  the time from the first deliveries to the second model's is the analog a roadmap's launch
  dates rest on.
- ``data/plant_utilisation.csv``: plants' output as a multiple of nameplate, with extra
  shifts and overtime: the analog of an option's ``max_utilisation``.

As elsewhere, a view as of a date sees only the rows published by then.
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


def _rows(name: str, allowed: tuple[str, ...], column: str):
    """(where, row) of a data file's rows, each with a source and an allowed ``column``."""
    with (files("evlaunch") / "data" / name).open(encoding="utf-8", newline="") as h:
        for line, row in enumerate(csv.DictReader(h), start=2):
            where = f"{name}, line {line} ({row['company']})"
            if not row["source"].strip():
                raise UserError(f"{where}: no source")
            if row[column] not in allowed:
                raise UserError(f"{where}: {column} {row[column]!r}; allowed: {', '.join(allowed)}")
            yield where, row


@cache
def model_launches() -> tuple[ModelLaunch, ...]:
    out = []
    for where, row in _rows("model_launches.csv", EVENTS, "event"):
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


KINDS = ("achieved", "plan", "run_rate")  # a year's output; a stated plan; a month's x 12


@dataclass(frozen=True)
class AboveNameplate:
    """A plant's output as a multiple of its nameplate (``data/plant_utilisation.csv``)."""

    company: str
    plant: str
    multiple: float
    kind: str  # one of KINDS
    how: str  # extra shifts, overtime, line speed
    period: str
    published: dt.date
    source: str


@cache
def plant_utilisation() -> tuple[AboveNameplate, ...]:
    return tuple(
        AboveNameplate(
            row["company"],
            row["plant"],
            float(row["multiple"]),
            row["kind"],
            row["how"],
            row["period"],
            published_date(row["published"], where),
            row["source"],
        )
        for where, row in _rows("plant_utilisation.csv", KINDS, "kind")
    )


def achieved_above_nameplate(as_of: dt.date) -> list[AboveNameplate]:
    """Plants' yearly output above nameplate as published by ``as_of`` (plans and one
    month's run rate left out)."""
    return [x for x in plant_utilisation() if x.kind == "achieved" and x.published <= as_of]
