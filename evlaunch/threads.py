"""Work spread over a pool of threads: compiled functions that release the GIL, run on as
many threads as numba may use."""

import os
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor

import numba

# each process's pool, made on first use: a forked child's copy of its parent's pool would
# have no threads behind it
_pools: dict[int, ThreadPoolExecutor] = {}


def spread(work: Callable[[object], None], pieces: Iterable) -> None:
    """``work(piece)`` for every piece, on as many threads as numba may use (a sweep's
    points share the cores by NUMBA_NUM_THREADS); a single piece on this thread."""
    pieces = list(pieces)
    if len(pieces) <= 1:
        for piece in pieces:
            work(piece)
        return
    pool = _pools.get(os.getpid())
    if pool is None:
        pool = _pools[os.getpid()] = ThreadPoolExecutor(numba.config.NUMBA_NUM_THREADS)
    for done in [pool.submit(work, piece) for piece in pieces]:
        done.result()
