"""Commands on real entrants: reference, fit, backtest, hindcast and nowcast."""

from pathlib import Path
from typing import Annotated

import typer

from ..errors import UserError
from ..io import write_json_atomic, write_text_atomic
from ..risk.sizes import CHUNK_PATHS, check_run_size
from .common import (
    JsonOut,
    Save,
    ScenarioFile,
    Seed,
    StorePath,
    XlsxOut,
    _remember,
    _store_ready,
    app,
    load_scenario,
    out,
    user_errors,
    writes,
)


@app.command()
@user_errors
def reference(
    as_of: Annotated[
        str | None, typer.Option(help="YYYY-MM: only figures published by the end of it.")
    ] = None,
) -> None:
    """Real EV entrants: first delivery and cumulative deliveries at 12, 24, 36 months."""
    from ..reference.entrants import entrants, month_end
    from ..report.terminal_reference import print_reference
    from ..scenario.months import parse_month

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

    from ..reference.actuals import read_actuals
    from ..reference.outlook import forecast_actuals
    from ..report.terminal_reference import print_fit

    data = read_actuals(actuals)
    result = forecast_actuals(data.first_month, data.deliveries, seed)
    if json_path:
        write_json_atomic(json_path, asdict(result))
    print_fit(data, result, out)


@app.command()
@user_errors
def backtest(seed: Seed = 0, json_path: JsonOut = None) -> None:
    """Fit each entrant's first 12 months, forecast months 13-36; against naive baselines."""
    from ..reference.backtest import as_dicts
    from ..reference.backtest import backtest as run_backtest
    from ..report.terminal_reference import print_backtest

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
    xlsx: XlsxOut = None,
    calibration_csv: Annotated[
        Path | None,
        typer.Option(
            help="Also write the spread vintages in the form of evlaunch/data/calibration.csv.",
            callback=writes(".csv"),
        ),
    ] = None,
) -> None:
    """Score the forecaster out of sample: leave-one-out forecasts of every entrant, as of
    launch and after 3, 6, 12, 18 months of sales, against naive baselines."""
    from ..reference.hindcast import calibration_table
    from ..reference.hindcast import hindcast as run_hindcast
    from ..report.terminal_reference import print_hindcast

    if not 1 <= workers <= 64:
        raise UserError(f"--workers {workers}: between 1 and 64")
    result = run_hindcast(seed, workers)
    if json_path:
        write_json_atomic(json_path, result.to_dict())
    if calibration_csv:
        write_text_atomic(calibration_csv, calibration_table(result))
    if xlsx:
        from ..report.workbook import write_results_xlsx

        write_results_xlsx(xlsx, result)
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
    from ..reference.actuals import read_actuals
    from ..reference.nowcast import nowcast
    from ..report.terminal_reference import print_nowcast
    from ..scenario.checks import with_requirements

    scenario, text = load_scenario(file)
    check_run_size(paths, CHUNK_PATHS)
    if paths > 1_000_000:
        raise UserError(f"--paths {paths}: at most 1,000,000 for a nowcast (all are kept)")
    data = read_actuals(actuals)
    _store_ready(store, save)
    options = with_requirements(scenario, scenario.plan.options)
    result = nowcast(scenario, data, options, paths, seed, noise)
    if json_path:
        write_json_atomic(json_path, result.to_dict())
    if save:
        actuals = {"first_month": data.first_month, "deliveries": data.deliveries.tolist()}
        _remember(result, scenario, text, seed, None, store, {"actuals": actuals})
    print_nowcast(scenario, data, result, out)
