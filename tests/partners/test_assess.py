import copy

import numpy as np
import pytest
import yaml

from evlaunch.partners.assess import assess
from evlaunch.partners.criteria import derived_values
from evlaunch.scenario.inputs import central_params
from evlaunch.scenario.load import bundled_text, parse_scenario

BUNDLED = yaml.safe_load(bundled_text())


@pytest.fixture(scope="module")
def xiaomi():
    return parse_scenario(bundled_text(), "yaml")


@pytest.fixture(scope="module")
def result(xiaomi):
    return assess(xiaomi, paths=4000, seed=3, smaa_draws=4000)


def test_derived_criteria_by_hand(xiaomi):
    params = central_params(xiaomi)
    faw = derived_values(xiaomi, params, ["FAW Group"])
    # 200,000 a year x 0.5 share; SOP 4 + 24 months after 2021-09; fee 10,000 plus 1.5 bn
    # capex over three years of 100,000 a year = 15,000 CNY a vehicle
    assert faw["capacity_available_per_year"][0] == pytest.approx(100_000)
    assert faw["months_to_sop"][0] == pytest.approx(28)
    assert faw["cost_per_vehicle_cny"][0] == pytest.approx(15_000)
    own = derived_values(xiaomi, params, ["Own plant phase I", "Own plant phase II"])
    # (5.5 + 4.0 bn capex + 3 x (1.0 + 0.7) bn fixed) / (3 x 300,000) = 16,222 CNY
    assert own["cost_per_vehicle_cny"][0] == pytest.approx((9.5e9 + 3 * 1.7e9) / 9e5)
    assert own["months_to_sop"][0] == pytest.approx(2 + 31)  # phase I comes first


def test_assessment_covers_every_way_of_building(result, xiaomi):
    assert [a.alternative for a in result.alternatives] == [o.name for o in xiaomi.options]
    for a in result.alternatives:
        assert sum(a.rank_acceptability) == pytest.approx(1.0)
        assert set(a.ranks) == {"weighted sum", "TOPSIS", "AHP"}
    assert result.consistency_ratio == pytest.approx(0.0099, abs=0.001)
    assert result.recommended in [a.alternative for a in result.alternatives]
    assert result.agree == (result.recommended == result.simulation_best)
    assert result.recommended in result.statement


def test_differences_are_on_common_random_numbers(result):
    rec = next(a for a in result.alternatives if a.alternative == result.recommended)
    assert rec.npv_vs_recommended_cny == (0.0, 0.0, 0.0)  # itself, path by path
    for a in result.alternatives:
        mean, lo, hi = a.npv_vs_recommended_cny
        assert mean == pytest.approx(a.npv_cny_mean - rec.npv_cny_mean, rel=1e-9, abs=1)
        assert lo <= mean <= hi


def test_same_seed_same_assessment(xiaomi, result):
    assert assess(xiaomi, paths=4000, seed=3, smaa_draws=4000) == result


def test_a_dominated_partner_gets_no_first_rank():
    data = copy.deepcopy(BUNDLED)
    faw, gwm = data["options"][0], data["options"][1]
    # make Great Wall Motor worse than FAW on every criterion
    gwm.update(
        capacity_per_year=100_000,
        share_available=0.5,
        fee_per_vehicle_cny=20_000,
        lead_time_months=30,
        start="2022-01",
        capex_cny=2e9,
    )
    for name, score in gwm["scores"].items():
        better = faw["scores"][name]["value"]
        worse = better + 1 if name == "conflict_of_interest" else better - 1
        score["value"] = worse
    scenario = parse_scenario(yaml.safe_dump(data), "yaml")
    out = assess(scenario, paths=1000, seed=0, smaa_draws=4000)
    gwm_view = out.alternatives[1]
    assert gwm_view.rank_acceptability[0] == 0.0
    assert all(r > 1 for r in gwm_view.ranks.values())
    assert np.isfinite(out.alternatives[0].confidence)
