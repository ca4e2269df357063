"""Monte Carlo throughput: our engine against PySD and a plain per-path Python loop.

All three run the same demand + capacity + backlog model (bench/demand_capacity_backlog.mdl
for PySD) on the same sampled inputs, checked equal path by path before anything is timed;
ours also does the finance (cash, NPV, peak cash need) and the outcome measures on top.

    .venv/bin/python bench/bench_risk.py            # throughput, ratios, profile
    .venv/bin/python bench/bench_risk.py --memory   # peak memory of 10 million paths
"""

import argparse
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import yaml

from evlaunch.model.simulate import simulate
from evlaunch.risk.montecarlo import monte_carlo
from evlaunch.risk.sampling import BLOCK_PATHS, Sampler
from evlaunch.risk.sizes import CHUNK_PATHS
from evlaunch.scenario.load import bundled_text, parse_scenario
from evlaunch.scenario.months import months_between

MODEL = Path(__file__).with_name("demand_capacity_backlog.mdl")
ROADMAP_MODEL = Path(__file__).with_name("roadmap_trigger.mdl")  # + a second model, a rule
MIX = ["Own plant phase I", "Own plant phase II"]


def _benchmark_model() -> dict:
    """The benchmark model of issue 17: the bundled case over 72 months with one model and
    plants at nameplate (as the bundled scenario was before its roadmap and shifts)."""
    data = yaml.safe_load(bundled_text())
    data["horizon_months"] = 72
    data.pop("models", None)
    for o in data["options"]:
        for key in ("max_utilisation", "shift_months", "above_nameplate_cost_per_vehicle_cny"):
            o.pop(key, None)
    return data


def scenario_72_months():
    return parse_scenario(yaml.safe_dump(_benchmark_model()), "yaml")


def scenario_with_decisions():
    """The same, with a roadmap of 3 models (two later ones, slipping, one cannibalising),
    every option able to run 1.4 times nameplate (a shift four months after the backlog
    calls for it, 3,000 CNY a vehicle more) and two options committed by the order book:
    3 models, 4 options, 2 expansion rules."""
    data = _benchmark_model()
    for o in data["options"]:
        o.update(max_utilisation=1.4, shift_months=4, above_nameplate_cost_per_vehicle_cny=3000)
    data["models"] = [
        {
            "name": name,
            "launch": launch,
            "launch_slip_months": {"dist": "triangular", "low": 0, "mode": 3, "high": 12},
            "addressable_market_vehicles": {"dist": "lognormal", "p10": 1.5e6, "p90": 4e6},
            "bass_p_per_year": 0.02,
            "bass_q_per_year": 0.6,
            "price_cny": price,
            "reference_price_cny": price,
            "cannibalisation": share,
        }
        for name, launch, price, share in (
            ("SUV", "2026-06", 260000, 0.2),
            ("compact", "2027-03", 160000, 0.0),
        )
    ]
    data["expansions"] = [
        {"option": "Own plant phase II", "backlog_months_above": 3, "for_months": 3},
        {"option": "Great Wall Motor", "backlog_months_above": 6, "for_months": 2},
    ]
    return parse_scenario(yaml.safe_dump(data), "yaml")


def scenario_with_roadmap_and_rule():
    """The 72-month model with a second model (slipping, taking 20% of its orders from the
    first model's buyers) and phase II committed by its order book: the peers' roadmap."""
    data = _benchmark_model()
    data["models"] = [
        {
            "name": "SUV",
            "launch": "2026-03",
            "launch_slip_months": {"dist": "triangular", "low": 0, "mode": 3, "high": 12},
            "addressable_market_vehicles": {"dist": "lognormal", "p10": 1.5e6, "p90": 4e6},
            "bass_p_per_year": 0.02,
            "bass_q_per_year": 0.6,
            "price_cny": 260000,
            "reference_price_cny": 260000,
            "cannibalisation": 0.2,
        }
    ]
    data["expansions"] = [{"option": MIX[1], "backlog_months_above": 3, "for_months": 3}]
    return parse_scenario(yaml.safe_dump(data), "yaml")


