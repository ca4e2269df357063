"""The run store: every run, risk, plan and nowcast remembered in an embedded DuckDB file.

Default ``./.evlaunch/runs.duckdb``; ``--store PATH`` or the ``EVLAUNCH_STORE`` environment
variable choose another. Each run is one row written in one transaction, so a process killed
mid-write leaves the earlier runs intact; DuckDB lets one process write at a time, so a
writer that finds the file locked waits and retries rather than fail.

An existing file is checked before use: a DuckDB database whose tables are not evlaunch's is
refused by name, never altered. A sweep point is unique per (sweep, point) by a unique index,
so two sweeps of one grid at once, or a resumed one, store each point once: the second insert
of a point does nothing. A store of schema 1 (before that index) is migrated the first time
it is opened for writing: duplicate points (the same numbers, from the same seed) are
dropped, keeping the earliest, and the index is created.
"""

import datetime as dt
import hashlib
import json
import os
import random
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import duckdb

from . import __version__
from .errors import UserError
from .io import _finite_or_none

SCHEMA_VERSION = 2
DEFAULT = Path(".evlaunch") / "runs.duckdb"
LOCK_WAIT_S = 30.0

COLUMNS = {
    "meta": ("key", "value"),
    "runs": (
        "id",
        "created",
        "kind",
        "scenario_name",
        "scenario_hash",
        "scenario_text",
        "resolved",
        "seed",
        "version",
        "seconds",
        "summary",
        "arrays",
        "sweep",
        "point",
    ),
}

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE IF NOT EXISTS runs (
    id VARCHAR PRIMARY KEY,
    created TIMESTAMP NOT NULL,
    kind VARCHAR NOT NULL,
    scenario_name VARCHAR,
    scenario_hash VARCHAR,
    scenario_text VARCHAR,
    resolved JSON,
    seed BIGINT,
    version VARCHAR NOT NULL,
    seconds DOUBLE,
    summary JSON,
    arrays JSON,
    sweep VARCHAR,
    point INTEGER
);
"""
# NULLs are distinct in a unique index, so runs outside a sweep never conflict
_POINT_INDEX = "CREATE UNIQUE INDEX IF NOT EXISTS runs_sweep_point ON runs (sweep, point)"
_DROP_DUPLICATE_POINTS = """
DELETE FROM runs WHERE sweep IS NOT NULL AND id NOT IN (
    SELECT arg_min(id, created) FROM runs WHERE sweep IS NOT NULL GROUP BY sweep, point
)
"""
_READ_ONLY = ("permission denied", "read-only file system")


def store_path(path: str | Path | None = None) -> Path:
    return Path(path or os.environ.get("EVLAUNCH_STORE") or DEFAULT)


def _read_only_error(path: Path, reason: str) -> UserError:
    return UserError(
        f"{path}: the run store cannot be written ({reason}); nothing was stored and the "
        "store is unchanged; give --store or EVLAUNCH_STORE a writable path, or --no-save"
    )


def _open(path: Path, read_only: bool):
    """A DuckDB connection, waiting up to LOCK_WAIT_S while another process writes."""
    deadline = time.monotonic() + LOCK_WAIT_S
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as exc:
            text = str(exc).lower()
            if "not a valid duckdb database" in text:
                raise UserError(
                    f"{path}: not a run store (the file is not a DuckDB database); "
                    "give --store or EVLAUNCH_STORE a new path or an existing store"
                ) from None
            if not read_only and any(r in text for r in _READ_ONLY):
                reason = "permission denied" if "permission" in text else "read-only file system"
                raise _read_only_error(path, reason) from None
            if "lock" not in text or time.monotonic() > deadline:
                raise UserError(f"{path}: cannot be opened ({exc})") from None
            time.sleep(random.uniform(0.02, 0.1))
        except duckdb.Error as exc:
            raise UserError(f"{path}: not a run store DuckDB can read ({exc})") from None


@contextmanager
def connect(path: str | Path | None = None, read_only: bool = False):
    """A connection to the store, created on first use; waits while another process writes.
    An existing database is checked first (its tables and columns) and migrated if older."""
    path = store_path(path)
    if read_only and not path.exists():
        raise UserError(f"{path}: no run store yet; `evlaunch run` creates one")
    if not read_only:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise _read_only_error(path, f"its folder cannot be made: {exc.strerror}") from None
    con = _open(path, read_only)
    try:
        try:
            _prepare(con, path, read_only)
        except duckdb.IOException as exc:
            raise _write_error(path, exc) from None
        yield con
    finally:
        con.close()


def _write_error(path: Path, exc: Exception) -> UserError:
    text = str(exc).lower()
    for reason in (*_READ_ONLY, "file too large", "no space left"):
        if reason in text:
            return _read_only_error(path, reason)
    return UserError(f"{path}: the run store cannot be written ({exc})")


def _prepare(con, path: Path, read_only: bool) -> None:
    """Check an existing store's schema (and migrate it when writing); create a new one."""
    tables = _tables(con)
    if not tables:
        if read_only:
            raise UserError(f"{path}: not an evlaunch run store (the database has no tables)")
        con.execute(_SCHEMA)
        con.execute(_POINT_INDEX)
        con.execute(
            "INSERT INTO meta VALUES ('schema_version', ?) ON CONFLICT DO NOTHING",
            [str(SCHEMA_VERSION)],
        )
        return
    _check_table(tables, "meta", path)
    found = _check_version(con, path)
    _check_table(tables, "runs", path)
    if found < 2 and not read_only:
        _migrate_to_2(con)


