"""The terminal summary of a run, with rich."""

from typing import TYPE_CHECKING

from rich import box
from rich.console import Console
from rich.table import Table

from ..text import shown

if TYPE_CHECKING:  # the run's type only: `risk` and `plan` print without importing the pipeline
    from ..pipeline import RunResult


def print_run(result: "RunResult", console: Console) -> None:
    """One table: every case's first delivery, deliveries by months of sales, target, cash."""
    table = new_table(
        title=f"{shown(result.scenario)}\ntarget: {result.target_deliveries:,} deliveries in "
        f"the first {result.target_window_months} months of sales",
        caption="k: thousand vehicles delivered by months of sales · cash need (peak) and NPV: "
        "bn CNY, at central values · P(hit): Monte Carlo probability of the target · "
        f"evlaunch {result.version}",
    )
    table.add_column("case", no_wrap=True, max_width=17, overflow="ellipsis")
    table.add_column("sales\nfrom", no_wrap=True, min_width=7)
    for k in result.cases[0].deliveries_by_months_of_sales:
        table.add_column(f"{k} mo\nk", justify="right", no_wrap=True, min_width=5)
    table.add_column("target\nmet/gap", justify="right", no_wrap=True, min_width=7)
    table.add_column("cash\nneed", justify="right", no_wrap=True, min_width=5)
    table.add_column("NPV", justify="right", no_wrap=True, min_width=5)
    table.add_column("P(hit)", justify="right", no_wrap=True)
    for case in result.cases:
        if case.target_reached:
            target = f"[green]{case.target_reached}[/green]"
        else:
            target = f"[red]-{case.shortfall_vehicles / 1e3:,.1f}k[/red]"
        others = [o for o in case.options if o != case.case]
        name = shown(case.case) + (
            f" + {len(others)}" if others and case.case != "chosen mix" else ""
        )
        table.add_row(
            f"[bold]{name}[/bold]" if case.case == "chosen mix" else name,
            case.first_delivery or "never",
            *(f"{v / 1e3:,.1f}" for v in case.deliveries_by_months_of_sales.values()),
            target,
            f"{case.peak_cash_need_cny / 1e9:,.1f}",
            f"{case.npv_cny / 1e9:,.1f}",
            percent(case.p_target),
        )
    console.print(table)
    mix = next(c for c in result.cases if c.case == "chosen mix")
    if len(mix.window_by_model) > 1:
        console.print(
            "chosen mix in the target window by model (deliveries, margin over unit cost and "
            "fees): "
            + ", ".join(
                f"{shown(m)} {w.deliveries / 1e3:,.1f}k, "
                f"{(w.revenue_cny - w.cost_cny) / 1e9:,.1f} bn CNY"
                for m, w in mix.window_by_model.items()
            )
        )
    lo, hi = mix.p_target_ci95
    console.print(
        f"chosen mix: {' + '.join(map(shown, mix.options))}\n"
        f"[bold]P(target) = {percent(mix.p_target)}[/bold] (95% CI {percent(lo)} to {percent(hi)}; "
        f"{result.risk_paths:,} paths, seed {result.risk_seed}; `evlaunch risk` for the detail)"
    )
    for case in result.cases:
        others = [o for o in case.options if o != case.case]
        if others and case.case != "chosen mix":
            console.print(
                f"{shown(case.case)} needs {' + '.join(map(shown, others))}: run together"
            )
    o = result.outside_view
    lo, hi = o["outside_p10_p90"]
    console.print(
        f"Outside view as of {o['as_of']} ({o['reference_entrants']} entrants known then): "
        f"a new entrant delivers {o['outside_median']:,.0f} in {o['window_months']} months of "
        f"sales (80%: {lo:,.0f} to {hi:,.0f}); the target is above "
        f"{percent(o['target_percentile'] / 100)} of that. P(target) outside "
        f"{percent(o['p_target_outside'])}, inside {percent(o['p_target_inside'])}, blended "
        f"{percent(o['p_target_blend'])} ({o['blend_method']}; `evlaunch hindcast` scores both)"
    )
    if o["disagreement"]:
        console.print(shown(o["disagreement"]))
    if result.recommended:
        console.print(
            f"[bold]Recommended way to build: {shown(result.recommended)}[/bold] "
            f"(`evlaunch partners` for the detail). {shown(result.recommendation)}"
        )


def new_table(**kwargs) -> Table:
    """A compact table in the house style: one rule under the header, no padding."""
    return Table(box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True, **kwargs)


def plain(value: float) -> str:
    """A number for people: thousands separated, never in scientific notation."""
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"


