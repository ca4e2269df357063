"""The levers ``what_it_takes`` may move: assumptions (uncertain inputs, moved in their own
spreads) and decisions (a model's price, an option's start), each with its bounds."""

from dataclasses import dataclass, replace

from scipy import special

from ..scenario.inputs import input_value, uncertain_names
from ..scenario.months import add_months, months_between
from ..scenario.schema import Scenario

Z_MOST = float(special.ndtri(0.95))  # an assumption's median moves at most to its P95 or P5
PRICE_STEP = 0.10  # a price lever's unit: 10% of the price
PRICE_MOST = 3.0  # ... at most 30% either way
START_STEP_MONTHS = 6.0  # a start lever's unit
EARLIEST_MONTHS = 24.0  # an option starts at most two years earlier, never before the scenario


@dataclass(frozen=True)
class Lever:
    kind: str  # "assumption", "price" or "start"
    name: str  # the input's dotted name; for a start, the option's name
    low: float  # bounds of its setting x, in its unit
    high: float
    unit: float = 1.0  # assumption: spreads; price: share of the price; start: months
    favourable: float = 0.0  # the bound that raises P(target) most, as far as known

    def one_way(self, side: float) -> "Lever":
        """The lever bounded to move towards ``side`` only."""
        return replace(self, low=min(0.0, side), high=max(0.0, side), favourable=side)


@dataclass(frozen=True)
class Change:
    kind: str
    name: str
    setting: float  # x, in the lever's unit
    p_without: float  # P(target) with every other change but this one
    text: str  # for people: "start Own plant phase II 6 months earlier (2023-01)"


def levers_for(scenario: Scenario, options: list[str]) -> list[Lever]:
    """Every uncertain input, every model's fixed price, and every option of ``options``
    that starts on a date and could start earlier."""
    names = uncertain_names(scenario)
    levers = [Lever("assumption", n, -Z_MOST, Z_MOST, favourable=Z_MOST) for n in names]
    prices = ["market.price_cny"] + [f"models.{m.name}.price_cny" for m in scenario.models]
    levers += [
        Lever("price", n, -PRICE_MOST, PRICE_MOST, PRICE_STEP, -PRICE_MOST)
        for n in prices
        if n not in names
    ]
    for name in options:
        if scenario.expansion(name) is not None:
            continue
        room = min(months_between(scenario.start, scenario.option(name).start), EARLIEST_MONTHS)
        if room > 0:
            most = room / START_STEP_MONTHS
            levers.append(Lever("start", name, 0.0, most, START_STEP_MONTHS, most))
    return levers


def describe(lever: Lever, x: float, scenario: Scenario) -> str:
    """What setting a lever to ``x`` means, in the scenario's own terms."""
    if lever.kind == "assumption":
        dist = input_value(scenario, lever.name)
        to = float(special.ndtr(x))
        before, after = float(dist.ppf(0.5)), float(dist.ppf(to))
        return f"{lever.name}: median {_number(before)} -> {_number(after)} (its P{100 * to:.0f})"
    if lever.kind == "price":
        before = float(input_value(scenario, lever.name))
        model = "the first car" if lever.name.startswith("market.") else lever.name.split(".")[1]
        after = before * (1 + lever.unit * x)
        return f"sell {model} at {after:,.0f} CNY instead of {before:,.0f}"
    months = lever.unit * x
    start = scenario.option(lever.name).start
    return (
        f"start {lever.name} {months:.1f} months earlier "
        f"({add_months(start, -round(months))} instead of {start})"
    )


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3g}"
