"""The report's figures: each a plotly figure with its rows of data, drawn from results."""

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from ..pipeline import CentralPath
from ..reference.entrants import entrants
from ..scenario.schema import Scenario

PALETTE = ["#14213d", "#fca311", "#2a9d8f", "#e76f51", "#8d99ae", "#6a4c93"]


@dataclass
class Figure:
    id: str
    title: str
    what: str
    figure: go.Figure
    rows: list[dict]  # the figure's data, one dict a row, for the CSV next to the report

    @property
    def json(self) -> str:
        return self.figure.to_json()


def _layout(fig: go.Figure, ytitle: str, xtitle: str = "") -> go.Figure:
    fig.update_layout(
        template="plotly_white",
        margin=dict(l=60, r=20, t=20, b=50),
        legend=dict(orientation="h", y=-0.18),
        yaxis_title=ytitle,
        xaxis_title=xtitle,
        colorway=PALETTE,
    )
    return fig


def fan_figure(risk, scenario: Scenario) -> Figure:
    months = risk.fan_months
    q = {float(k): v for k, v in risk.fan_cumulative_deliveries.items()}
    fig = go.Figure()
    for lo, hi, alpha in ((0.05, 0.95, 0.18), (0.25, 0.75, 0.35)):
        fig.add_trace(
            go.Scatter(x=months, y=q[hi], line=dict(width=0), showlegend=False, hoverinfo="skip")
        )
        fig.add_trace(
            go.Scatter(
                x=months,
                y=q[lo],
                fill="tonexty",
                line=dict(width=0),
                fillcolor=f"rgba(20,33,61,{alpha})",
                name=f"P{round(100 * lo)}-P{round(100 * hi)}",
            )
        )
    fig.add_trace(go.Scatter(x=months, y=q[0.5], name="median", line=dict(color="#14213d")))
    fig.add_hline(
        y=scenario.target.deliveries,
        line_dash="dash",
        line_color="#e76f51",
        annotation_text=f"target {scenario.target.deliveries:,}",
    )
    rows = [
        {"month": m, **{f"p{round(100 * k)}": q[k][t] for k in sorted(q)}}
        for t, m in enumerate(months)
    ]
    return Figure(
        "fan",
        "Cumulative deliveries: the range of outcomes",
        f"Monte Carlo fan of cumulative deliveries for the chosen mix "
        f"({' + '.join(risk.options)}), against the target.",
        _layout(fig, "vehicles delivered (cumulative)"),
        rows,
    )


def supply_figure(central: CentralPath) -> Figure:
    months, models, options = central.months, central.models, central.options
    fig = go.Figure()
    for j, name in enumerate(options):
        fig.add_trace(
            go.Scatter(
                x=months,
                y=central.capacity_by_option[j],
                stackgroup="cap",
                name=f"capacity: {name}",
            )
        )
    for k, model in enumerate(models):
        fig.add_trace(
            go.Scatter(
                x=months,
                y=central.orders_by_model[k],
                name="new orders" + (f": {model}" if len(models) > 1 else " (demand)"),
                line=dict(width=2, dash="solid" if k == 0 else "dash"),
            )
        )
    fig.add_trace(
        go.Scatter(
            x=months,
            y=central.deliveries,
            name="deliveries",
            line=dict(color="#14213d", width=2, dash="dot"),
        )
    )
    # the path's own decisions: where a shift runs from and where a phase was committed
    marks = []
    for j, name in enumerate(options):
        for when, what in (
            (central.shift_month[j], f"shift: {name}"),
            (central.commit_month[j], f"commit: {name}"),
        ):
            if when is not None and when < len(months):
                marks.append((months[when], what))
                fig.add_vline(x=months[when], line=dict(color="#888", width=1, dash="dot"))
                fig.add_annotation(
                    x=months[when],
                    y=1,
                    yref="paper",
                    text=what,
                    showarrow=False,
                    textangle=-90,
                    xanchor="right",
                    yanchor="top",
                    font=dict(size=10),
                )
    rows = [
        {
            "month": m,
            **{f"orders {model}": central.orders_by_model[k][t] for k, model in enumerate(models)},
            **{
                f"deliveries {model}": central.deliveries_by_model[k][t]
                for k, model in enumerate(models)
            },
            **{f"capacity {n}": central.capacity_by_option[j][t] for j, n in enumerate(options)},
            "decisions": "; ".join(what for at, what in marks if at == m),
        }
        for t, m in enumerate(months)
    ]
    return Figure(
        "supply",
        "Monthly demand against capacity",
        "At central values: new orders each month"
        + (" per model" if len(models) > 1 else "")
        + ", each option's capacity as it ramps (above nameplate once a shift runs), what is "
        "delivered, and the months the path added a shift or committed a phase.",
        _layout(fig, "vehicles per month"),
        rows,
    )


