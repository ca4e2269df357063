"""Output files: written whole or not at all, with the usual permissions, and never in place
of a link, a pipe or a device."""

import errno
import json
import os
import resource
import signal
import socket
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

import evlaunch
from evlaunch import io as io_module
from evlaunch.cli import app
from evlaunch.errors import UserError
from evlaunch.io import write_files_atomic, write_json_atomic, write_text_atomic
from evlaunch.store import list_runs


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_a_new_file_gets_the_usual_permissions(tmp_path):
    old = os.umask(0o022)
    try:
        write_text_atomic(tmp_path / "report.html", "<p>hi</p>")
        assert _mode(tmp_path / "report.html") == 0o644  # readable by a web server, a colleague
        os.umask(0o077)
        write_text_atomic(tmp_path / "private.json", "{}")
        assert _mode(tmp_path / "private.json") == 0o600
    finally:
        os.umask(old)
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_a_replaced_file_keeps_its_permissions(tmp_path):
    target = tmp_path / "result.json"
    target.write_text("old")
    target.chmod(0o640)
    write_json_atomic(target, {"p_target": 0.5})
    assert _mode(target) == 0o640 and '"p_target": 0.5' in target.read_text()


def test_a_link_stays_a_link(tmp_path):
    real = tmp_path / "real.json"
    real.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    write_text_atomic(link, "new")
    assert link.is_symlink() and real.read_text() == "new"


def test_a_pipe_is_written_to_not_replaced(tmp_path):
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_text()))
    reader.start()
    write_text_atomic(fifo, "through the pipe")
    reader.join(timeout=10)
    assert got == ["through the pipe"] and stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_a_folder_or_a_missing_folder_is_refused(tmp_path):
    with pytest.raises(UserError, match="is a directory"):
        write_text_atomic(tmp_path, "x")
    with pytest.raises(UserError, match="does not exist"):
        write_text_atomic(tmp_path / "nope" / "x.json", "x")


def test_an_output_that_must_be_a_file_refuses_pipes_devices_sockets_and_folders(tmp_path):
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    device = tmp_path / "null.json"
    device.symlink_to("/dev/null")  # a device-like path: a link to a character device
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(tmp_path / "s.sock"))
    try:
        cases = [
            (fifo, r"a FIFO \(named pipe\)"),
            (device, "a character device"),
            (tmp_path / "s.sock", "a socket"),
            (tmp_path, "a directory"),
        ]
        for path, kind in cases:
            with pytest.raises(UserError, match=f"is {kind}, not a regular file"):
                write_json_atomic(path, {"x": 1}, regular_only=True)
    finally:
        sock.close()
    assert stat.S_ISFIFO(os.stat(fifo).st_mode) and device.is_symlink()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_a_failed_rename_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    target = tmp_path / "result.json"
    target.write_text("old")

    def fail(src, dst):
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(UserError, match="result.json: cannot be written .*unchanged"):
        write_json_atomic(target, {"new": True})
    assert target.read_text() == "old" and sorted(p.name for p in tmp_path.iterdir()) == [
        "result.json"
    ]


def test_several_files_are_all_renamed_or_none(tmp_path, monkeypatch):
    files = {tmp_path / n: n.encode() for n in ("a.csv", "b.csv", "main.html")}
    for path in files:
        path.write_text("old")
    real = io_module.Staged.__init__
    calls = []

    def fail_third(self, path, target, data):
        calls.append(path)
        if len(calls) == 3:
            raise UserError(f"{path}: cannot be written (File too large)")
        real(self, path, target, data)

    monkeypatch.setattr(io_module.Staged, "__init__", fail_third)
    with pytest.raises(UserError, match="File too large"):
        write_files_atomic(files)
    assert [p.read_text() for p in files] == ["old"] * 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "b.csv", "main.html"]


