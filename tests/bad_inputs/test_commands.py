"""The catalog of bad inputs for the commands beyond the scenario file: deliveries CSVs, sweep
grids, the run store, report and serve flags. Each ends in exit 2 and one message naming the
file, line or flag, the value and what is allowed."""

import pytest
import yaml
from typer.testing import CliRunner

from evlaunch.cli import app

runner = CliRunner()

ACTUALS = [
    ("not a number", "month,deliveries\n2024-04,abc\n", ["line 2", "deliveries", "'abc'"]),
    ("negative", "month,deliveries\n2024-04,-5\n", ["line 2", "'-5'", "0 or more"]),
    ("wrong header", "foo,bar\n1,2\n", ["line 1", "'foo,bar'", "'month,deliveries'"]),
    ("bad month", "month,deliveries\n2024-13,10\n", ["line 2", "'2024-13'"]),
    ("empty", "", ["empty"]),
    # plausibility from real data: company_facts.csv, China's car market in 2021
    ("1e300 a month", "month,deliveries\n2024-04,1e300\n", ["line 2", "'1e300'", "Chinese"]),
    (
        "5,000 digits",
        "month,deliveries\n2024-04," + "9" * 5000 + "\n",
        ["line 2", "(5,000 characters) is too long"],
    ),
    (
        "100 years of rows",
        "month,deliveries\n"
        + "".join(f"{1950 + n // 12}-{n % 12 + 1:02d},1\n" for n in range(1200)),
        ["1,200 rows; at most 600 months"],
    ),
    ("a year out of range", "month,deliveries\n2400-01,10\n", ["1900 to 2200"]),
]


@pytest.mark.parametrize("command", ["fit", "nowcast"])
@pytest.mark.parametrize("name, text, fragments", ACTUALS, ids=[c[0] for c in ACTUALS])
def test_bad_deliveries_csv(tmp_path, command, name, text, fragments):
    path = tmp_path / "actuals.csv"
    path.write_text(text)
    args = [command, "--actuals", str(path)] + (["--paths", "1000"] if command == "nowcast" else [])
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    for fragment in ["actuals.csv", *fragments]:
        assert fragment in result.output, (fragment, result.output)
    assert "Traceback" not in result.output


def test_missing_deliveries_csv(tmp_path):
    result = runner.invoke(app, ["fit", "--actuals", str(tmp_path / "none.csv")])
    assert result.exit_code == 2 and "none.csv: no such file" in result.output


GRID = {"paths": 1000, "parameters": {"market.bass_p_per_year": [0.02, 0.1]}}
GRIDS = [
    (
        "unknown input",
        {**GRID, "parameters": {"market.colour": [1]}},
        ["'market.colour' is not an input", "market.addressable_market_vehicles"],
    ),
    ("bad method", {**GRID, "method": "random"}, ["method", "cartesian|lhs"]),
    (
        "lhs needs a range",
        {**GRID, "method": "lhs", "parameters": {"market.bass_p_per_year": [1]}},
        ["parameters.market.bass_p_per_year", "[low, high] for lhs"],
    ),
    (
        "too many points",
        {
            **GRID,
            "parameters": {
                "market.bass_p_per_year": list(range(200)),
                "market.bass_q_per_year": list(range(200)),
            },
        },
        ["40,000 points", "at most 10,000", "method: lhs"],
    ),
    ("too many paths", {**GRID, "paths": 10**9}, ["paths", "1000000"]),
    ("unknown field", {**GRID, "colour": "red"}, ["colour", "Extra inputs"]),
]


@pytest.mark.parametrize("name, grid, fragments", GRIDS, ids=[c[0] for c in GRIDS])
def test_bad_sweep_grid(tmp_path, name, grid, fragments):
    path = tmp_path / "grid.yaml"
    path.write_text(yaml.safe_dump(grid))
    result = runner.invoke(app, ["sweep", str(path), "--serial"])
    assert result.exit_code == 2, result.output
    for fragment in ["grid.yaml", *fragments]:
        assert fragment in result.output, (fragment, result.output)


@pytest.mark.parametrize(
    "text, fragments",
    [
        ("- a\n- list\n", ["a grid is a mapping"]),
        (
            "a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1]\n"
            + "".join(
                f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
                for p, c in zip("abcdefgh", "bcdefghi", strict=True)
            ),
            ["YAML aliases", "at most 100,000"],
        ),
        ("paths: [1000\n", ["not valid YAML", "line 2"]),
    ],
    ids=["not a mapping", "billion laughs", "malformed"],
)
def test_bad_sweep_grid_file(tmp_path, text, fragments):
    path = tmp_path / "grid.yaml"
    path.write_text(text)
    result = runner.invoke(app, ["sweep", str(path), "--serial"])
    assert result.exit_code == 2, result.output
    for fragment in fragments:
        assert fragment in result.output, (fragment, result.output)


def test_run_store_that_is_not_a_database(tmp_path, monkeypatch):
    path = tmp_path / "runs.duckdb"
    path.write_text("not a database")
    monkeypatch.setenv("EVLAUNCH_STORE", str(path))
    result = runner.invoke(app, ["runs", "list"])
    assert result.exit_code == 2
    assert "not a run store" in result.output and "EVLAUNCH_STORE" in result.output


@pytest.mark.parametrize(
    "args", [["show", "run-nope"], ["export", "run-nope"], ["diff", "run-nope", "run-nope2"]]
)
def test_unknown_run_id(args):
    runner.invoke(app, ["run"])  # creates the (temporary) store
    result = runner.invoke(app, ["runs", *args])
    assert result.exit_code == 2
    assert "no run 'run-nope'" in result.output and "evlaunch runs list" in result.output