def _tables(con) -> dict[str, tuple[str, ...]]:
    rows = con.execute(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_catalog = current_database() AND table_schema = 'main' "
        "ORDER BY table_name, ordinal_position"
    ).fetchall()
    tables: dict[str, tuple[str, ...]] = {}
    for table, column in rows:
        tables[table] = (*tables.get(table, ()), column)
    return tables


def _check_table(tables: dict, name: str, path: Path) -> None:
    expected = COLUMNS[name]
    if name not in tables:
        raise UserError(
            f"{path}: not an evlaunch run store: it has no table {name} (its tables: "
            f"{', '.join(sorted(tables))}); use another --store"
        )
    if tables[name] != expected:
        raise UserError(
            f"{path}: its table {name} has columns ({', '.join(tables[name])}), not "
            f"evlaunch's ({', '.join(expected)}); use another --store"
        )


def _check_version(con, path) -> int:
    row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    try:
        found = int(row[0]) if row else 0
    except (TypeError, ValueError):
        raise UserError(
            f"{path}: its schema_version is {row[0]!r}, not a number; use another --store"
        ) from None
    if found > SCHEMA_VERSION:
        raise UserError(
            f"{path}: written by a newer evlaunch (store schema {found}; this "
            f"version reads up to {SCHEMA_VERSION}); upgrade evlaunch to read it"
        )
    return found


def _migrate_to_2(con) -> None:
    """Schema 1 -> 2: one row per (sweep, point), kept so by a unique index. DuckDB checks a
    new index against rows deleted in the same transaction, hence the separate steps; each
    is idempotent, so a process killed between them leaves a store the next one finishes."""
    con.execute(_DROP_DUPLICATE_POINTS)
    con.execute(_POINT_INDEX)
    con.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', '2')")


def save(
    kind: str,
    scenario,
    scenario_text: str,
    summary: dict,
    arrays: dict | None = None,
    seed: int | None = None,
    seconds: float | None = None,
    path=None,
    sweep: str | None = None,
    point: int | None = None,
) -> str | None:
    """Store one run in one transaction; returns its id, or None for a sweep point that is
    already stored (another sweep of the same grid stored it first)."""
    created = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    run_id = f"{kind}-{created:%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:6]}"
    row = [
        run_id,
        created,
        kind,
        scenario.name,
        hashlib.sha256(scenario_text.encode()).hexdigest()[:16],
        scenario_text,
        json.dumps(scenario.model_dump(mode="json")),
        seed,
        __version__,
        seconds,
        json.dumps(_finite_or_none(summary)),
        json.dumps(_finite_or_none(arrays or {})),
        sweep,
        point,
    ]
    with connect(path) as con:
        try:
            con.execute("BEGIN TRANSACTION")
            stored = con.execute(
                "INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (sweep, point) DO NOTHING RETURNING id",
                row,
            ).fetchall()
            con.execute("COMMIT")
        except duckdb.IOException as exc:
            raise _write_error(store_path(path), exc) from None
    return run_id if stored else None


# What each kind of result keeps apart from its summary: the long arrays (a report keeps
# everything there, as it renders from it; its summary is the headline)
KINDS = {
    "RunResult": ("run", ()),
    "RiskResult": (
        "risk",
        (
            "fan_months",
            "fan_monthly_deliveries",
            "fan_cumulative_deliveries",
            "window_log_edges",
            "window_log_counts",
        ),
    ),
    "ProductionPlan": (
        "plan",
        (
            "months",
            "orders",
            "production",
            "deliveries",
            "backlog",
            "stock",
            "orders_by_model",
            "production_by_model",
            "deliveries_by_model",
            "backlog_by_model",
        ),
    ),
    "Nowcast": ("nowcast", ("fan_months", "fan_cumulative", "outside_fan_cumulative")),
    "ReportResults": ("report", None),
}


def save_result(
    result,
    scenario,
    scenario_text: str,
    seed: int | None = None,
    seconds: float | None = None,
    path=None,
    extra: dict | None = None,
) -> str:
    """Store a typed result (a run, Monte Carlo, plan, nowcast or report) as its kind of run,
    its long arrays apart from its summary; ``extra`` joins the summary. Returns the id."""
    kind, apart = KINDS[type(result).__name__]
    data = result.to_dict()
    if apart is None:
        arrays, summary = data, {"p_target": result.risk.p_target, "paths": result.paths}
    else:
        arrays = {k: data.pop(k) for k in apart}
        summary = data
    return save(kind, scenario, scenario_text, summary | (extra or {}), arrays, seed, seconds, path)


def list_runs(path=None, limit: int = 50) -> list[dict]:
    with connect(path, read_only=True) as con:
        rows = con.execute(
            "SELECT id, created, kind, scenario_name, seed, version, seconds, summary "
            "FROM runs WHERE sweep IS NULL ORDER BY created DESC LIMIT ?",
            [limit],
        ).fetchall()
    cols = ("id", "created", "kind", "scenario", "seed", "version", "seconds", "summary")
    return [dict(zip(cols, r, strict=True)) | {"summary": json.loads(r[7] or "{}")} for r in rows]


def get_run(run_id: str, path=None) -> dict:
    with connect(path, read_only=True) as con:
        cur = con.execute("SELECT * FROM runs WHERE id = ?", [run_id])
        row = cur.fetchone()
        names = [d[0] for d in cur.description]
    if row is None:
        raise UserError(f"no run {run_id!r} in {store_path(path)}; `evlaunch runs list` shows them")
    run = dict(zip(names, row, strict=True))
    for key in ("resolved", "summary", "arrays"):
        run[key] = json.loads(run[key]) if run[key] else None
    run["created"] = run["created"].isoformat()
    return run
