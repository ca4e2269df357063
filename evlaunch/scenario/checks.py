"""Checks across fields, after each field has passed its own range check."""

from .ahp import matrix_problems
from .distributions import support, support_bounds
from .facts import fastest_plant_build
from .inputs import correlation_factor, surely_valid_correlations, uncertain_names
from .months import add_months, months_between
from .schema import DERIVED_CRITERIA, Scenario

Loc = tuple[str | int, ...]


def field_name(loc: Loc, whole: str = "(top level)") -> str:
    """A field location as people write it: ('options', 2, 'name') -> 'options[2].name';
    the empty location is ``whole``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or whole


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
        if (
            o.kind == "own_plant"
            and not o.already_built
            # the lead time's interval decides when it lies above the record (no scipy)
            and support_bounds(o.lead_time_months)[0].low < build.number
            and support(o.lead_time_months)[0] < build.number
        ):
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
    if s.assessment is not None:
        problems += _assessment_problems(s)
    for i, name in enumerate(s.planning.options or []):
        if name not in names:
            problems.append((("planning", "options", i), name, f"no option has this name; {known}"))
    problems += _volume_problems(s)

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
    # checks that rest on the first car's launch and the options come after them
    problems += _expansion_problems(s, names, end)
    problems += _model_problems(s, end)
    return problems


def _expansion_problems(s: Scenario, names: list[str], end: str) -> list[tuple[Loc, object, str]]:
    problems = []
    known = f"the options are: {', '.join(names)}"
    for i, e in enumerate(s.expansions):
        if e.option not in names:
            problems.append(
                (("expansions", i, "option"), e.option, f"no option has this name; {known}")
            )
        elif e.option in [x.option for x in s.expansions[:i]]:
            problems.append(
                (("expansions", i, "option"), e.option, "another rule already commits this option")
            )
        for j, o in enumerate(s.options):
            if o.requires == e.option and s.expansion(o.name) is None:
                problems.append(
                    (
                        ("options", j, "requires"),
                        o.requires,
                        "is built only when its expansion rule fires, while this option starts "
                        "on a fixed date: put this option under a rule too, or drop the rule",
                    )
                )
        if e.not_before is not None and not s.start <= e.not_before < end:
            problems.append(
                (
                    ("expansions", i, "not_before"),
                    e.not_before,
                    f"must be from {s.start} to before {end}",
                )
            )
    return problems


def _model_problems(s: Scenario, end: str) -> list[tuple[Loc, object, str]]:
    problems = []
    seen = [s.market.model_name]
    for i, m in enumerate(s.models):
        if m.name in seen:
            problems.append((("models", i, "name"), m.name, "two models have this name"))
        seen.append(m.name)
        if not s.market.launch <= m.launch < end:
            problems.append(
                (
                    ("models", i, "launch"),
                    m.launch,
                    f"must be from the first car's launch (market.launch, {s.market.launch}) "
                    f"to before the grid's end {end}",
                )
            )
    known = f"the models are: {', '.join(seen)}"
    for i, o in enumerate(s.options):
        for j, name in enumerate(o.builds or []):
            if name not in seen:
                problems.append(
                    (("options", i, "builds", j), name, f"no model has this name; {known}")
                )
    for name in seen:
        if not any(o.builds is None or name in o.builds for o in s.options):
            problems.append(
                (
                    ("options",),
                    name,
                    "no option builds this model: add it to an option's `builds` (or leave "
                    "`builds` out, and the option builds every model)",
                )
            )
    return problems


def _volume_problems(s: Scenario) -> list[tuple[Loc, object, str]]:
    """Options whose minimum volume is above the most they can build for us."""
    problems = []
    for i, o in enumerate(s.options):
        # at least this (both are positive, and rounding is monotone): when the minimum is
        # within it, it is within the exact product too, found without scipy
        least = max(support_bounds(o.capacity_per_year)[1].low, 0.0) * max(
            support_bounds(o.share_available)[1].low, 0.0
        )
        if o.min_volume_per_year <= least:
            continue
        most = support(o.capacity_per_year)[1] * support(o.share_available)[1]
        if o.min_volume_per_year > most:
            problems.append(
                (
                    ("options", i, "min_volume_per_year"),
                    o.min_volume_per_year,
                    f"above the most this option can build for us ({most:,.0f} a year)",
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
        earlier = [j for j, d in enumerate(s.correlations[:k]) if set(d.between) == set(c.between)]
        if earlier:
            problems.append(
                (
                    ("correlations", k, "between"),
                    list(c.between),
                    f"this pair is given already (correlations[{earlier[0]}], rank "
                    f"{s.correlations[earlier[0]].rank:g}); give each pair once",
                )
            )
    if not problems and not surely_valid_correlations(s):
        try:
            correlation_factor(s, names)
        except ValueError as exc:
            problems.append((("correlations",), [c.rank for c in s.correlations], str(exc)))
    return problems


def _on_scale(value: float, scale: tuple[float, float] | None) -> bool:
    return scale is None or scale[0] <= value <= scale[1]


def _assessment_problems(s: Scenario) -> list[tuple[Loc, object, str]]:
    a = s.assessment
    names = list(a.criteria)
    judged = [n for n in names if n not in DERIVED_CRITERIA]
    known = f"the criteria are: {', '.join(names)}"
    problems: list[tuple[Loc, object, str]] = []
    for name, c in a.criteria.items():
        if name in DERIVED_CRITERIA and c.direction != DERIVED_CRITERIA[name][0]:
            problems.append(
                (
                    ("assessment", "criteria", name, "direction"),
                    c.direction,
                    f"{name} is derived ({DERIVED_CRITERIA[name][1]}) and is a "
                    f"{DERIVED_CRITERIA[name][0]} criterion",
                )
            )
    for i, o in enumerate(s.options):
        for name in o.scores:
            if name not in judged:
                why = (
                    "is derived from the option's fields"
                    if name in DERIVED_CRITERIA
                    else f"is not a judged criterion; {known}"
                )
                problems.append((("options", i, "scores", name), name, why))
        for name in judged:
            if name not in o.scores:
                problems.append(
                    (
                        ("options", i, "scores"),
                        sorted(o.scores),
                        f"needs a score (value and source) for {name!r}",
                    )
                )
            elif not _on_scale(o.scores[name].value, a.criteria[name].scale):
                low, high = a.criteria[name].scale
                problems.append(
                    (
                        ("options", i, "scores", name, "value"),
                        o.scores[name].value,
                        f"outside {name}'s scale, {low:g} to {high:g}",
                    )
                )
            elif a.criteria[name].direction == "cost" and o.scores[name].value <= 0:
                problems.append(
                    (
                        ("options", i, "scores", name, "value"),
                        o.scores[name].value,
                        "a cost criterion's score must be above 0 (AHP compares "
                        "reciprocals); use a scale such as 1-10",
                    )
                )
    return problems + _weight_problems(s, names, known, problems_so_far=bool(problems))


def _weight_problems(
    s: Scenario, names: list[str], known: str, problems_so_far: bool
) -> list[tuple[Loc, object, str]]:
    """The weights name the criteria, and are weights: point weights sum to 1, intervals
    contain weights that do, a pairwise matrix is consistent enough."""
    problems: list[tuple[Loc, object, str]] = []
    w = s.assessment.weights
    given = w.criteria if w.kind == "ahp" else list(w.values)
    loc = ("assessment", "weights", "criteria" if w.kind == "ahp" else "values")
    for name in given:
        if name not in names:
            problems.append((loc, name, f"unknown criterion; {known}"))
    missing = [n for n in names if n not in given]
    if missing:
        problems.append((loc, given, f"no weight for {', '.join(missing)}"))
    if problems or problems_so_far:
        return problems
    if w.kind == "point":
        total = sum(w.values.values())
        if any(v < 0 for v in w.values.values()) or abs(total - 1) > 1e-6:
            problems.append(
                (
                    loc,
                    dict(w.values),
                    f"they sum to {total:.6g}; point weights must be at least 0 and sum to 1",
                )
            )
    elif w.kind == "intervals":
        lows = [lo for lo, _ in w.values.values()]
        highs = [hi for _, hi in w.values.values()]
        if any(not 0 <= lo <= hi <= 1 for lo, hi in w.values.values()):
            problems.append(
                (
                    loc,
                    dict(w.values),
                    "each interval must be [low, high] with 0 <= low <= high <= 1",
                )
            )
        elif not sum(lows) <= 1 <= sum(highs):
            problems.append(
                (
                    loc,
                    [sum(lows), sum(highs)],
                    "no weights in these intervals sum to 1: the lows must sum to at "
                    "most 1 and the highs to at least 1",
                )
            )
    else:
        problems += matrix_problems(w, ("assessment", "weights", "matrix"))
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
