"""The HTTP API (OpenAPI at /openapi.json) and the dashboard page at /.

Every request is validated before work starts: a bad one is answered 422 with the field
named in one sentence per problem (``message``); paths per request are capped; bodies above
1 MB are refused as they arrive (413) and JSON bodies are held to the limits of
``evlaunch.limits``; no file-system path is ever taken from a request; the server binds to
loopback unless told otherwise.
"""

import asyncio
from functools import cache
from importlib.resources import files

from fastapi import FastAPI, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from plotly.offline import get_plotlyjs
from starlette.exceptions import HTTPException
from swagger_ui_bundle import swagger_ui_path

from .. import __version__
from ..errors import UserError
from ..io import _finite_or_none
from ..limits import MAX_BODY_BYTES
from ..model.outcomes import CHECKPOINTS
from ..scenario.checks import with_requirements
from ..scenario.load import load_scenario
from .body import BodyRefused, StrictJSONRoute
from .messages import excerpt, validation_answer
from .size import BodyLimit
from .whatif import MAX_PATHS, WhatIf, what_if

COMPUTE_TIMEOUT_S = 60.0  # a request's computation; past it the answer is 503
MAX_PARTNER_PATHS = 50_000  # the assessment simulates every way of building

app = FastAPI(
    title="evlaunch",
    version=__version__,
    description="Plan and stress-test a new EV maker's market entry.",
    docs_url=None,  # served below from files installed with the package, not from a CDN
)
app.router.route_class = StrictJSONRoute  # before any route is added: every body is bounded
app.add_middleware(BodyLimit, max_bytes=MAX_BODY_BYTES)
# Swagger UI's scripts and styles as the swagger-ui-bundle package ships them: /docs works
# on a machine without internet
app.mount("/docs-assets", StaticFiles(directory=swagger_ui_path), name="docs-assets")


@app.get("/docs-openapi.json", include_in_schema=False)
def docs_openapi() -> JSONResponse:
    """The spec as the bundled Swagger UI (4.x) reads it: it knows OpenAPI 3.0 by name
    only, and draws this 3.1 spec (pydantic's schemas) all the same. /openapi.json is the
    spec itself."""
    return JSONResponse({**app.openapi(), "openapi": "3.0.3"})


@app.get("/docs", include_in_schema=False)
def docs() -> HTMLResponse:
    return get_swagger_ui_html(
        openapi_url="/docs-openapi.json",
        title="evlaunch API",
        swagger_js_url="/docs-assets/swagger-ui-bundle.js",
        swagger_css_url="/docs-assets/swagger-ui.css",
        swagger_favicon_url="/docs-assets/favicon-32x32.png",
    )


@cache
def _bundled():
    return load_scenario()[0]


@app.exception_handler(UserError)
async def user_error(request: Request, exc: UserError):
    message = "; ".join(exc.problems)
    return JSONResponse({"message": message, "detail": message}, status_code=422)


@app.exception_handler(BodyRefused)
async def body_refused(request: Request, exc: BodyRefused):
    """A body past a limit of ``evlaunch.limits``: one sentence per problem, as below."""
    detail = [
        {"type": "body_limit", "loc": ["body", *loc], "msg": sentence}
        for loc, sentence in exc.problems
    ]
    return JSONResponse({"message": exc.detail, "detail": detail}, status_code=422)


@app.exception_handler(HTTPException)
async def http_error(request: Request, exc: HTTPException):
    """Starlette's 404 and 405, with the request they answer as ``message``."""
    where = excerpt(request.url.path)
    message = f"{request.method} {where}: {exc.detail}"
    return JSONResponse(
        {"message": message, "detail": exc.detail}, exc.status_code, headers=exc.headers
    )


@app.exception_handler(RequestValidationError)
async def invalid_request(request: Request, exc: RequestValidationError):
    """FastAPI's ``detail`` list for programs, plus one sentence per problem for people."""
    return JSONResponse(validation_answer(exc.errors()), status_code=422)


def _json(data) -> JSONResponse:
    return JSONResponse(_finite_or_none(data))


async def _compute(fn, *args):
    """Run ``fn`` off the event loop; past the timeout, answer 503 (the thread finishes)."""
    try:
        return _json(await asyncio.wait_for(run_in_threadpool(fn, *args), COMPUTE_TIMEOUT_S))
    except TimeoutError:
        message = f"the computation took longer than {COMPUTE_TIMEOUT_S:.0f} s; ask for fewer paths"
        return JSONResponse({"message": message, "detail": message}, status_code=503)


@app.get("/", response_class=HTMLResponse, include_in_schema=False)
def dashboard() -> str:
    return (files("evlaunch") / "web" / "static" / "dashboard.html").read_text("utf-8")


@app.get("/static/plotly.min.js", include_in_schema=False)
def plotly_js() -> Response:
    return Response(
        _plotly(), media_type="application/javascript", headers={"Cache-Control": "max-age=86400"}
    )


@cache
def _plotly() -> str:
    return get_plotlyjs()


@app.post("/api/whatif")
async def api_whatif(change: WhatIf) -> JSONResponse:
    """Monte Carlo of the bundled scenario's chosen mix with the dashboard's assumptions."""
    return await _compute(what_if, _bundled(), change)


@app.get("/api/run")
async def api_run() -> JSONResponse:
    """The deterministic run of every way of building, with P(target) and the verdict."""
    from ..pipeline import run

    return await _compute(lambda: run(_bundled()).to_dict())


@app.get("/api/risk")
async def api_risk(
    paths: int = Query(10_000, ge=1_000, le=MAX_PATHS),
    seed: int = Query(0, ge=0),
    sampler: str = Query("lhs", pattern="^(random|lhs|sobol)$"),
) -> JSONResponse:
    """Monte Carlo of the chosen mix: P(target), quantiles, fan, convergence."""
    from ..risk.montecarlo import monte_carlo

    s = _bundled()
    options = with_requirements(s, s.plan.options)
    return await _compute(lambda: monte_carlo(s, options, paths, seed, sampler).to_dict())


@app.get("/api/partners")
async def api_partners(
    paths: int = Query(10_000, ge=1_000, le=MAX_PARTNER_PATHS), seed: int = Query(0, ge=0)
) -> JSONResponse:
    """MCDA rankings, SMAA-2 and the simulation of every way of building."""
    from ..partners.assess import assess

    return await _compute(lambda: assess(_bundled(), paths, seed).to_dict())


@app.get("/api/plan")
async def api_plan() -> JSONResponse:
    """The deterministic production and capacity plan (MILP)."""
    from ..plan.solve import plan

    return await _compute(lambda: plan(_bundled()).to_dict())


@app.get("/api/reference")
def api_reference() -> JSONResponse:
    """Real EV entrants: cumulative deliveries after 12, 24 and 36 months of sales."""
    from ..reference.entrants import entrants

    return _json(
        [
            {
                "company": e.company,
                "country": e.country,
                "first_delivery": e.first_delivery,
                **{f"after_{k}_months": float(e.cumulative_at(k)) for k in CHECKPOINTS},
            }
            for e in entrants()
        ]
    )