def roadmap_inputs(s, params, i):
    """Path i's inputs for the roadmap peers."""
    out = peer_inputs(s, params, i)
    m = {k: float(v[i]) for k, v in params.items()}
    model, rule = s.models[0], s.expansions[0]
    f = f"models.{model.name}."
    out.pop("sop b")
    out.update(
        {
            "p2 per month": m[f + "bass_p_per_year"] / 12,
            "q2 per month": m[f + "bass_q_per_year"] / 12,
            "market2 vehicles": m[f + "addressable_market_vehicles"],
            "price factor 2": (m[f + "price_cny"] / model.reference_price_cny)
            ** m["market.price_elasticity"],
            "launch month 2": months_between(s.start, model.launch) + m[f + "launch_slip_months"],
            "cannibalisation": m[f + "cannibalisation"],
            "lead b": m[f"options.{MIX[1]}.lead_time_months"],
            "rule months": rule.for_months,
            "rule backlog months": rule.backlog_months_above,
        }
    )
    return out


def roadmap_loop(x, months):
    """The roadmap model (two models, phase II by its rule) as a plain loop for one path."""
    adopted = adopted2 = backlog = streak = 0.0
    market = x["market vehicles"]
    m2 = x["market2 vehicles"]
    start_b = np.inf
    deliveries = []
    for t in range(months):
        open_1 = x["price factor"] if t >= x["launch month"] else 0.0
        left = market - adopted
        new1 = max(
            0.0, min((x["p per month"] + x["q per month"] * adopted / market) * left * open_1, left)
        )
        adopted += new1
        open_2 = x["price factor 2"] if t >= x["launch month 2"] else 0.0
        new2 = min(
            (x["p2 per month"] + x["q2 per month"] * adopted2 / m2) * (m2 - adopted2) * open_2,
            m2 - adopted2,
        )
        adopted2 += new2
        market -= min(x["cannibalisation"] * new2, max(market - adopted, 0.0))
        capacity = 0.0
        for tag, sop in (("a", x["sop a"]), ("b", start_b + x["lead b"])):
            r = min(max((t + 0.5 - sop) / x[f"ramp {tag}"], 0.0), 1.0)
            capacity += x[f"full rate {tag}"] * r * r * (3 - 2 * r)
        open_orders = backlog + new1 + new2
        delivered = min(open_orders, capacity)
        backlog = (open_orders - delivered) * (1 - x["cancel rate"])
        deliveries.append(delivered)
        piled = backlog > x["rule backlog months"] * capacity and backlog > 0
        streak = streak + 1 if piled else 0.0
        if start_b == np.inf and streak >= x["rule months"]:
            start_b = t + 1.0
    return deliveries


def check_roadmap_peers(pysd, check=50):
    """Ours, PySD and the plain loop on the roadmap model, path by path: the largest
    difference as a share of the path's peak month."""
    s = scenario_with_roadmap_and_rule()
    params = Sampler(s, seed=1, method="lhs").params(0, check)
    ours = simulate(s, params, MIX).deliveries
    model = pysd.read_vensim(str(ROADMAP_MODEL))
    worst = 0.0
    for i in range(check):
        x = roadmap_inputs(s, params, i)
        loop = np.array(roadmap_loop(x, s.horizon_months))
        peer = model.run(params=x, return_columns=["deliveries"])["deliveries"].to_numpy()
        scale = max(ours[i].max(), 1.0)
        worst = max(
            worst, np.abs(loop - ours[i]).max() / scale, np.abs(peer - ours[i]).max() / scale
        )
    assert worst < 1e-9, f"roadmap peers disagree with our engine: {worst:.2e}"
    return worst


