import csv
import datetime as dt
from importlib.resources import files

import numpy as np
import pytest

from evlaunch.errors import UserError
from evlaunch.reference.entrants import all_entrants, entrant, entrants, load_entrants

ENTRANT_HEADER = "company,country,segment,first_delivery,status,published,source,notes"


def rows(name):
    with (files("evlaunch") / "data" / name).open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_every_row_has_a_source_and_every_figure_a_publication_date():
    for name in ("deliveries.csv", "entrants.csv", "company_facts.csv", "targets.csv"):
        for row in rows(name):
            assert row["source"].strip(), (name, row)
    for name in ("deliveries.csv", "entrants.csv"):
        for row in rows(name):
            assert row["published"].strip(), (name, row)
    for row in rows("targets.csv"):
        assert row["stated_on"].strip(), row


def test_reference_class_is_wide_and_keeps_the_failures():
    every = all_entrants()
    passenger = [e for e in every if e.segment == "passenger"]
    assert len(passenger) >= 25
    assert len({e.country for e in passenger}) >= 4
    # survivorship: makers that stalled, went bankrupt or never delivered are in the class
    assert {"bankrupt", "stalled", "never delivered"} <= {e.status for e in passenger}
    targets = [r for r in rows("targets.csv") if r["achieved"].strip()]
    assert len(targets) >= 30


def test_interpolation_reproduces_every_known_point_exactly():
    for e in entrants():
        months, cumulative = e.points
        if months.size > 1:
            np.testing.assert_allclose(e.cumulative_at(months), cumulative, rtol=1e-12)


def test_curves_never_fall_and_stop_at_the_data():
    for e in entrants():
        cum = e.monthly_cumulative(int(e.last_month))
        assert np.all(np.diff(cum) >= -1e-9), e.company
        assert np.isnan(e.cumulative_at(e.last_month + 1))


def test_known_checkpoints_by_hand():
    # Tesla: Model S from June 2012; 2012 about 2,650 and 2013 22,477 (Tesla's letters), so
    # after 19 months of sales (to the end of 2013) 25,127
    assert float(entrant("Tesla").cumulative_at(19)) == 25_127
    # Li Auto: first delivery December 2019; 136,356 by 2022-01-31, month 26 of sales
    assert float(entrant("Li Auto").cumulative_at(26)) == 136_356


def test_as_of_sees_only_what_was_published_by_then():
    # Li Auto's 136,356 by January 2022 was published on 2022-02-01
    before = entrant("Li Auto").as_of(dt.date(2022, 1, 31))
    after = entrant("Li Auto").as_of(dt.date(2022, 2, 1))
    assert before.last_month < 26 and after.last_month >= 26
    # Zeekr's first deliveries (October 2021) are not in a 2021-09 reference class
    assert "Zeekr" not in {e.company for e in entrants(dt.date(2021, 9, 30))}
    for e in entrants(dt.date(2021, 9, 30)):
        assert all(f.published <= dt.date(2021, 9, 30) for f in e.figures)


def _load(entrant_text, delivery_text):
    def parse(text):
        return list(enumerate(csv.DictReader(text.strip().splitlines()), start=2))

    return load_entrants(parse(entrant_text), parse(delivery_text))


GOOD_ENTRANT = ENTRANT_HEADER + "\nAcme,US,passenger,2020-01,active,2020-02-01,https://a.example,"
HEADER = "company,period_start,period_end,deliveries,bound,published,source,notes\n"


def test_a_future_dated_figure_is_invisible_before_its_date():
    e = _load(
        GOOD_ENTRANT,
        HEADER
        + "Acme,2020-01,2020-12,1000,exact,2021-01-05,https://a.example,\n"
        + "Acme,2021-01,2021-12,5000000,exact,2030-01-01,https://a.example,future\n",
    )[0]
    assert e.cumulative_at(24) == 5_001_000  # today's data
    for year in range(2021, 2030):
        seen = e.as_of(dt.date(year, 12, 31))
        assert seen.last_month == 12 and all(f.deliveries < 5e6 for f in seen.figures)
        assert all(inc[2] < 5e6 for inc in seen.increments())


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("Acme,2020-01,2020-12,1000,exact,,https://a.example,", "line 2 .*no published date"),
        ("Acme,2020-01,2020-12,1000,exact,2021-01-05,,", "line 2 .*no source"),
        ("Acme,2020-01,2020-12,1000,roughly,2021-01-05,https://a.example,", "line 2 .*bound"),
        ("Acme,2020-01,2020-12,10.5,exact,2021-01-05,https://a.example,", "line 2 .*whole"),
        ("Acme,2020-01,2020-12,1000,exact,2020-03-01,https://a.example,", "line 2 .*before"),
    ],
)
def test_bad_figures_are_refused_naming_the_row(row, message):
    with pytest.raises(UserError, match=message):
        _load(GOOD_ENTRANT, HEADER + row + "\n")


def test_a_falling_cumulative_figure_is_refused_naming_the_row():
    with pytest.raises(UserError, match=r"line 3 \(Acme\): cumulative deliveries fall"):
        _load(
            GOOD_ENTRANT,
            HEADER
            + "Acme,,2020-12,5000,exact,2021-01-05,https://a.example,\n"
            + "Acme,,2021-06,4000,exact,2021-07-05,https://a.example,\n",
        )


def test_a_lower_bound_is_never_used_as_an_exact_figure():
    e = _load(
        GOOD_ENTRANT,
        HEADER
        + "Acme,,2020-12,5000,exact,2021-01-05,https://a.example,\n"
        + "Acme,,2021-06,75000,lower,2021-07-05,https://a.example,over 75000\n",
    )[0]
    assert e.last_month == 12  # the 'over 75,000' is no point on the curve
    *_, (t0, t1, vehicles, censored) = e.increments()
    assert (t0, t1, vehicles, censored) == (12.0, 18.0, 70_000.0, True)


def test_a_period_that_disagrees_with_the_points_around_it_is_refused():
    with pytest.raises(UserError, match=r"line 4 \(Acme\).*disagrees"):
        _load(
            GOOD_ENTRANT,
            HEADER
            + "Acme,,2020-06,1000,exact,2020-07-05,https://a.example,\n"
            + "Acme,,2020-12,5000,exact,2021-01-05,https://a.example,\n"
            + "Acme,2020-07,2020-12,9000,exact,2021-01-05,https://a.example,\n",
        )
