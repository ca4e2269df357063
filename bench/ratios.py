"""Speed ratios against peers, measured in one process: the regression check's figures.

Absolute times differ between machines and with load; the ratio of our code to a peer doing
the same work, on the same machine, in the same rounds, differs far less. Our side runs on one
thread, as the loop does: a parallel kernel against a serial loop would measure how many
cores other work left free (on this 2-core machine, under load, the simulator's ratio fell
from 80x to 28x with its code unchanged). Each ratio is the best of interleaved rounds
(``bench_risk.interleaved_best``), at sizes that take about a second in all, so the check
runs with the tests (``tests/test_speed_ratios.py``): it fails when a ratio falls below half
of the one recorded in ``bench/ratios.json``.

    .venv/bin/python bench/ratios.py            # measure and print
    .venv/bin/python bench/ratios.py --record   # and record them (`make bench` does)
"""

import argparse
import json
import os
import platform
import sys
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import numba

sys.path.insert(0, str(Path(__file__).parent))
from bench_risk import (  # noqa: E402
    MIX,
    interleaved_best,
    peer_inputs,
    python_loop,
    scenario_72_months,
)

from evlaunch.model.simulate import simulate  # noqa: E402
from evlaunch.risk.montecarlo import monte_carlo  # noqa: E402
from evlaunch.risk.sampling import Sampler  # noqa: E402

RECORDED = Path(__file__).with_name("ratios.json")
MC_PATHS, LOOP_PATHS = 32_768, 400
ROUNDS = 3


@contextmanager
def one_thread():
    """numba's parallel loops on one thread, as the peer runs."""
    before = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        yield
    finally:
        numba.set_num_threads(before)


def monte_carlo_vs_loop() -> float:
    """Paths a second: the Monte Carlo end to end (sampling, simulator, outcome measures)
    over the plain per-path Python loop of the same model on the same inputs."""
    s = scenario_72_months()
    params = Sampler(s, seed=0, method="lhs").params(0, LOOP_PATHS)
    inputs = [peer_inputs(s, params, i) for i in range(LOOP_PATHS)]
    monte_carlo(s, MIX, 1_000, 0)  # compiled kernels loaded before timing
    with one_thread():
        ours, loop = interleaved_best(
            ROUNDS,
            lambda: monte_carlo(s, MIX, MC_PATHS, 0, "lhs"),
            lambda: [python_loop(x, s.horizon_months) for x in inputs],
        )
    return (MC_PATHS / ours) / (LOOP_PATHS / loop)


def simulator_vs_loop() -> float:
    """Paths a second: the fused simulator alone on sampled inputs (no sampling, no outcome
    measures) over the same plain per-path loop."""
    s = scenario_72_months()
    params = Sampler(s, seed=0, method="lhs").params(0, MC_PATHS)
    inputs = [peer_inputs(s, params, i) for i in range(LOOP_PATHS)]
    simulate(s, params, MIX, keep=0)
    with one_thread():
        ours, loop = interleaved_best(
            ROUNDS,
            lambda: simulate(s, params, MIX, keep=0),
            lambda: [python_loop(x, s.horizon_months) for x in inputs],
        )
    return (MC_PATHS / ours) / (LOOP_PATHS / loop)


RATIOS = {
    "monte_carlo_vs_python_loop": monte_carlo_vs_loop,
    "simulator_vs_python_loop": simulator_vs_loop,
}


def measure() -> dict[str, float]:
    return {name: fn() for name, fn in RATIOS.items()}


def recorded() -> dict[str, float]:
    return json.loads(RECORDED.read_text())["ratios"]


def machine() -> str:
    """The processor's name and the cores this process may use."""
    name = platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                name = line.split(":", 1)[1].strip()
                break
    return f"{name}, {len(os.sched_getaffinity(0))} cores"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--record", action="store_true", help="write bench/ratios.json")
    args = parser.parse_args()
    ratios = measure()
    for name, ratio in ratios.items():
        print(f"{name:<32}{ratio:8.1f}x")
    if args.record:
        RECORDED.write_text(
            json.dumps(
                {
                    "measured": date.today().isoformat(),
                    "machine": machine(),
                    "command": "python bench/ratios.py --record",
                    "ratios": {k: round(v, 2) for k, v in ratios.items()},
                },
                indent=2,
            )
            + "\n"
        )
        print(f"recorded in {RECORDED}")


if __name__ == "__main__":
    main()
