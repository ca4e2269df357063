"""Sweeps: a grid over scenario inputs, one Monte Carlo a point, on a Dask cluster.

The grid file (YAML)::

    scenario: my-plan.yaml        # optional; the bundled scenario by default
    method: cartesian             # or lhs (Latin hypercube over the ranges)
    points: 20                    # lhs only
    paths: 10000
    seed: 0                       # every point uses it: common random numbers across points
    parameters:
      market.bass_p_per_year: [0.01, 0.03, 0.1]                  # cartesian: the values
      options.Own plant phase I.capacity_per_year: [100000, 300000]   # lhs: [low, high]

A point sets each named input to a fixed number (its distribution, and any correlation it
took part in, is dropped). Results go
to the run store under the sweep's id (a hash of the grid, the scenario and the version), so
an interrupted sweep resumes with the points it has not finished; they are the same numbers a
serial run with the same seeds gives.
"""

import csv
import hashlib
import io
import itertools
import json
import math
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from scipy.stats import qmc

from . import __version__
from .errors import ArgumentError, UserError
from .io import json_bytes, output_target, write_bytes_atomic
from .risk.montecarlo import monte_carlo
from .scenario.checks import with_requirements
from .scenario.inputs import input_location, input_names
from .scenario.load import load_scenario, parse_document, parse_scenario
from .scenario.schema import Scenario
from .store import connect, save

MAX_POINTS = 10_000  # a sweep of 10,000 points x 10,000 paths is hours on a small cluster


class Grid(BaseModel):
    model_config = ConfigDict(extra="forbid")

    scenario: str | None = None
    method: str = Field("cartesian", pattern="^(cartesian|lhs)$")
    points: int = Field(16, ge=1, le=MAX_POINTS)
    paths: int = Field(10_000, ge=100, le=1_000_000)
    seed: int = Field(0, ge=0)
    parameters: dict[str, list[float]] = Field(min_length=1)


@dataclass(frozen=True)
class Sweep:
    id: str
    scenario: Scenario
    text: str
    grid: Grid
    names: list[str]
    points: np.ndarray  # (points, parameters)


def load_grid(path: str | Path) -> Sweep:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"{path}: cannot be read as text ({exc})") from None
    raw = parse_document(text, "yaml", str(path))
    if raw is not None and not isinstance(raw, dict):
        raise UserError(f"{path}: a grid is a mapping (method, paths, seed, parameters, ...)")
    try:
        grid = Grid.model_validate(raw or {})
    except ValidationError as exc:
        e = exc.errors()[0]
        raise UserError(f"{path}: {'.'.join(map(str, e['loc']))}: {e['msg']}") from None
    scenario_file = (path.parent / grid.scenario) if grid.scenario else None
    scenario, text = load_scenario(scenario_file)
    known = input_names(scenario)
    for name, values in grid.parameters.items():
        if name not in known:
            raise UserError(
                f"{path}: parameters: {name!r} is not an input of the scenario; "
                f"inputs are named like {known[0]!r} or {known[-1]!r}"
            )
        if not values or (grid.method == "lhs" and len(values) != 2):
            raise UserError(
                f"{path}: parameters.{name}: give the values for cartesian, or [low, high] for lhs"
            )
    names = list(grid.parameters)
    count = math.prod(len(v) for v in grid.parameters.values())
    if grid.method == "cartesian" and count > MAX_POINTS:
        raise UserError(
            f"{path}: parameters: the cartesian grid has {count:,} points; at most "
            f"{MAX_POINTS:,} are allowed (use method: lhs with points: N to sample a large space)"
        )
    if grid.method == "cartesian":
        points = np.array(list(itertools.product(*(grid.parameters[n] for n in names))))
    else:
        u = qmc.LatinHypercube(len(names), seed=grid.seed).random(grid.points)
        low = np.array([grid.parameters[n][0] for n in names])
        high = np.array([grid.parameters[n][1] for n in names])
        points = low + u * (high - low)
    key = json.dumps([grid.model_dump(), text, __version__], sort_keys=True)
    sweep_id = "sweep-" + hashlib.sha256(key.encode()).hexdigest()[:12]
    return Sweep(sweep_id, scenario, text, grid, names, points)