def test_a_dead_writers_temporary_is_removed_by_the_next_write(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = tmp_path / f".r.json.{dead.pid}.abc123.tmp"
    stale.write_text("half")
    alive = tmp_path / f".r.json.{os.getpid()}.def456.tmp"  # a writer still at work
    alive.write_text("busy")
    other = tmp_path / f".r.json.x.{dead.pid}.ghi789.tmp"  # another file's (r.json.x)
    other.write_text("theirs")
    write_text_atomic(tmp_path / "r.json", "{}")
    assert not stale.exists() and alive.exists() and other.exists()


# --- the report's outputs under faults: a kill -9 mid-write, a full disk, a failed rename ---

ROOT = Path(evlaunch.__file__).parent.parent
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
# Runs the CLI with one step of the write held (the process prints the step, then sleeps), so
# the test can kill -9 it exactly there: half-way through writing a temporary, with every
# temporary written but none renamed, or between two renames.
HARNESS = r"""
import os, sys, time
moment = sys.argv.pop(1)
real_replace, real_fdopen = os.replace, os.fdopen
def hold():
    print(moment, flush=True)
    time.sleep(300)
class Half:
    def __init__(self, handle): self.handle = handle
    def __enter__(self): return self
    def __exit__(self, *exc): return self.handle.__exit__(*exc)
    def write(self, data):
        self.handle.write(data[: len(data) // 2]); self.handle.flush(); hold()
def fdopen(fd, *args, **kwargs):
    handle = real_fdopen(fd, *args, **kwargs)
    return Half(handle) if os.readlink(f"/proc/self/fd/{fd}").endswith(".tmp") else handle
renames = []
def replace(src, dst):
    renames.append(dst)
    if moment == "before-rename" or len(renames) == 2:
        hold()
    real_replace(src, dst)
if moment == "mid-write":
    os.fdopen = fdopen
else:
    os.replace = replace
from evlaunch.cli import app
sys.argv[0] = "evlaunch"
app()
"""


@pytest.fixture(scope="module")
def stored_report(tmp_path_factory):
    """A report run in a store, rendered again by `report --run` with no computation."""
    folder = tmp_path_factory.mktemp("stored")
    store = folder / "runs.duckdb"
    args = ["report", "--paths", "1000", "--store", str(store), "-o", str(folder / "a.html")]
    assert CliRunner().invoke(app, args).exit_code == 0
    (run,) = [r for r in list_runs(store) if r["kind"] == "report"]
    return store, run["id"]


def _old_report(folder):
    """An earlier report at r.html, with its data folder."""
    html, data = folder / "r.html", folder / "r_data"
    html.write_text("OLD REPORT")
    data.mkdir()
    (data / "fan.csv").write_text("OLD")
    (data / "report.json").write_text("OLD")
    return html, data


def _render(stored, html):
    store, run_id = stored
    return ["report", "--run", run_id, "--store", str(store), "-o", str(html)]


def _temporaries(folder):
    return [p for p in folder.rglob("*") if p.name.endswith(".tmp")]


@pytest.mark.parametrize("moment", ["mid-write", "before-rename", "between-renames"])
def test_a_report_killed_while_writing_leaves_every_file_old_or_whole(
    stored_report, tmp_path, moment
):
    html, data = _old_report(tmp_path)
    proc = subprocess.Popen(
        [sys.executable, "-c", HARNESS, moment, *_render(stored_report, html)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=ENV,
    )
    timer = threading.Timer(240, proc.kill)  # never hang the suite
    timer.start()
    try:
        assert proc.stdout.readline().strip() == moment, proc.stderr.read()
        assert _temporaries(tmp_path)  # caught in the act: its temporaries are there
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    finally:
        timer.cancel()
    assert html.read_text() == "OLD REPORT"  # the report itself: the old one, whole
    after_kill = {p.name: p.read_bytes() for p in data.iterdir() if not p.name.endswith(".tmp")}
    again = subprocess.run(
        [sys.executable, "-m", "evlaunch.cli", *_render(stored_report, html)],
        capture_output=True,
        text=True,
        env=ENV,
        timeout=240,
    )
    assert again.returncode == 0, again.stderr
    assert not _temporaries(tmp_path)  # the dead writer's temporaries went with the next run
    assert html.read_text().lstrip().lower().startswith("<!doctype html")
    for name, content in after_kill.items():  # each data file was the old one or a whole new
        assert content == b"OLD" or content == (data / name).read_bytes(), name


def _limited(limit_bytes):
    """A file-size limit for a child process, as a full disk would stop it: a write past it
    fails with EFBIG (SIGXFSZ ignored, else it would kill the process)."""

    def apply():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit_bytes, limit_bytes))
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)

    return apply


