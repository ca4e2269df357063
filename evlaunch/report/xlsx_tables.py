"""Titled tables, each with an optional native Excel chart, in an in-memory workbook.

Any result goes to Excel through these: a sheet holds tables one under another, every number
formatted for people (thousands separators, shares as percentages, never scientific).
"""

import math
import re
from dataclasses import dataclass, field
from io import BytesIO

import xlsxwriter

NUMBER_FORMATS = {
    "integer": "#,##0",
    "number": "#,##0.00",
    "small": "0.000",
    "share": "0.0%",
    "text": "@",
}
_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")


@dataclass(frozen=True)
class Table:
    """Rows under a title and a header. ``formats`` names each column's number format (a key
    of NUMBER_FORMATS); a cell given as (value, format) has its own."""

    title: str
    headings: list[str]
    rows: list[list]
    formats: list[str]


@dataclass(frozen=True)
class Chart:
    """A chart of a table's columns (by index) against its ``categories`` column."""

    kind: str  # 'line', 'column' or 'bar'
    title: str
    series: list[int]
    categories: int = 0
    stacked: bool = False
    lines: list[int] = field(default_factory=list)  # on a column chart: drawn as lines over it
    y_title: str = ""
    y_format: str = "#,##0"


def figures(title: str, items: list[tuple[str, object, str]]) -> Table:
    """A two-column table of named figures, each (name, value, number format)."""
    return Table(title, ["figure", "value"], [[n, (v, f)] for n, v, f in items], ["text", "text"])


class Book:
    """An xlsxwriter workbook in memory; ``data()`` closes it and gives the file's bytes."""

    def __init__(self) -> None:
        self._buffer = BytesIO()
        self.book = xlsxwriter.Workbook(self._buffer, {"in_memory": True})
        self._formats = {
            k: self.book.add_format({"num_format": v}) for k, v in NUMBER_FORMATS.items()
        }
        self._title = self.book.add_format({"bold": True, "font_size": 13})
        self._head = self.book.add_format(
            {"bold": True, "bg_color": "#DDEBF7", "bottom": 1, "text_wrap": True, "valign": "top"}
        )
        self._names: set[str] = set()
        self._widths: dict[tuple[str, int], int] = {}

    def sheet(self, name: str):
        """A new sheet; the name made valid for Excel (31 characters, no []:*?/\\) and unique."""
        base = _SHEET_NAME_BAD.sub("_", name)[:31] or "sheet"
        name, n = base, 1
        while name.lower() in self._names:
            n += 1
            name = f"{base[: 31 - len(str(n)) - 1]} {n}"
        self._names.add(name.lower())
        return self.book.add_worksheet(name)

    def table(self, sheet, row: int, table: Table, chart: Chart | None = None) -> int:
        """Write ``table`` from ``row`` (0-based) down, its chart to the right; the next free
        row (leaving one blank)."""
        sheet.write_string(row, 0, table.title, self._title)
        head = row + 1
        for col, heading in enumerate(table.headings):
            sheet.write_string(head, col, heading, self._head)
            self._width(sheet, col, len(heading) + 2)
        for r, values in enumerate(table.rows, start=head + 1):
            for col, value in enumerate(values):
                self._cell(sheet, r, col, value, table.formats[col])
        if head == 1 and table.rows:
            sheet.freeze_panes(2, 1)
        end = head + len(table.rows)
        if chart is not None and table.rows:
            self._chart(sheet, head, end, table, chart)
            end = max(end, head + 20)  # below the chart
        return end + 2

    def _cell(self, sheet, r: int, col: int, value, fmt: str) -> None:
        if isinstance(value, tuple) and len(value) == 2 and value[1] in NUMBER_FORMATS:
            value, fmt = value
        if value is None or (isinstance(value, float) and not math.isfinite(value)):
            return
        if isinstance(value, bool):
            sheet.write_boolean(r, col, value)
        elif isinstance(value, int | float):
            sheet.write_number(r, col, value, self._formats["integer" if fmt == "text" else fmt])
            self._width(sheet, col, 14)
        else:
            text = str(value)
            sheet.write_string(r, col, text)
            self._width(sheet, col, min(len(text) + 2, 60))

    def _width(self, sheet, col: int, width: int) -> None:
        key = (sheet.name, col)
        if width > self._widths.get(key, 0):
            self._widths[key] = width
            sheet.set_column(col, col, width)

    def _chart(self, sheet, head: int, end: int, table: Table, spec: Chart) -> None:
        options = {"type": spec.kind}
        if spec.stacked:
            options["subtype"] = "stacked"
        chart = self.book.add_chart(options)
        self._series(chart, sheet, head, end, spec.series, spec.categories)
        if spec.lines:
            over = self.book.add_chart({"type": "line"})
            self._series(over, sheet, head, end, spec.lines, spec.categories)
            chart.combine(over)
        chart.set_title({"name": spec.title})
        axis = {"name": spec.y_title, "num_format": spec.y_format}
        (chart.set_x_axis if spec.kind == "bar" else chart.set_y_axis)(axis)
        chart.set_legend({"position": "bottom"})
        chart.set_size({"width": 760, "height": 380})
        sheet.insert_chart(head, len(table.headings) + 1, chart)

    @staticmethod
    def _series(chart, sheet, head: int, end: int, columns: list[int], categories: int) -> None:
        for col in columns:
            chart.add_series(
                {
                    "name": [sheet.name, head, col],
                    "categories": [sheet.name, head + 1, categories, end, categories],
                    "values": [sheet.name, head + 1, col, end, col],
                }
            )

    def data(self) -> bytes:
        self.book.close()
        return self._buffer.getvalue()
