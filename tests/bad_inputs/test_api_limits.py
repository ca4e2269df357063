"""The catalog of hostile API requests: non-finite numbers, oversized bodies (chunked too),
deep nesting, too many values, long number literals and long strings. Each is refused with
its status and one sentence naming the field or the limit; no answer is a 500, and no answer
echoes more than an excerpt of the input."""

import pytest
from fastapi.testclient import TestClient

from evlaunch.limits import (
    EXCERPT_CHARS,
    MAX_BODY_BYTES,
    MAX_DEPTH,
    MAX_NUMBER_CHARS,
    MAX_STRING_CHARS,
    MAX_VALUES,
)
from evlaunch.web.app import app

client = TestClient(app)
JSON = {"content-type": "application/json"}
LONGEST_ANSWER = 2_000  # bytes: a few sentences and excerpts, whatever the input's size


def raw(text: str | bytes) -> dict:
    return {"content": text.encode() if isinstance(text, str) else text, "headers": JSON}


def nested(levels: int) -> str:
    return '{"a": ' + "[" * (levels - 1) + "]" * (levels - 1) + "}"


def chunks(total: int, size: int = 65_536):
    """A body of ``total`` bytes sent chunked (no Content-Length): a JSON string of x's."""
    yield b'{"a": "'
    for start in range(0, total, size):
        yield b"x" * min(size, total - start)
    yield b'"}'


CASES = [
    # strict inputs: a key twice, yes/no or text where a number belongs
    (
        "a key twice",
        raw('{"capacity_scale": 1.5, "capacity_scale": 2}'),
        422,
        ["the key 'capacity_scale' is given twice in one object"],
    ),
    ("true for a number", raw('{"capacity_scale": true}'), 422, ["capacity_scale (got True)"]),
    ("text for a number", raw('{"capacity_scale": "2"}'), 422, ["capacity_scale (got '2')"]),
    # non-finite numbers: refused by field before anything echoes them
    ("NaN", raw('{"price_cny": NaN}'), 422, ["price_cny: NaN is not a finite number"]),
    ("Infinity", raw('{"price_cny": Infinity}'), 422, ["price_cny: Infinity is not a finite"]),
    ("-Infinity", raw('{"seed": -Infinity}'), 422, ["seed: -Infinity is not a finite number"]),
    ("1e400", raw('{"capacity_scale": 1e400}'), 422, ["capacity_scale: 1e400 is not a finite"]),
    (
        "non-finite deep in an unknown field, every one named",
        raw('{"x": {"y": [1, NaN]}, "bass_q_per_year": -1e999}'),
        422,
        ["x.y[1]: NaN is not a finite", "bass_q_per_year: -1e999 is not a finite"],
    ),
    ("non-finite body", raw("Infinity"), 422, ["the request body: Infinity is not a finite"]),
    # size: on the bytes received, whatever the transfer encoding
    ("chunked 3 MB", {"content": chunks(3_000_000), "headers": JSON}, 413, ["at most 1,000,000"]),
    ("declared 3 MB", raw(b" " * 3_000_000), 413, ["of 3,000,000 bytes", "at most 1,000,000"]),
    (
        "chunked just under the limit is parsed, its string cut in the answer",
        {"content": chunks(MAX_BODY_BYTES - 20), "headers": JSON},
        422,
        [f"a: a string of {MAX_BODY_BYTES - 20:,} characters", "(cut;", "at most 10,000"],
    ),
    # nesting
    (f"{MAX_DEPTH + 1} levels", raw(nested(MAX_DEPTH + 1)), 422, ["more than 20 levels deep"]),
    ("100,000 levels", raw("[" * 100_000 + "]" * 100_000), 422, ["at most 20 are allowed"]),
    ("brackets in strings do not nest", raw('{"a": "' + "[" * 50 + '"}'), 422, ["a: no such"]),
    (f"{MAX_DEPTH} levels pass the limit", raw(nested(MAX_DEPTH)), 422, ["a: no such field"]),
    # values
    (
        "too many values",
        raw("[" + "0," * MAX_VALUES + "0]"),
        422,
        ["more than 100,000 values", "at most 100,000 are allowed"],
    ),
    # number literals
    ("5,000-digit int", raw('{"seed": ' + "9" * 5_000 + "}"), 422, ["seed: a number literal of"]),
    (
        f"{MAX_NUMBER_CHARS + 1}-character float",
        raw('{"price_cny": 1.' + "5" * (MAX_NUMBER_CHARS - 1) + "}"),
        422,
        ["price_cny: a number literal of 41 characters", "at most 40 are allowed"],
    ),
    (
        f"{MAX_NUMBER_CHARS}-digit int passes the limit",
        raw('{"seed": ' + "9" * MAX_NUMBER_CHARS + "}"),
        422,
        ["seed (got 9999", "less than or equal to 2147483648"],
    ),
    # strings and keys
    (
        "long string",
        {"json": {"target_deliveries": "y" * (MAX_STRING_CHARS + 1)}},
        422,
        ["target_deliveries: a string of 10,001 characters", "at most 10,000 are allowed"],
    ),
    (
        "long key",
        {"json": {"k" * 50_000: 1}},
        422,
        ["the request body: a key of 50,000 characters", "(cut; 50,002 characters"],
    ),
    (
        "string at the limit passes it, cut in the answer",
        {"json": {"target_deliveries": "y" * MAX_STRING_CHARS}},
        422,
        ["target_deliveries (got 'yyy", "(cut; 10,002 characters in all)", "valid integer"],
    ),
    # malformed bodies
    ("not UTF-8", raw(b'{"seed": "\xff"}'), 422, ["not UTF-8 text (byte 10)"]),
    ("truncated", raw('{"seed": 1'), 422, ["not valid JSON", "at character 10"]),
    ("missing body", {}, 422, ["the request body is missing", "{} takes every default"]),
    (
        "not sent as JSON",
        {"content": b'{"seed": 1}', "headers": {"content-type": "text/plain"}},
        422,
        ["must be a JSON object sent as application/json"],
    ),
]