def test_a_full_disk_is_a_clear_error_and_the_old_files_stay(stored_report, tmp_path):
    html, data = _old_report(tmp_path)
    before = {p.name: p.read_bytes() for p in data.iterdir()}
    result = subprocess.run(
        [sys.executable, "-m", "evlaunch.cli", *_render(stored_report, html)],
        capture_output=True,
        text=True,
        env=ENV,
        timeout=240,
        preexec_fn=_limited(1_000_000),  # the report is about 5 MB
    )
    assert result.returncode == 2, result.stderr
    assert "r.html: cannot be written (File too large)" in result.stderr
    assert "Traceback" not in result.stderr
    assert html.read_text() == "OLD REPORT"
    assert {p.name: p.read_bytes() for p in data.iterdir()} == before
    assert not _temporaries(tmp_path)
    # a JSON export larger than the limit: the same
    store, run_id = stored_report
    export = tmp_path / "run.json"
    whole = CliRunner().invoke(app, ["runs", "export", run_id, "-o", str(export), "--store", store])
    assert whole.exit_code == 0
    size = export.stat().st_size
    export.write_text("OLD EXPORT")
    result = subprocess.run(
        [sys.executable, "-m", "evlaunch.cli", "runs", "export", run_id, "-o", str(export)]
        + ["--store", str(store)],
        capture_output=True,
        text=True,
        env=ENV,
        timeout=240,
        preexec_fn=_limited(size // 2),
    )
    assert result.returncode == 2 and "run.json: cannot be written (File too large)" in (
        result.stderr
    )
    assert export.read_text() == "OLD EXPORT" and not _temporaries(tmp_path)


def test_a_report_whose_data_folder_name_is_a_file_is_refused_before_writing(
    stored_report, tmp_path
):
    html = tmp_path / "r.html"
    (tmp_path / "r_data").write_text("a file of the user's")
    result = CliRunner().invoke(app, _render(stored_report, html))
    assert result.exit_code == 2 and "r_data: the report's data folder goes there" in (
        result.output
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r_data"]
    result = CliRunner().invoke(app, _render(stored_report, tmp_path))
    assert result.exit_code == 2 and "is a directory, not a regular file" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r_data"]


def test_a_report_whose_rename_fails_leaves_no_temporary(stored_report, tmp_path, monkeypatch):
    html, data = _old_report(tmp_path)
    real, renames = os.replace, []

    def fail_second(src, dst):
        renames.append(dst)
        if len(renames) == 2:
            raise OSError(errno.EIO, "Input/output error")
        real(src, dst)

    monkeypatch.setattr(os, "replace", fail_second)
    result = CliRunner().invoke(app, _render(stored_report, html))
    assert result.exit_code == 2 and "cannot be written (Input/output error)" in result.output
    assert html.read_text() == "OLD REPORT" and not _temporaries(tmp_path)
    fresh = tmp_path / "fresh.html"  # a new report whose write fails: no folder left either
    renames.clear()
    result = CliRunner().invoke(app, _render(stored_report, fresh))
    assert result.exit_code == 2 and not fresh.exists()
    assert not (tmp_path / "fresh_data").exists()


def test_json_to_a_link_a_fifo_and_a_device_does_what_the_readme_says(tmp_path):
    """README: a link stays a link (its file is replaced); a pipe or a device is written to
    directly, never replaced; no temporary is left beside any of them."""
    from typer.testing import CliRunner

    from evlaunch.cli import app

    def risk_json(path):
        args = ["risk", "--paths", "200", "--no-sensitivity", "--no-save", "--json", str(path)]
        done = CliRunner().invoke(app, args)
        assert done.exit_code == 0, done.output

    real, link = tmp_path / "real.json", tmp_path / "link.json"
    real.write_text("old")
    link.symlink_to(real)
    risk_json(link)
    assert link.is_symlink() and json.loads(real.read_text())["risk"]["paths"] == 200

    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_text()))
    reader.start()
    risk_json(fifo)
    reader.join(timeout=30)
    assert json.loads(got[0])["risk"]["paths"] == 200 and stat.S_ISFIFO(os.stat(fifo).st_mode)

    device = tmp_path / "device.json"  # a device-like path: a link to /dev/null
    device.symlink_to("/dev/null")
    risk_json(device)
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode) and device.is_symlink()
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "device.json",
        "link.json",
        "out.fifo",
        "real.json",
    ]


def test_json_to_dev_stdout_reaches_a_pipe():
    """/dev/stdout links to a pipe with no path of its own ("pipe:[N]"): written through."""
    done = subprocess.run(
        [sys.executable, "-m", "evlaunch.cli", "risk", "--paths", "200", "--no-sensitivity"]
        + ["--no-save", "--json", "/dev/stdout"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.lstrip().startswith("{") and '"risk": {' in done.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["risk", "--json", "out.xlsx"],
        ["plan", "--csv", "out.json"],
        ["run", "--xlsx", "out.csv"],
        ["risk", "--replay", "1", "--csv", "out.html"],
    ],
)
def test_an_output_whose_name_says_another_format_is_refused(tmp_path, args):
    from typer.testing import CliRunner

    from evlaunch.cli import app

    args = [str(tmp_path / a) if a.startswith("out.") else a for a in args]
    done = CliRunner().invoke(app, [*args, "--no-save"])
    assert done.exit_code == 2 and "give a name ending in" in done.output
    assert not any(tmp_path.iterdir())
