"""The limits (``evlaunch/limits.py``) every parsed document is held to (scenario files,
actuals, sweep grids), checked without recursion, so a hostile document gets one message
naming the limit, never a RecursionError, a 4,300-digit ValueError or gigabytes of memory.

The limits are far above what a real scenario needs: the bundled ones nest 5 levels deep,
hold about 400 values, their longest number has 10 characters and their longest text (a
source) about 200.
"""

import math

from ..errors import UserError
from ..limits import MAX_DEPTH, MAX_NUMBER_CHARS, MAX_VALUES
from ..limits import MAX_STRING_CHARS as MAX_TEXT_CHARS
from .checks import field_name

__all__ = ["MAX_DEPTH", "MAX_NUMBER_CHARS", "MAX_TEXT_CHARS", "check_document"]


def check_document(data, origin: str) -> None:
    """Refuse ``data`` (parsed JSON, YAML or TOML) that is nested too deeply, holds too many
    values, a text too long or a number that is not finite; the message names where."""
    stack = [(data, (), 1)]
    values = 0
    while stack:
        value, where, depth = stack.pop()
        values += 1
        if values > MAX_VALUES:
            raise UserError(f"{origin}: more than {MAX_VALUES:,} values; a scenario has hundreds")
        if depth > MAX_DEPTH:
            raise UserError(
                f"{origin}: {_path(where)} is nested more than {MAX_DEPTH} levels deep "
                f"(a scenario needs about 5)"
            )
        if isinstance(value, dict):
            stack.extend((v, (*where, str(k)), depth + 1) for k, v in value.items())
            for key in value:
                _check_text(str(key), where, origin)
        elif isinstance(value, list | tuple):
            stack.extend((v, (*where, n), depth + 1) for n, v in enumerate(value))
        elif isinstance(value, float) and not math.isfinite(value):
            raise UserError(f"{origin}: {_path(where)} = {value}: numbers must be finite")
        elif isinstance(value, int) and not isinstance(value, bool):
            if len(str(abs(value))) > MAX_NUMBER_CHARS:
                raise UserError(
                    f"{origin}: {_path(where)}: a number of more than {MAX_NUMBER_CHARS} "
                    "digits is not a figure"
                )
        elif isinstance(value, str):
            _check_text(value, where, origin)


def check_number_literal(text: str, origin: str) -> str:
    """A number literal as written; one over MAX_NUMBER_CHARS characters is refused before
    it is converted (Python refuses integers over 4,300 digits with a bare ValueError)."""
    if len(text) > MAX_NUMBER_CHARS:
        raise UserError(
            f"{origin}: a number written with {len(text):,} characters ({text[:20]}...); "
            f"at most {MAX_NUMBER_CHARS} are allowed"
        )
    return text


def _check_text(text: str, where: tuple, origin: str) -> None:
    if len(text) > MAX_TEXT_CHARS:
        raise UserError(
            f"{origin}: {_path(where)}: a text of {len(text):,} characters; at most "
            f"{MAX_TEXT_CHARS:,} are allowed"
        )


def _path(where: tuple) -> str:
    return field_name(where, "the document")
