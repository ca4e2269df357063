"""Distributions an uncertain scenario input may carry, each sampled by its inverse CDF.

A number in a scenario may be written as a mapping with ``dist`` naming one of these. Every
distribution maps uniforms u in [0, 1) to values by ``ppf``, so random, Latin-hypercube and
Sobol samplers and the Gaussian copula all work on any of them. Its central value, used by
the deterministic run, is its median.
"""

import bisect
import itertools
import math
from typing import Annotated, ClassVar, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    model_validator,
)

from . import bounds
from .bounds import Interval, Unsure

# numpy and scipy.special are imported where a distribution is evaluated, not here: checking
# a scenario (`evlaunch validate`) then starts without them (0.07 s and 0.2 s to import), its
# supports checked exactly in plain floats, or on intervals that hold them where those decide
# (``bounds.py``).
Z90 = 1.2815515655446004  # standard normal P90: scipy.special.ndtri(0.9) to the last bit
U_MIN = bounds.U_MIN  # samplers draw u in [U_MIN, 1 - U_MIN], so inverse CDFs stay finite


class _Dist(BaseModel):
    # defer_build: the validator is built once, for the whole scenario on its first
    # validation, not once for every model as its class is made (5 ms of `evlaunch validate`)
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, defer_build=True)

    def ppf(self, u):  # pragma: no cover - overridden
        """(n,) values at (n,) uniforms ``u`` (numpy arrays)."""
        raise NotImplementedError

    def _ppf_float(self, u: float) -> float | None:
        """``ppf`` at one u in plain floats, the same operations on the same doubles (so the
        same value), where the distribution has such a form; else None."""
        return None

    @property
    def central(self) -> float:
        return self.quantile(0.5)

    @property
    def support(self) -> tuple[float, float]:
        """Smallest and largest value the samplers can draw (an unbounded normal: about
        8.2 standard deviations either side of its mean)."""
        np = _numpy()
        with np.errstate(over="ignore", invalid="ignore"):  # overflow shows as nan: refused
            ends = self.ppf(np.array([U_MIN, 1.0 - U_MIN]))
        return float(ends[0]), float(ends[1])

    def support_bounds(self) -> tuple[Interval, Interval]:
        """Intervals that hold ``support``'s two ends, found without numpy or scipy where
        this distribution allows; here, the exact ends themselves."""
        ends = [self._ppf_float(u) for u in (U_MIN, 1.0 - U_MIN)]
        low, high = self.support if None in ends else ends
        return Interval.point(low), Interval.point(high)

    def quantile(self, q: float) -> float:
        np = _numpy()
        return float(self.ppf(np.array([q]))[0])


class _Bounded(_Dist):
    """Optional truncation to [low, high] (by rescaling u, so no draw is clipped)."""

    low: float | None = None
    high: float | None = None

    def _unit_cdf_range(self) -> tuple[float, float]:
        lo = 0.0 if self.low is None else float(self._cdf(self.low))
        hi = 1.0 if self.high is None else float(self._cdf(self.high))
        return lo, hi

    def ppf(self, u):
        np = _numpy()
        lo, hi = self._unit_cdf_range()
        return self._ppf(lo + np.asarray(u, dtype=float) * (hi - lo))

    def _ready(self) -> bool:
        return True

    def _unit_cdf_bounds(self) -> tuple[Interval, Interval]:
        """Intervals holding ``_unit_cdf_range``'s two values."""
        lo, hi = self._unit_cdf_range()
        return Interval.point(lo), Interval.point(hi)

    @model_validator(mode="after")
    def _bounds_hold_mass(self):
        if not self._ready():  # parameters missing: that error is reported on its own
            return self
        if self.low is not None and self.high is not None and self.low >= self.high:
            raise ValueError(f"low ({self.low}) must be below high ({self.high})")
        lo, hi = self._unit_cdf_bounds()
        if hi.low > lo.high:  # certainly some mass between the bounds
            return self
        lo, hi = self._unit_cdf_range()
        if hi - lo <= 0 and not self._degenerate():
            raise ValueError(f"the bounds [{self.low}, {self.high}] hold none of the distribution")
        return self


