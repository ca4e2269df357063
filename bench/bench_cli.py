"""What a user waits for: whole commands, from the shell prompt to the last line printed.

Each command runs in a fresh process (numba's compiled kernels warm in their cache), best of
three; beside them, the floor a command cannot go below: Python starting, and the libraries
it needs imported.

    .venv/bin/python bench/bench_cli.py
"""

import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).parents[1]
EVLAUNCH = [sys.executable, "-m", "evlaunch.cli"]
SCENARIO = str(ROOT / "evlaunch" / "scenario" / "bundled" / "xiaomi-2021.yaml")
COMMANDS = {
    "python starts (floor)": [sys.executable, "-c", "pass"],
    "imports typer, rich (floor of --help)": [
        sys.executable,
        "-c",
        "import typer, rich.console",
    ],
    "imports typer, numpy, pydantic, yaml (floor of validate)": [
        sys.executable,
        "-c",
        "import typer, rich.console, numpy, pydantic, yaml",
    ],
    "evlaunch --help": [*EVLAUNCH, "--help"],
    "evlaunch validate xiaomi-2021.yaml": [*EVLAUNCH, "validate", SCENARIO],
    "evlaunch run --no-save": [*EVLAUNCH, "run", "--no-save"],
    "evlaunch risk --paths 1000000 --no-sensitivity": [
        *EVLAUNCH,
        *"risk --paths 1000000 --no-sensitivity --no-save".split(),
    ],
    "evlaunch risk --paths 1000000 (tornado and Sobol)": [
        *EVLAUNCH,
        *"risk --paths 1000000 --no-save".split(),
    ],
}


def best_of(command: list[str], repeats: int = 3) -> float:
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, cwd=ROOT)
        best = min(best, time.perf_counter() - started)
    return best


def main():
    subprocess.run([*EVLAUNCH, "run", "--no-save"], check=True, capture_output=True)  # warm
    print(f"{'command':<56}{'seconds':>9}")
    for name, command in COMMANDS.items():
        print(f"{name:<56}{best_of(command):>9.2f}")


if __name__ == "__main__":
    main()
