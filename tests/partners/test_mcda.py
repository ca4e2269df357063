"""MCDA methods against published worked examples and against pymcdm."""

import warnings

import numpy as np
import pytest

from evlaunch.partners.mcda import ahp_priorities, ranks, topsis, weighted_sum
from evlaunch.scenario.ahp import RANDOM_INDEX, ahp_weights


def test_ahp_reproduces_the_leader_example():
    """Wikipedia, "Analytic hierarchy process - leader example" (criteria level): Experience
    vs Education 4, vs Charisma 3, vs Age 7; Education vs Charisma 1/3, vs Age 3; Charisma vs
    Age 5. Printed priorities: Experience .547, Education .127, Charisma .270, Age .056
    (https://everything.explained.today/Analytic_hierarchy_process_%e2%80%93_leader_example/).
    The eigenvector's first entry is 0.54757, printed there as .547: equal to the printed
    precision of 0.001."""
    matrix = [[1, 4, 3, 7], [1 / 4, 1, 1 / 3, 3], [1 / 3, 3, 1, 5], [1 / 7, 1 / 3, 1 / 5, 1]]
    weights, lambda_max, cr = ahp_weights(matrix)
    np.testing.assert_allclose(weights, [0.547, 0.127, 0.270, 0.056], atol=0.001)
    assert cr == pytest.approx((lambda_max - 4) / 3 / 0.90)  # RI(4) = 0.90
    assert cr < 0.1


def test_ahp_consistent_matrix_has_zero_consistency_ratio():
    w = np.array([0.5, 0.3, 0.2])
    weights, lambda_max, cr = ahp_weights(w[:, None] / w[None, :])
    np.testing.assert_allclose(weights, w, rtol=1e-12)
    assert lambda_max == pytest.approx(3.0) and cr == pytest.approx(0.0, abs=1e-12)
    assert RANDOM_INDEX[2] == 0.58  # Saaty's RI for n = 3


def test_topsis_reproduces_a_published_example():
    """Yoon & Hwang (1995), Multiple Attribute Decision Making: An Introduction, Sage, as
    worked in B. Sennaroglu's Decision Analysis notes (2009): weights 0.714 and 0.286, three
    alternatives (17, 12), (10, 9), (8, 6), both benefit criteria. The printed weighted
    normalised matrix is (0.5703, 0.2124), (0.3355, 0.1593), (0.2684, 0.1062)
    (https://www.scribd.com/document/546223190/TOPSIS-Example). From it by hand:
    alternative 2 has S+ = sqrt(0.2348^2 + 0.0531^2) = 0.2407 and S- = sqrt(0.0671^2 +
    0.0531^2) = 0.0856, so C = 0.0856 / 0.3263 = 0.262; alternative 1 is the ideal (C = 1)
    and alternative 3 the anti-ideal (C = 0)."""
    x = np.array([[17, 12], [10, 9], [8, 6.0]])
    w = np.array([0.714, 0.286])
    v = x / np.sqrt((x**2).sum(axis=0)) * w
    np.testing.assert_allclose(v, [[0.5703, 0.2124], [0.3355, 0.1593], [0.2684, 0.1062]], atol=5e-5)
    np.testing.assert_allclose(topsis(x, w, [True, True]), [1.0, 0.262, 0.0], atol=5e-4)


@pytest.mark.parametrize("seed", range(5))
def test_topsis_and_weighted_sum_agree_with_pymcdm(seed):
    # only this comparison needs pymcdm: the published examples run without it
    pytest.importorskip("pymcdm")
    from pymcdm.methods import TOPSIS, WSM
    from pymcdm.normalizations import minmax_normalization, vector_normalization

    rng = np.random.default_rng(seed)
    x = rng.uniform(1, 100, (6, 5))
    w = rng.dirichlet(np.ones(5))
    types = np.array([1, -1, 1, -1, 1])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected_topsis = TOPSIS(vector_normalization)(x, w, types)
        expected_wsm = WSM(minmax_normalization)(x, w, types)
    np.testing.assert_allclose(topsis(x, w, types > 0), expected_topsis, rtol=1e-10)
    np.testing.assert_allclose(weighted_sum(x, w, types > 0), expected_wsm, rtol=1e-10)


def test_ahp_priorities_by_hand():
    # benefit column shares: 2/6, 4/6; cost column reciprocals 1/1, 1/3 -> shares 3/4, 1/4
    p = ahp_priorities([[2, 1], [4, 3]], [0.5, 0.5], [True, False])
    np.testing.assert_allclose(p, [0.5 * 2 / 6 + 0.5 * 0.75, 0.5 * 4 / 6 + 0.5 * 0.25])


def test_ranks_share_ties():
    assert ranks([0.3, 0.9, 0.3, 0.1]).tolist() == [2, 1, 2, 4]
