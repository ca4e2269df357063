"""Parse a YAML, JSON or TOML document strictly and within limits (``limits.py``): a
duplicate key, a number literal too long to be a figure, NaN or Infinity, a document nested
too deeply or expanding through YAML aliases to too many values each get one message naming
the line or place, never a traceback and never a silent last-one-wins.
"""

import json
import re
import tomllib

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

from ..errors import UserError
from .checks import Loc
from .limits import (
    MAX_DEPTH,
    MAX_NUMBER_CHARS,
    MAX_TEXT_CHARS,
    check_document,
    check_number_literal,
)


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader, reading floats as YAML 1.2 does: ``5.0e9`` and ``1e6`` are
    numbers (YAML 1.1, which PyYAML follows, makes them text unless the exponent has a
    sign, and a scenario's figures are written so)."""


# copied, not shared: adding to the inherited lists would change every SafeLoader
_Loader.yaml_implicit_resolvers = {
    k: list(v) for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9_]+)[eE][-+]?[0-9]+$"),
    list("-+0123456789."),
)


if yaml.__with_libyaml__:
    from yaml._yaml import CParser

    class _FastLoader(Composer, CParser, SafeConstructor, Resolver):
        """``_Loader`` reading events with libyaml's C parser (a scenario in 3 ms, not
        19 ms: a twentieth of `evlaunch validate`) and composing them with PyYAML's own
        Composer, whose recursion ends a deeply nested document in a RecursionError where
        libyaml's C composer would run through the C stack."""

        def __init__(self, stream: str):
            CParser.__init__(self, stream)
            Composer.__init__(self)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)

    _FastLoader.yaml_implicit_resolvers = _Loader.yaml_implicit_resolvers
    _LOADERS: tuple[type, ...] = (_FastLoader, _Loader)
else:  # PyYAML built without libyaml
    _LOADERS = (_Loader,)
# libyaml takes some documents PyYAML's own refuses (a tab where PyYAML allows none, an
# explicit key '? ' inside [...] or {...}): a document with either is read by PyYAML's own
_NOT_FOR_LIBYAML = re.compile(r"[\t?]")
MAX_YAML_VALUES = 100_000  # a scenario has a few hundred; bounds alias ("billion laughs") expansion
_NUMBER_TAGS = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")