def peer_inputs(s, params, i):
    """Path i's inputs in the units of the peer models."""
    m = {k: float(v[i]) for k, v in params.items()}
    out = {
        "p per month": m["market.bass_p_per_year"] / 12,
        "q per month": m["market.bass_q_per_year"] / 12,
        "market vehicles": m["market.addressable_market_vehicles"],
        "price factor": (m["market.price_cny"] / s.market.reference_price_cny)
        ** m["market.price_elasticity"],
        "launch month": months_between(s.start, s.market.launch),
        "cancel rate": m["market.backlog_cancel_rate_per_month"],
    }
    for tag, name in zip("ab", MIX, strict=True):
        o = f"options.{name}."
        out[f"full rate {tag}"] = m[o + "capacity_per_year"] * m[o + "share_available"] / 12
        out[f"sop {tag}"] = (
            months_between(s.start, s.option(name).start) + m[o + "lead_time_months"]
        )
        out[f"ramp {tag}"] = m[o + "ramp_months"]
    return out


def python_loop(x, months):
    """The model as a straightforward loop over months for one path."""
    adopted = backlog = 0.0
    m = x["market vehicles"]
    deliveries = []
    for t in range(months):
        open_market = x["price factor"] if t >= x["launch month"] else 0.0
        new = min(
            (x["p per month"] + x["q per month"] * adopted / m) * (m - adopted) * open_market,
            m - adopted,
        )
        adopted += new
        capacity = 0.0
        for tag in "ab":
            r = min(max((t + 0.5 - x[f"sop {tag}"]) / x[f"ramp {tag}"], 0.0), 1.0)
            capacity += x[f"full rate {tag}"] * r * r * (3 - 2 * r)
        open_orders = backlog + new
        delivered = min(open_orders, capacity)
        backlog = open_orders - delivered - x["cancel rate"] * (open_orders - delivered)
        deliveries.append(delivered)
    return deliveries


def rate(paths, seconds):
    return paths / seconds


def best_of(repeats, fn):
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def interleaved_best(repeats, *fns):
    """The best time of each function over ``repeats`` rounds that run them in turn."""
    best = [float("inf")] * len(fns)
    for _ in range(repeats):
        for k, fn in enumerate(fns):
            started = time.perf_counter()
            fn()
            best[k] = min(best[k], time.perf_counter() - started)
    return best


