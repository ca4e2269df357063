import json
import multiprocessing
import os
import signal
import subprocess
import sys
import time

import duckdb
import pytest
from typer.testing import CliRunner

from evlaunch.cli import app
from evlaunch.errors import UserError
from evlaunch.scenario.load import load_scenario
from evlaunch.store import connect, get_run, list_runs, save

SCENARIO, TEXT = load_scenario()


def _writer(path, n, tag):
    for i in range(n):
        save("risk", SCENARIO, TEXT, {"p_target": i / n, "writer": tag}, {"x": [i]}, i, 0.1, path)


def test_a_run_is_stored_whole_and_read_back(tmp_path):
    path = tmp_path / "s.duckdb"
    run_id = save(
        "risk", SCENARIO, TEXT, {"p_target": 0.25, "q": [1, 2]}, {"fan": [1.0, 2.0]}, 7, 1.5, path
    )
    run = get_run(run_id, path)
    assert run["kind"] == "risk" and run["seed"] == 7 and run["seconds"] == 1.5
    assert run["summary"] == {"p_target": 0.25, "q": [1, 2]}
    assert run["arrays"] == {"fan": [1.0, 2.0]}
    assert run["scenario_text"] == TEXT and run["resolved"]["name"] == SCENARIO.name
    assert [r["id"] for r in list_runs(path)] == [run_id]
    with pytest.raises(UserError, match="no run 'nope'"):
        get_run("nope", path)


def test_concurrent_writers_do_not_corrupt_the_store(tmp_path):
    path = str(tmp_path / "s.duckdb")
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(path, 5, t)) for t in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    runs = list_runs(path, limit=100)
    assert len(runs) == 20
    assert sorted(r["summary"]["writer"] for r in runs) == sorted([0, 1, 2, 3] * 5)


def test_a_writer_killed_mid_write_loses_no_earlier_run(tmp_path):
    path = tmp_path / "s.duckdb"
    code = (
        "import sys; from evlaunch.scenario.load import load_scenario; "
        "from evlaunch.store import save; s, t = load_scenario(); i = 0\n"
        "while True:\n"
        "    save('risk', s, t, {'p_target': 0.5, 'i': i}, {'big': list(range(20000))}, i, "
        "0.0, sys.argv[1]); i += 1\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code, str(path)])
    deadline = time.time() + 60
    while time.time() < deadline:
        time.sleep(0.5)
        try:
            with duckdb.connect(str(path), read_only=True) as con:
                if con.execute("SELECT count(*) FROM runs").fetchone()[0] >= 5:
                    break
        except duckdb.Error:
            continue
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    runs = list_runs(path, limit=1000)
    assert len(runs) >= 5
    indices = sorted(r["summary"]["i"] for r in runs)
    assert indices == list(range(len(indices)))  # every committed run is there, whole
    for r in runs[:3]:
        assert get_run(r["id"], path)["arrays"]["big"][-1] == 19999


def test_a_store_from_a_newer_version_is_refused_clearly(tmp_path):
    path = tmp_path / "s.duckdb"
    save("run", SCENARIO, TEXT, {}, None, 0, 0.0, path)
    with duckdb.connect(str(path)) as con:
        con.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(UserError, match="written by a newer evlaunch"):
        list_runs(path)
    (tmp_path / "junk.duckdb").write_bytes(b"not a database at all" * 100)
    with pytest.raises(UserError, match="junk.duckdb"):
        with connect(tmp_path / "junk.duckdb"):
            pass


def test_runs_commands(tmp_path):
    runner = CliRunner()
    store = str(tmp_path / "s.duckdb")
    first = save("risk", SCENARIO, TEXT, {"p_target": 0.1}, None, 1, 0.2, store)
    second = save(
        "risk", SCENARIO, TEXT.replace("900000", "800000"), {"p_target": 0.3}, None, 1, 0.2, store
    )
    listed = runner.invoke(app, ["runs", "list", "--store", store])
    assert listed.exit_code == 0 and first[:12] in listed.output
    shown = runner.invoke(app, ["runs", "show", first, "--store", store])
    assert shown.exit_code == 0 and json.loads(shown.output.split("\n(scenario")[0])["id"] == first
    diff = runner.invoke(app, ["runs", "diff", first, second, "--store", store])
    assert diff.exit_code == 0 and "800000" in diff.output and "p_target" in diff.output
    out = tmp_path / "x.json"
    exported = runner.invoke(app, ["runs", "export", first, "-o", str(out), "--store", store])
    assert exported.exit_code == 0 and json.loads(out.read_text())["id"] == first
    missing = runner.invoke(app, ["runs", "show", "nope", "--store", store])
    assert missing.exit_code == 2 and "no run 'nope'" in missing.output
    empty = runner.invoke(app, ["runs", "list", "--store", str(tmp_path / "none.duckdb")])
    assert empty.exit_code == 2 and "no run store yet" in empty.output


def test_an_export_stays_in_this_folder_whatever_the_id(tmp_path, monkeypatch):
    from evlaunch import store as store_module

    path = tmp_path / "runs.duckdb"
    scenario, text = load_scenario()
    run_id = store_module.save("risk", scenario, text, {"p_target": 0.1}, None, 0, 1.0, path)
    with duckdb.connect(str(path)) as con:  # a crafted id, as a store from elsewhere may hold
        con.execute("UPDATE runs SET id = '../../escaped' WHERE id = ?", [run_id])
    work = tmp_path / "work" / "here"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    result = CliRunner().invoke(app, ["runs", "export", "../../escaped", "--store", str(path)])
    assert result.exit_code == 0, result.output
    assert (work / "______escaped.json").exists() and not (tmp_path / "escaped.json").exists()
