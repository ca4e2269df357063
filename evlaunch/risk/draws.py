"""The compiled stages of drawing uncertain inputs: Latin-hypercube columns, the Gaussian
copula and the inverse CDFs, each spread over the cores in pieces of a fixed size.

Each piece is a numba function that releases the GIL, run on a pool of threads. A piece's
numbers depend on its own data only (a column of a block, or a fixed range of paths), never
on which thread runs it or how many there are.

The standard normal's inverse CDF is Wichura's AS241, in a loop that runs in vector
registers (``normal_quantiles``); ndtr and betaincinv are scipy.special's own (its Cython
API). Each input's values are what ``scenario.distributions`` gives with numpy and scipy to
within 1e-14 relative (of the spread, where a value passes 0), and scipy.stats's to within
1e-12 (tests/risk/test_draws.py).
"""

import numpy as np
from llvmlite import binding
from numba import njit, types
from numba.extending import get_cython_function_address

from ..scenario import distributions as dists
from ..scenario.distributions import U_MIN
from ..threads import spread

PIECE_PATHS = 16_384  # paths of one piece of the copula or the inverse CDFs


def _scipy_special(name: str, symbol: str, arguments: int) -> types.ExternalFunction:
    """scipy.special.cython_special's ``name`` (double in, double out) as a function numba
    links by name, so the functions that call it can be cached on disk."""
    address = get_cython_function_address("scipy.special.cython_special", name)
    binding.add_symbol(symbol, address)
    # a cpdef function's C signature ends in Cython's "skip dispatch" flag: pass 0
    doubles = (types.float64,) * arguments
    return types.ExternalFunction(symbol, types.float64(*doubles, types.intc))


_ndtr = _scipy_special("__pyx_fuse_1ndtr", "evlaunch_ndtr", 1)
_betaincinv = _scipy_special("__pyx_fuse_0betaincinv", "evlaunch_betaincinv", 3)

# Wichura's AS241 coefficients, highest power first, as CPython's statistics module has them
_CENTRAL_NUMERATOR = (
    2.5090809287301226727e3, 3.3430575583588128105e4, 6.7265770927008700853e4,
    4.5921953931549871457e4, 1.3731693765509461125e4, 1.9715909503065514427e3,
    1.3314166789178437745e2, 3.3871328727963666080e0,
)  # fmt: skip
_CENTRAL_DENOMINATOR = (
    5.2264952788528545610e3, 2.8729085735721942674e4, 3.9307895800092710610e4,
    2.1213794301586595867e4, 5.3941960214247511077e3, 6.8718700749205790830e2,
    4.2313330701600911252e1, 1.0,
)  # fmt: skip
_TAIL_NUMERATOR = (
    7.74545014278341407640e-4, 2.27238449892691845833e-2, 2.41780725177450611770e-1,
    1.27045825245236838258e0, 3.64784832476320460504e0, 5.76949722146069140550e0,
    4.63033784615654529590e0, 1.42343711074968357734e0,
)  # fmt: skip
_TAIL_DENOMINATOR = (
    1.05075007164441684324e-9, 5.47593808499534494600e-4, 1.51986665636164571966e-2,
    1.48103976427480074590e-1, 6.89767334985100004550e-1, 1.67638483018380384940e0,
    2.05319162663775882187e0, 1.0,
)  # fmt: skip
_FAR_NUMERATOR = (
    2.01033439929228813265e-7, 2.71155556874348757815e-5, 1.24266094738807843860e-3,
    2.65321895265761230930e-2, 2.96560571828504891230e-1, 1.78482653991729133580e0,
    5.46378491116411436990e0, 6.65790464350110377720e0,
)  # fmt: skip
_FAR_DENOMINATOR = (
    2.04426310338993978564e-15, 1.42151175831644588870e-7, 1.84631831751005468180e-5,
    7.86869131145613259100e-4, 1.48753612908506148525e-2, 1.36929880922735805310e-1,
    5.99832206555887937690e-1, 1.0,
)  # fmt: skip


@njit(nogil=True, cache=True, error_model="numpy", inline="always")
def _horner(x: float, c) -> float:
    """c[0] x^7 + ... + c[7], written out: a loop over the tuple would keep the loop that
    calls this from running in vector registers."""
    return (
        (((((c[0] * x + c[1]) * x + c[2]) * x + c[3]) * x + c[4]) * x + c[5]) * x + c[6]
    ) * x + c[7]


@njit(nogil=True, cache=True, error_model="numpy", inline="always")
def _central(p: float) -> float:
    q = p - 0.5
    r = 0.180625 - q * q
    return _horner(r, _CENTRAL_NUMERATOR) * q / _horner(r, _CENTRAL_DENOMINATOR)