def main():
    import pysd

    s = scenario_72_months()
    months = s.horizon_months
    params = Sampler(s, seed=0, method="lhs").params(0, 2000)
    ours = simulate(s, params, MIX).deliveries

    model = pysd.read_vensim(str(MODEL))
    check = 50
    worst = 0.0
    for i in range(check):
        x = peer_inputs(s, params, i)
        loop = np.array(python_loop(x, months))
        peer = model.run(params=x, return_columns=["deliveries"])["deliveries"].to_numpy()
        scale = max(ours[i].max(), 1.0)
        worst = max(
            worst, np.abs(loop - ours[i]).max() / scale, np.abs(peer - ours[i]).max() / scale
        )
    assert worst < 1e-9, f"peers disagree with our engine: {worst:.2e}"
    print(
        f"same model: PySD and the Python loop match our deliveries on {check} paths "
        f"(largest difference {worst:.1e} of the path's peak month)"
    )
    print(
        "with a second model (slipping, cannibalising) and phase II committed by its rule: "
        f"they match on 50 paths too (largest difference {check_roadmap_peers(pysd):.1e})"
    )

    n_pysd, n_loop, n_ours = 300, 2000, 1_000_000
    xs = [peer_inputs(s, params, i) for i in range(n_loop)]
    t_pysd = best_of(
        1, lambda: [model.run(params=xs[i], return_columns=["deliveries"]) for i in range(n_pysd)]
    )
    t_loop = best_of(1, lambda: [python_loop(x, months) for x in xs])
    monte_carlo(s, MIX, 50_000, 0)  # compile and warm up
    t_ours = best_of(3, lambda: monte_carlo(s, MIX, n_ours, 0, "lhs"))
    t_sobol = best_of(3, lambda: monte_carlo(s, MIX, n_ours, 0, "sobol"))

    r_pysd, r_loop, r_ours = rate(n_pysd, t_pysd), rate(n_loop, t_loop), rate(n_ours, t_ours)
    print(f"\n{months} months, 2 production options, seed 0, LHS")
    print(f"{'engine':<48}{'paths':>10}{'seconds':>10}{'paths/s':>14}")
    print(
        f"{'PySD ' + pysd.__version__ + ' (one model.run per path)':<48}{n_pysd:>10,}"
        f"{t_pysd:>10.2f}{r_pysd:>14,.0f}"
    )
    print(f"{'plain Python loop per path':<48}{n_loop:>10,}{t_loop:>10.2f}{r_loop:>14,.0f}")
    print(
        f"{'evlaunch monte_carlo (LHS, end to end)':<48}{n_ours:>10,}{t_ours:>10.2f}"
        f"{r_ours:>14,.0f}"
    )
    print(
        f"{'evlaunch monte_carlo (Sobol, end to end)':<48}{n_ours:>10,}{t_sobol:>10.2f}"
        f"{rate(n_ours, t_sobol):>14,.0f}"
    )
    print(
        f"\nratio: evlaunch / PySD = {r_ours / r_pysd:,.0f}x;  "
        f"evlaunch / Python loop = {r_ours / r_loop:,.0f}x"
    )
    decided = scenario_with_decisions()
    every = [o.name for o in decided.options]
    monte_carlo(decided, every, 50_000, 0)
    # interleaved, best of five each: this shared machine's speed drifts between runs
    t_base, t_decided, t_four = interleaved_best(
        5,
        lambda: monte_carlo(s, MIX, n_ours, 0, "lhs"),
        lambda: monte_carlo(decided, every, n_ours, 0, "lhs"),
        lambda: monte_carlo(s, every, n_ours, 0, "lhs"),
    )
    print(
        f"3 models, shifts on 4 options, 2 expansion rules: {t_decided:.2f} s for {n_ours:,} "
        f"paths, {t_decided / t_base:.2f}x the 2-option model ({t_base:.2f} s, interleaved) and "
        f"{t_decided / t_four:.2f}x "
        f"the same 4 options without them ({t_four:.2f} s; bar: 1.5x)"
    )
    profile(s)
    sampling(s)