class _NormalFamily(_Bounded):
    """A normal in some transform z of the value (the identity, or the log): its centre and
    spread are two named fields, or come from a P10 and P90."""

    center_field: ClassVar[str]
    scale_field: ClassVar[str]
    to_z: ClassVar = staticmethod(lambda x: x)
    from_z: ClassVar = staticmethod(lambda z: z)
    # where to_z and from_z's values lie, by the standard library (``bounds.py``)
    transform: ClassVar = bounds.IDENTITY

    @property
    def _center(self) -> float:
        return self.to_z(getattr(self, self.center_field))

    @property
    def _scale(self) -> float:
        return getattr(self, self.scale_field)

    @model_validator(mode="before")
    @classmethod
    def _from_percentiles(cls, data):
        if isinstance(data, dict) and "p10" in data and "p90" in data:
            p10, p90 = data["p10"], data["p90"]
            if isinstance(p10, (int, float)) and isinstance(p90, (int, float)):
                if p10 > p90:
                    raise ValueError(f"p10 ({p10}) is above p90 ({p90})")
                np = _numpy()
                with np.errstate(divide="ignore", invalid="ignore"):
                    z10, z90 = cls.to_z(float(p10)), cls.to_z(float(p90))
                if np.isfinite(z10) and np.isfinite(z90):
                    data = {
                        **data,
                        cls.center_field: float(cls.from_z((z10 + z90) / 2)),
                        cls.scale_field: float((z90 - z10) / (2 * Z90)),
                    }
        return data

    @model_validator(mode="after")
    def _has_parameters(self):
        if getattr(self, self.center_field) is None or self._scale is None:
            raise ValueError(
                f"a {self.dist} needs {self.center_field} and {self.scale_field}, or p10 and p90"
            )
        return self

    def _ready(self) -> bool:
        return getattr(self, self.center_field) is not None and self._scale is not None

    def _degenerate(self) -> bool:
        return self._scale == 0

    def _cdf(self, x):
        np = _numpy()
        with np.errstate(divide="ignore"):
            z = self.to_z(x)
        if self._scale == 0:
            return 0.0 if z < self._center else 1.0
        from scipy import special

        return special.ndtr((z - self._center) / self._scale)

    def _ppf(self, u):
        from scipy import special

        return self.from_z(self._center + self._scale * special.ndtri(u))

    def ppf(self, u):
        if self._scale == 0:
            np = _numpy()
            return np.full_like(np.asarray(u, dtype=float), getattr(self, self.center_field))
        return super().ppf(u)

    def _unit_cdf_bounds(self) -> tuple[Interval, Interval]:
        if self._scale != 0:  # (a point mass's is exact, and without scipy)
            try:
                return self._bounds().unit_cdf_range()
            except Unsure:
                pass
        return super()._unit_cdf_bounds()

    def support_bounds(self) -> tuple[Interval, Interval]:
        if self._scale != 0:
            try:
                return self._bounds().support()
            except Unsure:
                pass
        return super().support_bounds()

    def _bounds(self) -> bounds.NormalFamily:
        return bounds.NormalFamily(
            getattr(self, self.center_field), self._scale, self.low, self.high, self.transform
        )


class Normal(_NormalFamily):
    """Normal by ``mean`` and ``sd``, or by ``p10`` and ``p90``; optionally truncated."""

    dist: Literal["normal"]
    mean: float | None = None
    sd: float | None = Field(default=None, ge=0)
    p10: float | None = None
    p90: float | None = None
    center_field: ClassVar[str] = "mean"
    scale_field: ClassVar[str] = "sd"


class LogNormal(_NormalFamily):
    """Lognormal by ``median`` and ``sigma`` (sd of the log), or by ``p10`` and ``p90`` > 0."""

    dist: Literal["lognormal"]
    median: float | None = Field(default=None, gt=0)
    sigma: float | None = Field(default=None, ge=0)
    p10: float | None = Field(default=None, gt=0)
    p90: float | None = Field(default=None, gt=0)
    center_field: ClassVar[str] = "median"
    scale_field: ClassVar[str] = "sigma"
    to_z: ClassVar = staticmethod(lambda x: _numpy().log(x))
    from_z: ClassVar = staticmethod(lambda z: _numpy().exp(z))
    transform: ClassVar = bounds.LOG


class Uniform(_Dist):
    dist: Literal["uniform"]
    low: float
    high: float

    @model_validator(mode="after")
    def _ordered(self):
        if self.low > self.high:
            raise ValueError(f"low ({self.low}) is above high ({self.high})")
        return self

    def ppf(self, u):
        return self.low + _numpy().asarray(u, dtype=float) * (self.high - self.low)

    def _ppf_float(self, u: float) -> float:
        return self.low + u * (self.high - self.low)


class _ThreePoint(_Dist):
    low: float
    mode: float
    high: float

    @model_validator(mode="after")
    def _ordered(self):
        if not self.low <= self.mode <= self.high:
            raise ValueError(f"need low <= mode <= high, got {self.low}, {self.mode}, {self.high}")
        return self

    def ppf(self, u):
        np = _numpy()
        u = np.asarray(u, dtype=float)
        width = self.high - self.low
        return np.full_like(u, self.mode) if width == 0 else self._ppf(u, width)