def point_scenario(scenario: Scenario, names: list[str], values) -> Scenario:
    """The scenario with each named input set to its value, validated like a file."""
    data = scenario.model_dump(mode="json")
    # a fixed input has no distribution left to correlate
    data["correlations"] = [
        c for c in data.get("correlations", []) if not set(c["between"]) & set(names)
    ]
    for name, value in zip(names, values, strict=True):
        *where, field = input_location(scenario, name)
        place = data
        for part in where:
            place = place[part]
        place[field] = float(value)
    return parse_scenario(
        json.dumps(data), "json", f"sweep point {dict(zip(names, values, strict=True))}"
    )


def run_point(scenario_json: str, paths: int, seed: int) -> dict:
    """One point's Monte Carlo (runs on a Dask worker)."""
    scenario = parse_scenario(scenario_json, "json", "sweep point")
    options = with_requirements(scenario, scenario.plan.options)
    risk = monte_carlo(scenario, options, paths, seed)
    window = scenario.target.window_months
    return {
        "p_target": risk.p_target,
        "p_target_ci95": risk.p_target_ci95,
        "median_window_deliveries": risk.deliveries_quantiles[window][3],
        "npv_cny_mean": risk.npv_cny_mean,
        "seconds": risk.seconds,
    }


def finished(sweep: Sweep, store=None) -> set[int]:
    """The points of ``sweep`` already in the store (a store that is not one is refused)."""
    with connect(store) as con:
        rows = con.execute("SELECT point FROM runs WHERE sweep = ?", [sweep.id]).fetchall()
    return {r[0] for r in rows}


def run_sweep(sweep: Sweep, client=None, store=None, on_progress=None, stop_after=None) -> int:
    """Run the points not yet in the store, on ``client`` (dask.distributed) or serially.
    Returns how many points were run now. ``stop_after`` stops after that many (tests)."""
    todo = [i for i in range(len(sweep.points)) if i not in finished(sweep, store)]
    if stop_after is not None:
        todo = todo[:stop_after]
    scenarios = {i: point_scenario(sweep.scenario, sweep.names, sweep.points[i]) for i in todo}
    done = len(sweep.points) - len(todo)
    g = sweep.grid

    def remember(i, summary):
        nonlocal done
        values = dict(zip(sweep.names, sweep.points[i].tolist(), strict=True))
        # None when another sweep of the grid stored the point first: the store keeps one
        save(
            "sweep-point",
            scenarios[i],
            sweep.text,
            {**summary, "point": values},
            None,
            g.seed,
            summary["seconds"],
            store,
            sweep=sweep.id,
            point=i,
        )
        done += 1
        if on_progress:
            on_progress(done, len(sweep.points))

    if client is None:
        for i in todo:
            remember(i, run_point(scenarios[i].model_dump_json(), g.paths, g.seed))
        return len(todo)
    from distributed import as_completed

    futures = {
        client.submit(run_point, scenarios[i].model_dump_json(), g.paths, g.seed, pure=False): i
        for i in todo
    }
    for future in as_completed(futures):
        remember(futures[future], future.result())
    return len(todo)


