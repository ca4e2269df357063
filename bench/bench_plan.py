"""The planning MILP: our vectorised build against the same model written in Pyomo, both
solved by HiGHS in one run (the bundled case and a five-option case); `evlaunch plan` as a
user waits for it; and the stochastic plan (sample-average approximation).

    .venv/bin/python bench/bench_plan.py              # deterministic plans
    .venv/bin/python bench/bench_plan.py --saa 200    # plus SAA with 200 scenarios
    .venv/bin/python bench/bench_plan.py --saa 200 --saa-milp --saa-only   # vs one MILP
"""

import argparse
import time

import numpy as np
import pyomo.environ as pyo
import yaml

from evlaunch.plan.inputs import plan_inputs
from evlaunch.plan.lp import HIGHS_MIP_OPTIONS, MIP_REL_GAP
from evlaunch.plan.milp import MONEY, Settings, build
from evlaunch.plan.solve import plan
from evlaunch.plan.solve import solve_milp as solve_plan_milp
from evlaunch.plan.stochastic import stochastic_plan
from evlaunch.scenario.inputs import central_params
from evlaunch.scenario.load import bundled_text, parse_scenario

# Bench only: a fifth option. BAIC Group's Beijing plant, "a capacity of 200,000 vehicles
# annually" (https://www.republicworld.com/automobile/xiaomi-sets-stage-for-ev-launch-reveals-price-target-for-upcoming-su7/?amp=1);
# share, timing and fee are assumptions.
BAIC = {
    "name": "BAIC Beijing",
    "kind": "partner",
    "capacity_per_year": 200000,
    "share_available": 0.5,
    "start": "2022-01",
    "lead_time_months": 20,
    "ramp_months": 9,
    "fee_per_vehicle_cny": 9500,
    "capex_cny": 1.2e9,
    "min_volume_per_year": 20000,
}


def five_options_72_months():
    data = yaml.safe_load(bundled_text())
    data["horizon_months"] = 72
    data.pop("assessment")
    for option in data["options"]:
        option.pop("scores", None)
    data["options"].append(BAIC)
    return parse_scenario(yaml.safe_dump(data), "yaml")


def pyomo_model(d, unit):
    """The model of evlaunch.plan.milp.build (one scenario), per model of the roadmap, with
    its shift above nameplate, written the Pyomo way (a binary for each month an option may
    start at); ``unit`` (M,) each model's cost."""
    m = pyo.ConcreteModel()
    Y, J, T = range(d.option_of.size), range(len(d.options)), range(d.months)
    M, lines = range(len(d.models)), d.lines
    Q, G = range(lines.pair_model.size), range(lines.count)
    of, at = d.option_of, d.start_of
    c, o = float(d.cancel_rate[0]), d.orders[0]
    price, fee = d.price_cny[0] / MONEY, d.fee_cny[0] / MONEY
    above = d.above_cost_cny[0] / MONEY
    spend, company, u = d.spend_cny[0] / MONEY, d.company_cny[0] / MONEY, unit / MONEY
    disc = d.discount[0]
    m.start = pyo.Var(Y, domain=pyo.Binary)
    m.make = pyo.Var(J, T, domain=pyo.NonNegativeReals)
    m.made = pyo.Var(Q, T, domain=pyo.NonNegativeReals)
    m.paid = pyo.Var(J, T, domain=pyo.NonNegativeReals)
    m.extra = pyo.Var(J, T, domain=pyo.NonNegativeReals)  # made above nameplate
    m.ship = pyo.Var(M, T, domain=pyo.NonNegativeReals)
    m.wait = pyo.Var(M, T, domain=pyo.NonNegativeReals)
    m.stock = pyo.Var(M, T, domain=pyo.NonNegativeReals)
    m.cash = pyo.Var(T, domain=pyo.Reals)
    by = {j: [y for y in Y if of[y] == j] for j in J}
    m.once = pyo.Constraint(J, rule=lambda m, j: sum(m.start[y] for y in by[j]) <= 1)
    pairs = [(j, r, s) for j, r in d.requires for s in sorted({int(at[y]) for y in by[j]})]
    m.requires = pyo.Constraint(
        range(len(pairs)),
        rule=lambda m, i: (
            sum(m.start[y] for y in by[pairs[i][1]] if at[y] <= pairs[i][2])
            >= sum(m.start[y] for y in by[pairs[i][0]] if at[y] <= pairs[i][2])
        ),
    )
    m.cap = pyo.Constraint(
        J,
        T,
        rule=lambda m, j, t: (
            m.make[j, t]
            <= sum(d.capacity[0, y, t] * m.start[y] for y in by[j] if d.capacity[0, y, t] > 0)
            + m.extra[j, t]
        ),
    )
    m.shift = pyo.Constraint(
        J,
        T,
        rule=lambda m, j, t: (
            m.extra[j, t]
            <= sum(d.above[0, y, t] * m.start[y] for y in by[j] if d.above[0, y, t] > 0)
        ),
    )
    m.over_make = pyo.Constraint(J, T, rule=lambda m, j, t: m.paid[j, t] >= m.make[j, t])
    m.over_min = pyo.Constraint(
        J,
        T,
        rule=lambda m, j, t: (
            m.paid[j, t]
            >= sum(d.committed[0, y, t] * m.start[y] for y in by[j] if d.committed[0, y, t] > 0)
        ),
    )
    # a line of several models makes of them what its options make
    m.line = pyo.Constraint(
        G,
        T,
        rule=lambda m, g, t: (
            sum(m.made[q, t] for q in Q if lines.pair_line[q] == g)
            == sum(m.make[j, t] for j in J if lines.line_of[j] == g)
        ),
    )

    def made(m, k, t):  # of model k in month t
        return sum(m.make[j, t] for j in J if lines.only[j] == k) + sum(
            m.made[q, t] for q in Q if lines.pair_model[q] == k
        )

    m.flow = pyo.Constraint(
        M,
        T,
        rule=lambda m, k, t: (
            m.stock[k, t] == (m.stock[k, t - 1] if t else 0) + made(m, k, t) - m.ship[k, t]
        ),
    )
    m.backlog = pyo.Constraint(
        M,
        T,
        rule=lambda m, k, t: (
            m.wait[k, t] == (1 - c) * ((m.wait[k, t - 1] if t else 0) + o[k, t] - m.ship[k, t])
        ),
    )
    m.demand = pyo.Constraint(
        M, T, rule=lambda m, k, t: m.ship[k, t] <= (m.wait[k, t - 1] if t else 0) + o[k, t]
    )

    def flow(m, t):
        return (
            sum(price[k] * m.ship[k, t] - u[k] * made(m, k, t) for k in M)
            - sum(fee[j] * m.paid[j, t] + above[j] * m.extra[j, t] for j in J)
            - sum(spend[y, t] * m.start[y] for y in Y if spend[y, t] != 0)
        )

    m.money = pyo.Constraint(
        T, rule=lambda m, t: m.cash[t] == (m.cash[t - 1] if t else 0) + flow(m, t) - company
    )
    m.npv = pyo.Objective(expr=sum(disc[t] * flow(m, t) for t in T), sense=pyo.maximize)
    return m


