"""Read a scenario workbook (layout: ``sheets.py``) into the mapping a YAML file would give.

The file is untrusted: its zip's declared sizes are checked before anything is inflated,
an XML part with a DTD is refused, and sheets, rows and text are bounded. Cells are read as
values: a formula is refused (its cached result may be stale or absent, and evlaunch never
evaluates one). Names in cells are data, never interpreted.
"""

import datetime as dt
import math
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from io import BytesIO

import yaml

from ..errors import UserError
from .sheets import (
    ABOUT,
    COLUMNS,
    DIST_PARAMS,
    ITEM_KEY,
    LIST_PARAMS,
    SOURCED,
    TOP,
    column_letter,
    format_path,
    parse_path,
    sections,
    top_fields,
)

MAX_UNZIPPED_BYTES = 20_000_000  # a scenario workbook unpacks to about 150 KB
MAX_PARTS = 500
MAX_SHEETS = 40
MAX_ROWS = 5_000  # a sheet; the largest section, options, has about 40 rows an option
MAX_COLUMNS = 40
MAX_TEXT = 2_000  # characters in a cell; the longest source is a few hundred
Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class Place:
    """Where a figure of the scenario sits in the workbook."""

    sheet: str
    cell: str | None  # 'C7'; None: the sheet as a whole
    field: str  # the figure named for people: options.FAW Group.capacity_per_year

    def shown(self, rest: Loc = ()) -> str:
        field = self.field + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in rest)
        cell = f", cell {self.cell}" if self.cell else ""
        return f"sheet {self.sheet!r}{cell} ({field})"


@dataclass
class _Read:
    """What the sheets gave: the scenario's mapping, each figure's place, the problems."""

    data: dict
    places: dict
    problems: list


def workbook_data(raw: bytes, origin: str) -> tuple[dict, Callable[[Loc], str], str]:
    """The scenario mapping in the workbook ``raw``, a function naming the sheet and cell
    of a field location, and the mapping as YAML text (what a run stores)."""
    _check_archive(raw, origin)
    book = _open(raw, origin)
    try:
        read = _Read({}, {}, [])
        known = [TOP, *sections()]
        for name in book.sheetnames:
            if name == ABOUT:
                continue
            if name not in known:
                read.problems.append(
                    f"sheet {name!r}: not a section of the scenario; sheets: {', '.join(known)}"
                )
                continue
            _read_sheet(book[name], name, read)
    finally:
        book.close()
    read.data = lists_made(read.data, read.problems)
    if read.problems:
        count = len(read.problems)
        head = f"{origin}: {count} problem{'s' if count > 1 else ''}"
        raise UserError(head + "\n" + "\n".join(f"- {m}" for m in read.problems), read.problems)

    def place(loc: Loc) -> str:
        for n in range(len(loc), 0, -1):
            if loc[:n] in read.places:
                return read.places[loc[:n]].shown(loc[n:])
        return Place(TOP if loc and loc[0] in top_fields() else str(loc[0]), None, "").shown()

    text = yaml.safe_dump(read.data, sort_keys=False, allow_unicode=True, width=100)
    return read.data, place, text


def _check_archive(raw: bytes, origin: str) -> None:
    """Refuse a file that is not a zip, or whose parts would inflate too far (from the sizes
    the archive declares, which Python's zip reader then holds each part to)."""
    try:
        archive = zipfile.ZipFile(BytesIO(raw))
    except zipfile.BadZipFile:
        raise UserError(
            f"{origin}: not an .xlsx workbook (not a zip archive); save it from Excel as "
            "'Excel Workbook (*.xlsx)', without a password"
        ) from None
    parts = archive.infolist()
    if len(parts) > MAX_PARTS:
        raise UserError(f"{origin}: {len(parts):,} parts in the archive; at most {MAX_PARTS}")
    total = sum(p.file_size for p in parts)
    if total > MAX_UNZIPPED_BYTES:
        raise UserError(
            f"{origin}: its parts unpack to {total:,} bytes; at most {MAX_UNZIPPED_BYTES:,} are "
            "allowed (a scenario workbook unpacks to about 150 KB)"
        )
    if "xl/workbook.xml" not in {p.filename for p in parts}:
        raise UserError(f"{origin}: not an .xlsx workbook (a zip without xl/workbook.xml)")
    try:
        for part in parts:
            head = archive.read(part) if part.filename.endswith((".xml", ".rels")) else b""
            if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                raise UserError(f"{origin}: {part.filename} declares a DTD, which .xlsx never has")
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as exc:
        raise UserError(f"{origin}: a corrupt .xlsx workbook ({exc})") from None


