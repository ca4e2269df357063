import copy

import pytest
import yaml

from evlaunch.scenario.load import bundled_text


@pytest.fixture(scope="session")
def bundled_dict() -> dict:
    return yaml.safe_load(bundled_text())


@pytest.fixture
def scenario_dict(bundled_dict) -> dict:
    """A fresh, editable copy of the bundled scenario as plain data."""
    return copy.deepcopy(bundled_dict)


@pytest.fixture(autouse=True)
def _store_in_tmp(tmp_path, monkeypatch):
    """Runs made by the tests go to a store of their own, never ./.evlaunch."""
    monkeypatch.setenv("EVLAUNCH_STORE", str(tmp_path / "runs.duckdb"))