@pytest.mark.parametrize("name, kwargs, status, fragments", CASES, ids=[c[0] for c in CASES])
def test_whatif_body_past_a_limit_is_refused_with_the_limit_named(name, kwargs, status, fragments):
    r = client.post("/api/whatif", **kwargs)
    assert r.status_code == status, r.text[:500]
    message = r.json()["message"]
    for fragment in fragments:
        assert fragment in message, (fragment, message)
    assert len(r.content) < LONGEST_ANSWER, len(r.content)


QUERIES = [
    ("/api/risk?paths=abc", ["paths (got 'abc')", "valid integer"]),
    ("/api/risk?paths=NaN", ["paths (got 'NaN')"]),
    ("/api/risk?paths=1e400", ["paths (got '1e400')"]),
    ("/api/risk?seed=" + "9" * 5_000, ["seed (got '999", "(cut; 5,002 characters in all)"]),
    ("/api/risk?sampler=" + "z" * 5_000, ["sampler (got 'zzz", "(cut;", "random|lhs|sobol"]),
    ("/api/partners?seed=x&paths=" + "y" * 3_000, ["paths (got 'yyy", "seed (got 'x')"]),
    ("/api/partners?paths=-5", ["paths (got '-5')", "greater than or equal to 1000"]),
]


@pytest.mark.parametrize("url, fragments", QUERIES, ids=[q[0][:40] for q in QUERIES])
def test_bad_query_value_is_422_with_a_message_and_a_short_echo(url, fragments):
    r = client.get(url)
    assert r.status_code == 422, r.text[:500]
    message = r.json()["message"]
    for fragment in fragments:
        assert fragment in message, (fragment, message)
    assert len(r.content) < LONGEST_ANSWER


def test_a_whatif_refusal_names_only_the_fields_sent():
    r = client.post("/api/whatif", json={"launch_delay_months": 36, "paths": 1_000})
    message = r.json()["message"]
    assert r.status_code == 422 and message.startswith("launch_delay_months = 36: ")
    assert "horizon_months" not in message and "market." not in message


def test_an_excerpt_is_at_most_its_length_and_marked_cut():
    r = client.get("/api/risk", params={"sampler": "q" * 10_000})
    shown = r.json()["message"].split("(got ")[1]
    assert shown.startswith("'" + "q" * (EXCERPT_CHARS - 1) + "...")
    assert "q" * EXCERPT_CHARS not in shown