def _open(raw: bytes, origin: str):
    import openpyxl

    try:
        book = openpyxl.load_workbook(BytesIO(raw), read_only=True, data_only=False)
    except Exception as exc:  # any parse failure of an untrusted file is one user error
        raise UserError(
            f"{origin}: a corrupt .xlsx workbook ({type(exc).__name__}: {exc})"[:300]
        ) from None
    if len(book.sheetnames) > MAX_SHEETS:
        book.close()
        raise UserError(f"{origin}: {len(book.sheetnames)} sheets; at most {MAX_SHEETS}")
    return book


def _read_sheet(sheet, name: str, read: _Read) -> None:
    rows = sheet.iter_rows(max_col=MAX_COLUMNS)
    header = next(rows, ())
    columns = {}
    for i, cell in enumerate(header):
        heading = cell.value
        if heading is None:
            continue
        if not isinstance(heading, str) or heading.strip() not in COLUMNS:
            read.problems.append(
                f"sheet {name!r}, cell {column_letter(i)}1: heading {heading!r} is not a column "
                f"of a scenario sheet; columns: {', '.join(COLUMNS)}"
            )
        else:
            columns[heading.strip()] = i
    if "field" not in columns:
        read.problems.append(f"sheet {name!r}: no 'field' column in row 1")
        return
    items: dict[str, int] = {}
    for r, row in enumerate(rows, start=2):
        if r > MAX_ROWS + 1:
            read.problems.append(f"sheet {name!r}: more than {MAX_ROWS:,} rows")
            return
        values = _row_values(row, name, r, read.problems)
        if values is None or all(v is None for v in values.values()):
            continue
        if any(i not in columns.values() for i in values if values[i] is not None):
            col = next(i for i in values if values[i] is not None and i not in columns.values())
            read.problems.append(
                f"sheet {name!r}, cell {column_letter(col)}{r}: a value in a column without a "
                "heading; the headings in row 1 name the columns"
            )
            continue
        cells = {h: (values.get(i), f"{column_letter(i)}{r}") for h, i in columns.items()}
        _read_row(name, cells, items, read)


def _row_values(row, name: str, r: int, problems: list) -> dict | None:
    """The row's values by column index, checked; None if a cell had a problem."""
    values, ok = {}, True
    for i, cell in enumerate(row):
        value = cell.value
        ref = f"{column_letter(i)}{r}"
        if cell.data_type == "f" or (isinstance(value, str) and value.startswith("=")):
            problems.append(
                f"sheet {name!r}, cell {ref}: a formula ({_short(value)}); evlaunch reads values "
                "only: paste the figure as a value"
            )
            ok = False
        elif isinstance(value, float) and not math.isfinite(value):
            problems.append(f"sheet {name!r}, cell {ref}: {value} is not a finite number")
            ok = False
        elif isinstance(value, str) and len(value) > MAX_TEXT:
            problems.append(
                f"sheet {name!r}, cell {ref}: {len(value):,} characters of text; at most "
                f"{MAX_TEXT:,} in a cell"
            )
            ok = False
        elif isinstance(value, dt.datetime | dt.date):
            value = value.date().isoformat() if isinstance(value, dt.datetime) else str(value)
        elif isinstance(value, str) and not value.strip():
            value = None
        values[i] = value
    return values if ok else None


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _name(value) -> str:
    """A name as typed: a number typed as a name is its digits (2024, not 2024.0)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class _Seq(dict):
    """A list being filled from rows, by index; ``where`` names it for a message."""

    where = ""


_BLANK = object()  # a row that sets nothing: its field keeps the default


def _read_row(name: str, cells: dict, items: dict, read: _Read) -> None:
    field, field_ref = cells["field"]
    path = parse_path(field) if isinstance(field, str) else None
    if path is None or isinstance(path[0], int):
        read.problems.append(
            f"sheet {name!r}, cell {field_ref}: {_short(field)} is not a field; write it like "
            "capacity_per_year, scores.quality or seasonality[0]"
        )
        return
    item, item_ref = cells.get("item", (None, None))
    key = ITEM_KEY.get(name)
    if name not in ITEM_KEY:
        if item is not None:
            read.problems.append(
                f"sheet {name!r}, cell {item_ref}: item {_short(item)} on a sheet of one section;"
                " leave the item column blank"
            )
            return
        loc, shown = (path, format_path(path)) if name == TOP else _in_section(name, path)
        container = None
    else:
        if item is None:
            read.problems.append(
                f"sheet {name!r}, cell {item_ref or 'A?'}: no item; name the one the row is of"
            )
            return
        if key is not None and path == (key,):
            read.problems.append(
                f"sheet {name!r}, cell {field_ref}: the {key} is the item column; no row sets it"
            )
            return
        index = _item(name, _name(item), item_ref, items, read)
        container = read.data[name][index]
        loc, shown = (name, index, *path), f"{name}.{_name(item)}.{format_path(path)}"
    value = _figure(name, path, cells, loc, shown, read)
    if value is not _BLANK:  # a section with no figure set stays out: absent, not empty
        if container is None:
            container = read.data if name == TOP else read.data.setdefault(name, {})
        _put(container, path, value, Place(name, field_ref, shown), read.problems)


def _in_section(name: str, path: tuple) -> tuple[Loc, str]:
    return (name, *path), f"{name}.{format_path(path)}"


def _item(name: str, label: str, ref: str, items: dict, read: _Read) -> int:
    """The index of the list section's item ``label``, added at its first row."""
    if label not in items:
        items[label] = len(items)
        key = ITEM_KEY[name]
        read.data.setdefault(name, []).append({key: label} if key else {})
        read.places[(name, items[label])] = Place(name, ref, f"{name}.{label}")
        if key:
            read.places[(name, items[label], key)] = Place(name, ref, f"{name}.{label}")
    return items[label]