@njit(nogil=True, cache=True, error_model="numpy", inline="always")
def _tail(p: float) -> float:
    q = p - 0.5
    r = np.sqrt(-np.log(p if q <= 0.0 else 1.0 - p))
    if r <= 5.0:
        x = _horner(r - 1.6, _TAIL_NUMERATOR) / _horner(r - 1.6, _TAIL_DENOMINATOR)
    else:
        x = _horner(r - 5.0, _FAR_NUMERATOR) / _horner(r - 5.0, _FAR_DENOMINATOR)
    return -x if q < 0.0 else x


@njit(nogil=True, cache=True, error_model="numpy")
def normal_quantiles(u, z, low: float = 0.0, high: float = 1.0, a: float = 0.0, b: float = 1.0):
    """``z`` <- a + b ndtri(low + u (high - low)) for 1-D arrays ``u`` (in [0, 1]) and ``z``
    (not the same one): a normal's inverse CDF, truncated to the unit CDF range (low, high).

    ndtri is Wichura's AS241 (1988, Appl. Statist. 37(3):477-484), relative error about
    1e-16, in the steps of CPython's ``statistics.NormalDist.inv_cdf``: within 1.1e-15
    relative of scipy.special.ndtri on [U_MIN, 1 - U_MIN] (tests/risk/test_draws.py), and
    several times faster, because every point is first given the central formula in a loop
    without branches or calls, which runs in vector registers; only the tails
    (|p - 1/2| > 0.425, 15% of uniforms) are then computed one by one.
    """
    for i in range(u.size):
        z[i] = a + b * _central(low + u[i] * (high - low))
    # the tails' points listed first: a loop over all points would compute the tail formula,
    # log and all, for every point in a vector register and keep a few
    tails = np.empty(u.size, dtype=np.int64)
    count = 0
    for i in range(u.size):  # without a branch: which points are in the tails is random
        tails[count] = i
        count += abs(low + u[i] * (high - low) - 0.5) > 0.425
    for k in range(count):
        z[tails[k]] = a + b * _tail(low + u[tails[k]] * (high - low))


# How each input's inverse CDF is computed (``shape_of``): its kind and up to four numbers
CONSTANT, NORMAL, LOGNORMAL, UNIFORM, TRIANGULAR, PERT, BY_NUMPY = range(7)


@njit(nogil=True, cache=True, error_model="numpy")
def shuffled_strata(draws: np.ndarray, column: np.ndarray) -> None:
    """``column`` (n,) <- one Latin-hypercube column: a random permutation of the n strata,
    each point uniform within its stratum, from n uniforms ``draws`` in [0, 1).

    Durstenfeld's Fisher-Yates shuffle (1964, CACM 7(7):420) from the last position down:
    step i swaps position i with j = floor(m v), m = i + 1, v = draws[i], and position i is
    then final. Its point within its stratum is the fraction m v - j: for v uniform, the
    integer and fractional parts of m v are independent uniforms, and that v plays no other
    part, so the offset is independent of every stratum (one uniform a point, not two).
    With 53-bit v, j is uniform to within m / 2^53 (below 1e-11 here); each column holds
    exactly one point in each stratum whatever the numbers.
    """
    n = column.size
    strata = np.arange(n)
    for i in range(n - 1, -1, -1):
        scaled = draws[i] * (i + 1)
        j = min(int(scaled), i)  # (the product may round up to i + 1)
        strata[i], strata[j] = strata[j], strata[i]
        within = strata[i] + min(scaled - j, 1.0)
        if within >= strata[i] + 1:  # at the very top of its stratum, rounded onto the next
            within = np.nextafter(strata[i] + 1.0, 0.0)
        column[i] = within / n


@njit(nogil=True, cache=True, error_model="numpy")
def correlated(u, pick, linked, factor, out, first: int, stop: int) -> None:
    """``out[c, first:stop]`` <- uniforms column ``pick[c]`` of ``u`` (inputs x paths), kept
    inside [U_MIN, 1 - U_MIN]; the ``linked`` ones (indices into ``out``) then correlated
    through the Gaussian copula: z = ndtri(u), z <- factor z, u = ndtr(z), kept inside again.
    """
    top = 1.0 - U_MIN
    for c in range(pick.size):
        for i in range(first, stop):
            out[c, i] = min(max(u[pick[c], i], U_MIN), top)
    m = linked.size
    z = np.empty((m, stop - first))
    for a in range(m):
        normal_quantiles(out[linked[a], first:stop], z[a])
    for i in range(stop - first):
        for a in range(m):
            mixed = 0.0
            for b in range(m):
                mixed += factor[a, b] * z[b, i]
            out[linked[a], first + i] = min(max(_ndtr(mixed, 0), U_MIN), top)


