import numpy as np

from evlaunch.model.fulfil import fulfil


def test_backlog_with_cancellation_by_hand():
    # month 1: 100 open, 50 built; 50 wait, 10% cancel -> 5 lost, 45 wait
    # month 2: 45 + 100 = 145 open, 80 built; 65 unfilled, 6.5 lost, 58.5 wait
    # month 3: 58.5 open, 200 capacity -> all 58.5 delivered
    r = fulfil(np.array([[100.0, 100.0, 0.0]]), np.array([[50.0, 80.0, 200.0]]), 0.1)
    np.testing.assert_allclose(r.deliveries, [[50.0, 80.0, 58.5]], rtol=1e-12)
    np.testing.assert_allclose(r.cancelled, [[5.0, 6.5, 0.0]], rtol=1e-12)
    np.testing.assert_allclose(r.backlog, [[45.0, 58.5, 0.0]], rtol=1e-12)


def test_every_order_is_delivered_cancelled_or_waiting():
    rng = np.random.default_rng(1)
    orders, capacity = rng.uniform(0, 100, (50, 36)), rng.uniform(0, 100, (50, 36))
    r = fulfil(orders, capacity, rng.uniform(0, 0.3, 50))
    balance = r.deliveries.sum(1) + r.cancelled.sum(1) + r.backlog[:, -1]
    np.testing.assert_allclose(balance, orders.sum(1), rtol=1e-12)
    assert (r.deliveries <= capacity + 1e-12).all()
