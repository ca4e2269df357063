"""The terminal's renderings of the reference data, forecasts and the run store."""

from rich import box
from rich.console import Console
from rich.table import Table

from ..model.outcomes import CHECKPOINTS
from ..reference.outlook import FAN_MONTHS
from .terminal import new_table, percent, shown


def _k(value) -> str:
    return "—" if value is None or value != value else f"{value / 1e3:,.1f}"


def print_reference(entrants, console: Console) -> None:
    table = new_table(
        title="real EV entrants: cumulative deliveries (thousand) by months of sales",
        caption="interpolated by a monotone cubic through the sourced figures; — "
        "where the data stop",
    )
    table.add_column("entrant", no_wrap=True)
    table.add_column("country")
    table.add_column("first delivery")
    for k in CHECKPOINTS:
        table.add_column(f"{k} mo", justify="right")
    table.add_column("data to\n(months)", justify="right")
    table.add_column("sources", justify="right")
    for e in entrants:
        table.add_row(
            e.company,
            e.country,
            e.first_delivery,
            *(_k(float(e.cumulative_at(k))) for k in CHECKPOINTS),
            f"{e.last_month:.0f}",
            str(len({f.source for f in e.figures})),
        )
    console.print(table)


def print_fit(data, result, console: Console) -> None:
    console.print(
        f"{data.deliveries.size} months of deliveries from {data.first_month} "
        f"({data.deliveries.sum():,.0f} in all), forecast as of {result.as_of} with "
        f"{result.reference_entrants} entrants known then (hierarchical Bass; 10/50/90%)"
    )
    for name, values in (
        ("p (per year)", result.p_per_year),
        ("q (per year)", result.q_per_year),
        ("m (vehicles)", result.market_vehicles),
    ):
        lo, mid, hi = values
        console.print(f"  {name:<14} {mid:,.4g} ({lo:,.4g} to {hi:,.4g})")
    q = result.quantiles
    for i, m in enumerate(result.months):
        console.print(
            f"  cumulative after {m} months of sales: {q[0.5][i]:,.0f} "
            f"(80%: {q[0.1][i]:,.0f} to {q[0.9][i]:,.0f}; 95%: {q[0.025][i]:,.0f} to "
            f"{q[0.975][i]:,.0f})"
        )


def print_backtest(rows, console: Console) -> None:
    table = new_table(
        title="backtest: fit on months 1-12 of sales, forecast cumulative months 13-36",
    )
    table.add_column("entrant", no_wrap=True)
    table.add_column("method", no_wrap=True)
    table.add_column("MAPE", justify="right")
    table.add_column("80% coverage", justify="right")
    for r in rows:
        style = "bold" if r.entrant == "all" else ""
        table.add_row(
            r.entrant, r.method, f"{100 * r.mape:,.0f}%", f"{100 * r.coverage_80:.0f}%", style=style
        )
    console.print(table)


def print_hindcast(result, console: Console) -> None:
    """Scores per forecast origin and method, the CRPS ratios, and the stated targets."""
    table = new_table(
        title="hindcast: leave-one-out forecasts of cumulative deliveries at 12, 24, 36 months",
        caption="after: months of sales seen; CRPS in vehicles and of log deliveries (lower is "
        "better); coverage of the central 50/80/95% intervals; bias: share of medians above "
        "the truth",
    )
    for name in ("after", "method", "n", "CRPS", "log", "50%", "80%", "95%"):
        table.add_column(name, justify="left" if name == "method" else "right", no_wrap=True)
    table.add_column("MdAPE", justify="right")
    table.add_column("bias", justify="right")
    last = None
    for s in result.scores:
        table.add_row(
            f"{s.origin} mo" if s.origin != last else "",
            s.method,
            str(s.cases),
            f"{s.crps:,.0f}",
            f"{s.crps_log:.2f}",
            *(f"{100 * s.coverage[lv]:.0f}%" for lv in (0.5, 0.8, 0.95)),
            f"{100 * s.mdape:.0f}%",
            f"{100 * s.bias:.0f}%",
            end_section=False,
        )
        last = s.origin
    console.print(table)
    for label, skill in (("our", result.skill), ("calibrated", result.skill_calibrated)):
        for origin, row in skill.items():
            ratios = ", ".join(f"{m} {v['ratio']:.2f} ({v['cases']})" for m, v in row.items())
            console.print(f"  after {origin} months, {label} CRPS / theirs (cases): {ratios}")
    from ..reference.scores import CALIBRATED_AS_OF

    total = sum(s.cases for s in result.scores if s.method == CALIBRATED_AS_OF)
    console.print(
        f"  calibrated forecasts: {result.spread_applied} of {total} had a spread fitted on "
        "forecasts resolved by their date (the others too few and stay as the model gives them)"
    )
    latest = {}
    for v in result.spread:
        latest[f"{v['origin_from']}-{v['origin_to']}"] = v
    console.print(
        "  spread as fitted on "
        + ", ".join(
            f"{v['as_of']} for {k} months seen: {v['spread']:.2f} ({v['cases']} forecasts)"
            for k, v in latest.items()
        )
        + " (data/calibration.csv holds every year's)"
    )
    if result.brier is not None:
        console.print(
            f"  stated targets: {len(result.targets)} scored, Brier {result.brier:.3f} "
            f"(the forecaster told the target; {result.brier_outside:.3f} not told) against "
            f"{result.brier_base_rate:.3f} for the base rate; not scored: "
            + ", ".join(f"{n} ({why})" for why, n in result.targets_skipped.items())
        )


