"""What drives the outcome: a tornado (one input at a time) and Sobol indices (SALib)."""

import threading
from dataclasses import asdict, dataclass

import numpy as np

from ..errors import ArgumentError
from ..model.arguments import kernel_inputs
from ..model.outcomes import SalesMeasure
from ..model.simulate import simulate
from ..scenario.distributions import U_MIN
from ..scenario.inputs import input_value
from ..scenario.schema import Scenario
from .sampling import Sampler, made_ahead
from .sizes import CHUNK_PATHS


@dataclass(frozen=True)
class TornadoBar:
    input: str
    value_p10: float
    value_p90: float
    deliveries_p10: float  # deliveries in the target window, others at central values
    deliveries_p90: float
    p_target_p10: float  # P(target) with this input held at its P10, others sampled
    p_target_p90: float

    @property
    def deliveries_swing(self) -> float:
        return abs(self.deliveries_p90 - self.deliveries_p10)


@dataclass(frozen=True)
class SobolIndex:
    input: str
    first_order: float
    first_order_ci95: float  # half-width
    total: float
    total_ci95: float


@dataclass(frozen=True)
class Sensitivity:
    output: str
    tornado: list[TornadoBar]  # widest swing first
    sobol: list[SobolIndex]  # largest total index first
    sobol_base_samples: int

    def to_dict(self) -> dict:
        return asdict(self)


def relevant_inputs(names: list[str], options: list[str]) -> list[str]:
    """Uncertain inputs that can move this case: none of an option it does not use."""
    used = tuple(f"options.{o}." for o in options)
    return [n for n in names if not n.startswith("options.") or n.startswith(used)]


def _window_deliveries(scenario: Scenario, params, options) -> tuple[np.ndarray, np.ndarray]:
    measure = SalesMeasure.of_target(scenario.target)
    out = simulate(scenario, params, options, keep=0, measure=measure, kept_deliveries=0).sales
    return out.cumulative_at[scenario.target.window_months], out.hit


def tornado(
    scenario: Scenario, options: list[str], paths: int = 10_000, seed: int = 0, sampler: str = "lhs"
) -> list[TornadoBar]:
    """Swing of window deliveries and of P(target) as each input goes from P10 to P90.

    Deliveries: the input at its P10 and P90, every other input at its central value.
    P(target): the input held at its P10 and P90 while the others are sampled, with common
    random numbers (the same draws for both ends), so the difference is the input's alone.
    """
    draw = Sampler(scenario, seed, sampler)
    names = relevant_inputs(draw.names, options)
    if not names:
        return []
    column = [draw.names.index(n) for n in names]
    d = len(names)
    # Deterministic ends: 2d one-path runs in one call; row 2k is input k at P10, 2k+1 at P90,
    # every other input at its median (u = 0.5, no copula: the others stay central).
    u = np.full((2 * d, len(draw.names)), 0.5)
    u[np.arange(0, 2 * d, 2), column] = 0.1
    u[np.arange(1, 2 * d, 2), column] = 0.9
    ends = draw.params_from_uniforms(u)
    deliveries, _ = _window_deliveries(scenario, ends, options)
    held = [(name, q) for name in names for q in (0.1, 0.9)]
    p_target = _held_p_target(scenario, options, draw, held, paths)
    bars = []
    for k, name in enumerate(names):
        bars.append(
            TornadoBar(
                input=name,
                value_p10=float(ends[name][2 * k]),
                value_p90=float(ends[name][2 * k + 1]),
                deliveries_p10=float(deliveries[2 * k]),
                deliveries_p90=float(deliveries[2 * k + 1]),
                p_target_p10=p_target[2 * k],
                p_target_p90=p_target[2 * k + 1],
            )
        )
    return sorted(bars, key=lambda b: (-b.deliveries_swing, -abs(b.p_target_p90 - b.p_target_p10)))


