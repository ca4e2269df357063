"""The outside view: where a target sits among real entrants, and how it changes the odds.

Outside-view distribution of deliveries in the target window: log deliveries of the entrants
with data that far, as a normal with unknown mean and variance under the usual
non-informative prior, so the predictive distribution is Student's t with n - 1 degrees of
freedom, centred on the mean log, scale s sqrt(1 + 1/n) (Gelman et al. 2013, Bayesian Data
Analysis, 3rd ed., section 3.2).

Blend: the inside view (the Monte Carlo's log deliveries, taken as normal) and the outside
view (as normal with the predictive's variance) are combined by precision weighting, the
Bayesian product of two independent normal estimates of the same quantity; the blended
P(target) is reported next to both.
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


def outside_view(target: float, window_months: int, inside_deliveries: np.ndarray) -> OutsideView:
    """Compare a target of ``target`` deliveries in ``window_months`` months of sales with the
    bundled entrants, and blend with the inside view's simulated window deliveries."""
    reached = {e.company: float(e.cumulative_at(window_months)) for e in entrants()}
    reached = {k: v for k, v in reached.items() if np.isfinite(v) and v > 0}
    logs = np.log(list(reached.values()))
    n = logs.size
    mu_o, s_o = logs.mean(), logs.std(ddof=1)
    scale_o = s_o * np.sqrt(1 + 1 / n)
    p_out = float(stats.t.sf((np.log(target) - mu_o) / scale_o, df=n - 1))
    inside = np.log(np.maximum(np.asarray(inside_deliveries, dtype=float), 1.0))
    mu_i, s_i = inside.mean(), max(inside.std(ddof=1), 1e-9)
    var_o = scale_o**2 * (n - 1) / (n - 3) if n > 3 else scale_o**2  # the t's variance
    w_i, w_o = 1 / s_i**2, 1 / var_o
    mu_b, s_b = (w_i * mu_i + w_o * mu_o) / (w_i + w_o), np.sqrt(1 / (w_i + w_o))
    return OutsideView(
        window_months=window_months,
        target=target,
        entrants=reached,
        target_percentile=100.0 * float(np.mean(np.array(list(reached.values())) < target)),
        p_target_outside=p_out,
        p_target_inside=float(np.mean(np.asarray(inside_deliveries) >= target)),
        p_target_blend=float(stats.norm.sf((np.log(target) - mu_b) / s_b)),
        outside_median=float(np.exp(mu_o)),
        blend_median=float(np.exp(mu_b)),
    )
