"""The what-if keeps its sampled inputs between slider moves: same numbers, less work."""

from evlaunch.scenario.load import load_scenario
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
