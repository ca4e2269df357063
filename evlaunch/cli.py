"""The `evlaunch` command. User errors print one clear message and exit with status 2."""

import functools
import json
import os
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from .errors import ArgumentError, UserError
from .io import write_json_atomic, write_text_atomic
from .risk.montecarlo import CHUNK_PATHS, check_run_size
from .scenario.load import BUNDLED, bundled_text, load_scenario
from .scenario.schema import Scenario

app = typer.Typer(
    help="Plan and stress-test a new electric-vehicle maker's market entry.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
out = Console()
err = Console(stderr=True)

ScenarioFile = Annotated[
    Path | None,
    typer.Argument(help="Scenario file (YAML, TOML or JSON); omit for the bundled xiaomi-2021."),
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
JsonOut = Annotated[
    Path | None, typer.Option("--json", help="Also write the result as JSON to this file.")
]


# a domain function's argument -> the option that sets it, where the names differ
FLAGS = {
    "chunk_paths": "--chunk",
    "base_samples": "--sobol-n",
    "scenarios": "--stochastic",
    "noise_cv": "--noise",
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
            err.print(
                f"[bold red]error:[/bold red] {escape(_in_flags(exc))}",
                highlight=False,
                soft_wrap=True,
            )
            raise typer.Exit(2) from None

    return wrapper


@app.command()
@user_errors
def run(
    file: ScenarioFile = None, json_path: JsonOut = None, store: StorePath = None, save: Save = True
) -> None:
    """Run the scenario at its central values: each production option alone and the mix."""
    import time

    from .pipeline import run as run_scenario
    from .report.terminal import print_run

    scenario, text = load_scenario(file)
    started = time.perf_counter()
    result = run_scenario(scenario)
    if save:
        _remember(
            "run",
            scenario,
            text,
            result.to_dict(),
            None,
            result.risk_seed,
            time.perf_counter() - started,
            store,
        )
    if json_path:
        write_json_atomic(json_path, result.to_dict())
    print_run(result, out)


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


@app.command()
@user_errors
def risk(
    file: ScenarioFile = None,
    paths: Annotated[int, typer.Option(help="Monte Carlo paths.")] = 100_000,
    seed: Seed = 0,
    sampler: SamplerName = "lhs",
    option: Annotated[
        list[str] | None,
        typer.Option(help="Build with this option (repeat for a mix); default: the plan's mix."),
    ] = None,
    chunk: Annotated[int, typer.Option(help="Paths per chunk: memory, not results.")] = CHUNK_PATHS,
    sensitivity: Annotated[bool, typer.Option(help="Tornado and Sobol indices.")] = True,
    sobol_n: Annotated[int, typer.Option(help="Sobol base samples (power of 2).")] = 1024,
    json_path: JsonOut = None,
    store: StorePath = None,
    save: Save = True,
) -> None:
    """Monte Carlo: P(target) with its interval, quantiles, and what drives them."""
    from .report.terminal import print_risk
    from .risk.montecarlo import monte_carlo
    from .risk.sensitivity import sensitivity as analyse
    from .scenario.checks import with_requirements

    scenario, text = load_scenario(file)
    names = [o.name for o in scenario.options]
    for name in option or []:
        if name not in names:
            raise UserError(
                f"--option {name!r}: no such option; the options are: {', '.join(names)}"
            )
    options = with_requirements(scenario, option or scenario.plan.options)
    result = monte_carlo(scenario, options, paths, seed, sampler, chunk, _progress_bar())
    drivers = (
        analyse(scenario, options, min(paths, 10_000), seed, sampler, sobol_n)
        if sensitivity
        else None
    )
    if json_path:
        data = {"risk": result.to_dict(), "sensitivity": drivers.to_dict() if drivers else None}
        write_json_atomic(json_path, data)
    if save:
        full = result.to_dict()
        fan = {
            k: full.pop(k)
            for k in (
                "fan_months",
                "fan_monthly_deliveries",
                "fan_cumulative_deliveries",
                "window_log_edges",
                "window_log_counts",
            )
        }
        _remember("risk", scenario, text, full, fan, seed, result.seconds, store)
    print_risk(result, drivers, out)


@app.command()
@user_errors
def partners(
    file: ScenarioFile = None,
    paths: Annotated[int, typer.Option(help="Monte Carlo paths per way of building.")] = 20_000,
    seed: Seed = 0,
    sampler: SamplerName = "lhs",
    smaa_draws: Annotated[int, typer.Option(help="SMAA-2 weight draws.")] = 10_000,
    json_path: JsonOut = None,
) -> None:
    """Which way to build: MCDA rankings, SMAA-2 robustness and the simulation, side by side."""
    from .partners.assess import assess
    from .report.terminal import print_partners

    scenario, _ = load_scenario(file)
    check_run_size(paths, CHUNK_PATHS)
    result = assess(scenario, paths, seed, sampler, smaa_draws)
    if json_path:
        write_json_atomic(json_path, result.to_dict())
    print_partners(result, out)


@app.command("plan")
@user_errors
def plan_command(
    file: ScenarioFile = None,
    stochastic: Annotated[
        int | None, typer.Option(help="Sample-average plan over this many scenarios.")
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed of the stochastic scenarios.")] = 0,
    time_limit: Annotated[
        float, typer.Option(help="Seconds all of the command's solves may take together.")
    ] = 120.0,
    csv: Annotated[Path | None, typer.Option(help="Write the monthly plan as CSV here.")] = None,
    json_path: JsonOut = None,
    store: StorePath = None,
    save: Save = True,
) -> None:
    """The production and capacity plan, month by month, found by a MILP (HiGHS)."""
    from .plan.solve import monthly_csv, plan, stochastic_plan
    from .report.terminal import print_plan

    if not 0 < time_limit <= 3600:
        raise UserError(f"--time-limit {time_limit}: must be above 0 and at most 3600 seconds")
    scenario, text = load_scenario(file)
    result = (
        stochastic_plan(scenario, stochastic, seed, time_limit_s=time_limit)
        if stochastic is not None
        else plan(scenario, time_limit_s=time_limit)
    )
    if csv and result.status != "infeasible":
        write_text_atomic(csv, monthly_csv(result))
    if json_path:
        write_json_atomic(json_path, result.to_dict())
    if save:
        full = result.to_dict()
        monthly = {
            k: full.pop(k)
            for k in ("months", "orders", "production", "deliveries", "backlog", "stock")
        }
        _remember(
            "plan",
            scenario,
            text,
            full,
            monthly,
            seed if stochastic else None,
            result.build_seconds + result.solve_seconds,
            store,
        )
    print_plan(result, out)
    if result.status == "infeasible":
        raise typer.Exit(1)


@app.command()
@user_errors
def reference(
    as_of: Annotated[
        str | None, typer.Option(help="YYYY-MM: only figures published by the end of it.")
    ] = None,
) -> None:
    """Real EV entrants: first delivery and cumulative deliveries at 12, 24, 36 months."""
    from .reference.entrants import entrants, month_end
    from .report.terminal import print_reference
    from .scenario.months import parse_month

    try:
        date = month_end(parse_month(as_of)) if as_of else None
    except ValueError as exc:
        raise UserError(f"--as-of: {exc}") from None
    print_reference(entrants(date), out)


@app.command()
@user_errors
def fit(
    actuals: Annotated[Path, typer.Option(help="CSV with month,deliveries (see README).")],
    seed: Seed = 0,
    json_path: JsonOut = None,
) -> None:
    """Forecast cumulative deliveries from actual monthly deliveries: the hierarchical
    forecaster, learning from the entrants published by the month after the last one."""
    from dataclasses import asdict

    from .reference.actuals import read_actuals
    from .reference.outlook import forecast_actuals
    from .report.terminal import print_fit

    data = read_actuals(actuals)
    result = forecast_actuals(data.first_month, data.deliveries, seed)
    if json_path:
        write_json_atomic(json_path, asdict(result))
    print_fit(data, result, out)


@app.command()
@user_errors
def backtest(seed: Seed = 0, json_path: JsonOut = None) -> None:
    """Fit each entrant's first 12 months, forecast months 13-36; against naive baselines."""
    from .reference.backtest import as_dicts
    from .reference.backtest import backtest as run_backtest
    from .report.terminal import print_backtest

    rows = run_backtest(seed)
    if json_path:
        write_json_atomic(json_path, as_dicts(rows))
    print_backtest(rows, out)


@app.command()
@user_errors
def hindcast(
    seed: Seed = 0,
    workers: Annotated[int, typer.Option(help="Processes (one per core).")] = 2,
    json_path: JsonOut = None,
    calibration_csv: Annotated[
        Path | None,
        typer.Option(
            help="Also write the spread vintages in the form of evlaunch/data/calibration.csv."
        ),
    ] = None,
) -> None:
    """Score the forecaster out of sample: leave-one-out forecasts of every entrant, as of
    launch and after 3, 6, 12, 18 months of sales, against naive baselines."""
    from .reference.hindcast import calibration_table
    from .reference.hindcast import hindcast as run_hindcast
    from .report.terminal import print_hindcast

    if not 1 <= workers <= 64:
        raise UserError(f"--workers {workers}: between 1 and 64")
    result = run_hindcast(seed, workers)
    if json_path:
        write_json_atomic(json_path, result.to_dict())
    if calibration_csv:
        write_text_atomic(calibration_csv, calibration_table(result))
    print_hindcast(result, out)


@app.command("nowcast")
@user_errors
def nowcast_command(
    actuals: Annotated[Path, typer.Option(help="CSV with month,deliveries (see README).")],
    file: ScenarioFile = None,
    paths: Annotated[int, typer.Option(help="Monte Carlo paths before resampling.")] = 20_000,
    seed: Seed = 0,
    noise: Annotated[
        float,
        typer.Option(
            help="Monthly observation error (coefficient of "
            "variation) of the actuals against the model."
        ),
    ] = 0.25,
    json_path: JsonOut = None,
    store: StorePath = None,
    save: Save = True,
) -> None:
    """P(target) now: the Monte Carlo conditioned on the actual deliveries so far."""
    from .reference.actuals import read_actuals
    from .reference.nowcast import nowcast
    from .report.terminal import print_nowcast
    from .scenario.checks import with_requirements

    scenario, text = load_scenario(file)
    check_run_size(paths, CHUNK_PATHS)
    if paths > 1_000_000:
        raise UserError(f"--paths {paths}: at most 1,000,000 for a nowcast (all are kept)")
    data = read_actuals(actuals)
    options = with_requirements(scenario, scenario.plan.options)
    result = nowcast(scenario, data, options, paths, seed, noise)
    if json_path:
        write_json_atomic(json_path, result.to_dict())
    if save:
        full = result.to_dict()
        fan = {k: full.pop(k) for k in ("fan_months", "fan_cumulative")}
        full["actuals"] = {"first_month": data.first_month, "deliveries": data.deliveries.tolist()}
        _remember("nowcast", scenario, text, full, fan, seed, None, store)
    print_nowcast(scenario, data, result, out)


@app.command()
@user_errors
def report(
    file: ScenarioFile = None,
    output: Annotated[Path, typer.Option("-o", "--output", help="HTML file to write.")] = Path(
        "report.html"
    ),
    paths: Annotated[int, typer.Option(help="Monte Carlo paths.")] = 20_000,
    seed: Seed = 0,
    sweep: Annotated[
        Path | None, typer.Option(help="A sweep's grid file: its P(target) heat map goes in.")
    ] = None,
    store: StorePath = None,
    hindcast: Annotated[
        Path | None,
        typer.Option(help="JSON from `evlaunch hindcast --json`: its PIT histogram goes in."),
    ] = None,
    run_id: Annotated[
        str | None,
        typer.Option("--run", help="Render a stored report run again, without computing."),
    ] = None,
    save: Save = True,
) -> None:
    """One self-contained HTML report (works offline), with every chart's data beside it."""
    import time

    from .pipeline import report_results
    from .report.html import render_report, write_report

    heat = None
    if sweep is not None:
        from .sweep import load_grid, results

        grid = load_grid(sweep)
        rows = results(grid, store)
        if not rows:
            raise UserError(
                f"{sweep}: no finished points in the store; run `evlaunch sweep {sweep}` first"
            )
        heat = (rows, grid.names)
    cases = _hindcast_cases(hindcast) if hindcast is not None else None
    if run_id is not None:
        if file is not None:
            raise UserError("--run renders a stored run: give it or a scenario file, not both")
        scenario, text, computed = _stored_report(run_id, store)
    else:
        scenario, text = load_scenario(file)
        check_run_size(paths, CHUNK_PATHS)
        started = time.perf_counter()
        computed = report_results(scenario, paths, seed)
        if save:
            summary = {"p_target": computed.risk.p_target, "paths": paths}
            elapsed = time.perf_counter() - started
            _remember("report", scenario, text, summary, computed.to_dict(), seed, elapsed, store)
    html, data, summary = render_report(
        computed, scenario, text, data_dir=output.stem + "_data", sweep=heat, hindcast_cases=cases
    )
    folder = write_report(output, html, data, summary)
    out.print(f"wrote {output} ({len(html) / 1e6:.1f} MB) and its data in {folder}/")


def _stored_report(run_id: str, store):
    """The scenario, its text and the report results of a stored report run."""
    from .pipeline import ReportResults
    from .scenario.schema import Scenario
    from .store import get_run

    run = get_run(run_id, store)
    if run["kind"] != "report":
        raise UserError(
            f"run {run_id!r} is a {run['kind']} run, which keeps its summary only; a report "
            "renders from a report run (`evlaunch report FILE` stores one)"
        )
    try:
        computed = ReportResults.from_dict(run["arrays"])
    except (KeyError, TypeError, ValueError) as exc:
        raise UserError(
            f"run {run_id!r} was stored by evlaunch {run['version']} in another form "
            f"({type(exc).__name__}); run `evlaunch report` on its scenario again"
        ) from None
    return Scenario.model_validate(run["resolved"]), run["scenario_text"], computed


def _hindcast_cases(path: Path) -> list[dict]:
    """The scored cases of a hindcast JSON file, checked: method and a PIT in [0, 1] each."""
    limit = 50_000_000
    try:
        with path.open("rb") as handle:
            raw = handle.read(limit + 1)  # bounded: the path may be an endless device or pipe
        if len(raw) > limit:
            raise UserError(f"{path}: larger than 50 MB; a hindcast's JSON is a few MB")
        data = json.loads(raw.decode("utf-8"))
    except FileNotFoundError:
        raise UserError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise UserError(f"{path}: not a JSON file ({type(exc).__name__})") from None
    cases = data.get("cases") if isinstance(data, dict) else None
    if not isinstance(cases, list) or not cases:
        raise UserError(f"{path}: no 'cases' list; write it with `evlaunch hindcast --json`")
    for i, c in enumerate(cases):
        ok = isinstance(c, dict) and isinstance(c.get("method"), str)
        pit = c.get("pit") if ok else None
        if not (isinstance(pit, int | float) and 0 <= pit <= 1):
            raise UserError(f"{path}: cases[{i}] needs a 'method' and a 'pit' between 0 and 1")
    return cases


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


def _remember(kind, scenario, text, summary, arrays, seed, seconds, store) -> None:
    from .store import save

    run_id = save(kind, scenario, text, summary, arrays, seed, seconds, store)
    err.print(
        f"[dim]stored as {run_id} (`evlaunch runs show {run_id}`)[/dim]",
        highlight=False,
        soft_wrap=True,
    )


runs_app = typer.Typer(help="Runs remembered in the run store (DuckDB).", no_args_is_help=True)
app.add_typer(runs_app, name="runs")


@runs_app.command("list")
@user_errors
def runs_list(
    store: StorePath = None,
    limit: Annotated[int, typer.Option(help="How many, newest first.")] = 30,
) -> None:
    """The newest runs: id, when, what, scenario, seed and the headline result."""
    from .report.terminal import print_runs
    from .store import list_runs

    print_runs(list_runs(store, limit), out)


@runs_app.command("show")
@user_errors
def runs_show(
    run_id: Annotated[str, typer.Argument(help="Run id.")], store: StorePath = None
) -> None:
    """Everything stored about one run except its arrays and scenario text."""
    from .store import get_run

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
    from .report.terminal import print_diff
    from .store import get_run

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
    from .store import get_run

    run = get_run(run_id, store)
    target = output or Path(f"{run_id}.json")
    write_json_atomic(target, run)
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
            "-o", "--output", help="Results table: .parquet, or .csv (default GRID_results.csv)."
        ),
    ] = None,
    serial: Annotated[bool, typer.Option(help="Run in this process, without Dask.")] = False,
    store: StorePath = None,
) -> None:
    """A Monte Carlo at every point of a grid, on a Dask cluster; resumes where it stopped."""
    from .sweep import influence, load_grid, results, run_sweep, write_table

    sweep = load_grid(grid)
    if not 1 <= workers <= 64:
        raise UserError(f"--workers {workers}: must be from 1 to 64")
    out.print(
        f"{sweep.id}: {len(sweep.points)} points × {sweep.grid.paths:,} paths over "
        f"{', '.join(sweep.names)}"
    )
    progress = _progress_bar()
    if serial:
        ran = run_sweep(sweep, None, store, progress)
    else:
        from distributed import Client, LocalCluster

        if scheduler:
            client = Client(scheduler, timeout=10)
            cluster = None
        else:
            # each point's simulator is already parallel: share the cores, don't oversubscribe
            threads = str(max(1, (os.cpu_count() or 1) // workers))
            cluster = LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                host="127.0.0.1",
                env={"NUMBA_NUM_THREADS": threads},
            )
            client = Client(cluster)
        try:
            ran = run_sweep(sweep, client, store, progress)
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
    target = output or grid.with_name(grid.stem + "_results.csv")
    write_table(sweep, target, store)
    rows = results(sweep, store)
    ranked = influence(rows, sweep.names)
    out.print(
        f"ran {ran} points now, {len(sweep.points) - ran} were already done; results in "
        f"{target}; most influential: "
        + ", ".join(f"{n} (P(target) spread {100 * v:.0f} points)" for n, v in ranked[:2])
    )


@app.command()
@user_errors
def validate(file: Annotated[Path, typer.Argument(help="Scenario file to check.")]) -> None:
    """Check a scenario file and report every problem found, without running it."""
    scenario, _ = load_scenario(file)
    out.print(f"{file}: valid scenario '{scenario.name}' with {len(scenario.options)} options")


@app.command()
@user_errors
def init(
    path: Annotated[Path, typer.Argument(help="Where to write it.")] = Path("scenario.yaml"),
    scenario: Annotated[
        str,
        typer.Option(help="Bundled scenario: xiaomi-2021 (the plan) or xiaomi-2024 (the launch)."),
    ] = "xiaomi-2021",
    force: Annotated[bool, typer.Option(help="Overwrite an existing file.")] = False,
) -> None:
    """Write a bundled scenario, with its sources, to edit as your own."""
    if scenario not in BUNDLED:
        raise UserError(f"--scenario {scenario!r}: allowed: {', '.join(BUNDLED)}")
    if path.exists() and not force:
        raise UserError(f"{path}: already exists; pass --force to overwrite it")
    write_text_atomic(path, bundled_text(scenario))
    out.print(f"wrote {path}; edit it, then `evlaunch validate {path}` and `evlaunch run {path}`")


@app.command()
def schema() -> None:
    """Print the scenario's JSON Schema (for editor completion and validation)."""
    print(json.dumps(Scenario.model_json_schema(), indent=2))


if __name__ == "__main__":
    app()
