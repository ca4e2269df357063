"""Sweep throughput on a Dask LocalCluster with 1 and 2 worker processes, and the scaling
efficiency (throughput with 2 / (2 x throughput with 1)).

    .venv/bin/python bench/bench_sweep.py
"""

import tempfile
import time
from pathlib import Path

import yaml
from distributed import Client, LocalCluster

from evlaunch.sweep import load_grid, run_sweep

GRID = {
    "method": "cartesian",
    "paths": 20_000,
    "seed": 0,
    "parameters": {
        "market.bass_p_per_year": [0.01, 0.03, 0.06, 0.1],
        "options.Own plant phase I.capacity_per_year": [1e5, 2e5, 3e5, 4e5],
    },
}


def throughput(workers: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        grid = Path(tmp) / "grid.yaml"
        grid.write_text(yaml.safe_dump(GRID))
        sweep = load_grid(grid)
        with (
            LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                host="127.0.0.1",
                env={"NUMBA_NUM_THREADS": str(max(1, 2 // workers))},
            ) as cluster,
            Client(cluster) as client,
        ):
            client.run(lambda: __import__("evlaunch.model.simulate"))  # warm the workers
            started = time.perf_counter()
            run_sweep(sweep, client, Path(tmp) / "store.duckdb")
            seconds = time.perf_counter() - started
    points = len(sweep.points)
    print(
        f"{workers} worker(s): {points} points x {GRID['paths']:,} paths in {seconds:.1f} s "
        f"= {points / seconds:.2f} points/s"
    )
    return points / seconds


if __name__ == "__main__":
    one, two = throughput(1), throughput(2)
    print(f"scaling efficiency with 2 workers: {100 * two / (2 * one):.0f}%")
