"""The fused kernel's arguments, by name, from a scenario and its sampled inputs: demand
(every model's diffusion, launch and price), supply (each option's capacity, costs, decisions
and the models it builds) and finance."""

import numpy as np

from ..scenario.inputs import FINANCE_INPUTS, OPTION_INPUTS, Params, company_cost_per_month
from ..scenario.months import months_between
from ..scenario.schema import Scenario
from .demand import model_names, roadmap, season_by_month
from .finance import learning_exponent, monthly_discount
from .fulfil import lines


def demand_inputs(scenario: Scenario, params: Params) -> dict[str, np.ndarray]:
    """The kernel's demand arguments: every model's Bass diffusion, launch and price."""
    demand = roadmap(scenario, params)
    return {
        "p_per_month": demand["p_per_month"],
        "q_per_month": demand["q_per_month"],
        "market_vehicles": demand["market_vehicles"],
        "price_factor": demand["price_factor"],
        "launch_month": demand["launch_month"],
        "cannibalisation": demand["cannibalisation"],
        "season": season_by_month(scenario),
        "price_cny": demand["price_cny"],
        "cost_ratio": demand["unit_cost_cny"] / demand["unit_cost_cny"][0],
        "cancel_rate": np.asarray(params["market.backlog_cancel_rate_per_month"], dtype=float),
    }


def supply_inputs(scenario: Scenario, params: Params, options: list[str]) -> dict:
    """The kernel's supply arguments: each option's capacity, ramp, costs and decisions, and
    the lines that say which models it builds."""
    option = {
        f: np.stack([params[f"options.{n}.{f}"] for n in options]).astype(float, copy=False)
        for f in OPTION_INPUTS
    }
    names = model_names(scenario)
    line_of, builds = lines(
        [[n in (scenario.option(o).builds or names) for n in names] for o in options]
    )
    rules = [scenario.expansion(n) for n in options]
    # an option under an expansion rule has no start until its rule fires
    start = np.array(
        [
            np.inf if rule else months_between(scenario.start, scenario.option(n).start)
            for n, rule in zip(options, rules, strict=True)
        ],
        dtype=float,
    )[:, None]
    # Capex is spent evenly from the option's start to its SOP (over one month at least).
    capex_months = np.maximum(option["lead_time_months"], 1.0)
    decisions = np.array(
        [
            [scenario.option(n).shift_backlog_months for n in options],
            [r.backlog_months_above if r else np.inf for r in rules],
            [r.for_months if r else 0 for r in rules],
            [
                months_between(scenario.start, r.not_before) if r and r.not_before else 0
                for r in rules
            ],
        ],
        dtype=float,
    )
    return {
        "full_rate": option["capacity_per_year"] * option["share_available"] / 12.0,
        "lead_months": option["lead_time_months"],
        "ramp_months": option["ramp_months"],
        "fee_cny": option["fee_per_vehicle_cny"],
        "capex_per_month": option["capex_cny"] / capex_months,
        "capex_start": np.broadcast_to(start, capex_months.shape).copy(),
        "capex_months": capex_months,
        "fixed_per_month": option["fixed_cost_per_year_cny"] / 12.0,
        "utilisation": np.stack(
            [
                option["max_utilisation"],
                option["shift_months"],
                option["above_nameplate_cost_per_vehicle_cny"],
            ]
        ),
        "decisions": decisions,
        "line_of": line_of,
        "builds": builds,
    }


def finance_inputs(scenario: Scenario, params: Params) -> dict:
    """The kernel's finance arguments: unit cost and learning, discounting, fixed cost."""
    finance = {f: np.asarray(params[f"finance.{f}"], dtype=float) for f in FINANCE_INPUTS}
    return {
        "unit_cost_cny": finance["unit_cost_cny"],
        "learning_b": learning_exponent(finance["learning_rate"]),
        "reference_units": float(scenario.finance.learning_reference_units),
        "discount_per_month": monthly_discount(finance["discount_rate_per_year"]),
        "company_per_month": company_cost_per_month(scenario, params),
    }


def kernel_inputs(scenario: Scenario, params: Params, options: list[str], earlier_months=None):
    """Every input argument of the kernel from sampled ``params``: demand, supply and finance;
    ``earlier_months`` (options,) starts each option that many months before its date."""
    supply = supply_inputs(scenario, params, options)
    if earlier_months is not None:
        supply["capex_start"] = supply["capex_start"] - np.asarray(earlier_months)[:, None]
    return {**demand_inputs(scenario, params), **supply, **finance_inputs(scenario, params)}
