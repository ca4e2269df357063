"""Request bodies parsed as JSON within the limits of ``evlaunch.limits``.

FastAPI's own parsing takes NaN and Infinity (and the 422 that echoes them then fails as a
500), hands number literals of thousands of digits to int() (a 400 with no message) and
recurses into any nesting. Here the depth is measured on the text before parsing, number
literals are checked by the parser's hooks, and the parsed document is walked without
recursion; each refusal is one sentence naming the field and the limit, answered 422 before
any value is echoed.
"""

import json
import math
import re

from fastapi import HTTPException, Request
from fastapi.routing import APIRoute

from ..limits import MAX_DEPTH, MAX_NUMBER_CHARS, MAX_STRING_CHARS, MAX_VALUES
from ..scenario.documents import KeyTwice, unique_keys
from .messages import Loc, excerpt, field

MAX_PROBLEMS = 10  # problems named in one answer; a hostile body may hold thousands

_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')  # a JSON string, escapes included
_BRACKET = re.compile(r"[\[\]{}]")


class BodyRefused(HTTPException):
    """A request body refused before validation; ``problems`` are (location, sentence).

    An HTTPException, as FastAPI passes those through its body parsing untouched (any other
    exception there becomes a 400 without a message)."""

    def __init__(self, problems: list[tuple[Loc, str]]):
        self.problems = problems
        super().__init__(422, "; ".join(sentence for _, sentence in problems))


class _Refused(float):
    """A number literal the hooks refuse, kept (as NaN) until the walk knows its field."""

    def __new__(cls, problem: str):
        number = super().__new__(cls, "nan")
        number.problem = problem
        return number


def _parse_int(literal: str) -> int | float:
    if len(literal) > MAX_NUMBER_CHARS:  # checked before int(), which is slow on long ones
        return _Refused(_too_long(literal))
    return int(literal)


def _parse_float(literal: str) -> float:
    if len(literal) > MAX_NUMBER_CHARS:
        return _Refused(_too_long(literal))
    value = float(literal)
    return value if math.isfinite(value) else _Refused(f"{literal} is not a finite number")


def _parse_constant(name: str) -> float:
    return _Refused(f"{name} is not a finite number")  # NaN, Infinity, -Infinity


def _too_long(literal: str) -> str:
    return (
        f"a number literal of {len(literal):,} characters; "
        f"at most {MAX_NUMBER_CHARS} are allowed in a number"
    )


def deepest(text: str) -> int:
    """How deep objects and arrays nest in the JSON ``text``, counted on the text (strings
    removed) so that no recursion is needed; stops counting once past ``MAX_DEPTH``."""
    depth = most = 0
    for bracket in _BRACKET.finditer(_STRING.sub('""', text)):
        depth += 1 if bracket.group() in "[{" else -1
        most = max(most, depth)
        if most > MAX_DEPTH:
            break
    return most


def parse_body(raw: bytes) -> object:
    """The JSON document in ``raw``; BodyRefused names every limit it passes."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BodyRefused(
            [((), f"the request body is not UTF-8 text (byte {exc.start})")]
        ) from None
    if deepest(text) > MAX_DEPTH:
        raise BodyRefused([((), _too_deep())])
    try:
        data = json.loads(
            text,
            object_pairs_hook=unique_keys,
            parse_int=_parse_int,
            parse_float=_parse_float,
            parse_constant=_parse_constant,
        )
    except KeyTwice as exc:
        raise BodyRefused([((), str(exc))]) from None
    except json.JSONDecodeError as exc:
        where = f"{exc.msg} at character {exc.pos}"
        raise BodyRefused([((), f"the request body is not valid JSON ({where})")]) from None
    except RecursionError:  # not reached after deepest(); kept so no nesting can be a 500
        raise BodyRefused([((), _too_deep())]) from None
    problems = limit_problems(data)
    if problems:
        raise BodyRefused(problems)
    return data


def _too_deep() -> str:
    return (
        f"the request body nests objects and arrays more than {MAX_DEPTH} levels deep; "
        f"at most {MAX_DEPTH} are allowed"
    )


def limit_problems(data: object) -> list[tuple[Loc, str]]:
    """Refused numbers, over-long strings and keys, and too many values in a parsed
    document, in document order, walked with a stack rather than recursion."""
    problems: list[tuple[Loc, str]] = []
    stack: list[tuple[Loc, object]] = [((), data)]
    values = 0
    while stack and len(problems) < MAX_PROBLEMS:
        loc, value = stack.pop()
        values += 1
        if values > MAX_VALUES:
            return [
                (
                    (),
                    f"the request body holds more than {MAX_VALUES:,} values; "
                    f"at most {MAX_VALUES:,} are allowed",
                )
            ]
        if isinstance(value, dict):
            for key in value:
                if len(key) > MAX_STRING_CHARS:
                    problems.append((loc, _too_long_text(f"{field(loc)}: a key", key)))
            items = [(loc + (k,), v) for k, v in value.items() if len(k) <= MAX_STRING_CHARS]
            stack.extend(reversed(items))
        elif isinstance(value, list):
            stack.extend(reversed([(loc + (i,), v) for i, v in enumerate(value)]))
        elif isinstance(value, _Refused):
            problems.append((loc, f"{field(loc)}: {value.problem}"))
        elif isinstance(value, str) and len(value) > MAX_STRING_CHARS:
            problems.append((loc, _too_long_text(f"{field(loc)}: a string", value)))
    return problems


def _too_long_text(what: str, text: str) -> str:
    return (
        f"{what} of {len(text):,} characters ({excerpt(text)}); "
        f"at most {MAX_STRING_CHARS:,} are allowed"
    )


class _StrictRequest(Request):
    async def json(self) -> object:
        if not hasattr(self, "_json"):
            self._json = parse_body(await self.body())
        return self._json


class StrictJSONRoute(APIRoute):
    """A route whose JSON body is read by ``parse_body`` instead of ``json.loads``."""

    def get_route_handler(self):
        handler = super().get_route_handler()

        async def strict(request: Request):
            return await handler(_StrictRequest(request.scope, request.receive))

        return strict
