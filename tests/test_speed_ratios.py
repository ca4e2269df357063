"""The regression check on speed: a slowdown of more than 2x against a peer fails.

Ratios, never absolute times: ``bench/ratios.py`` times our code and a peer on the same work
in the same interleaved rounds, so the machine's speed and its load cancel out; the test
compares each ratio with the one recorded in ``bench/ratios.json`` (`make bench`).
"""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "bench"))
import ratios  # noqa: E402


@pytest.mark.parametrize("name", list(ratios.RATIOS))
def test_no_slowdown_beyond_2x_against_its_peer(name):
    recorded = ratios.recorded()[name]
    measured = ratios.RATIOS[name]()
    assert measured >= recorded / 2, (
        f"{name}: {measured:.1f}x its peer, recorded {recorded:.1f}x (bench/ratios.json): "
        "more than 2x slower"
    )


def test_every_ratio_is_recorded():
    assert set(ratios.recorded()) == set(ratios.RATIOS)