def percent(p: float) -> str:
    return f"{100 * p:.3f}%" if 0 < p < 0.001 else f"{100 * p:.1f}%"


def _decided(decisions) -> str:
    """Shares of paths that added a shift (or committed, under a rule), one per option."""
    parts = [
        percent(d.shift_share)
        + (f" / {percent(d.commit_share)}" if d.commit_share is not None else "")
        for d in decisions
    ]
    return ", ".join(parts) or "none"


def print_decisions(decisions, console: Console) -> None:
    """One line per option whose paths decide: how often they added a shift or committed it."""
    for d in decisions:
        said = []
        if d.commit_share is not None:
            said.append(
                f"committed by its expansion rule in {percent(d.commit_share)} of paths"
                + (f" (median start {d.commit_month_p50})" if d.commit_month_p50 else "")
            )
        if d.shift_share > 0:
            said.append(
                f"ran above nameplate with an added shift in {percent(d.shift_share)} of paths "
                f"(median from {d.shift_month_p50})"
            )
        if said:
            console.print(f"{shown(d.option)}: " + "; ".join(said))


def print_risk(result, sensitivity, console: Console, top: int = 8) -> None:
    """P(target) with its interval, quantile tables, convergence and the top drivers."""
    lo, hi = result.p_target_ci95
    console.print(
        f"[bold]{shown(result.scenario)}[/bold] · built with "
        f"{' + '.join(map(shown, result.options))}\n"
        f"P(target: {result.target_deliveries:,} in {result.window_months} months of sales) = "
        f"[bold]{percent(result.p_target)}[/bold]  (95% CI {percent(lo)} to {percent(hi)}; "
        f"{result.paths:,} paths, {result.sampler} sampler, seed {result.seed})"
    )
    table = new_table(title="quantiles over paths")
    table.add_column("", no_wrap=True)
    for q in result.quantiles:
        table.add_column(f"P{round(100 * q)}", justify="right", no_wrap=True)
    for k, values in result.deliveries_quantiles.items():
        table.add_row(f"deliveries, {k} mo (k)", *(f"{v / 1e3:,.0f}" for v in values))
    table.add_row(
        "months to target",
        *("never" if v is None else f"{v:.0f}" for v in result.months_to_target_quantiles),
    )
    table.add_row("NPV (bn CNY)", *(f"{v / 1e9:,.1f}" for v in result.npv_cny_quantiles))
    table.add_row(
        "peak cash need (bn CNY)", *(f"{v / 1e9:,.1f}" for v in result.peak_cash_need_cny_quantiles)
    )
    console.print(table)
    if result.precision is not None:
        console.print(_precision_sentence(result.precision))
    if result.p_target == 0:
        console.print(
            f"No path reached the target: with 95% confidence P(target) < {percent(hi)}. "
            "More paths only narrow that bound; the plan itself has to change."
        )
    else:
        steps = "  ".join(
            f"{n:,}: {percent(p)} ± {percent(se)}" for n, p, se in result.convergence[-4:]
        )
        console.print(f"P(target) ± standard error by paths run  {steps}")
    print_decisions(result.decisions, console)
    if sensitivity is None or not sensitivity.tornado:
        return
    drivers = new_table(
        title=f"what drives {sensitivity.output} (input at its P10 → P90)",
    )
    drivers.add_column("input", no_wrap=True, max_width=40, overflow="ellipsis")
    drivers.add_column("deliv. k", justify="right", no_wrap=True)
    drivers.add_column("P(target)", justify="right", no_wrap=True)
    drivers.add_column("S1/ST", justify="right", no_wrap=True)
    sobol = {s.input: s for s in sensitivity.sobol}
    for bar in sensitivity.tornado[:top]:
        s = sobol.get(bar.input)
        drivers.add_row(
            shown(bar.input),
            f"{bar.deliveries_p10 / 1e3:,.0f} → {bar.deliveries_p90 / 1e3:,.0f}",
            f"{percent(bar.p_target_p10)} → {percent(bar.p_target_p90)}",
            f"{s.first_order:.2f}/{s.total:.2f}" if s else "",
        )
    console.print(drivers)


def _precision_sentence(p) -> str:
    from ..risk.sizes import PRECISION_OUTPUTS as OUTPUTS

    def size(v: float) -> str:
        return f"{100 * v:.2f} pp" if p.output == "p_target" else plain(v)

    what = f"{OUTPUTS[p.output]}'s 95% interval is ± {size(p.half_width)} at {p.paths:,} paths"
    if p.reached:
        return f"Precision reached: {what} (asked: ± {size(p.asked_half_width)})."
    return (
        f"[bold]Precision not reached[/bold]: {what}, the cap (--max-paths); "
        f"± {size(p.asked_half_width)} was asked."
    )


