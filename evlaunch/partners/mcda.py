"""MCDA methods as pure functions over a decision matrix.

``x`` is (alternatives, criteria); ``weights`` sum to 1; ``benefit`` is True where more is
better and False for a cost criterion. Every method returns one score per alternative,
higher is better.
"""

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


def minmax_normalise(x, benefit) -> np.ndarray:
    """Each criterion onto [0, 1], 1 the best alternative; a criterion on which all
    alternatives are equal gives 1 to all (it cannot separate them)."""
    x = np.asarray(x, dtype=float)
    low, high = x.min(axis=-2, keepdims=True), x.max(axis=-2, keepdims=True)
    span = np.where(high > low, high - low, 1.0)
    up = (x - low) / span
    scaled = np.where(np.asarray(benefit), up, 1.0 - up)
    return np.where(high > low, scaled, 1.0)


def weighted_sum(x, weights, benefit) -> np.ndarray:
    """Simple additive weighting on min-max normalised criteria."""
    return minmax_normalise(x, benefit) @ np.asarray(weights, dtype=float)


def topsis(x, weights, benefit) -> np.ndarray:
    """TOPSIS relative closeness to the ideal solution, with vector normalisation.

    References
    ----------
    Hwang, C.-L. & Yoon, K. (1981), Multiple Attribute Decision Making, Springer, ch. 3.
    """
    x = np.asarray(x, dtype=float)
    norm = np.sqrt((x * x).sum(axis=0))
    v = x / np.where(norm > 0, norm, 1.0) * np.asarray(weights, dtype=float)
    benefit = np.asarray(benefit)
    best = np.where(benefit, v.max(axis=0), v.min(axis=0))
    worst = np.where(benefit, v.min(axis=0), v.max(axis=0))
    to_best = np.sqrt(((v - best) ** 2).sum(axis=1))
    to_worst = np.sqrt(((v - worst) ** 2).sum(axis=1))
    total = to_best + to_worst
    return np.divide(to_worst, total, out=np.full_like(total, 0.5), where=total > 0)


def ahp_priorities(x, weights, benefit) -> np.ndarray:
    """AHP synthesis in distributive mode with ratings as measurements: each criterion's
    local priorities are the values' shares (for a cost criterion, the reciprocals'),
    combined with the criterion weights."""
    x = np.asarray(x, dtype=float)
    ratio = np.where(np.asarray(benefit), x, 1.0 / np.where(x > 0, x, np.nan))
    if np.isnan(ratio).any() or (x < 0).any():
        raise ValueError("AHP needs positive values on every cost criterion and none negative")
    local = ratio / ratio.sum(axis=0)
    return local @ np.asarray(weights, dtype=float)


def ranks(scores) -> np.ndarray:
    """1 for the highest score, 2 for the next, ...; ties share the better rank."""
    scores = np.asarray(scores, dtype=float)
    return (scores[..., None, :] > scores[..., :, None]).sum(axis=-1) + 1
