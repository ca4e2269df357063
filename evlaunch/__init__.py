"""evlaunch: plan and stress-test a new electric-vehicle maker's market entry.

``import evlaunch as ev`` gives the Python API (``evlaunch/api.py``): ``ev.bundled``,
``ev.load``, ``ev.run``, ``ev.risk``, ``ev.sensitivity``, ``ev.plan``, ``ev.partners``,
``ev.nowcast``, ``ev.simulate``, and ``ev.frame`` / ``ev.fan`` for pandas tables. The
numerical stack is imported on first use, so the command line starts without it.
"""

from importlib.metadata import PackageNotFoundError, version

# ``risk``, ``plan`` and ``partners`` are subpackages as well as API functions. Importing a
# subpackage for the first time binds its name on this package, so they are imported (their
# __init__ files are empty) before the functions below take the names.
from . import partners as _partners_package  # noqa: F401
from . import plan as _plan_package  # noqa: F401
from . import risk as _risk_package  # noqa: F401

try:
    __version__ = version("evlaunch")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"


def _api():
    from . import api

    return api


def load(path):
    """A scenario file (YAML, TOML or JSON), validated: see ``evlaunch.api.load``."""
    return _api().load(path)


def bundled(name="xiaomi-2021"):
    """A bundled scenario: see ``evlaunch.api.bundled``."""
    return _api().bundled(name)


def run(scenario, paths=10_000, seed=0):
    """Every way of building at central values: see ``evlaunch.api.run``."""
    return _api().run(scenario, paths, seed)


def risk(scenario, options=None, paths=10_000, seed=0, sampler="lhs"):
    """The Monte Carlo: see ``evlaunch.api.risk``."""
    return _api().risk(scenario, options, paths, seed, sampler)


def sensitivity(scenario, options=None, paths=10_000, seed=0):
    """Tornado and Sobol indices: see ``evlaunch.api.sensitivity``."""
    return _api().sensitivity(scenario, options, paths, seed)


def plan(scenario, stochastic=0, seed=0, time_limit_s=60.0):
    """The production and capacity plan: see ``evlaunch.api.plan``."""
    return _api().plan(scenario, stochastic, seed, time_limit_s)


def partners(scenario, paths=20_000, seed=0):
    """Which way to build: see ``evlaunch.api.partners``."""
    return _api().partners(scenario, paths, seed)


def nowcast(scenario, actuals, options=None, paths=20_000, seed=0):
    """P(target) given actual deliveries: see ``evlaunch.api.nowcast``."""
    return _api().nowcast(scenario, actuals, options, paths, seed)


def simulate(scenario, paths=1_000, seed=0, options=None, sampler="lhs"):
    """Sampled paths as an xarray Dataset: see ``evlaunch.api.simulate``."""
    return _api().simulate(scenario, paths, seed, options, sampler)


def frame(result):
    """A result as a pandas DataFrame: see ``evlaunch.api.frame``."""
    return _api().frame(result)


def fan(result):
    """A Monte Carlo's fan as a pandas DataFrame: see ``evlaunch.api.fan``."""
    return _api().fan(result)