def drivers_figure(found) -> Figure:
    bars = list(reversed(found.tornado[:10]))
    base = None
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            y=[b.input for b in bars],
            x=[b.deliveries_p10 for b in bars],
            name="input at P10",
            orientation="h",
            marker_color="#8d99ae",
        )
    )
    fig.add_trace(
        go.Bar(
            y=[b.input for b in bars],
            x=[b.deliveries_p90 for b in bars],
            name="input at P90",
            orientation="h",
            marker_color="#14213d",
        )
    )
    fig.update_layout(barmode="group", height=420)
    del base
    rows = [
        {
            "input": b.input,
            "value_p10": b.value_p10,
            "value_p90": b.value_p90,
            "deliveries_p10": b.deliveries_p10,
            "deliveries_p90": b.deliveries_p90,
            "p_target_p10": b.p_target_p10,
            "p_target_p90": b.p_target_p90,
        }
        for b in found.tornado
    ]
    return Figure(
        "tornado",
        "What drives deliveries: tornado",
        f"{found.output}, with one input at its P10 or P90 and the others at central values.",
        _layout(fig, "", "vehicles"),
        rows,
    )


def sobol_figure(found) -> Figure:
    idx = found.sobol[:10]
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            x=[s.input for s in idx],
            y=[s.first_order for s in idx],
            error_y=dict(array=[s.first_order_ci95 for s in idx]),
            name="first order S1",
        )
    )
    fig.add_trace(
        go.Bar(
            x=[s.input for s in idx],
            y=[s.total for s in idx],
            error_y=dict(array=[s.total_ci95 for s in idx]),
            name="total ST",
        )
    )
    fig.update_layout(barmode="group")
    rows = [vars(s) for s in found.sobol]
    return Figure(
        "sobol",
        "What drives deliveries: Sobol indices",
        f"Share of the variance of {found.output} due to each input alone (S1) and "
        f"with its interactions (ST), SALib, {found.sobol_base_samples} base "
        "samples; bars show 95% intervals.",
        _layout(fig, "index"),
        rows,
    )


def partners_figure(result) -> Figure:
    fig = go.Figure()
    ranks = len(result.alternatives)
    for r in range(ranks):
        fig.add_trace(
            go.Bar(
                x=[a.alternative for a in result.alternatives],
                y=[a.rank_acceptability[r] for a in result.alternatives],
                name=f"rank {r + 1}",
            )
        )
    fig.update_layout(barmode="stack")
    rows = [
        {
            "alternative": a.alternative,
            **a.ranks,
            "p_target": a.p_target,
            "npv_cny_mean": a.npv_cny_mean,
            **{f"acceptability rank {r + 1}": v for r, v in enumerate(a.rank_acceptability)},
        }
        for a in result.alternatives
    ]
    return Figure(
        "partners",
        "Which way to build: how robust is the ranking?",
        "SMAA-2 rank acceptability: the share of weightings under which each way of "
        f"building takes each rank. Recommended: {result.recommended}.",
        _layout(fig, "share of weight draws"),
        rows,
    )


def plan_figure(result, scenario: Scenario) -> Figure:
    fig = go.Figure()
    for name, made in result.production.items():
        if any(v > 0.5 for v in made):
            fig.add_trace(
                go.Scatter(x=result.months, y=made, stackgroup="plan", name=f"made at {name}")
            )
    fig.add_trace(
        go.Scatter(x=result.months, y=result.orders, name="new orders", line=dict(color="#e76f51"))
    )
    per_model = result.monthly_by_model()  # none with one model
    for name in result.deliveries_by_model if per_model else ():
        delivered = per_model[f"deliveries of {name}"]
        fig.add_trace(go.Scatter(x=result.months, y=delivered, name=f"{name} delivered"))
    rows = [
        {
            "month": m,
            "orders": result.orders[t],
            "deliveries": result.deliveries[t],
            "backlog": result.backlog[t],
            "stock": result.stock[t],
            **{f"production {n}": v[t] for n, v in result.production.items()},
            **{k: v[t] for k, v in per_model.items()},
        }
        for t, m in enumerate(result.months)
    ]
    starts = ", ".join(f"{o.option} from {o.start}" for o in result.options if o.used)
    return Figure(
        "plan",
        "The optimised production plan",
        f"MILP on HiGHS ({result.objective}): {starts}; NPV {result.npv_cny / 1e9:,.1f} bn CNY.",
        _layout(fig, "vehicles per month"),
        rows,
    )


