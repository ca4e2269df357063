"""Results to an Excel workbook with native charts: ``write_results_xlsx(path, *results)``.

Each result type adds its own sheets (tables from ``xlsx_tables``); the file is written
atomically. A new result type needs only a function that fills a ``Book`` and a line in
``WRITERS``.
"""

from pathlib import Path

from ..io import write_bytes_atomic
from ..pipeline import RunResult
from ..plan.solve import ProductionPlan
from ..reference.hindcast import Hindcast
from ..risk.compare import Comparison
from ..risk.montecarlo import RiskResult
from ..risk.sensitivity import Sensitivity
from ..risk.sizes import PRECISION_OUTPUTS as OUTPUTS
from .workbook_plans import plan_sheets, run_sheets
from .xlsx_tables import Book, Chart, Table, figures


def write_results_xlsx(path: str | Path, *results) -> Path:
    """Write the results (a RiskResult, Sensitivity, ProductionPlan, RunResult or Hindcast,
    any number) to the workbook ``path``, sheets in the order given."""
    book = Book()
    for result in results:
        writer = WRITERS.get(type(result))
        if writer is None:
            raise TypeError(f"no workbook layout for a {type(result).__name__}")
        writer(book, result)
    return write_bytes_atomic(path, book.data())


def _pct(q: float) -> str:
    return f"P{q * 100:g}"


def risk_sheets(book: Book, r: RiskResult) -> None:
    """Summary (P(target) and its interval, quantiles of deliveries, NPV and cash need) and
    the monthly fan with a line chart."""
    sheet = book.sheet("risk")
    low, high = r.p_target_ci95
    summary = [
        ("scenario", r.scenario, "text"),
        ("production options", ", ".join(r.options), "text"),
        ("paths", r.paths, "integer"),
        ("seed", r.seed, "integer"),
        ("sampler", r.sampler, "text"),
        ("target [vehicles]", r.target_deliveries, "integer"),
        ("target window [months of sales]", r.window_months, "integer"),
        ("P(target)", r.p_target, "share"),
        ("P(target), standard error", r.p_target_se, "share"),
        ("P(target), 95% interval low", low, "share"),
        ("P(target), 95% interval high", high, "share"),
        ("NPV, mean [CNY]", r.npv_cny_mean, "integer"),
    ]
    row = book.table(sheet, 0, figures("Monte Carlo summary", summary))
    checkpoints = sorted(r.deliveries_quantiles)
    headings = [
        "quantile",
        *(f"deliveries after {k} months of sales" for k in checkpoints),
        "months to target",
        "NPV [CNY]",
        "peak cash need [CNY]",
    ]
    rows = [
        [
            _pct(q),
            *(r.deliveries_quantiles[k][i] for k in checkpoints),
            r.months_to_target_quantiles[i],
            r.npv_cny_quantiles[i],
            r.peak_cash_need_cny_quantiles[i],
        ]
        for i, q in enumerate(r.quantiles)
    ]
    formats = ["text", *["integer"] * len(checkpoints), "number", "integer", "integer"]
    quantiles = Table("Quantiles over the paths", headings, rows, formats)
    chart = Chart("column", "Deliveries by months of sales", list(range(1, len(checkpoints) + 1)))
    row = book.table(sheet, row, quantiles, chart)
    if r.decisions:
        decisions = Table(
            "Decisions the paths took",
            [
                "option",
                "share adding a shift",
                "shift from (median)",
                "share committed",
                "committed in (median)",
            ],  # fmt: skip
            [
                [d.option, d.shift_share, d.shift_month_p50, d.commit_share, d.commit_month_p50]
                for d in r.decisions
            ],
            ["text", "share", "text", "share", "text"],
        )
        book.table(sheet, row, decisions)
    _fan(book, r)


def _fan(book: Book, r: RiskResult) -> None:
    sheet = book.sheet("risk fan")
    levels = sorted(r.fan_cumulative_deliveries)
    headings = [
        "month",
        *(f"cumulative deliveries {_pct(q)}" for q in levels),
        *(f"monthly deliveries {_pct(q)}" for q in levels),
    ]
    rows = [
        [
            month,
            *(r.fan_cumulative_deliveries[q][t] for q in levels),
            *(r.fan_monthly_deliveries[q][t] for q in levels),
        ]
        for t, month in enumerate(r.fan_months)
    ]
    table = Table("Deliveries by month: quantiles over the paths", headings, rows,
                  ["text", *["integer"] * (2 * len(levels))])  # fmt: skip
    chart = Chart("line", "Cumulative deliveries (fan)", list(range(1, len(levels) + 1)),
                  y_title="vehicles")  # fmt: skip
    book.table(sheet, 0, table, chart)


def sensitivity_sheets(book: Book, s: Sensitivity) -> None:
    """The tornado and the Sobol indices, with a bar chart of each."""
    sheet = book.sheet("sensitivity")
    tornado = Table(
        f"Tornado: {s.output}",
        [
            "input",
            "value at P10",
            "value at P90",
            "deliveries at P10",
            "deliveries at P90",
            "P(target) at P10",
            "P(target) at P90",
        ],  # fmt: skip
        [
            [
                b.input,
                b.value_p10,
                b.value_p90,
                b.deliveries_p10,
                b.deliveries_p90,
                b.p_target_p10,
                b.p_target_p90,
            ]  # fmt: skip
            for b in s.tornado
        ],
        ["text", "number", "number", "integer", "integer", "share", "share"],
    )
    row = book.table(sheet, 0, tornado, Chart("bar", "Deliveries in the window", [3, 4]))
    sobol = Table(
        f"Sobol indices ({s.sobol_base_samples:,} base samples)",
        ["input", "first order", "first order, 95% half-width", "total", "total, 95% half-width"],
        [[i.input, i.first_order, i.first_order_ci95, i.total, i.total_ci95] for i in s.sobol],
        ["text", "small", "small", "small", "small"],
    )
    book.table(sheet, row, sobol, Chart("bar", "Sobol indices", [1, 3], y_format="0.00"))