class Triangular(_ThreePoint):
    dist: Literal["triangular"]

    def _ppf(self, u, width):
        np = _numpy()
        c = (self.mode - self.low) / width
        return np.where(
            u < c,
            self.low + np.sqrt(u * width * (self.mode - self.low)),
            self.high - np.sqrt((1 - u) * width * (self.high - self.mode)),
        )

    def _ppf_float(self, u: float) -> float:
        width = self.high - self.low
        if width == 0:
            return self.mode
        if u < (self.mode - self.low) / width:  # sqrt is correctly rounded, as numpy's
            return self.low + math.sqrt(u * width * (self.mode - self.low))
        return self.high - math.sqrt((1 - u) * width * (self.high - self.mode))


class Pert(_ThreePoint):
    """PERT: a beta on [low, high] with mean (low + 4 mode + high) / 6 (lambda = 4)."""

    dist: Literal["pert"]

    def beta_shape(self, width: float) -> tuple[float, float]:
        """The beta's (alpha, beta) on [low, low + ``width``] (width = high - low > 0)."""
        return 1 + 4 * (self.mode - self.low) / width, 1 + 4 * (self.high - self.mode) / width

    def _ppf(self, u, width):
        a, b = self.beta_shape(width)
        from scipy import special

        return self.low + width * special.betaincinv(a, b, u)

    def support_bounds(self) -> tuple[Interval, Interval]:
        width = self.high - self.low
        if width == 0:
            return super().support_bounds()
        # low + width x for x in [0, 1] (the beta's inverse CDF), rounding monotonically
        both = Interval(self.low, self.low + width)
        return both, both


class Discrete(_Dist):
    """Values with probabilities (which must sum to 1)."""

    dist: Literal["discrete"]
    values: list[float] = Field(min_length=1)
    probabilities: list[float] = Field(min_length=1)

    @model_validator(mode="after")
    def _valid(self):
        if len(self.values) != len(self.probabilities):
            raise ValueError(
                f"{len(self.values)} values but {len(self.probabilities)} probabilities"
            )
        if any(p < 0 for p in self.probabilities) or abs(sum(self.probabilities) - 1) > 1e-6:
            raise ValueError(f"probabilities must be >= 0 and sum to 1, got {self.probabilities}")
        return self

    def ppf(self, u):
        np = _numpy()
        order = np.argsort(self.values, kind="stable")
        values = np.asarray(self.values)[order]
        cdf = np.cumsum(np.asarray(self.probabilities)[order])
        cdf[-1] = 1.0
        index = np.searchsorted(cdf, np.asarray(u, dtype=float), side="right")
        return values[np.minimum(index, len(values) - 1)]

    def _ppf_float(self, u: float) -> float:
        order = sorted(range(len(self.values)), key=self.values.__getitem__)  # stable
        cdf = list(itertools.accumulate(self.probabilities[i] for i in order))  # in order
        cdf[-1] = 1.0
        index = bisect.bisect_right(cdf, u)
        return float(self.values[order[min(index, len(order) - 1)]])


class Empirical(_Dist):
    """Observed values, each equally likely (resampled, not interpolated)."""

    dist: Literal["empirical"]
    values: list[float] = Field(min_length=1)

    def ppf(self, u):
        np = _numpy()
        values = np.sort(np.asarray(self.values, dtype=float))
        index = np.floor(np.asarray(u, dtype=float) * len(values)).astype(int)
        return values[np.clip(index, 0, len(values) - 1)]

    def _ppf_float(self, u: float) -> float:
        values = sorted(float(v) for v in self.values)
        return values[min(max(math.floor(u * len(values)), 0), len(values) - 1)]


Distribution = Annotated[
    Normal | LogNormal | Uniform | Triangular | Pert | Discrete | Empirical,
    Field(discriminator="dist"),
]


def _numpy():
    """numpy, imported on a distribution's first evaluation (not to check a scenario)."""
    import numpy

    return numpy


def central(value) -> float:
    """A plain number, or a distribution's median."""
    return value.central if isinstance(value, _Dist) else float(value)


def support(value) -> tuple[float, float]:
    """Smallest and largest value a number or distribution can take."""
    return value.support if isinstance(value, _Dist) else (float(value), float(value))


def support_bounds(value) -> tuple[Interval, Interval]:
    """Intervals that hold ``support(value)``'s two ends (``_Dist.support_bounds``): a check
    they decide is decided as on the exact ends, without scipy."""
    if isinstance(value, _Dist):
        return value.support_bounds()
    return Interval.point(float(value)), Interval.point(float(value))


def is_uncertain(value) -> bool:
    return isinstance(value, _Dist)
