"""evlaunch: plan and stress-test a new electric-vehicle maker's market entry."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("evlaunch")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"
