"""Where a result comes from: every stochastic result is a function of (scenario, seed,
sampler, version), and every forecast sees only what was published by its as-of date."""

import datetime as dt
import hashlib
from dataclasses import dataclass

from .. import __version__
from .months import add_months
from .schema import Scenario


@dataclass(frozen=True)
class Provenance:
    scenario: str
    scenario_hash: str  # of the validated scenario, every field resolved
    seed: int | None  # None: no random numbers were drawn
    sampler: str | None
    version: str  # of evlaunch
    as_of: str  # ISO date: outside views and fits saw figures published by then


def provenance(
    scenario: Scenario, seed: int | None = None, sampler: str | None = None
) -> Provenance:
    """The provenance of a result computed from ``scenario``; its as-of date is the last
    day of the scenario's first month, the date its plan is judged as of."""
    digest = hashlib.sha256(scenario.model_dump_json().encode()).hexdigest()[:16]
    next_month = dt.date.fromisoformat(add_months(scenario.start, 1) + "-01")
    as_of = (next_month - dt.timedelta(days=1)).isoformat()
    return Provenance(scenario.name, digest, seed, sampler, __version__, as_of)
