"""Supply: each option's monthly capacity, an S-curve ramp from its start of production."""

import numpy as np

from .compiled import ufunc_and_inline


def _ramp_fraction(elapsed_months, ramp_months):
    """Share of full rate reached ``elapsed_months`` after start of production (SOP).

    A smoothstep S-curve, 3x^2 - 2x^3 with x = elapsed / ramp clipped to [0, 1]: flat at
    SOP and at full rate, steepest (and 1/2) at mid-ramp, 0 before SOP.

    Parameters
    ----------
    elapsed_months : float or array
        Months since SOP [months]; negative before it.
    ramp_months : float or array
        Months from SOP to full rate [months], > 0.
    """
    if elapsed_months >= ramp_months > 0.0:
        # at full rate: elapsed / ramp rounds to 1 or above, so this is the formula's value,
        # without the division, in most months of a run (a few % of the kernel's time)
        return 1.0
    x = min(max(elapsed_months / ramp_months, 0.0), 1.0)
    return x * x * (3.0 - 2.0 * x)


ramp_fraction, ramp_fraction_inline = ufunc_and_inline(_ramp_fraction)


def month_midpoints(months: int) -> np.ndarray:
    """Month t is valued at its midpoint t + 0.5, so a month that SOP splits gets about the
    part of the month after SOP."""
    return np.arange(months) + 0.5


def capacity_per_month(
    capacity_per_year, share_available, sop_month, ramp_months, months: int
) -> np.ndarray:
    """(paths, months) vehicles one option can build for us in each grid month.

    Parameters
    ----------
    capacity_per_year : (paths,) array
        Nameplate capacity [vehicles/year].
    share_available : (paths,) array
        Share of it that is ours [-].
    sop_month : (paths,) array
        Start of production on the grid [months from grid start]; may be fractional.
    ramp_months : (paths,) array
        SOP to full rate [months].
    months : int
        Length of the grid.
    """
    elapsed = month_midpoints(months)[None, :] - np.asarray(sop_month, dtype=float)[:, None]
    full_rate = np.asarray(capacity_per_year * share_available, dtype=float) / 12.0
    return full_rate[:, None] * ramp_fraction(elapsed, np.asarray(ramp_months, float)[:, None])
