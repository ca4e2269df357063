"""What a production plan says: per option, its start and volumes; per month, orders,
production, deliveries, backlog and stock in all and per model; and as monthly CSV."""

import csv
import io
from dataclasses import asdict, dataclass, field

from ..scenario.provenance import Provenance


@dataclass(frozen=True)
class OptionPlan:
    option: str
    used: bool
    start: str | None  # contract or construction start, 'YYYY-MM' (median over scenarios)
    started_share: float  # of scenarios that start it: below 1 only if decided per scenario
    volume_by_year: dict[str, float]  # calendar year -> vehicles made (mean over scenarios)
    utilisation: float  # made / capacity of the chosen start over the horizon
    # model it builds -> vehicles made over the horizon (mean over scenarios); none in a plan
    # stored before plans were per model
    volume_by_model: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class ProductionPlan:
    scenario: str
    version: str
    objective: str
    scenarios: int
    status: str  # "optimal", "time limit" or "infeasible"
    options: list[OptionPlan]
    npv_cny: float  # mean over scenarios, company fixed cost included
    discounted_cost_cny: float
    window_deliveries: float  # mean over scenarios
    target_deliveries: int
    p_target_in_sample: float
    unit_cost_cny: float  # average variable cost per vehicle the MILP charged
    months: list[str]
    orders: list[float]  # mean over scenarios, per month, every model's
    production: dict[str, list[float]]  # option -> every model it made, per month
    deliveries: list[float]
    backlog: list[float]
    stock: list[float]
    build_seconds: float
    solve_seconds: float
    variables: int
    constraints: int
    explanation: str | None = None
    stochastic: dict | None = None
    learning_rounds: int = 0  # solves, each charging the learning curve's cost of the last
    learning_settled: bool = True  # that cost and the cost of what the plan makes agree
    provenance: Provenance | None = None  # seed and sampler: of the stochastic plan's draws
    # Per model of the roadmap (the first car first); none in a plan stored before plans
    # were per model. The cost the MILP charged a vehicle of each model, and per month,
    # mean over scenarios, its orders, every option's output of it, deliveries and backlog.
    unit_cost_by_model_cny: dict[str, float] = field(default_factory=dict)
    orders_by_model: dict[str, list[float]] = field(default_factory=dict)
    production_by_model: dict[str, list[float]] = field(default_factory=dict)
    deliveries_by_model: dict[str, list[float]] = field(default_factory=dict)
    backlog_by_model: dict[str, list[float]] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)

    def monthly_by_model(self) -> dict[str, list[float]]:
        """Each model's orders, production, deliveries and backlog by month, named
        "deliveries of <model>"; none with one model (or no plan), as the totals say it."""
        several = self.production_by_model if len(self.production_by_model) > 1 else {}
        return {
            f"{what} of {n}": values[n]
            for n in several
            for what, values in (
                ("orders", self.orders_by_model),
                ("production", self.production_by_model),
                ("deliveries", self.deliveries_by_model),
                ("backlog", self.backlog_by_model),
            )
        }


def monthly_csv(result: ProductionPlan) -> str:
    """The monthly plan as CSV: orders, production by option, deliveries, backlog, stock;
    with several models, then each model's orders, production, deliveries and backlog."""
    per_model = result.monthly_by_model()
    head = [
        "month",
        "orders",
        *(f"production {n}" for n in result.production),
        "deliveries",
        "backlog",
        "stock",
        *per_model,
    ]
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")  # quotes a name with a comma or a quote in it
    w.writerow(head)
    for t, month in enumerate(result.months):
        values = [
            result.orders[t],
            *(p[t] for p in result.production.values()),
            result.deliveries[t],
            result.backlog[t],
            result.stock[t],
            *(v[t] for v in per_model.values()),
        ]
        w.writerow([month, *(f"{v:.3f}" for v in values)])
    return out.getvalue()
