"""Criteria values of each way of building: three derived from the options, the rest judged."""

import numpy as np

from ..scenario.inputs import Params
from ..scenario.months import months_between
from ..scenario.schema import DERIVED_CRITERIA, Scenario


# name -> (direction, what it is); computed from the options' own fields
def derived_values(scenario: Scenario, params: Params, options: list[str]) -> dict[str, np.ndarray]:
    """(paths,) values of the derived criteria for one way of building with ``options``."""

    def field(name, f):
        return np.asarray(params[f"options.{name}.{f}"], dtype=float)

    capacity = sum(field(n, "capacity_per_year") * field(n, "share_available") for n in options)
    sop = np.min(
        [
            months_between(scenario.start, scenario.option(n).start) + field(n, "lead_time_months")
            for n in options
        ],
        axis=0,
    )
    years = scenario.target.window_months / 12.0
    fees = sum(
        field(n, "fee_per_vehicle_cny")
        * field(n, "capacity_per_year")
        * field(n, "share_available")
        for n in options
    )
    fixed = sum(
        field(n, "capex_cny") + field(n, "fixed_cost_per_year_cny") * years for n in options
    )
    return {
        "capacity_available_per_year": capacity,
        "months_to_sop": sop,
        "cost_per_vehicle_cny": (fees + fixed / years) / capacity,
    }


def criteria_matrix(
    scenario: Scenario, params: Params, alternatives: list[tuple[str, list[str]]]
) -> np.ndarray:
    """(paths, alternatives, criteria) values in the order of ``assessment.criteria``.

    A judged criterion takes the score of the alternative's own option (its first name).
    """
    names = list(scenario.assessment.criteria)
    paths = next(iter(params.values())).shape[0]
    out = np.empty((paths, len(alternatives), len(names)))
    for a, (label, options) in enumerate(alternatives):
        derived = derived_values(scenario, params, options)
        for c, name in enumerate(names):
            out[:, a, c] = (
                derived[name]
                if name in DERIVED_CRITERIA
                else scenario.option(label).scores[name].value
            )
    return out


def benefit_mask(scenario: Scenario) -> np.ndarray:
    return np.array([c.direction == "benefit" for c in scenario.assessment.criteria.values()])
