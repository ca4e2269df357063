"""The what-if keeps its sampled inputs between slider moves: same numbers, less work."""

from evlaunch.scenario.load import load_scenario
from evlaunch.scenario.schema import Model
from evlaunch.web import whatif
from evlaunch.web.whatif import REMEMBERED_RUNS, WhatIf, what_if

SCENARIO = load_scenario()[0]


def answer(**change) -> dict:
    result = what_if(SCENARIO, WhatIf(paths=2_000, **change))
    result.pop("seconds")
    return result


def test_remembered_draws_give_the_answer_of_fresh_ones():
    whatif._samplers.clear()
    fresh = answer(capacity_scale=1.7, seed=5)
    assert answer(capacity_scale=1.7, seed=5) == fresh  # from the remembered draws
    whatif._samplers.clear()
    assert answer(capacity_scale=1.7, seed=5) == fresh
    # a slider move on the remembered draws is the fresh run with that slider
    moved = answer(capacity_scale=2.5, seed=5)
    whatif._samplers.clear()
    assert answer(capacity_scale=2.5, seed=5) == moved != fresh


def test_memory_is_bounded():
    whatif._samplers.clear()
    for seed in range(REMEMBERED_RUNS + 3):
        answer(seed=seed)
    assert len(whatif._samplers) == REMEMBERED_RUNS


def test_utilisation_and_roadmap_controls():
    # shifts can only add output: the median in the window rises, and P(target) with it
    base, shifts = answer(seed=1), answer(seed=1, max_utilisation=1.5)
    alone = answer(seed=1, later_models=False)  # the bundled roadmap without its second model
    assert alone["median_window_deliveries"] < base["median_window_deliveries"]
    assert shifts["median_window_deliveries"] > base["median_window_deliveries"]
    assert shifts["p_target"] >= base["p_target"]
    # a roadmap: a second model sells more; switched off or launched later, less
    second = Model(
        name="SUV",
        launch="2025-06",
        addressable_market_vehicles=3e6,
        bass_p_per_year=0.03,
        bass_q_per_year=0.6,
        price_cny=250_000,
        reference_price_cny=250_000,
    )
    with_roadmap = SCENARIO.model_copy(update={"models": [second]})

    def window(**change):
        r = what_if(with_roadmap, WhatIf(paths=2_000, seed=1, **change))
        return r["median_window_deliveries"]

    on, off, later = window(), window(later_models=False), window(models_launch_delay_months=12)
    # switched off: the first car alone (the SUV's inputs are certain, so the draws match)
    first_alone = with_roadmap.model_copy(update={"models": []})
    assert off == what_if(first_alone, WhatIf(paths=2_000, seed=1))["median_window_deliveries"]
    assert on > later > off
