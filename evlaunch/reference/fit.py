"""Fitting Bass diffusion to a delivery series, with uncertainty by residual bootstrap.

Deliveries are the smaller of demand and capacity, so the fitted (p, q, m) describe the
delivered S-curve, not demand alone.
"""

from dataclasses import dataclass

import numpy as np
from scipy.optimize import least_squares

from ..errors import UserError


def bass_cumulative(months, p_per_month, q_per_month, market_vehicles):
    """Continuous Bass cumulative adoption m F(t), F(t) = (1 - e^-(p+q)t) / (1 + q/p e^-(p+q)t).

    References
    ----------
    Bass (1969), Management Science 15(5):215-227, equation (6).
    """
    t = np.asarray(months, dtype=float)
    e = np.exp(-(p_per_month + q_per_month) * t)
    return market_vehicles * (1.0 - e) / (1.0 + (q_per_month / p_per_month) * e)


@dataclass(frozen=True)
class BassFit:
    p_per_month: float
    q_per_month: float
    market_vehicles: float
    boot: np.ndarray  # (draws, 3) bootstrapped (p, q, m)
    residual_sd: float  # of monthly deliveries, relative to the fit

    def forecast(
        self,
        after_month: int,
        cumulative_then: float,
        months: np.ndarray,
        rng: np.random.Generator,
        draws: int = 2000,
    ) -> np.ndarray:
        """(draws, len(months)) cumulative deliveries at ``months`` (> after_month), starting
        from what was delivered by ``after_month``: parameter uncertainty from the bootstrap
        and monthly noise of the size seen in the fit's residuals."""
        months = np.asarray(months, dtype=int)
        pick = self.boot[rng.integers(0, len(self.boot), draws)]
        grid = np.arange(after_month, months.max() + 1)
        cum = bass_cumulative(grid[None, :], pick[:, :1], pick[:, 1:2], pick[:, 2:3])
        monthly = np.diff(cum, axis=1)
        noisy = monthly * np.exp(rng.normal(0.0, self.residual_sd, monthly.shape))
        paths = cumulative_then + np.cumsum(noisy, axis=1)  # months after_month+1 ...
        return paths[:, months - after_month - 1]


def _fit(months, monthly, start=None):
    """Least squares on log monthly deliveries (so small and large months weigh alike)."""
    t = np.asarray(months, dtype=float)
    y = np.asarray(monthly, dtype=float)
    keep = y > 0
    if keep.sum() < 3:
        raise UserError("fitting needs at least 3 months with deliveries above zero")
    total = y.sum()

    def residuals(theta):
        p, q, m = np.exp(theta)
        cum = bass_cumulative(np.concatenate([[t[0] - 1], t]), p, q, m)
        fitted = np.diff(cum)
        return np.log(np.maximum(fitted[keep], 1e-9)) - np.log(y[keep])

    best = None
    # A few starts (the surface has flat valleys); a refit starts from the first fit.
    starts = (
        [np.log(start)]
        if start is not None
        else [np.log([0.005, q0, max(total * 5, 1.0)]) for q0 in (0.02, 0.08, 0.3)]
    )
    low, high = np.log([1e-6, 1e-6, total]), np.log([1.0, 2.0, total * 1e3])
    for x0 in starts:
        x0 = np.clip(x0, low + 1e-9, high - 1e-9)
        fit = least_squares(residuals, x0, method="trf", bounds=(low, high))
        if best is None or fit.cost < best.cost:
            best = fit
    return np.exp(best.x), residuals(best.x)


def fit_bass(months, monthly, draws: int = 200, seed: int = 0) -> BassFit:
    """Fit (p, q, m) to monthly deliveries ending at ``months`` (months of sales, 1, 2, ...).

    Uncertainty: residual bootstrap (Efron & Tibshirani 1993, ch. 9) on the log scale, with
    each resampled series refitted.
    """
    rng = np.random.default_rng(seed)
    (p, q, m), res = _fit(months, monthly)
    sd = float(np.std(res, ddof=3)) if len(res) > 3 else 0.0
    t = np.asarray(months, dtype=float)
    cum = bass_cumulative(np.concatenate([[t[0] - 1], t]), p, q, m)
    fitted = np.diff(cum)
    # Residuals shrink by fitting three parameters: rescale them before resampling
    # (Davison & Hinkley 1997, Bootstrap Methods and their Application, eq. 6.9).
    n = len(res)
    scaled = (res - res.mean()) * np.sqrt(n / max(n - 3, 1))
    boot = []
    for _ in range(draws):
        sample = fitted * np.exp(rng.choice(scaled, size=len(fitted), replace=True))
        try:
            boot.append(_fit(months, sample, start=(p, q, m))[0])
        except UserError:
            continue
    return BassFit(p, q, m, np.array(boot), sd)
