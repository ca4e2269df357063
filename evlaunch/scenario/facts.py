"""Company facts (``data/company_facts.csv``): sourced figures used as inputs and limits."""

import csv
from dataclasses import dataclass
from functools import cache
from importlib.resources import files


@dataclass(frozen=True)
class Fact:
    company: str
    fact: str
    value: str
    unit: str
    source: str

    @property
    def number(self) -> float:
        return float(self.value)


@cache
def _facts() -> tuple[Fact, ...]:
    path = files("evlaunch") / "data" / "company_facts.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        return tuple(
            Fact(r["company"], r["fact"], r["value"], r["unit"], r["source"])
            for r in csv.DictReader(handle)
        )


def facts(company: str, name: str) -> list[Fact]:
    """Every bundled figure for fact ``name`` about ``company`` (sources may differ)."""
    found = [f for f in _facts() if f.company == company and f.fact == name]
    if not found:
        raise KeyError(f"no bundled fact {name!r} for {company!r}")
    return found


def largest_plant() -> Fact:
    """The largest car production site on record: the ceiling for one option's capacity."""
    return max(facts("Hyundai Ulsan complex", "vehicles produced"), key=lambda f: f.number)


def fastest_plant_build() -> Fact:
    """The fastest car-plant build on record: the floor for an own plant's lead time."""
    return facts("Tesla Shanghai Gigafactory", "groundbreaking to start of production")[0]


def china_market() -> Fact:
    """Cars sold in China in a year (2021): a ceiling for what one maker delivers."""
    return facts("China market", "vehicles sold (all)")[0]