@njit(nogil=True, cache=True, error_model="numpy")
def inverse_cdfs(u, kinds, shapes, out, first: int, stop: int) -> None:
    """``out[c, first:stop]`` <- input c's value at uniforms ``u[c, first:stop]``, by its
    kind and shape (``shape_of``); the operations of the numpy ``ppf`` in the same order.
    Inputs of kind BY_NUMPY are left to their own ``ppf``."""
    for c in range(kinds.size):
        kind = kinds[c]
        a, b, low, high = shapes[c, 0], shapes[c, 1], shapes[c, 2], shapes[c, 3]
        if kind == CONSTANT:
            out[c, first:stop] = a
        elif kind == NORMAL or kind == LOGNORMAL:  # centre a, scale b, truncated to (low, high)
            # (a lognormal's exp is numpy's: ``invert``)
            normal_quantiles(u[c, first:stop], out[c, first:stop], low, high, a, b)
        elif kind == UNIFORM:  # low a, width b
            for i in range(first, stop):
                out[c, i] = a + u[c, i] * b
        elif kind == TRIANGULAR:  # low a, width b, mode low, high high
            split = (low - a) / b
            for i in range(first, stop):
                x = u[c, i]
                if x < split:
                    out[c, i] = a + np.sqrt(x * b * (low - a))
                else:
                    out[c, i] = high - np.sqrt((1 - x) * b * (high - low))
        elif kind == PERT:  # low a, width b, beta's alpha low and beta high
            for i in range(first, stop):
                out[c, i] = a + b * _betaincinv(low, high, u[c, i], 0)


def shape_of(dist) -> tuple[int, tuple[float, float, float, float]]:
    """The kind and the numbers ``inverse_cdfs`` computes distribution ``dist``'s inverse
    CDF by: what its ``ppf`` computes, the same parameters in the same operations."""
    if isinstance(dist, dists._NormalFamily):
        if dist._scale == 0:
            return CONSTANT, (getattr(dist, dist.center_field), 0.0, 0.0, 0.0)
        lo, hi = dist._unit_cdf_range()
        kind = LOGNORMAL if isinstance(dist, dists.LogNormal) else NORMAL
        return kind, (dist._center, dist._scale, lo, hi)
    if isinstance(dist, dists.Uniform):
        return UNIFORM, (dist.low, dist.high - dist.low, 0.0, 0.0)
    if isinstance(dist, dists._ThreePoint):
        width = dist.high - dist.low
        if width == 0:
            return CONSTANT, (dist.mode, 0.0, 0.0, 0.0)
        if isinstance(dist, dists.Triangular):
            return TRIANGULAR, (dist.low, width, dist.mode, dist.high)
        return PERT, (dist.low, width, *dist.beta_shape(width))
    return BY_NUMPY, (0.0, 0.0, 0.0, 0.0)


def latin_columns(n: int, d: int, entropy: tuple[int, ...]) -> np.ndarray:
    """(d, n): d Latin-hypercube columns of n points, column j drawn from n uniforms of
    numpy's generator seeded by (*entropy, j)."""
    columns = np.empty((d, n))

    def draw_column(j: int) -> None:
        shuffled_strata(np.random.default_rng([*entropy, j]).random(n), columns[j])

    spread(draw_column, range(d))
    return columns


def correlate(u, pick, linked, factor) -> np.ndarray:
    """(len(pick), paths) uniforms: ``correlated`` on every path of ``u`` (inputs x paths)."""
    out = np.empty((pick.size, u.shape[1]))
    spread(lambda first: correlated(u, pick, linked, factor, out, *_piece(first, u)), _pieces(u))
    return out


def invert(u, kinds, shapes, lognormal: list[int]) -> np.ndarray:
    """(inputs, paths) values: ``inverse_cdfs`` on every path of ``u`` (inputs x paths), the
    rows ``lognormal`` then exponentiated (numpy's exp, as the lognormal's ``ppf``)."""
    out = np.empty(u.shape)

    def piece(first: int) -> None:
        first, stop = _piece(first, u)
        inverse_cdfs(u, kinds, shapes, out, first, stop)
        for c in lognormal:
            np.exp(out[c, first:stop], out=out[c, first:stop])

    spread(piece, _pieces(u))
    return out


def _pieces(u) -> range:
    """The first path of each piece of ``u``'s paths (its second axis)."""
    return range(0, u.shape[1], PIECE_PATHS)


def _piece(first: int, u) -> tuple[int, int]:
    return first, min(first + PIECE_PATHS, u.shape[1])