def _held_p_target(scenario, options, draw: Sampler, held, paths: int) -> list[float]:
    """P(target) on the first ``paths`` paths of ``draw`` with each (input, quantile) of
    ``held`` in turn held at that quantile on every path, the other inputs as sampled.

    The sampled inputs are mapped once and only the held one is mapped again; the runs go to
    the simulator several at a time, about a chunk of paths per call (a path's outcome
    depends on its own inputs only, so the numbers are those of one call per run), the next
    call's inputs made on a thread while the simulator runs this one's.
    """
    sampled = draw.params_from_uniforms(draw.uniforms(0, paths))
    per_call = max(1, CHUNK_PATHS // paths)
    groups = [held[start : start + per_call] for start in range(0, len(held), per_call)]
    target = SalesMeasure.of_target(scenario.target)

    def inputs(group):
        params = {name: np.tile(values, len(group)) for name, values in sampled.items()}
        for r, (name, q) in enumerate(group):
            at_q = input_value(scenario, name).ppf(np.full(paths, q))
            params[name][r * paths : (r + 1) * paths] = at_q
        return group, params, kernel_inputs(scenario, params, options)

    first = None  # the first call's arrays (none is larger), written over by the next calls
    found = []
    for group, params, made in made_ahead(inputs, groups):
        run = simulate(
            scenario, params, options, keep=0, into=first, inputs=made, measure=target,
            kept_deliveries=0,
        )  # fmt: skip
        first = first or run
        found += [float(h.mean()) for h in run.sales.hit.reshape(len(group), paths)]
    return found


def unit_sobol(function, names: list[str], base_samples: int, seed: int) -> list[SobolIndex]:
    """First-order and total Sobol indices of ``function`` on the unit hypercube: it maps
    (n, len(names)) uniforms to n outputs. Saltelli sampling and Jansen's estimators from
    SALib; largest total index first. The bootstrap behind the intervals is seeded by
    ``seed + 1``: SALib 1.6 reads a seed of 0 as none and resamples from numpy's unseeded
    global generator, so intervals at seed 0 changed from run to run."""
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import sobol as sobol_sample

    problem = {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}
    x = sobol_sample.sample(problem, base_samples, calc_second_order=False, seed=seed)
    y = function(x)
    if np.ptp(y) == 0:
        return [SobolIndex(n, 0.0, 0.0, 0.0, 0.0) for n in names]
    result = sobol_analyze.analyze(problem, y, calc_second_order=False, seed=seed + 1)
    indices = [
        SobolIndex(
            n,
            float(result["S1"][k]),
            float(result["S1_conf"][k]),
            float(result["ST"][k]),
            float(result["ST_conf"][k]),
        )
        for k, n in enumerate(names)
    ]
    return sorted(indices, key=lambda s: -s.total)


def import_salib_ahead() -> None:
    """Start importing SALib (scipy.stats and pandas with it, 0.5-1 s) on a thread, so that
    the import overlaps the tornado's simulations (the kernel releases the GIL) instead of
    delaying the Sobol indices after them. A later import waits for this one to finish."""

    def load():
        from SALib.analyze import sobol  # noqa: F401
        from SALib.sample import sobol as _  # noqa: F401

    threading.Thread(target=load, daemon=True).start()


def sobol_indices(
    scenario: Scenario, options: list[str], base_samples: int = 1024, seed: int = 0
) -> list[SobolIndex]:
    """First-order and total Sobol indices of window deliveries (``unit_sobol``).

    Sobol indices assume independent inputs: the scenario's correlations are not applied
    here. Costs base_samples x (d + 2) model runs.
    """
    if base_samples < 16 or base_samples & (base_samples - 1):
        raise ArgumentError("base_samples", base_samples, "must be a power of 2, at least 16")
    draw = Sampler(scenario, seed, "random")
    names = relevant_inputs(draw.names, options)
    if not names:
        return []

    def deliveries(x):
        u = np.full((x.shape[0], len(draw.names)), 0.5)  # inputs this case ignores: median
        u[:, [draw.names.index(n) for n in names]] = np.clip(x, U_MIN, 1 - U_MIN)
        return _window_deliveries(scenario, draw.params_from_uniforms(u), options)[0]

    return unit_sobol(deliveries, names, base_samples, seed)


def sensitivity(
    scenario: Scenario,
    options: list[str],
    paths: int = 10_000,
    seed: int = 0,
    sampler: str = "lhs",
    sobol_base_samples: int = 1024,
) -> Sensitivity:
    """Tornado and Sobol indices for the deliveries in the target window."""
    import_salib_ahead()
    return Sensitivity(
        output=f"deliveries in the first {scenario.target.window_months} months of sales",
        tornado=tornado(scenario, options, paths, seed, sampler),
        sobol=sobol_indices(scenario, options, sobol_base_samples, seed),
        sobol_base_samples=sobol_base_samples,
    )
