"""The bundled scenario's numbers, as the code gave them before the pipeline was refactored
(commit 78e43ee, issue 14): the Monte Carlo, the plan and the partner assessment, unchanged."""

import json
from pathlib import Path

import numpy as np
import pytest

import evlaunch as ev

GOLDEN = json.loads((Path(__file__).parent / "data" / "golden-before-refactor.json").read_text())


@pytest.fixture(scope="module")
def scenario():
    return ev.bundled("xiaomi-2021")


def test_the_monte_carlo_is_unchanged(scenario):
    r = ev.risk(scenario, paths=20_000, seed=0)
    g = GOLDEN["risk"]
    assert r.p_target == g["p_target"]
    for k, v in g["deliveries_quantiles"].items():
        np.testing.assert_allclose(r.deliveries_quantiles[int(k)], v, rtol=1e-12)
    np.testing.assert_allclose(r.npv_cny_quantiles, g["npv_cny_quantiles"], rtol=1e-12)
    np.testing.assert_allclose(
        r.peak_cash_need_cny_quantiles, g["peak_cash_need_cny_quantiles"], rtol=1e-12
    )


def test_the_plan_is_unchanged(scenario):
    p, g = ev.plan(scenario), GOLDEN["plan"]
    assert p.status == g["status"]
    assert p.npv_cny == pytest.approx(g["npv_cny"], rel=1e-9)
    assert p.window_deliveries == pytest.approx(g["window_deliveries"], rel=1e-9)
    for option, made in g["production"].items():
        assert sum(p.production[option]) == pytest.approx(made, rel=1e-9, abs=1e-6)


def test_the_partner_assessment_is_unchanged(scenario):
    a = ev.partners(scenario, paths=2_000, seed=0)
    for view in a.alternatives:
        g = GOLDEN["partners"][view.alternative]
        assert view.ranks == g["ranks"]
        assert view.p_target == g["p_target"]
        assert view.npv_cny_mean == pytest.approx(g["npv_cny_mean"], rel=1e-12)
        assert view.rank_acceptability[0] == pytest.approx(g["first_rank_acceptability"])
