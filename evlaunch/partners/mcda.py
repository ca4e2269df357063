"""MCDA methods as pure functions over a decision matrix.

``x`` is (alternatives, criteria); ``weights`` sum to 1; ``benefit`` is True where more is
better and False for a cost criterion. Every method returns one score per alternative,
higher is better.
"""

import numpy as np


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
    norm = np.hypot.reduce(x, axis=0)  # without overflow where sqrt(sum(x^2)) would
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
