"""Bundled real-world reference data, each figure with its source."""
