"""SMAA-2: how robust a ranking is to the weights (and to uncertain criteria values).

References
----------
Lahdelma, R. & Salminen, P. (2001), SMAA-2: Stochastic multicriteria acceptability analysis
for group decision making, Operations Research 49(3):444-454.
"""

from dataclasses import dataclass

import numpy as np

from ..errors import UserError


def simplex_weights(draws: int, criteria: int, rng: np.random.Generator) -> np.ndarray:
    """(draws, criteria) weights uniform on the simplex (normalised exponentials)."""
    e = rng.exponential(size=(draws, criteria))
    return e / e.sum(axis=1, keepdims=True)


def interval_weights(draws: int, low, high, rng: np.random.Generator) -> np.ndarray:
    """(draws, criteria) weights uniform on the part of the simplex inside [low, high]."""
    low, high = np.asarray(low, dtype=float), np.asarray(high, dtype=float)
    kept, tried = [], 0
    while sum(len(k) for k in kept) < draws:
        batch = simplex_weights(max(draws, 10_000), low.size, rng)
        tried += len(batch)
        kept.append(batch[np.all((batch >= low) & (batch <= high), axis=1)])
        if tried >= 200 * draws and sum(len(k) for k in kept) < draws / 10:
            raise UserError(
                "assessment.weights: the weight intervals leave almost no room on the simplex "
                f"(under {100 * sum(len(k) for k in kept) / tried:.3f}% of weight vectors fit); "
                "widen them"
            )
    return np.concatenate(kept)[:draws]


@dataclass(frozen=True)
class SmaaResult:
    rank_acceptability: np.ndarray  # (alternatives, ranks): share of draws at each rank
    central_weights: np.ndarray  # (alternatives, criteria): mean weights making it first
    confidence: np.ndarray  # (alternatives,): share of value draws it wins at those weights


def _utilities(values, weights, low, span, benefit):
    scaled = (values - low) / span
    return np.einsum("dmk,dk->dm", np.where(benefit, scaled, 1.0 - scaled), weights)


def _ranks(utilities, rng):
    # Ties are broken at random, so identical alternatives share acceptability evenly.
    order = np.lexsort((rng.random(utilities.shape), -utilities), axis=-1)
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(utilities.shape[-1])[None, :], axis=-1)
    return ranks


def smaa2(values, weights, benefit, rng: np.random.Generator) -> SmaaResult:
    """Rank acceptability indices, central weight vectors and confidence factors.

    Parameters
    ----------
    values : (draws, alternatives, criteria) or (alternatives, criteria) array
        Criteria values, one matrix per draw when they are uncertain.
    weights : (draws, criteria) array
        Sampled weight vectors, one per draw.
    benefit : (criteria,) bool array
    rng : numpy Generator, for breaking ties.

    Utilities are additive with each criterion scaled linearly over its range across all
    alternatives and draws, so one draw's utility is comparable with another's.
    """
    weights = np.asarray(weights, dtype=float)
    draws, criteria = weights.shape
    values = np.broadcast_to(np.asarray(values, dtype=float), (draws, *np.shape(values)[-2:]))
    alternatives = values.shape[1]
    benefit = np.asarray(benefit, dtype=bool)
    low = values.min(axis=(0, 1))
    span = np.where(values.max(axis=(0, 1)) > low, values.max(axis=(0, 1)) - low, 1.0)

    rank = _ranks(_utilities(values, weights, low, span, benefit), rng)
    acceptability = np.stack([(rank == r).mean(axis=0) for r in range(alternatives)], axis=1)
    central = np.full((alternatives, criteria), np.nan)
    confidence = np.zeros(alternatives)
    for i in range(alternatives):
        first = rank[:, i] == 0
        if first.any():
            central[i] = weights[first].mean(axis=0)
            at_central = np.broadcast_to(central[i], weights.shape)
            won = _ranks(_utilities(values, at_central, low, span, benefit), rng)[:, i] == 0
            confidence[i] = won.mean()
    return SmaaResult(acceptability, central, confidence)
