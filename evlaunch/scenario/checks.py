"""Checks across fields, after each field has passed its own range check."""

from ..reference.facts import fastest_plant_build
from ..risk.distributions import support
from ..risk.sampling import correlation_factor, uncertain_names
from .months import add_months, months_between
from .schema import Scenario

Loc = tuple[str | int, ...]


def cross_field_problems(s: Scenario) -> list[tuple[Loc, object, str]]:
    """Every problem found, as (field location, offending value, message)."""
    problems: list[tuple[Loc, object, str]] = []
    names = [o.name for o in s.options]
    end = add_months(s.start, s.horizon_months)
    known = f"the options are: {', '.join(names)}"

    for i, name in enumerate(names):
        if name in names[:i]:
            problems.append(((("options", i, "name")), name, "two options have this name"))
    for i, name in enumerate(s.plan.options):
        if name not in names:
            problems.append((("plan", "options", i), name, f"no option has this name; {known}"))

    build = fastest_plant_build()
    for i, o in enumerate(s.options):
        if o.requires is not None and (o.requires not in names or o.requires == o.name):
            problems.append(
                (("options", i, "requires"), o.requires, f"must name another option; {known}")
            )
        if not s.start <= o.start < end:
            problems.append(
                (("options", i, "start"), o.start, f"must be from {s.start} to before {end}")
            )
        if o.kind == "own_plant" and support(o.lead_time_months)[0] < build.number:
            problems.append(
                (
                    ("options", i, "lead_time_months"),
                    support(o.lead_time_months)[0],
                    f"an own plant cannot start production faster than the fastest build on "
                    f"record ({build.company}, {build.number:g} {build.unit}; source: "
                    f"{build.source})",
                )
            )
    problems += _requirement_cycles(s)
    problems += _correlation_problems(s)

    if not s.start <= s.market.launch < end:
        problems.append(
            (("market", "launch"), s.market.launch, f"must be from {s.start} to before {end}")
        )
    elif months_between(s.market.launch, end) < s.target.window_months:
        problems.append(
            (
                ("horizon_months",),
                s.horizon_months,
                f"too short: orders open {s.market.launch} and the target window is "
                f"{s.target.window_months} months, so the grid must run to at least "
                f"{add_months(s.market.launch, s.target.window_months)}",
            )
        )
    return problems


def _correlation_problems(s: Scenario) -> list[tuple[Loc, object, str]]:
    names = uncertain_names(s)
    problems = []
    for k, c in enumerate(s.correlations):
        for name in c.between:
            if name not in names:
                problems.append(
                    (
                        ("correlations", k, "between"),
                        name,
                        "not an uncertain input (one with a distribution); uncertain inputs: "
                        + (", ".join(names) or "none"),
                    )
                )
        if c.between[0] == c.between[1]:
            problems.append((("correlations", k, "between"), c.between, "names one input twice"))
    if not problems:
        try:
            correlation_factor(s, names)
        except ValueError as exc:
            problems.append((("correlations",), [c.rank for c in s.correlations], str(exc)))
    return problems


def _requirement_cycles(s: Scenario) -> list[tuple[Loc, object, str]]:
    requires = {o.name: o.requires for o in s.options}
    for i, o in enumerate(s.options):
        seen, name = set(), o.name
        while name in requires and requires[name] is not None:
            if name in seen:
                return [(("options", i, "requires"), o.requires, "options require each other")]
            seen.add(name)
            name = requires[name]
    return []


def with_requirements(s: Scenario, names: list[str]) -> list[str]:
    """``names`` plus every option they require, in scenario order."""
    wanted, stack = set(), list(names)
    while stack:
        name = stack.pop()
        if name not in wanted:
            wanted.add(name)
            required = s.option(name).requires
            if required:
                stack.append(required)
    return [o.name for o in s.options if o.name in wanted]
