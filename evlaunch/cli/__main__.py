"""`python -m evlaunch.cli`, and the `evlaunch` script."""

import gc


def main() -> None:
    # A command imports a few hundred thousand objects (typer, pydantic, numpy, numba) and
    # frees few: at the cyclic collector's default pace (every 700 allocations) `evlaunch
    # risk` spent 0.1-0.2 s and `validate` 15 ms rescanning them. It still runs, less often.
    gc.set_threshold(100_000, 50, 100)
    from . import app

    app()


if __name__ == "__main__":
    main()
