"""The dashboard's what-if, timed at the API and in the browser (Debian's chromium via
Playwright, from slider input to the chart redrawn): 10,000 paths while a slider moves, then
100,000 once it rests.

    .venv/bin/python bench/bench_dashboard.py
"""

import statistics
import time

import numpy as np
from fastapi.testclient import TestClient

from evlaunch.web.app import app
from evlaunch.web.local import CHROMIUM, CHROMIUM_ARGS, serving


def api(repeats: int = 40, paths: int = 100_000) -> list[float]:
    client = TestClient(app)
    rng = np.random.default_rng(0)
    client.post("/api/whatif", json={"paths": paths})  # compile, draw, warm up
    times = []
    for _ in range(repeats):
        body = {
            "capacity_scale": float(rng.uniform(0.5, 3)),
            "bass_q_per_year": float(rng.uniform(0.1, 1.2)),
            "paths": paths,
        }
        started = time.perf_counter()
        assert client.post("/api/whatif", json=body).status_code == 200
        times.append(time.perf_counter() - started)
    return times


def browser(repeats: int = 20) -> tuple[list[float], list[float]]:
    """Seconds from a slider's input to the chart redrawn: first from the quick answer the
    dashboard gives while a slider moves (10,000 paths), then from the full one (100,000
    paths) once it rests (400 ms after the last move, which is not counted)."""
    from playwright.sync_api import sync_playwright

    quick, full = [], []
    with serving(8765) as url, sync_playwright() as p:
        page = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS).new_page()
        page.goto(url + "/")
        page.wait_for_function("document.getElementById('timing').textContent.length > 0")
        for i in range(repeats):
            value = 0.5 + 0.1 * (i % 20)
            first, last = page.evaluate(
                """async (value) => {
                // each redraw rewrites the timing line; the full answer's has no "(moving)"
                const timing = document.getElementById('timing');
                const seen = [];
                const done = new Promise(resolve => new MutationObserver((_, observer) => {
                    seen.push(performance.now());
                    if (timing.textContent.includes('moving')) return;
                    observer.disconnect();
                    resolve();
                }).observe(timing, {childList: true}));
                const started = performance.now();
                const cap = document.getElementById('cap');
                cap.value = value;
                cap.dispatchEvent(new Event('input'));
                await done;
                // less the 60 ms debounce, and for the full answer the 400 ms rest
                return [(seen[0] - started - 60) / 1000, (seen.at(-1) - started - 400) / 1000];
            }""",
                value,
            )
            quick.append(first)
            full.append(last)
    return quick, full


def report(name, times, paths=100_000):
    p95 = float(np.quantile(times, 0.95))
    print(
        f"{name:<44} median {1e3 * statistics.median(times):6.0f} ms   p95 {1e3 * p95:6.0f} ms"
        f"   ({len(times)} runs, {paths:,} paths each)"
    )


if __name__ == "__main__":
    report("API /api/whatif (compute + JSON)", api())
    report("API /api/whatif, while a slider moves", api(paths=10_000), 10_000)
    quick, full = browser()
    report("browser: slider moving to chart redrawn", quick, 10_000)
    report("browser: slider at rest to chart redrawn", full)
