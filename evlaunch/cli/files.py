"""Commands on scenario files and the server: validate, init, schema and serve."""

import json
from pathlib import Path
from typing import Annotated

import typer

from ..errors import UserError
from ..io import write_bytes_atomic, write_text_atomic
from ..scenario.load import BUNDLED, bundled_text, load_scenario
from ..scenario.schema import Scenario
from ..text import shown
from .common import app, out, user_errors


@app.command()
@user_errors
def serve(
    host: Annotated[str, typer.Option(help="Address to bind; loopback unless you mean it.")] = (
        "127.0.0.1"
    ),
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
) -> None:
    """The HTTP API and the live what-if dashboard (open http://HOST:PORT/)."""
    import uvicorn

    if not 1 <= port <= 65535:
        raise UserError(f"--port {port}: must be from 1 to 65535")
    out.print(f"evlaunch dashboard on http://{host}:{port}/ (API docs at /docs); Ctrl-C stops")
    uvicorn.run("evlaunch.web.app:app", host=host, port=port, log_level="warning")


@app.command()
@user_errors
def validate(file: Annotated[Path, typer.Argument(help="Scenario file to check.")]) -> None:
    """Check a scenario file and report every problem found, without running it."""
    scenario, _ = load_scenario(file)
    out.print(
        f"{shown(str(file))}: valid scenario '{shown(scenario.name)}' with "
        f"{len(scenario.options)} options"
    )


@app.command()
@user_errors
def init(
    path: Annotated[Path, typer.Argument(help="Where to write it.")] = Path("scenario.yaml"),
    scenario: Annotated[
        str,
        typer.Option(help="Bundled scenario: xiaomi-2021 (the plan) or xiaomi-2024 (the launch)."),
    ] = "xiaomi-2021",
    force: Annotated[bool, typer.Option(help="Overwrite an existing file.")] = False,
    xlsx: Annotated[
        Path | None,
        typer.Option(help="Write it as an Excel workbook here instead (a sheet per section)."),
    ] = None,
) -> None:
    """Write a bundled scenario, with its sources, to edit as your own."""
    if scenario not in BUNDLED:
        raise UserError(f"--scenario {scenario!r}: allowed: {', '.join(BUNDLED)}")
    path = xlsx or path
    if path.exists() and not force:
        raise UserError(f"{path}: already exists; pass --force to overwrite it")
    if path.suffix.lower() == ".xlsx":
        from ..scenario.workbook_write import scenario_workbook

        write_bytes_atomic(path, scenario_workbook(bundled_text(scenario)))
    else:
        write_text_atomic(path, bundled_text(scenario))
    out.print(f"wrote {path}; edit it, then `evlaunch validate {path}` and `evlaunch run {path}`")


@app.command()
def schema() -> None:
    """Print the scenario's JSON Schema (for editor completion and validation)."""
    print(json.dumps(Scenario.model_json_schema(), indent=2))