def parse_document(text: str, fmt: str, origin: str) -> object:
    """Parse YAML (safely, alias expansion bounded), JSON or TOML; errors name the line."""
    try:
        if fmt == "json":
            data = json.loads(
                text,
                object_pairs_hook=unique_keys,
                parse_int=lambda s: int(check_number_literal(s, origin)),
                parse_float=lambda s: float(check_number_literal(s, origin)),
                parse_constant=lambda s: _not_finite(s, origin),
            )
        elif fmt == "toml":
            data = tomllib.loads(text, parse_float=lambda s: float(check_number_literal(s, origin)))
        else:
            data = _yaml(text, origin)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise UserError(f"{origin}: not valid YAML; {where}{problem}") from None
    except KeyTwice as exc:
        raise UserError(f"{origin}: {exc}") from None
    except json.JSONDecodeError as exc:
        raise UserError(
            f"{origin}: not valid JSON; line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"{origin}: not valid TOML; {exc}") from None
    except RecursionError:
        raise UserError(
            f"{origin}: nested far more than {MAX_DEPTH} levels deep (a scenario needs about 5)"
        ) from None
    except ValueError:  # TOML's integers have no hook: Python refuses 4,300+ digits
        raise UserError(
            f"{origin}: a number of thousands of digits is not a figure; at most "
            f"{MAX_NUMBER_CHARS} characters are allowed"
        ) from None
    check_document(data, origin)
    return data


class KeyTwice(Exception):
    """A JSON object that gives one key twice."""


def unique_keys(pairs: list[tuple[str, object]]) -> dict:
    """A JSON object (``json.loads``'s ``object_pairs_hook``) whose keys are each given once:
    JSON would keep the last silently. Raises KeyTwice, its key cut to 40 characters."""
    found: dict = {}
    for key, value in pairs:
        if key in found:
            shown = key if len(key) <= 40 else key[:40] + "..."
            raise KeyTwice(f"the key {shown!r} is given twice in one object")
        found[key] = value
    return found


def _not_finite(literal: str, origin: str):
    raise UserError(f"{origin}: {literal} is not a number a scenario can hold (not finite)")


def _yaml(text: str, origin: str) -> object:
    """The YAML document's data, composed once: checked as nodes, then built from them (what
    ``yaml.load`` does, with the checks between). A document the fast loader does not take
    as it is (any error: libyaml's messages and marks are not PyYAML's) is read again by
    PyYAML's own, whose message is the one given."""
    *fast, own = _LOADERS
    for loader_class in fast if not _NOT_FOR_LIBYAML.search(text) else ():
        try:
            return _load_yaml(loader_class, text, origin)
        except Exception:  # read again below, by the loader whose errors users see
            pass
    return _load_yaml(own, text, origin)


def _load_yaml(loader_class: type, text: str, origin: str) -> object:
    loader = loader_class(text)
    try:
        root = loader.get_single_node()
        _check_yaml(root, origin)
        return loader.construct_document(root) if root is not None else None
    finally:
        loader.dispose()


def _check_yaml(root: yaml.Node | None, origin: str) -> None:
    """Walk the composed document once, without recursion: keys given twice in one mapping,
    number literals and texts too long, nesting too deep, and the values it would hold with
    every alias expanded (counted without expanding)."""
    if root is None:
        return
    sizes: dict[int, int] = {}
    stack: list[tuple[yaml.Node, int, bool]] = [(root, 1, False)]
    while stack:
        node, depth, children_done = stack.pop()
        if children_done:
            sizes[id(node)] = 1 + sum(sizes.get(id(c), 0) for c in _children(node))
            continue
        if id(node) in sizes:  # reached again through an alias: counted once, as built once
            continue
        sizes[id(node)] = 0  # a recursive alias counts once
        if depth > MAX_DEPTH:
            raise UserError(
                f"{origin}: line {node.start_mark.line + 1}: nested more than {MAX_DEPTH} "
                "levels deep (a scenario needs about 5)"
            )
        _check_node(node, origin)
        stack.append((node, depth, True))
        stack.extend((c, depth + 1, False) for c in _children(node) if id(c) not in sizes)
    values = sizes[id(root)]
    if values > MAX_YAML_VALUES:
        raise UserError(
            f"{origin}: YAML aliases (*name) expand this document to {values:,} values; "
            f"at most {MAX_YAML_VALUES:,} are allowed (a scenario has a few hundred)"
        )


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _check_node(node: yaml.Node, origin: str) -> None:
    line = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: set = set()
        for key, _ in node.value:
            if not isinstance(key, yaml.ScalarNode) or key.tag == "tag:yaml.org,2002:merge":
                continue
            if key.value in seen:
                raise UserError(
                    f"{origin}: line {key.start_mark.line + 1}: the key {key.value!r} is given "
                    "twice in one mapping (YAML would keep the last silently)"
                )
            seen.add(key.value)
    elif isinstance(node, yaml.ScalarNode):
        if node.tag in _NUMBER_TAGS:
            check_number_literal(node.value, f"{origin}: line {line}")
        elif len(node.value) > MAX_TEXT_CHARS:
            raise UserError(
                f"{origin}: line {line}: a text of {len(node.value):,} characters; at most "
                f"{MAX_TEXT_CHARS:,} are allowed"
            )


def yaml_lines(text: str) -> dict[Loc, int]:
    """Map each field location in a YAML document to its 1-based line."""
    lines: dict[Loc, int] = {}
    root = yaml.compose(text, _Loader)
    stack = [(root, ())] if root is not None else []
    while stack:
        node, loc = stack.pop()
        lines.setdefault(loc, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                lines[loc + (key.value,)] = key.start_mark.line + 1  # the key's line
                stack.append((value, loc + (key.value,)))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((item, loc + (i,)) for i, item in enumerate(node.value))
    return lines
