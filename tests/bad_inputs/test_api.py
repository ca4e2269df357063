"""The catalog of bad API requests: each is refused (422, or 413 for an oversized body) with
the field named in ``message`` (one sentence a person reads) and ``detail`` (for programs)."""

import pytest
from fastapi.testclient import TestClient

from evlaunch.web.app import app

client = TestClient(app)

CASES = [
    (
        "whatif too few paths",
        "post",
        "/api/whatif",
        {"json": {"paths": 10}},
        ["paths (got 10)", "greater than or equal to 1000"],
    ),
    (
        "whatif too many paths",
        "post",
        "/api/whatif",
        {"json": {"paths": 10**7}},
        ["paths", "less than or equal to 200000"],
    ),
    (
        "whatif unknown field",
        "post",
        "/api/whatif",
        {"json": {"price": 1}},
        ["price: no such field", "/openapi.json"],
    ),
    (
        "whatif wrong type",
        "post",
        "/api/whatif",
        {"json": {"target_deliveries": "many"}},
        ["target_deliveries (got 'many')"],
    ),
    (
        "whatif not an object",
        "post",
        "/api/whatif",
        {"json": [1, 2]},
        ["the request body", "object"],
    ),
    (
        "whatif malformed JSON",
        "post",
        "/api/whatif",
        {"content": b"{not json", "headers": {"content-type": "application/json"}},
        ["not valid JSON", "at character 1"],
    ),
    (
        "whatif launch beyond horizon",
        "post",
        "/api/whatif",
        {"json": {"launch_delay_months": 36, "paths": 1000}},
        ["launch_delay_months = 36", "a delay of at most 15 months fits"],
    ),
    ("risk too few paths", "get", "/api/risk?paths=5", {}, ["paths (got '5')", "1000"]),
    (
        "risk unknown sampler",
        "get",
        "/api/risk?sampler=halton",
        {},
        ["sampler (got 'halton')", "random|lhs|sobol"],
    ),
    ("risk negative seed", "get", "/api/risk?seed=-1", {}, ["seed (got '-1')"]),
    (
        "partners too many paths",
        "get",
        "/api/partners?paths=1000000",
        {},
        ["paths", "less than or equal to 50000"],
    ),
]


@pytest.mark.parametrize("name, method, url, kwargs, fragments", CASES, ids=[c[0] for c in CASES])
def test_bad_request_is_422_with_the_field_named(name, method, url, kwargs, fragments):
    r = getattr(client, method)(url, **kwargs)
    assert r.status_code == 422, r.text
    body = r.json()
    message = body["message"]  # every 422 says what is wrong in a sentence
    for fragment in fragments:
        assert fragment in message, (fragment, message)


def test_oversized_body_is_413_before_any_work():
    r = client.post(
        "/api/whatif",
        content=b"{" + b" " * 1_100_000 + b"}",
        headers={"content-type": "application/json"},
    )
    assert r.status_code == 413 and "at most 1,000,000" in r.json()["detail"]


@pytest.mark.parametrize("url", ["/../../etc/passwd", "/static/../pyproject.toml", "/api/nope"])
def test_no_file_system_path_is_taken_from_a_request(url):
    r = client.get(url)
    assert r.status_code == 404 and "root:" not in r.text and "[project]" not in r.text
