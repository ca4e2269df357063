"""Read a scenario file (YAML, TOML, JSON or an Excel workbook) into a validated ``Scenario``.

Every failure becomes one ``UserError`` whose message names the file, the field, the line
(YAML) or the sheet and cell (workbook) and the value, and says what is allowed.
"""

import json
from collections.abc import Callable
from importlib.resources import files
from pathlib import Path
from typing import get_args, get_origin

from pydantic import BaseModel, ValidationError

from ..errors import UserError
from . import schema
from .checks import Loc, cross_field_problems, field_name
from .documents import parse_document, yaml_lines
from .schema import Scenario

MAX_FILE_BYTES = 1_000_000  # a scenario is a few KB; anything this big is not one
FORMATS = {".yaml": "yaml", ".yml": "yaml", ".toml": "toml", ".json": "json", ".xlsx": "xlsx"}
YES_NO_FIELDS = {  # the schema's boolean fields, by name
    name
    for model in vars(schema).values()
    if isinstance(model, type) and issubclass(model, BaseModel)
    for name, field in model.model_fields.items()
    if field.annotation is bool
}
BUNDLED = {"xiaomi-2021": "xiaomi-2021.yaml", "xiaomi-2024": "xiaomi-2024.yaml"}


def bundled_text(name: str = "xiaomi-2021") -> str:
    """The text of a bundled scenario (comments and sources included)."""
    return (files("evlaunch") / "scenario" / "bundled" / BUNDLED[name]).read_text("utf-8")


def load_scenario(path: str | Path | None = None) -> tuple[Scenario, str]:
    """Load and validate a scenario file; ``None`` loads the bundled Xiaomi-2021 scenario.

    Returns the scenario and its text (kept so that runs can be stored with it).
    """
    if path is None:
        text = bundled_text()
        return parse_scenario(text, "yaml", "bundled scenario xiaomi-2021"), text
    path = Path(path)
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise UserError(
            f"{path}: unknown scenario format {path.suffix or '(no extension)'!r}; "
            f"allowed: {', '.join(FORMATS)}"
        )
    raw = _read_bounded(path)
    if fmt == "xlsx":
        from .workbook import workbook_data  # its zip and sheet readers: only for a workbook

        data, place, text = workbook_data(raw, str(path))
        return validate_data(data, str(path), place), text
    try:
        text = raw.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
    except UnicodeDecodeError as exc:
        raise UserError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    return parse_scenario(text, fmt, str(path)), text


