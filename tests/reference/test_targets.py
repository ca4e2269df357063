"""Stated targets as a signal: the random walk fitted to them, and Bayes' rule with it."""

import datetime as dt

import numpy as np
import pytest
from scipy.stats import norm

from evlaunch.reference.targets import (
    TargetReliability,
    combine,
    fit_random_walk,
    reliability,
    stated_targets,
)


def test_horizon_is_counted_from_the_statement_to_the_end_of_the_window():
    # Li Auto, stated 2021-05-26 for 2021-04 to 2021-06: 35 days to 2021-06-30
    (li,) = [t for t in stated_targets() if (t.company, t.target) == ("Li Auto", 14500.0)]
    assert li.horizon_months == pytest.approx(35 / (365.25 / 12))


def test_reliability_sees_only_outcomes_published_by_its_date():
    # by 2021-09-30 the outcomes of Tesla's eight targets (2015-2020) and Li Auto's Q2 2021
    # guidance (published 2021-07-02) were out; Li Auto's Q3 one came on 2021-10-01
    assert reliability(dt.date(2021, 9, 30)).targets == 9
    assert reliability(dt.date(2021, 10, 1)).targets == 10
    assert reliability(dt.date(2016, 12, 31)) is None  # one outcome: too few to trust


def test_random_walk_parameters_are_recovered():
    rng = np.random.default_rng(5)
    h = rng.uniform(1, 36, 4000)
    r = -0.05 + 0.01 * h + 0.1 * np.sqrt(h) * rng.standard_t(3, h.size)
    shade, drift, scale = fit_random_walk(r, h)
    # standard errors at n = 4000: about 0.01 for the shade, 0.0006 for the drift and 2% for
    # the scale
    assert shade == pytest.approx(-0.05, abs=0.03)
    assert drift == pytest.approx(0.01, abs=0.002)
    assert scale == pytest.approx(0.1, rel=0.06)


def _trust(drift=0.0, scale=0.1):
    return TargetReliability(dt.date(2024, 1, 1), 10, 0.0, drift, scale, 0.5, 36.0)


def test_combining_is_the_normal_conjugate_update_when_tails_are_thin():
    # outside view log-normal (mean 10, sd 0.5); signal log(1 + T) = 10.6 with sd 0.1 sqrt(4)
    # = 0.2: the posterior is normal with precision 1/0.25 + 1/0.04 = 29 and mean
    # (10/0.25 + 10.6/0.04) / 29 = 10.5172 (Gelman et al., BDA3 eq. 2.9-2.10)
    draws = np.expm1(norm.ppf((np.arange(20000) + 0.5) / 20000, 10.0, 0.5))
    got = combine(draws, np.expm1(10.6), 4.0, _trust(), df=1e7)
    mean, sd = (10 / 0.25 + 10.6 / 0.04) / 29, np.sqrt(1 / 29)
    assert np.log1p(got.quantile(0.5)) == pytest.approx(mean, abs=2e-3)
    assert got.p_at_least(np.expm1(mean + sd)) == pytest.approx(norm.sf(1.0), abs=2e-3)
    assert got.weight_stated == pytest.approx((mean - 10) / 0.6, abs=5e-3)


def test_a_vague_signal_leaves_the_outside_view_and_a_sharp_one_replaces_it():
    draws = np.expm1(norm.ppf((np.arange(4000) + 0.5) / 4000, 10.0, 0.5))
    vague = combine(draws, 1e6, 1.0, _trust(scale=100.0))
    assert np.log1p(vague.quantile(0.5)) == pytest.approx(10.0, abs=0.01)
    # a sharp signal that targets run 20% high over their 4 months: the outcome is T / 1.2
    sharp = combine(draws, 30000.0, 4.0, _trust(drift=np.log(1.2) / 4, scale=1e-3))
    assert sharp.quantile(0.5) == pytest.approx(30000.0 / 1.2, rel=0.01)
    # heavy tails: a signal far from the outside view moves it less than a normal one would
    far = [combine(draws, np.expm1(13.0), 4.0, _trust(scale=0.25), df=df) for df in (3, 1e7)]
    assert far[0].weight_stated < far[1].weight_stated
