"""The sentences of 4xx answers: one per problem, naming the field the client sent, and never
echoing more than an excerpt of the input (a 1 MB string comes back as its first 80
characters)."""

import json

from fastapi.encoders import jsonable_encoder

from ..limits import EXCERPT_CHARS
from ..scenario.checks import field_name

Loc = tuple[str | int, ...]


def field(loc: Loc) -> str:
    """A location in the request as people write it: ``options[2].name``; () is the body."""
    return field_name(loc, "the request body")


def excerpt(value: object) -> str:
    """``repr(value)``, cut to ``EXCERPT_CHARS`` characters and marked so when longer."""
    text = repr(value)
    if len(text) <= EXCERPT_CHARS:
        return text
    return f"{text[:EXCERPT_CHARS]}... (cut; {len(text):,} characters in all)"


def _short(value: object) -> object:
    """``value`` itself when it is small and plain JSON, else its excerpt."""
    plain = value is None or isinstance(value, bool | int | float | str)
    return value if plain and len(repr(value)) <= EXCERPT_CHARS else excerpt(value)


def validation_sentence(error: dict) -> str:
    """One of pydantic's errors (FastAPI's ``loc`` starts with body, query, ...) as a sentence."""
    loc, kind, given = tuple(error["loc"][1:]), error["type"], error.get("input")
    where = field(loc)
    if not loc and kind == "missing":
        return "the request body is missing; send a JSON object ({} takes every default)"
    if not loc and isinstance(given, bytes):
        return "the request body must be a JSON object sent as application/json"
    if kind == "extra_forbidden":
        return f"{where}: no such field (/openapi.json lists the fields)"
    shown = f" (got {excerpt(given)})" if loc else ""
    return f"{where}{shown}: {error['msg']}"


def validation_answer(errors: list[dict]) -> dict:
    """FastAPI's ``detail`` list for programs, each input cut to an excerpt, and one
    sentence per problem in ``message`` for people."""
    detail = [{**e, "input": _short(e.get("input"))} for e in errors]
    return {
        "message": "; ".join(validation_sentence(e) for e in errors),
        "detail": jsonable_encoder(detail),
    }


async def send_refusal(send, status: int, message: str, headers: list | None = None) -> None:
    """Answer an ASGI request from a middleware (before any route runs) with ``status`` and
    the usual JSON body, ``message`` (and ``detail``, as FastAPI clients expect)."""
    body = json.dumps({"message": message, "detail": message}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *(headers or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
