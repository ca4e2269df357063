"""Writing output files atomically: a reader sees the old file or the new one, never half."""

import json
import math
import os
import stat
import tempfile
import threading
from pathlib import Path

from .errors import UserError

_UMASK_LOCK = threading.Lock()


def write_text_atomic(path: str | Path, text: str) -> Path:
    """Write ``text`` to ``path`` through a temporary file in the same folder, then rename."""
    return write_bytes_atomic(path, text.encode("utf-8"))


def _umask() -> int:
    with _UMASK_LOCK:  # reading the umask means setting it: keep other threads out meanwhile
        mask = os.umask(0o022)
        os.umask(mask)
    return mask


def write_bytes_atomic(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path``.

    A regular file (or a new one) is written through a temporary file in the same folder
    and renamed over it, so a reader sees the old file or the new one, never half; it keeps
    the old file's permissions, and a new one gets the usual ones (0666 less the umask). A
    symbolic link stays a link: the file it points to is written so. A pipe or a device
    (``/dev/stdout``) is written to directly, as it cannot be replaced.
    """
    path = Path(path)
    if path.is_dir():
        raise UserError(f"{path}: is a directory; give a file name to write")
    target = path.resolve() if path.is_symlink() else path
    if target.exists() and not target.is_file():
        try:
            with open(target, "wb") as handle:
                handle.write(data)
        except OSError as exc:
            raise UserError(f"{path}: cannot be written ({exc.strerror})") from None
        return path
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise UserError(f"{path}: the folder {folder} does not exist")
    mode = stat.S_IMODE(target.stat().st_mode) if target.exists() else 0o666 & ~_umask()
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:
        raise UserError(f"{path}: cannot be written ({exc.strerror})") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise UserError(f"{path}: cannot be written ({exc.strerror})") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _finite_or_none(value):
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite_or_none(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite_or_none(v) for v in value]
    return value


def write_json_atomic(path: str | Path, data) -> Path:
    """Write ``data`` as JSON (nan and infinity as null, which JSON lacks) atomically."""
    text = json.dumps(_finite_or_none(data), indent=2, allow_nan=False)
    return write_text_atomic(path, text + "\n")
