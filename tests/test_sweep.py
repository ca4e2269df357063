import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import numpy as np
import pytest
import yaml

import evlaunch
from evlaunch.errors import UserError
from evlaunch.sweep import influence, load_grid, results, run_sweep, write_table

GRID = {
    "method": "cartesian",
    "paths": 1000,
    "seed": 3,
    "parameters": {
        "market.bass_p_per_year": [0.02, 0.1],
        "options.Own plant phase I.capacity_per_year": [150000, 400000],
    },
}


def grid_file(tmp_path, grid=GRID):
    path = tmp_path / "grid.yaml"
    path.write_text(yaml.safe_dump(grid))
    return path


def test_dask_local_cluster_gives_the_serial_results_and_resumes(tmp_path):
    from distributed import Client, LocalCluster

    sweep = load_grid(grid_file(tmp_path))
    assert len(sweep.points) == 4
    serial_store = tmp_path / "serial.duckdb"
    assert run_sweep(sweep, None, serial_store) == 4
    serial = results(sweep, serial_store)

    store = tmp_path / "dask.duckdb"
    # a sweep stopped halfway ...
    assert run_sweep(sweep, None, store, stop_after=2) == 2
    with (
        LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            host="127.0.0.1",
        ) as cluster,
        Client(cluster) as c,
    ):
        # ... resumes with only the points it had not finished, on two worker processes
        assert run_sweep(sweep, c, store) == 2
        assert run_sweep(sweep, c, store) == 0
    resumed = results(sweep, store)
    strip = [{k: v for k, v in r.items() if k != "seconds"} for r in serial]
    assert [{k: v for k, v in r.items() if k != "seconds"} for r in resumed] == strip
    table = write_table(sweep, tmp_path / "out.csv", store)
    assert table.read_text().count("\n") == 5
    ranked = influence(resumed, sweep.names)
    assert {n for n, _ in ranked} == set(sweep.names)


def test_lhs_grid_and_bad_grids(tmp_path):
    lhs = {
        **GRID,
        "method": "lhs",
        "points": 5,
        "parameters": {"market.bass_p_per_year": [0.01, 0.2]},
    }
    sweep = load_grid(grid_file(tmp_path, lhs))
    assert sweep.points.shape == (5, 1)
    assert np.all((sweep.points >= 0.01) & (sweep.points <= 0.2))
    with pytest.raises(UserError, match="not an input of the scenario"):
        load_grid(grid_file(tmp_path, {**GRID, "parameters": {"market.colour": [1]}}))
    with pytest.raises(UserError, match="method"):
        load_grid(grid_file(tmp_path, {**GRID, "method": "random"}))
    with pytest.raises(UserError, match="no such file"):
        load_grid(tmp_path / "none.yaml")


def test_a_point_sets_inputs_of_any_section_and_keeps_the_rest():
    from evlaunch.scenario.inputs import input_value
    from evlaunch.scenario.load import load_scenario
    from evlaunch.sweep import point_scenario

    base = load_scenario()[0]
    names = [
        "market.bass_p_per_year",
        "options.Own plant phase II.lead_time_months",
        "models.second model.launch_slip_months",
    ]
    point = point_scenario(base, names, [0.05, 20.0, 6.0])
    assert [input_value(point, n) for n in names] == [0.05, 20.0, 6.0]
    assert input_value(point, "market.bass_q_per_year") == base.market.bass_q_per_year
    # the p-q correlation names a now fixed input, so it goes
    assert point.correlations == []


# --- faults: a sweep killed -9 mid-point, two sweeps at once, outputs by extension ---

ROOT = Path(evlaunch.__file__).parent.parent
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
SLOW = {
    **GRID,
    "paths": 100_000,
    "parameters": {**GRID["parameters"], "market.bass_q_per_year": [0.3, 0.5]},
}


def _sweep(grid, store, output, *extra):
    command = [sys.executable, "-m", "evlaunch.cli", "sweep", str(grid), "--serial"]
    return [*command, "--store", str(store), "-o", str(output), *extra]


def _points(store, sweep_id) -> dict[int, int]:
    """How many rows each point has in the store, read with SQL (not through results(),
    which shows one a point)."""
    with duckdb.connect(str(store), read_only=True) as con:
        rows = con.execute(
            "SELECT point, count(*) FROM runs WHERE sweep = ? GROUP BY point", [sweep_id]
        ).fetchall()
    return dict(rows)


def _wait_for_points(store, sweep_id, at_least, proc, timeout=240):
    deadline = time.time() + timeout
    while time.time() < deadline and proc.poll() is None:
        time.sleep(0.2)
        try:
            if sum(_points(store, sweep_id).values()) >= at_least:
                return
        except duckdb.Error:  # not made yet, or locked by the writer for a moment
            continue
    raise AssertionError(f"no {at_least} points within {timeout} s (exit {proc.poll()})")


