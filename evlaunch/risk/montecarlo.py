"""The Monte Carlo run: sample, simulate in chunks, measure; memory bounded by the chunk.

Each path keeps only what the results need (hit, deliveries at the checkpoints, months to
target, NPV, peak cash: 49 bytes in float64), so 10 million paths fit in well under 2 GiB;
the fan chart's monthly quantiles come from the first ``FAN_PATHS`` paths.
"""

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field

import numpy as np
from scipy import special

from .. import __version__
from ..model.arguments import kernel_inputs
from ..model.outcomes import SalesMeasure
from ..model.simulate import simulate
from ..scenario.months import add_months
from ..scenario.provenance import Provenance, provenance
from ..scenario.schema import Scenario
from .precision import Precision, PrecisionReached, check_points, reached
from .sampling import DrawnAhead, Sampler, check_sampler, chunks_of, made_ahead
from .sizes import CHUNK_PATHS, check_run_size

QUANTILES = (0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95)
FAN_PATHS = 20_000  # the fan chart's P5 from 2e4 paths is within ~0.15 percentile points


@dataclass(frozen=True)
class OptionDecisions:
    """How often, and when, the paths took an option's decisions (``model/decisions.py``)."""

    option: str
    shift_share: float  # of paths that added a shift
    shift_month_p50: str | None  # median calendar month it ran from, among those paths
    commit_share: float | None  # of paths that committed it; None: no rule, always built
    commit_month_p50: str | None


@dataclass(frozen=True)
class RiskResult:
    """What the Monte Carlo found for one way of building the car."""

    scenario: str
    version: str
    options: list[str]
    paths: int
    seed: int
    sampler: str
    target_deliveries: int
    window_months: int
    p_target: float
    p_target_se: float
    p_target_ci95: tuple[float, float]  # Wilson score interval
    quantiles: list[float]
    deliveries_quantiles: dict[int, list[float]]  # months of sales -> by quantile
    months_to_target_quantiles: list[float | None]  # None: that quantile never reaches it
    npv_cny_quantiles: list[float]
    peak_cash_need_cny_quantiles: list[float]
    npv_cny_mean: float
    # histogram of log(1 + deliveries in the target window), for the outside view's blend
    window_log_edges: list[float]
    window_log_counts: list[int]
    fan_months: list[str]  # calendar months of the grid
    fan_monthly_deliveries: dict[float, list[float]]  # quantile -> per grid month
    fan_cumulative_deliveries: dict[float, list[float]]
    convergence: list[tuple[int, float, float]]  # (paths, P(target), its standard error)
    decisions: list[OptionDecisions]  # options that can add a shift or wait for a rule
    precision: PrecisionReached | None = None  # when run under precision control
    seconds: float = field(default=0.0, compare=False)
    provenance: Provenance | None = None

    def to_dict(self) -> dict:
        return asdict(self)

    @property
    def months_to_window_end(self) -> int:
        """Months from the scenario's start to the end of the target window on the median
        path: its first month with a delivery, plus the window."""
        median = np.asarray(self.fan_cumulative_deliveries[0.5])
        first = int(np.argmax(median > 0)) if (median > 0).any() else median.size
        return first + self.window_months


