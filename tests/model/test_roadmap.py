"""A product roadmap: a second model's orders, its cannibalisation, solved by hand."""

import numpy as np
import pytest

from evlaunch.model.demand import model_names, roadmap_orders, take_from_earlier
from evlaunch.model.fulfil import lines, serve_lines
from evlaunch.model.simulate import simulate
from evlaunch.scenario.inputs import central_params
from evlaunch.scenario.load import load_scenario
from evlaunch.scenario.months import add_months
from evlaunch.scenario.schema import Model


def test_buyers_are_taken_from_the_earlier_models_in_proportion_to_what_remains():
    # a block's flat state, two lanes (paths) to a row: three models' markets, then their
    # adopted orders; lane 0 takes 30 buyers for the third model, lane 1 none
    market, adopted = (
        [[100.0, 100.0], [50.0, 50.0], [70.0, 70.0]],
        [[20.0, 20.0], [10.0, 10.0], [0, 0]],
    )
    state = np.concatenate([np.ravel(market), np.ravel(adopted)])
    for lane, taken in enumerate((30.0, 0.0)):  # 80 and 40 remain
        take_from_earlier(state, lane, 0, 6, 2, 2, 3, taken)
    np.testing.assert_allclose(state[:6:2], [80.0, 40.0, 70.0])  # a quarter of each goes
    np.testing.assert_array_equal(state[1:6:2], [100.0, 50.0, 70.0])
    take_from_earlier(state, 0, 0, 6, 2, 2, 3, 1e9)  # never more than remains
    np.testing.assert_allclose(state[:6:2], [20.0, 10.0, 70.0])


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


def test_one_line_serves_its_models_in_proportion_to_their_open_orders():
    # one lane's flat state: open orders of two models, what is served of them, the line's
    # capacity, what the line serves of each
    state = np.array([60.0, 90.0, 0.0, 0.0, 100.0, 0.0, 0.0])
    delivered = serve_lines(state, 0, (0, 2, 4, 5, 1), np.ones((1, 2)), 1, 2, 2)
    np.testing.assert_allclose(state[2:4], [40.0, 60.0])  # 100 of 150 open: two thirds of each
    assert delivered == pytest.approx(100.0)


def test_a_dedicated_line_is_used_before_a_flexible_one():
    # open orders: 120 of the first car, 30 of the second. A line building only the first
    # (50 a month) delivers 50 of it; the flexible line (100) then has 70 + 30 = 100 open
    # and delivers all of it: 150 in all. Served the other way round, the flexible line's
    # 100 would split 80/20 and the dedicated one add 40: 140, and 10 of the second waiting.
    line_of, builds = lines([[True, True], [True, False], [True, True]])
    np.testing.assert_array_equal(line_of, [1, 0, 1])
    np.testing.assert_array_equal(builds, [[1, 0], [1, 1]])
    # one lane: open orders, served, the lines' capacities, served by line (line, model)
    state = np.array([120.0, 30.0, 0.0, 0.0, 50.0, 100.0, 0.0, 0.0, 0.0, 0.0])
    delivered = serve_lines(state, 0, (0, 2, 4, 6, 1), builds, 2, 2, 2)
    np.testing.assert_allclose(state[6:].reshape(2, 2), [[50.0, 0.0], [70.0, 30.0]])
    np.testing.assert_allclose(state[2:4], [120.0, 30.0])
    assert delivered == pytest.approx(150.0)
    # before the second car is on sale (nothing open of it), only the first is looked at:
    # the dedicated line's 50, then 70 of the flexible line's 100; the same numbers in full
    for selling in (1, 2):
        state = np.array([120.0, 0.0, 0.0, 0.0, 50.0, 100.0, -1.0, -1.0, -1.0, -1.0])
        assert serve_lines(state, 0, (0, 2, 4, 6, 1), builds, 2, 2, selling) == 120.0
        np.testing.assert_array_equal(state[6:].reshape(2, 2), [[50.0, 0.0], [70.0, 0.0]])


def test_a_model_no_running_line_builds_waits(two_models):
    s, params, _ = two_models
    # the only plant builds the first car alone: the second model's orders pile up, unserved
    plant = s.options[0].model_copy(update={"builds": ["first model"]})
    paths = simulate(s.model_copy(update={"options": [plant]}), params, ["FAW Group"])
    np.testing.assert_allclose(paths.deliveries_by_model[0, 1], 0.0)
    np.testing.assert_allclose(paths.backlog[0, 4], 3 * 500, rtol=1e-6)  # months 2, 3, 4
    np.testing.assert_allclose(paths.backlog_by_model[0, 1, 4], 3 * 500, rtol=1e-6)
    np.testing.assert_allclose(paths.backlog_by_model.sum(axis=1), paths.backlog)


def test_each_model_costs_its_own_unit_cost_and_earns_its_own_price(two_models):
    s, params, paths = two_models
    # with a learning rate of 1 the unit cost is flat: cost = vehicles x unit cost
    flat = {**params, "finance.learning_rate": np.array([1.0])}
    second = s.models[0].model_copy(update={"unit_cost_cny": 150_000})
    s2 = s.model_copy(update={"models": [second]})
    flat["models.second.unit_cost_cny"] = np.array([150_000.0])
    again = simulate(s2, flat, ["FAW Group"])
    unit_first = float(params["finance.unit_cost_cny"][0])
    fee = float(params["options.FAW Group.fee_per_vehicle_cny"][0])
    d = again.deliveries_by_model[0]
    np.testing.assert_allclose(again.cost_by_model_cny[0, 0], d[0] * (unit_first + fee), rtol=1e-9)
    np.testing.assert_allclose(again.cost_by_model_cny[0, 1], d[1] * (150_000 + fee), rtol=1e-9)
    np.testing.assert_allclose(again.revenue_by_model_cny[0, 1], d[1] * 300_000, rtol=1e-12)
