"""The HTML report: one self-contained file (plotly.js inline, no external reference) with
every result charted, and the data of every chart written next to it as CSV and JSON."""

import csv
import io
import shutil
from importlib.resources import files
from pathlib import Path

import jinja2
from plotly.offline import get_plotlyjs

from ..errors import UserError
from ..io import json_bytes, output_target, write_files_atomic
from ..pipeline import ReportResults, report_results
from ..scenario.distributions import is_uncertain
from ..scenario.inputs import input_location, input_names, input_value
from ..scenario.load import yaml_lines
from ..scenario.schema import Scenario
from .figures import (
    calibration_figure,
    drivers_figure,
    entrants_figure,
    fan_figure,
    heatmap_figure,
    partners_figure,
    plan_figure,
    sobol_figure,
    supply_figure,
)


def template_text() -> str:
    """The report template (jinja2)."""
    return (files("evlaunch") / "report" / "templates" / "report.html.j2").read_text("utf-8")


def assumption_rows(scenario: Scenario, text: str) -> list[list[str]]:
    """Every numeric input with its value or distribution and the comment that sources it
    (the comment on its line in the scenario file, or the comment lines just above it)."""
    lines = text.splitlines()
    try:
        where = yaml_lines(text)
    except Exception:  # a TOML or JSON scenario has no comments to show
        where = {}
    rows = []
    for name in input_names(scenario):
        value = input_value(scenario, name)
        shown = (
            f"{value.dist} "
            + ", ".join(
                f"{k} {v:g}"
                for k, v in value.model_dump().items()
                if isinstance(v, float | int) and k != "dist"
            )
            if is_uncertain(value)
            else f"{value:,.6g}"
        )
        line = where.get(input_location(scenario, name))
        rows.append([name, shown, _comment(lines, line) if line else "default"])
    return rows


def _comment(lines: list[str], line: int) -> str:
    here = lines[line - 1]
    parts = [here.split("#", 1)[1].strip()] if "#" in here else []
    j = line - 2
    above = []
    while j >= 0 and lines[j].strip().startswith("#"):
        above.insert(0, lines[j].strip().lstrip("#").strip())
        j -= 1
    return " ".join(above + parts) or "no source given"


def build_report(
    scenario: Scenario,
    text: str,
    paths: int = 20_000,
    seed: int = 0,
    data_dir: str = "report_data",
    sweep: tuple[list[dict], list[str]] | None = None,
    hindcast_cases: list[dict] | None = None,
) -> tuple[str, dict[str, list[dict]], dict]:
    """Compute the report's results and render them (``render_report``)."""
    results = report_results(scenario, paths, seed)
    return render_report(results, scenario, text, data_dir, sweep, hindcast_cases)


def render_report(
    results: ReportResults,
    scenario: Scenario,
    text: str,
    data_dir: str = "report_data",
    sweep: tuple[list[dict], list[str]] | None = None,
    hindcast_cases: list[dict] | None = None,
) -> tuple[str, dict[str, list[dict]], dict]:
    """The report's HTML, each figure's and table's rows, and a JSON summary, drawn from
    ``results`` alone (no simulation); ``sweep`` (a sweep's result rows and parameter names)
    adds its P(target) heat map."""
    risk, found, partners = results.risk, results.sensitivity, results.partners
    figures = [
        fan_figure(risk, scenario),
        supply_figure(results.central),
        entrants_figure(results.central, scenario),
        drivers_figure(found),
        sobol_figure(found),
    ]
    tables = []
    if partners is not None:
        figures.append(partners_figure(partners))
        tables.append(_partner_table(partners))
    if results.plan.status != "infeasible":
        figures.append(plan_figure(results.plan, scenario))
    if sweep is not None:
        figures.append(heatmap_figure(*sweep))
    if hindcast_cases:
        figures.append(calibration_figure(hindcast_cases))
    if results.what_it_takes is not None:
        tables.append(_what_it_takes_table(results.what_it_takes))
    tables.append(
        {
            "id": "assumptions",
            "title": "Assumptions and their sources",
            "what": "Every numeric input, its value or distribution, and where it comes "
            "from (the scenario file's comments).",
            "numeric": False,
            "header": ["input", "value", "source"],
            "rows": assumption_rows(scenario, text),
        }
    )
    template = jinja2.Environment(autoescape=True).from_string(template_text())
    html = template.render(
        title=scenario.name,
        target=f"{scenario.target.deliveries:,}",
        window=scenario.target.window_months,
        paths=f"{results.paths:,}",
        seed=results.seed,
        version=results.version,
        cards=_cards(results, scenario),
        verdict=partners.statement if partners is not None else None,
        figures=figures,
        tables=tables,
        plotly_js=get_plotlyjs(),
        data_dir=data_dir,
        scenario=scenario.name,
    )
    data = {f.id: f.rows for f in figures}
    data.update(
        {t["id"]: [dict(zip(t["header"], r, strict=True)) for r in t["rows"]] for t in tables}
    )
    summary = {
        "scenario": scenario.name,
        "version": results.version,
        "seed": results.seed,
        "paths": results.paths,
        "p_target": risk.p_target,
        "p_target_ci95": risk.p_target_ci95,
        "outside_view": results.outside.to_dict(),
        "figures": [f.id for f in figures],
        "tables": [t["id"] for t in tables],
    }
    return html, data, summary


