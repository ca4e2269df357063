"""The learning curve's power in plain arithmetic, against libm's (numpy's)."""

import numpy as np
from numba import njit

from evlaunch.model.powers import exp, log, power


@njit
def _powers(x, y):
    out = np.empty_like(x)
    for i in range(x.shape[0]):
        out[i] = power(x[i], y[i])
    return out


def test_power_is_within_a_few_ulp_of_libm_over_the_learning_curves_range():
    rng = np.random.default_rng(0)
    x = np.exp(rng.uniform(0.0, np.log(1e6), 200_000))  # cumulative units / reference
    y = rng.uniform(0.2, 1.0, x.size)  # b + 1 for learning rates 0.57 to 1
    relative = np.abs(_powers(x, y) / x**y - 1.0)
    assert relative.max() < 4e-15


def test_power_of_one_and_the_two_halves_exactly():
    assert power(1.0, 0.7) == 1.0  # below the reference volume: no learning at all
    assert log(1.0) == 0.0 and exp(0.0) == 1.0
    np.testing.assert_allclose(
        [log(v) for v in (0.5, 2.0, 1e-300, 1e300)], np.log([0.5, 2.0, 1e-300, 1e300]), 1e-15
    )
    z = np.linspace(-700.0, 700.0, 1001)
    np.testing.assert_allclose([exp(v) for v in z], np.exp(z), rtol=1e-15)
