"""Sobol indices by Saltelli's design: a scrambled Sobol' sequence, its cross-sampled rows,
and the first-order and total estimators with bootstrap intervals.

Written here, in numpy, rather than imported from SALib: SALib brings scipy.stats and pandas
with it, a second of importing before `evlaunch risk` can print anything. The numbers are
SALib 1.6's (``SALib.sample.sobol`` without second order, ``SALib.analyze.sobol``) bit for
bit, which ``tests/risk/test_saltelli.py`` checks against SALib itself, with one exception:
SALib resamples from numpy's unseeded global generator when the seed is 0, so its intervals
then change from run to run; here the seed seeds them always.
"""

from pathlib import Path

import numpy as np
import scipy
from scipy import special

BITS = 30  # a point's coordinates are multiples of 2**-30, as scipy's Sobol' engine draws
RESAMPLES = 100  # bootstrap resamples behind each interval
CONFIDENCE = 0.95
EPS = np.finfo(float).eps


def _direction_numbers(d: int) -> np.ndarray:
    """(d, BITS) direction numbers of the first d dimensions, each column j scaled by
    2**(BITS - 1 - j) (Bratley & Fox 1988, ACM TOMS 14:88-100, section 2).

    The primitive polynomials and initial numbers are Joe & Kuo's D(6) set (ACM TOMS
    29:49-57, 2003), read from the file scipy ships them in: the same table its engine uses.
    """
    table = np.load(Path(scipy.__file__).parent / "stats" / "_sobol_direction_numbers.npz")
    poly, first = table["poly"][:d].tolist(), table["vinit"][:d].tolist()
    v = np.zeros((d, BITS), dtype=np.int64)
    v[:1] = 1  # the first dimension is the van der Corput sequence
    for k in range(1, d):
        degree = poly[k].bit_length() - 1
        row = first[k][:degree]
        for j in range(degree, BITS):
            new = row[j - degree]
            for i in range(1, degree + 1):  # the polynomial's coefficients, highest first
                if (poly[k] >> (degree - i)) & 1:
                    new ^= row[j - i] << i
            row.append(new)
        v[k] = row
    return v << (BITS - 1 - np.arange(BITS))


def scrambled_sobol(n: int, d: int, seed: int) -> np.ndarray:
    """(n, d) the first n points of a Sobol' sequence scrambled by a linear matrix scramble
    and a digital shift (Owen 1998; Matousek 1998), drawn from ``default_rng(seed)`` in the
    order ``scipy.stats.qmc.Sobol(d, scramble=True, rng=seed)`` draws them, so the points
    are that engine's."""
    rng = np.random.default_rng(seed)
    powers = np.arange(BITS)
    shift = rng.integers(0, 2, size=(d, BITS), dtype=np.uint32).astype(np.int64) @ (1 << powers)
    lower = np.tril(rng.integers(0, 2, size=(d, BITS, BITS), dtype=np.uint32)).astype(np.int64)
    lower[:, powers, powers] = 1
    v = _direction_numbers(d)
    # each scrambled direction number: bit p (from the top) is the parity of row p of the
    # dimension's lower triangular matrix against the number's bits, top bit first
    v_bits = (v[:, :, None] >> (BITS - 1 - powers)) & 1  # (d, BITS numbers, BITS bits)
    parity = np.einsum("dpi,dji->djp", lower, v_bits) & 1
    v = parity @ (1 << (BITS - 1 - powers))  # (d, BITS)
    # point k is the shift XOR the direction numbers of the bits of k's Gray code
    k = np.arange(n, dtype=np.int64)
    gray = k ^ (k >> 1)
    points = np.broadcast_to(shift, (n, d)).copy()
    for j in range(min(BITS, max(int(n - 1).bit_length(), 1))):
        points ^= np.where(((gray >> j) & 1)[:, None] == 1, v[None, :, j], 0)
    return points * (1.0 / 2**BITS)


def saltelli_design(base_samples: int, d: int, seed: int) -> np.ndarray:
    """(base_samples * (d + 2), d) points: for each row of A and B (a 2d-dimensional
    scrambled Sobol' point split in two), A's row, then d rows of A with one column taken
    from B, then B's row (Saltelli 2002, Comput. Phys. Commun. 145:280-297)."""
    base = scrambled_sobol(base_samples, 2 * d, seed)
    a, b = base[:, :d], base[:, d:]
    rows = np.repeat(a[:, None, :], d + 2, axis=1)
    columns = np.arange(d)
    rows[:, 1 + columns, columns] = b
    rows[:, d + 1] = b
    return rows.reshape(-1, d)


def _normalised_variance(a, b):
    y = np.concatenate([a, b])
    return y, np.var(y, axis=0)


def first_order(a, ab, b) -> np.ndarray:
    """S1 by Saltelli et al. (2010), Comput. Phys. Commun. 181:259-270, over the variance
    of A and B together; 0 where the output does not vary (axis 0: base samples)."""
    y, variance = _normalised_variance(a, b)
    if np.ptp(y) <= EPS:
        return np.zeros(y.shape[1:])
    return np.divide(
        np.mean(b * (ab - a), axis=0),
        variance,
        out=np.zeros_like(variance, dtype=np.float64),
        where=variance > EPS,
    )


def total_order(a, ab, b) -> np.ndarray:
    """ST by Jansen's estimator (Saltelli et al. 2010), over the same variance."""
    y, variance = _normalised_variance(a, b)
    if np.ptp(y) <= EPS:
        return np.zeros(y.shape[1:])
    return np.divide(
        0.5 * np.mean((a - ab) ** 2, axis=0),
        variance,
        out=np.zeros_like(variance, dtype=np.float64),
        where=variance > EPS,
    )


def indices(y: np.ndarray, d: int, seed: int) -> dict[str, np.ndarray]:
    """S1, its 95% half-width, ST and its half-width, each (d,), from the outputs ``y`` of
    ``saltelli_design``'s rows; the half-widths are the normal quantile times the standard
    deviation over ``RESAMPLES`` bootstrap resamples of the base samples."""
    step = d + 2
    n = y.size // step
    y = (y - y.mean()) / y.std()
    a, b = y[0 : y.size : step], y[step - 1 : y.size : step]
    resample = np.random.default_rng(seed).integers(n, size=(n, RESAMPLES))
    z = special.ndtri(0.5 + CONFIDENCE / 2)
    a_r, b_r = a[resample], b[resample]
    varies = np.ptp(np.concatenate([a_r, b_r])) != 0.0
    found = {k: np.zeros(d) for k in ("S1", "S1_conf", "ST", "ST_conf")}
    for j in range(d):
        ab = y[j + 1 : y.size : step]
        ab_r = ab[resample]
        found["S1"][j] = first_order(a, ab, b)
        found["ST"][j] = total_order(a, ab, b)
        if varies:
            found["S1_conf"][j] = z * first_order(a_r, ab_r, b_r).std(ddof=1)
            found["ST_conf"][j] = z * total_order(a_r, ab_r, b_r).std(ddof=1)
    return found