def _figure(name: str, path: tuple, cells: dict, loc: Loc, shown: str, read: _Read):
    """The row's figure: a value, a distribution's mapping, a score with its source, or
    _BLANK; each cell's place is noted for messages."""
    value, value_ref = cells.get("value", (None, None))
    dist, dist_ref = cells.get("dist", (None, None))
    params = {p: cells[p] for p in DIST_PARAMS if p in cells and cells[p][0] is not None}
    here = Place(name, value_ref, shown)
    if len(path) == 2 and (name, path[0]) in SOURCED:
        if value is None:
            return _BLANK
        source, source_ref = cells.get("source", (None, None))
        read.places[loc] = read.places[(*loc, "value")] = here
        read.places[(*loc, "source")] = Place(name, source_ref, shown + ".source")
        return {"value": value} if source is None else {"value": value, "source": source}
    if dist is None:
        if params:
            first = Place(name, next(iter(params.values()))[1], shown)
            read.problems.append(
                f"{first.shown()}: distribution parameters without a dist; name the "
                "distribution in the dist column, or give a plain figure in value"
            )
            return _BLANK
        if value is not None:
            read.places[loc] = here
        return _BLANK if value is None else value
    if value is not None:
        read.problems.append(
            f"{here.shown()}: both a value ({_short(value)}) and a dist ({_short(dist)}); give a "
            "figure in value, or a distribution in dist with its parameters"
        )
        return _BLANK
    read.places[loc] = Place(name, dist_ref, shown)
    out = {"dist": dist}
    for param, (v, ref) in params.items():
        read.places[(*loc, param)] = Place(name, ref, f"{shown}.{param}")
        out[param] = _numbers(v, Place(name, ref, shown), read) if param in LIST_PARAMS else v
    return out


def _numbers(value, place: Place, read: _Read) -> list | object:
    """Numbers in one cell, separated by ';' (a single number cell is a list of one)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return [value]
    try:
        return [float(part) for part in str(value).split(";") if part.strip()]
    except ValueError:
        read.problems.append(
            f"{place.shown()}: {_short(value)} is not a list of numbers; write them separated "
            "by ';', e.g. 0.2; 0.5; 0.3"
        )
        return []


def _put(node: dict, path: tuple, value, place: Place, problems: list) -> None:
    """Set ``value`` at ``path`` inside ``node``, making the mappings and lists on the way."""
    for depth, part in enumerate(path[:-1]):
        step = path[depth + 1]
        child = node.get(part)
        if child is None:
            child = node[part] = _Seq() if isinstance(step, int) else {}
            if isinstance(child, _Seq):
                section = place.field[: len(place.field) - len(format_path(path))]
                child.where = f"{place.sheet!r} ({section}{format_path(path[: depth + 1])})"
        if not isinstance(child, dict) or isinstance(child, _Seq) != isinstance(step, int):
            problems.append(
                f"{place.shown()}: clashes with another row, which gives "
                f"{format_path(path[: depth + 1])} as a {_kind(child)}"
            )
            return
        node = child
    if path[-1] in node:
        problems.append(f"{place.shown()}: given twice (a row above sets it too)")
        return
    node[path[-1]] = value


def _kind(value) -> str:
    return "list" if isinstance(value, _Seq) else "mapping" if isinstance(value, dict) else "value"


def lists_made(node, problems: list):
    """``node`` with every _Seq turned into a list, in index order; a list whose indices
    leave a gap is a problem."""
    if isinstance(node, _Seq):
        indices = sorted(node)
        if indices != list(range(len(indices))):
            missing = next(i for i in range(len(indices) + 1) if i not in node)
            problems.append(
                f"sheet {node.where}: no row for [{missing}]; a list's rows count from [0] "
                "with none left out"
            )
        return [lists_made(node[i], problems) for i in indices]
    if isinstance(node, dict):
        return {k: lists_made(v, problems) for k, v in node.items()}
    if isinstance(node, list):
        return [lists_made(v, problems) for v in node]
    return node
