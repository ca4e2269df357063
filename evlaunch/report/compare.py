"""Several stored report runs side by side: their P(target), fans and headline figures,
drawn from what each run stored (nothing is computed again)."""

import jinja2
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from ..pipeline import ReportResults
from ..risk.montecarlo import RiskResult
from ..scenario.schema import Scenario
from .figures import PALETTE, Figure, _layout
from .html import template_text


def _rgba(hex_colour: str, alpha: float) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def fans_figure(runs: list[tuple[str, Scenario, RiskResult]]) -> Figure:
    """Each run's median and P10-P90 band of cumulative deliveries, and its target."""
    fig, rows = go.Figure(), []
    for n, (label, scenario, risk) in enumerate(runs):
        colour = PALETTE[n % len(PALETTE)]
        months = risk.fan_months
        q = {float(k): v for k, v in risk.fan_cumulative_deliveries.items()}
        fig.add_trace(
            go.Scatter(x=months, y=q[0.9], line=dict(width=0), showlegend=False, hoverinfo="skip")
        )
        fig.add_trace(
            go.Scatter(
                x=months,
                y=q[0.1],
                fill="tonexty",
                line=dict(width=0),
                fillcolor=_rgba(colour, 0.18),
                name=f"{label}: P10-P90",
            )
        )
        fig.add_trace(
            go.Scatter(x=months, y=q[0.5], name=f"{label}: median", line=dict(color=colour))
        )
        fig.add_hline(y=scenario.target.deliveries, line=dict(color=colour, dash="dash", width=1))
        rows += [
            {"run": label, "month": m, "p10": q[0.1][t], "p50": q[0.5][t], "p90": q[0.9][t]}
            for t, m in enumerate(months)
        ]
    return Figure(
        "fans",
        "Cumulative deliveries, run against run",
        "Each run's median and P10-P90 band, with its target (dashed).",
        _layout(fig, "vehicles delivered (cumulative)"),
        rows,
    )


def _cards_and_table(runs: list[tuple[str, Scenario, ReportResults]]) -> tuple[list, dict]:
    """A P(target) card per run, and the table of the runs' headline figures."""
    cards, rows = [], []
    for label, scenario, r in runs:
        lo, hi = r.risk.p_target_ci95
        window = scenario.target.window_months
        npv = r.risk.npv_cny_quantiles
        cards.append(
            {
                "label": label,
                "value": f"{100 * r.risk.p_target:.1f}%",
                "sub": f"P(target); 95% CI {100 * lo:.1f}% to {100 * hi:.1f}%",
            }
        )
        rows.append(
            [
                label,
                scenario.name,
                f"{scenario.target.deliveries:,} in {window} months",
                f"{r.paths:,} / {r.seed}",
                f"{100 * r.risk.p_target:.1f}% ({100 * lo:.1f}-{100 * hi:.1f}%)",
                f"{r.risk.deliveries_quantiles[window][3]:,.0f}",
                " / ".join(f"{npv[i] / 1e9:,.1f}" for i in (1, 3, 5)),
                f"{100 * r.outside.p_target_blend:.1f}%",
                r.partners.recommended if r.partners is not None else "",
            ]
        )
    table = {
        "id": "runs",
        "title": "The runs",
        "what": "Each run's target, paths and seed, P(target) with its 95% interval, median "
        "deliveries in the target window, NPV P10 / P50 / P90 (bn CNY), P(target) blended "
        "with the outside view, and the recommended way to build. Runs share random numbers "
        "only when made with the same seed on scenarios with the same uncertain inputs.",
        "numeric": True,
        "header": [
            "run",
            "scenario",
            "target",
            "paths / seed",
            "P(target)",
            "median in window",
            "NPV P10 / P50 / P90",
            "blended",
            "recommended",
        ],
        "rows": rows,
    }
    return cards, table


def _page(title, scenarios, risks, cards, figures, tables, data_dir) -> str:
    targets = {f"{s.target.deliveries:,}" for s in scenarios}
    windows = {s.target.window_months for s in scenarios}
    return (
        jinja2.Environment(autoescape=True)
        .from_string(template_text())
        .render(
            title=title,
            target=targets.pop() if len(targets) == 1 else "each one's own",
            window=windows.pop() if len(windows) == 1 else "its own",
            paths=", ".join(f"{r.paths:,}" for r in risks),
            seed=", ".join(str(r.seed) for r in risks),
            version=risks[0].version,
            cards=cards,
            verdict=None,
            figures=figures,
            tables=tables,
            plotly_js=get_plotlyjs(),
            data_dir=data_dir,
            scenario=", ".join(s.name for s in scenarios),
        )
    )


def render_comparison(
    runs: list[tuple[str, Scenario, ReportResults]], data_dir: str = "report_data"
) -> tuple[str, dict[str, list[dict]], dict]:
    """The HTML comparing stored report runs (``(label, scenario, results)`` each), each
    figure's and table's rows, and a JSON summary."""
    cards, table = _cards_and_table(runs)
    rows = table["rows"]
    figures = [fans_figure([(label, s, r.risk) for label, s, r in runs])]
    html = _page(
        f"Comparison of {len(runs)} stored runs",
        [s for _, s, _ in runs],
        [r.risk for _, _, r in runs],
        cards,
        figures,
        [table],
        data_dir,
    )
    data = {f.id: f.rows for f in figures}
    data["runs"] = [dict(zip(table["header"], r, strict=True)) for r in rows]
    summary = {
        "runs": [label for label, _, _ in runs],
        "p_target": [r.risk.p_target for _, _, r in runs],
        "figures": ["fans"],
        "tables": ["runs"],
    }
    return html, data, summary
