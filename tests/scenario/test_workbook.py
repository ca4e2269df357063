"""The scenario as an Excel workbook: written with its sources, read back exactly, and a bad
workbook refused with one message naming the sheet and the cell."""

import io
import zipfile

import openpyxl
import pytest
import yaml
from typer.testing import CliRunner

from evlaunch.cli import app
from evlaunch.errors import UserError
from evlaunch.scenario.load import bundled_text, load_scenario, parse_scenario
from evlaunch.scenario.sheets import COLUMNS, format_path, parse_path
from evlaunch.scenario.workbook_write import scenario_workbook

runner = CliRunner()


def _write(tmp_path, text: str, name: str = "plan.xlsx"):
    path = tmp_path / name
    path.write_bytes(scenario_workbook(text))
    return path


def _cell(book, sheet: str, item: str | None, field: str, column: str = "value") -> str:
    """The coordinate of a row's cell, found by the row's item and field."""
    col = COLUMNS.index(column)
    for row in book[sheet].iter_rows(min_row=2):
        if row[1].value == field and (item is None or row[0].value == item):
            return row[col].coordinate
    raise LookupError((sheet, item, field))


def _edited(tmp_path, edit) -> str:
    path = _write(tmp_path, bundled_text("xiaomi-2021"))
    book = openpyxl.load_workbook(path)
    edit(book)
    book.save(path)
    return str(path)


@pytest.mark.parametrize("name", ["xiaomi-2021", "xiaomi-2024"])
def test_bundled_scenario_round_trips_through_a_workbook(tmp_path, name):
    text = bundled_text(name)
    scenario, stored = load_scenario(_write(tmp_path, text))
    expected = parse_scenario(text, "yaml")
    assert scenario == expected
    assert scenario.model_dump() == expected.model_dump()
    assert parse_scenario(stored, "yaml") == expected  # the text a run keeps is the same scenario


def test_every_kind_of_figure_round_trips(tmp_path, scenario_dict):
    s = scenario_dict
    s["options"][0]["name"] = "2024"  # a name that looks like a number stays a name
    s["plan"]["options"] = ["2024", "Own plant phase I"]
    s["options"][0]["capex_cny"] = {"dist": "discrete", "values": [1e9, 1.5e9, 2.25e9],
                                    "probabilities": [0.25, 0.5, 0.25]}  # fmt: skip
    s["options"][1]["fee_per_vehicle_cny"] = {"dist": "empirical", "values": [8000, 9000.5]}
    s["market"]["price_elasticity"] = {"dist": "normal", "p10": -2.0, "p90": -1.0, "high": 0}
    s["market"]["seasonality"] = [0.9, 1.1] * 6
    s["expansions"] = [{"option": "Own plant phase II", "backlog_months_above": 3, "for_months": 2,
                        "not_before": "2024-01"}]  # fmt: skip
    s["options"][3]["already_built"] = False
    text = yaml.safe_dump(s, sort_keys=False)
    assert load_scenario(_write(tmp_path, text))[0] == parse_scenario(text, "yaml")


def test_layout_header_frozen_panes_and_sources_beside_figures(tmp_path):
    book = openpyxl.load_workbook(_write(tmp_path, bundled_text("xiaomi-2021")))
    assert book.sheetnames[:3] == ["about", "scenario", "company"]
    assert {"options", "models", "assessment", "expansions"} <= set(book.sheetnames)
    options = book["options"]
    assert tuple(c.value for c in options[1]) == COLUMNS
    assert options.freeze_panes == "C2"
    # a figure's source is the comment on its line, or the comment lines just above it
    source = options[_cell(book, "options", "FAW Group", "capacity_per_year", "source")].value
    assert source.startswith("assumption: one assembly line of a group")
    fee = options[_cell(book, "options", "FAW Group", "fee_per_vehicle_cny", "source")].value
    assert fee == "assumption: contract-manufacturing fee"
    # a judged score's source is its own field
    score = options[_cell(book, "options", "Great Wall Motor", "scores.quality", "source")].value
    assert score == "assumption"
    # a distribution as columns
    row = options[_cell(book, "options", "FAW Group", "lead_time_months")].row
    values = {h: options.cell(row, i + 1).value for i, h in enumerate(COLUMNS)}
    assert values["value"] is None and values["dist"] == "normal"
    assert (values["mean"], values["sd"], values["low"], values["high"]) == (24, 3, 12, 36)


