"""Commands on a plan: run, risk, partners, plan and report."""

import json
from pathlib import Path
from typing import Annotated

import typer

from ..errors import UserError
from ..io import write_json_atomic, write_text_atomic
from ..risk.sizes import CHUNK_PATHS, MAX_PATHS_DEFAULT, PRECISION_OUTPUTS, check_run_size
from .common import (
    CsvOut,
    JsonOut,
    SamplerName,
    Save,
    ScenarioFile,
    Seed,
    StorePath,
    XlsxOut,
    _progress_bar,
    _remember,
    _steps,
    _store_ready,
    app,
    load_scenario,
    out,
    user_errors,
    writes,
)


@app.command()
@user_errors
def run(
    file: ScenarioFile = None,
    json_path: JsonOut = None,
    xlsx: XlsxOut = None,
    store: StorePath = None,
    save: Save = True,
) -> None:
    """Run the scenario at its central values: each production option alone and the mix."""
    import time

    from ..pipeline import run as run_scenario
    from ..report.terminal import print_run

    scenario, text = load_scenario(file)
    _store_ready(store, save)
    started = time.perf_counter()
    result = run_scenario(scenario)
    if save:
        _remember(result, scenario, text, result.risk_seed, time.perf_counter() - started, store)
    if json_path:
        write_json_atomic(json_path, result.to_dict())
    if xlsx:
        _write_xlsx(xlsx, result)
    print_run(result, out)


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
    precision: Annotated[
        float | None,
        typer.Option(
            help="Run until the 95% interval of P(target) (or of --precision-of) is at most "
            "this either side, instead of --paths paths."
        ),
    ] = None,
    precision_of: Annotated[
        str, typer.Option(help=f"What --precision applies to: {', '.join(PRECISION_OUTPUTS)}.")
    ] = "p_target",
    max_paths: Annotated[
        int, typer.Option(help="With --precision: stop at this many paths, precise or not.")
    ] = MAX_PATHS_DEFAULT,
    replay: Annotated[
        int | None,
        typer.Option(
            help="Print path K (from 0) of the run of --paths paths: its inputs and months."
        ),
    ] = None,
    csv: Annotated[
        Path | None,
        typer.Option(
            help="With --replay: write the path's months as CSV here.", callback=writes(".csv")
        ),
    ] = None,
    sensitivity: Annotated[bool, typer.Option(help="Tornado and Sobol indices.")] = True,
    sobol_n: Annotated[int, typer.Option(help="Sobol base samples (power of 2).")] = 1024,
    json_path: JsonOut = None,
    xlsx: XlsxOut = None,
    store: StorePath = None,
    save: Save = True,
) -> None:
    """Monte Carlo: P(target) with its interval, quantiles, and what drives them."""
    scenario, text = load_scenario(file)
    options = _chosen_options(scenario, option)
    if replay is not None:
        return _replay(scenario, options, replay, paths, seed, sampler, csv, json_path)
    if csv:
        raise UserError("--csv: writes a replayed path; give --replay K with it")
    from ..risk.precision import Precision

    precise = Precision(precision, precision_of, max_paths) if precision is not None else None
    drawn = _draw_first_chunks(scenario, paths, seed, sampler, chunk) if not precise else None
    try:  # the store is checked before anything is simulated, while the first inputs are drawn
        _store_ready(store, save)
    except BaseException:
        if drawn:
            drawn.close()
        raise
    from ..report.terminal import print_risk
    from ..risk.montecarlo import monte_carlo
    from ..risk.sensitivity import sensitivity as analyse

    result = monte_carlo(
        scenario, options, paths, seed, sampler, chunk, _progress_bar(), precision=precise,
        drawn=drawn,
    )  # fmt: skip
    drivers = (
        analyse(scenario, options, min(result.paths, 10_000), seed, sampler, sobol_n)
        if sensitivity
        else None
    )
    if json_path:
        data = {"risk": result.to_dict(), "sensitivity": drivers.to_dict() if drivers else None}
        write_json_atomic(json_path, data)
    if xlsx:
        _write_xlsx(xlsx, result, *([drivers] if drivers else []))
    if save:
        _remember(result, scenario, text, seed, result.seconds, store)
    print_risk(result, drivers, out)


def _draw_first_chunks(scenario, paths: int, seed: int, sampler: str, chunk: int):
    """Start drawing the run's first chunks on a thread, before the run store is opened and
    the simulator (numba) imported: those take a core for half a second or more, the other
    idle but for this. Checks the arguments first, as ``monte_carlo`` would."""
    from ..risk.sampling import Sampler, check_sampler, chunks_of, drawn_ahead

    check_run_size(paths, chunk)
    check_sampler(sampler)
    return drawn_ahead(Sampler(scenario, seed, sampler), chunks_of([paths], chunk))


