"""A bounded load test over loopback: 200 concurrent dashboard requests, zero errors; the
latencies go to test-artifacts/load.txt."""

import asyncio
import time
from pathlib import Path

import httpx
import numpy as np

from evlaunch.web.local import serving

PORT = 8769
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def test_200_concurrent_dashboard_requests_without_an_error():
    async def one(client, i):
        started = time.perf_counter()
        if i % 2:
            r = await client.get("/")
        else:
            r = await client.post(
                "/api/whatif", json={"paths": 1000, "seed": i, "capacity_scale": 1 + (i % 7) / 7}
            )
        return r.status_code, time.perf_counter() - started

    async def burst():
        limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{PORT}", limits=limits, timeout=120
        ) as client:
            await client.post("/api/whatif", json={"paths": 1000})  # warm up
            return await asyncio.wait_for(
                asyncio.gather(*(one(client, i) for i in range(200))), timeout=180
            )

    with serving(PORT):
        answers = asyncio.run(burst())
    codes = [c for c, _ in answers]
    seconds = np.array([s for _, s in answers])
    summary = (
        f"200 concurrent requests (100 dashboard pages, 100 what-ifs of 1,000 paths): "
        f"{codes.count(200)} answered 200; latency median {1e3 * np.median(seconds):.0f} "
        f"ms, p95 {1e3 * np.quantile(seconds, 0.95):.0f} ms, max {1e3 * seconds.max():.0f} ms"
    )
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "load.txt").write_text(summary + "\n")
    print(summary)
    assert codes == [200] * 200, summary