def sampling(s, rounds: int = 5):
    """Drawing one million paths' inputs alone, no simulator: the Latin hypercube's blocks,
    the copula and the inverse CDFs, on both cores; the best of ``rounds`` of each stage,
    and the CPU seconds of the best round (the work, whatever the machine's load)."""
    n = 1_000_000
    best = {"LHS blocks": np.inf, "copula": np.inf, "inverse CDFs": np.inf, "CPU": np.inf}
    for _ in range(rounds):
        draw = Sampler(s, seed=0, method="lhs")
        took = dict.fromkeys(best, 0.0)
        cpu = time.process_time()
        for start in range(0, n, BLOCK_PATHS):
            stop = min(start + BLOCK_PATHS, n)
            t0 = time.perf_counter()
            draw._block(start // BLOCK_PATHS)  # kept for uniforms(): what is left is the copula
            t1 = time.perf_counter()
            u = draw.uniforms(start, stop)
            t2 = time.perf_counter()
            draw.params_from_uniforms(u)
            t3 = time.perf_counter()
            for key, dt in zip(best, (t1 - t0, t2 - t1, t3 - t2), strict=False):
                took[key] += dt
        took["CPU"] = time.process_time() - cpu
        best = {k: min(best[k], took[k]) for k in best}
    wall = sum(v for k, v in best.items() if k != "CPU")
    print(
        f"sampling alone, {n:,} paths x {draw.width} inputs: {wall:.3f} s ("
        + ", ".join(f"{k} {v:.3f} s" for k, v in best.items() if k != "CPU")
        + f"); {best['CPU']:.3f} CPU s"
    )


def profile(s):
    """Where one million paths' time goes, stage by stage, each as the Monte Carlo runs it
    (the kernel measures each path's sales and keeps no months, and writes over the first
    chunk's arrays)."""
    from evlaunch.model.arguments import kernel_inputs
    from evlaunch.model.outcomes import SalesMeasure

    n = 1_000_000
    draw = Sampler(s, seed=0, method="lhs")
    measure = SalesMeasure(s.target.deliveries, s.target.window_months)
    stages = {
        "uniforms (LHS + copula)": 0.0,
        "inverse CDFs": 0.0,
        "the kernel's inputs": 0.0,
        "simulator kernel (sales measured in it)": 0.0,
    }
    first = None
    for start in range(0, n, CHUNK_PATHS):
        stop = min(start + CHUNK_PATHS, n)
        t0 = time.perf_counter()
        u = draw.uniforms(start, stop)
        t1 = time.perf_counter()
        p = draw.params_from_uniforms(u)
        t2 = time.perf_counter()
        inputs = kernel_inputs(s, p, MIX)
        t3 = time.perf_counter()
        run = simulate(
            s, p, MIX, keep=0, into=first, inputs=inputs, measure=measure, kept_deliveries=0
        )
        first = first or run
        t4 = time.perf_counter()
        for key, dt in zip(stages, (t1 - t0, t2 - t1, t3 - t2, t4 - t3), strict=True):
            stages[key] += dt
    print("\nprofile of 1,000,000 paths:", ",  ".join(f"{k} {v:.2f} s" for k, v in stages.items()))
    months = s.horizon_months
    kernel_ns = 1e9 * stages["simulator kernel (sales measured in it)"] / (n * months)
    # the kernel's unavoidable traffic: it reads each path's inputs once (about 30 numbers,
    # 240 bytes) and writes its measures (NPV, peak cash, decisions, sales: about 80 bytes),
    # spread over its months
    floor_ns = (240 + 80) / months / memory_bandwidth() * 1e9
    print(
        f"kernel: {kernel_ns:.1f} ns a path-month; the memory-bandwidth limit for its traffic "
        f"{floor_ns:.2f} ns ({kernel_ns / floor_ns:.0f}x above it: the kernel is bound by "
        "arithmetic and the months' dependence, not by memory)"
    )


def memory_bandwidth(mib: int = 512) -> float:
    """This machine's memory bandwidth [bytes/s]: a large array copied (read and written),
    the best of three."""
    source = np.ones(mib * 2**20 // 8)
    target = np.empty_like(source)
    best = min(
        _timed(lambda: np.copyto(target, source)) for _ in range(3)
    )  # fmt: skip
    return 2 * source.nbytes / best


def _timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def peak_resident_kib() -> int:
    """This process image's peak resident memory [KiB]: VmHWM, not getrusage's ru_maxrss,
    which Linux carries over exec from the forked parent (run as this script's subprocess,
    ru_maxrss read 1.50 GiB where VmHWM reads 0.96 GiB)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # not Linux: the best there is


def memory(paths):
    s = scenario_72_months()
    started = time.perf_counter()
    result = monte_carlo(s, MIX, paths, 0, "lhs")
    seconds = time.perf_counter() - started
    peak_gib = peak_resident_kib() / 2**20
    print(
        f"{paths:,} paths in {seconds:.1f} s; peak resident memory {peak_gib:.2f} GiB "
        f"(P(target) {result.p_target:.4f})"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--memory", action="store_true", help="10 million paths, peak memory")
    parser.add_argument("--paths", type=int, default=10_000_000)
    args = parser.parse_args()
    if args.memory:
        memory(args.paths)
    else:
        main()
        subprocess.run([sys.executable, __file__, "--memory"], check=True)
