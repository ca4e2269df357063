"""The dashboard's what-if: the scenario's Monte Carlo with a few assumptions moved.

Sliders move central values while keeping each input's uncertainty: a sampled input is
multiplied by new central / old central, so its spread scales with it. The launch month and
the target change the scenario itself.
"""

import threading
from collections import OrderedDict
from typing import Annotated

import numpy as np
from pydantic import ConfigDict, Field

from ..errors import UserError
from ..risk.montecarlo import monte_carlo
from ..risk.sampling import Sampler
from ..scenario.checks import cross_field_problems, with_requirements
from ..scenario.inputs import Params, central_params, uncertain_names
from ..scenario.months import add_months, months_between
from ..scenario.schema import Scenario
from .messages import excerpt
from .posted import ScenarioChoice

MAX_PATHS = 200_000  # per request: about half a second of compute on two cores
REMEMBERED_RUNS = 2  # sampled inputs kept for this many (scenario, paths, seed): ~35 MB each


class _RememberingSampler(Sampler):
    """A Sampler that keeps what it drew. Slider moves rescale the same draws (common random
    numbers), so a move skips the sampling and the curve moves only by what the slider did."""

    def __post_init__(self):
        super().__post_init__()
        object.__setattr__(self, "drawn", {})

    def params(self, start: int, stop: int) -> Params:
        if (start, stop) not in self.drawn:
            self.drawn[(start, stop)] = super().params(start, stop)
        return self.drawn[(start, stop)]


_samplers: OrderedDict = OrderedDict()
_samplers_lock = threading.Lock()


def _sampler(scenario: Scenario, paths: int, seed: int) -> Sampler:
    key = (id(scenario), paths, seed)
    with _samplers_lock:  # requests run in a thread pool
        found = _samplers.get(key)
        if found is None or found.scenario is not scenario:
            found = _samplers[key] = _RememberingSampler(scenario, seed, "sobol")
        _samplers.move_to_end(key)
        while len(_samplers) > REMEMBERED_RUNS:
            _samplers.popitem(last=False)
        return found


MAX_NAMED = 200  # entries in one of the per-option, per-model or per-input maps
Scale = Annotated[float, Field(ge=0.25, le=4)]
Shift = Annotated[int, Field(ge=-24, le=36)]


class WhatIf(ScenarioChoice):
    """The dashboard's assumptions (GET /api/scenarios/{name} lists a scenario's sliders)."""

    # strict: a number field takes a number, never true/false or text that looks like one
    model_config = ConfigDict(extra="forbid", strict=True)

    launch_delay_months: int = Field(
        0, ge=-24, le=36, description="orders open this much later (the whole roadmap moves)"
    )
    ramp_months_scale: float = Field(1.0, ge=0.25, le=4, description="x every option's ramp")
    capacity_scale: float = Field(1.0, ge=0.25, le=4, description="x every option's capacity")
    bass_p_per_year: float | None = Field(None, ge=1e-4, le=1, description="central p")
    bass_q_per_year: float | None = Field(None, ge=0, le=5, description="central q")
    price_cny: float | None = Field(None, ge=1e3, le=5e6, description="central price [CNY]")
    target_deliveries: int | None = Field(None, gt=0, le=10_000_000)
    max_utilisation: float | None = Field(
        None, ge=1, le=3, description="every option may run up to this x nameplate (shifts)"
    )
    later_models: bool = Field(True, description="keep the roadmap's later models")
    models_launch_delay_months: int = Field(
        0, ge=-24, le=36, description="the later models' launches move this much more"
    )
    option_capacity_scale: dict[str, Scale] = Field(
        default_factory=dict, max_length=MAX_NAMED, description="option name -> x its capacity"
    )
    option_start_shift_months: dict[str, Shift] = Field(
        default_factory=dict, max_length=MAX_NAMED, description="option name -> starts later by"
    )
    model_enabled: dict[str, bool] = Field(
        default_factory=dict, max_length=MAX_NAMED, description="later model name -> built"
    )
    model_launch_shift_months: dict[str, Shift] = Field(
        default_factory=dict, max_length=MAX_NAMED, description="later model -> launches later by"
    )
    input_scale: dict[str, Scale] = Field(
        default_factory=dict,
        max_length=MAX_NAMED,
        description="uncertain input ('options.NAME.ramp_months') -> x its central value",
    )
    paths: int = Field(100_000, ge=1_000, le=MAX_PATHS)
    seed: int = Field(0, ge=0, le=2**31)


def moved_scenario(scenario: Scenario, change: WhatIf) -> Scenario:
    """The scenario with the launch months, the roadmap and the target the change moves:
    the changes that alter the scenario itself rather than rescale its sampled inputs."""
    market = scenario.market
    shift = change.launch_delay_months + change.models_launch_delay_months
    models = [
        m.model_copy(
            update={
                "launch": add_months(
                    m.launch, shift + change.model_launch_shift_months.get(m.name, 0)
                )
            }
        )
        for m in scenario.models
        if change.model_enabled.get(m.name, True)
    ]
    options = [
        o.model_copy(
            update={"start": add_months(o.start, change.option_start_shift_months[o.name])}
        )
        if change.option_start_shift_months.get(o.name)
        else o
        for o in scenario.options
    ]
    return scenario.model_copy(
        update={
            "options": options,
            "market": market.model_copy(
                update={"launch": add_months(market.launch, change.launch_delay_months)}
            ),
            "models": models if change.later_models else [],
            "target": scenario.target.model_copy(
                update={"deliveries": change.target_deliveries or scenario.target.deliveries}
            ),
        }
    )