def test_paths_quote_what_is_not_a_plain_name():
    for path in [("scores", "quality"), ("matrix", 0, 7), ("values", "a.b [c]", 1), ("x",)]:
        assert parse_path(format_path(path)) == path
    assert format_path(("values", 'say "hi"')) == 'values["say \\"hi\\""]'
    assert parse_path("scores..quality") is None and parse_path("[0]x") is None


def _negative_capacity(book):
    book["options"][_cell(book, "options", "FAW Group", "capacity_per_year")] = -5


def _unknown_field(book):
    book["market"].append([None, "price_cnyy", 5])


def _text_for_a_number(book):
    book["target"][_cell(book, "target", None, "deliveries")] = "lots"


def _formula(book):
    book["target"][_cell(book, "target", None, "deliveries")] = "=2*450000"


def _gap_in_a_list(book):
    book["market"][_cell(book, "market", None, "seasonality[3]", "field")] = "seasonality[12]"


BAD = {
    "negative capacity": (
        _negative_capacity,
        "sheet 'options', cell C3 (options.FAW Group.capacity_per_year) = -5: Input should be "
        "greater than 0",
    ),
    "unknown field": (
        _unknown_field,
        "sheet 'market', cell C22 (market.price_cnyy): unknown field; did you mean 'price_cny'?",
    ),
    "text for a number": (
        _text_for_a_number,
        "sheet 'target', cell C2 (target.deliveries) = 'lots': text where a number belongs",
    ),
    "formula": (_formula, "sheet 'target', cell C2: a formula ('=2*450000'); evlaunch reads"),
    "gap in a list": (_gap_in_a_list, "(market.seasonality): no row for [3]"),
}


@pytest.mark.parametrize("case", BAD)
def test_a_bad_workbook_names_the_sheet_and_the_cell(tmp_path, case):
    edit, expected = BAD[case]
    path = _edited(tmp_path, edit)
    with pytest.raises(UserError) as caught:
        load_scenario(path)
    assert expected in str(caught.value)
    assert str(caught.value).startswith(f"{path}: 1 problem\n- ")
    result = runner.invoke(app, ["validate", path])
    assert result.exit_code == 2
    assert expected in " ".join(result.output.split())
    assert "Traceback" not in result.output


def _zip(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


BROKEN = {
    "text named .xlsx": (b"name: not a workbook\n", "not an .xlsx workbook (not a zip archive)"),
    "too big": (b"PK" + b"\0" * 1_200_000, "too large for a scenario (limit 1 MB)"),
    "zip bomb": (
        _zip({"xl/workbook.xml": b"<", "xl/worksheets/sheet1.xml": b"\0" * 50_000_000}),
        "its parts unpack to 50,000,001 bytes; at most 20,000,000",
    ),
    "a zip, not a workbook": (_zip({"a.txt": b"hello"}), "a zip without xl/workbook.xml"),
    "corrupt workbook": (
        _zip({"xl/workbook.xml": b"<not xml", "[Content_Types].xml": b"<x/>"}),
        "a corrupt .xlsx workbook",
    ),
    "entity expansion": (
        _zip({"xl/workbook.xml": b'<!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>'}),
        "xl/workbook.xml declares a DTD",
    ),
}


@pytest.mark.parametrize("case", BROKEN)
def test_a_file_that_is_not_a_sound_workbook_is_one_message(tmp_path, case):
    data, expected = BROKEN[case]
    path = tmp_path / "plan.xlsx"
    path.write_bytes(data)
    with pytest.raises(UserError, match="^" + str(path)) as caught:
        load_scenario(path)
    assert expected in str(caught.value)
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_init_writes_a_workbook_that_validates(tmp_path):
    path = tmp_path / "plan.xlsx"
    result = runner.invoke(app, ["init", "--xlsx", str(path), "--scenario", "xiaomi-2024"])
    assert result.exit_code == 0, result.output
    assert load_scenario(path)[0] == parse_scenario(bundled_text("xiaomi-2024"), "yaml")
    again = runner.invoke(app, ["init", "--xlsx", str(path)])
    assert again.exit_code == 2 and "already exists" in again.output
    assert runner.invoke(app, ["init", "--xlsx", str(path), "--force"]).exit_code == 0
    assert runner.invoke(app, ["validate", str(path)]).exit_code == 0
