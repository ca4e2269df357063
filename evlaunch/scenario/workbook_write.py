"""Write a YAML scenario as a workbook a planner can read and edit (layout: ``sheets.py``).

The source of each figure is the comment on its line in the YAML, or the comment lines just
above it; a judged score's source is its own ``source`` field.
"""

from dataclasses import dataclass
from io import BytesIO
from typing import get_args

import xlsxwriter

from .distributions import Distribution
from .load import parse_scenario, yaml_lines
from .sheets import (
    ABOUT,
    COLUMNS,
    DIST_PARAMS,
    ITEM_KEY,
    LIST_PARAMS,
    SOURCED,
    TOP,
    format_path,
    line_source,
    sections,
    top_fields,
)

WIDTHS = {"item": 22, "field": 36, "value": 16, "dist": 11, "values": 16, "source": 100}


@dataclass(frozen=True)
class Row:
    """One figure: where it goes and what it holds."""

    item: str  # '' on a sheet of a single section
    path: tuple  # inside the item
    value: object  # a plain figure, or a distribution's mapping
    source: str


def scenario_workbook(text: str) -> bytes:
    """The workbook of the YAML scenario ``text``, as the bytes of an .xlsx file."""
    # the fields as given (defaults left out), each value as validated: 4.0e6 is a number
    # there, though YAML 1.1 reads it as text
    data = parse_scenario(text, "yaml").model_dump(exclude_unset=True)
    lines = text.splitlines()
    where = yaml_lines(text)
    floor = where.get((), 1) - 1  # comments above the first field are the file's header

    def source(loc: tuple, depth: int) -> str:
        for n in range(len(loc), depth - 1, -1):
            if loc[:n] in where:
                found = line_source(lines, where[loc[:n]], floor)
                if found:
                    return found
        return ""

    buffer = BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    styles = _styles(book)
    notes = [(s, line_source(lines, where[(s,)], floor)) for s in sections() if (s,) in where]
    _about(book, styles, data.get("name", ""), lines[:floor], notes)
    top = [r for f in top_fields() if f in data for r in _rows("", (f,), data[f], (f,), source, 1)]
    _sheet(book, styles, TOP, top)
    for section in sections():
        _sheet(book, styles, section, _section_rows(section, data.get(section), source))
    book.close()
    return buffer.getvalue()


def _section_rows(section: str, value, source) -> list[Row]:
    if value is None:
        return []
    if section not in ITEM_KEY:
        return list(_rows("", (), value, (section,), source, 2, section))
    rows = []
    key = ITEM_KEY[section]
    for i, item in enumerate(value):
        label = str(item[key]) if key else str(i + 1)
        for field, v in item.items():
            if field != key:
                rows += _rows(label, (field,), v, (section, i, field), source, 3, section)
    return rows


def _rows(item, path, value, loc, source, depth, section=TOP):
    """The rows of ``value`` at ``path`` (in the item) and ``loc`` (in the scenario)."""
    if isinstance(value, dict) and "dist" in value:
        yield Row(item, path, value, source(loc, depth))
    elif isinstance(value, dict) and len(path) == 2 and (section, path[0]) in SOURCED:
        yield Row(item, path, value["value"], value["source"])
    elif isinstance(value, dict):
        for key, v in value.items():
            yield from _rows(item, path + (str(key),), v, loc + (key,), source, depth, section)
    elif isinstance(value, list | tuple):
        for i, v in enumerate(value):
            yield from _rows(item, path + (i,), v, loc + (i,), source, depth, section)
    elif value is not None:  # a blank value is the field's default, which is None
        yield Row(item, path, value, source(loc, depth))


def _dist_union():
    return get_args(Distribution)[0]


def _styles(book) -> dict:
    return {
        "head": book.add_format({"bold": True, "bg_color": "#DDEBF7", "bottom": 1}),
        "integer": book.add_format({"num_format": "#,##0"}),
        "number": book.add_format({"num_format": "General"}),
        "text": book.add_format({}),
        "title": book.add_format({"bold": True, "font_size": 14}),
        "wrap": book.add_format({"text_wrap": True, "valign": "top"}),
    }


