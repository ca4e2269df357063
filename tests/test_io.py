"""Output files: written whole or not at all, with the usual permissions, and never in place
of a link, a pipe or a device."""

import os
import stat
import threading

import pytest

from evlaunch.errors import UserError
from evlaunch.io import write_json_atomic, write_text_atomic


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
