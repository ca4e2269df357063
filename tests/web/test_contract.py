"""The API against its own OpenAPI spec (schemathesis): no 5xx answer, and every 4xx says
what is wrong in ``message``; and generated hostile documents (deep, long, non-finite, big
numbers) are refused 422, never a 500."""

import json

import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evlaunch.limits import EXCERPT_CHARS, MAX_DEPTH, MAX_NUMBER_CHARS, MAX_STRING_CHARS
from evlaunch.web.app import app

schema = schemathesis.openapi.from_asgi("/openapi.json", app)
client = TestClient(app)


@schemathesis.check
def client_errors_explain_themselves(ctx, response, case):
    if 400 <= response.status_code < 500:
        body = response.json()
        assert body.get("detail"), f"{response.status_code} without a detail: {body}"
        assert body.get("message"), f"{response.status_code} without a message: {body}"


@schema.parametrize()
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_contract(case):
    case.call_and_validate(checks=[client_errors_explain_themselves])


FIELDS = st.sampled_from(["price_cny", "seed", "paths", "capacity_scale", "x"])
NON_FINITE = st.sampled_from(["NaN", "Infinity", "-Infinity", "1e400", "-2.5e999"])
LONG_NUMBER = st.integers(MAX_NUMBER_CHARS + 1, 6_000).map(lambda n: "7" * n)
LONG_STRING = st.integers(MAX_STRING_CHARS + 1, 50_000).map(lambda n: json.dumps("s" * n))


@st.composite
def hostile(draw) -> tuple[str, str]:
    """A what-if body with one value past a limit (maybe wrapped in lists and objects), and
    the words its refusal must hold."""
    kind = draw(st.sampled_from(["non-finite", "number", "string", "deep"]))
    if kind == "deep":
        levels = draw(st.integers(MAX_DEPTH + 1, 50_000))
        return "[" * levels + "]" * levels, f"more than {MAX_DEPTH} levels deep"
    value, words = {
        "non-finite": (draw(NON_FINITE), "is not a finite number"),
        "number": (draw(LONG_NUMBER), f"at most {MAX_NUMBER_CHARS} are allowed"),
        "string": (draw(LONG_STRING), f"at most {MAX_STRING_CHARS:,} are allowed"),
    }[kind]
    for wrap in draw(st.lists(st.sampled_from(["list", "object"]), max_size=MAX_DEPTH - 2)):
        value = f"[{value}]" if wrap == "list" else f'{{"k": {value}}}'
    return f'{{"{draw(FIELDS)}": {value}}}', words


@given(hostile())
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
def test_generated_hostile_documents_are_422_with_the_limit_named(document):
    body, words = document
    r = client.post("/api/whatif", content=body, headers={"content-type": "application/json"})
    assert r.status_code == 422, r.text[:300]
    assert words in r.json()["message"]
    assert len(r.content) < 1_000 + 2 * EXCERPT_CHARS  # an excerpt at most, never the input