def wilson_interval(hits: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion (Wilson 1927, JASA 22:209-212)."""
    z = special.ndtri(0.5 + confidence / 2)
    p = hits / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return float(max(centre - half, 0.0)), float(min(centre + half, 1.0))


def monte_carlo(scenario: Scenario, options: list[str], *args, **kwargs) -> RiskResult:
    """Simulate ``paths`` sampled paths of ``scenario`` built with ``options``; under
    ``precision``, as many as it takes instead (``paths`` is then not used).

    The result is a function of (scenario, options, paths or precision, seed, sampler,
    version) only: the chunk size changes memory and speed, never a number. ``adjust`` may
    rescale the sampled inputs of each chunk (the dashboard's what-if sliders) before they
    are simulated. ``draw`` may supply the Sampler (one that remembers its draws, or draws
    common numbers for several scenarios); its scenario must have the same uncertain inputs
    as ``scenario``, and its seed and method are the ones used. Arguments as
    ``monte_carlo_paths``.
    """
    return monte_carlo_paths(scenario, options, *args, **kwargs)[0]


def monte_carlo_paths(
    scenario: Scenario,
    options: list[str],
    paths: int = 10_000,
    seed: int = 0,
    sampler: str = "lhs",
    chunk_paths: int = CHUNK_PATHS,
    on_progress: Callable[[int, int], None] | None = None,
    adjust: Callable[[dict], dict] | None = None,
    fan_paths: int = FAN_PATHS,
    draw: Sampler | None = None,
    precision: Precision | None = None,
    drawn: DrawnAhead | None = None,
) -> tuple[RiskResult, "PathMeasures"]:
    """``monte_carlo``'s result, and every path's measures behind it (for paired
    comparisons across scenarios run on common random numbers). ``drawn``: the run's chunks
    already being drawn (a command starts them before it imports the simulator), of the
    Sampler and chunks this run would use."""
    check_run_size(precision.max_paths if precision else paths, chunk_paths)
    check_sampler(sampler)
    started = time.perf_counter()
    if precision:
        stops = check_points(precision.max_paths)
        enough = lambda c: reached(precision, c.done().values(precision.output)).reached  # noqa: E731
    else:
        stops, enough = [paths], lambda c: True  # noqa: E731
    chunks = chunks_of(stops, chunk_paths)
    if drawn is None:
        drawn = DrawnAhead(draw or Sampler(scenario, seed, sampler), chunks)
    elif drawn.chunks != chunks:
        drawn.close()
        raise ValueError("drawn ahead for other chunks than this run's")
    found = _collect(scenario, options, stops, drawn, adjust, fan_paths, on_progress, enough)
    measured = found.done()
    precise = reached(precision, measured.values(precision.output)) if precision else None
    seconds = time.perf_counter() - started
    return _result(scenario, options, seed, sampler, measured, seconds, precise), measured


class _Collected:
    """Every path's outcome measures, the fan's first paths, and the decisions' tallies,
    written chunk by chunk into arrays made for the most paths the run may take (np.empty
    commits memory only as it is written, so a run under precision control that stops
    early holds only what it ran), read as ``PathMeasures`` of the paths so far."""

    def __init__(self, most: int, marks: tuple[int, ...], fan_paths: int, options: int, months):
        self.paths = 0
        self.hit = np.empty(most, dtype=bool)
        self.at = {k: np.empty(most) for k in marks}
        self.months_to_target = np.empty(most)
        self.npv = np.empty(most)
        self.peak = np.empty(most)
        self.fan = np.empty((min(most, fan_paths), months))
        self.shift_counts = np.zeros((options, months + 1), dtype=np.int64)
        self.commit_counts = np.zeros((options, months + 1), dtype=np.int64)

    def add(self, out, run, months: int) -> None:
        start, stop = self.paths, self.paths + out.hit.size
        self.hit[start:stop] = out.hit
        for k, v in out.cumulative_at.items():
            self.at[k][start:stop] = v
        self.months_to_target[start:stop] = out.months_to_target
        self.npv[start:stop] = run.npv_cny
        self.peak[start:stop] = run.peak_cash_need_cny
        if start < self.fan.shape[0]:
            self.fan[start : min(stop, self.fan.shape[0])] = run.deliveries[
                : self.fan.shape[0] - start
            ]
        self.shift_counts += tally(run.shift_month, months)
        self.commit_counts += tally(run.commit_month, months)
        self.paths = stop

    def done(self) -> "PathMeasures":
        """The measures of the paths run so far (views, no copies)."""
        n = self.paths
        return PathMeasures(
            hit=self.hit[:n],
            at={k: v[:n] for k, v in self.at.items()},
            months_to_target=self.months_to_target[:n],
            npv=self.npv[:n],
            peak=self.peak[:n],
            fan=self.fan[: min(n, self.fan.shape[0])],
            shift_counts=self.shift_counts,
            commit_counts=self.commit_counts,
        )


@dataclass(frozen=True)
class PathMeasures:
    """Every path's outcome measures, one array each."""

    hit: np.ndarray  # (paths,) bool
    at: dict[int, np.ndarray]  # months of sales -> (paths,) cumulative deliveries
    months_to_target: np.ndarray
    npv: np.ndarray
    peak: np.ndarray
    fan: np.ndarray  # (fan paths, months) monthly deliveries
    shift_counts: np.ndarray
    commit_counts: np.ndarray

    def values(self, output: str) -> np.ndarray:
        """(paths,) values of an output (``sizes.PRECISION_OUTPUTS``): hits for P(target)."""
        return _of(self, output)


def _of(measures: "PathMeasures", output: str) -> np.ndarray:
    """The array of ``measures`` holding ``output``."""
    if output == "p_target":
        return measures.hit
    if output.startswith("deliveries_"):
        return measures.at[int(output.removeprefix("deliveries_"))]
    return {"npv_cny": measures.npv, "peak_cash_need_cny": measures.peak}[output]


def _collect(scenario, options, stops, drawn, adjust, fan_paths, on_progress, enough):
    """Simulate the paths chunk by chunk (``drawn``) up to each of ``stops`` in turn,
    keeping only what the result needs, until ``enough(collected)`` says so after one."""
    measure = SalesMeasure.of_target(scenario.target)
    months = scenario.horizon_months
    c = _Collected(stops[-1], tuple(measure.marks.tolist()), fan_paths, len(options), months)
    largest = None  # the largest chunk's arrays so far, written over by the next chunks

    def prepared(item):
        chunk, params = item
        params = adjust(params) if adjust else params
        return chunk, params, kernel_inputs(scenario, params, options)

    for (start, stop), params, inputs in made_ahead(prepared, drawn):
        fan_rows = max(0, min(stop, fan_paths) - start)  # the only months kept
        run = simulate(
            scenario, params, options, keep=0, into=largest, inputs=inputs, measure=measure,
            kept_deliveries=fan_rows,
        )  # fmt: skip
        if largest is None or run.npv_cny.shape[0] > largest.npv_cny.shape[0]:
            largest = run
        c.add(run.sales, run, months)
        if on_progress:
            on_progress(stop, stops[-1])
        if stop in stops and enough(c):
            break
    return c


def _result(scenario, options, seed, sampler, c: PathMeasures, seconds, precise) -> RiskResult:
    """The summary a presenter needs from the collected measures."""
    paths = c.hit.size
    hits = int(c.hit.sum())
    p = hits / paths
    q = np.array(QUANTILES)
    window = scenario.target.window_months

    def quantiles(values) -> list[float]:
        return quantiles_by_month(np.asarray(values, dtype=float)[:, None], q)[:, 0].tolist()

    def fan(values) -> dict[float, list[float]]:
        return dict(zip(QUANTILES, quantiles_by_month(values, q).tolist(), strict=True))

    # a path that never reaches the target counts as later than any month
    never_as_inf = np.nan_to_num(c.months_to_target.astype(float), nan=np.inf)
    *at, npv, peak, to_target, histogram, monthly, cumulative = _on_two_threads(
        *(lambda v=v: quantiles(v) for v in c.at.values()),
        lambda: quantiles(c.npv),
        lambda: quantiles(c.peak),
        lambda: np.quantile(never_as_inf, q, method="inverted_cdf"),
        lambda: _log_histogram(c.at[window]),
        lambda: fan(c.fan),
        lambda: fan(np.cumsum(c.fan, axis=1)),
    )
    return RiskResult(
        scenario=scenario.name,
        version=__version__,
        options=list(options),
        paths=paths,
        seed=seed,
        sampler=sampler,
        target_deliveries=scenario.target.deliveries,
        window_months=window,
        p_target=p,
        p_target_se=float(np.sqrt(p * (1 - p) / paths)),
        p_target_ci95=wilson_interval(hits, paths),
        quantiles=list(QUANTILES),
        deliveries_quantiles=dict(zip(c.at, at, strict=True)),
        months_to_target_quantiles=[float(v) if np.isfinite(v) else None for v in to_target],
        npv_cny_quantiles=npv,
        peak_cash_need_cny_quantiles=peak,
        npv_cny_mean=float(c.npv.astype(float).mean()),
        **histogram,
        fan_months=[add_months(scenario.start, t) for t in range(scenario.horizon_months)],
        fan_monthly_deliveries=monthly,
        fan_cumulative_deliveries=cumulative,
        convergence=_convergence(c.hit),
        decisions=option_decisions(scenario, options, c.shift_counts, c.commit_counts),
        precision=precise,
        seconds=seconds,
        provenance=provenance(scenario, seed, sampler),
    )


def _on_two_threads(*tasks) -> list:
    """Each task's result, the tasks run on two threads: numpy's partitions and sorts over a
    million paths release the GIL, so the summary takes both cores (0.2 s on one)."""
    with ThreadPoolExecutor(2) as pool:
        return [f.result() for f in [pool.submit(task) for task in tasks]]


def quantiles_by_month(values: np.ndarray, q: np.ndarray) -> np.ndarray:
    """(len(q), months) quantiles over paths of ``values`` (paths, months), equal to
    ``np.quantile(values, q, axis=0)`` bit for bit (its linear method and its lerp; nan where
    a month holds one), from one sort per month: numpy's partition for several quantiles at
    once took several times as long as its sort (12 ms against 3 ms for 5,000 paths x 84
    months, a fifth of a what-if's time; 22 ms against 7 ms for a million paths)."""
    ordered = np.sort(values, axis=0)
    position = (ordered.shape[0] - 1) * np.asarray(q, dtype=float)
    low = np.floor(position).astype(np.int64)
    high = np.minimum(low + 1, ordered.shape[0] - 1)
    t = (position - low)[:, None]
    a, b = ordered[low], ordered[high]
    difference = b - a
    found = np.where(t >= 0.5, b - difference * (1 - t), a + difference * t)
    return np.where(np.isnan(ordered[-1]), np.nan, found)  # sorting puts nan last


def tally(when: np.ndarray, months: int) -> np.ndarray:
    """(options, months + 1) paths by the grid month a decision took effect, from ``when``
    (paths, options) of ``Paths.shift_month`` or ``commit_month`` (last column: never)."""
    month = np.minimum(np.nan_to_num(when, posinf=months), months).astype(np.int64)
    return np.array(
        [np.bincount(month[:, j], minlength=months + 1) for j in range(month.shape[1])],
        dtype=np.int64,
    ).reshape(month.shape[1], months + 1)


def option_decisions(scenario, options, shift_counts, commit_counts) -> list[OptionDecisions]:
    """Each option's decisions from their ``tally``: options that never add a shift and
    have no expansion rule are left out."""

    def share_and_median(counts):
        taken = counts[:-1]
        total = int(taken.sum())
        if total == 0:
            return 0.0, None
        median = int(np.searchsorted(np.cumsum(taken), total / 2))
        return total / counts.sum(), add_months(scenario.start, median)

    out = []
    for j, name in enumerate(options):
        ruled = scenario.expansion(name) is not None
        if not ruled and not shift_counts[j, :-1].any():
            continue
        shift_share, shift_month = share_and_median(shift_counts[j])
        commit_share, commit_month = share_and_median(commit_counts[j])
        out.append(
            OptionDecisions(
                name,
                shift_share,
                shift_month,
                commit_share if ruled else None,
                commit_month if ruled else None,
            )
        )
    return out


def _log_histogram(values: np.ndarray, bins: int = 400) -> dict:
    logs = np.log1p(np.maximum(values[np.isfinite(values)], 0.0))
    top = max(float(logs.max()), 1.0) if logs.size else 1.0
    counts, edges = np.histogram(logs, bins=bins, range=(0.0, top * 1.01))
    return {"window_log_edges": edges.tolist(), "window_log_counts": counts.tolist()}


def _convergence(hit: np.ndarray) -> list[tuple[int, float, float]]:
    """P(target) and its standard error on the first n paths, n = 1e3, 2e3, 5e3, 1e4, ..."""
    steps = [m * 10**e for e in range(3, 9) for m in (1, 2, 5)]
    steps = [n for n in steps if n < hit.size] + [hit.size]
    running = np.cumsum(hit)
    rows = []
    for n in steps:
        p = running[n - 1] / n
        rows.append((int(n), float(p), float(np.sqrt(p * (1 - p) / n))))
    return rows
