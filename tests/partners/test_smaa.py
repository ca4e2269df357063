import numpy as np
import pytest

from evlaunch.errors import UserError
from evlaunch.partners.smaa import interval_weights, simplex_weights, smaa2


def test_a_dominating_option_is_always_first():
    rng = np.random.default_rng(0)
    x = np.array([[9, 9, 1], [5, 8, 2], [7, 2, 3.0]])  # the third criterion is a cost
    result = smaa2(x, simplex_weights(20_000, 3, rng), [True, True, False], rng)
    assert result.rank_acceptability[0, 0] == 1.0
    np.testing.assert_allclose(result.rank_acceptability.sum(axis=0), 1.0)
    np.testing.assert_allclose(result.central_weights[0], [1 / 3] * 3, atol=0.01)
    assert result.confidence[0] == 1.0


def test_identical_options_share_acceptability_within_sampling_error():
    rng = np.random.default_rng(1)
    draws = 20_000
    x = np.array([[3, 5, 2], [3, 5, 2], [6, 1, 4.0]])
    result = smaa2(x, simplex_weights(draws, 3, rng), [True, True, True], rng)
    a, b = result.rank_acceptability[:2]
    se = np.sqrt(2 * a * (1 - a) / draws + 1e-12)
    assert np.all(np.abs(a - b) <= 3 * se + 1e-12)
    assert a[0] > 0.1  # and they do win: the test is not trivially 0 = 0


def test_uncertain_criteria_values_per_draw():
    rng = np.random.default_rng(2)
    # one criterion; alternative 0 is better in 70% of value draws
    values = np.where(rng.random((10_000, 1, 1)) < 0.7, [[[2.0], [1.0]]], [[[1.0], [2.0]]])
    result = smaa2(values, np.ones((10_000, 1)), [True], rng)
    assert result.rank_acceptability[0, 0] == pytest.approx(0.7, abs=0.015)


def test_interval_weights_stay_inside_their_intervals_and_sum_to_one():
    rng = np.random.default_rng(3)
    w = interval_weights(5000, [0.1, 0.2, 0.0], [0.5, 0.6, 0.3], rng)
    assert w.shape == (5000, 3)
    np.testing.assert_allclose(w.sum(axis=1), 1.0)
    assert (w >= [0.1, 0.2, 0.0]).all() and (w <= [0.5, 0.6, 0.3]).all()


def test_intervals_that_leave_no_room_are_refused():
    with pytest.raises(UserError, match="widen them"):
        interval_weights(1000, [0.33, 0.33, 0.33], [0.335, 0.335, 0.335], np.random.default_rng(0))


def test_simplex_weights_are_uniform():
    w = simplex_weights(100_000, 3, np.random.default_rng(4))
    # Dirichlet(1, 1, 1): each weight has mean 1/3 and variance 1/18
    np.testing.assert_allclose(w.mean(axis=0), 1 / 3, atol=0.005)
    np.testing.assert_allclose(w.var(axis=0), 1 / 18, atol=0.002)
