"""Commands on the run store: runs list, show, diff, export, and sweeps."""

import json
import re
from pathlib import Path
from typing import Annotated

import typer

from ..errors import UserError
from ..io import output_target, write_json_atomic
from .common import StorePath, _progress_bar, app, out, user_errors

runs_app = typer.Typer(help="Runs remembered in the run store (DuckDB).", no_args_is_help=True)
app.add_typer(runs_app, name="runs")


@runs_app.command("list")
@user_errors
def runs_list(
    store: StorePath = None,
    limit: Annotated[int, typer.Option(help="How many, newest first.")] = 30,
) -> None:
    """The newest runs: id, when, what, scenario, seed and the headline result."""
    from ..report.terminal_reference import print_runs
    from ..store import list_runs

    print_runs(list_runs(store, limit), out)


@runs_app.command("show")
@user_errors
def runs_show(
    run_id: Annotated[str, typer.Argument(help="Run id.")], store: StorePath = None
) -> None:
    """Everything stored about one run except its arrays and scenario text."""
    from ..store import get_run

    run = get_run(run_id, store)
    run.pop("arrays")
    run.pop("resolved")
    text = run.pop("scenario_text")
    print(json.dumps(run, indent=2, default=str))
    print(f"(scenario text: {len(text.splitlines())} lines; `evlaunch runs export {run_id}`)")


@runs_app.command("diff")
@user_errors
def runs_diff(
    first: Annotated[str, typer.Argument(help="Run id.")],
    second: Annotated[str, typer.Argument(help="Run id.")],
    store: StorePath = None,
) -> None:
    """What differs between two runs: the scenario, the inputs and the results."""
    from ..report.terminal_reference import print_diff
    from ..store import get_run

    print_diff(get_run(first, store), get_run(second, store), out)


@runs_app.command("export")
@user_errors
def runs_export(
    run_id: Annotated[str, typer.Argument(help="Run id.")],
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="JSON file to write.")
    ] = None,
    store: StorePath = None,
) -> None:
    """One run, everything stored about it, as JSON."""
    from ..store import get_run

    run = get_run(run_id, store)
    # the default name is built from the id, which is data: only its plain characters, in
    # this folder (an id like '../../x' must not write elsewhere)
    target = output or Path(re.sub(r"[^A-Za-z0-9_-]", "_", run["id"]) + ".json")
    output_target(target, regular_only=True)  # a folder is a folder before a wrong name
    if target.suffix.lower() != ".json":
        raise UserError(f"{target}: runs export writes JSON; give a file name ending in .json")
    write_json_atomic(target, run, regular_only=True)
    out.print(f"wrote {target}")


@app.command("sweep")
@user_errors
def sweep_command(
    grid: Annotated[Path, typer.Argument(help="Grid file (YAML); see the README.")],
    scheduler: Annotated[
        str | None,
        typer.Option(
            help="An existing Dask scheduler, e.g. tcp://HOST:8786; default a LocalCluster."
        ),
    ] = None,
    workers: Annotated[int, typer.Option(help="LocalCluster worker processes.")] = 2,
    output: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--output",
            help="Results table: .csv, .json, .xlsx or .parquet, by the extension "
            "(default GRID_results.csv).",
        ),
    ] = None,
    serial: Annotated[bool, typer.Option(help="Run in this process, without Dask.")] = False,
    store: StorePath = None,
) -> None:
    """A Monte Carlo at every point of a grid, on a Dask cluster; resumes where it stopped."""
    from ..sweep import check_table_path, influence, load_grid, results, run_sweep_on, write_table

    sweep = load_grid(grid)
    target = output or grid.with_name(grid.stem + "_results.csv")
    check_table_path(target)  # before the sweep, not after its hours of work
    out.print(
        f"{sweep.id}: {len(sweep.points)} points × {sweep.grid.paths:,} paths over "
        f"{', '.join(sweep.names)}"
    )
    ran = run_sweep_on(sweep, scheduler, workers, serial, store, _progress_bar())
    write_table(sweep, target, store)
    rows = results(sweep, store)
    ranked = influence(rows, sweep.names)
    out.print(
        f"ran {ran} points now, {len(sweep.points) - ran} were already done; results in "
        f"{target}; most influential: "
        + ", ".join(f"{n} (P(target) spread {100 * v:.0f} points)" for n, v in ranked[:2])
    )
