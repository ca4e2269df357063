import json
import os
from pathlib import Path

import numpy as np
import pytest

from evlaunch.model.simulate import simulate
from evlaunch.pipeline import run
from evlaunch.scenario.distributions import central
from evlaunch.scenario.inputs import central_params
from evlaunch.scenario.load import load_scenario

SNAPSHOT = Path(__file__).parent / "data" / "xiaomi-2021-run.json"


@pytest.fixture(scope="module")
def xiaomi():
    return load_scenario()[0]


def test_bundled_run_matches_its_snapshot(xiaomi):
    """The seed case's figures change only on purpose: regenerate the snapshot with
    EVLAUNCH_UPDATE_SNAPSHOT=1 when a model change is meant to move them."""
    result = run(xiaomi).to_dict()
    result.pop("version")
    if os.environ.get("EVLAUNCH_UPDATE_SNAPSHOT"):
        SNAPSHOT.write_text(json.dumps(result, indent=2) + "\n")
    expected = json.loads(SNAPSHOT.read_text())
    actual = json.loads(json.dumps(result))
    # The outside view comes from MCMC in XLA, whose rounding (and so every draw after it)
    # may differ between CPUs: compared within its sampling error, the rest exactly.
    outside, expected_outside = actual.pop("outside_view"), expected.pop("outside_view")
    _assert_close(actual, expected)
    assert outside["as_of"] == expected_outside["as_of"] == "2021-09-30"
    assert outside["entrants"] == pytest.approx(expected_outside["entrants"])
    assert abs(outside["p_target_outside"] - expected_outside["p_target_outside"]) < 0.03
    ratio = outside["outside_median"] / expected_outside["outside_median"]
    assert 0.7 < ratio < 1.4


def _assert_close(actual, expected, where="result"):
    if isinstance(expected, dict):
        assert actual.keys() == expected.keys(), where
        for key in expected:
            _assert_close(actual[key], expected[key], f"{where}.{key}")
    elif isinstance(expected, list):
        assert len(actual) == len(expected), where
        for i, (a, e) in enumerate(zip(actual, expected, strict=True)):
            _assert_close(a, e, f"{where}[{i}]")
    elif isinstance(expected, float):
        assert actual == pytest.approx(expected, rel=1e-9, abs=1e-6), where
    else:
        assert actual == expected, where


def test_run_has_every_option_alone_and_the_mix(xiaomi):
    result = run(xiaomi)
    assert [c.case for c in result.cases] == [o.name for o in xiaomi.options] + ["chosen mix"]
    phase2 = result.cases[3]
    assert phase2.options == ["Own plant phase I", "Own plant phase II"]  # with what it needs


def test_simulator_balances_orders_and_respects_capacity(xiaomi):
    names = [o.name for o in xiaomi.options]
    paths = simulate(xiaomi, central_params(xiaomi), names)
    assert (paths.deliveries <= paths.capacity + 1e-9).all()
    total = paths.deliveries.sum() + paths.cancelled.sum() + paths.backlog[0, -1]
    assert total == pytest.approx(paths.orders.sum(), rel=1e-12)


def test_no_deliveries_before_start_of_production(xiaomi):
    faw = xiaomi.option("FAW Group")
    paths = simulate(xiaomi, central_params(xiaomi), ["FAW Group"])
    sop = 4 + central(faw.lead_time_months)  # 2022-01 is grid month 4 of a grid from 2021-09
    assert np.all(paths.deliveries[0, : int(sop)] == 0)
    # full rate after the ramp: 200,000 a year x 0.5 share = 8,333.3 a month
    full = int(sop + central(faw.ramp_months)) + 1
    assert paths.capacity[0, full] == pytest.approx(200_000 * 0.5 / 12)
