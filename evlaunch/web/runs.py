"""Stored runs over HTTP, read-only: the list, one run, a report run rendered from the store,
and report runs side by side. The store is the one `evlaunch serve` was started with
(``--store`` or ``EVLAUNCH_STORE``); a request names a run by its id, never a file, and is
only ever read (DuckDB opened read-only).
"""

from fastapi import APIRouter, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse

from ..errors import UserError
from ..io import _finite_or_none
from ..store import get_run, list_runs, store_path
from .body import StrictJSONRoute

router = APIRouter(route_class=StrictJSONRoute)
RunId = Path(max_length=100, pattern=r"^[A-Za-z0-9_.-]+$", description="a stored run's id")
MAX_COMPARED = 6  # report runs side by side in one page
ComparedRuns = Query(
    ..., min_length=2, max_length=MAX_COMPARED, description="report run ids, twice or more"
)


def _p_target(summary: dict) -> float | None:
    """The headline P(target) of a stored run's summary, whatever its kind keeps."""
    if "cases" in summary and summary["cases"]:  # a run: its chosen mix, the last case
        return summary["cases"][-1].get("p_target")
    value = summary.get("p_target")
    return value if isinstance(value, int | float) else None


def _listing(store, limit: int) -> list[dict]:
    if not store_path(store).exists():
        return []  # no run stored yet: an empty list, not an error
    return [
        {
            "id": r["id"],
            "created": r["created"].isoformat(),
            "kind": r["kind"],
            "scenario": r["scenario"],
            "seed": r["seed"],
            "p_target": _p_target(r["summary"]),
            "report": r["kind"] == "report",
        }
        for r in list_runs(store, limit)
    ]


@router.get("/api/runs")
async def api_runs(request: Request, limit: int = Query(50, ge=1, le=500)) -> JSONResponse:
    """Stored runs, newest first: id, when (UTC), kind, scenario name, seed and P(target)."""
    rows = await run_in_threadpool(_listing, request.app.state.store, limit)
    return JSONResponse(_finite_or_none({"runs": rows}))


@router.get("/api/runs/{run_id}")
async def api_run_stored(request: Request, run_id: str = RunId) -> JSONResponse:
    """One stored run: everything but its arrays (the scenario's text and inputs included)."""
    run = await run_in_threadpool(get_run, run_id, request.app.state.store)
    run.pop("arrays")
    return JSONResponse(_finite_or_none(run))


def _report_html(store, run_ids: list[str]) -> str:
    from ..report.compare import render_comparison
    from ..report.html import render_report
    from ..report.stored import stored_report

    if len(run_ids) == 1:
        scenario, text, computed = stored_report(run_ids[0], store)
        return render_report(computed, scenario, text)[0]
    runs = [(run_id, *stored_report(run_id, store)[::2]) for run_id in run_ids]
    return render_comparison(runs)[0]


@router.get("/runs/{run_id}/report", response_class=HTMLResponse)
async def run_report(request: Request, run_id: str = RunId) -> HTMLResponse:
    """A stored report run's HTML report, rendered from the store (nothing is computed)."""
    return HTMLResponse(await run_in_threadpool(_report_html, request.app.state.store, [run_id]))


@router.get("/runs/compare", response_class=HTMLResponse)
async def runs_compare(
    request: Request,
    run: list[str] = ComparedRuns,
) -> HTMLResponse:
    """Stored report runs side by side: their P(target), fans and headline figures."""
    for i, run_id in enumerate(run):
        if len(run_id) > 100:
            raise UserError(f"run[{i}]: a run id of {len(run_id):,} characters is not one")
    return HTMLResponse(await run_in_threadpool(_report_html, request.app.state.store, run))