def _cards(results: ReportResults, scenario: Scenario) -> list[dict]:
    """The headline figures at the top of the report."""
    risk, outside = results.risk, results.outside
    window = scenario.target.window_months
    lo, hi = risk.p_target_ci95
    cards = [
        {
            "label": "P(target)",
            "value": f"{100 * risk.p_target:.1f}%",
            "sub": f"95% CI {100 * lo:.1f}% to {100 * hi:.1f}%",
        },
        {
            "label": f"Deliveries in {window} months",
            "value": f"{risk.deliveries_quantiles[window][3] / 1e3:,.0f}k",
            "sub": f"median; target {scenario.target.deliveries / 1e3:,.0f}k",
        },
        {
            "label": "Outside view",
            "value": f"{outside.target_percentile:.0f}%",
            "sub": f"of new entrants as known on {outside.as_of} deliver less",
        },
    ]
    if results.partners is not None:
        cards.append(
            {
                "label": "Recommended",
                "value": results.partners.recommended,
                "sub": "way to build (MCDA + SMAA)",
            }
        )
    return cards


def _number(value: float) -> str:
    """A criterion value as people write it: 100,000 and 15,000, not 1e+05 and 1.5e+04."""
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.3g}"


def _what_it_takes_table(found) -> dict:
    """The smallest change that reaches the P(target) asked, the most needed first."""
    asked = f"{100 * found.asked:.0f}%"
    if not found.reachable:
        what = (
            f"No change within the inputs' ranges reaches P(target) {asked}: with every "
            f"lever at its bound (listed) it is {100 * found.p_after:.1f}%."
        )
        rows = [[str(n), text, ""] for n, text in enumerate(found.at_bound, 1)]
    else:
        what = (
            f"The smallest change of assumptions (in their own spreads) and decisions (in NPV "
            f"given up) that brings P(target) from {100 * found.p_before:.1f}% to {asked} "
            f"({100 * found.p_after:.1f}% on the same {found.paths:,} paths; "
            "evlaunch what-it-takes), each with P(target) without it."
        )
        rows = [
            [str(n), c.text, f"{100 * c.p_without:.1f}%"] for n, c in enumerate(found.changes, 1)
        ]
    return {
        "id": "what_it_takes",
        "title": f"What it would take to reach P(target) {asked}",
        "what": what,
        "numeric": False,
        "header": ["#", "change", "P(target) without it"],
        "rows": rows,
    }


def _partner_table(partners) -> dict:
    return {
        "id": "partner_table",
        "title": "Ways of building: criteria and results",
        "what": "Criteria values, the three methods' ranks and the simulation.",
        "numeric": True,
        "header": [
            "way of building",
            *(c.replace("_", " ") for c in partners.criteria),
            "WS",
            "TOPSIS",
            "AHP",
            "P(target)",
            "blended with the outside view",
            "NPV mean (bn CNY)",
        ],
        "rows": [
            [
                a.alternative,
                *(_number(a.criteria[c]) for c in partners.criteria),
                *(str(r) for r in a.ranks.values()),
                f"{100 * a.p_target:.1f}%",
                f"{100 * a.p_target_blend:.1f}%",
                f"{a.npv_cny_mean / 1e9:,.1f}",
            ]
            for a in partners.alternatives
        ],
    }


def check_report_path(path: Path) -> Path:
    """The report's data folder, once ``path`` is known to be writable as a report: called
    before a report is computed, so a bad ``-o`` costs no computation."""
    output_target(path, regular_only=True)  # a folder, FIFO or device there: refused
    folder = path.with_name(path.stem + "_data")
    if (folder.exists() or folder.is_symlink()) and not folder.is_dir():
        raise UserError(
            f"{folder}: the report's data folder goes there, but that name is taken by a "
            "file; move the file or give --output another name"
        )
    return folder


def write_report(path: Path, html: str, data: dict[str, list[dict]], summary: dict) -> Path:
    """The report, and beside it a folder ``<stem>_data`` with one CSV a figure or table and
    report.json. Every file goes to a temporary first and all are renamed at the end, the
    report last; a failure anywhere leaves the old files as they were and no temporary."""
    path = Path(path)
    folder = check_report_path(path)
    made = not folder.exists()
    try:
        folder.mkdir(exist_ok=True)
    except OSError as exc:
        raise UserError(f"{folder}: cannot be made ({exc.strerror})") from None
    files = {folder / f"{name}.csv": _csv(rows).encode() for name, rows in data.items()}
    files[folder / "report.json"] = json_bytes(summary)
    files[path] = html.encode()  # last: the report appears once its data is in place
    try:
        write_files_atomic(files)
    except BaseException:
        if made:
            shutil.rmtree(folder, ignore_errors=True)
        raise
    return folder


def _csv(rows: list[dict]) -> str:
    out = io.StringIO()
    if rows:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return out.getvalue()
