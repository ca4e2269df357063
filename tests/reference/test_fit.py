import numpy as np
import pytest

from evlaunch.reference.fit import bass_cumulative, fit_bass


def test_bass_cumulative_by_hand():
    # t = 0: nothing; large t: the whole market; p = q: F(t) = (1 - e^-2pt) / (1 + e^-2pt)
    assert bass_cumulative(0, 0.01, 0.1, 1000) == 0
    assert bass_cumulative(1e4, 0.01, 0.1, 1000) == pytest.approx(1000)
    e = np.exp(-2 * 0.05 * 10)
    assert bass_cumulative(10, 0.05, 0.05, 1.0) == pytest.approx((1 - e) / (1 + e))


def test_fit_recovers_known_parameters():
    rng = np.random.default_rng(4)
    p, q, m = 0.004, 0.09, 400_000
    months = np.arange(1, 61)  # past the inflection, which is what pins m
    monthly = np.diff(bass_cumulative(np.arange(0, 61), p, q, m)) * np.exp(rng.normal(0, 0.02, 60))
    fit = fit_bass(months, monthly, draws=20)
    assert fit.p_per_month == pytest.approx(p, rel=0.10)
    assert fit.q_per_month == pytest.approx(q, rel=0.05)
    assert fit.market_vehicles == pytest.approx(m, rel=0.05)


def test_80_percent_intervals_cover_70_to_90_percent_of_held_out_months():
    rng = np.random.default_rng(1)
    hits = []
    for i in range(30):
        p = np.exp(rng.uniform(np.log(0.002), np.log(0.01)))
        q = np.exp(rng.uniform(np.log(0.03), np.log(0.12)))
        m = np.exp(rng.uniform(np.log(1e5), np.log(1e6)))
        monthly = np.diff(bass_cumulative(np.arange(0, 37), p, q, m)) * np.exp(
            rng.normal(0, 0.1, 36)
        )
        fit = fit_bass(np.arange(1, 13), monthly[:12], draws=100, seed=i)
        truth = np.cumsum(monthly)
        paths = fit.forecast(12, truth[11], np.arange(13, 37), rng)
        low, high = np.quantile(paths, [0.1, 0.9], axis=0)
        hits.append(np.mean((truth[12:] >= low) & (truth[12:] <= high)))
    assert 0.70 <= np.mean(hits) <= 0.90
