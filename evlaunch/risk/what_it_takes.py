"""What it would take: the smallest change to a scenario's assumptions and decisions that
brings P(target) to a level asked for (a reverse stress test).

Two kinds of lever move:
- an **assumption** (an uncertain input) moves its whole distribution by ``z`` spreads:
  each path's percentile u becomes Phi(Phi^-1(u) + z), so its median moves to its old
  P(100 Phi(z)) (z = 0.52: to its P70); it costs |z|, at most ``Z_MOST`` (to its P95 or P5,
  within the input's own range);
- a **decision** (a model's price, an option starting earlier) costs the mean NPV it gives
  up, in units of the NPV's own spread (half its P84 - P16), so that giving up one spread of
  NPV counts as much as assuming one input a spread better.

The change is found by an optimiser (SLSQP), not a grid, over one fixed set of sampled paths
(common random numbers: every candidate sees the same paths), with P(target) smoothed over
+/-5% of the target so that it has gradients; the answer is then checked with P(target)
counted plainly on the same paths.
"""

import time
from dataclasses import asdict, dataclass

import numpy as np
from scipy import special, stats
from scipy.optimize import minimize

from ..errors import ArgumentError
from ..model.outcomes import sales_outcomes
from ..model.simulate import simulate
from ..scenario.schema import Scenario
from .levers import Change, Lever, describe, levers_for
from .sampling import Sampler

SMOOTH_LOG = 0.05  # P(target) smoothed over +/-5% of the target (in log deliveries)
KEEP_ASSUMPTIONS = 8  # the assumptions that move P(target) most, found one at a time
ONE_SPREAD = (float(stats.norm.cdf(-1)), float(stats.norm.cdf(1)))  # P16, P84
TINY_COST = 0.01  # per unit of a decision that costs no NPV: unneeded changes stay at zero


@dataclass(frozen=True)
class WhatItTakes:
    scenario: str
    options: list[str]
    asked: float  # P(target) asked for
    p_before: float  # counted on the paths, as they are
    p_after: float  # counted on the paths, with the changes
    reachable: bool
    changes: list[Change]  # ranked: the one whose removal loses most P(target) first
    cost_spreads: float
    npv_change_cny: float  # mean NPV with the changes less without
    at_bound: list[str]  # unreachable: the levers at their bound with P(target) still short
    paths: int
    seed: int
    sampler: str
    evaluations: int
    seconds: float

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class _Found:
    smooth: float  # smoothed P(target)
    p: float  # P(target), counted
    npv: float  # mean NPV [CNY]
    npv_spread: float  # half its P84 - P16 [CNY]: a decision's cost is counted in these


class _Paths:
    """One fixed set of sampled paths, simulated under any setting of the levers."""

    def __init__(self, scenario, options, paths, seed, sampler, levers):
        self.scenario, self.options, self.levers = scenario, options, levers
        self.draw = Sampler(scenario, seed, sampler)
        self.u = self.draw.uniforms(0, paths)
        self.column = {n: j for j, n in enumerate(self.draw.names)}
        self.cache: dict[tuple, _Found] = {}

    def __call__(self, x) -> _Found:
        key = tuple(np.round(np.asarray(x, dtype=float), 12))
        if key not in self.cache:
            self.cache[key] = self._simulate(key)
        return self.cache[key]

    def _simulate(self, x) -> _Found:
        u, scale, earlier = self.u.copy(), {}, np.zeros(len(self.options))
        for lever, value in zip(self.levers, x, strict=True):
            if lever.kind == "assumption":
                j = self.column[lever.name]
                u[:, j] = special.ndtr(special.ndtri(u[:, j]) + value)
            elif lever.kind == "price":
                scale[lever.name] = 1.0 + lever.unit * value
            else:
                earlier[self.options.index(lever.name)] = lever.unit * value
        params = self.draw.params_from_uniforms(u)
        for name, factor in scale.items():
            params[name] = params[name] * factor
        run = simulate(self.scenario, params, self.options, keep=0, earlier_months=earlier)
        target, window = self.scenario.target.deliveries, self.scenario.target.window_months
        out = sales_outcomes(run.deliveries, target, window, (window,))
        margin = (np.log1p(out.cumulative_at[window]) - np.log(target)) / SMOOTH_LOG
        lo, hi = np.quantile(run.npv_cny, ONE_SPREAD)
        return _Found(
            float(special.expit(margin).mean()),
            float(out.hit.mean()),
            float(run.npv_cny.mean()),
            max(float(hi - lo) / 2, 1.0),
        )


