"""The API on your own scenarios: the served ones listed and described (with the dashboard's
sliders), a posted one validated, and the risk, plan and partner assessment of either."""

from fastapi import APIRouter, Path, Request
from fastapi.responses import JSONResponse

from ..scenario.inputs import uncertain_names
from ..scenario.schema import Scenario
from .body import StrictJSONRoute
from .compute import as_json, compute
from .controls import controls
from .posted import (
    PartnersBody,
    PlanBody,
    RiskBody,
    ScenarioChoice,
    check_size,
    chosen,
    chosen_options,
)

router = APIRouter(route_class=StrictJSONRoute)
PLAN_TIME_LIMIT_S = 45.0  # the MILP's solves, within the request's 60 s
ServedName = Path(max_length=200, description="a served scenario's name (GET /api/scenarios)")


def describe(scenario: Scenario) -> dict:
    """What the dashboard shows of a scenario, and its sliders."""
    return {
        "scenario": scenario.name,
        "company": scenario.company.name,
        "launch": scenario.market.launch,
        "target": scenario.target.deliveries,
        "window_months": scenario.target.window_months,
        "options": [o.name for o in scenario.options],
        "plan_options": list(scenario.plan.options),
        "models": [{"name": m.name, "launch": m.launch} for m in scenario.models],
        "uncertain_inputs": uncertain_names(scenario),
        "controls": controls(scenario),
    }


@router.get("/api/scenarios")
def api_scenarios(request: Request) -> JSONResponse:
    """The scenarios this server serves (the files given to `evlaunch serve`), the first the
    default; each valid or with its problems, as its file is now."""
    catalog = request.app.state.catalog
    return as_json({"default": catalog.default, "scenarios": catalog.listing()})


@router.get("/api/scenarios/{name}")
def api_scenario(request: Request, name: str = ServedName) -> JSONResponse:
    """One served scenario as its file is now: options, models, uncertain inputs and the
    dashboard's sliders for them; 422 with its problems if the file has become invalid."""
    scenario, _ = request.app.state.catalog.get(name)
    return as_json({"name": name, **describe(scenario)})


@router.post("/api/scenarios/validate")
def api_validate(choice: ScenarioChoice, request: Request) -> JSONResponse:
    """Validate a posted scenario (``scenario``) as `evlaunch validate` does a file: 200 with
    what it holds, or 422 with one sentence per problem."""
    scenario, _ = chosen(choice, request.app.state.catalog)
    return as_json({"valid": True, **describe(scenario)})


def _risk(scenario: Scenario, body: RiskBody) -> dict:
    from ..risk.montecarlo import monte_carlo

    options = chosen_options(scenario, body.options)
    result = monte_carlo(scenario, options, body.paths, body.seed, body.sampler)
    return {"scenario": scenario.name, "options": options, **result.to_dict()}


@router.post("/api/risk")
async def api_risk_posted(body: RiskBody, request: Request) -> JSONResponse:
    """Monte Carlo of a posted or served scenario: the same numbers as `evlaunch risk` on the
    same scenario, seed, paths and sampler (default lhs)."""
    scenario, _ = chosen(body, request.app.state.catalog)
    check_size(scenario, body.paths)
    return await compute(_risk, scenario, body)


@router.post("/api/plan")
async def api_plan_posted(body: PlanBody, request: Request) -> JSONResponse:
    """The production and capacity plan (MILP) of a posted or served scenario."""
    from ..plan.solve import plan

    scenario, _ = chosen(body, request.app.state.catalog)
    return await compute(lambda: plan(scenario, time_limit_s=PLAN_TIME_LIMIT_S).to_dict())


@router.post("/api/partners")
async def api_partners_posted(body: PartnersBody, request: Request) -> JSONResponse:
    """MCDA rankings, SMAA-2 and the simulation of every way of building, of a posted or
    served scenario."""
    from ..partners.assess import assess

    scenario, _ = chosen(body, request.app.state.catalog)
    check_size(scenario, body.paths)
    return await compute(lambda: assess(scenario, body.paths, body.seed).to_dict())
