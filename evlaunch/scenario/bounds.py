"""Intervals that hold what scipy's normal CDF and inverse CDF (``ndtr``, ``ndtri``) would
return, computed with the standard library only: checking a scenario then needs no scipy
(0.2 s to import, a third of `evlaunch validate`).

A check decided on these intervals is decided as the exact values would decide it; one they
cannot decide (an interval straddles the limit) is made on the exact values instead. The
intervals are wide enough by construction: each bound is rounded outwards, and each function
of another library is allowed ``RELATIVE`` of error (and erfc more in its far tail), ten to
a hundred times what they differ by (scipy's cephes ``ndtr``/``ndtri``, the C library's
``erfc`` and Wichura's AS241 in ``statistics``, measured on millions of points in
``tests/scenario/test_bounds.py``); numpy's ``exp`` and ``log`` are allowed ``ULPS`` units in
the last place from the C library's. Where the inputs are the same doubles and the
arithmetic the same operations, the interval is a single point: the exact value.
"""

import math
from statistics import NormalDist
from typing import NamedTuple

RELATIVE = 1e-13
ULPS = 4
SQRT1_2 = 0.7071067811865476  # 1 / sqrt(2), as the C library's M_SQRT1_2
U_MIN = 2.0**-53  # as distributions.U_MIN: the samplers' smallest and largest u
# scipy.special.ndtri at U_MIN and 1 - U_MIN, to the last bit (tests/scenario/test_bounds.py)
NDTRI_ENDS = {U_MIN: -8.209536151601387, 1.0 - U_MIN: 8.209536151601387}
_STANDARD = NormalDist()


class Unsure(Exception):
    """The intervals cannot be found here (a float overflows, an argument is out of range):
    compute the exact value instead."""


class Interval(NamedTuple):
    low: float
    high: float

    @classmethod
    def point(cls, x: float) -> "Interval":
        return cls(x, x)

    @property
    def is_point(self) -> bool:
        return self.low == self.high


def down(x: float, ulps: int = 1) -> float:
    for _ in range(ulps):
        x = math.nextafter(x, -math.inf)
    return x


def up(x: float, ulps: int = 1) -> float:
    for _ in range(ulps):
        x = math.nextafter(x, math.inf)
    return x


def numpy_log(x: float) -> Interval:
    """Where numpy's log of ``x`` lies (within ``ULPS`` of the C library's)."""
    if not x > 0 or not math.isfinite(x):
        raise Unsure
    y = math.log(x)
    return Interval(down(y, ULPS), up(y, ULPS))


def numpy_exp(z: Interval) -> Interval:
    """Where numpy's exp lies for any argument in ``z`` (exp increases)."""
    try:
        return Interval(down(math.exp(z.low), ULPS), up(math.exp(z.high), ULPS))
    except OverflowError:
        raise Unsure from None


def _widened(x: float, relative: float) -> Interval:
    spread = abs(x) * relative
    return Interval(down(x - spread, 2), up(x + spread, 2))


def ndtr(t: Interval) -> Interval:
    """Where scipy's ndtr(t') lies for every t' in ``t`` (it increases with t)."""
    return Interval(_ndtr_side(t.low, -1), _ndtr_side(t.high, +1))


def _ndtr_side(t: float, side: int) -> float:
    """A lower (side -1) or upper (+1) bound on scipy's ndtr(t)."""
    if math.isnan(t):
        raise Unsure
    if math.isinf(t):
        return 0.0 if t < 0 else 1.0
    x = t * SQRT1_2
    # erfc's argument, off by half a unit in the last place, and its square (in exp(-x^2))
    # move it by about 2 x^2 of them: both libraries' erfc drift so far from x = 20 on
    relative = RELATIVE + 16.0 * x * x * 2.0**-52
    if x >= SQRT1_2:
        # scipy's upper half is 1 - erfc(x) / 2, rounded once: rounding is monotone, so the
        # bounds on the tail give bounds on it, and a far tail pins it to a single double
        tail = 0.5 * math.erfc(x)
        if tail < 1e-300:  # subnormal tails lose their relative precision
            raise Unsure
        if side < 0:
            return 1.0 - up(tail * (1.0 + relative), 2)
        return 1.0 - down(tail * (1.0 - relative), 2)
    p = 0.5 * math.erfc(-x)
    if p < 1e-300:
        raise Unsure
    return down(p * (1.0 - relative), 2) if side < 0 else up(p * (1.0 + relative), 2)


