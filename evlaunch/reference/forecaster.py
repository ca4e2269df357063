"""One forecaster for every outside view: hierarchical Bayesian Bass diffusion, delivered
through a production ramp.

A new maker delivers the smaller of what buyers want and what its plant can build, as in
the simulator (``model/fulfil.py``). Entrant i's demand follows Bass (1969), m_i f(t; p_i,
q_i) vehicles a month at month t of sales; its capacity ramps up linearly, a_i t vehicles a
month. Deliveries flow at the soft minimum of the two, and C_i(t) is their integral.
Without the ramp a Bass curve reads a launch ramp (11 cars in a first part-month, 920 the
next quarter) as explosive word of mouth and extrapolates it geometrically; with it, the
same figures fit a plant coming up to speed, whose output grows linearly.

The parameters come from a population: theta_i = (log m_i p_i, log q_i, log m_i, log a_i)
~ N(mu, diag(tau) R diag(tau)), R an LKJ correlation (Lenk & Rao 1990, "New models from
old", Marketing Science 9(1):42-53, pool diffusion parameters across products the same
way). m p (first-month demand) is sampled instead of p because the first months identify
it while m is barely identified before saturation shows.

A published figure of v vehicles over months (t0, t1] of sales is an observation
log(1 + v) ~ N(log(1 + C(t1) - C(t0)), s(L)), s(L)^2 = s_floor^2 + s_month^2 / L for a
period of L months (a year's total is less noisy than a month's); a "more than v" figure is
censored. Hyperpriors are weakly informative around the Sultan, Farley & Lehmann (1990)
meta-analysis (p = 0.03, q = 0.38 a year; ``data/company_facts.csv``) and a market of
200,000 vehicles, and a ramp adding 300 vehicles a month every month (3,600 a month after a
year), each two to four orders of magnitude wide.

The population is fitted on the reference class as known on the forecast date, with the
entrant being forecast included with whatever of its own figures were published by then
(none before launch: its forecast is then the prior predictive of a new entrant). Sampled
by NUTS in numpyro (Phan et al. 2019), two chains vectorised in one compiled call; the
hindcast spreads its fits over processes.
"""

from dataclasses import dataclass
from functools import cache

import numpy as np

from ..errors import UserError

HYPER_MEAN = (np.log(500.0), np.log(0.38 / 12), np.log(200_000.0), np.log(300.0))
HYPER_SD = (2.0, 1.5, 2.0, 2.0)
PARAMETERS = len(HYPER_MEAN)
# Entrants differ more than a normal population allows (a first year of 2,562 cars for one,
# 212,723 for another): the population is a multivariate t with 4 degrees of freedom (a
# normal scale mixture, Gelman et al., BDA3 17.2), so one unusual entrant does not drag the
# population and a new one may be unusual too.
POPULATION_DF = 4.0
# Soft minimum of demand d and capacity c, (d + c - sqrt((d - c)^2 + b^2 d c)) / 2, b = 0.2:
# 10% below them where they are equal, 1% below the smaller when they are far apart; smooth
# for NUTS, and one square root is cheaper than powers (the sampler's inner loop).
SOFTMIN_BLUR = 0.2
# The model describes a launch: figures ending after this month of sales are not fitted (they
# come from later products and plants; the forecasts reach 36 months, scenarios 72).
FIT_MONTHS = 72
CHAINS, WARMUP, DRAWS = 2, 250, 250
# Trees of at most 2^6 - 1 leapfrog steps: a fit of today's class takes ~3 s instead of ~20 s
# at the default depth 10 (measured), with the same predictive quantiles within sampling error.
MAX_TREE_DEPTH = 6


def cumulative_grid(xp, theta, months: int):
    """Cumulative deliveries at t = 0, 1, ..., ``months`` months of sales, (..., months + 1),
    for parameters ``theta`` (..., 4): log m p, log q, log m, log a (see the module); each
    month's deliveries by the midpoint rule (exact for the linear ramp, within 0.1% for Bass
    growth of 15% a month). ``xp`` is numpy or jax.numpy: sampler and forecasts share it."""
    log_rate0, log_q, log_m, log_ramp = (theta[..., i : i + 1] for i in range(PARAMETERS))
    t = xp.arange(months) + 0.5
    log_p = log_rate0 - log_m
    p, q = xp.exp(log_p), xp.exp(log_q)
    # the Bass rate m f(t) = m (p+q)^2/q s(x), s(x) = e^-|x| / (1 + e^-|x|)^2 symmetric, at
    # x = (p+q) t - log(q/p): the same as m (p+q)^2/p e^-(p+q)t / (1 + q/p e^-(p+q)t)^2
    # without overflow for any p and q
    e = xp.exp(-xp.abs((p + q) * t - (log_q - log_p)))
    demand = xp.exp(log_m + 2 * xp.log(p + q) - log_q) * e / (1 + e) ** 2
    capacity = xp.exp(log_ramp) * t
    blur = SOFTMIN_BLUR**2 * demand * capacity
    rate = 0.5 * (demand + capacity - xp.sqrt((demand - capacity) ** 2 + blur))
    zero = xp.zeros(rate.shape[:-1] + (1,))
    return xp.concatenate([zero, xp.cumsum(rate, axis=-1)], axis=-1)


