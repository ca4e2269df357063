"""The dashboard's what-if: 100,000 paths recomputed per slider move, timed at the API and in
the browser (Debian's chromium via Playwright, from slider input to the chart redrawn).

    .venv/bin/python bench/bench_dashboard.py
"""

import statistics
import time

import numpy as np
from fastapi.testclient import TestClient

from evlaunch.web.app import app
from evlaunch.web.local import CHROMIUM, CHROMIUM_ARGS, serving


def api(repeats: int = 40) -> list[float]:
    client = TestClient(app)
    rng = np.random.default_rng(0)
    client.post("/api/whatif", json={})  # compile, warm up
    times = []
    for _ in range(repeats):
        body = {
            "capacity_scale": float(rng.uniform(0.5, 3)),
            "bass_q_per_year": float(rng.uniform(0.1, 1.2)),
        }
        started = time.perf_counter()
        assert client.post("/api/whatif", json=body).status_code == 200
        times.append(time.perf_counter() - started)
    return times


def browser(repeats: int = 20) -> list[float]:
    from playwright.sync_api import sync_playwright

    times = []
    with serving(8765) as url, sync_playwright() as p:
        page = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS).new_page()
        page.goto(url + "/")
        page.wait_for_function("document.getElementById('timing').textContent.length > 0")
        for i in range(repeats):
            value = 0.5 + 0.1 * (i % 20)
            times.append(
                page.evaluate(
                    """async (value) => {
                // the timing line is rewritten after each redraw, even when its text repeats
                const redrawn = new Promise(resolve => new MutationObserver(
                    (_, observer) => { observer.disconnect(); resolve(); }
                ).observe(document.getElementById('timing'), {childList: true}));
                const started = performance.now();
                const cap = document.getElementById('cap');
                cap.value = value;
                cap.dispatchEvent(new Event('input'));
                await redrawn;
                return (performance.now() - started - 60) / 1000;  // less the 60 ms debounce
            }""",
                    value,
                )
            )
    return times


def report(name, times):
    p95 = float(np.quantile(times, 0.95))
    print(
        f"{name:<38} median {1e3 * statistics.median(times):6.0f} ms   p95 {1e3 * p95:6.0f} ms"
        f"   ({len(times)} runs, 100,000 paths each)"
    )


if __name__ == "__main__":
    report("API /api/whatif (compute + JSON)", api())
    report("browser: slider to chart redrawn", browser())
