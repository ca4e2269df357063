"""Scenarios posted to the API: validated with the same sentences as a file, held to the same
limits, and computed on: a posted scenario's P(target) is `evlaunch risk`'s on the same file,
seed and paths. Stored runs are listed, rendered and compared, read-only."""

import json
import time

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from evlaunch.cli import app as cli
from evlaunch.scenario.documents import parse_document
from evlaunch.web import app as web

from .conftest import OWN_OPTION, own_plan_text, store_report_runs

client = TestClient(web.app)


@pytest.fixture
def plan_data() -> dict:
    return json.loads(json.dumps(parse_document(own_plan_text(), "yaml", "x"), default=str))


def test_a_posted_scenario_gives_the_p_target_of_evlaunch_risk(plan_data, own_plan, tmp_path):
    out = tmp_path / "risk.json"
    args = ["risk", str(own_plan), "--paths", "3000", "--seed", "7", "--no-sensitivity"]
    result = CliRunner().invoke(cli, [*args, "--json", str(out), "--no-save"])
    assert result.exit_code == 0, result.output
    cli_risk = json.loads(out.read_text())["risk"]
    posted = client.post("/api/risk", json={"scenario": plan_data, "paths": 3000, "seed": 7})
    assert posted.status_code == 200, posted.text[:300]
    d = posted.json()
    assert d["options"] == [OWN_OPTION] and d["scenario"] == "Acme EV plan"
    assert d["p_target"] == cli_risk["p_target"] and 0 < d["p_target"] < 1
    assert d["deliveries_quantiles"] == cli_risk["deliveries_quantiles"]


def test_posted_scenarios_are_validated_planned_and_what_if_ed(plan_data):
    ok = client.post("/api/scenarios/validate", json={"scenario": plan_data})
    assert ok.status_code == 200 and OWN_OPTION in ok.json()["options"]
    assert ok.json()["plan_options"] == [OWN_OPTION]
    whatif = client.post(
        "/api/whatif",
        json={"scenario": plan_data, "paths": 2_000, "option_start_shift_months": {OWN_OPTION: 6}},
    )
    assert whatif.status_code == 200 and whatif.json()["scenario"] == "Acme EV plan"
    plan = client.post("/api/plan", json={"scenario": plan_data})
    assert plan.status_code == 200 and plan.json()["status"] == "optimal"
    partners = client.post("/api/partners", json={"scenario": plan_data, "paths": 1_000})
    assert partners.status_code == 200


def _refused(body, status=422) -> str:
    answer = client.post("/api/scenarios/validate", **body)
    assert answer.status_code == status, answer.text[:300]
    assert len(answer.content) < 8_000  # excerpts at most, never the input
    return answer.json()["message"]


def test_invalid_posted_scenarios_get_one_sentence_per_problem(plan_data):
    plan_data["market"]["price_cny"] = -5
    plan_data["target"]["deliverys"] = 3
    message = _refused({"json": {"scenario": plan_data}})
    assert "scenario.market.price_cny = -5" in message
    assert "scenario.target.deliverys: unknown field; did you mean 'deliveries'?" in message
    assert "; " in message and "\n" not in message
    assert "not both" in _refused({"json": {"scenario": {}, "scenario_name": "my-plan"}})
    assert "scenario.name: missing" in _refused({"json": {"scenario": {}}})


@pytest.mark.parametrize(
    "text, words",
    [
        ('{"scenario": {"market": {"price_cny": NaN}}}', "is not a finite number"),
        ('{"scenario": {"market": {"price_cny": 1e400}}}', "is not a finite number"),
        ('{"scenario": {"market": {"price_cny": ' + "9" * 500 + "}}}", "at most 40 are allowed"),
        ('{"scenario": ' + "[" * 60 + "]" * 60 + "}", "more than 20 levels deep"),
        ('{"scenario": {"name": "' + "n" * 20_000 + '"}}', "at most 10,000 are allowed"),
    ],
)
def test_hostile_posted_scenarios_are_refused_by_the_limits(text, words):
    body = {"content": text, "headers": {"content-type": "application/json"}}
    assert words in _refused(body)


def test_an_oversized_posted_scenario_is_refused_413(plan_data):
    plan_data["name"] = "x" * 9_000
    plan_data["notes"] = ["y" * 9_000] * 120  # 1.1 MB of text
    assert "at most 1,000,000 are accepted" in _refused({"json": {"scenario": plan_data}}, 413)


def test_a_posted_scenario_of_many_months_asks_for_fewer_paths(plan_data):
    plan_data["horizon_months"] = 240
    answer = client.post("/api/risk", json={"scenario": plan_data, "paths": 200_000})
    assert answer.status_code == 422
    assert "over the scenario's 240 months at most 70,000 paths" in answer.json()["message"]


def test_stored_runs_are_listed_rendered_and_compared_read_only(own_plan, tmp_path):
    store = tmp_path / "runs.duckdb"
    first, second = store_report_runs(store, own_plan)
    saved = web.app.state.store
    web.app.state.store = store
    try:
        runs = client.get("/api/runs").json()["runs"]
        assert [r["id"] for r in runs] == [second, first]  # newest first
        assert runs[0]["scenario"] == "Acme EV plan" and runs[0]["kind"] == "report"
        assert 0 <= runs[0]["p_target"] <= 1
        one = client.get(f"/api/runs/{first}").json()
        assert one["id"] == first and "arrays" not in one
        page = client.get(f"/runs/{first}/report")
        assert page.status_code == 200 and "Acme EV plan" in page.text
        both = client.get("/runs/compare", params=[("run", first), ("run", second)])
        assert both.status_code == 200 and first in both.text
        assert client.get("/api/runs/no-such-run").status_code == 422
        assert client.get("/api/runs/..%2F..%2Fetc").status_code in (404, 422)
        for method in ("post", "put", "delete"):
            assert getattr(client, method)(f"/api/runs/{first}").status_code == 405
        assert client.get("/api/runs").json()["runs"][1]["id"] == first  # nothing removed
    finally:
        web.app.state.store = saved
    web.app.state.store = tmp_path / "none.duckdb"
    try:
        assert client.get("/api/runs").json() == {"runs": []}  # none yet: an empty list
    finally:
        web.app.state.store = saved


def test_a_posted_risk_of_20000_paths_is_timed(plan_data, capsys):
    started = time.perf_counter()
    answer = client.post("/api/risk", json={"scenario": plan_data, "paths": 20_000})
    seconds = time.perf_counter() - started
    assert answer.status_code == 200
    with capsys.disabled():
        print(f"\nposted scenario, 20,000 paths: {seconds:.2f} s")