def timed(fn, repeats=3):
    best, out = np.inf, None
    for _ in range(repeats):
        started = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - started)
    return best, out


def bundled_scenario():
    return parse_scenario(bundled_text(), "yaml")


def compare(name, s, repeats):
    """Our build and solve (as the plan solves it: our branch and bound, HiGHS solving its
    LPs) against Pyomo's on the same model solved by HiGHS's MILP, and our model by HiGHS's
    MILP too, interleaved best of ``repeats``; HiGHS with the options evlaunch uses."""
    d = plan_inputs(s, central_params(s), s.planning.options or [o.name for o in s.options])
    unit = d.average_unit_cost(d.total_orders.sum(axis=1))
    settings = Settings(objective="max_npv")
    build_ours, (lp, v) = timed(lambda: build(d, unit, settings), 10)
    build_pyomo, model = timed(lambda: pyomo_model(d, unit[0]), 1)
    solver = pyo.SolverFactory("appsi_highs")
    solver.config.mip_gap = MIP_REL_GAP
    solver.highs_options = dict(HIGHS_MIP_OPTIONS)
    solve_ours = solve_milp = solve_pyomo = np.inf
    for _ in range(repeats):
        started = time.perf_counter()
        result = solve_plan_milp(lp, v, d, settings, 60.0)
        solve_ours = min(solve_ours, time.perf_counter() - started)
        started = time.perf_counter()
        by_milp = lp.solve()
        solve_milp = min(solve_milp, time.perf_counter() - started)
        started = time.perf_counter()
        solver.solve(model)
        solve_pyomo = min(solve_pyomo, time.perf_counter() - started)
    ours_npv, pyomo_npv = -result.fun, pyo.value(model.npv)
    assert abs(ours_npv - pyomo_npv) <= 1e-6 * abs(ours_npv), (ours_npv, pyomo_npv)
    assert abs(by_milp.fun - result.fun) <= 1e-6 * abs(result.fun), (by_milp.fun, result.fun)
    print(
        f"\n{name}: {len(d.options)} options x {len(d.models)} models x {d.months} months, "
        f"{d.option_of.size} candidate starts; ours {lp.n:,} variables, {lp.m:,} constraints; "
        f"same optimum in both ({ours_npv:,.1f} M CNY before fixed cost)"
    )
    print(f"{'':<22}{'build s':>10}{'solve s':>10}{'total s':>10}")
    for who, b, sv in (
        ("evlaunch (numpy)", build_ours, solve_ours),
        ("  ... HiGHS's MILP", build_ours, solve_milp),
        ("Pyomo (appsi_highs)", build_pyomo, solve_pyomo),
    ):
        print(f"{who:<22}{b:>10.4f}{sv:>10.3f}{b + sv:>10.3f}")
    print(
        f"Pyomo / evlaunch: build {build_pyomo / build_ours:,.0f}x, total "
        f"{(build_pyomo + solve_pyomo) / (build_ours + solve_ours):.2f}x"
    )