def test_a_sweep_killed_mid_point_loses_nothing_and_resumes_without_duplicates(tmp_path):
    grid = grid_file(tmp_path, SLOW)
    sweep = load_grid(grid)
    store, output = tmp_path / "s.duckdb", tmp_path / "out.csv"
    proc = subprocess.Popen(_sweep(grid, store, output), env=ENV, stderr=subprocess.DEVNULL)
    _wait_for_points(store, sweep.id, 2, proc)
    os.kill(proc.pid, signal.SIGKILL)  # most of a point's time is its Monte Carlo: mid-point
    proc.wait()
    before = _points(store, sweep.id)
    assert 2 <= len(before) < len(sweep.points) and set(before.values()) == {1}
    with duckdb.connect(str(store), read_only=True) as con:
        kept = con.execute("SELECT id FROM runs WHERE sweep = ?", [sweep.id]).fetchall()
    assert not output.exists() and not [p for p in tmp_path.iterdir() if ".tmp" in p.name]
    resumed = subprocess.run(_sweep(grid, store, output), env=ENV, capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr
    assert f"ran {len(sweep.points) - len(before)} points now" in " ".join(resumed.stdout.split())
    assert _points(store, sweep.id) == dict.fromkeys(range(len(sweep.points)), 1)
    with duckdb.connect(str(store), read_only=True) as con:  # the finished ones were kept
        ids = {
            r[0] for r in con.execute("SELECT id FROM runs WHERE sweep = ?", [sweep.id]).fetchall()
        }
    assert {k[0] for k in kept} <= ids
    assert len(output.read_text().splitlines()) == len(sweep.points) + 1


def test_two_sweeps_of_one_grid_at_once_store_each_point_once(tmp_path):
    grid = grid_file(tmp_path, {**SLOW, "paths": 20_000})
    sweep = load_grid(grid)
    store = tmp_path / "s.duckdb"
    procs = [
        subprocess.Popen(
            _sweep(grid, store, tmp_path / f"out{i}.json"),
            env=ENV,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(2)
    ]
    ran = 0
    for proc in procs:
        stdout, stderr = proc.communicate(timeout=400)
        assert proc.returncode == 0, stderr
        ran += int(re.search(r"ran (\d+) points now", " ".join(stdout.split())).group(1))
    assert ran > len(sweep.points)  # they overlapped: some points were computed by both ...
    # ... and the store kept each once
    assert _points(store, sweep.id) == dict.fromkeys(range(len(sweep.points)), 1)
    tables = [json.loads((tmp_path / f"out{i}.json").read_text()) for i in range(2)]
    assert tables[0] == tables[1] and [r["point"] for r in tables[0]] == list(range(8))


def test_the_extension_decides_the_results_format_or_is_refused(tmp_path):
    import openpyxl

    sweep = load_grid(grid_file(tmp_path))
    store = tmp_path / "s.duckdb"
    run_sweep(sweep, None, store)
    rows = results(sweep, store)
    book = openpyxl.load_workbook(write_table(sweep, tmp_path / "r.xlsx", store))
    cells = [[c.value for c in r] for r in book["sweep"].iter_rows(min_row=2)]
    assert cells[0] == list(rows[0]) and len(cells) == 1 + len(rows)
    assert cells[1][list(rows[0]).index("p_target")] == pytest.approx(rows[0]["p_target"])
    assert json.loads(write_table(sweep, tmp_path / "r.json", store).read_text())[3]["point"] == 3
    parquet = write_table(sweep, tmp_path / "r.parquet", store)
    with duckdb.connect() as con:
        assert con.execute(f"SELECT count(*) FROM '{parquet}'").fetchone() == (len(rows),)
    with pytest.raises(UserError, match=r"r\.txt: the extension '\.txt'.*\.csv.*\.xlsx"):
        write_table(sweep, tmp_path / "r.txt", store)
    (tmp_path / "folder.csv").mkdir()
    with pytest.raises(UserError, match="folder.csv: is a directory, not a regular file"):
        write_table(sweep, tmp_path / "folder.csv", store)


@pytest.mark.parametrize("kind", ["folder", "fifo", "xls"])
def test_a_bad_output_is_refused_before_the_sweep_runs(tmp_path, kind):
    from typer.testing import CliRunner

    from evlaunch.cli import app

    grid, store = grid_file(tmp_path), tmp_path / "s.duckdb"
    target = tmp_path / {"folder": "results", "fifo": "results.csv", "xls": "results.xls"}[kind]
    if kind == "folder":
        target.mkdir()
        (target / "keep.txt").write_text("mine")
    elif kind == "fifo":
        os.mkfifo(target)
    args = ["sweep", str(grid), "--serial", "--store", str(store), "-o", str(target)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2 and "Traceback" not in result.output
    expected = {"folder": "is a directory", "fifo": "is a FIFO", "xls": "names no results format"}
    assert expected[kind] in result.output
    assert not store.exists()  # nothing was run
    assert kind != "folder" or [p.name for p in target.iterdir()] == ["keep.txt"]
