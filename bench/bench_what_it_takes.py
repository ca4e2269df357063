"""What it takes on the bundled case (issue 15's bar: within 60 s on 2 cores), for three
levels of P(target), with the settings simulated and the time a setting takes.

    .venv/bin/python bench/bench_what_it_takes.py
"""

import evlaunch as ev


def main():
    scenario = ev.bundled()
    for probability in (0.1, 0.3, 0.5):
        found = ev.what_it_takes(scenario, probability)
        print(
            f"P(target) {100 * found.p_before:.1f}% -> asked {100 * probability:.0f}%: "
            f"reached {100 * found.p_after:.1f}% in {found.seconds:.1f} s "
            f"({found.evaluations} settings of {found.paths:,} paths, "
            f"{1e3 * found.seconds / found.evaluations:.0f} ms each); changes:"
        )
        for change in found.changes:
            print(f"  {change.text}")


if __name__ == "__main__":
    main()
