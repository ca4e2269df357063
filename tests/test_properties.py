"""Property tests: whatever document the loader is given, it ends in a valid scenario or in
one clean UserError, never in another exception."""

import copy
import json

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evlaunch.errors import UserError
from evlaunch.scenario.load import bundled_text, parse_scenario

BUNDLED = yaml.safe_load(bundled_text())
EXAMPLES = settings(
    max_examples=1000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(["2021-09", "2030-13", "", "nan", "1e309", "-0"]),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def paths(doc, prefix=()):
    yield prefix
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield from paths(v, prefix + (k,))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            yield from paths(v, prefix + (i,))


ALL_PATHS = [p for p in paths(BUNDLED) if p]


def outcome(text: str, fmt: str):
    try:
        return parse_scenario(text, fmt)
    except UserError as exc:
        assert str(exc).strip()
        return exc


@EXAMPLES
@given(
    st.lists(
        st.tuples(st.sampled_from(ALL_PATHS), values, st.sampled_from(["set", "delete"])),
        min_size=1,
        max_size=4,
    )
)
def test_any_edit_of_the_bundled_scenario_validates_or_fails_cleanly(edits):
    doc = copy.deepcopy(BUNDLED)
    for path, value, action in edits:
        node = doc
        try:
            for key in path[:-1]:
                node = node[key]
            if action == "delete":
                del node[path[-1]]
            else:
                node[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue
    outcome(json.dumps(doc, default=str), "json")


@EXAMPLES
@given(st.text(max_size=400), st.sampled_from(["yaml", "json", "toml"]))
def test_any_text_at_all_validates_or_fails_cleanly(text, fmt):
    outcome(text, fmt)


def _nested(depth: int, leaf):
    doc = leaf
    for n in range(depth):
        doc = [doc] if n % 2 else {"a": doc}
    return doc


hostile = st.one_of(
    st.builds(_nested, st.integers(15, 800), scalars),  # deep (deeper: the catalog, as text)
    st.builds(lambda n: 10**n, st.integers(30, 4_000)),  # long number literals (the catalog
    # has 5,000 digits, more than Python itself can write)
    st.builds(lambda n: "x" * n, st.integers(9_000, 30_000)),  # long text
    st.sampled_from([float("nan"), float("inf"), -float("inf")]),
)


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(where=st.sampled_from(["name", "market", "options", "correlations"]), bad=hostile)
def test_deep_long_and_non_finite_documents_end_in_one_user_error(where, bad):
    doc = copy.deepcopy(BUNDLED)
    doc[where] = bad
    for fmt, text in (
        ("json", json.dumps(doc)),
        ("yaml", yaml.safe_dump(doc, width=10**9) if _depth_ok(bad) else None),
    ):
        if text is None:
            continue
        try:
            parse_scenario(text, fmt)
        except UserError:
            pass


def _depth_ok(doc) -> bool:
    """PyYAML's own dumper recurses: documents deeper than it can write are sent as JSON."""
    depth = 0
    while isinstance(doc, list | dict):
        doc = doc[0] if isinstance(doc, list) else doc["a"]
        depth += 1
    return depth < 500
