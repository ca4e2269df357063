import numpy as np

from evlaunch.model.ramp import capacity_per_month, ramp_fraction


def test_ramp_is_half_at_its_midpoint():
    assert ramp_fraction(6.0, 12.0) == 0.5


def test_ramp_by_hand_at_a_quarter_and_the_ends():
    # smoothstep 3x^2 - 2x^3 at x = 1/4: 3/16 - 2/64 = 0.15625
    np.testing.assert_allclose(
        ramp_fraction(np.array([-1.0, 0, 3, 12, 20]), 12.0), [0, 0, 0.15625, 1, 1], rtol=1e-12
    )


def test_capacity_by_hand():
    # 120,000 a year, half ours: 5,000 a month at full rate. SOP at grid month 2, 4-month ramp.
    # Month 4 is valued at 4.5: 2.5 months after SOP, x = 0.625,
    # 3 x^2 - 2 x^3 = 1.171875 - 0.48828125 = 0.68359375 -> 3,417.96875 vehicles.
    cap = capacity_per_month(
        np.array([120000.0]), np.array([0.5]), np.array([2.0]), np.array([4.0]), 8
    )
    assert cap[0, 1] == 0.0
    np.testing.assert_allclose(cap[0, 4], 3417.96875, rtol=1e-12)
    np.testing.assert_allclose(cap[0, 6:], 5000.0, rtol=1e-12)


def test_the_full_rate_shortcut_is_the_formulas_value_to_the_bit():
    rng = np.random.default_rng(0)
    ramp = rng.uniform(1e-3, 40, 20_000)
    near = ramp[:10_000] * rng.uniform(0.999, 1.001, 10_000)  # about the end of the ramp
    elapsed = np.concatenate([near, rng.uniform(-5, 60, 10_000)])
    x = np.minimum(np.maximum(elapsed / ramp, 0.0), 1.0)
    np.testing.assert_array_equal(ramp_fraction(elapsed, ramp), x * x * (3.0 - 2.0 * x))
