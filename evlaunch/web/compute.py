"""A request's computation off the event loop, bounded in time, answered as JSON."""

import asyncio

from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from ..io import _finite_or_none

COMPUTE_TIMEOUT_S = 60.0  # a request's computation; past it the answer is 503


def as_json(data) -> JSONResponse:
    return JSONResponse(_finite_or_none(data))


async def compute(fn, *args) -> JSONResponse:
    """Run ``fn`` off the event loop; past the timeout, answer 503 (the thread finishes)."""
    try:
        return as_json(await asyncio.wait_for(run_in_threadpool(fn, *args), COMPUTE_TIMEOUT_S))
    except TimeoutError:
        message = f"the computation took longer than {COMPUTE_TIMEOUT_S:.0f} s; ask for fewer paths"
        return JSONResponse({"message": message, "detail": message}, status_code=503)
