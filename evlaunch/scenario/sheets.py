"""The scenario workbook's layout, shared by its writer and its reader.

Every sheet but the first ("about") holds one top-level section of the scenario in long
form, one figure a row, under the same columns: ``item`` (which option, model, expansion or
correlation the row belongs to; blank on sheets of a single section), ``field`` (a path
inside the item, ``scores.quality`` or ``seasonality[0]``), ``value`` (a plain figure), or
``dist`` with its parameters in their own columns (a distribution), and ``source``.
"""

import json
import re

from .schema import Scenario

ABOUT = "about"
TOP = "scenario"  # the sheet of the top-level figures: name, start, horizon_months
DIST_PARAMS = (
    "mean",
    "sd",
    "median",
    "sigma",
    "low",
    "mode",
    "high",
    "p10",
    "p90",
    "values",
    "probabilities",
)
LIST_PARAMS = ("values", "probabilities")  # numbers in one cell, separated by ';'
COLUMNS = ("item", "field", "value", "dist", *DIST_PARAMS, "source")
# A list section's item is named by this field, which has no row of its own (correlations
# have no name: their items are numbered).
ITEM_KEY = {"options": "name", "models": "name", "expansions": "option", "correlations": None}
# Mappings whose ``source`` is data, not a note: a judged score. Their row carries the value
# in ``value`` and the source in ``source``. (section, field) -> True
SOURCED = {("options", "scores")}

_BARE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_STEP = re.compile(r'\.([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]')


def sections() -> list[str]:
    """The scenario's top-level fields that get a sheet of their own, in schema order."""
    return [name for name in Scenario.model_fields if name in ITEM_KEY or _is_mapping(name)]


def top_fields() -> list[str]:
    """The top-level fields that are plain figures: rows of the ``scenario`` sheet."""
    return [name for name in Scenario.model_fields if name not in sections()]


def _is_mapping(name: str) -> bool:
    annotation = Scenario.model_fields[name].annotation
    candidates = getattr(annotation, "__args__", (annotation,))
    return any(isinstance(a, type) and hasattr(a, "model_fields") for a in candidates)


def format_path(path: tuple) -> str:
    """('scores', 'quality') -> 'scores.quality'; ('matrix', 0, 1) -> 'matrix[0][1]'; a key
    that is not a plain identifier is quoted: 'values["a.b"]'."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _BARE.fullmatch(part):
            out += f".{part}" if out else part
        else:
            out += f"[{json.dumps(part, ensure_ascii=False)}]"
    return out


def parse_path(text: str) -> tuple | None:
    """The inverse of ``format_path``; None if ``text`` is not a path."""
    text = text.strip()
    first = _BARE.match(text)
    parts: list = [first.group()] if first else []
    at = first.end() if first else 0
    if not first and not text.startswith("["):
        return None
    while at < len(text):
        step = _STEP.match(text, at)
        if step is None:
            return None
        key, index, quoted = step.groups()
        parts.append(key if key else int(index) if index else json.loads(quoted))
        at = step.end()
    return tuple(parts) if parts else None


def comment(line: str) -> str:
    """The comment on a YAML line ('' if none): after a '#' outside quotes that starts the
    line or follows a space."""
    quote = None
    for i, char in enumerate(line):
        if quote:
            quote = None if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "#" and (i == 0 or line[i - 1] in " \t"):
            return line[i + 1 :].strip()
    return ""


def line_source(lines: list[str], number: int, floor: int = 0) -> str:
    """The source of the figure on 1-based line ``number``: the comment lines just above it
    (none above the 0-based line ``floor``), then the comment on its own line, joined."""
    above = []
    i = number - 2
    while i >= floor and lines[i].strip().startswith("#"):
        above.append(comment(lines[i]))
        i -= 1
    parts = [*reversed(above), comment(lines[number - 1])]
    return " ".join(p for p in parts if p)


def column_letter(index: int) -> str:
    """0 -> 'A', 25 -> 'Z', 26 -> 'AA'."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters
