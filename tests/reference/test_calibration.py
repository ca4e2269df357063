"""Spread calibration: widening about the median, and the spread recovered from forecasts."""

import csv
import datetime as dt
from importlib.resources import files

import numpy as np
import pytest

from evlaunch.reference.calibration import (
    MIN_CASES,
    ORIGIN_GROUPS,
    SPREAD_BOUNDS,
    Resolved,
    fit_spread,
    spread_for,
    spread_from,
    vintages,
    widen,
)


def test_widen_scales_log_deviations_beyond_what_is_known():
    draws = np.array([[1000.0 + 99.0], [1000.0 + 999.0], [1000.0 + 9999.0]])  # log1p: ln 100..
    got = widen(draws, 1000.0, 2.0)[:, 0] - 1000.0
    # log1p of what is ahead: ln(100), ln(1000), ln(10000); median ln(1000); doubled about it
    np.testing.assert_allclose(np.log1p(got), np.log([10.0, 1000.0, 100000.0]), rtol=1e-12)
    np.testing.assert_allclose(widen(draws, 1000.0, 1.0), draws)
    assert (widen(draws, 1000.0, 3.0) >= 1000.0).all()  # never below what was delivered


def test_the_spread_that_makes_forecasts_calibrated_is_recovered():
    # 300 forecasts whose draws have log sd 0.5 while the truths scatter with log sd 1.0
    # about the same medians: widening by 2 calibrates them (CRPS is minimised by the truth)
    rng = np.random.default_rng(3)
    items = []
    for centre in rng.uniform(6, 12, 300):
        draws = np.expm1(centre + 0.5 * rng.standard_normal(400))
        truth = float(np.expm1(centre + 1.0 * rng.standard_normal()))
        items.append((draws, 0.0, truth))
    assert fit_spread(items) == pytest.approx(2.0, abs=0.3)


def _past(entrant, months_seen, resolved_on, spread_needed, rng):
    """A past forecast whose truth needs ``spread_needed`` to be calibrated."""
    centre = rng.uniform(6, 12)
    draws = np.expm1(centre + 0.5 * rng.standard_normal(400))
    truth = float(np.expm1(centre + 0.5 * spread_needed * rng.standard_normal()))
    return Resolved(entrant, months_seen, resolved_on, draws, 0.0, truth)


def test_a_spread_as_of_a_date_learns_only_from_outcomes_published_by_then():
    rng = np.random.default_rng(5)
    # 200 early forecasts resolved in 2020 that needed 2x, 200 resolved in 2024 that needed 1x
    past = [_past(f"e{i}", 0, dt.date(2020, 6, 30), 2.0, rng) for i in range(200)]
    past += [_past(f"f{i}", 3, dt.date(2024, 6, 30), 1.0, rng) for i in range(200)]
    assert spread_from(past, 0, dt.date(2019, 12, 31)) is None  # nothing resolved yet
    k2021, n2021 = spread_from(past, 6, dt.date(2021, 1, 1))
    assert n2021 == 200 and k2021 == pytest.approx(2.0, abs=0.3)
    k2025, n2025 = spread_from(past, 11, dt.date(2025, 1, 1))
    assert n2025 == 400 and 1.0 < k2025 < k2021
    # fewer than MIN_CASES resolved: no spread; a later origin group is apart
    assert spread_from(past[: MIN_CASES - 1], 0, dt.date(2021, 1, 1)) is None
    assert spread_from(past, 12, dt.date(2025, 1, 1)) is None
    # the entrant forecast is left out
    assert spread_from(past, 0, dt.date(2021, 1, 1), leave_out="e0")[1] == 199


def test_bundled_spread_is_the_latest_vintage_by_the_date():
    table = vintages()
    early = [v for v in table if v.origins == ORIGIN_GROUPS[0]]
    assert spread_for(0, early[-1].as_of) == early[-1].spread
    assert spread_for(11, dt.date(2100, 1, 1)) == early[-1].spread
    # before the first vintage the model's own spread is used
    assert spread_for(6, min(v.as_of for v in table) - dt.timedelta(days=1)) == 1.0
    with pytest.raises(ValueError, match="negative"):
        spread_for(-1, dt.date(2024, 1, 1))


def test_bundled_calibration_says_where_it_came_from():
    path = files("evlaunch") / "data" / "calibration.csv"
    with path.open(encoding="utf-8", newline="") as h:
        rows = list(csv.DictReader(h))
    assert {(int(r["origin_from"]), int(r["origin_to"])) for r in rows} <= set(ORIGIN_GROUPS)
    for r in rows:
        assert SPREAD_BOUNDS[0] <= float(r["spread"]) <= SPREAD_BOUNDS[1]
        assert "evlaunch hindcast --seed 0" in r["source"] and int(r["cases"]) >= MIN_CASES