def ndtri(u: Interval) -> Interval:
    """Where scipy's ndtri(u') lies for every u' in ``u`` (it increases with u)."""
    return Interval(_ndtri_side(u.low, -1), _ndtri_side(u.high, +1))


def _ndtri_side(u: float, side: int) -> float:
    if u in NDTRI_ENDS:
        return NDTRI_ENDS[u]
    if u <= 0.0:
        return -math.inf
    if u >= 1.0:
        return math.inf
    z = _STANDARD.inv_cdf(u)
    spread = abs(z) * RELATIVE + 1e-300
    return down(z - spread, 2) if side < 0 else up(z + spread, 2)


def between(lo: Interval, hi: Interval, q: float) -> Interval:
    """Where lo + q (hi - lo) lies, 0 <= q <= 1, for lo and hi anywhere in theirs: computed
    as ``distributions._Bounded.ppf`` computes it, exactly when both are points."""
    if lo.is_point and hi.is_point:
        return Interval.point(lo.low + q * (hi.low - lo.low))
    # increasing in both; each corner's rounding is within two units of its real value
    return Interval(
        down(lo.low + q * (hi.low - lo.low), 4), up(lo.high + q * (hi.high - lo.high), 4)
    )


def affine(center: Interval, scale: float, z: Interval) -> Interval:
    """Where center + scale z lies (scale >= 0): computed as the exact path computes it,
    which rounds monotonically, when the centre is one double."""
    if center.is_point:
        return Interval(center.low + scale * z.low, center.low + scale * z.high)
    return Interval(down(center.low + scale * z.low, 2), up(center.high + scale * z.high, 2))


class Transform(NamedTuple):
    """Where a normal family's to_z and from_z put a value: the identity, or numpy's log and
    exp (``distributions._NormalFamily``)."""

    to_z: object  # float -> Interval
    from_z: object  # Interval -> Interval


IDENTITY = Transform(lambda x: Interval.point(float(x)), lambda z: z)
LOG = Transform(numpy_log, numpy_exp)


class NormalFamily(NamedTuple):
    """A normal in z = transform(value), centred at transform(centre) with ``scale`` > 0,
    truncated to [low, high]: intervals holding what ``distributions._NormalFamily``
    computes exactly. Raises Unsure where it cannot tell."""

    centre: float
    scale: float
    low: float | None
    high: float | None
    transform: Transform

    def unit_cdf_range(self) -> tuple[Interval, Interval]:
        """The CDF at low and at high (0 and 1 where unbounded)."""
        centre = self.transform.to_z(self.centre)
        return (
            Interval.point(0.0) if self.low is None else ndtr(self._t(self.low, centre)),
            Interval.point(1.0) if self.high is None else ndtr(self._t(self.high, centre)),
        )

    def _t(self, x: float, centre: Interval) -> Interval:
        """(to_z(x) - centre) / scale, as ``_cdf`` computes it."""
        z = self.transform.to_z(x)
        if z.is_point and centre.is_point:
            return Interval.point((z.low - centre.low) / self.scale)
        return Interval(
            down((z.low - centre.high) / self.scale, 2), up((z.high - centre.low) / self.scale, 2)
        )

    def support(self) -> tuple[Interval, Interval]:
        """The smallest and largest value the samplers draw, at U_MIN and 1 - U_MIN."""
        centre = self.transform.to_z(self.centre)
        lo, hi = self.unit_cdf_range()
        low, high = (
            self.transform.from_z(affine(centre, self.scale, ndtri(between(lo, hi, q))))
            for q in (U_MIN, 1.0 - U_MIN)
        )
        return low, high
