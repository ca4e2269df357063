"""The outside view: where a target sits among real entrants, and how it changes the odds.

Outside-view distribution of deliveries in the target window: log deliveries of the entrants
with data that far, as a normal with unknown mean and variance under the usual
non-informative prior, so the predictive distribution is Student's t with n - 1 degrees of
freedom, centred on the mean log, scale s sqrt(1 + 1/n) (Gelman et al. 2013, Bayesian Data
Analysis, 3rd ed., section 3.2).

Blend: the two views are combined as a product of densities (the outside view as a prior,
the inside view's simulated paths as the likelihood), by reweighting the Monte Carlo's paths
with the outside-view density at their window deliveries. Unlike averaging probabilities it
never puts weight where the plan cannot go: a target beyond every path's capacity stays
out of reach, however often real entrants have got there.
"""

from dataclasses import asdict, dataclass

import numpy as np
from scipy import stats

from .entrants import entrants


@dataclass(frozen=True)
class OutsideView:
    window_months: int
    target: float
    entrants: dict[str, float]  # company -> deliveries in the window
    target_percentile: float  # share of those entrants below the target, in %
    p_target_outside: float
    p_target_inside: float
    p_target_blend: float
    outside_median: float
    blend_median: float

    def to_dict(self) -> dict:
        return asdict(self)


def outside_view(
    target: float, window_months: int, inside_log_edges, inside_log_counts, p_target_inside: float
) -> OutsideView:
    """Compare a target of ``target`` deliveries in ``window_months`` months of sales with the
    bundled entrants, and blend with the inside view, given as a histogram of
    log(1 + window deliveries) over the Monte Carlo's paths."""
    reached = {e.company: float(e.cumulative_at(window_months)) for e in entrants()}
    reached = {k: v for k, v in reached.items() if np.isfinite(v) and v > 0}
    logs = np.log1p(list(reached.values()))
    n = logs.size
    mu_o, s_o = logs.mean(), logs.std(ddof=1)
    scale_o = s_o * np.sqrt(1 + 1 / n)
    outside = stats.t(df=n - 1, loc=mu_o, scale=scale_o)
    edges = np.asarray(inside_log_edges, dtype=float)
    counts = np.asarray(inside_log_counts, dtype=float)
    centres = (edges[:-1] + edges[1:]) / 2
    blend = counts * outside.pdf(centres)  # the inside paths, reweighted by the outside view
    # share of each bin at or above the target, for the bin the target falls in
    above = np.clip((edges[1:] - np.log1p(target)) / np.diff(edges), 0.0, 1.0)
    total = blend.sum()
    cdf = np.cumsum(blend) / total if total > 0 else np.zeros_like(blend)
    return OutsideView(
        window_months=window_months,
        target=target,
        entrants=reached,
        target_percentile=100.0 * float(np.mean(np.array(list(reached.values())) < target)),
        p_target_outside=float(outside.sf(np.log1p(target))),
        p_target_inside=p_target_inside,
        p_target_blend=float((blend * above).sum() / total) if total > 0 else 0.0,
        outside_median=float(np.expm1(mu_o)),
        blend_median=float(np.expm1(centres[np.searchsorted(cdf, 0.5)]))
        if total > 0
        else float("nan"),
    )
