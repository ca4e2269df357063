"""The Monte Carlo against exact answers, its reproducibility and its bounded chunks."""

import copy

import numpy as np
import pytest
import yaml
from scipy import special, stats

from evlaunch.model.outcomes import sales_outcomes
from evlaunch.model.simulate import simulate
from evlaunch.risk.montecarlo import monte_carlo, wilson_interval
from evlaunch.risk.sampling import Sampler
from evlaunch.risk.sensitivity import sensitivity
from evlaunch.scenario.distributions import central
from evlaunch.scenario.inputs import central_params
from evlaunch.scenario.load import bundled_text, parse_scenario

BUNDLED = yaml.safe_load(bundled_text())


def scenario_from(data):
    return parse_scenario(yaml.safe_dump(data), "yaml")


@pytest.fixture(scope="module")
def xiaomi():
    return scenario_from(BUNDLED)


def capacity_decides() -> dict:
    """Demand far above capacity, no cancellation, an instant ramp: deliveries in the first
    36 months of sales are exactly 36 x 1,000,000 / 12 x share = 3,000,000 x share, so the
    target of 1,800,000 is met exactly when share >= 0.6."""
    data = copy.deepcopy(BUNDLED)
    data.pop("correlations")
    data.pop("assessment")
    data["market"].update(
        addressable_market_vehicles=1e9, bass_p_per_year=1.0, backlog_cancel_rate_per_month=0.0
    )
    data["options"] = [
        {
            "name": "plant",
            "kind": "partner",
            "capacity_per_year": 1_000_000,
            "start": "2022-01",
            "lead_time_months": 30,
            "ramp_months": 0.01,
            "share_available": {"dist": "normal", "mean": 0.5, "sd": 0.1, "low": 0.001, "high": 1},
        }
    ]
    data["plan"] = {"options": ["plant"]}
    data["target"] = {"deliveries": 1_800_000, "window_months": 36}
    return data


def test_p_target_matches_the_exact_answer_within_three_standard_errors():
    scenario = scenario_from(capacity_decides())
    # P(share >= 0.6) for a normal(0.5, 0.1) truncated to [0.001, 1]
    a, b = special.ndtr((0.001 - 0.5) / 0.1), special.ndtr((1 - 0.5) / 0.1)
    exact = (b - special.ndtr(1.0)) / (b - a)
    for sampler in ("random", "lhs", "sobol"):
        result = monte_carlo(scenario, ["plant"], paths=16_384, seed=3, sampler=sampler)
        se = np.sqrt(exact * (1 - exact) / result.paths)
        assert abs(result.p_target - exact) < 3 * se, (sampler, result.p_target, exact)
        lo, hi = result.p_target_ci95
        assert lo < exact < hi


def test_sensitivity_finds_the_one_input_that_decides():
    scenario = scenario_from(capacity_decides())
    found = sensitivity(scenario, ["plant"], paths=4096, seed=1, sobol_base_samples=256)
    top = found.tornado[0]
    assert top.input == "options.plant.share_available"
    # deliveries are 3e6 x share: at P10 and P90 of normal(0.5, 0.1): 0.5 -/+ 0.128155
    assert top.deliveries_p10 == pytest.approx(3e6 * (0.5 - 0.1 * 1.2815516), rel=1e-4)
    assert top.deliveries_p90 == pytest.approx(3e6 * (0.5 + 0.1 * 1.2815516), rel=1e-4)
    assert (top.p_target_p10, top.p_target_p90) == (0.0, 1.0)
    sobol = {s.input: s for s in found.sobol}
    assert sobol["options.plant.share_available"].first_order == pytest.approx(1.0, abs=0.1)
    others = [s.total for name, s in sobol.items() if name != "options.plant.share_available"]
    assert max(others) < 0.02


def test_zero_variance_monte_carlo_equals_the_deterministic_run(xiaomi):
    data = copy.deepcopy(BUNDLED)
    data.pop("correlations")
    for section in ("market", "finance"):
        for key, value in data[section].items():
            if isinstance(value, dict):
                mean = central(getattr(getattr(xiaomi, section), key))
                data[section][key] = {"dist": "normal", "mean": mean, "sd": 0}
    for option in data["options"]:
        for key, value in option.items():
            if isinstance(value, dict) and key != "scores":
                mean = central(getattr(xiaomi.option(option["name"]), key))
                option[key] = {"dist": "normal", "mean": mean, "sd": 0}
    for model in data["models"]:
        for key, value in model.items():
            if isinstance(value, dict):
                mean = central(getattr(xiaomi.model(model["name"]), key))
                model[key] = {"dist": "normal", "mean": mean, "sd": 0}
    flat = scenario_from(data)
    names = [o.name for o in flat.options]
    deterministic = simulate(flat, central_params(flat), names)
    sampled = simulate(flat, Sampler(flat, seed=5, method="lhs").params(0, 500), names)
    np.testing.assert_allclose(
        sampled.deliveries, np.repeat(deterministic.deliveries, 500, 0), rtol=1e-12, atol=0
    )
    np.testing.assert_allclose(sampled.npv_cny, deterministic.npv_cny[0], rtol=1e-12)
    result = monte_carlo(flat, names, paths=500, seed=5)
    exact = sales_outcomes(deterministic.deliveries, flat.target.deliveries, 36).cumulative_at[36]
    np.testing.assert_allclose(result.deliveries_quantiles[36], exact[0], rtol=1e-12)


