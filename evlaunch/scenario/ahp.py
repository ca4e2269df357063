"""AHP weights from a pairwise-comparison matrix: what a scenario's `ahp` weights mean, and
the consistency its loader checks (Saaty 1977)."""

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported to compute weights, not to check a scenario's matrix
    import numpy as np

# Saaty's random consistency index by matrix size n = 1..15 (Saaty 1980, The Analytic
# Hierarchy Process, McGraw-Hill; table as in Saaty 2008, Int. J. Services Sciences 1(1):83).
RANDOM_INDEX = (
    0.0,
    0.0,
    0.58,
    0.90,
    1.12,
    1.24,
    1.32,
    1.41,
    1.45,
    1.49,
    1.51,
    1.48,
    1.56,
    1.57,
    1.59,
)
CONSISTENCY_LIMIT = 0.1  # Saaty: revise judgements with a consistency ratio above 0.1
SAATY_LOW = 0.11  # 1/9 as people write it by hand (0.11), on Saaty's 1-9 scale


def ahp_weights(matrix) -> tuple["np.ndarray", float, float]:
    """Principal-eigenvector weights of a reciprocal pairwise-comparison matrix.

    Returns (weights summing to 1, lambda_max, consistency ratio CR = CI / RI with
    CI = (lambda_max - n) / (n - 1)). CR is 0 for n <= 2, where any matrix is consistent.

    References
    ----------
    Saaty, T. L. (1977), A scaling method for priorities in hierarchical structures,
    Journal of Mathematical Psychology 15(3):234-281.
    """
    import numpy as np

    a = np.asarray(matrix, dtype=float)
    n = a.shape[0]
    values, vectors = np.linalg.eig(a)
    k = int(np.argmax(values.real))
    weights = np.abs(vectors[:, k].real)
    weights /= weights.sum()
    lambda_max = float(values[k].real)
    if n <= 2:
        return weights, lambda_max, 0.0
    ci = (lambda_max - n) / (n - 1)
    return weights, lambda_max, float(ci / RANDOM_INDEX[n - 1])


def consistency_ratio_ceiling(matrix: list[list[float]]) -> float:
    """A number the consistency ratio ``ahp_weights`` finds is certainly at most, found
    without numpy. For a positive matrix lambda_max is at most max_i (A w)_i / w_i for any
    positive w (Collatz 1942; Wielandt 1950), equal to it at the principal eigenvector, which
    power iteration approaches; numpy's eigenvalue is within about 1e-13 of the true one,
    and 1e-9 is added for it."""
    n = len(matrix)
    if n <= 2:
        return 0.0
    w = [1.0 / n] * n
    for _ in range(60):
        product = [sum(a * x for a, x in zip(row, w, strict=True)) for row in matrix]
        total = sum(product)
        w = [y / total for y in product]
    product = [sum(a * x for a, x in zip(row, w, strict=True)) for row in matrix]
    lambda_max = max(y / x for y, x in zip(product, w, strict=True))
    return (lambda_max - n) / (n - 1) / RANDOM_INDEX[n - 1] + 1e-9


def matrix_problems(w, loc: tuple) -> list[tuple[tuple, object, str]]:
    """Problems (where, value, message) of a scenario's AHP weights ``w``, its matrix at
    ``loc``: shape, scale, reciprocity and consistency, checked in plain floats (numpy's
    eigenvalues only where the ratio is not certainly within the limit)."""
    limit = CONSISTENCY_LIMIT
    n = len(w.criteria)
    if not (n > 0 and len(w.matrix) == n and all(len(r) == n for r in w.matrix)):
        return [
            (
                loc,
                [len(r) for r in w.matrix],
                f"must be {n} rows of {n} comparisons, one per criterion",
            )
        ]
    m = [[float(x) for x in row] for row in w.matrix]
    every = [x for row in m for x in row]
    # as numpy.allclose(diagonal, 1): |d - 1| <= atol + rtol |1|
    if any(x < SAATY_LOW or x > 9 for x in every) or any(
        abs(m[i][i] - 1.0) > 1e-08 + 1e-05 * 1.0 for i in range(n)
    ):
        return [
            (
                loc,
                [min(every), max(every)],
                "comparisons are on Saaty's scale, 1/9 to 9, with 1 on the diagonal",
            )
        ]
    bad = [(i, j) for i in range(n) for j in range(n) if abs(m[i][j] * m[j][i] - 1) > 0.01]
    if bad:
        i, j = bad[0]
        return [
            (
                loc + (i, j),
                m[i][j],
                f"not reciprocal: row {i + 1} column {j + 1} is {m[i][j]:g} but row {j + 1} "
                f"column {i + 1} is {m[j][i]:g}; it must be 1/{m[i][j]:g}",
            )
        ]
    if w.allow_inconsistent or consistency_ratio_ceiling(m) <= limit:
        return []
    _, _, cr = ahp_weights(m)
    if cr > limit:
        return [
            (
                loc,
                round(cr, 3),
                f"consistency ratio {cr:.3f} is above Saaty's limit of {limit}: revise the "
                "comparisons, or set allow_inconsistent: true to accept them",
            )
        ]
    return []