def _refusal(scenario: Scenario, moved: Scenario, change: WhatIf, problems) -> UserError:
    """The moved scenario's problems said in the request's terms: the fields that moved it and
    what the scenario allows, never a scenario field the client did not send."""
    end = add_months(moved.start, moved.horizon_months)  # the first month past the grid
    window = moved.target.window_months
    sentences = []
    for loc, value, message in problems:
        if loc == ("horizon_months",):
            most = months_between(scenario.market.launch, end) - window
            sentences.append(
                f"launch_delay_months = {change.launch_delay_months}: orders would open "
                f"{moved.market.launch} and the {window}-month target window would run past "
                f"the scenario's months (they end before {end}); a delay of at most {most} "
                f"months fits"
            )
        elif loc[0] == "models" and loc[-1] == "launch":
            name = moved.models[loc[1]].name
            moving = ("launch_delay_months", "models_launch_delay_months")
            causes = [f"{n} = {getattr(change, n)}" for n in moving if getattr(change, n)]
            if change.model_launch_shift_months.get(name):
                shift = change.model_launch_shift_months[name]
                causes.append(f"model_launch_shift_months[{excerpt(name)}] = {shift}")
            sentences.append(
                f"{', '.join(causes)}: the later model {excerpt(name)} would launch {value}, "
                f"outside the months it may (from the first car's launch "
                f"{moved.market.launch} to before {end})"
            )
        elif loc[0] == "options" and loc[-1] == "start":
            name = moved.options[loc[1]].name
            shift = change.option_start_shift_months.get(name, 0)
            sentences.append(
                f"option_start_shift_months[{excerpt(name)}] = {shift}: the option would start "
                f"{value}; {message}"
            )
        else:  # said without naming a scenario field the client did not send
            sentences.append(f"the scenario so changed is refused: {message}")
    return UserError("; ".join(sentences), sentences)


def _unknown_names(scenario: Scenario, change: WhatIf) -> list[str]:
    """A sentence per name in the request's maps that the scenario does not have."""
    known = {
        "option_capacity_scale": [o.name for o in scenario.options],
        "option_start_shift_months": [o.name for o in scenario.options],
        "model_enabled": [m.name for m in scenario.models],
        "model_launch_shift_months": [m.name for m in scenario.models],
        "input_scale": uncertain_names(scenario),
    }
    sentences = []
    for field, names in known.items():
        for name in getattr(change, field):
            if name not in names:
                allowed = ", ".join(names) if len(names) <= 12 else "GET /api/scenarios/NAME"
                sentences.append(
                    f"{field}[{excerpt(name)}]: the scenario has no such "
                    f"{field.split('_')[0]} (it has: {allowed or 'none'})"
                )
    return sentences[:10]


def _scales(scenario: Scenario, change: WhatIf, central: Params) -> dict[str, float]:
    """Each sampled input's factor: new central / old central, the sliders' moves combined."""
    factors = {
        "market.bass_p_per_year": change.bass_p_per_year,
        "market.bass_q_per_year": change.bass_q_per_year,
        "market.price_cny": change.price_cny,
    }
    scale = {k: v / float(central[k][0]) for k, v in factors.items() if v is not None}
    for o in scenario.options:
        scale[f"options.{o.name}.ramp_months"] = change.ramp_months_scale
        scale[f"options.{o.name}.capacity_per_year"] = change.capacity_scale * (
            change.option_capacity_scale.get(o.name, 1.0)
        )
    for name, factor in change.input_scale.items():
        scale[name] = scale.get(name, 1.0) * factor
    return scale


def what_if(scenario: Scenario, change: WhatIf) -> dict:
    unknown = _unknown_names(scenario, change)
    if unknown:
        raise UserError("; ".join(unknown), unknown)
    moved = moved_scenario(scenario, change)
    problems = cross_field_problems(moved)
    if problems:
        raise _refusal(scenario, moved, change, problems)
    central = central_params(scenario)
    scale = _scales(scenario, change, central)

    def adjust(params: Params) -> Params:
        out = {k: v * scale[k] if k in scale else v for k, v in params.items()}
        if change.max_utilisation is not None:
            for o in scenario.options:
                name = f"options.{o.name}.max_utilisation"
                out[name] = np.full_like(out[name], change.max_utilisation)
        return out

    options = with_requirements(moved, moved.plan.options)
    # the fan from 5,000 paths is ample for a chart (its P10 moves by ~0.4 percentile points)
    risk = monte_carlo(
        moved,
        options,
        change.paths,
        change.seed,
        "sobol",
        adjust=adjust,
        fan_paths=5_000,
        draw=_sampler(scenario, change.paths, change.seed),
    )
    fan = {float(k): v for k, v in risk.fan_cumulative_deliveries.items()}
    window = moved.target.window_months
    return {
        "p_target": risk.p_target,
        "p_target_ci95": risk.p_target_ci95,
        "target": moved.target.deliveries,
        "window_months": window,
        "paths": risk.paths,
        "median_window_deliveries": risk.deliveries_quantiles[window][3],
        "months": risk.fan_months,
        "p10": fan[0.1],
        "p50": fan[0.5],
        "p90": fan[0.9],
        "seconds": risk.seconds,
        "scenario": scenario.name,
        "launch": moved.market.launch,
        "options": options,
        "later_models": [{"name": m.name, "launch": m.launch} for m in moved.models],
        "roadmap": [m.name for m in scenario.models],  # what the roadmap controls act on
        "central": {
            **{
                k: float(np.asarray(v)[0])
                for k, v in central.items()
                if k in ("market.bass_p_per_year", "market.bass_q_per_year", "market.price_cny")
            },
            # the slider sets every option alike: it starts at the highest of the chosen ones
            "max_utilisation": max(
                float(central[f"options.{n}.max_utilisation"][0]) for n in options
            ),
        },
    }
