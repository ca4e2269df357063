"""The numerical core: pure functions over ``(paths, months)`` arrays, one stage per module."""