def _sheet(book, styles, name: str, rows: list[Row]) -> None:
    sheet = book.add_worksheet(name)
    for col, heading in enumerate(COLUMNS):
        sheet.write_string(0, col, heading, styles["head"])
        sheet.set_column(col, col, WIDTHS.get(heading, 10))
    sheet.freeze_panes(1, 2)
    sheet.autofilter(0, 0, max(len(rows), 1), len(COLUMNS) - 1)
    dists = [get_args(m.model_fields["dist"].annotation)[0] for m in get_args(_dist_union())]
    sheet.data_validation(1, 3, 5000, 3, {"validate": "list", "source": dists})
    for r, row in enumerate(rows, start=1):
        if row.item:
            sheet.write_string(r, 0, row.item)
        sheet.write_string(r, 1, format_path(row.path))
        if isinstance(row.value, dict):
            sheet.write_string(r, 3, row.value["dist"])
            for key, v in row.value.items():
                if key != "dist" and key not in DIST_PARAMS:
                    raise ValueError(f"{format_path(row.path)}: no column for {key!r}")
                if key in LIST_PARAMS:
                    sheet.write_string(r, COLUMNS.index(key), "; ".join(map(repr, v)))
                elif key != "dist":
                    _cell(sheet, styles, r, COLUMNS.index(key), v)
        else:
            _cell(sheet, styles, r, 2, row.value)
        if row.source:
            sheet.write_string(r, len(COLUMNS) - 1, row.source)


def _cell(sheet, styles, row: int, col: int, value) -> None:
    if isinstance(value, bool):
        sheet.write_boolean(row, col, value)
    elif isinstance(value, int | float):
        whole = float(value).is_integer() and abs(value) < 1e15
        sheet.write_number(row, col, value, styles["integer" if whole else "number"])
    else:  # text, and a YAML date, kept as its ISO text
        sheet.write_string(row, col, str(value))


ABOUT_TEXT = (
    "Each sheet after this one holds one section of the scenario, one figure a row.",
    "item: the option, model, expansion or correlation the row belongs to (by its name; "
    "correlations are numbered). Blank on sheets of a single section.",
    "field: where the figure goes inside the item, e.g. scores.quality, or seasonality[0] "
    "for the first of a list (counted from 0).",
    "value: a plain figure. Or leave it blank and name a distribution in dist (normal, "
    "lognormal, uniform, triangular, pert, discrete, empirical) with its parameters in the "
    "columns that follow: low, mode, high, median, sigma, mean, sd, p10, p90; values and "
    "probabilities as numbers separated by ';'.",
    "source: where the figure comes from. On the options' scores it is part of the scenario "
    "(a judged score needs one); elsewhere it is a note, not read back.",
    "A blank value leaves the field at its default. Add a row to set a field, add rows with "
    "a new item name to add an option. Values only: cells with formulas are refused.",
    "Check it with `evlaunch validate FILE.xlsx`; every command reads it like a YAML file.",
)


def _about(book, styles, name: str, header: list[str], notes: list[tuple[str, str]]) -> None:
    sheet = book.add_worksheet(ABOUT)
    sheet.set_column(0, 0, 16)
    sheet.set_column(1, 1, 120)
    sheet.write_string(0, 0, f"evlaunch scenario: {name}", styles["title"])
    row = 2
    for text in ABOUT_TEXT:
        sheet.write_string(row, 1, text, styles["wrap"])
        row += 1
    header_text = " ".join(h.strip().lstrip("#").strip() for h in header if h.strip())
    if header_text:
        sheet.write_string(row + 1, 0, "the scenario", styles["head"])
        sheet.write_string(row + 1, 1, header_text, styles["wrap"])
        row += 2
    row += 1
    for section, note in notes:
        if note:
            sheet.write_string(row, 0, section, styles["head"])
            sheet.write_string(row, 1, note, styles["wrap"])
            row += 1
