"""What every `evlaunch` command shares: the app, its consoles and options, how a user error
is shown (one message, exit status 2), and how a run is remembered."""

import functools
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from ..errors import ArgumentError, UserError
from ..text import shown

app = typer.Typer(
    help="Plan and stress-test a new electric-vehicle maker's market entry.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode="markdown",  # a docstring's wrapped lines are one paragraph in --help
)
# emoji codes are not replaced: a name such as ':car: plan' is shown as written (text.py),
# and the table of codes (3 ms to import) is not loaded to print a line
out = Console(emoji=False)
err = Console(stderr=True, emoji=False)

ScenarioFile = Annotated[
    Path | None,
    typer.Argument(
        help="Scenario file (YAML, TOML, JSON or an .xlsx workbook); omit for the bundled "
        "xiaomi-2021."
    ),
]
Seed = Annotated[int, typer.Option(help="Seed: same seed, same result.")]
StorePath = Annotated[
    Path | None,
    typer.Option(
        "--store", help="Run store (DuckDB); default $EVLAUNCH_STORE or ./.evlaunch/runs.duckdb."
    ),
]
Save = Annotated[bool, typer.Option(help="Remember this run in the run store.")]
SamplerName = Annotated[str, typer.Option(help="random, lhs or sobol.")]
# file name endings that name a format: an output of another format is refused there
FORMAT_SUFFIXES = {
    ".json": "JSON",
    ".csv": "CSV",
    ".xlsx": "an Excel workbook",
    ".xls": "an old Excel workbook",
    ".html": "HTML",
    ".htm": "HTML",
    ".yaml": "YAML",
    ".yml": "YAML",
    ".toml": "TOML",
    ".parquet": "Parquet",
}


def load_scenario(file: Path | None):
    """(scenario, its text) from ``file``, the bundled xiaomi-2021 when None. The scenario
    stack (pydantic, numpy) is imported here, on a command's first use, so that `--help`
    starts without it."""
    from ..scenario.load import load_scenario as load

    return load(file)


def writes(suffix: str):
    """An option callback: the path's ending, if it names a format, must be ``suffix``
    (a pipe or a device such as /dev/stdout has no ending and is welcome)."""

    def check(path: Path | None) -> Path | None:
        ending = path.suffix.lower() if path is not None else ""
        if ending in FORMAT_SUFFIXES and ending != suffix:
            raise typer.BadParameter(
                f"{shown(str(path))} names {FORMAT_SUFFIXES[ending]}, but this writes "
                f"{FORMAT_SUFFIXES[suffix]}; give a name ending in {suffix}"
            )
        return path

    return check


JsonOut = Annotated[
    Path | None,
    typer.Option(
        "--json", help="Also write the result as JSON to this file.", callback=writes(".json")
    ),
]
XlsxOut = Annotated[
    Path | None,
    typer.Option(
        "--xlsx",
        help="Also write the result as an Excel workbook, with charts.",
        callback=writes(".xlsx"),
    ),
]
CsvOut = Annotated[
    Path | None,
    typer.Option(help="Write the months as CSV here.", callback=writes(".csv")),
]


# a domain function's argument -> the option that sets it, where the names differ
FLAGS = {
    "chunk_paths": "--chunk",
    "base_samples": "--sobol-n",
    "scenarios": "--stochastic",
    "noise_cv": "--noise",
    "path": "--replay",
}


def _in_flags(exc: UserError) -> str:
    """The message, with a domain argument named by its command-line option."""
    if isinstance(exc, ArgumentError):
        flag = FLAGS.get(exc.argument, "--" + exc.argument.replace("_", "-"))
        value = repr(exc.value) if isinstance(exc.value, str) else exc.value
        return f"{flag} {value}: {exc.allowed}"
    return str(exc)


def user_errors(command):
    """Turn a UserError into its message on stderr and exit status 2: no traceback."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except UserError as exc:
            lines = _in_flags(exc).split("\n")  # names in it are shown, never interpreted
            err.print(
                f"[bold red]error:[/bold red] {chr(10).join(map(shown, lines))}",
                highlight=False,
                soft_wrap=True,
            )
            raise typer.Exit(2) from None

    return wrapper


def _progress_bar():
    """A progress callback that shows a bar only once a run looks to take over a second."""
    import time

    from rich.progress import Progress

    state = {"started": time.perf_counter(), "bar": None}

    def update(done: int, total: int) -> None:
        elapsed = time.perf_counter() - state["started"]
        if state["bar"] is None and done < total and elapsed * total / done > 1.0:
            state["bar"] = Progress(console=err, transient=True)
            state["bar"].start()
            state["task"] = state["bar"].add_task("simulating paths", total=total)
        if state["bar"] is not None:
            state["bar"].update(state["task"], completed=done)
            if done >= total:
                state["bar"].stop()

    return update


@contextmanager
def _steps():
    """A spinner on stderr with the step under way and the time so far, for commands that
    work for minutes; yields the callback that names each step."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
        console=err, transient=True,
    ) as progress:  # fmt: skip
        task = progress.add_task("starting", total=None)
        yield lambda what: progress.update(task, description=shown(what))


def _store_ready(store, save: bool) -> None:
    """Open (or create) the run store before a command computes, so a store that cannot
    take the result (another program's database, a read-only file) is refused first."""
    if save:
        from ..store import connect

        with connect(store):
            pass


def _remember(result, scenario, text, seed, seconds, store, extra=None) -> None:
    from ..store import save_result

    run_id = save_result(result, scenario, text, seed, seconds, store, extra)
    err.print(
        f"[dim]stored as {run_id} (`evlaunch runs show {run_id}`)[/dim]",
        highlight=False,
        soft_wrap=True,
    )
