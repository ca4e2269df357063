"""One replayed Monte Carlo path in the terminal: what it drew, and its months."""

import csv
import io

from rich.console import Console

from ..risk.replay import ReplayedPath
from .terminal import new_table, percent, plain, shown


def print_replay(path: ReplayedPath, console: Console) -> None:
    """The path's uncertain inputs (value and percentile), then its trajectory by month."""
    console.print(
        f"[bold]{shown(path.scenario)}[/bold] · path {path.path:,} of {path.paths:,} "
        f"({path.sampler} sampler, seed {path.seed}) · built with "
        f"{' + '.join(map(shown, path.options))}"
    )
    inputs = new_table(title="what this path drew")
    inputs.add_column("input", no_wrap=True, max_width=50, overflow="ellipsis")
    inputs.add_column("value", justify="right", no_wrap=True)
    inputs.add_column("percentile", justify="right", no_wrap=True)
    for drawn in path.inputs:
        if drawn.percentile is not None:
            inputs.add_row(shown(drawn.name), plain(drawn.value), f"P{drawn.percentile:.1f}")
    console.print(inputs)
    months = new_table(title="month by month (vehicles; cash flow in million CNY)")
    for name in ("month", "orders", "capacity", "deliveries", "backlog", "cancelled"):
        months.add_column(name, justify="right", no_wrap=True, min_width=7)
    months.add_column("cash flow", justify="right", no_wrap=True)
    capacity = [sum(c) for c in zip(*path.capacity_by_option.values(), strict=True)]
    for t, month in enumerate(path.months):
        months.add_row(
            month,
            *(
                f"{v[t]:,.0f}"
                for v in (path.orders, capacity, path.deliveries, path.backlog, path.cancelled)
            ),
            f"{path.cash_flow_cny[t] / 1e6:,.0f}",
        )
    console.print(months)
    console.print("Capacity by option and deliveries by model: --csv.")
    console.print(
        f"NPV {path.npv_cny / 1e9:,.2f} bn CNY; peak cash need "
        f"{path.peak_cash_need_cny / 1e9:,.2f} bn CNY"
    )


def replay_csv(path: ReplayedPath) -> str:
    """The trajectory as CSV, one row per month, full precision."""
    rows = path.rows()
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return text.getvalue()


def print_what_it_takes(found, console: Console) -> None:
    """The changes that bring P(target) to the level asked, the most needed first."""
    console.print(
        f"[bold]{shown(found.scenario)}[/bold] · built with "
        f"{' + '.join(map(shown, found.options))}: P(target) is "
        f"{percent(found.p_before)} on {found.paths:,} paths (seed {found.seed}); "
        f"asked: {percent(found.asked)}"
    )
    if not found.reachable:
        console.print(
            f"[bold]No change within the inputs' ranges reaches {percent(found.asked)}[/bold]: "
            f"with every lever at its bound, P(target) is {percent(found.p_after)}. "
            "The bounds that stop it:"
        )
        for text in found.at_bound:
            console.print(f"  - {shown(text)}")
        return
    if not found.changes:
        console.print("It is reached already: nothing needs to change.")
        return
    table = new_table(title=f"what it would take: P(target) {percent(found.p_after)}")
    table.add_column("#", justify="right")
    table.add_column("change")
    table.add_column("P(target) without it", justify="right", no_wrap=True)
    for n, change in enumerate(found.changes, 1):
        table.add_row(str(n), shown(change.text), percent(change.p_without))
    console.print(table)
    console.print(
        f"Cost: {found.cost_spreads:.2f} spreads (assumptions moved, plus NPV given up in "
        f"NPV spreads); mean NPV changes by {found.npv_change_cny / 1e9:+,.2f} bn CNY. "
        f"{found.evaluations} settings simulated in {found.seconds:.1f} s."
    )