def _read_bounded(path: Path) -> bytes:
    """The file's bytes; one too large is refused while reading (a pipe has no size)."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise UserError(f"{path}: {size:,} bytes is too large for a scenario (limit 1 MB)")
        with path.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise UserError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise UserError(f"{path}: is a directory, not a scenario file") from None
    except OSError as exc:
        raise UserError(f"{path}: cannot be read ({exc.strerror})") from None
    if len(raw) > MAX_FILE_BYTES:
        raise UserError(f"{path}: more than {MAX_FILE_BYTES:,} bytes is too large (limit 1 MB)")
    return raw


def parse_scenario(text: str, fmt: str, origin: str = "scenario") -> Scenario:
    """Parse ``text`` in format ``fmt`` ('yaml', 'toml' or 'json') and validate it."""
    if not text.strip():
        raise UserError(f"{origin}: the file is empty; `evlaunch init` writes one to start from")
    data = parse_document(text, fmt, origin)
    if not isinstance(data, dict):
        raise UserError(
            f"{origin}: the top level must be a mapping of fields (name, start, company, ...), "
            f"not a {type(data).__name__}"
        )
    # the lines are found only for a message that names one: a valid scenario's YAML is
    # then composed once, not twice (each a fifth of `evlaunch validate`'s own work)
    lines = (lambda: yaml_lines(text)) if fmt == "yaml" else {}
    return validate_data(data, origin, line_place(lines))


Place = Callable[[Loc], str]  # a field location -> where it is, for people


def line_place(lines: dict[Loc, int] | Callable[[], dict[Loc, int]]) -> Place:
    """Name a location by its field and, in YAML, its line: 'market.price_cny (line 7)'.
    ``lines`` may be a function giving them, called on the first location named."""
    found = [lines] if isinstance(lines, dict) else []

    def place(loc: Loc) -> str:
        if not found:
            found.append(lines())
        at = found[0]
        line = next((at[loc[:n]] for n in range(len(loc), 0, -1) if loc[:n] in at), None)
        return f"{field_name(loc)} (line {line})" if line else field_name(loc)

    return place


def validate_data(data: dict, origin: str, place: Place) -> Scenario:
    """Validate the parsed ``data``: each field, then across fields; every problem found is
    named by ``place`` in one UserError."""
    misplaced = _yes_no_values(data)
    if misplaced:
        message = "a yes/no value where a number or a text belongs (it would count as 1 or 0)"
        raise _problems(origin, [_message(loc, v, message, place) for loc, v in misplaced])
    try:
        # strict, through JSON: a number field takes a number, never text that looks like
        # one ("200000"), while a list still fills a pair such as a correlation's `between`
        scenario = Scenario.model_validate_json(json.dumps(data, default=str), strict=True)
    except ValidationError as exc:
        raise _problems(origin, [_pydantic_message(e, place) for e in exc.errors()]) from None
    problems = cross_field_problems(scenario)
    if problems:
        messages = [_message(loc, value, msg, place) for loc, value, msg in problems]
        raise _problems(origin, messages)
    return scenario


def _yes_no_values(data: dict) -> list[tuple[Loc, bool]]:
    """Booleans anywhere but in the schema's yes/no fields: pydantic would take True as 1."""
    found, stack = [], [(data, ())]
    while stack:
        value, loc = stack.pop()
        if isinstance(value, bool) and (not loc or loc[-1] not in YES_NO_FIELDS):
            found.append((loc, value))
        elif isinstance(value, dict):
            stack.extend((v, (*loc, k)) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((v, (*loc, n)) for n, v in enumerate(value))
    return sorted(found, key=lambda f: str(f[0]))


def _problems(origin: str, messages: list[str]) -> UserError:
    head = f"{origin}: {len(messages)} problem{'s' if len(messages) > 1 else ''}"
    return UserError(head + "\n" + "\n".join(f"- {m}" for m in messages), messages)


def _message(loc: Loc, value: object, message: str, place: Place) -> str:
    shown = "" if value is _MISSING else f" = {_short(value)}"
    return f"{place(loc)}{shown}: {message}"


_MISSING = object()


def _short(value: object) -> str:
    if type(value).__module__ == "numpy" and hasattr(value, "tolist"):
        value = value.tolist()  # 9.0, not np.float64(9.0)
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


_UNION_TAGS = {
    "number",
    "distribution",
    "normal",
    "lognormal",
    "uniform",
    "triangular",
    "pert",
    "discrete",
    "empirical",
}


def _pydantic_message(error: dict, place: Place) -> str:
    # Union branch names in the location say which alternative failed, not where: drop them.
    loc = tuple(p for p in error["loc"] if p not in _UNION_TAGS)
    kind = error["type"]
    if kind == "missing":
        return _message(loc, _MISSING, f"missing; {_allowed_fields(loc[:-1])}", place)
    if kind == "extra_forbidden":
        try:
            names = list(_model_at(loc[:-1]).model_fields)
        except LookupError:
            names = []
        import difflib  # only to name the field meant, in a message

        close = difflib.get_close_matches(str(loc[-1]), names, 1, 0.6)
        hint = f"did you mean {close[0]!r}? " if close else ""
        return _message(loc, _MISSING, f"unknown field; {hint}{_allowed_fields(loc[:-1])}", place)
    if kind in ("float_type", "int_type") and isinstance(error.get("input"), str):
        message = "text where a number belongs" + (
            "; write the number without quotes" if _numeric(error["input"]) else ""
        )
        return _message(loc, error["input"], message, place)
    message = error["msg"].removeprefix("Value error, ")
    return _message(loc, error.get("input", _MISSING), message, place)


def _numeric(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _model_at(loc: Loc) -> type[BaseModel]:
    """The pydantic model at a field location (list items, dict values and unions looked
    through); raises LookupError where the location leads to no model."""
    model: type[BaseModel] = Scenario
    parts = list(loc)
    while parts:
        part = parts.pop(0)
        if isinstance(part, int):
            continue
        if (
            not (isinstance(model, type) and issubclass(model, BaseModel))
            or part not in model.model_fields
        ):
            raise LookupError(loc)
        annotation = model.model_fields[part].annotation
        while True:
            origin, args = get_origin(annotation), get_args(annotation)
            if origin is dict:
                annotation = args[1]
                if parts:
                    parts.pop(0)  # the dict's key
            elif origin in (list, tuple):
                annotation = args[0]
            elif args:  # a union or an Annotated: the first model in it
                models = [a for a in args if isinstance(a, type) and issubclass(a, BaseModel)]
                if not models:
                    break
                annotation = models[0]
            else:
                break
        model = annotation
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        raise LookupError(loc)
    return model


def _allowed_fields(loc: Loc) -> str:
    try:
        names = list(_model_at(loc).model_fields)
    except LookupError:
        return "see `evlaunch schema` for the fields allowed"
    return f"fields allowed here: {', '.join(names)}"
