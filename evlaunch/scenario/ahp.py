"""AHP weights from a pairwise-comparison matrix: what a scenario's `ahp` weights mean, and
the consistency its loader checks (Saaty 1977)."""

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


def ahp_weights(matrix) -> tuple[np.ndarray, float, float]:
    """Principal-eigenvector weights of a reciprocal pairwise-comparison matrix.

    Returns (weights summing to 1, lambda_max, consistency ratio CR = CI / RI with
    CI = (lambda_max - n) / (n - 1)). CR is 0 for n <= 2, where any matrix is consistent.

    References
    ----------
    Saaty, T. L. (1977), A scaling method for priorities in hierarchical structures,
    Journal of Mathematical Psychology 15(3):234-281.
    """
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
