"""Which scenario a request computes on: a served one by name, or one posted in the body.

A posted scenario (``"scenario": {...}``, the fields of a scenario file as JSON) has passed
the body's limits (``web.body``: size, depth, values, number literals, strings; the same
numbers as a file's) and is validated as a file is (``validate_data``), so each problem is
the same sentence, its field named as the client sent it: ``scenario.market.price_cny``.
"""

import json
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ..errors import UserError
from ..scenario.checks import with_requirements
from ..scenario.load import validate_data
from ..scenario.schema import Scenario
from .messages import excerpt, field
from .served import Catalog

MAX_PATH_MONTHS = 200_000 * 84  # paths x months per request: the bundled 84 months at 200,000

SCENARIO_DOC = (
    "a scenario posted with the request: the fields of a scenario file as a JSON object "
    "(`evlaunch schema` prints its JSON Schema; `evlaunch init` writes one to start from). "
    "Give this or scenario_name, not both."
)
NAME_DOC = (
    "a scenario the server serves, by name (GET /api/scenarios lists them); default: the "
    "first one given to `evlaunch serve`"
)


class ScenarioChoice(BaseModel):
    """The scenario of a request: ``scenario`` posted, or ``scenario_name`` served."""

    model_config = ConfigDict(extra="forbid")

    scenario: dict[str, Any] | None = Field(None, description=SCENARIO_DOC)
    scenario_name: str | None = Field(None, max_length=200, description=NAME_DOC)


class RiskBody(ScenarioChoice):
    paths: int = Field(10_000, ge=1_000, le=200_000, description="Monte Carlo paths")
    seed: int = Field(0, ge=0, le=2**31, description="same seed, same answer")
    sampler: str = Field("lhs", pattern="^(random|lhs|sobol)$")
    options: list[str] | None = Field(
        None, max_length=50, description="ways of building (default: the plan's mix)"
    )


class PartnersBody(ScenarioChoice):
    paths: int = Field(10_000, ge=1_000, le=50_000, description="paths per way of building")
    seed: int = Field(0, ge=0, le=2**31)


class PlanBody(ScenarioChoice):
    pass


def posted_scenario(data: dict) -> tuple[Scenario, str]:
    """A posted scenario validated as a file is; its text is its JSON (stored runs keep it)."""

    def place(loc) -> str:
        return field(("scenario", *loc))

    scenario = validate_data(data, "scenario", place)
    return scenario, json.dumps(data, indent=2, default=str)


def chosen(body: ScenarioChoice, catalog: Catalog) -> tuple[Scenario, str]:
    """The request's scenario and its text."""
    if body.scenario is not None and body.scenario_name is not None:
        raise UserError("scenario and scenario_name: give one of them, not both")
    if body.scenario is not None:
        return posted_scenario(body.scenario)
    return catalog.get(body.scenario_name)


def check_size(scenario: Scenario, paths: int) -> None:
    """Paths x months within the cap: a posted scenario may have 240 months, not 84."""
    if paths * scenario.horizon_months > MAX_PATH_MONTHS:
        most = MAX_PATH_MONTHS // scenario.horizon_months
        raise UserError(
            f"paths = {paths:,}: over the scenario's {scenario.horizon_months} months at most "
            f"{most:,} paths are simulated per request"
        )


def chosen_options(scenario: Scenario, names: list[str] | None) -> list[str]:
    """The ways of building asked for (default: the plan's mix), with what they require."""
    known = [o.name for o in scenario.options]
    for i, name in enumerate(names or []):
        if name not in known:
            raise UserError(
                f"options[{i}] {excerpt(name)}: no such option; the scenario's options: "
                f"{', '.join(known)}"
            )
    return with_requirements(scenario, names or scenario.plan.options)
