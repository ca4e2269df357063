"""Commands on scenario files and the server: validate, init, schema and serve."""

import json
from pathlib import Path
from typing import Annotated

import typer

from ..errors import UserError
from ..io import write_bytes_atomic, write_text_atomic
from ..text import shown
from .common import StorePath, app, err, load_scenario, out, user_errors


@app.command()
@user_errors
def serve(
    files: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Scenario files to serve (YAML, TOML, JSON, xlsx), each by a name from its file "
            "name; omit for the bundled xiaomi-2021."
        ),
    ] = None,
    host: Annotated[str, typer.Option(help="Address to bind; loopback unless you mean it.")] = (
        "127.0.0.1"
    ),
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
    token: Annotated[
        str | None,
        typer.Option(
            envvar="EVLAUNCH_TOKEN",
            help="The token requests must carry beyond loopback (default: a new one, printed).",
        ),
    ] = None,
    no_token: Annotated[
        bool, typer.Option("--no-token", help="Serve beyond loopback without a token.")
    ] = False,
    store: StorePath = None,
) -> None:
    """The HTTP API and the live what-if dashboard on your scenario files (open the URL)."""
    import uvicorn

    from ..web.access import MIN_TOKEN_CHARS, is_loopback, new_token
    from ..web.app import app as web_app
    from ..web.app import configure

    if not 1 <= port <= 65535:
        raise UserError(f"--port {port}: must be from 1 to 65535")
    if token is not None and no_token:
        raise UserError("--token and --no-token: give one of them, not both")
    if token is not None and len(token) < MIN_TOKEN_CHARS:
        raise UserError(f"--token: at least {MIN_TOKEN_CHARS} characters (or leave it out)")
    if token is None and not no_token and not is_loopback(host):
        token = new_token()
    catalog = configure(files, token, store)
    served = ", ".join(catalog.files)
    where = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}/"
    out.print(f"evlaunch serving {shown(served)}; API docs at /docs; Ctrl-C stops", highlight=False)
    out.print(
        f"open {where}" + (f"?token={token}" if token else ""), highlight=False, soft_wrap=True
    )
    if no_token and not is_loopback(host):
        err.print(
            f"[bold yellow]warning:[/bold yellow] serving on {shown(host)} without a token: "
            "anyone who can reach this port can read the served plans and run anything on it",
            highlight=False,
        )
    uvicorn.run(web_app, host=host, port=port, log_level="warning")


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
    from ..scenario.load import BUNDLED, bundled_text

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
    from ..scenario.schema import Scenario

    print(json.dumps(Scenario.model_json_schema(), indent=2))
