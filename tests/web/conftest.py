"""`evlaunch serve` in its own process, as a user starts it, and a scenario file of one's own.

Requests in the tests go to 127.0.0.1 only, also when the server binds 0.0.0.0."""

import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from evlaunch.pipeline import report_results
from evlaunch.scenario.load import bundled_text, load_scenario
from evlaunch.store import save_result

ROOT = Path(__file__).resolve().parents[2]
OWN_OPTION = "Acme <b>Works</b>"  # markup in a name: the page must show it as text


def own_plan_text() -> str:
    """A scenario that is not the bundled one: its own name and target, and a contract
    manufacturer (named with markup) as its whole plan."""
    text = bundled_text().replace("name: Xiaomi EV 2021 plan", "name: Acme EV plan")
    text = text.replace("deliveries: 900000", "deliveries: 300000")
    text = text.replace("FAW Group", OWN_OPTION)
    return text.replace(
        "options: [Own plant phase I, Own plant phase II]", f'options: ["{OWN_OPTION}"]'
    )


@pytest.fixture
def own_plan(tmp_path) -> Path:
    path = tmp_path / "my-plan.yaml"
    path.write_text(own_plan_text())
    return path


def store_report_runs(path: Path, scenario_file: Path, count: int = 2) -> list[str]:
    """``count`` small report runs of the file's scenario stored in the store at ``path``."""
    scenario, text = load_scenario(scenario_file)
    return [
        save_result(report_results(scenario, 1_000, seed), scenario, text, seed, 1.0, path)
        for seed in range(count)
    ]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve(*args: str, env: dict | None = None, timeout_s: float = 60.0):
    """`evlaunch serve ARGS --port P` running; yields (base URL on 127.0.0.1, process)."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "evlaunch.cli", "serve", *args, "--port", str(port)],
        env={**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1", **(env or {})},
        cwd=ROOT,  # `python -m` looks in the working folder first: this checkout's evlaunch
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + timeout_s
    try:
        while True:
            if process.poll() is not None:
                raise AssertionError(f"evlaunch serve exited: {process.stderr.read()}")
            assert time.monotonic() < deadline, "evlaunch serve did not start"
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}", process
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
