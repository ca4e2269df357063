"""Writing output files atomically: a reader sees the old file or the new one, never half.

A regular file is written to a temporary file beside it, ``.NAME.PID.RANDOM.tmp``, then
renamed over it. A failure (a full disk, a file-size limit, an interrupt) removes the
temporary and leaves the old file as it was; a process killed outright (kill -9) leaves its
temporary behind, and the next write to the same path removes it (its process being gone).
"""

import json
import math
import os
import shutil
import stat
import tempfile
import threading
from pathlib import Path

from .errors import UserError

_UMASK_LOCK = threading.Lock()
_NOT_REGULAR = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def write_text_atomic(path: str | Path, text: str, regular_only: bool = False) -> Path:
    """Write ``text`` to ``path`` through a temporary file in the same folder, then rename."""
    return write_bytes_atomic(path, text.encode("utf-8"), regular_only)


def _umask() -> int:
    with _UMASK_LOCK:  # reading the umask means setting it: keep other threads out meanwhile
        mask = os.umask(0o022)
        os.umask(mask)
    return mask


def _kind(path: Path) -> str | None:
    """What ``path`` is when it is not a regular file (following links); None otherwise."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None
    return next((name for test, name in _NOT_REGULAR if test(mode)), None)


def output_target(path: str | Path, regular_only: bool = False) -> Path:
    """The file that writing ``path`` replaces: the path itself, or the file a symbolic link
    points to. A directory is refused; with ``regular_only`` (an output that must be a file:
    ``-o`` of report, sweep, runs export) a FIFO, device or socket is refused too."""
    path = Path(path)
    kind = _kind(path)
    if kind == "a directory" or (kind and regular_only):
        raise UserError(f"{path}: is {kind}, not a regular file; give a file name to write")
    target = path.resolve() if path.is_symlink() else path
    folder = target.parent if str(target.parent) else Path(".")
    if kind is None and not folder.is_dir():
        raise UserError(f"{path}: the folder {folder} does not exist")
    return target


class Staged:
    """Data written to a temporary file beside its target, waiting to be renamed over it."""

    def __init__(self, path: Path, target: Path, data: bytes) -> None:
        self.path, self.target = path, target
        folder = target.parent if str(target.parent) else Path(".")
        remove_stale_temporaries(folder, target.name)
        mode = stat.S_IMODE(target.stat().st_mode) if target.exists() else 0o666 & ~_umask()
        try:
            fd, tmp = tempfile.mkstemp(
                dir=folder, prefix=f".{target.name}.{os.getpid()}.", suffix=".tmp"
            )
        except OSError as exc:
            raise _cannot(path, exc) from None
        self.tmp = Path(tmp)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.chmod(tmp, mode)
        except OSError as exc:
            self.discard()
            raise _cannot(path, exc) from None
        except BaseException:
            self.discard()
            raise

    def commit(self) -> None:
        try:
            os.replace(self.tmp, self.target)
        except OSError as exc:
            self.discard()
            raise _cannot(self.path, exc) from None
        except BaseException:
            self.discard()
            raise

    def discard(self) -> None:
        self.tmp.unlink(missing_ok=True)


def _cannot(path: Path, exc: OSError) -> UserError:
    return UserError(
        f"{path}: cannot be written ({exc.strerror or exc}); a file already there is unchanged"
    )


def write_bytes_atomic(path: str | Path, data: bytes, regular_only: bool = False) -> Path:
    """Write ``data`` to ``path``.

    A regular file (or a new one) is written through a temporary file in the same folder
    and renamed over it, so a reader sees the old file or the new one, never half; it keeps
    the old file's permissions, and a new one gets the usual ones (0666 less the umask). A
    symbolic link stays a link: the file it points to is written so. A pipe or a device
    (``/dev/stdout``) is written to directly, as it cannot be replaced; with ``regular_only``
    it is refused instead, as is a socket. A directory is always refused.
    """
    path = Path(path)
    target = output_target(path, regular_only)
    if _kind(path) is not None:  # a pipe or a device: written through, by the name given
        # (/dev/stdout links to a pipe that has no path of its own: "pipe:[1234]")
        try:
            with open(path, "wb") as handle:
                handle.write(data)
        except OSError as exc:
            raise UserError(f"{path}: cannot be written ({exc.strerror})") from None
        return path
    Staged(path, target, data).commit()
    return path


def write_files_atomic(files: dict[Path, bytes]) -> None:
    """Write several regular files: every one to its temporary first, then all renamed in
    order (put the main file last), so a failure writing any leaves every old file as it
    was and no temporary behind."""
    staged: list[Staged] = []
    try:
        for path, data in files.items():
            staged.append(Staged(Path(path), output_target(path, regular_only=True), data))
    except BaseException:
        for s in staged:
            s.discard()
        raise
    for i, s in enumerate(staged):
        try:
            s.commit()
        except BaseException:
            for rest in staged[i + 1 :]:
                rest.discard()
            raise


def remove_stale_temporaries(folder: Path, name: str) -> None:
    """Remove temporaries of ``name`` left in ``folder`` by processes that no longer run
    (killed before they could clean up); a running writer's are kept."""
    prefix = f".{name}."
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        if not (entry.name.startswith(prefix) and entry.name.endswith(".tmp")):
            continue
        parts = entry.name[len(prefix) : -len(".tmp")].split(".")
        # exactly PID.RANDOM: a longer name is the temporary of another file (NAME.x)
        if len(parts) == 2 and parts[0].isdigit() and not _running(int(parts[0])):
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path, ignore_errors=True)
            else:
                Path(entry.path).unlink(missing_ok=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def _finite_or_none(value):
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite_or_none(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite_or_none(v) for v in value]
    return value


def json_bytes(data) -> bytes:
    """``data`` as JSON text (nan and infinity as null, which JSON lacks)."""
    return (json.dumps(_finite_or_none(data), indent=2, allow_nan=False) + "\n").encode()


def write_json_atomic(path: str | Path, data, regular_only: bool = False) -> Path:
    """Write ``data`` as JSON (nan and infinity as null, which JSON lacks) atomically."""
    return write_bytes_atomic(path, json_bytes(data), regular_only)
