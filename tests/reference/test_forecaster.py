"""The hierarchical forecaster recovers what it was simulated from, and forecasts honestly."""

import numpy as np
import pytest

from evlaunch.reference.fit import bass_cumulative
from evlaunch.reference.forecaster import Posterior, Series, cumulative_grid, sample

# first-month demand, q per month, market, capacity ramp: half the entrants' launches are
# held back by the ramp for a few months, as in the data
TRUE_MU = np.array([np.log(800.0), np.log(0.08), np.log(300_000.0), np.log(1500.0)])
TRUE_TAU = np.array([0.8, 0.4, 0.6, 0.6])
SIGMA_MONTH = 0.2
ENTRANTS, MONTHS = 16, 24


@pytest.fixture(scope="module")
def simulated():
    """Monthly deliveries of 16 entrants drawn from the model itself (no correlation, no
    floor), then the posterior of a fit to them."""
    rng = np.random.default_rng(7)
    theta = TRUE_MU + TRUE_TAU * rng.standard_normal((ENTRANTS, 4))
    series = []
    for i, curve in enumerate(cumulative_grid(np, theta, MONTHS)):
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
    # 90% intervals: about 90% of the 64 cover the truth (binomial sd 4%; a broken sampler or
    # likelihood gives far fewer); m and a ramp that never binds come mostly from the population
    assert inside.mean() >= 0.75
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


def _posterior(theta) -> Posterior:
    """Draws ``theta`` (draws, 4) with no noise."""
    theta = np.atleast_2d(np.asarray(theta, dtype=float))
    zero = np.zeros(len(theta))
    return Posterior(*theta.T, sigma_month=zero, sigma_floor=zero, entrants=1, divergences=0)


def test_curve_is_bass_when_capacity_is_ample_and_the_ramp_when_demand_is():
    months = np.array([1.0, 6.0, 12.0, 36.0])
    # capacity far above demand: Bass (1969) eq. (6) in closed form, to the midpoint rule and
    # the soft minimum's 1% (p = 800 / 300,000 a month, q = 0.08 a month)
    bass = bass_cumulative(months, 800.0 / 300_000, 0.08, 300_000.0)
    ample = _posterior([np.log(800.0), np.log(0.08), np.log(300_000.0), np.log(1e9)])
    np.testing.assert_allclose(ample.cumulative(months)[0], bass, rtol=0.012)
    # demand far above capacity: a plant adding 100 vehicles a month every month has built
    # 100 t^2 / 2 by month t: 50, 1,800, 7,200 and 64,800
    ramp = _posterior([np.log(1e7), -20.0, np.log(1e15), np.log(100.0)])
    np.testing.assert_allclose(ramp.cumulative(months)[0], [50, 1800, 7200, 64800], rtol=0.012)
    # where demand and capacity are equal, 10% below either: a flat demand of 600 a month
    # (no word of mouth, a market that never saturates) meets the ramp mid-month 6
    flat = [np.log(600.0), -20.0, np.log(1e12), np.log(600.0 / 5.5)]
    grid = cumulative_grid(np, np.array([flat]), 7)
    assert np.diff(grid[0])[5] == pytest.approx(0.9 * 600.0, rel=1e-3)
    # between whole months the curve is linear
    np.testing.assert_allclose(
        ramp.cumulative([6.5])[0], 0.5 * (ramp.cumulative([6.0]) + ramp.cumulative([7.0]))[0]
    )


def test_predict_adds_to_what_is_known():
    # one draw with no noise: the forecast is the known point plus the curve's increment after
    post = _posterior([np.log(1000.0), np.log(0.1), np.log(1e6), np.log(1e9)])
    rng = np.random.default_rng(0)
    curve = post.cumulative([6.0, 12.0])[0]
    got = post.predict([6, 12], rng, known=(6.0, 5000.0))
    np.testing.assert_allclose(got[0], [5000.0, 5000.0 + curve[1] - curve[0]])
    np.testing.assert_allclose(post.predict([12], rng)[0], curve[1:])


def test_predicted_paths_have_each_months_distribution_and_never_fall():
    # one parameter draw repeated, noise sd 0.3 a month: each month's quantiles are the known
    # point plus expm1(log1p(step) + z_q sd), z_q the normal quantile (Phi^-1(0.1) = -1.2816)
    theta = np.tile([np.log(1000.0), np.log(0.1), np.log(1e6), np.log(1e9)], (20_000, 1))
    post = Posterior(
        *theta.T,
        sigma_month=np.full(20_000, 0.3),
        sigma_floor=np.zeros(20_000),
        entrants=1,
        divergences=0,
    )
    months = np.array([8.0, 12.0, 24.0])
    rng = np.random.default_rng(4)
    drawn = post.predict(months, rng, known=(6.0, 5000.0), paths=True)
    step = post.cumulative(months)[0] - post.cumulative([6.0])[0, 0]
    sd = 0.3 / np.sqrt(months - 6.0)
    for q, z in ((0.1, -1.2816), (0.5, 0.0), (0.9, 1.2816)):
        expected = 5000.0 + np.expm1(np.log1p(step) + z * sd)
        np.testing.assert_allclose(np.quantile(drawn, q, axis=0), expected, rtol=0.01)
    assert np.all(np.diff(drawn, axis=1) >= 0)  # each row is one path