@dataclass(frozen=True)
class Series:
    """One entrant's observations: (start month, end month, vehicles, is_lower_bound)."""

    name: str
    increments: tuple[tuple[float, float, float, bool], ...]


@dataclass(frozen=True)
class Posterior:
    """Posterior draws of the forecast entrant's parameters and the noise scales."""

    log_rate0: np.ndarray  # (draws,) log of first-month deliveries m p
    log_q: np.ndarray  # (draws,) log q, per month
    log_m: np.ndarray  # (draws,) log m, vehicles
    log_ramp: np.ndarray  # (draws,) log a, capacity added per month, vehicles a month
    sigma_month: np.ndarray  # (draws,)
    sigma_floor: np.ndarray  # (draws,)
    entrants: int  # in the reference class it was fitted on
    divergences: int

    def noise_sd(self, months: np.ndarray) -> np.ndarray:
        """(draws, len(months)) sd of log deliveries over a period of ``months`` months."""
        months = np.maximum(np.asarray(months, dtype=float), 1e-9)
        return np.sqrt(self.sigma_floor[:, None] ** 2 + self.sigma_month[:, None] ** 2 / months)

    def cumulative(self, months) -> np.ndarray:
        """(draws, len(months)) cumulative deliveries C(t) of every draw (see the module),
        linear within a month."""
        months = np.asarray(months, dtype=float)
        theta = np.stack([self.log_rate0, self.log_q, self.log_m, self.log_ramp], axis=1)
        grid = cumulative_grid(np, theta, int(np.ceil(months.max(initial=0.0))) + 1)
        at = np.clip(months, 0.0, None)
        lo = np.floor(at).astype(int)
        return grid[:, lo] + (at - lo) * (grid[:, lo + 1] - grid[:, lo])

    def predict(
        self,
        months,
        rng: np.random.Generator,
        known: tuple[float, float] | None = None,
        paths: bool = False,
    ) -> np.ndarray:
        """(draws, len(months)) predictive cumulative deliveries at ``months`` of sales.

        ``known``: (month, cumulative) last known point; the forecast then adds the predicted
        deliveries after it, with the noise of a period that long, to what is known.
        ``paths``: one noise draw per row for every month, so that each row is a path (for
        a fan); each month's distribution is the same either way."""
        months = np.asarray(months, dtype=float)
        t0, c0 = known if known is not None else (0.0, 0.0)
        later = np.maximum(months, t0)
        step = np.maximum(self.cumulative(later) - self.cumulative(np.full(1, t0)), 0.0)
        z = rng.standard_normal((step.shape[0], 1) if paths else step.shape)
        noise = z * self.noise_sd(later - t0) * (later > t0)
        return c0 + np.expm1(np.log1p(step) + noise)


def _fitted(series: list[Series]) -> list[tuple[int, float, float, float, bool]]:
    """(entrant, t0, t1, vehicles, is_lower_bound) of every figure the model is fitted on."""
    return [(i, *inc) for i, s in enumerate(series) for inc in s.increments if inc[1] <= FIT_MONTHS]


def _arrays(series: list[Series], n_obs: int, n_ent: int) -> tuple[np.ndarray, ...]:
    """Padded arrays (entrant, t0, t1, log_y, lower, valid), so that one compiled sampler
    serves every reference class of that size."""
    rows = _fitted(series)
    arr = np.zeros((n_obs, 5))
    arr[:, 2] = 1.0
    if rows:
        arr[: len(rows)] = np.array(rows, dtype=float)
    valid = np.arange(n_obs) < len(rows)
    return (
        arr[:, 0].astype(np.int32),
        np.rint(arr[:, 1]).astype(np.int32),
        np.rint(arr[:, 2]).astype(np.int32),
        np.log1p(arr[:, 3]),
        arr[:, 4] > 0,
        valid,
    )