def run_sweep_on(
    sweep: Sweep,
    scheduler: str | None = None,
    workers: int = 2,
    serial: bool = False,
    store=None,
    on_progress=None,
) -> int:
    """``run_sweep`` on the Dask scheduler at ``scheduler`` (e.g. tcp://HOST:8786), or on a
    LocalCluster of ``workers`` processes on loopback, or in this process if ``serial``."""
    if not 1 <= workers <= 64:
        raise ArgumentError("workers", workers, "must be from 1 to 64")
    if serial:
        return run_sweep(sweep, None, store, on_progress)
    from distributed import Client, LocalCluster

    cluster = None
    if scheduler:
        client = Client(scheduler, timeout=10)
    else:
        # each point's simulator is already parallel: share the cores, don't oversubscribe
        threads = str(max(1, (os.cpu_count() or 1) // workers))
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            host="127.0.0.1",
            env={"NUMBA_NUM_THREADS": threads},
        )
        client = Client(cluster)
    try:
        return run_sweep(sweep, client, store, on_progress)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def results(sweep: Sweep, store=None) -> list[dict]:
    """The finished points, one row each, in point order."""
    with connect(store, read_only=True) as con:
        # one row a point even in a schema-1 store read before its migration
        rows = con.execute(
            "SELECT point, summary FROM runs WHERE sweep = ? "
            "QUALIFY row_number() OVER (PARTITION BY point ORDER BY created, id) = 1 "
            "ORDER BY point",
            [sweep.id],
        ).fetchall()
    out = []
    for point, summary in rows:
        s = json.loads(summary)
        out.append(
            {
                "point": point,
                **s.pop("point"),
                **{k: v for k, v in s.items() if not isinstance(v, list)},
            }
        )
    return out


TABLE_FORMATS = {".csv": "CSV", ".json": "JSON", ".parquet": "Parquet", ".xlsx": "Excel"}


def check_table_path(target: Path) -> None:
    """Refuse, before a sweep runs, a results path whose extension names no format we write
    or that is a folder, FIFO, device or socket rather than a file."""
    output_target(target, regular_only=True)
    if target.suffix.lower() not in TABLE_FORMATS:
        allowed = ", ".join(f"{k} ({v})" for k, v in TABLE_FORMATS.items())
        raise UserError(
            f"{target}: the extension {target.suffix or '(none)'!r} names no results format; "
            f"give one of {allowed}"
        )


def write_table(sweep: Sweep, target: Path, store=None) -> Path:
    """The sweep's results, one row a point, in the format the extension names (see
    TABLE_FORMATS), written to a temporary file and renamed."""
    target = Path(target)
    check_table_path(target)
    rows = results(sweep, store)
    if not rows:
        raise UserError("the sweep has no finished points yet")
    columns = list(rows[0])
    table = [[float(r[c]) for c in columns] for r in rows]
    suffix = target.suffix.lower()
    if suffix == ".json":
        data = json_bytes([dict(zip(columns, r, strict=True)) for r in table])
    elif suffix == ".xlsx":
        data = _xlsx(sweep, columns, table)
    elif suffix == ".parquet":
        data = _parquet(columns, table)
    else:
        text = io.StringIO()
        csv.writer(text, lineterminator="\n").writerows([columns, *table])
        data = text.getvalue().encode()
    write_bytes_atomic(target, data, regular_only=True)
    return target


def _xlsx(sweep: Sweep, columns: list[str], table: list[list[float]]) -> bytes:
    from .report.xlsx_tables import Book, Table

    def fmt(i: int, name: str) -> str:
        if name == "point":
            return "integer"
        if name.startswith("p_target"):
            return "share"
        return "small" if all(abs(r[i]) < 10 for r in table) else "number"

    book = Book()
    formats = [fmt(i, c) for i, c in enumerate(columns)]
    title = f"{sweep.id}: {len(table)} points x {sweep.grid.paths:,} paths, seed {sweep.grid.seed}"
    book.table(book.sheet("sweep"), 0, Table(title, columns, table, formats))
    return book.data()


def _parquet(columns: list[str], table: list[list[float]]) -> bytes:
    """Parquet by DuckDB, through a private temporary folder (DuckDB writes only to paths)."""
    import tempfile

    import duckdb

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "t.parquet"
        con = duckdb.connect()
        try:
            con.execute("CREATE TABLE t (" + ", ".join(f'"{c}" DOUBLE' for c in columns) + ")")
            con.executemany(f"INSERT INTO t VALUES ({', '.join('?' * len(columns))})", table)
            con.execute(f"COPY t TO '{path}' (FORMAT PARQUET)")
        finally:
            con.close()
        return path.read_bytes()


def influence(rows: list[dict], names: list[str]) -> list[tuple[str, float]]:
    """Each parameter's influence on P(target): the spread of the mean P(target) across its
    values (the main effect), largest first."""
    spreads = []
    for n in names:
        values = sorted({r[n] for r in rows})
        means = [np.mean([r["p_target"] for r in rows if r[n] == v]) for v in values]
        spreads.append((n, float(max(means) - min(means)) if len(means) > 1 else 0.0))
    return sorted(spreads, key=lambda x: -x[1])
