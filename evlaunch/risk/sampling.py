"""Sampling the uncertain inputs: random, Latin hypercube or scrambled Sobol, always seeded,
with rank correlations through a Gaussian copula.

Samples are made in fixed blocks of paths (Sobol: one sequence, fast-forwarded), so path i
gets the same inputs whatever chunk size the simulator uses.
"""

import warnings
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Literal

import numpy as np

from ..errors import ArgumentError, UserError
from ..scenario.inputs import (
    Params,
    central_params,
    correlation_factor,
    input_value,
    uncertain_names,
)
from ..scenario.schema import Scenario

SamplerName = Literal["random", "lhs", "sobol"]
SAMPLERS: tuple[str, ...] = ("random", "lhs", "sobol")
# what the inputs drawn ahead may hold: 10 million paths then still fit in 1 GiB
DRAWN_AHEAD_BYTES = 64_000_000


def check_sampler(sampler: str) -> None:
    if sampler not in SAMPLERS:
        raise ArgumentError("sampler", sampler, f"allowed: {', '.join(SAMPLERS)}")


BLOCK_PATHS = 65_536  # each random or LHS block is drawn from its own seed


def latin_hypercube(n: int, d: int, entropy: tuple[int, ...]) -> np.ndarray:
    """(n, d) Latin hypercube: each column has exactly one point in each of the n strata.

    The construction of McKay, Beckman & Conover (1979), Technometrics 21(2):239-245, as in
    ``scipy.stats.qmc.LatinHypercube``: column j is a shuffle of the strata with a uniform
    point in each (``draws.shuffled_strata``), from n uniforms of numpy's generator seeded
    by (*entropy, j). Each column its own stream, so the columns are drawn at once on the
    cores and the numbers do not depend on the threads. A block of 65,536 x 18 takes 9 ms
    on one core, against 30 ms for the ``Generator.permuted`` of all columns and the
    uniforms this replaced (measured interleaved; it made both numbers from one stream, in
    order, on one core). In Fortran order: each input's inverse CDF then reads its column
    contiguously.
    """
    from . import draws  # numba: imported on the drawing thread, not with this module

    return draws.latin_columns(n, d, entropy).T


@dataclass(frozen=True)
class Sampler:
    """Seeded input samples for a scenario; ``params(start, stop)`` gives paths [start, stop)."""

    scenario: Scenario
    seed: int
    method: SamplerName = "lhs"
    # the inputs the random numbers are drawn for, in order (default: the scenario's own):
    # samplers of several scenarios given the same list draw common random numbers, each
    # input the same numbers in every scenario that has it
    common: tuple[str, ...] | None = None

    def __post_init__(self):
        if self.method not in SAMPLERS:
            raise UserError(f"sampler {self.method!r} is unknown; allowed: {', '.join(SAMPLERS)}")
        if not 0 <= self.seed < 2**63:
            raise UserError(f"seed {self.seed} must be from 0 to 2**63 - 1")
        names = uncertain_names(self.scenario)
        object.__setattr__(self, "names", names)
        columns = list(self.common) if self.common is not None else names
        missing = [n for n in names if n not in columns]
        if missing:
            raise ValueError(f"common inputs lack {', '.join(missing)}")
        object.__setattr__(self, "width", len(columns))
        picked = [columns.index(n) for n in names]
        object.__setattr__(self, "pick", np.array(picked, dtype=np.int64))
        linked, factor = correlation_factor(self.scenario, names)
        object.__setattr__(self, "linked", linked.astype(np.int64))
        object.__setattr__(self, "factor", np.ascontiguousarray(factor, dtype=float))
        object.__setattr__(self, "central", central_params(self.scenario))
        object.__setattr__(self, "_last_block", [])

    def uniforms(self, start: int, stop: int) -> np.ndarray:
        """(stop - start, d) uniforms in [U_MIN, 1 - U_MIN] for the uncertain inputs,
        correlated; in Fortran order, each input's column contiguous."""
        n = stop - start
        if not self.names:
            return np.empty((n, 0))
        if self.method == "sobol":
            from scipy.stats import qmc  # scipy.stats takes 0.5 s to import: only for Sobol

            engine = qmc.Sobol(self.width, scramble=True, seed=self.seed)
            if start:
                engine.fast_forward(start)
            with warnings.catch_warnings():
                # a chunk need not be a power of 2; the whole run's count is what matters
                warnings.filterwarnings("ignore", "The balance properties", UserWarning)
                u = engine.random(n)
        else:
            first, last = start // BLOCK_PATHS, (stop - 1) // BLOCK_PATHS
            blocks = [self._block(k) for k in range(first, last + 1)]
            u = blocks[0] if first == last else np.concatenate(blocks)
            u = u[start - first * BLOCK_PATHS : stop - first * BLOCK_PATHS]
        from . import draws

        return draws.correlate(u.T, self.pick, self.linked, self.factor).T

    def _block(self, k: int) -> np.ndarray:
        cached = self._last_block
        if cached and cached[0] == k:  # chunks smaller than a block reuse it
            return cached[1]
        if self.method == "lhs":
            block = latin_hypercube(BLOCK_PATHS, self.width, (self.seed, k))
        else:
            block = np.random.default_rng([self.seed, k]).random((BLOCK_PATHS, self.width))
        self._last_block[:] = [k, block]
        return block

    def params(self, start: int, stop: int) -> Params:
        """Every simulator input for paths [start, stop): sampled where uncertain."""
        return self.params_from_uniforms(self.uniforms(start, stop))

    def params_from_uniforms(self, u: np.ndarray) -> Params:
        """Map uniforms (paths, d) through each input's inverse CDF; the rest at central.
        Each sampled input is a row of one (d, paths) array."""
        from . import draws

        n = u.shape[0]
        # fixed inputs: a read-only view of their one value, not n copies of it
        params = {name: np.broadcast_to(value, (n,)) for name, value in self.central.items()}
        if not self.names:
            return params
        dists = [input_value(self.scenario, name) for name in self.names]
        kinds, shapes = zip(*(draws.shape_of(dist) for dist in dists), strict=True)
        lognormal = [j for j, kind in enumerate(kinds) if kind == draws.LOGNORMAL]
        values = draws.invert(u.T, np.array(kinds), np.array(shapes, dtype=float), lognormal)
        for j, name in enumerate(self.names):
            if kinds[j] == draws.BY_NUMPY:
                values[j] = dists[j].ppf(u[:, j])
            params[name] = values[j]
        return params


