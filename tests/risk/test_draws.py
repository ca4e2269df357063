"""The compiled sampling stages (risk/draws.py): exact Latin-hypercube strata, each input's
marginal and the copula's rank correlation, inverse CDFs against scipy.stats, and numbers
that depend neither on the threads nor on the chunks."""

import os
import statistics
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from pydantic import TypeAdapter
from scipy import special, stats

from evlaunch import threads
from evlaunch.risk import draws
from evlaunch.risk.sampling import BLOCK_PATHS, Sampler, latin_hypercube
from evlaunch.scenario.distributions import U_MIN, Distribution
from evlaunch.scenario.inputs import input_value
from evlaunch.scenario.load import load_scenario

parse = TypeAdapter(Distribution).validate_python
# a grid over (0, 1), the samplers' extremes, both sides of AS241's branches, random points
U = np.concatenate(
    [
        np.linspace(0.001, 0.999, 999),
        [U_MIN, 1e-300 + U_MIN, 1e-12, 1e-7, 0.0749999, 0.075, 0.925, 0.9250001],
        [1 - 1e-7, 1 - 1e-12, 1 - U_MIN],
        np.random.default_rng(0).random(10_000),
        np.exp(np.random.default_rng(1).uniform(np.log(U_MIN), np.log(0.075), 10_000)),
    ]
)


@pytest.fixture(scope="module")
def xiaomi():
    return load_scenario()[0]


def compiled_ppf(dist, u: np.ndarray) -> np.ndarray:
    """``dist``'s inverse CDF at ``u`` by the compiled stage."""
    kind, shape = draws.shape_of(dist)
    lognormal = [0] if kind == draws.LOGNORMAL else []
    return draws.invert(u[None, :], np.array([kind]), np.array([shape]), lognormal)[0]


def test_normal_quantiles_are_scipys_within_a_few_ulps_and_cpythons_to_the_bit():
    z = np.empty_like(U)
    draws.normal_quantiles(U, z)
    reference = special.ndtri(U)
    assert np.abs(z - reference).max() <= 8 * np.spacing(np.abs(reference)).max()
    away = reference != 0  # at u = 1/2 both are 0 exactly
    relative = np.abs(z - reference)[away] / np.abs(reference[away])
    assert relative.max() < 2e-15 and (z[~away] == 0).all()  # measured 1.1e-15
    cpython = statistics.NormalDist()
    for p, value in zip(U[::97], z[::97], strict=True):
        assert value == pytest.approx(cpython.inv_cdf(p), rel=1e-15, abs=1e-300)


@pytest.mark.parametrize(
    ("spec", "reference"),
    [
        ({"dist": "normal", "mean": 10, "sd": 2}, stats.norm(10, 2)),
        ({"dist": "normal", "mean": 1, "sd": 2, "low": 0, "high": 4}, None),
        ({"dist": "lognormal", "median": 0.03, "sigma": 0.6}, stats.lognorm(0.6, scale=0.03)),
        ({"dist": "lognormal", "median": 0.03, "sigma": 0.6, "high": 0.2}, None),
        ({"dist": "uniform", "low": 0.02, "high": 0.08}, stats.uniform(0.02, 0.06)),
        ({"dist": "triangular", "low": -2.5, "mode": -1.5, "high": -0.5}, None),
        ({"dist": "triangular", "low": 0, "mode": 0, "high": 12}, stats.triang(0, 0, 12)),
        ({"dist": "pert", "low": 0.85, "mode": 0.9, "high": 0.97}, None),
        ({"dist": "normal", "mean": 3, "sd": 0}, None),
        ({"dist": "triangular", "low": 2, "mode": 2, "high": 2}, None),
    ],
)
def test_compiled_inverse_cdfs_are_the_distributions_own(spec, reference):
    dist = parse(spec)
    fast, own = compiled_ppf(dist, U), dist.ppf(U)
    # the same operations, but AS241's ndtri for scipy's (a few ulps apart) and, for a
    # lognormal, numpy's exp: where a value passes 0 (mean + sd z cancels) the difference is
    # a few ulps of the spread, not of the value
    spread = dist.quantile(0.75) - dist.quantile(0.25)
    np.testing.assert_allclose(fast, own, rtol=1e-14, atol=1e-14 * spread)
    if reference is not None:  # and scipy.stats's, to 1e-12
        np.testing.assert_allclose(fast, reference.ppf(U), rtol=1e-12, atol=1e-14 * spread)


def test_the_triangles_come_from_scipys_triang():
    dist = parse({"dist": "triangular", "low": -2.5, "mode": -1.5, "high": -0.5})
    np.testing.assert_allclose(
        compiled_ppf(dist, U), stats.triang(0.5, -2.5, 2.0).ppf(U), rtol=1e-12, atol=1e-13
    )
    pert = parse({"dist": "pert", "low": 0.85, "mode": 0.9, "high": 0.97})
    a, b = 1 + 4 * 0.05 / 0.12, 1 + 4 * 0.07 / 0.12
    np.testing.assert_allclose(
        compiled_ppf(pert, U), stats.beta(a, b, 0.85, 0.12).ppf(U), rtol=1e-12, atol=1e-13
    )


@pytest.mark.parametrize("n", [BLOCK_PATHS, 1000, 7])
def test_every_column_has_one_point_in_each_stratum(n):
    u = latin_hypercube(n, 5, (3, 1))
    assert u.shape == (n, 5) and u.flags.f_contiguous
    assert (u >= 0).all() and (u < 1).all()
    for column in u.T:
        assert np.array_equal(np.sort(np.floor(column * n).astype(int)), np.arange(n))


