"""Scenarios compared on common random numbers, for the terminal and the HTML report: each
scenario's figures, and each one's paired difference from the first with its interval."""

from rich.console import Console

from ..risk.compare import Comparison, PairedDifference
from ..scenario.schema import Scenario
from .compare import _page, fans_figure
from .terminal import new_table, shown

# the measures a comparison shows, in order, each with how a person reads it
COLUMNS = {
    "p_target": "P(target)",
    "deliveries_12": "deliveries, 12 mo",
    "deliveries_24": "deliveries, 24 mo",
    "deliveries_36": "deliveries, 36 mo",
    "npv_cny": "NPV",
    "peak_cash_need_cny": "peak cash need",
}


def shown_value(measure: str, value: float, signed: bool = False, unit: bool = True) -> str:
    """A measure for people: P(target) in percent (points, for a difference), deliveries in
    vehicles, money in bn CNY."""
    sign = "+" if signed else ""
    if measure == "p_target":
        return f"{100 * value:{sign},.1f}" + ((" pp" if signed else "%") if unit else "")
    if measure.endswith("_cny"):
        return f"{value / 1e9:{sign},.2f}" + (" bn" if unit else "")
    return f"{value:{sign},.0f}"


def difference_text(d: PairedDifference) -> str:
    """'+0.8 pp (+0.7 to +0.9)': the mean paired difference and its 95% interval."""
    lo, hi = (shown_value(d.measure, v, signed=True, unit=False) for v in d.ci95)
    return f"{shown_value(d.measure, d.mean, signed=True)} ({lo} to {hi})"


def rows(comparison: Comparison) -> list[dict]:
    """One row per measure: each scenario's mean over paths, then each later scenario less
    the first, path by path, with the 95% interval of that mean difference."""
    scenarios = comparison.scenarios
    out = []
    for m, title in COLUMNS.items():
        row = {"measure": title}
        row |= {f"{n}. {c.label}": shown_value(m, c.means[m]) for n, c in enumerate(scenarios, 1)}
        for n, c in enumerate(scenarios[1:], start=2):
            d = next(d for d in c.versus_first if d.measure == m)
            row[f"{n}. less 1."] = difference_text(d)
        out.append(row)
    return out


def print_comparison(comparison: Comparison, console: Console) -> None:
    """The scenarios' figures side by side (a column each), then each one less the first."""
    scenarios = comparison.scenarios
    console.print(
        f"{len(scenarios)} scenarios on common random numbers: {comparison.paths:,} paths, "
        f"{comparison.sampler} sampler, seed {comparison.seed}; "
        f"{len(comparison.common_inputs)} uncertain inputs drawn alike in all"
    )
    table = new_table(title="each scenario (means over paths; deliveries in vehicles)")
    table.add_column("", no_wrap=True)
    for n, compared in enumerate(scenarios):
        table.add_column(f"{n + 1}. {shown(compared.label)}", justify="right")
    for m, title in COLUMNS.items():
        table.add_row(title, *(shown_value(m, c.means[m]) for c in scenarios))
    console.print(table)
    diffs = new_table(
        title=f"less 1. {shown(scenarios[0].label)}, path by path: mean (95% interval)"
    )
    diffs.add_column("", no_wrap=True)
    for n, compared in enumerate(scenarios[1:], start=2):
        diffs.add_column(f"{n}. {shown(compared.label)}", justify="right")
    for m, title in COLUMNS.items():
        diffs.add_row(
            title,
            *(
                difference_text(next(d for d in c.versus_first if d.measure == m))
                for c in scenarios[1:]
            ),
        )
    console.print(diffs)
    for label, own in comparison.own_inputs.items():
        if own:
            console.print(
                f"{shown(label)} has inputs the others lack, drawn on their own: "
                f"{', '.join(map(shown, own))}"
            )


def render_scenario_comparison(
    comparison: Comparison, scenarios: list[Scenario], data_dir: str = "report_data"
) -> tuple[str, dict[str, list[dict]], dict]:
    """The HTML report of a comparison: a P(target) card per scenario, the fans overlaid and
    the table of figures and paired differences; with each figure's and table's rows."""
    risks = [c.risk for c in comparison.scenarios]
    cards = [
        {
            "label": c.label,
            "value": shown_value("p_target", c.risk.p_target),
            "sub": "P(target)"
            + (f"; {difference_text(c.versus_first[0])} vs first" if c.versus_first else ""),
        }
        for c in comparison.scenarios
    ]
    figures = [
        fans_figure(
            [(c.label, s, c.risk) for c, s in zip(comparison.scenarios, scenarios, strict=True)]
        )
    ]
    found = rows(comparison)
    header = list(found[0])
    table = {
        "id": "scenarios",
        "title": "The scenarios, on common random numbers",
        "what": "Each scenario's mean over paths (P(target): the share of paths that reach "
        "it), then each later one less the first, path by path, with the 95% interval of that "
        "mean difference. Inputs the scenarios share were drawn alike "
        "on every path, so a difference whose interval excludes 0 comes from the assumptions.",
        "numeric": True,
        "header": header,
        "rows": [list(row.values()) for row in found],
    }
    html = _page(
        f"{len(scenarios)} scenarios compared", scenarios, risks, cards, figures, [table], data_dir
    )
    data = {f.id: f.rows for f in figures} | {"scenarios": found}
    summary = comparison.to_dict()
    return html, data, summary