def _criterion_value(name: str, value: float) -> str:
    if name.endswith("_cny"):
        return f"{value:,.0f}"
    if name.endswith("_per_year"):
        return f"{value / 1e3:,.0f}k"
    return f"{value:g}"


def _simulation_table(result) -> Table:
    """Each way of building on common random numbers: P(target), NPV, cash, decisions."""
    alts = result.alternatives
    sim = new_table(
        title=f"simulation on common random numbers ({result.paths:,} paths, seed "
        f"{result.seed}); bn CNY",
    )
    sim.add_column("way of building", no_wrap=True, max_width=20)
    sim.add_column("P(target)", justify="right")
    sim.add_column("blended", justify="right")
    sim.add_column("NPV P10 / P50 / P90", justify="right", no_wrap=True)
    sim.add_column("NPV vs rec.\n(95% CI)", justify="right", no_wrap=True)
    sim.add_column("cash need\nP50", justify="right")
    sim.add_column("paths adding a shift\n/ committing", justify="right")
    for a in alts:
        lo, mid, hi = (v / 1e9 for v in a.npv_cny_p10_p50_p90)
        d, dlo, dhi = (v / 1e9 for v in a.npv_vs_recommended_cny)
        sim.add_row(
            shown(a.alternative),
            percent(a.p_target),
            percent(a.p_target_blend),
            f"{lo:,.1f} / {mid:,.1f} / {hi:,.1f}",
            "(rec.)"
            if a.alternative == result.recommended
            else f"{d:+,.1f} ± {(dhi - dlo) / 2:,.1f}",
            f"{a.peak_cash_need_cny_p50 / 1e9:,.1f}",
            _decided(a.decisions),
        )
    return sim


def print_partners(result, console: Console) -> None:
    """Criteria, the three rankings, SMAA-2 acceptability and the simulation side by side."""
    alts = result.alternatives
    head = f"weights from {result.weights_kind}"
    if result.consistency_ratio is not None:
        head += f", consistency ratio {result.consistency_ratio:.3f}"
    criteria = new_table(
        title=f"{shown(result.scenario)}: ways of building ({head})",
    )
    criteria.add_column("criterion", no_wrap=True)
    criteria.add_column("weight", justify="right")
    for a in alts:
        criteria.add_column(shown(a.alternative), justify="right", max_width=12)
    for name, direction in result.criteria.items():
        criteria.add_row(
            f"{name} {'↑' if direction == 'benefit' else '↓'}",
            f"{result.weights[name]:.2f}",
            *(_criterion_value(name, a.criteria[name]) for a in alts),
        )
    console.print(criteria)
    console.print("↑ more is better, ↓ less is better")

    ranking = new_table(
        title="rankings (1 = best) and SMAA-2 rank acceptability",
    )
    ranking.add_column("way of building", no_wrap=True, max_width=20)
    for method in alts[0].ranks:
        ranking.add_column(method.replace("weighted sum", "sum"), justify="right")
    ordinal = {1: "1st", 2: "2nd", 3: "3rd"}
    for r in range(1, len(alts) + 1):
        ranking.add_column(ordinal.get(r, f"{r}th"), justify="right")
    ranking.add_column("conf.", justify="right")
    for a in alts:
        name = (
            f"[bold]{shown(a.alternative)}[/bold]"
            if a.alternative == result.recommended
            else shown(a.alternative)
        )
        ranking.add_row(
            name,
            *(str(r) for r in a.ranks.values()),
            *(percent(b) for b in a.rank_acceptability),
            percent(a.confidence),
        )
    console.print(ranking)

    console.print(_simulation_table(result))
    for a in alts:
        if len(a.options) > 1:
            console.print(f"{shown(a.alternative)}: built with {' + '.join(map(shown, a.options))}")
    console.print(
        f"rec.: recommended, {shown(result.recommended)}. conf.: SMAA-2 confidence factor. "
        "blended: P(target) with the outside view of the entrants known on the scenario's "
        "date, as in `evlaunch run`."
    )
    for a in alts:
        if a.central_weights and a.rank_acceptability[0] > 0:
            weights = ", ".join(f"{k} {v:.2f}" for k, v in a.central_weights.items())
            console.print(
                f"[dim]weights that typically make {shown(a.alternative)} first: {weights}[/dim]"
            )
    console.print(shown(result.statement))
