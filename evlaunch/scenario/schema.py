"""The scenario: one validated description of a market entry, units in every field name.

Per-field ranges are checked here by pydantic; checks across fields (references between
options, dates in order, the target window inside the horizon) live in ``checks.py``.
"""

from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
)

from .distributions import support, support_bounds
from .facts import largest_plant
from .months import parse_month
from .uncertain import Uncertain

Month = Annotated[str, BeforeValidator(parse_month)]
MAX_NAME_CHARS = 200


def _name(text: str) -> str:
    """A name people can read and tell apart: not blank, no control characters, no spaces
    around it (which would make 'FAW' and 'FAW ' two options)."""
    if not text.strip():
        raise ValueError("a name needs a character other than spaces")
    if text != text.strip():
        raise ValueError("a name cannot begin or end with spaces")
    if any(ord(c) < 32 or 127 <= ord(c) < 160 for c in text):
        raise ValueError("a name cannot hold control characters")
    return text


Name = Annotated[str, Field(min_length=1, max_length=MAX_NAME_CHARS), AfterValidator(_name)]


class _Strict(BaseModel):
    # Unknown fields are errors: a typo or a wrong unit ("capacity_per_month") must not pass
    # silently with the default in its place.
    # and NaN or infinity is never a figure (JSON and YAML both can spell them)
    # defer_build: the validator is built once, for the whole scenario on its first
    # validation, not once for every model as its class is made (5 ms of `evlaunch validate`)
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, defer_build=True)


class Company(_Strict):
    name: Name
    headcount: int = Field(ge=1, le=1_000_000, description="people in the EV division")
    cost_per_head_per_year_cny: Uncertain(gt=0, le=1e8) = Field(
        description="fully loaded [CNY/year]"
    )
    other_fixed_cost_per_year_cny: Uncertain(ge=0) = Field(
        description="R&D, software, sales network and other fixed spend [CNY/year]"
    )


class Target(_Strict):
    deliveries: int = Field(gt=0, description="vehicles to deliver within the window")
    window_months: int = Field(gt=0, le=240, description="months of sales, from first delivery")


class Diffusion(_Strict):
    """A model's demand: generalised Bass diffusion on its own market, at its price."""

    addressable_market_vehicles: Uncertain(gt=0) = Field(description="Bass market potential m")
    bass_p_per_year: Uncertain(gt=0, le=1) = Field(description="coefficient of innovation [1/year]")
    bass_q_per_year: Uncertain(ge=0, le=5) = Field(description="coefficient of imitation [1/year]")
    price_cny: Uncertain(gt=0, le=1e8) = Field(description="the vehicle's price [CNY]")
    reference_price_cny: float = Field(
        gt=0, le=1e8, description="price at which p, q and m hold [CNY]"
    )


class Market(Diffusion):
    """The brand's market and its first car's demand."""

    model_name: Name = Field(
        default="first model",
        description="the first car's name, as options' `builds` and the results call it",
    )
    launch: Month = Field(description="month orders open (demand starts) 'YYYY-MM'")
    price_elasticity: Uncertain(ge=-10, le=0) = Field(
        description="demand multiplier is (price/reference)^elasticity"
    )
    seasonality: list[float] = Field(
        default=[1.0] * 12,
        min_length=12,
        max_length=12,
        description="demand multipliers for January..December; their mean must be 1",
    )
    backlog_cancel_rate_per_month: Uncertain(ge=0, le=1) = Field(
        description="share of the waiting backlog that cancels each month"
    )

    @field_validator("seasonality")
    @classmethod
    def _mean_one(cls, value: list[float]) -> list[float]:
        if any(v <= 0 for v in value):
            raise ValueError("every seasonal multiplier must be positive")
        mean = sum(value) / 12
        if abs(mean - 1) > 0.01:
            raise ValueError(
                f"the 12 seasonal multipliers average {mean:.3f}; they must average 1 "
                "(within 0.01) so that seasonality moves demand between months, not adds to it"
            )
        return value


class Model(Diffusion):
    """A later model on the roadmap, with its own demand (generalised Bass on its own
    market). The first car is the one ``market`` describes; later models share its
    seasonality, price elasticity, cancellation rate and learning curve (its unit cost
    falls with the brand's cumulative output, not its own)."""

    name: Name
    launch: Month = Field(description="planned month its orders open 'YYYY-MM'")
    launch_slip_months: Uncertain(ge=0, le=60) = Field(
        default=0, description="months the launch slips past the plan [months]"
    )
    cannibalisation: Uncertain(ge=0, le=1) = Field(
        default=0,
        description="share of each of its orders taken from buyers the earlier models would "
        "still have won (their remaining markets shrink by it) [-]",
    )
    unit_cost_cny: Uncertain(gt=0, le=1e8) | None = Field(
        default=None,
        description="its cost per vehicle at the learning reference volume; default: the "
        "first car's (finance.unit_cost_cny) [CNY]",
    )


