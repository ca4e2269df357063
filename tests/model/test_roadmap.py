"""A product roadmap: a second model's orders, its cannibalisation, solved by hand."""

import numpy as np
import pytest

from evlaunch.model.demand import model_names, roadmap_orders, take_from_earlier
from evlaunch.model.simulate import central_params, simulate
from evlaunch.scenario.load import load_scenario
from evlaunch.scenario.months import add_months
from evlaunch.scenario.schema import Model


def test_buyers_are_taken_from_the_earlier_models_in_proportion_to_what_remains():
    market, adopted = np.array([100.0, 50.0, 70.0]), np.array([20.0, 10.0, 0.0])
    take_from_earlier(market, adopted, 2, 30.0)  # 80 and 40 remain: a quarter of each goes
    np.testing.assert_allclose(market, [80.0, 40.0, 70.0])
    take_from_earlier(market, adopted, 2, 1e9)  # never more than remains
    np.testing.assert_allclose(market, [20.0, 10.0, 70.0])


# The first model: 10% of its 10,000 remaining buyers order each month (p = 0.1, q = 0):
# 1,000, 900, then 810. The second, from month 2: a flat 500 a month (a market of 1e12 at
# p = 5e-10), half of them taken from the first model's remaining buyers: after month 2 the
# first model has 10,000 - 2,710 = 7,290 left, less 250: 7,040, so month 3 brings 704 (729
# without the second model).
P = np.array([[0.1, 5e-10]])
Q = np.zeros((1, 2))
M = np.array([[10_000.0, 1e12]])
OPEN = np.array([[[1.0] * 5, [0, 0, 1.0, 1.0, 1.0]]])


def test_a_second_model_cannibalises_the_first_by_hand():
    orders = roadmap_orders(P, Q, M, OPEN, np.array([[0.0, 0.5]]))[0]
    np.testing.assert_allclose(orders[0, :4], [1000, 900, 810, 704], rtol=1e-6)
    np.testing.assert_allclose(orders[1], [0, 0, 500, 500, 500], rtol=1e-6)
    alone = roadmap_orders(P, Q, M, OPEN, np.zeros((1, 2)))[0]
    np.testing.assert_allclose(alone[0, :4], [1000, 900, 810, 729], rtol=1e-6)


@pytest.fixture(scope="module")
def two_models():
    """The same two models in the simulator, with a plant far larger than the orders."""
    x = load_scenario()[0]
    plant = x.option("FAW Group").model_copy(update={"start": x.start})
    market = x.market.model_copy(update={"launch": x.start, "seasonality": [1.0] * 12})
    second = Model(
        name="second",
        launch=add_months(x.start, 2),
        addressable_market_vehicles=1e12,
        bass_p_per_year=12 * 5e-10,
        bass_q_per_year=0,
        price_cny=300_000,
        reference_price_cny=300_000,
        cannibalisation=0.5,
    )
    s = x.model_copy(update={"options": [plant], "market": market, "models": [second]})
    params = central_params(s)
    params.update(
        {
            k: np.array([v])
            for k, v in {
                "market.bass_p_per_year": 1.2,
                "market.bass_q_per_year": 0.0,
                "market.addressable_market_vehicles": 10_000.0,
                "market.price_cny": s.market.reference_price_cny,
                "market.backlog_cancel_rate_per_month": 0.0,
                "market.price_elasticity": 0.0,  # a dearer model sells as many
                "options.FAW Group.capacity_per_year": 1e6,
                "options.FAW Group.share_available": 1.0,
                "options.FAW Group.lead_time_months": 0.0,
                "options.FAW Group.ramp_months": 1e-3,
            }.items()
        }
    )
    return s, params, simulate(s, params, ["FAW Group"])


def test_the_simulator_serves_every_model(two_models):
    s, params, paths = two_models
    assert model_names(s) == ["first model", "second"]
    np.testing.assert_allclose(paths.orders_by_model[0, 0, :4], [1000, 900, 810, 704], rtol=1e-6)
    np.testing.assert_allclose(paths.orders_by_model[0, 1, :5], [0, 0, 500, 500, 500], rtol=1e-6)
    # capacity to spare: each model's orders are delivered the month they come in
    np.testing.assert_allclose(paths.deliveries_by_model, paths.orders_by_model, rtol=1e-9)
    np.testing.assert_allclose(paths.deliveries[0], paths.orders_by_model[0].sum(axis=0))


def test_each_model_is_sold_at_its_own_price(two_models):
    s, params, paths = two_models
    # the second model at 100,000 more: month 2 brings 500 x 100,000 more revenue
    dearer = {**params, "models.second.price_cny": np.array([400_000.0])}
    again = simulate(s, dearer, ["FAW Group"])
    gained = again.cash_flow_cny[0] - paths.cash_flow_cny[0]
    np.testing.assert_allclose(gained[:2], 0.0, atol=1e-6)
    np.testing.assert_allclose(gained[2:5], 500 * 100_000.0, rtol=1e-6)


def test_a_slipped_launch_opens_later(two_models):
    s, params, _ = two_models
    slipped = simulate(
        s, {**params, "models.second.launch_slip_months": np.array([2.5])}, ["FAW Group"]
    )
    # planned for month 2, 2.5 months late: orders open in month 5 (the first whole month)
    np.testing.assert_allclose(slipped.orders_by_model[0, 1, :6], [0] * 5 + [500], rtol=1e-6)
