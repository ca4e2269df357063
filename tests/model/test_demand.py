import numpy as np
import pytest

from evlaunch.model.demand import bass_orders, demand_multiplier


def test_three_bass_months_by_hand():
    # m = 1000, p = 0.1, q = 0.5 per month, x(t) = 1:
    # month 1: 0.1 * 1000 = 100;  N = 100
    # month 2: (0.1 + 0.5 * 100/1000) * 900 = 0.15 * 900 = 135;  N = 235
    # month 3: (0.1 + 0.5 * 235/1000) * 765 = 0.2175 * 765 = 166.3875
    orders = bass_orders(np.array([0.1]), np.array([0.5]), np.array([1000.0]), np.ones((1, 3)))
    np.testing.assert_allclose(orders, [[100.0, 135.0, 166.3875]], rtol=1e-12)


def test_bass_never_sells_more_than_the_market():
    orders = bass_orders(np.array([0.5]), np.array([2.0]), np.array([1000.0]), np.full((1, 24), 3))
    assert orders.sum() == pytest.approx(1000.0, rel=1e-12)
    assert (orders >= 0).all()


def test_bass_paths_are_independent():
    p, q, m = np.array([0.01, 0.05]), np.array([0.3, 0.1]), np.array([1e5, 2e5])
    both = bass_orders(p, q, m, np.ones((2, 12)))
    second = bass_orders(p[1:], q[1:], m[1:], np.ones((1, 12)))
    np.testing.assert_array_equal(both[1:], second)


def test_multiplier_by_hand():
    # price 200 against reference 100 with elasticity -1 halves demand; January season 0.8,
    # February 1.2; orders open from the second grid month.
    x = demand_multiplier(
        np.array([200.0]),
        100.0,
        np.array([-1.0]),
        np.array([0.8, 1.2] + [1.0] * 10),
        np.array([0, 1, 0]),
        np.array([False, True, True]),
    )
    np.testing.assert_allclose(x, [[0.0, 0.6, 0.4]], rtol=1e-12)


def test_an_exhausted_market_orders_nothing_even_at_an_infinite_multiplier():
    # found by schemathesis: inf x 0 once made nan orders
    orders = bass_orders(
        np.array([0.5]), np.array([0.5]), np.array([100.0]), np.full((1, 4), np.inf)
    )
    assert np.isfinite(orders).all() and orders.sum() == pytest.approx(100.0)
