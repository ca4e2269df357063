import csv
from importlib.resources import files

import numpy as np
import pytest

from evlaunch.reference.entrants import entrant, entrants
from evlaunch.scenario.months import months_between


def rows(name):
    with (files("evlaunch") / "data" / name).open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_every_row_has_a_source():
    for name in (
        "deliveries.csv",
        "cumulative_milestones.csv",
        "first_deliveries.csv",
        "company_facts.csv",
        "targets.csv",
    ):
        for row in rows(name):
            assert row["source"].strip(), (name, row)


def test_interpolation_reproduces_every_milestone_exactly():
    for m in rows("cumulative_milestones.csv"):
        try:
            e = entrant(m["company"])
        except KeyError:
            continue
        t = months_between(e.first_delivery, m["as_of"][:7]) + 1
        assert float(e.cumulative_at(t)) == pytest.approx(
            float(m["cumulative_deliveries"]), rel=1e-12
        ), m


def test_interpolation_reproduces_annual_and_quarterly_totals():
    for d in rows("deliveries.csv"):
        try:
            e = entrant(d["company"])
        except KeyError:
            continue
        year, q = int(d["year"]), d["quarter"]
        start, end = (
            (f"{year}-01", f"{year}-12")
            if not q
            else (f"{year}-{3 * int(q) - 2:02d}", f"{year}-{3 * int(q):02d}")
        )
        t0 = max(months_between(e.first_delivery, start), 0)
        t1 = months_between(e.first_delivery, end) + 1
        if t1 <= 0 or t1 > e.last_month:
            continue
        delivered = float(e.cumulative_at(t1) - (e.cumulative_at(t0) if t0 > 0 else 0.0))
        # exact where the total defined a point, within the sources' 2% rounding elsewhere
        assert delivered == pytest.approx(float(d["deliveries"]), rel=0.02, abs=1), d


def test_curves_never_fall_and_stop_at_the_data():
    for e in entrants():
        cum = e.monthly_cumulative(int(e.last_month))
        assert np.all(np.diff(cum) >= -1e-9), e.company
        assert np.isnan(e.cumulative_at(e.last_month + 1))


def test_known_checkpoints_by_hand():
    # Tesla: Model S from June 2012; 2012 2,650 and 2013 22,477, so after 19 months of sales
    # (to the end of 2013) 25,127 exactly
    assert float(entrant("Tesla").cumulative_at(19)) == 25_127
    # Li Auto: first delivery December 2019; 136,356 by 2022-01-31, month 26 of sales
    assert float(entrant("Li Auto").cumulative_at(26)) == 136_356


def test_at_least_twelve_entrants():
    names = {e.company for e in entrants()}
    assert len(names) >= 12
    assert {
        "Tesla",
        "NIO",
        "XPeng",
        "Li Auto",
        "Zeekr",
        "Rivian",
        "Lucid",
        "Polestar",
        "Xiaomi EV",
        "Fisker",
    } <= names
