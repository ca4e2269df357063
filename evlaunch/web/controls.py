"""The dashboard's sliders, built from the chosen scenario: the launch, ramp, capacity,
utilisation, market and target for every scenario; then per option of the plan's mix its
capacity and start, per later model whether it is built and its launch, and per uncertain
input a scale on its central value (its spread scales with it).

Each control says which field of the what-if body it sets (``field``, and ``name`` for the
per-option, per-model and per-input maps), so the page builds its sliders and its requests
from this list alone; names are data the page shows as text, never markup.
"""

import math

import numpy as np

from ..scenario.checks import with_requirements
from ..scenario.inputs import central_params, uncertain_names
from ..scenario.schema import Scenario

MARKET_SLIDERS = ("market.bass_p_per_year", "market.bass_q_per_year", "market.price_cny")
SCALE_RANGE = (0.25, 4.0)  # x an option's capacity or an input's central value
COST_FIELDS = (  # costs move the money, never the deliveries
    "capex_cny",
    "fee_per_vehicle_cny",
    "fixed_cost_per_year_cny",
    "above_nameplate_cost_per_vehicle_cny",
    "unit_cost_cny",
)
WIDE = {"p": (0.005, 0.2), "q": (0.1, 1.2)}  # Bass p and q sliders span at least these


def nice_step(span: float) -> float:
    """A round step near ``span`` (1, 2, 2.5 or 5 x a power of ten): 22,500 -> 25,000."""
    power = 10 ** math.floor(math.log10(span))
    return min((m * power for m in (1, 2, 2.5, 5, 10)), key=lambda s: abs(s - span))


def _range(key, label, group, field, lo, hi, step, value, fmt, **extra) -> dict:
    return {
        "key": key,
        "label": label,
        "group": group,
        "kind": "range",
        "field": field,
        "min": lo,
        "max": hi,
        "step": step,
        "value": value,
        "format": fmt,
        **extra,
    }


def _around(central: float, low: float, high: float) -> tuple[float, float, float]:
    """A slider's (min, max, step) covering ``central`` x [low, high] on round steps."""
    step = nice_step(central * (high - low) / 60)
    return math.floor(central * low / step) * step, math.ceil(central * high / step) * step, step


def controls(scenario: Scenario) -> list[dict]:
    """Every slider and switch of the dashboard for ``scenario``, at its own values."""
    central = {k: float(np.asarray(v)[0]) for k, v in central_params(scenario).items()}
    mix = with_requirements(scenario, scenario.plan.options)
    whole = "Launch, target and every option"
    util = max(central[f"options.{n}.max_utilisation"] for n in mix)
    target = scenario.target.deliveries
    lo, hi, step = _around(target, 0.2, 1.7)
    out = [
        _range("launch", "Orders open later by", whole, "launch_delay_months", -6, 24, 1, 0, "m"),
        _range("ramp", "Ramp-up takes ×", whole, "ramp_months_scale", 0.5, 2, 0.05, 1, "x"),
        _range("cap", "Capacity ×", whole, "capacity_scale", 0.5, 3, 0.05, 1, "x"),
        _range(
            "util",
            "Plants may run up to × nameplate (extra shifts)",
            whole,
            "max_utilisation",
            1,
            max(2, util),
            0.05,
            util,
            "x",
            when_moved=True,
        ),
        _range(
            "target",
            "Target (vehicles in the window)",
            whole,
            "target_deliveries",
            lo,
            hi,
            step,
            target,
            "n",
            when_moved=True,
        ),
    ]
    market = (
        ("p", "Bass p (innovation, per year)", "bass_p_per_year", "p3"),
        ("q", "Bass q (imitation, per year)", "bass_q_per_year", "q2"),
        ("price", "Price (CNY)", "price_cny", "n"),
    )
    for key, label, name, fmt in market:
        value = central[f"market.{name}"]
        lo, hi, step = _around(value, 0.2 if key != "price" else 0.6, 4 if key != "price" else 1.5)
        if key in WIDE:  # the bundled scenario's ranges at least, for its links to hold
            lo, hi = min(lo, WIDE[key][0]), max(hi, WIDE[key][1])
        out.append(_range(key, label, "Market", name, lo, hi, step, value, fmt, when_moved=True))
    out += _option_controls(mix) + _model_controls(scenario)
    for name in uncertain_names(scenario):
        if _moves_deliveries(name, mix):
            out.append(
                _range(
                    f"in:{name}",
                    name,
                    "Uncertain inputs (× central)",
                    "input_scale",
                    0.5,
                    2,
                    0.05,
                    1,
                    "x",
                    name=name,
                )
            )
    return out


def _moves_deliveries(name: str, mix: list[str]) -> bool:
    """Whether an uncertain input can move deliveries (P(target)) of the mix: not a cost, and
    not an option outside the mix; the market's p, q and price have their own sliders."""
    section, _, rest = name.partition(".")
    if name in MARKET_SLIDERS or section in ("finance", "company"):
        return False
    if rest.endswith(COST_FIELDS):
        return False
    return section != "options" or rest.rsplit(".", 1)[0] in mix


def _option_controls(mix: list[str]) -> list[dict]:
    out = []
    for name in mix:
        group = f"Option: {name}"
        out.append(
            _range(
                f"oc:{name}",
                "Capacity ×",
                group,
                "option_capacity_scale",
                *SCALE_RANGE,
                0.05,
                1,
                "x",
                name=name,
            )
        )
        out.append(
            _range(
                f"os:{name}",
                "Starts later by",
                group,
                "option_start_shift_months",
                -12,
                24,
                1,
                0,
                "m",
                name=name,
            )
        )
    return out


def _model_controls(scenario: Scenario) -> list[dict]:
    out = []
    for model in scenario.models:
        group = f"Later model: {model.name} (from {model.launch})"
        out.append(
            {
                "key": f"mo:{model.name}",
                "label": "Built",
                "group": group,
                "kind": "check",
                "field": "model_enabled",
                "name": model.name,
                "value": True,
            }
        )
        out.append(
            _range(
                f"ml:{model.name}",
                "Launches later by",
                group,
                "model_launch_shift_months",
                -12,
                24,
                1,
                0,
                "m",
                name=model.name,
            )
        )
    return out