def deterministic(repeats=3):
    bundled = bundled_scenario()
    best, result = timed(lambda: plan(bundled), repeats)
    print(
        f"evlaunch plan (bundled, ev.plan(ev.bundled())): {best:.3f} s best of {repeats}, "
        f"NPV {result.npv_cny / 1e9:,.4f} bn CNY, {result.status}"
    )
    five = five_options_72_months()
    best, result = timed(lambda: plan(five), repeats)
    print(
        f"five options x 72 months (plan()): {best:.3f} s best of {repeats}, "
        f"NPV {result.npv_cny / 1e9:,.4f} bn CNY, {result.status}"
    )
    compare("bundled", bundled, repeats)
    compare("five options", five, repeats)


def saa_case(target):
    """The bundled scenario, with ``target`` deliveries if given."""
    data = yaml.safe_load(bundled_text())
    if target:
        data["target"]["deliveries"] = target
    return parse_scenario(yaml.safe_dump(data), "yaml")


def timed_stochastic_plan(s, scenarios, milp):
    """The whole stochastic plan and when each of its steps started [s]; ``milp``: every
    sample-average programme solved as one MILP (as before issue 17's decomposition)."""
    from evlaunch.plan import solve as solve_module

    decomposable = solve_module.decomposable
    if milp:
        solve_module.decomposable = lambda data, settings: False
    steps = []
    started = time.perf_counter()
    try:
        result = stochastic_plan(
            s,
            scenarios,
            seed=0,
            time_limit_s=900,
            on_step=lambda what: steps.append((time.perf_counter() - started, what)),
        )
    finally:
        solve_module.decomposable = decomposable
    return time.perf_counter() - started, steps, result


def saa(scenarios, repeats, milp):
    """The stochastic plan as `evlaunch plan --stochastic N` runs it, on the bundled case
    (900,000 in 80% of the draws: out of reach, so its explanation) and with a target of
    350,000 (reachable: the plan, its out-of-sample check and its optimality gap); best of
    ``repeats``, and with ``milp`` interleaved with one run solving every sample-average
    programme as one MILP, as before."""
    for target in (None, 350_000):
        s = saa_case(target)
        best, before = np.inf, None
        for i in range(repeats):
            total, steps, result = timed_stochastic_plan(s, scenarios, False)
            if total < best:
                best, best_steps = total, steps
            if milp and i == 0:
                before, _, old = timed_stochastic_plan(s, scenarios, True)
        print(
            f"\nSAA, {scenarios} scenarios, target {s.target.deliveries:,} in >= 80%: "
            f"{result.variables:,} variables, {result.constraints:,} constraints; solve "
            f"{result.solve_seconds:.1f} s; whole stochastic plan {best:.1f} s best of "
            f"{repeats}; status {result.status}"
        )
        ends = [t for t, _ in best_steps[1:]] + [best]
        for (t, what), end in zip(best_steps, ends, strict=True):
            print(f"  {end - t:6.2f} s  {what}")
        if before is not None:
            same = [(o.option, o.start) for o in old.options] == [
                (o.option, o.start) for o in result.options
            ]
            print(
                f"as one MILP (before): {before:.1f} s, {before / best:.1f}x the time; same "
                f"starts: {same}; NPV {old.npv_cny / 1e9:,.4f} vs {result.npv_cny / 1e9:,.4f} "
                "bn CNY; same explanation: "
                f"{old.explanation == result.explanation}"
            )
        gap = (result.stochastic or {}).get("optimality_gap")
        if gap:
            lo, hi = gap["gap_cny_ci95"]
            oos = result.stochastic["out_of_sample"]
            print(
                f"optimality gap ({gap['batches']} batches x {gap['scenarios_per_batch']}): "
                f"{gap['gap_cny_mean'] / 1e9:,.3f} bn CNY, 95% CI {lo / 1e9:,.3f} to "
                f"{hi / 1e9:,.3f}; NPV {result.npv_cny / 1e9:,.3f} bn CNY; out of sample "
                f"P(target) {oos['p_target']:.3f} (95% CI {oos['p_target_ci95'][0]:.3f} to "
                f"{oos['p_target_ci95'][1]:.3f})"
            )
        elif result.explanation:
            print(result.explanation)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--saa", type=int, default=0, help="also an SAA plan with N scenarios")
    parser.add_argument("--saa-repeats", type=int, default=3, help="best of this many")
    parser.add_argument(
        "--saa-milp",
        action="store_true",
        help="also time the SAA solved as one MILP, as before (minutes)",
    )
    parser.add_argument("--saa-only", action="store_true", help="skip the deterministic plans")
    args = parser.parse_args()
    if not args.saa_only:
        deterministic()
    if args.saa:
        saa(args.saa, args.saa_repeats, args.saa_milp)
