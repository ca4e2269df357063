"""Spread calibration: widening about the median, and the spread recovered from forecasts."""

import csv
from importlib.resources import files

import numpy as np
import pytest

from evlaunch.reference.calibration import (
    ORIGIN_GROUPS,
    SPREAD_BOUNDS,
    fit_spread,
    spread_for,
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


def test_spread_is_looked_up_by_months_of_sales_seen():
    assert [spread_for(0), spread_for(11)] == [spread_for(6)] * 2
    assert spread_for(12) == spread_for(240)
    with pytest.raises(ValueError, match="negative"):
        spread_for(-1)


def test_bundled_calibration_covers_every_group_and_says_where_it_came_from():
    path = files("evlaunch") / "data" / "calibration.csv"
    with path.open(encoding="utf-8", newline="") as h:
        rows = list(csv.DictReader(h))
    assert {(int(r["origin_from"]), int(r["origin_to"])) for r in rows} == set(ORIGIN_GROUPS)
    for r in rows:
        assert SPREAD_BOUNDS[0] <= float(r["spread"]) <= SPREAD_BOUNDS[1]
        assert "evlaunch hindcast --seed 0" in r["source"] and int(r["cases"]) > 0
