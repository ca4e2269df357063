"""The terminal summary of a run, with rich."""

from rich import box
from rich.console import Console
from rich.table import Table

from ..run import RunResult


def print_run(result: RunResult, console: Console) -> None:
    """One table: every case's first delivery, deliveries by months of sales, target, cash."""
    table = Table(
        title=f"{result.scenario}\ntarget: {result.target_deliveries:,} deliveries in the first "
        f"{result.target_window_months} months of sales",
        caption="k: thousand vehicles delivered by months of sales · cash need (peak) and NPV: "
        f"bn CNY · deterministic run at central values · evlaunch {result.version}",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        collapse_padding=True,
    )
    table.add_column("case", no_wrap=True, max_width=19, overflow="ellipsis")
    table.add_column("sales\nfrom", no_wrap=True, min_width=7)
    for k in result.cases[0].deliveries_by_months_of_sales:
        table.add_column(f"{k} mo\nk", justify="right", no_wrap=True, min_width=5)
    table.add_column("target by\n(months)", justify="right", no_wrap=True, min_width=12)
    table.add_column("cash\nneed", justify="right", no_wrap=True, min_width=5)
    table.add_column("NPV", justify="right", no_wrap=True, min_width=5)
    for case in result.cases:
        if case.target_reached:
            target = f"[green]{case.target_reached} ({case.months_to_target:.0f})[/green]"
        else:
            target = f"[red]short {case.shortfall_vehicles / 1e3:,.1f}k[/red]"
        others = [o for o in case.options if o != case.case]
        name = case.case + (f" + {len(others)}" if others and case.case != "chosen mix" else "")
        table.add_row(
            f"[bold]{name}[/bold]" if case.case == "chosen mix" else name,
            case.first_delivery or "never",
            *(f"{v / 1e3:,.1f}" for v in case.deliveries_by_months_of_sales.values()),
            target,
            f"{case.peak_cash_need_cny / 1e9:,.1f}",
            f"{case.npv_cny / 1e9:,.1f}",
        )
    console.print(table)
    mix = next(c for c in result.cases if c.case == "chosen mix")
    console.print(f"chosen mix: {' + '.join(mix.options)}")
    for case in result.cases:
        others = [o for o in case.options if o != case.case]
        if others and case.case != "chosen mix":
            console.print(f"{case.case} needs {' + '.join(others)}: run together")
