"""The sheets of a production plan and of a run (``workbook.write_results_xlsx``)."""

from ..pipeline import RunResult
from ..plan.solve import ProductionPlan
from .xlsx_tables import Book, Chart, Table, figures


def plan_sheets(book: Book, p: ProductionPlan) -> None:
    """The plan's figures and options, and month by month production per option (stacked
    columns) against orders and deliveries (lines)."""
    sheet = book.sheet("plan")
    summary = [
        ("scenario", p.scenario, "text"),
        ("objective", p.objective, "text"),
        ("status", p.status, "text"),
        ("scenarios", p.scenarios, "integer"),
        ("NPV [CNY]", p.npv_cny, "integer"),
        ("discounted cost [CNY]", p.discounted_cost_cny, "integer"),
        ("deliveries in the target window [vehicles]", p.window_deliveries, "integer"),
        ("target [vehicles]", p.target_deliveries, "integer"),
        ("P(target), in sample", p.p_target_in_sample, "share"),
        ("average variable cost [CNY/vehicle]", p.unit_cost_cny, "integer"),
        ("variables", p.variables, "integer"),
        ("constraints", p.constraints, "integer"),
        ("solve time [s]", p.solve_seconds, "number"),
        ("why infeasible", p.explanation, "text"),
    ]
    row = book.table(sheet, 0, figures("Production plan", summary))
    years = sorted({y for o in p.options for y in o.volume_by_year})
    models = list(p.production_by_model) if len(p.production_by_model) > 1 else []
    options = Table(
        "Options",
        [
            "option",
            "used",
            "start",
            "share of scenarios starting it",
            "utilisation",
            *(f"vehicles made in {y}" for y in years),
            *(f"vehicles of {m} made" for m in models),
        ],  # fmt: skip
        [
            [
                o.option,
                o.used,
                o.start,
                o.started_share,
                o.utilisation,
                *(o.volume_by_year.get(y, 0.0) for y in years),
                *(o.volume_by_model.get(m) for m in models),  # blank: it cannot build it
            ]  # fmt: skip
            for o in p.options
        ],
        ["text", "text", "text", "share", "share", *["integer"] * (len(years) + len(models))],
    )
    book.table(sheet, row, options)
    monthly = book.sheet("plan monthly")
    names = list(p.production)
    per_model = p.monthly_by_model()  # after the columns the chart reads
    headings = ["month", *(f"production {n}" for n in names), "orders", "deliveries",
                "backlog", "stock", *per_model]  # fmt: skip
    rows = [
        [
            month,
            *(p.production[n][t] for n in names),
            p.orders[t],
            p.deliveries[t],
            p.backlog[t],
            p.stock[t],
            *(v[t] for v in per_model.values()),
        ]  # fmt: skip
        for t, month in enumerate(p.months)
    ]
    table = Table(
        "Month by month [vehicles]", headings, rows, ["text", *["integer"] * (len(headings) - 1)]
    )
    k = len(names)
    chart = Chart("column", "Production by option, orders and deliveries", list(range(1, k + 1)),
                  stacked=True, lines=[k + 1, k + 2], y_title="vehicles/month")  # fmt: skip
    book.table(monthly, 0, table, chart)


def run_sheets(book: Book, r: RunResult) -> None:
    """Each way of building at central values, with P(target) charted, and the outside view."""
    sheet = book.sheet("run")
    summary = [
        ("scenario", r.scenario, "text"),
        ("target [vehicles]", r.target_deliveries, "integer"),
        ("target window [months of sales]", r.target_window_months, "integer"),
        ("Monte Carlo paths", r.risk_paths, "integer"),
        ("seed", r.risk_seed, "integer"),
        ("recommended", r.recommended, "text"),
        ("recommendation", r.recommendation, "text"),
    ]
    row = book.table(sheet, 0, figures("Run at central values", summary))
    checkpoints = sorted({k for c in r.cases for k in c.deliveries_by_months_of_sales})
    cases = Table(
        "Ways of building",
        [
            "case",
            "P(target)",
            "P(target) 95% low",
            "P(target) 95% high",
            "options",
            "first delivery",
            *(f"deliveries after {k} months of sales" for k in checkpoints),
            "target reached",
            "months to target",
            "shortfall [vehicles]",
            "peak cash need [CNY]",
            "NPV [CNY]",
        ],  # fmt: skip
        [
            [
                c.case,
                c.p_target,
                *c.p_target_ci95,
                ", ".join(c.options),
                c.first_delivery,
                *(c.deliveries_by_months_of_sales.get(k) for k in checkpoints),
                c.target_reached,
                c.months_to_target,
                c.shortfall_vehicles,
                c.peak_cash_need_cny,
                c.npv_cny,
            ]  # fmt: skip
            for c in r.cases
        ],
        [
            "text",
            "share",
            "share",
            "share",
            "text",
            "text",
            *["integer"] * len(checkpoints),
            "text",
            "number",
            "integer",
            "integer",
            "integer",
        ],  # fmt: skip
    )
    row = book.table(sheet, row, cases, Chart("column", "P(target) by way of building", [1],
                                              y_format="0%"))  # fmt: skip
    _models_and_outside(book, sheet, r, row)


def _models_and_outside(book: Book, sheet, r: RunResult, row: int) -> None:
    models = Table(
        "Each model over the target window",
        ["case", "model", "deliveries", "revenue [CNY]", "cost [CNY]"],
        [
            [c.case, m, w.deliveries, w.revenue_cny, w.cost_cny]
            for c in r.cases
            for m, w in c.window_by_model.items()
        ],
        ["text", "text", "integer", "integer", "integer"],
    )
    row = book.table(sheet, row, models)
    outside = [
        (
            k,
            ", ".join(f"{x:,.3g}" for x in v) if isinstance(v, list | tuple) else v,
            "share" if k.startswith(("p_", "weight")) else "integer",
        )  # fmt: skip
        for k, v in r.outside_view.items()
        if not isinstance(v, dict)
    ]
    book.table(sheet, row, figures("Outside view: the mix against real entrants", outside))