def _thousand(value: float | None) -> str:
    return "—" if value is None else f"{value / 1e3:,.0f}"


def print_nowcast(scenario, data, result, console: Console) -> None:
    lo, hi = result.p_target_ci95
    console.print(
        f"[bold]{shown(scenario.name)}[/bold] · nowcast with {result.months_observed} months of "
        f"actual deliveries ({data.first_month} to {data.months[-1]}, "
        f"{result.delivered_so_far:,.0f} in all)"
    )
    if result.estimated:
        console.print(
            f"P(target) before the actuals {percent(result.p_target_prior)} → now "
            f"[bold]{percent(result.p_target)}[/bold] (95% CI {percent(lo)} to {percent(hi)}; "
            f"{result.effective_paths:,.0f} effective of {result.paths:,} paths); real "
            f"entrants (`evlaunch fit`) say {percent(result.p_target_outside)}; blended "
            f"[bold]{percent(result.p_target_blend)}[/bold]"
        )
    else:
        why = (
            "the actuals contradict every path"
            if result.contradicted
            else f"only {result.effective_paths:,.0f} of {result.paths:,} paths match the actuals"
        )
        console.print(
            f"P(target) is [bold]not stated[/bold]: {why} (see the warning below); real "
            f"entrants (`evlaunch fit`) say {percent(result.p_target_outside)}"
        )
    if result.estimated and result.expected_target_month:
        console.print(f"median month the target is reached: {result.expected_target_month}")
    # where no path matches the actuals, the scenario's fan is a handful of paths forced
    # onto them: the forecaster's fan is the one to read
    cumulative, whose = (
        (result.fan_cumulative, "the scenario's paths given the actuals")
        if result.estimated
        else (result.outside_fan_cumulative, "real entrants' forecaster given the actuals")
    )
    fan = new_table(
        title=f"cumulative deliveries since {result.fan_months[0]} (thousand): {whose}",
    )
    fan.add_column("month")
    keys = [0.05, 0.25, 0.5, 0.75, 0.95]
    for q in keys:
        fan.add_column(f"P{round(100 * q)}", justify="right")
    start = result.fan_months.index(data.months[-1])
    for t in range(start, len(result.fan_months), 6):
        fan.add_row(result.fan_months[t], *(_thousand(cumulative[q][t]) for q in keys))
    console.print(fan)
    if not result.estimated:
        console.print(
            f"(the forecaster is scored up to {FAN_MONTHS} months of sales, `evlaunch "
            "hindcast`: its fan stops there)"
        )
    if result.warning:
        console.print(f"[yellow]warning:[/yellow] {result.warning}")


def print_runs(runs, console: Console) -> None:
    table = new_table(
        title="stored runs, newest first",
    )
    for col in ("id", "when (UTC)", "scenario", "seed", "result"):
        table.add_column(col, no_wrap=col != "scenario")
    for r in runs:
        s = r["summary"]
        if "cases" in s:  # a run: its chosen mix
            s = {"p_target": s["cases"][-1]["p_target"]}
        headline = (
            f"P(target) {percent(s['p_target'])}"
            if "p_target" in s
            else f"NPV {s['npv_cny'] / 1e9:,.1f} bn"
            if s.get("npv_cny") is not None
            else s.get("status", "")
        )
        table.add_row(
            r["id"],
            f"{r['created']:%Y-%m-%d %H:%M}",
            r["scenario"] or "",
            "" if r["seed"] is None else str(r["seed"]),
            headline,
        )
    console.print(table)


def _flatten(value, prefix=""):
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            out.update(_flatten(v, f"{prefix}.{k}" if prefix else str(k)))
        return out
    if (
        isinstance(value, list)
        and len(value) <= 12
        and all(not isinstance(v, (dict, list)) for v in value)
    ):
        return {prefix: value}
    if isinstance(value, list):
        out = {}
        for i, v in enumerate(value):
            out.update(_flatten(v, f"{prefix}[{i}]"))
        return out
    return {prefix: value}


def print_diff(a: dict, b: dict, console: Console) -> None:
    import difflib

    console.print(
        f"[bold]{a['id']}[/bold] ({a['kind']}, {a['created']}) against "
        f"[bold]{b['id']}[/bold] ({b['kind']}, {b['created']})"
    )
    for field in ("seed", "version"):
        if a[field] != b[field]:
            console.print(f"{field}: {a[field]} → {b[field]}")
    text = list(
        difflib.unified_diff(
            a["scenario_text"].splitlines(),
            b["scenario_text"].splitlines(),
            "first",
            "second",
            lineterm="",
            n=0,
        )
    )
    console.print("scenario: the same" if not text else "scenario:")
    for line in text[2:]:
        console.print(f"  {line}", highlight=False, markup=False)
    fa, fb = _flatten(a["summary"]), _flatten(b["summary"])
    changed = [k for k in sorted(set(fa) | set(fb)) if fa.get(k) != fb.get(k)]
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, title="results that differ")
    table.add_column("result")
    table.add_column("first", justify="right")
    table.add_column("second", justify="right")
    for k in changed[:40]:
        table.add_row(k, _short_value(fa.get(k)), _short_value(fb.get(k)))
    console.print(table if changed else "results: the same")
    if len(changed) > 40:
        console.print(f"... and {len(changed) - 40} more")


def _short_value(v) -> str:
    if isinstance(v, float):
        return f"{v:,.6g}"
    text = str(v)
    return text if len(text) <= 40 else text[:37] + "..."
