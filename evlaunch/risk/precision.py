"""Precision control: simulate until an estimate is as precise as asked, as Crystal Ball's
precision control and @RISK's automatic iterations do, with a cap on the paths.

The run checks its estimate at fixed path counts (1,024, 2,048, ... doubling up to a sampling
block of 65,536, then every block), never at chunk boundaries, so where it stops is a
function of (scenario, seed, sampler, precision) only. The interval is the one a user reads:
Wilson's for P(target), the normal one for a mean (from the sample's variance as if the
paths were independent, which overstates the error of Latin hypercube and Sobol samples,
so those stop later than they need to, never earlier).
"""

from dataclasses import dataclass

import numpy as np
from scipy import special

from ..errors import ArgumentError
from .sampling import BLOCK_PATHS
from .sizes import MAX_PATHS, MAX_PATHS_DEFAULT
from .sizes import PRECISION_OUTPUTS as OUTPUTS

FIRST_CHECK_PATHS = 1_024


@dataclass(frozen=True)
class Precision:
    """Run until the 95% interval of ``output`` is at most ``half_width`` either side of its
    estimate (a probability for ``p_target``, else in the output's own unit), or until
    ``max_paths``."""

    half_width: float
    output: str = "p_target"
    max_paths: int = MAX_PATHS_DEFAULT

    def __post_init__(self):
        if self.output not in OUTPUTS:
            raise ArgumentError("precision_of", self.output, f"allowed: {', '.join(OUTPUTS)}")
        if not (np.isfinite(self.half_width) and self.half_width > 0):
            raise ArgumentError("precision", self.half_width, "must be a number above 0")
        if self.output == "p_target" and self.half_width >= 0.5:
            raise ArgumentError(
                "precision", self.half_width, "for P(target) must be below 0.5 (a probability)"
            )
        if not FIRST_CHECK_PATHS <= self.max_paths <= MAX_PATHS:
            raise ArgumentError(
                "max_paths", self.max_paths, f"must be from {FIRST_CHECK_PATHS:,} to {MAX_PATHS:,}"
            )


@dataclass(frozen=True)
class PrecisionReached:
    """How precise a run under precision control became, and at how many paths it stopped."""

    output: str
    asked_half_width: float
    half_width: float  # of the 95% interval at the paths used
    paths: int
    max_paths: int
    reached: bool


def check_points(max_paths: int) -> list[int]:
    """Path counts at which a run under precision control checks its estimate."""
    points, n = [], FIRST_CHECK_PATHS
    while n < min(BLOCK_PATHS, max_paths):
        points.append(n)
        n *= 2
    n = BLOCK_PATHS
    while n < max_paths:
        points.append(n)
        n += BLOCK_PATHS
    return points + [max_paths]


def half_width_95(output: str, values: np.ndarray) -> float:
    """Half the width of the 95% interval of P(target) (``values`` are the paths' hits) or
    of the mean of ``values``."""
    n = values.size
    z = special.ndtri(0.975)
    if output == "p_target":
        p = float(values.mean())
        # Wilson's interval (as ``wilson_interval``), whose width is 2 z s / (1 + z^2/n)
        s = np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
        return float(z * s / (1 + z * z / n))
    return float(z * values.std(ddof=1) / np.sqrt(n)) if n > 1 else float("inf")


def reached(precision: Precision, values: np.ndarray) -> PrecisionReached:
    half = half_width_95(precision.output, values)
    return PrecisionReached(
        output=precision.output,
        asked_half_width=precision.half_width,
        half_width=half,
        paths=values.size,
        max_paths=precision.max_paths,
        reached=half <= precision.half_width,
    )
