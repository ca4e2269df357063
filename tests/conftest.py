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
