"""The run store: every run, risk, plan and nowcast remembered in an embedded DuckDB file.

Default ``./.evlaunch/runs.duckdb``; ``--store PATH`` or the ``EVLAUNCH_STORE`` environment
variable choose another. Each run is one row written in one transaction, so a process killed
mid-write leaves the earlier runs intact; DuckDB lets one process write at a time, so a
writer that finds the file locked waits and retries rather than fail.
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

SCHEMA_VERSION = 1
DEFAULT = Path(".evlaunch") / "runs.duckdb"
LOCK_WAIT_S = 30.0

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


def store_path(path: str | Path | None = None) -> Path:
    return Path(path or os.environ.get("EVLAUNCH_STORE") or DEFAULT)


@contextmanager
def connect(path: str | Path | None = None, read_only: bool = False):
    """A connection to the store, created on first use; waits while another process writes."""
    path = store_path(path)
    if read_only and not path.exists():
        raise UserError(f"{path}: no run store yet; `evlaunch run` creates one")
    path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + LOCK_WAIT_S
    while True:
        try:
            con = duckdb.connect(str(path), read_only=read_only)
            break
        except duckdb.IOException as exc:
            text = str(exc).lower()
            if "not a valid duckdb database" in text:
                raise UserError(
                    f"{path}: not a run store (the file is not a DuckDB database); "
                    "give --store or EVLAUNCH_STORE a new path or an existing store"
                ) from None
            if "lock" not in text or time.monotonic() > deadline:
                raise UserError(f"{path}: cannot be opened ({exc})") from None
            time.sleep(random.uniform(0.02, 0.1))
        except duckdb.Error as exc:
            raise UserError(f"{path}: not a run store DuckDB can read ({exc})") from None
    try:
        if not read_only:
            con.execute(_SCHEMA)
            con.execute(
                "INSERT INTO meta VALUES ('schema_version', ?) ON CONFLICT DO NOTHING",
                [str(SCHEMA_VERSION)],
            )
        _check_version(con, path)
        yield con
    finally:
        con.close()


def _check_version(con, path) -> None:
    try:
        row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    except duckdb.CatalogException:
        raise UserError(f"{path}: not an evlaunch run store (no meta table)") from None
    found = int(row[0]) if row else 0
    if found > SCHEMA_VERSION:
        raise UserError(
            f"{path}: written by a newer evlaunch (store schema {found}; this "
            f"version reads up to {SCHEMA_VERSION}); upgrade evlaunch to read it"
        )


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
) -> str:
    """Store one run in one transaction; returns its id."""
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
        con.execute("BEGIN TRANSACTION")
        con.execute("INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", row)
        con.execute("COMMIT")
    return run_id


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
        ("months", "orders", "production", "deliveries", "backlog", "stock"),
    ),
    "Nowcast": ("nowcast", ("fan_months", "fan_cumulative")),
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
