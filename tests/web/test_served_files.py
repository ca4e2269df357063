"""`evlaunch serve FILE ...`: each file validated at start and served by name, its sliders
built from its own options, a changed file picked up on the next request and a file that has
become invalid answered 422 with its problems, never with its last good version."""

import os

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from evlaunch.cli import app as cli
from evlaunch.web import app as web
from evlaunch.web.served import Catalog, served_name

from .conftest import OWN_OPTION, own_plan_text


@pytest.fixture
def client():
    saved = (web.app.state.catalog, web.app.state.token, web.app.state.store)
    yield TestClient(web.app)
    web.app.state.catalog, web.app.state.token, web.app.state.store = saved


def test_a_served_file_is_listed_and_its_sliders_are_its_own(client, own_plan):
    web.configure([own_plan])
    listing = client.get("/api/scenarios").json()
    assert listing["default"] == "my-plan"
    assert listing["scenarios"][0] | {"problems": []} == {
        "name": "my-plan",
        "file": "my-plan.yaml",
        "valid": True,
        "scenario": "Acme EV plan",
        "problems": [],
    }
    d = client.get("/api/scenarios/my-plan").json()
    keys = {c["key"] for c in d["controls"]}
    assert {f"oc:{OWN_OPTION}", f"os:{OWN_OPTION}", "mo:second model", "cap", "target"} <= keys
    assert "oc:Own plant phase I" not in keys  # an option outside this plan's mix: no slider
    assert f"in:options.{OWN_OPTION}.ramp_months" in keys
    assert not any(k.endswith("capex_cny") for k in keys)  # costs never move P(target)
    # the what-if runs on it, and its option's own slider moves the answer
    body = {"paths": 2_000, "target_deliveries": 300_000}
    base = client.post("/api/whatif", json=body).json()
    more = client.post("/api/whatif", json=body | {"option_capacity_scale": {OWN_OPTION: 3}}).json()
    assert base["scenario"] == "Acme EV plan" and base["options"] == [OWN_OPTION]
    assert more["p_target"] > base["p_target"]
    assert client.get("/api/risk", params={"paths": 1_000}).json()["paths"] == 1_000


def test_a_changed_file_is_picked_up_and_an_invalid_one_is_never_its_last_version(client, own_plan):
    web.configure([own_plan])
    assert client.get("/api/scenarios/my-plan").json()["target"] == 300_000
    text = own_plan_text()
    own_plan.write_text(text.replace("deliveries: 300000", "deliveries: 400000"))
    os.utime(own_plan, ns=(1, 1))  # a new modification time even within the clock's tick
    assert client.get("/api/scenarios/my-plan").json()["target"] == 400_000
    own_plan.write_text(text.replace("price_cny: 235900", "price_cny: -5", 1))
    for answer in (
        client.get("/api/scenarios/my-plan"),
        client.post("/api/whatif", json={"paths": 1_000}),
        client.get("/api/run"),
    ):
        assert answer.status_code == 422
        assert "market.price_cny" in answer.json()["message"]
    listed = client.get("/api/scenarios").json()["scenarios"][0]
    assert not listed["valid"] and "market.price_cny" in listed["problems"][0]
    own_plan.unlink()
    assert "no such file" in client.get("/api/scenarios/my-plan").json()["message"]
    own_plan.write_text(text)
    assert client.get("/api/scenarios/my-plan").status_code == 200


def test_names_are_unique_and_only_served_ones_are_read(client, own_plan, tmp_path):
    other = tmp_path / "b" / "my-plan.yaml"
    other.parent.mkdir()
    other.write_text(own_plan_text())
    catalog = web.configure([own_plan, other])
    assert list(catalog.files) == ["my-plan", "my-plan-2"]
    assert served_name(tmp_path / "a b<c>.yaml", set()) == "a-b-c"
    # a path in a request is a name like any other: not served, not read
    for name in (str(own_plan), "../my-plan", "xiaomi-2021"):
        answer = client.post("/api/whatif", json={"paths": 1_000, "scenario_name": name})
        assert answer.status_code == 422
        assert "no such served scenario; served: my-plan, my-plan-2" in answer.json()["message"]
    assert client.get("/api/scenarios/..%2Fetc").status_code in (404, 422)
    assert Catalog().default == "xiaomi-2021"  # no file: the bundled scenario


def test_serve_refuses_a_bad_file_at_start(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(own_plan_text().replace("price_cny: 235900", "price_cny: -5", 1))
    result = CliRunner().invoke(cli, ["serve", str(bad), "--port", "8799"])
    assert result.exit_code == 2
    assert "market.price_cny" in result.output
    missing = CliRunner().invoke(cli, ["serve", str(tmp_path / "nope.yaml")])
    assert missing.exit_code == 2 and "no such file" in missing.output
    short = CliRunner().invoke(cli, ["serve", "--host", "0.0.0.0", "--token", "abc"])
    assert short.exit_code == 2 and "at least 16 characters" in short.output