def test_report_into_a_missing_folder(tmp_path):
    result = runner.invoke(app, ["report", "--output", str(tmp_path / "no" / "r.html")])
    assert result.exit_code == 2 and "does not exist" in result.output
    assert not (tmp_path / "no").exists()


@pytest.mark.parametrize(
    "flags, fragments",
    [(["--port", "70000"], ["--port 70000", "from 1 to 65535"])],
)
def test_bad_serve_flags(flags, fragments):
    result = runner.invoke(app, ["serve", *flags])
    assert result.exit_code == 2
    for fragment in fragments:
        assert fragment in result.output


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("{", "not a JSON file"),
        ("[1, 2]", "no 'cases' list"),
        ('{"cases": [{"method": "m", "pit": 7}]}', "cases[0] needs a 'method' and a 'pit'"),
        ("[" * 100_000, "not a JSON file"),
    ],
)
def test_bad_hindcast_json_for_the_report(tmp_path, text, fragment):
    path = tmp_path / "h.json"
    path.write_text(text)
    result = runner.invoke(
        app, ["report", "--hindcast", str(path), "--output", str(tmp_path / "r.html")]
    )
    assert result.exit_code == 2 and fragment in result.output, result.output
    assert not (tmp_path / "r.html").exists()


def test_hindcast_json_that_never_ends_is_refused(tmp_path):
    endless = tmp_path / "h.json"
    endless.symlink_to("/dev/zero")
    result = runner.invoke(
        app, ["report", "--hindcast", str(endless), "--output", str(tmp_path / "r.html")]
    )
    assert result.exit_code == 2 and "larger than 50 MB" in result.output


def _foreign_store(path):
    import duckdb

    with duckdb.connect(str(path)) as con:
        con.execute("CREATE TABLE meta (key VARCHAR, value VARCHAR)")
        con.execute("CREATE TABLE runs (a INTEGER, b VARCHAR)")


@pytest.mark.parametrize(
    "args", [["runs", "list"], ["run"], ["sweep", "GRID", "--serial"]], ids=lambda a: a[0]
)
def test_a_store_of_another_shape(tmp_path, args):
    store = tmp_path / "runs.duckdb"
    _foreign_store(store)
    grid = tmp_path / "grid.yaml"
    grid.write_text(yaml.safe_dump(GRID))
    args = [str(grid) if a == "GRID" else a for a in args]
    result = runner.invoke(app, [*args, "--store", str(store)])
    assert result.exit_code == 2, result.output
    for fragment in ["runs.duckdb: its table runs has columns (a, b)", "not evlaunch's (id, "]:
        assert fragment in result.output, (fragment, result.output)
    assert "use another --store" in result.output and "Traceback" not in result.output


OUTPUTS = [
    ("spreadsheet of another kind", "r.xls", ["r.xls", "'.xls'", ".csv (CSV)", ".xlsx (Excel)"]),
    ("no extension", "results", ["'(none)'", "names no results format"]),
    ("a folder", "folder", ["folder: is a directory, not a regular file"]),
    ("a pipe", "pipe.csv", ["pipe.csv: is a FIFO (named pipe), not a regular file"]),
]


@pytest.mark.parametrize("name, output, fragments", OUTPUTS, ids=[c[0] for c in OUTPUTS])
def test_bad_sweep_output(tmp_path, name, output, fragments):
    import os

    grid = tmp_path / "grid.yaml"
    grid.write_text(yaml.safe_dump(GRID))
    target = tmp_path / output
    if name == "a folder":
        target.mkdir()
    elif name == "a pipe":
        os.mkfifo(target)
    store = tmp_path / "s.duckdb"
    args = ["sweep", str(grid), "--serial", "--store", str(store), "-o", str(target)]
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    for fragment in fragments:
        assert fragment in result.output, (fragment, result.output)
    assert not store.exists()  # refused before the sweep ran


def test_runs_export_to_another_format_or_a_folder(tmp_path):
    runner.invoke(app, ["run", "--store", str(tmp_path / "s.duckdb")])
    from evlaunch.store import list_runs

    (run,) = list_runs(tmp_path / "s.duckdb")
    for target, fragment in [
        (
            tmp_path / "run.csv",
            "run.csv: runs export writes JSON; give a file name ending in .json",
        ),
        (tmp_path, "is a directory, not a regular file"),
    ]:
        args = [
            "runs",
            "export",
            run["id"],
            "-o",
            str(target),
            "--store",
            str(tmp_path / "s.duckdb"),
        ]
        result = runner.invoke(app, args)
        assert result.exit_code == 2 and fragment in result.output, result.output


def test_a_bad_output_or_store_is_refused_before_anything_is_computed(tmp_path, monkeypatch):
    import importlib

    import duckdb

    def never(*args, **kwargs):
        raise AssertionError("computed before the output and the store were checked")

    for module, name in (("pipeline", "report_results"), ("risk.montecarlo", "monte_carlo")):
        monkeypatch.setattr(importlib.import_module(f"evlaunch.{module}"), name, never)
    (tmp_path / "r_data").write_text("a file where the data folder goes")
    result = runner.invoke(app, ["report", "-o", str(tmp_path / "r.html"), "--no-save"])
    assert result.exit_code == 2 and "r_data: the report's data folder" in result.output
    foreign = tmp_path / "other.duckdb"
    con = duckdb.connect(str(foreign))
    con.execute("CREATE TABLE runs (a INTEGER)")
    con.close()
    for args in (["risk"], ["report", "-o", str(tmp_path / "s.html")]):
        result = runner.invoke(app, [*args, "--store", str(foreign)])
        assert result.exit_code == 2 and "not an evlaunch run store" in result.output, args