def hindcast_sheets(book: Book, h: Hindcast) -> None:
    """The forecasters' scores (CRPS, interval coverage, errors) with coverage charted, the
    stated targets, and every scored case."""
    sheet = book.sheet("hindcast")
    levels = sorted({lv for s in h.scores for lv in s.coverage})
    scores = Table(
        "Scores by method and origin (months of sales seen)",
        [
            "forecast",
            "method",
            "origin",
            "cases",
            "CRPS",
            "CRPS of log",
            *(f"coverage of the {lv:.0%} interval" for lv in levels),
            "MdAPE",
            "MAPE",
            "share too high",
        ],  # fmt: skip
        [
            [
                f"{s.method} @ {s.origin}",
                s.method,
                s.origin,
                s.cases,
                s.crps,
                s.crps_log,
                *(s.coverage.get(lv) for lv in levels),
                s.mdape,
                s.mape,
                s.bias,
            ]  # fmt: skip
            for s in h.scores
        ],
        [
            "text",
            "text",
            "integer",
            "integer",
            "integer",
            "small",
            *["share"] * len(levels),
            "share",
            "share",
            "share",
        ],  # fmt: skip
    )
    coverage = Chart("column", "Interval coverage (nominal: 50%, 80%, 95%)",
                     list(range(6, 6 + len(levels))), y_format="0%")  # fmt: skip
    _targets(book, sheet, h, book.table(sheet, 0, scores, coverage))
    _cases(book, h)


def _targets(book: Book, sheet, h: Hindcast, row: int) -> int:
    brier = [
        ("seed", h.seed, "integer"),
        ("entrants", len(h.entrants), "integer"),
        ("forecasts with a calibrated spread", h.spread_applied, "integer"),
        ("Brier score, stated targets", h.brier, "small"),
        ("Brier score, forecaster alone", h.brier_outside, "small"),
        ("Brier score, base rate", h.brier_base_rate, "small"),
    ]
    row = book.table(sheet, row, figures("Stated targets", brier))
    targets = Table(
        "Stated targets against what was achieved",
        [
            "company",
            "stated on",
            "target",
            "window",
            "achieved",
            "P(hit), forecaster alone",
            "P(hit)",
            "hit",
        ],  # fmt: skip
        [
            [
                t.company,
                t.stated_on,
                t.target,
                t.window,
                t.achieved,
                t.p_hit_outside,
                t.p_hit,
                t.hit,
            ]
            for t in h.targets
        ],  # fmt: skip
        ["text", "text", "integer", "text", "integer", "share", "share", "text"],
    )
    return book.table(sheet, row, targets)


def _cases(book: Book, h: Hindcast) -> None:
    cases = Table(
        "Every scored forecast",
        [
            "entrant",
            "origin",
            "as of",
            "checkpoint",
            "method",
            "truth",
            "median",
            "CRPS",
            "CRPS of log",
            "PIT",
        ],  # fmt: skip
        [
            [
                c.entrant,
                c.origin,
                c.as_of,
                c.checkpoint,
                c.method,
                c.truth,
                c.median,
                c.crps,
                c.crps_log,
                c.pit,
            ]
            for c in h.cases
        ],  # fmt: skip
        [
            "text",
            "integer",
            "text",
            "integer",
            "text",
            "integer",
            "integer",
            "integer",
            "small",
            "small",
        ],  # fmt: skip
    )
    book.table(book.sheet("hindcast cases"), 0, cases)


def comparison_sheets(book: Book, c: Comparison) -> None:
    """Each scenario's means, each one less the first (paired, with its 95% interval), and
    the median cumulative deliveries of each, month by month, with a line chart."""
    sheet = book.sheet("compare")
    fmt = {m: "share" if m == "p_target" else "integer" for m in OUTPUTS}
    means = Table(
        f"Means over {c.paths:,} paths on common random numbers (seed {c.seed})",
        ["measure", *(s.label for s in c.scenarios)],
        [[OUTPUTS[m], *((s.means[m], fmt[m]) for s in c.scenarios)] for m in OUTPUTS],
        ["text", *["text"] * len(c.scenarios)],
    )
    row = book.table(sheet, 0, means)
    rows = [
        [s.label, OUTPUTS[d.measure], *((v, fmt[d.measure]) for v in (d.mean, *d.ci95))]
        for s in c.scenarios[1:]
        for d in s.versus_first
    ]
    heads = ["scenario", "measure", "less the first: mean", "95% interval low", "high"]
    row = book.table(sheet, row, Table("Paired differences", heads, rows, ["text"] * 5))
    months = c.scenarios[0].risk.fan_months
    fans = [s.risk.fan_cumulative_deliveries[0.5] for s in c.scenarios]
    fan_rows = [[m, *(f[t] for f in fans)] for t, m in enumerate(months)]
    fan = Table(
        "Median cumulative deliveries [vehicles]",
        ["month", *(s.label for s in c.scenarios)],
        fan_rows,
        ["text", *["integer"] * len(fans)],
    )
    chart = Chart("line", "Median cumulative deliveries", list(range(1, len(fans) + 1)))
    book.table(sheet, row, fan, chart)


WRITERS = {
    Comparison: comparison_sheets,
    RiskResult: risk_sheets,
    Sensitivity: sensitivity_sheets,
    ProductionPlan: plan_sheets,
    RunResult: run_sheets,
    Hindcast: hindcast_sheets,
}
