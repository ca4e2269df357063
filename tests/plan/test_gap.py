"""The stochastic plan's optimality gap from independent batches (Mak, Morton & Wood 1999),
on the two-option problem of test_plan whose plans are worked out by hand."""

import numpy as np
import pytest

from evlaunch.plan.gap import batch_gap, t_interval
from evlaunch.plan.milp import Settings
from evlaunch.plan.solve import Deadline

from .test_plan import two_options


def test_the_t_interval_by_hand():
    # mean 3, sd sqrt(2.5); t(0.975, 4 df) = 2.776445: half width 2.776445 sqrt(2.5 / 5)
    mean, lo, hi = t_interval(np.array([1.0, 2, 3, 4, 5]))
    half = 2.776445 * np.sqrt(2.5 / 5)
    assert (mean, lo, hi) == pytest.approx((3, 3 - half, 3 + half), rel=1e-6)


def batch(orders) -> object:
    """Scenarios of 100 or 200 orders a month (``orders``), as in test_plan's two-stage test:
    A (capex 100, fee 1) and B (capex 400, fee 3), margin 10 - 4 - fee."""
    k = len(orders)
    return two_options(
        orders=np.array([[[o] * 3] for o in orders], float),
        cancel_rate=np.zeros(k),
        price_cny=np.full((k, 1), 10.0),
        capacity=np.repeat(two_options().capacity, k, axis=0),
        above=np.zeros((k, 2, 3)),
        above_cost_cny=np.zeros((k, 2)),
        committed=np.zeros((k, 2, 3)),
        spend_cny=np.repeat(np.array([[[100.0, 0, 0], [400.0, 0, 0]]]), k, axis=0),
        fee_cny=np.repeat(np.array([[1.0, 3.0]]), k, axis=0),
        company_cny=np.zeros(k),
        discount=np.ones((k, 3)),
        unit_cost_cny=np.full((k, 1), 4.0),
        learning_rate=np.ones(k),
    )


def test_the_gap_of_a_first_stage_by_hand():
    # Per scenario, A alone earns 180 x 5 - 100 = 800; with B too: low (100 a month) 800 +
    # 120 x 3 - 400 = 760, high (200 a month) 800 + 300 x 3 - 400 = 1,300. The candidate
    # starts A alone (800 on any batch). Batch {low, high}: its best plan starts both, mean
    # (760 + 1,300) / 2 = 1,030, a gap of 230; {low, low}: A alone is best, gap 0; {high,
    # high}: both, 1,300, gap 500.
    batches = [batch([100, 200]), batch([100, 100]), batch([200, 200])]
    gap = batch_gap(lambda b: batches[b], Settings(), np.array([1.0, 0.0]), 3, Deadline.after(60))
    np.testing.assert_allclose(gap.differences_cny, [230, 0, 500], atol=1e-6)
    sd = np.std([230, 0, 500], ddof=1)
    half = 4.302653 * sd / np.sqrt(3)  # t(0.975, 2 df)
    assert gap.mean_cny == pytest.approx(730 / 3)
    assert gap.ci95_cny == pytest.approx((730 / 3 - half, 730 / 3 + half), rel=1e-6)
    assert (gap.batches, gap.scenarios, gap.infeasible) == (3, 2, 0)
    # the batches' own best first stage has no gap on any of them
    best = [batch([200, 200])] * 2
    gap = batch_gap(lambda b: best[b], Settings(), np.array([1.0, 1.0]), 2, Deadline.after(60))
    np.testing.assert_allclose(gap.differences_cny, [0, 0], atol=1e-6)