def test_a_point_at_the_top_of_its_stratum_stays_in_it():
    column = np.empty(4)
    draws.shuffled_strata(np.array([1 - 2**-53, 1 - 2**-53, 1 - 2**-53, 1 - 2**-53]), column)
    assert sorted(np.floor(column * 4)) == [0, 1, 2, 3]


def test_columns_are_independent_uniforms():
    u = latin_hypercube(BLOCK_PATHS, 6, (0, 0))
    rank = stats.spearmanr(u).statistic
    off = rank[~np.eye(6, dtype=bool)]
    assert np.abs(off).max() < 0.02  # se of rho at n = 65,536 is 0.004
    # each column uniform within its strata too: the points' offsets in them are uniform
    strata, offsets = np.divmod(u * BLOCK_PATHS, 1.0)
    for stratum, offset in zip(strata.T, offsets.T, strict=True):
        assert stats.kstest(offset, "uniform").pvalue > 0.001
        # and independent of the stratum (the offset comes from the uniform that swapped)
        assert abs(stats.spearmanr(stratum, offset).statistic) < 0.02
        assert abs(stats.spearmanr(stratum[1:], offset[:-1]).statistic) < 0.02


def test_sampled_marginals_are_each_inputs_distribution(xiaomi):
    """Latin-hypercube inputs not in a correlation are their distribution's quantiles, one in
    each 1/n of probability: the KS distance is at most 1/n. Those the copula mixes are a
    sample of it (KS at the 0.1% level)."""
    draw = Sampler(xiaomi, 7, "lhs")
    n = BLOCK_PATHS
    params = draw.params(0, n)
    linked = {draw.names[j] for j in draw.linked}
    assert linked == {"market.bass_p_per_year", "market.bass_q_per_year"}
    for name in draw.names:
        dist = input_value(xiaomi, name)
        if dist.dist in ("discrete", "empirical"):
            continue
        cdf = _cdf(dist)
        distance = stats.kstest(params[name], cdf).statistic
        bound = 1.0001 / n if name not in linked else 1.95 / np.sqrt(n)
        assert distance < bound, (name, distance)


def _cdf(dist):
    """scipy.stats's CDF of a scenario distribution (truncation included)."""
    if dist.dist == "normal" or dist.dist == "lognormal":
        base = (
            stats.norm(dist.mean, dist.sd)
            if dist.dist == "normal"
            else stats.lognorm(dist.sigma, scale=dist.median)
        )
        lo = base.cdf(dist.low) if dist.low is not None else 0.0
        hi = base.cdf(dist.high) if dist.high is not None else 1.0
        return lambda x: (base.cdf(x) - lo) / (hi - lo)
    if dist.dist == "uniform":
        return stats.uniform(dist.low, dist.high - dist.low).cdf
    width = dist.high - dist.low
    if dist.dist == "triangular":
        return stats.triang((dist.mode - dist.low) / width, dist.low, width).cdf
    a, b = 1 + 4 * (dist.mode - dist.low) / width, 1 + 4 * (dist.high - dist.mode) / width
    return stats.beta(a, b, dist.low, width).cdf


@pytest.mark.parametrize("method", ["lhs", "random", "sobol"])
def test_the_copula_gives_the_rank_correlation_asked_for(xiaomi, method):
    params = Sampler(xiaomi, 4, method).params(0, BLOCK_PATHS)
    rho = stats.spearmanr(params["market.bass_p_per_year"], params["market.bass_q_per_year"])
    # se of Spearman's rho at n = 65,536 is about (1 - rho^2) / sqrt(n) = 0.0036: 4 se
    assert rho.statistic == pytest.approx(-0.3, abs=0.015)


@pytest.mark.parametrize("method", ["lhs", "random", "sobol"])
def test_inputs_do_not_depend_on_chunks_or_threads(xiaomi, monkeypatch, method):
    whole = Sampler(xiaomi, 9, method).params(0, BLOCK_PATHS + 5_000)
    monkeypatch.setitem(threads._pools, os.getpid(), ThreadPoolExecutor(1))
    draw = Sampler(xiaomi, 9, method)
    cuts = [0, 1, 4_096, 30_001, BLOCK_PATHS, BLOCK_PATHS + 5_000]
    parts = [draw.params(start, stop) for start, stop in zip(cuts, cuts[1:], strict=False)]
    for name, values in whole.items():
        joined = np.concatenate([np.broadcast_to(p[name], (len(p[name]),)) for p in parts])
        assert np.array_equal(joined, values), name


FORKED = """
import multiprocessing
from evlaunch.risk.sampling import Sampler
from evlaunch.scenario.load import load_scenario

def draw(queue=None):
    params = Sampler(load_scenario()[0], 9, "lhs").params(0, 40_000)
    value = float(params["market.bass_q_per_year"][7])
    if queue is None:
        return value
    queue.put(value)

here = draw()  # the parent's pool is made
context = multiprocessing.get_context("fork")
queue = context.Queue()
child = context.Process(target=draw, args=(queue,), daemon=True)
child.start()
child.join(timeout=60)
print(child.exitcode, queue.get(timeout=1) == here if child.exitcode == 0 else None)
"""


def test_a_forked_child_draws_on_a_pool_of_its_own():
    # in a fresh interpreter: this one may hold JAX's threads, which forking can deadlock
    done = subprocess.run(
        [sys.executable, "-c", FORKED], capture_output=True, text=True, timeout=180, check=True
    )
    assert done.stdout.split() == ["0", "True"]
