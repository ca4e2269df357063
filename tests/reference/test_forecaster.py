"""The hierarchical forecaster recovers what it was simulated from, and forecasts honestly."""

import numpy as np
import pytest

from evlaunch.reference.fit import bass_cumulative
from evlaunch.reference.forecaster import Posterior, Series, sample

TRUE_MU = np.array([np.log(800.0), np.log(0.08), np.log(300_000.0)])
TRUE_TAU = np.array([0.8, 0.4, 0.6])
SIGMA_MONTH = 0.2
ENTRANTS, MONTHS = 16, 24


@pytest.fixture(scope="module")
def simulated():
    """Monthly deliveries of 16 entrants drawn from the model itself (no correlation, no
    floor), then the posterior of a fit to them."""
    rng = np.random.default_rng(7)
    theta = TRUE_MU + TRUE_TAU * rng.standard_normal((ENTRANTS, 3))
    series = []
    for i, (log_rate0, log_q, log_m) in enumerate(theta):
        m = np.exp(log_m)
        curve = bass_cumulative(np.arange(MONTHS + 1), np.exp(log_rate0) / m, np.exp(log_q), m)
        noisy = np.expm1(np.log1p(np.diff(curve)) + SIGMA_MONTH * rng.standard_normal(MONTHS))
        monthly = np.round(np.maximum(noisy, 0))
        series.append(
            Series(f"e{i}", tuple((t, t + 1.0, float(v), False) for t, v in enumerate(monthly)))
        )
    (draws,) = sample([series], seed=3)
    return theta, draws


def test_parameters_are_recovered_with_calibrated_intervals(simulated):
    theta, draws = simulated
    assert draws.divergences <= 0.01 * draws.theta.shape[0]
    low, high = np.quantile(draws.theta, [0.05, 0.95], axis=0)
    inside = (low <= theta) & (theta <= high)
    # 90% intervals of the first-month rate and growth, which the data identify: about 90% of
    # 32 cover the truth (binomial sd 5%; a broken sampler or likelihood gives far fewer)
    assert inside[:, :2].mean() >= 0.75
    assert inside.mean() >= 0.75  # all three, m mostly from the population
    mu_low, mu_high = np.quantile(draws.mu, [0.025, 0.975], axis=0)
    assert np.all((mu_low <= TRUE_MU) & (TRUE_MU <= mu_high))
    # monthly figures identify the noise of a month, floor and monthly part together
    month_sd = np.hypot(draws.sigma_month, draws.sigma_floor)
    assert np.quantile(month_sd, 0.025) <= SIGMA_MONTH <= np.quantile(month_sd, 0.975)


def test_sampling_is_a_function_of_the_seed(simulated):
    theta, draws = simulated
    series = [Series("a", ((0.0, 1.0, 100.0, False), (1.0, 2.0, 150.0, False)))] * 3
    a, b = sample([series], seed=11)[0], sample([series], seed=11)[0]
    np.testing.assert_array_equal(a.theta, b.theta)


def test_predict_adds_to_what_is_known():
    # one draw with no noise: the forecast is the known point plus the Bass increment after it
    post = Posterior(
        log_rate0=np.array([np.log(1000.0)]),
        log_q=np.array([np.log(0.1)]),
        log_m=np.array([np.log(1e6)]),
        sigma_month=np.array([0.0]),
        sigma_floor=np.array([0.0]),
        entrants=1,
        divergences=0,
    )
    rng = np.random.default_rng(0)
    curve = bass_cumulative(np.array([6.0, 12.0]), 1000.0 / 1e6, 0.1, 1e6)
    got = post.predict([6, 12], rng, known=(6.0, 5000.0))
    np.testing.assert_allclose(got[0], [5000.0, 5000.0 + curve[1] - curve[0]])
    np.testing.assert_allclose(post.predict([12], rng)[0], curve[1:])
