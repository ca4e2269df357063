"""Each distribution's inverse CDF against scipy's, and its parameter checks."""

import numpy as np
import pytest
from pydantic import TypeAdapter, ValidationError
from scipy import stats

from evlaunch.scenario.distributions import Distribution, central, support

parse = TypeAdapter(Distribution).validate_python
U = np.linspace(0.001, 0.999, 999)


def test_normal_and_its_percentile_form():
    d = parse({"dist": "normal", "mean": 10, "sd": 2})
    np.testing.assert_allclose(d.ppf(U), stats.norm(10, 2).ppf(U), rtol=1e-12)
    by_percentiles = parse({"dist": "normal", "p10": 10 - 2 * 1.2815515655446004, "p90": 12.5631})
    assert by_percentiles.quantile(0.1) == pytest.approx(10 - 2.5631031310892007, rel=1e-9)
    assert by_percentiles.quantile(0.9) == pytest.approx(12.5631, rel=1e-9)


def test_truncated_normal_matches_scipy_truncnorm():
    d = parse({"dist": "normal", "mean": 1, "sd": 2, "low": 0, "high": 4})
    ref = stats.truncnorm((0 - 1) / 2, (4 - 1) / 2, loc=1, scale=2)
    np.testing.assert_allclose(d.ppf(U), ref.ppf(U), rtol=1e-9)


def test_lognormal_from_percentiles():
    d = parse({"dist": "lognormal", "p10": 1.0, "p90": 4.0})
    assert d.central == pytest.approx(2.0)  # the geometric mean of P10 and P90
    assert d.quantile(0.1) == pytest.approx(1.0) and d.quantile(0.9) == pytest.approx(4.0)
    ref = stats.lognorm(s=d.sigma, scale=d.median)
    np.testing.assert_allclose(d.ppf(U), ref.ppf(U), rtol=1e-9)


def test_uniform_triangular_and_pert_match_scipy():
    np.testing.assert_allclose(
        parse({"dist": "uniform", "low": 2, "high": 5}).ppf(U),
        stats.uniform(2, 3).ppf(U),
        rtol=1e-12,
    )
    tri = parse({"dist": "triangular", "low": 1, "mode": 2, "high": 5})
    np.testing.assert_allclose(tri.ppf(U), stats.triang(0.25, loc=1, scale=4).ppf(U), rtol=1e-9)
    # PERT(1, 2, 5): beta with alpha = 1 + 4 (2-1)/4 = 2, beta = 1 + 4 (5-2)/4 = 4 on [1, 5]
    pert = parse({"dist": "pert", "low": 1, "mode": 2, "high": 5})
    np.testing.assert_allclose(pert.ppf(U), stats.beta(2, 4, loc=1, scale=4).ppf(U), rtol=1e-9)


def test_discrete_and_empirical():
    d = parse({"dist": "discrete", "values": [10, 20, 30], "probabilities": [0.2, 0.5, 0.3]})
    u = np.random.default_rng(0).random(100_000)
    counts = np.array([(d.ppf(u) == v).mean() for v in (10, 20, 30)])
    np.testing.assert_allclose(counts, [0.2, 0.5, 0.3], atol=0.005)  # ~4 standard errors
    e = parse({"dist": "empirical", "values": [3, 1, 2, 2]})
    assert e.ppf(np.array([0.1, 0.3, 0.6, 0.9])).tolist() == [1, 2, 2, 3]
    assert central(e) == 2 and support(e) == (1, 3)


@pytest.mark.parametrize(
    "bad, message",
    [
        ({"dist": "normal", "mean": 1, "sd": -1}, "greater than or equal to 0"),
        ({"dist": "normal", "p10": 5, "p90": 1}, "p10 (5) is above p90 (1)"),
        ({"dist": "lognormal", "p10": 5, "p90": 1}, "p10 (5) is above p90 (1)"),
        ({"dist": "triangular", "low": 3, "mode": 1, "high": 2}, "low <= mode <= high"),
        ({"dist": "uniform", "low": 3, "high": 2}, "low (3.0) is above high (2.0)"),
        ({"dist": "discrete", "values": [1, 2], "probabilities": [0.5, 0.6]}, "sum to 1"),
        ({"dist": "normal", "mean": 0, "sd": 1, "low": 2, "high": 1}, "must be below high"),
        ({"dist": "gamma", "shape": 2}, "does not match any of the expected tags"),
    ],
)
def test_parameters_that_make_no_sense_are_rejected(bad, message):
    with pytest.raises(ValidationError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse(bad)