class Score(_Strict):
    """An option's value on a judged criterion, and where that judgement comes from."""

    value: float
    source: str = Field(min_length=1, description="an address, a data row, or 'assumption: ...'")


class Option(_Strict):
    """One way to build the car: a partner's plant or a phase of an own plant."""

    name: Name
    kind: Literal["partner", "own_plant"]
    capacity_per_year: Uncertain(gt=0) = Field(description="nameplate capacity [vehicles/year]")
    share_available: Uncertain(gt=0, le=1) = Field(description="share of the capacity that is ours")
    start: Month = Field(description="contract or construction start 'YYYY-MM'")
    lead_time_months: Uncertain(ge=0, le=120) = Field(description="start to start of production")
    ramp_months: Uncertain(gt=0, le=120) = Field(description="SOP to full rate (S-curve)")
    fee_per_vehicle_cny: Uncertain(ge=0) = Field(
        default=0, description="partner's fee [CNY/vehicle]"
    )
    capex_cny: Uncertain(ge=0) = Field(
        default=0, description="spent evenly over the lead time [CNY]"
    )
    fixed_cost_per_year_cny: Uncertain(ge=0) = Field(default=0, description="from SOP [CNY/year]")
    requires: str | None = Field(default=None, description="option that must be built first")
    builds: list[str] | None = Field(
        default=None,
        min_length=1,
        max_length=11,
        description="the models it can build (the first car by `market.model_name`, later "
        "ones by their `models` name); default: every model",
    )
    already_built: bool = Field(
        default=False,
        description="an own plant standing before the scenario's start: its lead time is "
        "tooling and trial production, not construction",
    )
    scores: dict[str, Score] = Field(
        default={}, description="values on the assessment's judged criteria"
    )
    min_volume_per_year: float = Field(
        default=0,
        ge=0,
        description="take-or-pay: the fee is paid on at least this volume "
        "once the option runs, scaled by its ramp [vehicles/year]",
    )
    # Three shifts on a plant rated for one is the most a plant runs; 1.3-1.6 is a second
    # shift or a faster line.
    max_utilisation: Uncertain(ge=1, le=3) = Field(
        default=1,
        description="output with extra shifts and line speed, as a multiple of nameplate [-]",
    )
    shift_months: Uncertain(ge=0, le=24) = Field(
        default=3, description="from the order book calling for a shift to it running [months]"
    )
    shift_backlog_months: float = Field(
        default=1,
        gt=0,
        le=24,
        description="a shift is called for when the backlog exceeds this many months of "
        "the current output, once the option runs [months]",
    )
    above_nameplate_cost_per_vehicle_cny: Uncertain(ge=0, le=1e6) = Field(
        default=0, description="extra cost of each vehicle built above nameplate [CNY/vehicle]"
    )

    @field_validator("capacity_per_year")
    @classmethod
    def _below_largest_plant(cls, value):
        record = largest_plant()
        if support_bounds(value)[1].high <= record.number:  # decided without scipy
            return value
        highest = support(value)[1]
        if highest > record.number:
            raise ValueError(
                f"{highest:,.0f} vehicles/year is above the largest car production site on record "
                f"({record.company}, {record.number:,.0f} {record.unit}; source: {record.source}). "
                "A per-day or per-group figure put in a per-plant, per-year field gives this: "
                "enter the one plant's yearly capacity"
            )
        return value


class Finance(_Strict):
    unit_cost_cny: Uncertain(gt=0, le=1e8) = Field(
        description="cost per vehicle at the learning reference volume [CNY]"
    )
    # Above 0.5: at 0.5 or below, the cost of all units ever built would stop growing.
    learning_rate: Uncertain(gt=0.5, le=1) = Field(
        description="unit-cost multiplier per doubling of cumulative output"
    )
    learning_reference_units: float = Field(
        gt=0, description="cumulative vehicles at which unit_cost_cny holds; learning starts there"
    )
    discount_rate_per_year: Uncertain(ge=0, le=1) = Field()


