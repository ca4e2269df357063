"""The HTTP API (OpenAPI at /openapi.json) and the dashboard page at /.

Every request is validated before work starts: a bad one is answered 422 with the field
named in one sentence per problem (``message``); paths per request are capped; bodies above
1 MB are refused as they arrive (413) and JSON bodies are held to the limits of
``evlaunch.limits``; no file-system path is ever taken from a request; the server binds to
loopback unless told otherwise.
"""

from functools import cache
from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from plotly.offline import get_plotlyjs
from starlette.exceptions import HTTPException
from swagger_ui_bundle import swagger_ui_path

from .. import __version__
from ..errors import UserError
from ..limits import MAX_BODY_BYTES
from ..model.outcomes import CHECKPOINTS
from ..scenario.checks import with_requirements
from . import runs, scenario_api
from .access import TokenRequired
from .body import BodyRefused, StrictJSONRoute
from .compute import as_json, compute
from .messages import excerpt, validation_answer
from .posted import check_size, chosen
from .served import Catalog
from .size import BodyLimit
from .whatif import MAX_PATHS, WhatIf, what_if

MAX_PARTNER_PATHS = 50_000  # the assessment simulates every way of building

app = FastAPI(
    title="evlaunch",
    version=__version__,
    description="Plan and stress-test a new EV maker's market entry.",
    docs_url=None,  # served below from files installed with the package, not from a CDN
)
app.router.route_class = StrictJSONRoute  # before any route is added: every body is bounded
app.add_middleware(BodyLimit, max_bytes=MAX_BODY_BYTES)
app.add_middleware(TokenRequired, state=app.state)  # outermost: no token, nothing is read
app.state.catalog = Catalog()  # the bundled scenario until `serve` says otherwise
app.state.store = None  # the run store: $EVLAUNCH_STORE or ./.evlaunch/runs.duckdb
app.state.token = None  # no token needed (loopback)
app.include_router(scenario_api.router)
app.include_router(runs.router)


def configure(
    paths: list[Path] | None = None, token: str | None = None, store: Path | None = None
) -> Catalog:
    """Serve these scenario files (validated now: a bad one raises its problems), require
    this token (None: none) and read this run store; returns the catalog."""
    catalog = Catalog(paths)
    catalog.check()
    app.state.catalog, app.state.token, app.state.store = catalog, token, store
    return catalog


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


NameQuery = Query(None, max_length=200, description="a served scenario (default: the first)")


def _served(request: Request, name: str | None):
    return request.app.state.catalog.get(name)[0]


@app.get("/", response_class=HTMLResponse, include_in_schema=False)
def dashboard() -> str:
    return (files("evlaunch") / "web" / "static" / "dashboard.html").read_text("utf-8")


@app.get("/static/dashboard.js", include_in_schema=False)
def dashboard_js() -> Response:
    text = (files("evlaunch") / "web" / "static" / "dashboard.js").read_text("utf-8")
    return Response(text, media_type="application/javascript")


@app.get("/static/plotly.min.js", include_in_schema=False)
def plotly_js() -> Response:
    return Response(
        _plotly(), media_type="application/javascript", headers={"Cache-Control": "max-age=86400"}
    )


@cache
def _plotly() -> str:
    return get_plotlyjs()


@app.post("/api/whatif")
async def api_whatif(change: WhatIf, request: Request) -> JSONResponse:
    """Monte Carlo of a scenario's chosen mix with the dashboard's assumptions: a served
    scenario (``scenario_name``, default the first) or a posted one (``scenario``)."""
    scenario, _ = chosen(change, request.app.state.catalog)
    check_size(scenario, change.paths)
    return await compute(what_if, scenario, change)


@app.get("/api/run")
async def api_run(request: Request, scenario_name: str | None = NameQuery) -> JSONResponse:
    """The deterministic run of every way of building, with P(target) and the verdict."""
    from ..pipeline import run

    scenario = _served(request, scenario_name)
    return await compute(lambda: run(scenario).to_dict())


@app.get("/api/risk")
async def api_risk(
    request: Request,
    paths: int = Query(10_000, ge=1_000, le=MAX_PATHS),
    seed: int = Query(0, ge=0),
    sampler: str = Query("lhs", pattern="^(random|lhs|sobol)$"),
    scenario_name: str | None = NameQuery,
) -> JSONResponse:
    """Monte Carlo of the chosen mix: P(target), quantiles, fan, convergence."""
    from ..risk.montecarlo import monte_carlo

    s = _served(request, scenario_name)
    check_size(s, paths)
    options = with_requirements(s, s.plan.options)
    return await compute(lambda: monte_carlo(s, options, paths, seed, sampler).to_dict())


@app.get("/api/partners")
async def api_partners(
    request: Request,
    paths: int = Query(10_000, ge=1_000, le=MAX_PARTNER_PATHS),
    seed: int = Query(0, ge=0),
    scenario_name: str | None = NameQuery,
) -> JSONResponse:
    """MCDA rankings, SMAA-2 and the simulation of every way of building."""
    from ..partners.assess import assess

    scenario = _served(request, scenario_name)
    check_size(scenario, paths)
    return await compute(lambda: assess(scenario, paths, seed).to_dict())


@app.get("/api/plan")
async def api_plan(request: Request, scenario_name: str | None = NameQuery) -> JSONResponse:
    """The deterministic production and capacity plan (MILP)."""
    from ..plan.solve import plan

    scenario = _served(request, scenario_name)
    return await compute(lambda: plan(scenario, time_limit_s=45.0).to_dict())


@app.get("/api/reference")
def api_reference() -> JSONResponse:
    """Real EV entrants: cumulative deliveries after 12, 24 and 36 months of sales."""
    from ..reference.entrants import entrants

    return as_json(
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
