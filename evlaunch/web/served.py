"""The scenarios a server serves: the files given to `evlaunch serve`, or the bundled one.

Each file is reachable by a name derived from its file name (``my-plan.yaml`` -> ``my-plan``,
made unique with ``-2``, ``-3``, ...). A file is re-read when its modification time or size
changes, on the next request that asks for it, and validated again: a file that has become
invalid answers with its problems (a UserError, so a 422), never with the last good version.
No request ever names a path: a request names a scenario, and only these paths are read.
"""

import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import UserError
from ..scenario.load import load_scenario
from ..scenario.schema import Scenario
from .messages import excerpt

BUNDLED_NAME = "xiaomi-2021"
MAX_NAME_CHARS = 60  # a served scenario's name, as it appears in URLs and the dashboard


def served_name(path: Path, taken: set[str]) -> str:
    """A short URL-safe name from the file name, unique among ``taken``."""
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "-", path.stem).strip("-.")[:MAX_NAME_CHARS] or "scenario"
    name, n = stem, 2
    while name in taken:
        name, n = f"{stem}-{n}", n + 1
    return name


@dataclass
class ServedFile:
    """One scenario file, loaded again whenever it changes on disk."""

    name: str
    path: Path | None  # None: the bundled scenario, which never changes
    _seen: tuple | None = None  # (mtime_ns, size) of the version loaded
    _loaded: tuple[Scenario, str] | None = None
    _error: UserError | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _stamp(self) -> tuple | None:
        try:
            stat = self.path.stat()
        except OSError:
            return None  # gone or unreadable: loading it says so in the usual words
        return (stat.st_mtime_ns, stat.st_size)

    def current(self) -> tuple[Scenario, str]:
        """The scenario and its text as the file is now; raises its problems if invalid."""
        with self._lock:  # requests run in a thread pool: one reload at a time
            if self.path is None:
                if self._loaded is None:
                    self._loaded = load_scenario()
                return self._loaded
            stamp = self._stamp()
            if stamp is None or stamp != self._seen:
                self._seen, self._loaded, self._error = stamp, None, None
                try:
                    self._loaded = load_scenario(self.path)
                except UserError as exc:
                    self._error = exc
            if self._error is not None:
                raise self._error
            return self._loaded


class Catalog:
    """The served scenarios by name, in the order given; the first is the default."""

    def __init__(self, paths: list[Path] | None = None):
        self.files: dict[str, ServedFile] = {}
        for path in paths or []:
            name = served_name(path, set(self.files))
            self.files[name] = ServedFile(name, path)
        if not self.files:
            self.files[BUNDLED_NAME] = ServedFile(BUNDLED_NAME, None)

    def check(self) -> None:
        """Load every file now (at start): the first invalid one raises its problems."""
        for served in self.files.values():
            served.current()

    @property
    def default(self) -> str:
        return next(iter(self.files))

    def get(self, name: str | None) -> tuple[Scenario, str]:
        """The named scenario (default: the first), as its file is now."""
        name = self.default if name is None else name
        served = self.files.get(name)
        if served is None:
            raise UserError(
                f"scenario_name {excerpt(name)}: no such served scenario; served: "
                f"{', '.join(self.files)}"
            )
        return served.current()

    def listing(self) -> list[dict]:
        """Each served scenario's name, file name and state (valid or its problems)."""
        rows = []
        for name, served in self.files.items():
            row = {"name": name, "file": served.path.name if served.path else None}
            try:
                scenario, _ = served.current()
                row |= {"valid": True, "scenario": scenario.name, "problems": []}
            except UserError as exc:
                row |= {"valid": False, "scenario": None, "problems": exc.problems}
            rows.append(row)
        return rows
