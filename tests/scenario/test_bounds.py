"""The intervals that check a scenario without scipy (``scenario/bounds.py``) hold the exact
values they stand for, and what they assume of scipy and the C library holds."""

import math
import subprocess
import sys
from statistics import NormalDist

import numpy as np
import pytest
from scipy import special

from evlaunch.scenario import bounds
from evlaunch.scenario.distributions import LogNormal, Normal, Pert, Triangular


def test_the_inverse_cdf_at_the_samplers_ends_is_scipys():
    for u, z in bounds.NDTRI_ENDS.items():
        assert special.ndtri(u) == z


def test_scipys_upper_half_of_ndtr_is_one_minus_half_erfc_rounded_once():
    t = np.random.default_rng(0).uniform(1.0, 37.0, 200_000)
    np.testing.assert_array_equal(special.ndtr(t), 1.0 - 0.5 * special.erfc(t * bounds.SQRT1_2))


def test_erfc_and_the_inverse_cdf_differ_from_scipys_well_within_the_allowance():
    rng = np.random.default_rng(1)
    x = rng.uniform(0.0, 26.0, 100_000)
    exact = special.erfc(x)
    ours = np.array([math.erfc(v) for v in x])
    allowed = bounds.RELATIVE + 16 * x * x * 2.0**-52
    assert (np.abs(ours - exact) / exact <= allowed / 5).all()
    u = np.concatenate([rng.random(20_000), 10 ** rng.uniform(-300, -1, 20_000)])
    exact_z = special.ndtri(u)
    ours_z = np.array([NormalDist().inv_cdf(v) for v in u])
    assert (np.abs(ours_z - exact_z) <= np.abs(exact_z) * bounds.RELATIVE / 10).all()


def _random_distributions(n: int):
    rng = np.random.default_rng(2)
    for _ in range(n):
        kind = rng.integers(4)
        if kind < 2:
            centre, scale = rng.uniform(-50, 50), rng.uniform(0.01, 20)
            low = centre - rng.uniform(0, 5) * scale if rng.random() < 0.6 else None
            high = centre + rng.uniform(0, 5) * scale if rng.random() < 0.6 else None
            yield Normal(dist="normal", mean=centre, sd=scale, low=low, high=high)
        elif kind == 2:
            median, sigma = 10 ** rng.uniform(-3, 9), rng.uniform(0.01, 1.5)
            high = median * math.exp(rng.uniform(0, 5) * sigma) if rng.random() < 0.6 else None
            low = median * math.exp(-rng.uniform(0, 5) * sigma) if rng.random() < 0.4 else None
            yield LogNormal(dist="lognormal", median=median, sigma=sigma, low=low, high=high)
        else:
            low = rng.uniform(-10, 10)
            mode, high = low + rng.uniform(0, 5), low + rng.uniform(5, 10)
            if rng.random() < 0.5:
                yield Pert(dist="pert", low=low, mode=mode, high=high)
            else:
                yield Triangular(dist="triangular", low=low, mode=mode, high=high)


@pytest.mark.parametrize("index", range(4))
def test_the_support_lies_in_its_intervals(index):
    for d in list(_random_distributions(2_000))[index::4]:
        (low, high), exact = d.support_bounds(), d.support
        assert low.low <= exact[0] <= low.high, d
        assert high.low <= exact[1] <= high.high, d


def test_a_far_tail_pins_the_cdf_to_the_exact_double():
    d = LogNormal(dist="lognormal", median=0.03, sigma=0.6, high=1)
    lo, hi = d._unit_cdf_bounds()
    assert hi.is_point and hi.low == d._unit_cdf_range()[1]
    assert d.support_bounds()[1].high < 1.0  # so `le=1` is decided without scipy


def test_validating_the_bundled_plan_imports_neither_numpy_nor_scipy():
    code = (
        "import sys; from evlaunch.scenario.load import load_scenario; load_scenario(); "
        "assert not {'scipy', 'numpy'} & set(sys.modules), 'imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_plain_float_inverse_cdfs_are_numpys_to_the_bit():
    from evlaunch.scenario.distributions import Discrete, Empirical, Uniform

    rng = np.random.default_rng(3)
    for _ in range(500):
        low = rng.uniform(-100, 100)
        high, mode = low + rng.uniform(0, 50), low + rng.uniform(0, 1)
        values = rng.normal(0, 10, rng.integers(1, 8)).round(rng.integers(0, 3)).tolist()
        p = rng.dirichlet(np.ones(len(values))).tolist()
        p[-1] = 1.0 - sum(p[:-1])
        for d in (
            Uniform(dist="uniform", low=low, high=high),
            Triangular(dist="triangular", low=low, mode=min(mode, high), high=high),
            Discrete(dist="discrete", values=values, probabilities=p),
            Empirical(dist="empirical", values=values),
        ):
            for u in (bounds.U_MIN, 1 - bounds.U_MIN, *rng.random(3)):
                assert d._ppf_float(float(u)) == d.ppf(np.array([u]))[0], (d, u)


def test_the_consistency_ceiling_is_above_numpys_ratio():
    from evlaunch.scenario.ahp import ahp_weights, consistency_ratio_ceiling

    rng = np.random.default_rng(4)
    for n in range(3, 10):
        for _ in range(40):
            upper = np.exp(rng.uniform(-np.log(9), np.log(9), (n, n)) * rng.uniform(0, 1))
            above = np.triu(upper, 1)
            below = np.divide(1.0, above.T, out=np.zeros_like(above), where=above.T > 0)
            m = above + below + np.eye(n)
            ceiling, ratio = consistency_ratio_ceiling(m.tolist()), ahp_weights(m)[2]
            assert ratio <= ceiling <= ratio + 1e-8


def test_correlations_said_surely_valid_are_accepted():
    from evlaunch.scenario.inputs import (
        correlation_factor,
        surely_valid_correlations,
        uncertain_names,
    )
    from evlaunch.scenario.load import load_scenario

    s, _ = load_scenario()
    names = uncertain_names(s)
    rng = np.random.default_rng(5)
    seen = set()
    for _ in range(200):
        k = rng.integers(1, 5)
        pairs = {tuple(sorted(rng.choice(len(names), 2, replace=False))) for _ in range(k)}
        corr = [{"between": [names[i], names[j]], "rank": rng.uniform(-1, 1)} for i, j in pairs]
        t = s.model_copy(update={"correlations": [type(s.correlations[0])(**c) for c in corr]})
        sure = surely_valid_correlations(t)
        seen.add(sure)
        if sure:
            correlation_factor(t, names)  # raises if not valid
    assert seen == {True, False}
