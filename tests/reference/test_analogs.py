"""Second models of real entrants, as known on a date (data/model_launches.csv)."""

import datetime as dt

from evlaunch.reference.analogs import (
    achieved_above_nameplate,
    model_launches,
    months_to_second_model,
)


def test_every_launch_has_a_source_and_was_published_after_it():
    for x in model_launches():
        assert x.source.startswith("http")
        assert x.published >= dt.date.fromisoformat(f"{x.month}-01")


def test_time_to_a_second_model_as_known_in_september_2021():
    # NIO: first deliveries 2018-06 (entrants.csv), ES6 2019-06 (pushevs.com, 2019-07-10);
    # XPeng: G3 2018-12, P7 2020-06 (forbes.com, 2020-06-29); Tesla: Roadster 2008-02,
    # Model S 2012-06. Li Auto's L9 (2022-08) was not yet known.
    gaps = {g.company: g.months for g in months_to_second_model(dt.date(2021, 9, 30))}
    assert gaps == {"NIO": 12, "XPeng": 18, "Tesla": 52}


def test_a_later_date_sees_later_second_models():
    gaps = {g.company: g.months for g in months_to_second_model(dt.date(2024, 3, 31))}
    assert gaps["Li Auto"] == 32  # Li ONE 2019-12 to Li L9 2022-08
    assert "Xiaomi EV" not in gaps  # the YU7 came in 2025-07


def test_plants_above_nameplate_as_known_in_september_2021():
    # Hyundai Montgomery 338,000 (2011) and 398,000 (2013) on a 300,000 nameplate
    # (koreaherald.com 2012-05-01; fortune.com 2014-06-26), Kia West Point 360,000 on 300,000
    # (fortune.com 2014-06-26), Hyundai's Korean plants 102.39% in 2019 (businesskorea.co.kr
    # 2020-04-03); Li Auto's double shift (2022) and plans are not counted
    got = sorted(x.multiple for x in achieved_above_nameplate(dt.date(2021, 9, 30)))
    assert got == [1.02, 1.13, 1.2, 1.33]
    later = [x.multiple for x in achieved_above_nameplate(dt.date(2026, 11, 27))]
    assert 2.0 in later
