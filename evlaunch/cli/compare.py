"""`evlaunch compare`: several scenario files side by side on common random numbers; and
`evlaunch what-it-takes`: what would have to change to reach a P(target)."""

from pathlib import Path
from typing import Annotated

import typer

from ..errors import UserError
from ..io import write_json_atomic
from ..risk.sizes import CHUNK_PATHS, check_run_size
from .common import (
    JsonOut,
    SamplerName,
    ScenarioFile,
    Seed,
    XlsxOut,
    app,
    load_scenario,
    out,
    user_errors,
)


@app.command()
@user_errors
def compare(
    files: Annotated[
        list[Path], typer.Argument(help="Two to eight scenario files; the first is the base.")
    ],
    paths: Annotated[int, typer.Option(help="Monte Carlo paths per scenario.")] = 20_000,
    seed: Seed = 0,
    sampler: SamplerName = "lhs",
    report: Annotated[
        Path | None, typer.Option(help="Also write an HTML report (fans overlaid) here.")
    ] = None,
    json_path: JsonOut = None,
    xlsx: XlsxOut = None,
) -> None:
    """Scenarios side by side on the same random numbers: P(target), deliveries, NPV and
    cash need, each against the first with the 95% interval of the paired difference."""
    from ..report.compare_scenarios import print_comparison, render_scenario_comparison
    from ..report.html import write_report
    from ..risk.compare import MAX_SCENARIOS
    from ..risk.compare import compare as run_comparison
    from ..scenario.checks import with_requirements

    if not 2 <= len(files) <= MAX_SCENARIOS:
        raise UserError(f"compare takes from 2 to {MAX_SCENARIOS} scenario files, not {len(files)}")
    check_run_size(paths, CHUNK_PATHS)
    scenarios = [load_scenario(f)[0] for f in files]
    comparison = run_comparison(
        [
            (str(f), s, with_requirements(s, s.plan.options))
            for f, s in zip(files, scenarios, strict=True)
        ],
        paths,
        seed,
        sampler,
    )
    if json_path:
        write_json_atomic(json_path, comparison.to_dict())
    if xlsx:
        from ..report.workbook import write_results_xlsx

        write_results_xlsx(xlsx, comparison)
    if report:
        html, data, summary = render_scenario_comparison(
            comparison, scenarios, data_dir=report.stem + "_data"
        )
        folder = write_report(report, html, data, summary)
        out.print(f"wrote {report} and its data in {folder}/")
    print_comparison(comparison, out)


@app.command("what-it-takes")
@user_errors
def what_it_takes(
    file: ScenarioFile = None,
    probability: Annotated[float, typer.Option(help="The P(target) to reach.")] = 0.5,
    paths: Annotated[int, typer.Option(help="Sampled paths every setting is tried on.")] = 4_096,
    seed: Seed = 0,
    sampler: SamplerName = "lhs",
    json_path: JsonOut = None,
) -> None:
    """The smallest change of assumptions and decisions (price, earlier starts) that brings
    P(target) to --probability, found by an optimiser on common random numbers."""
    from ..report.terminal_paths import print_what_it_takes
    from ..risk.what_it_takes import what_it_takes as solve
    from ..scenario.checks import with_requirements

    scenario, _ = load_scenario(file)
    found = solve(
        scenario,
        with_requirements(scenario, scenario.plan.options),
        probability,
        paths,
        seed,
        sampler,
    )
    if json_path:
        write_json_atomic(json_path, found.to_dict())
    print_what_it_takes(found, out)