def _bucket(n: int, step: int) -> int:
    return max(step, -(-n // step) * step)


@cache
def _sampler(n_obs: int, n_ent: int):
    """A compiled function: (keys, batched data) -> posterior draws, one NUTS chain per key,
    every chain of every problem in one vectorised XLA call."""
    import jax

    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp
    import numpyro
    import numpyro.distributions as dist
    from jax.scipy.stats import norm
    from numpyro.infer.hmc import hmc
    from numpyro.infer.util import initialize_model

    def model(entrant, t0, t1, log_y, lower, valid):
        mu = numpyro.sample(
            "mu", dist.Normal(jnp.array(HYPER_MEAN), jnp.array(HYPER_SD)).to_event(1)
        )
        tau = numpyro.sample("tau", dist.HalfNormal(jnp.array([1.5, 1.0, 1.5, 1.5])).to_event(1))
        corr = numpyro.sample("corr", dist.LKJCholesky(PARAMETERS, 2.0))
        sigma_month = numpyro.sample("sigma_month", dist.HalfNormal(0.5))
        sigma_floor = numpyro.sample("sigma_floor", dist.HalfNormal(0.3))
        with numpyro.plate("entrant", n_ent):
            z = numpyro.sample("z", dist.Normal(0, 1).expand([PARAMETERS]).to_event(1))
            w = numpyro.sample("w", dist.Gamma(POPULATION_DF / 2, POPULATION_DF / 2))
        theta = numpyro.deterministic("theta", mu + (z @ corr.T) * tau / jnp.sqrt(w)[:, None])
        curve = cumulative_grid(jnp, theta, FIT_MONTHS)
        step = curve[entrant, t1] - curve[entrant, t0]
        pred = jnp.log1p(jnp.maximum(step, 0.0))
        sd = jnp.sqrt(sigma_floor**2 + sigma_month**2 / (t1 - t0))
        exact = dist.Normal(pred, sd).log_prob(log_y)
        censored = norm.logsf((log_y - pred) / sd)
        numpyro.factor("figures", jnp.sum(jnp.where(valid, jnp.where(lower, censored, exact), 0)))

    example = _arrays([], n_obs, n_ent)
    info = initialize_model(jax.random.PRNGKey(0), model, model_args=example, dynamic_args=True)
    init_kernel, sample_kernel = hmc(potential_fn_gen=info.potential_fn, algo="NUTS")

    def chain(key, data):
        k_init, k_run = jax.random.split(key)
        leaves, tree = jax.tree.flatten(info.param_info.z)
        starts = jax.random.split(k_init, len(leaves))
        z0 = jax.tree.unflatten(
            tree,
            [
                jax.random.uniform(k, x.shape, minval=-2, maxval=2)
                for k, x in zip(starts, leaves, strict=True)
            ],
        )
        state = init_kernel(
            z0,
            WARMUP,
            target_accept_prob=0.9,
            max_tree_depth=MAX_TREE_DEPTH,
            model_args=data,
            rng_key=k_run,
        )

        def step(state, _):
            state = sample_kernel(state, model_args=data)
            return state, (state.z, state.diverging)

        _, (zs, diverging) = jax.lax.scan(step, state, None, length=WARMUP + DRAWS)
        zs = jax.tree.map(lambda x: x[WARMUP:], zs)
        values = jax.vmap(info.postprocess_fn(*data))(zs)
        return (
            values["theta"],
            values["mu"],
            values["sigma_month"],
            values["sigma_floor"],
            diverging[WARMUP:].sum(),
        )

    return jax.jit(jax.vmap(chain))


@dataclass(frozen=True)
class Draws:
    """Posterior draws of one fit: every entrant's parameters and the population's."""

    theta: np.ndarray  # (draws, entrants, 4): log m p, log q, log m, log a
    mu: np.ndarray  # (draws, 4)
    sigma_month: np.ndarray  # (draws,)
    sigma_floor: np.ndarray  # (draws,)
    divergences: int


def sample(problems: list[list[Series]], seed: int = 0) -> list[Draws]:
    """Posterior draws of the hierarchical model fitted to each list of series. All
    problems run in one vectorised batch with common (padded) shapes, CHAINS chains each."""
    import jax

    # one shape for every reference class of today's size: the sampler compiles once
    n_obs = _bucket(max(len(_fitted(series)) for series in problems), 256)
    n_ent = _bucket(max(len(series) for series in problems), 32)
    data = [_arrays(series, n_obs, n_ent) for series in problems]
    batch = tuple(np.repeat(np.stack(col), CHAINS, axis=0) for col in zip(*data, strict=True))
    keys = jax.random.split(jax.random.PRNGKey(seed), len(problems) * CHAINS)
    theta, mu, s_month, s_floor, diverging = (
        np.asarray(a) for a in _sampler(n_obs, n_ent)(keys, batch)
    )
    out = []
    for i, series in enumerate(problems):
        rows = slice(i * CHAINS, (i + 1) * CHAINS)
        out.append(
            Draws(
                theta[rows, :, : len(series)].reshape(-1, len(series), PARAMETERS),
                mu[rows].reshape(-1, PARAMETERS),
                s_month[rows].ravel(),
                s_floor[rows].ravel(),
                int(diverging[rows].sum()),
            )
        )
    return out


def fit(reference: list[Series], target: Series, seed: int = 0) -> Posterior:
    """The posterior of ``target``'s parameters, the population fitted on ``reference`` and
    ``target`` together (its own figures update the population's prior predictive)."""
    if not reference:
        raise UserError(
            f"no entrant in the reference class for {target.name!r} on that date: "
            "nothing to learn from"
        )
    (d,) = sample([[*reference, target]], seed)
    th = d.theta[:, -1, :]
    return Posterior(
        log_rate0=th[:, 0],
        log_q=th[:, 1],
        log_m=th[:, 2],
        log_ramp=th[:, 3],
        sigma_month=d.sigma_month,
        sigma_floor=d.sigma_floor,
        entrants=len(reference),
        divergences=d.divergences,
    )
