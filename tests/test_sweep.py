import numpy as np
import pytest
import yaml

from evlaunch.errors import UserError
from evlaunch.sweep import influence, load_grid, results, run_sweep, write_table

GRID = {
    "method": "cartesian",
    "paths": 1000,
    "seed": 3,
    "parameters": {
        "market.bass_p_per_year": [0.02, 0.1],
        "options.Own plant phase I.capacity_per_year": [150000, 400000],
    },
}


def grid_file(tmp_path, grid=GRID):
    path = tmp_path / "grid.yaml"
    path.write_text(yaml.safe_dump(grid))
    return path


def test_dask_local_cluster_gives_the_serial_results_and_resumes(tmp_path):
    from distributed import Client, LocalCluster

    sweep = load_grid(grid_file(tmp_path))
    assert len(sweep.points) == 4
    serial_store = tmp_path / "serial.duckdb"
    assert run_sweep(sweep, None, serial_store) == 4
    serial = results(sweep, serial_store)

    store = tmp_path / "dask.duckdb"
    # a sweep stopped halfway ...
    assert run_sweep(sweep, None, store, stop_after=2) == 2
    with (
        LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            host="127.0.0.1",
        ) as cluster,
        Client(cluster) as c,
    ):
        # ... resumes with only the points it had not finished, on two worker processes
        assert run_sweep(sweep, c, store) == 2
        assert run_sweep(sweep, c, store) == 0
    resumed = results(sweep, store)
    strip = [{k: v for k, v in r.items() if k != "seconds"} for r in serial]
    assert [{k: v for k, v in r.items() if k != "seconds"} for r in resumed] == strip
    table = write_table(sweep, tmp_path / "out.csv", store)
    assert table.read_text().count("\n") == 5
    ranked = influence(resumed, sweep.names)
    assert {n for n, _ in ranked} == set(sweep.names)


def test_lhs_grid_and_bad_grids(tmp_path):
    lhs = {
        **GRID,
        "method": "lhs",
        "points": 5,
        "parameters": {"market.bass_p_per_year": [0.01, 0.2]},
    }
    sweep = load_grid(grid_file(tmp_path, lhs))
    assert sweep.points.shape == (5, 1)
    assert np.all((sweep.points >= 0.01) & (sweep.points <= 0.2))
    with pytest.raises(UserError, match="not an input of the scenario"):
        load_grid(grid_file(tmp_path, {**GRID, "parameters": {"market.colour": [1]}}))
    with pytest.raises(UserError, match="method"):
        load_grid(grid_file(tmp_path, {**GRID, "method": "random"}))
    with pytest.raises(UserError, match="no such file"):
        load_grid(tmp_path / "none.yaml")


def test_a_point_sets_inputs_of_any_section_and_keeps_the_rest():
    from evlaunch.scenario.inputs import input_value
    from evlaunch.scenario.load import load_scenario
    from evlaunch.sweep import point_scenario

    base = load_scenario()[0]
    names = [
        "market.bass_p_per_year",
        "options.Own plant phase II.lead_time_months",
        "models.second model.launch_slip_months",
    ]
    point = point_scenario(base, names, [0.05, 20.0, 6.0])
    assert [input_value(point, n) for n in names] == [0.05, 20.0, 6.0]
    assert input_value(point, "market.bass_q_per_year") == base.market.bass_q_per_year
    # the p-q correlation names a now fixed input, so it goes
    assert point.correlations == []