def test_same_seed_same_result_and_chunks_change_nothing(xiaomi):
    mix = ["Own plant phase I", "Own plant phase II"]
    for sampler in ("random", "lhs", "sobol"):
        one = monte_carlo(xiaomi, mix, paths=70_000, seed=11, sampler=sampler)
        again = monte_carlo(xiaomi, mix, paths=70_000, seed=11, sampler=sampler, chunk_paths=999)
        assert one == again  # every field but the timing
        other = monte_carlo(xiaomi, mix, paths=70_000, seed=12, sampler=sampler)
        assert other.deliveries_quantiles != one.deliveries_quantiles


def test_copula_gives_the_rank_correlation_asked_for(xiaomi):
    draw = Sampler(xiaomi, seed=2, method="random")
    params = draw.params(0, 50_000)
    rho = stats.spearmanr(params["market.bass_p_per_year"], params["market.bass_q_per_year"])[0]
    assert rho == pytest.approx(-0.3, abs=0.02)  # se of rho at n = 5e4 is about 0.004
    independent = stats.spearmanr(
        params["market.bass_p_per_year"], params["market.addressable_market_vehicles"]
    )[0]
    assert abs(independent) < 0.02


def test_wilson_interval_by_hand():
    # no hits in 100: upper bound z^2 / (n + z^2) = 3.841459 / 103.841459 = 0.0369935
    lo, hi = wilson_interval(0, 100)
    assert lo == pytest.approx(0.0, abs=1e-15) and hi == pytest.approx(0.0369935, rel=1e-5)
    # 50 in 100: 0.5 -/+ z sqrt(0.25/100 + z^2/40000) / (1 + z^2/100) = 0.5 -/+ 0.0962
    lo, hi = wilson_interval(50, 100)
    assert (lo, hi) == pytest.approx((0.40383, 0.59617), abs=1e-5)


def test_convergence_reports_the_standard_error_falling(xiaomi):
    result = monte_carlo(scenario_from(capacity_decides()), ["plant"], paths=20_000, seed=1)
    ns = [n for n, _, _ in result.convergence]
    assert ns == [1000, 2000, 5000, 10_000, 20_000]
    ses = [se for _, _, se in result.convergence]
    assert ses == sorted(ses, reverse=True)


def test_latin_hypercube_puts_one_point_in_every_stratum():
    from evlaunch.risk.sampling import latin_hypercube

    u = latin_hypercube(1000, 4, (0, 0))
    assert u.shape == (1000, 4) and (0 <= u).all() and (u < 1).all()
    for column in u.T:
        assert sorted(np.floor(column * 1000).astype(int)) == list(range(1000))


def test_progress_is_reported_chunk_by_chunk(xiaomi):
    seen = []
    monte_carlo(
        xiaomi,
        ["FAW Group"],
        paths=10_000,
        seed=0,
        chunk_paths=3000,
        on_progress=lambda done, total: seen.append((done, total)),
    )
    assert seen == [(3000, 10_000), (6000, 10_000), (9000, 10_000), (10_000, 10_000)]


def test_domain_errors_name_the_argument_not_a_command_line_flag(xiaomi):
    from evlaunch.errors import ArgumentError

    for kwargs, said in (
        ({"paths": 0}, "paths = 0: must be from 1 to"),
        ({"sampler": "halton"}, "sampler = 'halton': allowed: random, lhs, sobol"),
        ({"chunk_paths": 0}, "chunk_paths = 0: must be from 1 to 1,000,000"),
    ):
        with pytest.raises(ArgumentError) as caught:
            monte_carlo(xiaomi, ["FAW Group"], **kwargs)
        assert str(caught.value).startswith(said) and "--" not in str(caught.value)


def test_quantiles_by_month_equal_numpys_bit_for_bit():
    from evlaunch.risk.montecarlo import QUANTILES, quantiles_by_month

    rng = np.random.default_rng(1)
    for shape in ((5_000, 84), (7, 3), (1, 5), (2, 1), (1_000_000, 1)):
        values = rng.lognormal(10, 2, shape)
        values[: shape[0] // 3] = 0.0  # ties, as paths that never sell
        q = np.array(QUANTILES)
        assert np.array_equal(quantiles_by_month(values, q), np.quantile(values, q, axis=0))
    values[5, 0] = np.nan  # numpy's quantiles of values holding a nan are nan
    assert np.isnan(quantiles_by_month(values, q)).all()
    assert np.isnan(np.quantile(values, q, axis=0)).all()
