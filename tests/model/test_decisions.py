"""The decisions a path takes on its own order book, solved by hand."""

import numpy as np
import pytest

from evlaunch.model.decisions import (
    backlog_exceeds,
    expansion_commit,
    shift_running_from,
)
from evlaunch.model.simulate import simulate
from evlaunch.scenario.inputs import central_params
from evlaunch.scenario.load import load_scenario
from evlaunch.scenario.schema import Expansion


def test_backlog_against_months_of_output():
    assert backlog_exceeds(300.0, 100.0, 2.0)
    assert not backlog_exceeds(200.0, 100.0, 2.0)  # exactly two months of output: not more
    assert backlog_exceeds(5.0, 0.0, 1.0)  # no output: any backlog is too much
    assert not backlog_exceeds(0.0, 0.0, 1.0)


def test_a_shift_runs_its_lead_time_after_the_next_month():
    assert shift_running_from(10.0, 250.0, 100.0, 2.0, 3.0) == 14.0
    assert shift_running_from(10.0, 150.0, 100.0, 2.0, 3.0) == np.inf


def test_a_rule_fires_after_its_streak_and_not_before_its_month():
    # backlog in months of output, month by month; the rule: above 2 for 3 months in a row
    backlog_months = [3, 3, 1, 3, 3, 3, 3]
    fired = {}
    for not_before in (0, 8):
        streak, commit = 0, np.inf
        for t, months in enumerate(backlog_months + [3, 3]):
            streak, commit = expansion_commit(t, streak, months * 100.0, 100.0, 2.0, 3, not_before)
            if commit < np.inf:
                fired[not_before] = commit
                break
    # streaks 1, 2, 0, 1, 2, 3: fires at the end of month 5, committed from month 6
    assert fired[0] == 6.0
    # held back to month 8: the streak goes on, and month 7's end commits from month 8
    assert fired[8] == 8.0


@pytest.fixture(scope="module")
def plain():
    """One partner line of 600 a month from the grid's first month and a phase (1,000 a
    month, 10 months to build) committed by a rule, against a flat 1,000 orders a month."""
    x = load_scenario()[0]
    line = x.option("FAW Group").model_copy(
        update={
            "start": x.start,
            "max_utilisation": 1.5,
            "shift_months": 2,
            "shift_backlog_months": 1.0,
            "above_nameplate_cost_per_vehicle_cny": 1000,
        }
    )
    phase = x.option("Own plant phase II").model_copy(update={"requires": None})
    rule = Expansion(option=phase.name, backlog_months_above=1, for_months=2)
    market = x.market.model_copy(update={"launch": x.start, "seasonality": [1.0] * 12})
    s = x.model_copy(update={"options": [line, phase], "expansions": [rule], "market": market})
    params = central_params(s)
    flat = {
        "market.bass_p_per_year": 1.2e-8,  # 1e-9 a month of a market of 1e12: 1,000 a month
        "market.bass_q_per_year": 0.0,
        "market.addressable_market_vehicles": 1e12,
        "market.price_cny": s.market.reference_price_cny,
        "market.backlog_cancel_rate_per_month": 0.0,
        f"options.{line.name}.capacity_per_year": 7200.0,
        f"options.{line.name}.share_available": 1.0,
        f"options.{line.name}.lead_time_months": 0.0,
        f"options.{line.name}.ramp_months": 1e-3,
        f"options.{phase.name}.capacity_per_year": 12000.0,
        f"options.{phase.name}.share_available": 1.0,
        f"options.{phase.name}.lead_time_months": 10.0,
        f"options.{phase.name}.ramp_months": 1e-3,
        f"options.{phase.name}.max_utilisation": 1.0,
    }
    params.update({k: np.array([v]) for k, v in flat.items()})
    return s, params, simulate(s, params, [line.name, phase.name])


def test_shift_and_expansion_on_a_path_solved_by_hand(plain):
    s, params, paths = plain
    # month 0: 600 of 1,000 delivered, 400 wait (< one month of output); month 1: 800 wait,
    # more than a month of output, so a shift is called and runs from month 1 + 1 + 2 = 4
    assert paths.shift_month[0, 0] == 4.0
    # the rule (over one month of output, two months in a row): 800 after month 1, 1,200
    # after month 2: committed from month 3, producing from month 3 + 10 = 13
    assert paths.commit_month[0, 1] == 3.0
    # the backlog: 400 a month for 4 months, 100 a month for 9: 2,500 when the phase starts;
    # 1,900 a month then clears it: 1,600 left, 700 left, and month 15 delivers 1,700
    expected = [600] * 4 + [900] * 9 + [1900, 1900, 1700]
    np.testing.assert_allclose(paths.deliveries[0, :16], expected, rtol=1e-6)
    # utilisation caps at 1.5 times nameplate: 900, never more, while orders pile up
    assert paths.capacity_by_option[0, 0].max() == pytest.approx(900.0)
    assert paths.capacity_by_option[0, 1, :13].max() == 0.0


def _cash_change(plain, name: str, value: float) -> np.ndarray:
    """Cash flow of the plain path with input ``name`` set to ``value``, less the original."""
    s, params, paths = plain
    changed = simulate(s, {**params, name: np.array([value])}, [o.name for o in s.options])
    return changed.cash_flow_cny[0] - paths.cash_flow_cny[0]


def test_vehicles_above_nameplate_cost_extra(plain):
    s, _, _ = plain
    # from month 4, 300 vehicles a month above nameplate at 1,000 CNY each
    saved = _cash_change(
        plain, f"options.{s.options[0].name}.above_nameplate_cost_per_vehicle_cny", 0
    )
    np.testing.assert_allclose(saved[:4], 0.0, atol=1e-6)
    np.testing.assert_allclose(saved[4:13], 300 * 1000.0, rtol=1e-9)


def test_a_committed_phase_spends_its_capex_from_its_commitment(plain):
    s, params, _ = plain
    name = f"options.{s.options[1].name}.capex_cny"
    # capex spread evenly over the 10-month lead time from month 3 of the grid
    saved = _cash_change(plain, name, 0.0)
    per_month = float(params[name][0]) / 10
    np.testing.assert_allclose(saved[:3], 0.0, atol=1e-6)
    np.testing.assert_allclose(saved[3:13], per_month, rtol=1e-9)
    np.testing.assert_allclose(saved[13:], 0.0, atol=1e-6)
