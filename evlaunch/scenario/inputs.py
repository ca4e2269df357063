"""The simulator's numeric inputs: their names ('options.FAW Group.ramp_months'), where a
scenario gives them, and its central values."""

import math
from typing import TYPE_CHECKING

from .distributions import central, is_uncertain
from .schema import Scenario

if TYPE_CHECKING:  # numpy is imported where arrays are made: checking a scenario needs none
    import numpy as np

MARKET_INPUTS = (
    "addressable_market_vehicles",
    "bass_p_per_year",
    "bass_q_per_year",
    "price_cny",
    "price_elasticity",
    "backlog_cancel_rate_per_month",
)
OPTION_INPUTS = (
    "capacity_per_year",
    "share_available",
    "lead_time_months",
    "ramp_months",
    "fee_per_vehicle_cny",
    "capex_cny",
    "fixed_cost_per_year_cny",
    "max_utilisation",
    "shift_months",
    "above_nameplate_cost_per_vehicle_cny",
)
MODEL_INPUTS = (
    "addressable_market_vehicles",
    "bass_p_per_year",
    "bass_q_per_year",
    "price_cny",
    "launch_slip_months",
    "cannibalisation",
    "unit_cost_cny",  # optional: the first car's where a model has none
)
FINANCE_INPUTS = ("unit_cost_cny", "learning_rate", "discount_rate_per_year")
COMPANY_INPUTS = ("cost_per_head_per_year_cny", "other_fixed_cost_per_year_cny")

Params = dict[str, "np.ndarray"]  # input name -> (paths,) values


def input_names(scenario: Scenario) -> list[str]:
    """Names of the numeric inputs the simulator reads, e.g. 'options.FAW Group.ramp_months'."""
    return (
        [f"market.{f}" for f in MARKET_INPUTS]
        + [
            f"models.{m.name}.{f}"
            for m in scenario.models
            for f in MODEL_INPUTS
            if getattr(m, f) is not None
        ]
        + [f"options.{o.name}.{f}" for o in scenario.options for f in OPTION_INPUTS]
        + [f"finance.{f}" for f in FINANCE_INPUTS]
        + [f"company.{f}" for f in COMPANY_INPUTS]
    )


def input_location(scenario: Scenario, name: str) -> tuple:
    """Where input ``name`` sits in the scenario: 'options.FAW Group.ramp_months' ->
    ('options', 0, 'ramp_months'), 'market.price_cny' -> ('market', 'price_cny'). The one
    place a dotted input name is taken apart."""
    section, rest = name.split(".", 1)
    if section in ("options", "models"):
        item, field = rest.rsplit(".", 1)
        items = scenario.options if section == "options" else scenario.models
        return (section, next(i for i, x in enumerate(items) if x.name == item), field)
    return (section, rest)


def input_value(scenario: Scenario, name: str):
    """The number or distribution the scenario gives for input ``name``."""
    value = scenario
    for part in input_location(scenario, name):
        value = value[part] if isinstance(part, int) else getattr(value, part)
    return value


def central_params(scenario: Scenario) -> Params:
    """The scenario's central values as a one-path ``Params``."""
    import numpy as np

    return {n: np.array([central(input_value(scenario, n))]) for n in input_names(scenario)}


def company_cost_per_month(scenario: Scenario, params: Params) -> "np.ndarray":
    """(paths,) the company's fixed cost: headcount x cost per head, plus other fixed [CNY]."""
    import numpy as np

    per_year = scenario.company.headcount * np.asarray(
        params["company.cost_per_head_per_year_cny"]
    ) + np.asarray(params["company.other_fixed_cost_per_year_cny"])
    return np.asarray(per_year, dtype=float) / 12.0


def uncertain_names(scenario: Scenario) -> list[str]:
    """Inputs that carry a distribution, in the simulator's input order."""
    return [n for n in input_names(scenario) if is_uncertain(input_value(scenario, n))]


def rank_to_pearson(rank_correlation: "np.ndarray") -> "np.ndarray":
    """Pearson correlation of a Gaussian copula that gives Spearman rank correlation rho.

    r = 2 sin(pi rho / 6) (Pearson 1907; Kruskal 1958, J. Am. Stat. Assoc. 53:814-861).
    """
    import numpy as np

    return 2.0 * np.sin(np.pi * np.asarray(rank_correlation) / 6.0)


def correlation_factor(scenario: Scenario, names: list[str]) -> tuple["np.ndarray", "np.ndarray"]:
    """The inputs that take part in a correlation (indices into ``names``) and a factor L
    with L L^T = their copula correlation matrix; the other inputs stay independent.

    The scenario's correlations name uncertain inputs (checked when it is loaded). Raises
    ValueError if together they are not a valid (positive semi-definite) correlation matrix.
    """
    import numpy as np

    linked = sorted({names.index(n) for c in scenario.correlations for n in c.between})
    position = {i: k for k, i in enumerate(linked)}
    rank = np.eye(len(linked))
    for c in scenario.correlations:
        i, j = (position[names.index(n)] for n in c.between)
        rank[i, j] = rank[j, i] = c.rank
    values, vectors = np.linalg.eigh(rank_to_pearson(rank))
    if linked and values.min() < -1e-9:
        raise ValueError(
            f"these rank correlations cannot hold together (the matrix is not positive "
            f"semi-definite; smallest eigenvalue {values.min():.3f}); loosen them"
        )
    return np.array(linked, dtype=int), vectors * np.sqrt(np.clip(values, 0.0, None))


def surely_valid_correlations(scenario: Scenario) -> bool:
    """True when ``correlation_factor`` would certainly accept the scenario's correlations,
    told without numpy: every input's copula correlations with the others sum, in absolute
    value, to less than 1, so every eigenvalue of the matrix is above 0 (Gershgorin's
    circles), with room for any rounding. False: ask ``correlation_factor``."""
    total: dict[str, float] = {}
    for c in scenario.correlations:
        pearson = abs(2.0 * math.sin(math.pi * c.rank / 6.0))  # as rank_to_pearson
        for name in c.between:
            total[name] = total.get(name, 0.0) + pearson
    return all(t < 1.0 - 1e-6 for t in total.values())
