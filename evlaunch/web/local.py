"""The API on a loopback port in a background thread, and how to launch the headless chromium
that drives the dashboard: shared by the browser tests, the load test and the benchmark."""

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from .app import app

CHROMIUM = "/usr/bin/chromium"  # Debian's; `make browser` installs it
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@contextmanager
def serving(port: int, timeout_s: float = 30.0) -> Iterator[str]:
    """Serve the API on 127.0.0.1:``port`` while the block runs; yields its base URL."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout_s
    try:
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the API did not start on 127.0.0.1:{port}")
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout_s)
