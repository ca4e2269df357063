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
