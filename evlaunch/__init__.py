"""evlaunch: plan and stress-test a new electric-vehicle maker's market entry.

``import evlaunch as ev`` gives the Python API (``evlaunch/api.py``): ``ev.bundled``,
``ev.load``, ``ev.run``, ``ev.risk``, ``ev.sensitivity``, ``ev.plan``, ``ev.partners``,
``ev.nowcast``, ``ev.simulate``, ``ev.replay``, ``ev.compare``, ``ev.what_it_takes``,
and ``ev.frame`` /
``ev.fan`` for pandas tables. The numerical stack is imported on first use, so the command
line starts without it.
"""

# ``risk``, ``plan`` and ``partners`` are subpackages as well as API functions. Importing a
# subpackage for the first time binds its name on this package, so they are imported (their
# __init__ files are empty) before the functions below take the names.
from . import partners as _partners_package  # noqa: F401
from . import plan as _plan_package  # noqa: F401
from . import risk as _risk_package  # noqa: F401


def __getattr__(name: str):
    """``__version__``, read from the installed metadata on first use: importlib.metadata
    costs 30 ms, a tenth of `evlaunch --help`."""
    if name != "__version__":
        raise AttributeError(f"module 'evlaunch' has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        found = version("evlaunch")
    except PackageNotFoundError:  # running from a source tree that is not installed
        found = "0.0.0+unknown"
    globals()["__version__"] = found
    return found


def _forwarded(name: str, what: str):
    """``evlaunch.api.<name>``, imported on first call; its defaults live there only."""

    def call(*args, **kwargs):
        from . import api

        return getattr(api, name)(*args, **kwargs)

    call.__name__ = call.__qualname__ = name
    call.__doc__ = f"{what}: see ``evlaunch.api.{name}``."
    return call


load = _forwarded("load", "A scenario file (YAML, TOML or JSON), validated")
bundled = _forwarded("bundled", "A bundled scenario")
run = _forwarded("run", "Every way of building at central values")
risk = _forwarded("risk", "The Monte Carlo")
sensitivity = _forwarded("sensitivity", "Tornado and Sobol indices")
plan = _forwarded("plan", "The production and capacity plan")
partners = _forwarded("partners", "Which way to build")
nowcast = _forwarded("nowcast", "P(target) given actual deliveries")
simulate = _forwarded("simulate", "Sampled paths as an xarray Dataset")
replay = _forwarded("replay", "One Monte Carlo path, its inputs and months")
compare = _forwarded("compare", "Scenarios on common random numbers, paired differences")
what_it_takes = _forwarded("what_it_takes", "The smallest change that reaches a P(target)")
frame = _forwarded("frame", "A result as a pandas DataFrame")
fan = _forwarded("fan", "A Monte Carlo's fan as a pandas DataFrame")
