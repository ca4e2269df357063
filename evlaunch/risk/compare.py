"""Several scenarios on common random numbers (as @RISK's RiskSimtable runs them): each
Monte Carlo draws, for every uncertain input it shares with the others, the same numbers on
the same path, so what differs between the scenarios' outcomes is their assumptions, not
their luck, and a difference is judged on each path against the first scenario's (a paired
difference, whose interval is far narrower than that of two independent runs).
"""

from dataclasses import asdict, dataclass

import numpy as np
from scipy import special

from ..errors import ArgumentError
from ..scenario.inputs import uncertain_names
from ..scenario.schema import Scenario
from .montecarlo import RiskResult, monte_carlo_paths
from .sampling import Sampler
from .sizes import CHUNK_PATHS
from .sizes import PRECISION_OUTPUTS as OUTPUTS

MAX_SCENARIOS = 8


@dataclass(frozen=True)
class PairedDifference:
    """A scenario's measure less the first scenario's, path by path, averaged."""

    measure: str  # a key of ``sizes.PRECISION_OUTPUTS``: p_target, npv_cny, deliveries_12, ...
    mean: float  # P(target) in probability; the others in their own unit
    ci95: tuple[float, float]  # the normal interval of the mean of paired differences


@dataclass(frozen=True)
class ComparedScenario:
    label: str  # as the user named it (its file)
    risk: RiskResult
    means: dict[str, float]  # every ``OUTPUTS`` measure's mean over paths
    versus_first: list[PairedDifference]  # empty for the first scenario


@dataclass(frozen=True)
class Comparison:
    scenarios: list[ComparedScenario]
    paths: int
    seed: int
    sampler: str
    common_inputs: list[str]  # drawn alike in every scenario
    own_inputs: dict[str, list[str]]  # label -> inputs only some scenarios have

    def to_dict(self) -> dict:
        return asdict(self)


def paired_difference(measure: str, first: np.ndarray, other: np.ndarray) -> PairedDifference:
    """Mean of ``other - first`` path by path, with its 95% interval (zero width when every
    path's difference is the same)."""
    diff = np.asarray(other, dtype=float) - np.asarray(first, dtype=float)
    mean = float(diff.mean())
    half = float(special.ndtri(0.975) * diff.std(ddof=1) / np.sqrt(diff.size))
    return PairedDifference(measure, mean, (mean - half, mean + half))


def compare(
    scenarios: list[tuple[str, Scenario, list[str]]],
    paths: int = 20_000,
    seed: int = 0,
    sampler: str = "lhs",
    chunk_paths: int = CHUNK_PATHS,
) -> Comparison:
    """Run each ``(label, scenario, options)`` for ``paths`` paths on common random numbers
    and set each against the first."""
    if not 2 <= len(scenarios) <= MAX_SCENARIOS:
        raise ArgumentError(
            "scenarios", len(scenarios), f"compare takes from 2 to {MAX_SCENARIOS} scenarios"
        )
    names = [uncertain_names(s) for _, s, _ in scenarios]
    union = list(dict.fromkeys(n for each in names for n in each))
    measured = []
    for label, scenario, options in scenarios:
        common = Sampler(scenario, seed, sampler, common=tuple(union))
        risk, paths_ = monte_carlo_paths(
            scenario, options, paths, seed, sampler, chunk_paths, draw=common
        )
        measured.append((label, risk, paths_))
    first = measured[0][2]
    compared = [
        ComparedScenario(
            label,
            risk,
            {m: float(np.mean(found.values(m))) for m in OUTPUTS},
            []
            if n == 0
            else [paired_difference(m, first.values(m), found.values(m)) for m in OUTPUTS],
        )
        for n, (label, risk, found) in enumerate(measured)
    ]
    shared = [n for n in union if all(n in each for each in names)]
    own = {
        label: [n for n in each if n not in shared]
        for (label, _, _), each in zip(scenarios, names, strict=True)
    }
    return Comparison(compared, paths, seed, sampler, shared, own)