def entrants_figure(central: CentralPath, scenario: Scenario) -> Figure:
    fig = go.Figure()
    rows = []
    for e in entrants():
        t = np.arange(0, min(int(e.last_month), 60) + 1)
        cum = e.cumulative_at(t)
        fig.add_trace(go.Scatter(x=t, y=cum, name=e.company, line=dict(width=1.5)))
        rows += [
            {"entrant": e.company, "months_of_sales": int(m), "cumulative": float(c)}
            for m, c in zip(t, cum, strict=True)
        ]
    delivered = np.asarray(central.deliveries)
    first = int(np.argmax(delivered >= 1))
    ours = np.concatenate([[0.0], np.cumsum(delivered[first:])])[:61]
    fig.add_trace(
        go.Scatter(
            x=np.arange(ours.size),
            y=ours,
            name="this plan (central)",
            line=dict(color="#e76f51", width=4),
        )
    )
    fig.add_trace(
        go.Scatter(
            x=[scenario.target.window_months],
            y=[scenario.target.deliveries],
            mode="markers",
            marker=dict(symbol="star", size=16, color="#e76f51"),
            name="target",
        )
    )
    rows += [
        {"entrant": "this plan", "months_of_sales": m, "cumulative": float(c)}
        for m, c in enumerate(ours)
    ]
    return Figure(
        "entrants",
        "Against real EV entrants",
        "Cumulative deliveries by months of sales: real entrants (sourced, "
        "interpolated) and this plan at central values.",
        _layout(fig, "vehicles delivered (cumulative)", "months of sales"),
        rows,
    )


def heatmap_figure(rows: list[dict], names: list[str]) -> Figure:
    """P(target) across the sweep's two most influential parameters (mean over the others)."""
    from ..sweep import influence

    ranked = [n for n, _ in influence(rows, names)]
    x, y = (ranked + ranked)[:2]
    xs, ys = sorted({r[x] for r in rows}), sorted({r[y] for r in rows})
    z = [
        [np.mean([r["p_target"] for r in rows if r[x] == a and r[y] == b] or [np.nan]) for a in xs]
        for b in ys
    ]
    fig = go.Figure(
        go.Heatmap(
            x=xs, y=ys, z=z, colorscale="Viridis", zmin=0, zmax=1, colorbar=dict(title="P(target)")
        )
    )
    fig.update_layout(xaxis_title=x, yaxis_title=y)
    cells = [
        {"x": a, "y": b, "p_target": z[j][i]} for j, b in enumerate(ys) for i, a in enumerate(xs)
    ]
    return Figure(
        "sweep",
        "P(target) across the sweep",
        f"The sweep's two most influential inputs ({x}; {y}), P(target) averaged over the others.",
        _layout(fig, y, x),
        cells,
    )


def calibration_figure(cases: list[dict]) -> Figure:
    """PIT histogram per method from a hindcast: flat when the forecasts are calibrated."""
    edges = np.linspace(0, 1, 11)
    fig = go.Figure()
    rows = []
    for method in dict.fromkeys(c["method"] for c in cases):
        pit = np.array([c["pit"] for c in cases if c["method"] == method], dtype=float)
        counts, _ = np.histogram(pit, edges)
        share = counts / max(pit.size, 1)
        fig.add_trace(go.Bar(x=(edges[:-1] + 0.05).tolist(), y=share.tolist(), name=method))
        rows += [
            {"method": method, "pit_from": float(a), "pit_to": float(b), "share": float(v)}
            for a, b, v in zip(edges[:-1], edges[1:], share, strict=True)
        ]
    fig.add_hline(y=0.1, line_dash="dot", annotation_text="calibrated")
    fig.update_layout(barmode="group", xaxis_title="PIT", yaxis_title="share of forecasts")
    return Figure(
        "calibration",
        "Hindcast: are the forecasts calibrated?",
        "Probability integral transform of each leave-one-out forecast (evlaunch hindcast): "
        "a calibrated forecaster puts 10% in every bar; a U shape means intervals too narrow.",
        _layout(fig, "share of forecasts", "PIT"),
        rows,
    )
