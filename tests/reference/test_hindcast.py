import numpy as np
import pytest
import scoringrules as sr

from evlaunch.reference.hindcast import hindcast
from evlaunch.reference.scores import OURS, score


def test_scores_by_hand():
    # ensemble {0, 10}, truth 4: CRPS = E|X - y| - E|X - X'| / 2 = (4 + 6) / 2 - 10 / 4 = 2.5
    # (Gneiting & Raftery 2007, eq. 21, with X, X' independent draws of the ensemble)
    case = score("A", 0, __import__("datetime").date(2020, 1, 31), 12, "m", 4.0, [0.0, 10.0])
    assert case.crps == pytest.approx(2.5)
    assert float(sr.crps_ensemble(4.0, np.array([0.0, 10.0]))) == pytest.approx(2.5)
    assert case.pit == 0.5 and case.median == 5.0
    assert case.bounds[0.5] == (2.5, 7.5)


def test_hindcast_is_deterministic_for_a_seed_and_leaves_the_entrant_out():
    a = hindcast(seed=3, workers=1, only=("Leapmotor",), origins=(12,))
    b = hindcast(seed=3, workers=1, only=("Leapmotor",), origins=(12,))
    assert a.cases == b.cases and a.cases
    ours = [c for c in a.cases if c.method == OURS]
    assert {c.checkpoint for c in ours} == {24, 36} and {c.as_of for c in ours} == {"2020-06-30"}
    # Leapmotor's own truth after 24 and 36 months is far from anything published by 2020-06
    assert all(0 <= c.pit <= 1 for c in ours)


def test_fit_forecasts_from_actuals_with_the_one_forecaster(tmp_path):
    from typer.testing import CliRunner

    from evlaunch.cli import app

    out = tmp_path / "fit.json"
    result = CliRunner().invoke(
        app, ["fit", "--actuals", "examples/xiaomi-deliveries-2024.csv", "--json", str(out)]
    )
    assert result.exit_code == 0, result.output
    data = __import__("json").loads(out.read_text())
    # as of 2025-01-31 (the month after December 2024), Xiaomi's own class left as it was
    assert data["as_of"] == "2025-01-31" and data["months"] == [12, 24, 36]
    median_12 = data["quantiles"]["0.5"][0]
    assert 135_000 < median_12 < 400_000  # above what is known, not beyond reason
    lows, highs = data["quantiles"]["0.1"], data["quantiles"]["0.9"]
    assert all(lo <= hi for lo, hi in zip(lows, highs, strict=True))


def test_calibration_figure_counts_pit_by_hand():
    from evlaunch.report.figures import calibration_figure

    cases = [{"method": "a", "pit": p} for p in (0.05, 0.05, 0.55, 0.95)]
    figure = calibration_figure(cases)
    shares = {r["pit_from"]: r["share"] for r in figure.rows}
    assert shares[0.0] == 0.5 and shares[0.5] == 0.25 and shares[0.9] == 0.25
    assert sum(shares.values()) == 1.0