class Expansion(_Strict):
    """A real option: commit ``option`` (its `start` is then the month after the rule fires,
    followed by its own lead time, ramp and capex) when the backlog exceeds
    ``backlog_months_above`` months of the current output for ``for_months`` months in a
    row. Each simulated path applies the rule to its own order book; an option under a rule
    is built only where the rule fires."""

    option: str = Field(min_length=1)
    backlog_months_above: float = Field(gt=0, le=60, description="[months of current output]")
    for_months: int = Field(ge=1, le=36, description="months in a row")
    not_before: Month | None = Field(default=None, description="earliest commitment 'YYYY-MM'")


class Plan(_Strict):
    options: list[str] = Field(min_length=1, description="the chosen mix: names of options")


class Correlation(_Strict):
    """A rank (Spearman) correlation between two uncertain inputs, named as in
    `evlaunch risk` output, e.g. 'market.bass_p_per_year'."""

    between: tuple[str, str]
    rank: float = Field(ge=-1, le=1)


class Criterion(_Strict):
    direction: Literal["benefit", "cost"]
    description: str = ""
    scale: tuple[float, float] | None = Field(
        default=None,
        description="a judged criterion's scale (lowest, highest), e.g. [1, 10]; every "
        "option's score must lie on it",
    )

    @field_validator("scale")
    @classmethod
    def _ordered(cls, scale):
        if scale is not None and not scale[0] < scale[1]:
            raise ValueError(f"{list(scale)}: the lowest must be below the highest")
        return scale


class PointWeights(_Strict):
    kind: Literal["point"]
    values: dict[str, float] = Field(description="criterion -> weight; they sum to 1")


class IntervalWeights(_Strict):
    kind: Literal["intervals"]
    values: dict[str, tuple[float, float]] = Field(description="criterion -> [low, high]")


class AhpWeights(_Strict):
    kind: Literal["ahp"]
    criteria: list[str] = Field(min_length=2, description="order of the matrix rows")
    matrix: list[list[float]] = Field(description="pairwise comparisons, Saaty's 1-9 scale")
    allow_inconsistent: bool = Field(
        default=False, description="accept a consistency ratio above 0.1"
    )


# The criteria every option has a value on without judging it: name -> (direction, meaning)
DERIVED_CRITERIA = {
    "capacity_available_per_year": ("benefit", "nameplate capacity x share available [veh/yr]"),
    "months_to_sop": ("cost", "months from the scenario start to the first start of production"),
    "cost_per_vehicle_cny": (
        "cost",
        "partner fee, plus capex and fixed cost spread over the target window's full-rate "
        "output [CNY/vehicle]",
    ),
}


class Assessment(_Strict):
    """Criteria for choosing a way to build. Three are derived from the options themselves
    (capacity_available_per_year, months_to_sop, cost_per_vehicle_cny); the others are
    judged, with a score and its source on every option."""

    criteria: dict[str, Criterion] = Field(min_length=2)
    weights: Annotated[PointWeights | IntervalWeights | AhpWeights, Field(discriminator="kind")]


class Planning(_Strict):
    """Settings of the production and capacity plan (`evlaunch plan`)."""

    objective: Literal["max_npv", "min_cost"] = Field(
        default="max_npv", description="maximise NPV, or minimise cost while meeting the target"
    )
    options: list[str] | None = Field(default=None, description="candidates; default: all")
    start_flexibility_months: int = Field(
        default=24, ge=0, le=120, description="an option may start up to this much later"
    )
    max_backlog_vehicles: float | None = Field(default=None, gt=0)
    cash_limit_cny: float | None = Field(default=None, gt=0, description="largest cash need")
    target_probability: float = Field(
        default=0.8, gt=0, le=1, description="chance constraint of the stochastic plan"
    )


class Scenario(_Strict):
    name: Name
    start: Month = Field(description="first month of the model grid 'YYYY-MM'")
    horizon_months: int = Field(ge=12, le=240, description="length of the monthly grid")
    company: Company
    target: Target
    market: Market
    options: list[Option] = Field(min_length=1, max_length=50)
    finance: Finance
    plan: Plan
    models: list[Model] = Field(
        default=[], max_length=10, description="later models of the roadmap, after `market`'s"
    )
    correlations: list[Correlation] = Field(default=[], description="between uncertain inputs")
    expansions: list[Expansion] = Field(
        default=[], max_length=50, description="capacity committed in response to orders"
    )
    assessment: Assessment | None = None
    planning: Planning = Planning()

    def option(self, name: str) -> Option:
        return next(o for o in self.options if o.name == name)

    def model(self, name: str) -> Model:
        return next(m for m in self.models if m.name == name)

    def expansion(self, option: str) -> Expansion | None:
        """The rule that commits ``option``, if one does."""
        return next((e for e in self.expansions if e.option == option), None)
