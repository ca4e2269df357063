"""The forecaster's out-of-sample record and the time a full hindcast takes, in one run.

Prints, per forecast origin, CRPS and interval coverage of the hierarchical forecaster and of
the naive baselines on the same leave-one-out cases, the CRPS ratio on the cases both
forecast, MdAPE of 36-month deliveries forecast after 12 months, the Brier score of P(hit)
for stated targets against the base rate, and the wall time against the 5-minute bar.

    python bench/bench_hindcast.py [--workers 2] [--seed 0] [--mdape-seeds 4]

``--mdape-seeds K`` repeats the forecasts behind the MdAPE (after 12 months, the entrants
with a 36-month outcome) with K - 1 more seeds: the sampler's seed moves a median of nine
cases by several points, which one seed's figure does not show.
"""

import argparse
import time

import numpy as np

from evlaunch.reference.calibration import vintages
from evlaunch.reference.hindcast import hindcast
from evlaunch.reference.scores import CALIBRATED, CALIBRATED_AS_OF, LEVELS, OURS


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--mdape-seeds", type=int, default=1)
    args = parser.parse_args()
    started = time.perf_counter()
    result = hindcast(args.seed, args.workers)
    seconds = time.perf_counter() - started
    print(f"full hindcast: {seconds:.0f} s on {args.workers} workers (bar: under 300 s)")
    print(f"entrants scored: {len(result.entrants)} ({', '.join(result.entrants)})")
    for method in (OURS, CALIBRATED, CALIBRATED_AS_OF):
        mine = [c for c in result.cases if c.method == method]
        pooled = {
            lv: np.mean([c.bounds[lv][0] <= c.truth <= c.bounds[lv][1] for c in mine])
            for lv in LEVELS
        }
        print(
            f"{method}: coverage over all {len(mine)} held-out checkpoints: "
            + ", ".join(f"{int(100 * lv)}% interval {100 * v:.0f}%" for lv, v in pooled.items())
            + " (bars: 40-60, 72-88, >= 90)"
        )
    print(
        f"{CALIBRATED_AS_OF}: {result.spread_applied} forecasts had a spread fitted on "
        "forecasts resolved by their date; the others had too few and were left as they were"
    )
    bundled = {(v.as_of.isoformat(), *v.origins): v.spread for v in vintages()}
    for v in result.spread:
        key = (v["as_of"], v["origin_from"], v["origin_to"])
        print(
            f"spread as of {v['as_of']} after {v['origin_from']}-{v['origin_to']} months of "
            f"sales: {v['spread']:.2f} on {v['cases']} forecasts (bundled: {bundled.get(key)})"
        )
    for s in result.scores:
        cov = "/".join(f"{100 * s.coverage[lv]:.0f}" for lv in LEVELS)
        print(
            f"  after {s.origin:2d} mo  {s.method:31s} n={s.cases:3d}  CRPS {s.crps:9,.0f}  "
            f"log-CRPS {s.crps_log:5.2f}  cover 50/80/95 {cov}  MdAPE {100 * s.mdape:4.0f}%"
        )
    for label, skill in (("raw", result.skill), ("calibrated", result.skill_calibrated)):
        for origin, row in skill.items():
            print(
                f"  after {origin:2d} mo, {label} CRPS / baseline's on shared cases: "
                + ", ".join(f"{m} {v['ratio']:.2f} (n={v['cases']})" for m, v in row.items())
            )
    mdape = result.mdape.get(12, {}).get(36)
    if mdape is not None:
        print(
            f"MdAPE of 36-month deliveries forecast after 12 months: {100 * mdape:.0f}% (bar < 26%)"
        )
    if args.mdape_seeds > 1:
        print_mdape_over_seeds(result, args.seed, args.mdape_seeds, args.workers)
    if result.brier is not None:
        print(
            f"stated targets: {len(result.targets)} scored; Brier {result.brier:.3f} (not told "
            f"the target {result.brier_outside:.3f}), base rate "
            f"{result.brier_base_rate:.3f}; not scored: {result.targets_skipped}"
        )


def print_mdape_over_seeds(result, seed: int, seeds: int, workers: int) -> None:
    """The 36-from-12 MdAPE again with ``seeds - 1`` further seeds, on the same cases."""
    cases = [c for c in result.cases if (c.method, c.origin, c.checkpoint) == (OURS, 12, 36)]
    names = tuple(c.entrant for c in cases)
    figures = [result.mdape[12][36]]
    for s in range(seed + 1, seed + seeds):
        again = hindcast(s, workers, only=names, origins=(12,))
        figures.append(again.mdape[12][36])
    shown = ", ".join(f"{100 * f:.1f}%" for f in figures)
    print(
        f"MdAPE 36 from 12 months over seeds {seed}-{seed + seeds - 1} ({len(cases)} cases): "
        f"{shown}; mean {100 * np.mean(figures):.1f}% (bar < 26%)"
    )


if __name__ == "__main__":
    main()
