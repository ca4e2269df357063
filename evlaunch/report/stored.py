"""A stored report run read back for rendering: its scenario, text and computed results."""

from ..errors import UserError
from ..pipeline import ReportResults
from ..scenario.schema import Scenario
from ..store import get_run


def stored_report(run_id: str, store=None) -> tuple[Scenario, str, ReportResults]:
    """The scenario, its text and the report results of a stored report run."""
    run = get_run(run_id, store)
    if run["kind"] != "report":
        raise UserError(
            f"run {run_id!r} is a {run['kind']} run, which keeps its summary only; a report "
            "renders from a report run (`evlaunch report FILE` stores one)"
        )
    try:
        computed = ReportResults.from_dict(run["arrays"])
    except (KeyError, TypeError, ValueError) as exc:
        raise UserError(
            f"run {run_id!r} was stored by evlaunch {run['version']} in another form "
            f"({type(exc).__name__}); run `evlaunch report` on its scenario again"
        ) from None
    return Scenario.model_validate(run["resolved"]), run["scenario_text"], computed