def _chosen_options(scenario, option: list[str] | None) -> list[str]:
    """--option's ways of building (default: the plan's mix), with what they require."""
    from ..scenario.checks import with_requirements

    names = [o.name for o in scenario.options]
    for name in option or []:
        if name not in names:
            raise UserError(
                f"--option {name!r}: no such option; the options are: {', '.join(names)}"
            )
    return with_requirements(scenario, option or scenario.plan.options)


def _replay(scenario, options, path, paths, seed, sampler, csv_path, json_path) -> None:
    from ..report.terminal_paths import print_replay, replay_csv
    from ..risk.replay import replay

    check_run_size(paths, CHUNK_PATHS)
    replayed = replay(scenario, options, path, paths, seed, sampler)
    if csv_path:
        write_text_atomic(csv_path, replay_csv(replayed))
    if json_path:
        write_json_atomic(json_path, replayed.to_dict())
    print_replay(replayed, out)


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
    from ..partners.assess import assess
    from ..report.terminal import print_partners

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
    csv: CsvOut = None,
    json_path: JsonOut = None,
    xlsx: XlsxOut = None,
    store: StorePath = None,
    save: Save = True,
) -> None:
    """The production and capacity plan, month by month, found by a MILP (HiGHS)."""
    from ..plan.result import monthly_csv
    from ..plan.solve import plan
    from ..plan.stochastic import stochastic_plan
    from ..report.terminal_plan import print_plan

    if not 0 < time_limit <= 3600:
        raise UserError(f"--time-limit {time_limit}: must be above 0 and at most 3600 seconds")
    scenario, text = load_scenario(file)
    _store_ready(store, save)
    if stochastic is not None:
        with _steps() as step:
            result = stochastic_plan(
                scenario, stochastic, seed, time_limit_s=time_limit, on_step=step
            )
    else:
        result = plan(scenario, time_limit_s=time_limit)
    if csv and result.status != "infeasible":
        write_text_atomic(csv, monthly_csv(result))
    if json_path:
        write_json_atomic(json_path, result.to_dict())
    if xlsx:
        _write_xlsx(xlsx, result)
    if save:
        seconds = result.build_seconds + result.solve_seconds
        _remember(result, scenario, text, seed if stochastic else None, seconds, store)
    print_plan(result, out)
    if result.status == "infeasible":
        raise typer.Exit(1)


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
    run_ids: Annotated[
        list[str] | None,
        typer.Option(
            "--run",
            help="Render a stored report run again, without computing; give it twice or "
            "more to compare runs side by side.",
        ),
    ] = None,
    save: Save = True,
) -> None:
    """One self-contained HTML report (works offline), with every chart's data beside it."""
    import time

    from ..pipeline import report_results
    from ..report.html import check_report_path, render_report, write_report

    check_report_path(output)
    heat = None
    if sweep is not None:
        from ..sweep import load_grid, results

        grid = load_grid(sweep)
        rows = results(grid, store)
        if not rows:
            raise UserError(
                f"{sweep}: no finished points in the store; run `evlaunch sweep {sweep}` first"
            )
        heat = (rows, grid.names)
    cases = _hindcast_cases(hindcast) if hindcast is not None else None
    if run_ids:
        if file is not None:
            raise UserError("--run renders a stored run: give it or a scenario file, not both")
        if len(run_ids) > 1:
            _compare(run_ids, store, output)
            return
        scenario, text, computed = _stored_report(run_ids[0], store)
    else:
        scenario, text = load_scenario(file)
        check_run_size(paths, CHUNK_PATHS)
        _store_ready(store, save)
        started = time.perf_counter()
        computed = report_results(scenario, paths, seed)
        if save:
            _remember(computed, scenario, text, seed, time.perf_counter() - started, store)
    html, data, summary = render_report(
        computed, scenario, text, data_dir=output.stem + "_data", sweep=heat, hindcast_cases=cases
    )
    folder = write_report(output, html, data, summary)
    out.print(f"wrote {output} ({len(html) / 1e6:.1f} MB) and its data in {folder}/")


def _write_xlsx(path: Path, *results) -> None:
    from ..report.workbook import write_results_xlsx

    write_results_xlsx(path, *results)


def _compare(run_ids: list[str], store, output: Path) -> None:
    from ..report.compare import render_comparison
    from ..report.html import write_report

    if len(run_ids) > 12:
        raise UserError(f"--run given {len(run_ids)} times: compare at most 12 runs")
    runs = []
    for run_id in run_ids:
        scenario, _, computed = _stored_report(run_id, store)
        runs.append((run_id, scenario, computed))
    html, data, summary = render_comparison(runs, data_dir=output.stem + "_data")
    folder = write_report(output, html, data, summary)
    out.print(f"wrote {output}, comparing {len(runs)} runs, and its data in {folder}/")


def _stored_report(run_id: str, store):
    from ..report.stored import stored_report

    return stored_report(run_id, store)


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
