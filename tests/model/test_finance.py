import numpy as np
import pytest

from evlaunch.model.finance import (
    cumulative_cost_cny,
    npv_cny,
    peak_cash_need_cny,
    share_of_month_in,
    unit_cost_cny,
)


def test_unit_cost_falls_by_the_learning_rate_at_each_doubling():
    # Wright's law: doubling cumulative output from the reference multiplies cost by 0.9.
    costs = unit_cost_cny(np.array([500.0, 1000, 2000, 4000]), 100.0, 0.9, 1000.0)
    np.testing.assert_allclose(costs, [100.0, 100.0, 90.0, 81.0], rtol=1e-12)


def test_cumulative_cost_of_the_second_batch_by_hand():
    # Units 1000..2000 cost 100 * 1000 * (2^(b+1) - 1) / (b+1), b = log2(0.9);
    # 2^(b+1) = 2 * 0.9 = 1.8, so the batch costs 100 * 1000 * 0.8 / (1 + log2 0.9).
    expected = 100.0 * 1000 * 0.8 / (1 + np.log2(0.9))
    total = cumulative_cost_cny(np.array([1000.0, 2000.0]), 100.0, 0.9, 1000.0)
    assert total[0] == pytest.approx(100_000.0, rel=1e-12)
    assert total[1] - total[0] == pytest.approx(expected, rel=1e-12)
    assert 90 * 1000 < expected < 100 * 1000  # between the end and start unit costs


def test_cumulative_cost_is_the_integral_of_unit_cost():
    n = np.linspace(0, 50_000, 200_001)
    c = unit_cost_cny(n, 200.0, 0.85, 5000.0)
    trapezoid = np.sum((c[1:] + c[:-1]) / 2 * np.diff(n))
    assert cumulative_cost_cny(50_000.0, 200.0, 0.85, 5000.0) == pytest.approx(trapezoid, 1e-9)


def test_npv_discounts_a_year_end_cash_flow_by_one_year():
    cash = np.zeros((1, 12))
    cash[0, 11] = 110.0
    assert npv_cny(cash, np.array([0.1]))[0] == pytest.approx(100.0, rel=1e-12)


def test_peak_cash_need_is_the_deepest_cumulative_deficit():
    assert peak_cash_need_cny(np.array([[-5.0, -3, 4, 10], [1.0, 1, 1, 1]])).tolist() == [8, 0]


def test_share_of_month_in_a_window():
    np.testing.assert_allclose(
        share_of_month_in(np.array([1.5]), np.array([2.0]), 4), [[0, 0.5, 1, 0.5]]
    )