def what_it_takes(
    scenario: Scenario,
    options: list[str],
    probability: float,
    paths: int = 4_096,
    seed: int = 0,
    sampler: str = "lhs",
) -> WhatItTakes:
    """The smallest change of ``scenario`` built with ``options`` that brings P(target) to
    ``probability``, measured on ``paths`` sampled paths."""
    if not 0 < probability < 1:
        raise ArgumentError("probability", probability, "must be above 0 and below 1")
    if not 256 <= paths <= 1_000_000:
        raise ArgumentError("paths", paths, "must be from 256 to 1,000,000")
    started = time.perf_counter()
    candidates = levers_for(scenario, options)
    at = _Paths(scenario, options, paths, seed, sampler, candidates)
    levers = _screened(at, candidates)
    at.levers, at.cache = levers, {}  # the same paths, fewer levers
    base = at(np.zeros(len(levers)))
    npv_spread = base.npv_spread
    best = np.array([lv.favourable for lv in levers])
    reachable = at(best).p >= probability
    x = _solve(at, levers, probability, base.npv, npv_spread) if reachable else best
    found = at(x)
    changes = _ranked(at, levers, x, scenario)
    return WhatItTakes(
        scenario=scenario.name,
        options=list(options),
        asked=probability,
        p_before=base.p,
        p_after=found.p,
        reachable=bool(reachable),
        changes=changes,
        cost_spreads=_cost(levers, x, base.npv - found.npv, npv_spread),
        npv_change_cny=found.npv - base.npv,
        at_bound=[] if reachable else [describe(lv, lv.favourable, scenario) for lv in levers],
        paths=paths,
        seed=seed,
        sampler=sampler,
        evaluations=len(at.cache),
        seconds=time.perf_counter() - started,
    )


def _screened(at: _Paths, candidates: list[Lever]) -> list[Lever]:
    """Every decision, and the assumptions that move P(target) most one at a time, each
    bounded to the direction that raises it."""
    zero = np.zeros(len(candidates))
    base = at(zero).smooth
    gains = []
    for n, lever in enumerate(candidates):
        if lever.kind != "assumption":
            continue
        ups = []
        for bound in (lever.low, lever.high):
            x = zero.copy()
            x[n] = bound
            ups.append(at(x).smooth - base)
        gain, side = max(zip(ups, (lever.low, lever.high), strict=True))
        if gain > 1e-4:
            gains.append((gain, lever.one_way(side)))
    gains.sort(key=lambda g: -g[0])
    decisions = [lv for lv in candidates if lv.kind != "assumption"]
    return [lv for _, lv in gains[:KEEP_ASSUMPTIONS]] + decisions


def _cost(levers, x, npv_lost: float, npv_spread: float) -> float:
    moved = sum(abs(v) for lv, v in zip(levers, x, strict=True) if lv.kind == "assumption")
    decided = sum(abs(v) for lv, v in zip(levers, x, strict=True) if lv.kind != "assumption")
    return float(moved + max(npv_lost, 0.0) / npv_spread + TINY_COST * decided)


def _solve(at: _Paths, levers, probability, npv_before, npv_spread) -> np.ndarray:
    """The cheapest setting whose P(target), counted, reaches ``probability``. The smoothed
    P(target) the optimiser sees credits paths just short of the target in part, so the
    level it is held to is raised by what the count still lacks, a few times at most."""
    goal, most = probability, at(np.array([lv.favourable for lv in levers])).smooth
    for _ in range(4):
        x = _cheapest(at, levers, goal, npv_before, npv_spread)
        short = probability - at(x).p
        if short <= 0 or goal >= most:
            break
        goal = min(goal + short + 0.005, most)
    return _pruned(at, x, probability)


def _cheapest(at: _Paths, levers, goal, npv_before, npv_spread) -> np.ndarray:
    result = minimize(
        lambda x: _cost(levers, x, npv_before - at(x).npv, npv_spread),
        np.zeros(len(levers)),
        method="SLSQP",
        bounds=[(lv.low, lv.high) for lv in levers],
        constraints=[{"type": "ineq", "fun": lambda x: at(x).smooth - goal}],
        options={"maxiter": 60, "ftol": 1e-4, "eps": 0.02},
    )
    return np.where(np.abs(result.x) < 0.01, 0.0, result.x)  # below a hundredth: none


def _pruned(at: _Paths, x, probability) -> np.ndarray:
    """``x`` without the changes P(target) does not need: each, the least needed first, is
    undone if the count still reaches ``probability`` without it."""
    x = x.copy()
    contribution = []
    for n in np.flatnonzero(x):
        without = x.copy()
        without[n] = 0.0
        contribution.append((at(x).p - at(without).p, n))
    for _, n in sorted(contribution):
        without = x.copy()
        without[n] = 0.0
        if at(without).p >= min(probability, at(x).p):
            x = without
    return x


def _ranked(at: _Paths, levers, x, scenario) -> list[Change]:
    """The changes made, each with P(target) without it, the most needed first."""
    changes = []
    for n, lever in enumerate(levers):
        if x[n] == 0.0:
            continue
        without = x.copy()
        without[n] = 0.0
        changes.append(
            Change(
                lever.kind,
                lever.name,
                float(x[n]),
                at(without).p,
                describe(lever, x[n], scenario),
            )
        )
    return sorted(changes, key=lambda c: c.p_without)
