"""The fused simulator against the stage functions composed by hand, path by path."""

import numpy as np
import pytest

from evlaunch.model.demand import bass_orders, demand_multiplier
from evlaunch.model.finance import (
    cumulative_cost_cny,
    npv_cny,
    peak_cash_need_cny,
    share_of_month_in,
    spread_evenly,
)
from evlaunch.model.fulfil import fulfil
from evlaunch.model.ramp import capacity_per_month
from evlaunch.model.simulate import central_params, simulate
from evlaunch.scenario.load import load_scenario
from evlaunch.scenario.months import months_between


def composed(s, params, options):
    """The model written out stage by stage with the public array functions."""
    months = s.horizon_months
    grid = np.arange(months)
    mk = {k.split(".", 1)[1]: v for k, v in params.items() if k.startswith("market.")}
    x = demand_multiplier(
        mk["price_cny"],
        s.market.reference_price_cny,
        mk["price_elasticity"],
        s.market.seasonality,
        (8 + grid) % 12,  # grid starts in September
        grid >= months_between(s.start, s.market.launch),
    )
    orders = bass_orders(
        mk["bass_p_per_year"] / 12, mk["bass_q_per_year"] / 12, mk["addressable_market_vehicles"], x
    )
    caps, fees, spend = [], 0.0, 0.0
    for name in options:
        o = {k.rsplit(".", 1)[1]: v for k, v in params.items() if k.startswith(f"options.{name}.")}
        start = np.full_like(o["lead_time_months"], months_between(s.start, s.option(name).start))
        sop = start + o["lead_time_months"]
        caps.append(
            capacity_per_month(
                o["capacity_per_year"], o["share_available"], sop, o["ramp_months"], months
            )
        )
        fees = fees + caps[-1] * o["fee_per_vehicle_cny"][:, None]
        lead = np.maximum(o["lead_time_months"], 1.0)
        spend = spend + spread_evenly(o["capex_cny"], start, lead, months)
        spend = spend + o["fixed_cost_per_year_cny"][:, None] / 12 * share_of_month_in(
            sop, np.full_like(sop, np.inf), months
        )
    capacity = sum(caps)
    flow = fulfil(orders, capacity, mk["backlog_cancel_rate_per_month"])
    d = flow.deliveries
    fin = {k.split(".", 1)[1]: v[:, None] for k, v in params.items() if k.startswith("finance.")}
    variable = np.diff(
        cumulative_cost_cny(
            np.cumsum(d, axis=1),
            fin["unit_cost_cny"],
            fin["learning_rate"],
            s.finance.learning_reference_units,
        ),
        axis=1,
        prepend=0.0,
    )
    fee_cost = d * np.divide(fees, capacity, out=np.zeros_like(fees), where=capacity > 0)
    company = (
        s.company.headcount * params["company.cost_per_head_per_year_cny"]
        + params["company.other_fixed_cost_per_year_cny"]
    )[:, None] / 12
    cash = d * mk["price_cny"][:, None] - variable - fee_cost - spend - company
    return orders, capacity, flow, cash


@pytest.fixture(scope="module")
def xiaomi():
    return load_scenario()[0]


def test_fused_simulator_equals_the_composed_stages(xiaomi):
    rng = np.random.default_rng(7)
    base = central_params(xiaomi)
    params = {k: v * rng.uniform(0.8, 1.2, 64) for k, v in base.items()}
    params["finance.learning_rate"] = np.clip(params["finance.learning_rate"], 0.6, 1.0)
    params["market.backlog_cancel_rate_per_month"] = np.clip(
        params["market.backlog_cancel_rate_per_month"], 0, 1
    )
    for k in params:
        if k.endswith("share_available"):
            params[k] = np.clip(params[k], 0, 1)
    names = [o.name for o in xiaomi.options]
    paths = simulate(xiaomi, params, names)
    orders, capacity, flow, cash = composed(xiaomi, params, names)
    np.testing.assert_allclose(paths.orders, orders, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(paths.capacity, capacity, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(paths.deliveries, flow.deliveries, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(paths.backlog, flow.backlog, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(paths.cash_flow_cny, cash, rtol=1e-9, atol=1e-3)
    np.testing.assert_allclose(
        paths.npv_cny, npv_cny(cash, params["finance.discount_rate_per_year"]), rtol=1e-9
    )
    np.testing.assert_allclose(paths.peak_cash_need_cny, peak_cash_need_cny(cash), rtol=1e-9)


def test_keeping_fewer_trajectories_changes_nothing_measured(xiaomi):
    params = {k: np.repeat(v, 10) for k, v in central_params(xiaomi).items()}
    full = simulate(xiaomi, params, ["FAW Group"])
    lean = simulate(xiaomi, params, ["FAW Group"], keep=0)
    assert lean.orders.shape == (0, xiaomi.horizon_months)
    np.testing.assert_array_equal(full.deliveries, lean.deliveries)
    np.testing.assert_array_equal(full.npv_cny, lean.npv_cny)
