"""The production plan in the terminal: per option and per model, then its value."""

from rich.console import Console
from rich.table import Table

from ..text import shown
from .terminal import new_table, percent


def print_plan(result, console: Console) -> None:
    """Per option: start, volumes per year and utilisation; then the plan's value."""
    head = (
        "stochastic (sample average over " + f"{result.scenarios} scenarios)"
        if result.scenarios > 1
        else "deterministic, at central values"
    )
    console.print(
        f"[bold]{shown(result.scenario)}[/bold] · production plan, {head}, objective "
        f"{result.objective}"
    )
    if result.status == "infeasible":
        console.print(f"[bold red]No plan meets the target.[/bold red] {shown(result.explanation)}")
        return
    if not result.options:  # out of time before any plan was found
        console.print(f"[bold red]No plan found.[/bold red] {shown(result.explanation)}")
        return
    if result.status == "time limit":
        console.print("[yellow]The time limit ran out: the best plan found so far.[/yellow]")
    if not result.learning_settled:
        console.print(
            f"[yellow]The learning curve's cost did not settle in {result.learning_rounds} "
            "solves: the plan is charged a cost that differs from what it makes by more "
            "than 0.2%.[/yellow]"
        )
    years = list(result.options[0].volume_by_year)
    table = new_table(
        title="vehicles made per calendar year (thousand), by option",
    )
    table.add_column("option", no_wrap=True, max_width=18)
    table.add_column("start", no_wrap=True)
    for y in years:
        table.add_column(f"'{y[2:]}", justify="right", no_wrap=True)
    table.add_column("util.", justify="right", no_wrap=True)
    for o in result.options:
        table.add_row(
            shown(o.option),
            o.start or "not used",
            *(f"{o.volume_by_year[y] / 1e3:,.0f}" if o.used else "" for y in years),
            percent(o.utilisation) if o.used else "",
        )
    console.print(table)
    if len(result.production_by_model) > 1:
        console.print(_models_table(result, years))
    for o in result.options:
        if 0 < o.started_share < 1:
            console.print(
                f"{shown(o.option)} is decided per scenario (its expansion rule): started in "
                f"{percent(o.started_share)} of them, median start {o.start}; the rest is "
                "committed now"
            )
    console.print(
        f"NPV {result.npv_cny / 1e9:,.1f} bn CNY (company fixed cost included) · deliveries "
        f"in the target window {result.window_deliveries:,.0f} (target "
        f"{result.target_deliveries:,}) · "
        f"variable cost charged {result.unit_cost_cny:,.0f} CNY/vehicle (learning-curve "
        f"average) · {result.variables:,} variables, {result.constraints:,} constraints, "
        f"built in {result.build_seconds:.3f} s, solved in {result.solve_seconds:.2f} s "
        f"({result.status})"
    )
    if result.stochastic:
        st = result.stochastic
        out = st["out_of_sample"]
        lo, hi = out["p_target_ci95"]
        console.print(
            f"chance constraint P(target) >= {st['target_probability']:.0%}: met in "
            f"{result.p_target_in_sample:.0%} of the {result.scenarios} scenarios · value of "
            f"the stochastic solution {st['value_of_stochastic_solution_cny'] / 1e9:,.2f} bn "
            f"CNY against the plan made at central values "
            f"({', '.join(f'{k} {v}' for k, v in st['expected_value_plan_starts'].items())}; "
            f"it meets the target in {st['expected_value_plan_p_target_in_sample']:.0%} of "
            "the scenarios)"
        )
        console.print(
            f"out of sample ({out['paths']:,} fresh paths, the simulator's delivery policy): "
            f"P(target) {percent(out['p_target'])} (95% CI {percent(lo)} to {percent(hi)}), "
            "mean NPV "
            f"{out['npv_cny_mean'] / 1e9:,.1f} bn CNY"
        )
        _print_gap(st, console)


def _print_gap(st: dict, console: Console) -> None:
    """The plan's statistical optimality gap (Mak, Morton & Wood), if it was estimated."""
    gap = st.get("optimality_gap")
    if not gap:
        console.print("optimality gap: not estimated (the time limit ran out first)")
        return
    lo, hi = gap["gap_cny_ci95"]
    missed = gap["batches_where_the_plan_misses_the_chance_constraint"]
    console.print(
        f"optimality gap (Mak, Morton & Wood: {gap['batches']} independent batches of "
        f"{gap['scenarios_per_batch']} scenarios) {gap['gap_cny_mean'] / 1e9:,.2f} bn CNY of "
        f"NPV (95% CI {lo / 1e9:,.2f} to {hi / 1e9:,.2f})"
        + (f"; on {missed} more batches the plan misses the chance constraint" if missed else "")
        + f" · the sample-average MILP solved to a relative gap of {st['mip_rel_gap']:g}"
    )


def _models_table(result, years: list[str]) -> Table:
    """Per model of the roadmap: deliveries per calendar year, what every option made of it,
    and the cost per vehicle the plan was charged for it."""
    table = new_table(title="vehicles delivered per calendar year (thousand), by model")
    table.add_column("model", no_wrap=True, max_width=18)
    for y in years:
        table.add_column(f"'{y[2:]}", justify="right", no_wrap=True)
    table.add_column("made k", justify="right", no_wrap=True)
    table.add_column("cost", justify="right", no_wrap=True)
    for name, delivered in result.deliveries_by_model.items():
        by_year = dict.fromkeys(years, 0.0)
        for month, v in zip(result.months, delivered, strict=True):
            by_year[month[:4]] += v
        table.add_row(
            shown(name),
            *(f"{by_year[y] / 1e3:,.0f}" for y in years),
            f"{sum(result.production_by_model[name]) / 1e3:,.0f}",
            f"{result.unit_cost_by_model_cny[name]:,.0f}",
        )
    return table