def chunks_of(stops: list[int], chunk_paths: int) -> list[tuple[int, int]]:
    """(first path, end) of each chunk a run simulates, ``chunk_paths`` paths at most, each
    of ``stops`` (the paths at which a run may stop) ending one."""
    return [
        (start, min(start + chunk_paths, stop_at))
        for done, stop_at in zip((0, *stops[:-1]), stops, strict=True)
        for start in range(done, stop_at, chunk_paths)
    ]


class DrawnAhead:
    """``chunks`` with their sampled inputs, drawn in order on one thread from the moment
    this is made, up to ``depth`` chunks ahead of the one in use.

    The next chunk is drawn (its pieces on the draws pool) while the simulator runs this
    one, so neither waits for the other; and a command can make this before it imports the
    simulator, so the first chunks are drawn while numba loads. A chunk's inputs are a
    function of its paths only: the numbers are the same however far ahead they are drawn.
    One thread, so the Sampler's block cache is never shared.
    """

    def __init__(self, draw: Sampler, chunks: list[tuple[int, int]], depth: int = 1):
        self.chunks = list(chunks)
        self._draw = draw
        self._pool = ThreadPoolExecutor(1)
        self._ahead = deque(self._pool.submit(draw.params, *c) for c in self.chunks[:depth])

    def __iter__(self):
        """Each chunk and its inputs, in order; the next is drawn as one is taken."""
        try:
            for k, chunk in enumerate(self.chunks):
                params = self._ahead.popleft().result()
                following = k + 1 + len(self._ahead)
                if following < len(self.chunks):
                    self._ahead.append(
                        self._pool.submit(self._draw.params, *self.chunks[following])
                    )
                yield chunk, params
        finally:
            self.close()

    def close(self) -> None:
        """Stop drawing: what is not started is dropped."""
        for pending in self._ahead:
            pending.cancel()
        self._pool.shutdown(wait=True)


def drawn_ahead(draw: Sampler, chunks: list[tuple[int, int]]) -> DrawnAhead:
    """``DrawnAhead`` as deep as DRAWN_AHEAD_BYTES allows (1 to 8 chunks): a command starts
    it before it imports the simulator, so that several chunks are ready when it starts."""
    largest = max(stop - start for start, stop in chunks)
    chunk_bytes = 8 * largest * max(draw.width, 1)  # each sampled input, float64
    return DrawnAhead(draw, chunks, depth=max(1, min(8, DRAWN_AHEAD_BYTES // chunk_bytes)))


_END = object()


def made_ahead(make, items):
    """``make(item)`` for each of ``items`` in order, each made on a thread while the caller
    works on the one before: numpy releases the GIL, so it takes a core the caller leaves.
    ``items`` is read on that thread only."""
    items = iter(items)

    def next_made():
        item = next(items, _END)
        return _END if item is _END else make(item)

    with ThreadPoolExecutor(1) as pool:
        ahead = pool.submit(next_made)
        while (made := ahead.result()) is not _END:
            ahead = pool.submit(next_made)
            yield made
