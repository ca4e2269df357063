"""Our Saltelli design and estimators are SALib's, and our scrambled Sobol' points scipy's,
to the bit (``risk/saltelli.py`` replaces them to keep scipy.stats and pandas unimported)."""

import warnings

import numpy as np
import pytest

from evlaunch.risk import saltelli


@pytest.mark.parametrize(
    ("d", "n", "seed"), [(1, 1, 0), (3, 16, 1), (38, 1024, 0), (5, 2**14, 3), (40, 8, 2**40)]
)
def test_scrambled_sobol_points_are_scipys(d, n, seed):
    from scipy.stats import qmc

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scipy's notes on seed= and on n not a power of 2
        expected = qmc.Sobol(d, scramble=True, seed=seed).random(n)
    np.testing.assert_array_equal(saltelli.scrambled_sobol(n, d, seed), expected)


@pytest.mark.parametrize(("d", "n", "seed"), [(2, 64, 1), (19, 1024, 5), (4, 512, 0)])
def test_design_and_indices_are_salibs(d, n, seed):
    from SALib.analyze import sobol as analyze
    from SALib.sample import sobol as sample

    problem = {"num_vars": d, "names": [f"x{i}" for i in range(d)], "bounds": [[0.0, 1.0]] * d}
    x = sample.sample(problem, n, calc_second_order=False, seed=seed)
    np.testing.assert_array_equal(saltelli.saltelli_design(n, d, seed), x)
    y = np.sin(x @ np.arange(1.0, d + 1)) + x[:, 0] ** 2
    found = saltelli.indices(y, d, seed)
    expected = analyze.analyze(problem, y, calc_second_order=False, seed=seed)
    # with seed 0 SALib draws its resamples unseeded: only the indices can agree then
    keys = ("S1", "ST") if seed == 0 else ("S1", "S1_conf", "ST", "ST_conf")
    for key in keys:
        np.testing.assert_array_equal(found[key], np.asarray(expected[key]), err_msg=key)


def test_seed_zero_intervals_repeat():
    y = np.sin(saltelli.saltelli_design(256, 3, 0) @ [1.0, 2.0, 3.0])
    first, again = saltelli.indices(y, 3, 0), saltelli.indices(y.copy(), 3, 0)
    np.testing.assert_array_equal(first["S1_conf"], again["S1_conf"])
    assert (first["S1_conf"] > 0).all()
