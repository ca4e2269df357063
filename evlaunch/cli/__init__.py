"""The `evlaunch` command. User errors print one clear message and exit with status 2."""
# ruff: noqa: I001  (the imports register the commands, in the order `--help` lists them)

from .common import app
from . import plans, compare, reference, runs, files  # noqa: F401

__all__ = ["app"]
