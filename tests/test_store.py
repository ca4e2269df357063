import json
import multiprocessing
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

import evlaunch
from evlaunch.cli import app
from evlaunch.errors import UserError
from evlaunch.scenario.load import load_scenario
from evlaunch.store import connect, get_run, list_runs, save

SCENARIO, TEXT = load_scenario()
ROOT = Path(evlaunch.__file__).parent.parent


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


def test_a_foreign_database_is_refused_by_name_and_left_alone(tmp_path):
    path = tmp_path / "runs.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE TABLE meta (key VARCHAR, value VARCHAR)")
        con.execute("INSERT INTO meta VALUES ('schema_version', '1')")
        con.execute("CREATE TABLE runs (a INTEGER, b VARCHAR)")
        con.execute("INSERT INTO runs VALUES (1, 'theirs')")
    expected = "its table runs has columns (a, b), not evlaunch's (id, created, kind"
    with pytest.raises(UserError, match=expected.replace("(", r"\(").replace(")", r"\)")):
        list_runs(path)
    with pytest.raises(UserError, match="use another --store"):
        save("run", SCENARIO, TEXT, {}, None, 0, 0.0, path)
    for args in (["runs", "list"], ["run"]):
        result = CliRunner().invoke(app, [*args, "--store", str(path)])
        assert result.exit_code == 2 and "runs.duckdb: its table runs" in result.output
        assert "Traceback" not in result.output and "Binder" not in result.output
    with duckdb.connect(str(path), read_only=True) as con:  # untouched
        assert con.execute("SELECT * FROM runs").fetchall() == [(1, "theirs")]
        tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        assert tables == {"meta", "runs"}
    other = tmp_path / "other.duckdb"
    with duckdb.connect(str(other)) as con:
        con.execute("CREATE TABLE sales (x INTEGER)")
    with pytest.raises(UserError, match="other.duckdb: not an evlaunch run store: it has no table"):
        save("run", SCENARIO, TEXT, {}, None, 0, 0.0, other)


def test_a_sweep_point_is_unique_in_the_database_itself(tmp_path):
    path = tmp_path / "s.duckdb"
    first = save("sweep-point", SCENARIO, TEXT, {"p": 1}, None, 0, 0.0, path, "sweep-x", 3)
    assert first is not None
    # the same point again, as a second sweep of the grid would store it: nothing happens
    assert save("sweep-point", SCENARIO, TEXT, {"p": 2}, None, 0, 0.0, path, "sweep-x", 3) is None
    with duckdb.connect(str(path)) as con:
        rows = con.execute("SELECT id, summary FROM runs WHERE sweep = 'sweep-x'").fetchall()
        assert rows == [(first, '{"p": 1}')]
        # the constraint is the database's: a plain INSERT of the point is refused by DuckDB
        with pytest.raises(duckdb.ConstraintException, match="sweep-x"):
            con.execute(
                "INSERT INTO runs (id, created, kind, version, sweep, point) "
                "VALUES ('other', now(), 'sweep-point', 'x', 'sweep-x', 3)"
            )
    # runs outside a sweep (sweep and point NULL) never conflict with each other
    assert save("run", SCENARIO, TEXT, {}, None, 0, 0.0, path) != save(
        "run", SCENARIO, TEXT, {}, None, 0, 0.0, path
    )


def _schema_1_store(path, rows):
    """A store as evlaunch wrote it before points were unique: no index on (sweep, point)."""
    from evlaunch.store import _SCHEMA

    with duckdb.connect(str(path)) as con:
        con.execute(_SCHEMA)
        con.execute("INSERT INTO meta VALUES ('schema_version', '1')")
        for run_id, minute, sweep, point in rows:
            con.execute(
                "INSERT INTO runs (id, created, kind, version, summary, sweep, point) VALUES "
                "(?, TIMESTAMP '2025-01-01 10:00:00' + to_minutes(?), 'sweep-point', '0', "
                "'{\"point\": {}}', ?, ?)",
                [run_id, minute, sweep, point],
            )


def test_a_schema_1_store_is_migrated_keeping_the_earliest_of_each_point(tmp_path):
    path = tmp_path / "old.duckdb"
    rows = [("a", 2, "s", 0), ("b", 1, "s", 0), ("c", 3, "s", 1), ("d", 4, "t", 0)]
    _schema_1_store(path, rows + [("e", 5, None, None), ("f", 6, None, None)])
    with connect(path, read_only=True) as con:  # read, not migrated
        assert con.execute("SELECT count(*) FROM runs").fetchone()[0] == 6
    with connect(path) as con:  # the first write-open migrates
        kept = con.execute("SELECT id FROM runs ORDER BY id").fetchall()
        version = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        index = con.execute("SELECT is_unique FROM duckdb_indexes() WHERE table_name = 'runs'")
        assert index.fetchall() == [(True,)]
    assert [k[0] for k in kept] == ["b", "c", "d", "e", "f"] and version == ("2",)
    assert save("sweep-point", SCENARIO, TEXT, {}, None, 0, 0.0, path, "s", 0) is None


def _read_only_cli(folder, args):
    """The CLI with ``folder`` read-only: by file modes, or, as root (whom modes do not stop),
    on a read-only bind mount of it in a private mount namespace."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "evlaunch.cli", *args]
    if os.geteuid() != 0:
        for p in folder.iterdir():
            p.chmod(0o444)
        folder.chmod(0o555)
        try:
            return subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)
        finally:
            folder.chmod(0o755)
    if not shutil.which("unshare"):
        pytest.skip("root without unshare: cannot make a read-only store")
    script = 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && shift && exec "$@"'
    wrapped = ["unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh"]
    result = subprocess.run(
        [*wrapped, str(folder), *command], capture_output=True, text=True, env=env, timeout=300
    )
    if "mount" in result.stderr and "evlaunch" not in result.stderr:
        pytest.skip(f"no read-only bind mount here: {result.stderr.strip()}")
    return result


def test_a_read_only_store_is_a_clear_error_and_loses_nothing(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    path = folder / "runs.duckdb"
    first = save("run", SCENARIO, TEXT, {"p_target": 0.5}, None, 0, 0.0, path)
    before = path.read_bytes()
    stored = _read_only_cli(folder, ["run", "--store", str(path)])
    assert stored.returncode == 2, stored.stderr
    assert "runs.duckdb: the run store cannot be written" in stored.stderr
    assert "Traceback" not in stored.stderr
    listed = _read_only_cli(folder, ["runs", "list", "--store", str(path)])
    assert listed.returncode == 0 and first[:12] in listed.stdout  # reading still works
    assert path.read_bytes() == before and [r["id"] for r in list_runs(path)] == [first]
