import numpy as np

from evlaunch.model.outcomes import sales_outcomes


def test_outcomes_count_from_each_paths_first_delivery():
    deliveries = np.array(
        [
            [0.0, 0, 10, 20, 30, 40],  # sales from month 2: 10, 30, 60 -> target 50 in 3 months
            [5.0, 5, 5, 5, 5, 5],  # sales from month 0: 15 in 3 months, never 50
            [0.0] * 6,  # never sells
        ]
    )
    out = sales_outcomes(deliveries, 50.0, 3, checkpoints=(1, 2, 3))
    assert out.first_delivery_month.tolist() == [2, 0, -1]
    assert out.cumulative_at[1].tolist() == [10, 5, 0]
    assert out.cumulative_at[3].tolist() == [60, 15, 0]
    assert out.months_to_target[0] == 3 and np.isnan(out.months_to_target[1:]).all()
    assert out.hit.tolist() == [True, False, False]
    assert out.window_truncated.tolist() == [False, False, True]


def test_target_reached_after_the_window_is_not_a_hit():
    out = sales_outcomes(np.array([[10.0] * 10]), 50.0, 3)
    assert out.months_to_target[0] == 5 and not out.hit[0]


def test_outcomes_equal_their_definition_on_random_paths():
    # the definition with numpy's running sum (which adds in order, as the kernel does):
    # sales start at the first month with a delivered vehicle; a checkpoint past the grid's
    # end gets everything up to it; a checkpoint of 0 months of sales gets nothing
    rng = np.random.default_rng(7)
    for _ in range(50):
        paths, months = rng.integers(1, 40), rng.integers(1, 50)
        deliveries = rng.lognormal(3, 2, (paths, months)) * (rng.random((paths, months)) < 0.7)
        checkpoints = tuple(int(c) for c in rng.integers(0, 60, 3))
        target = float(rng.lognormal(5, 2))
        out = sales_outcomes(deliveries, target, 12, checkpoints)
        for i, row in enumerate(deliveries):
            sells = np.flatnonzero(row >= 1.0)
            first = sells[0] if sells.size else -1
            assert out.first_delivery_month[i] == first
            so_far = np.cumsum(row[first:]) if sells.size else np.zeros(1)
            for c in {*checkpoints, 12}:
                expected = so_far[min(c, so_far.size) - 1] if c >= 1 and sells.size else 0.0
                assert out.cumulative_at[c][i] == expected
            reached = np.flatnonzero(so_far >= target) + 1 if sells.size else []
            if len(reached):
                assert out.months_to_target[i] == reached[0]
            else:
                assert np.isnan(out.months_to_target[i])
