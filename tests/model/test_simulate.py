"""The fused simulator against the stage functions composed by hand, path by path."""

import numpy as np
import pytest

from evlaunch.model.demand import demand_multiplier, roadmap_orders
from evlaunch.model.finance import (
    cumulative_cost_cny,
    npv_cny,
    peak_cash_need_cny,
)
from evlaunch.model.fulfil import Fulfilment
from evlaunch.model.outcomes import SalesMeasure, sales_outcomes
from evlaunch.model.simulate import ARRAYS, simulate
from evlaunch.scenario.inputs import central_params
from evlaunch.scenario.load import load_scenario
from evlaunch.scenario.months import months_between
from evlaunch.scenario.schema import Expansion, Model


def composed(s, params, options):
    """The model written out stage by stage with the public array functions."""
    months = s.horizon_months
    grid = np.arange(months)
    mk = {k.split(".", 1)[1]: v for k, v in params.items() if k.startswith("market.")}
    x = demand_multiplier(
        mk["price_cny"],
        s.market.reference_price_cny,
        mk["price_elasticity"],
        s.market.seasonality,
        (8 + grid) % 12,  # grid starts in September
        grid >= months_between(s.start, s.market.launch),
    )
    # the roadmap: the first car (x opens it) and the later models, each opening at its
    # planned launch plus its slip
    later = [
        {k.rsplit(".", 1)[1]: v for k, v in params.items() if k.startswith(f"models.{m.name}.")}
        for m in s.models
    ]
    factor = [
        (md["price_cny"] / m.reference_price_cny) ** mk["price_elasticity"]
        for md, m in zip(later, s.models, strict=True)
    ]
    opens = [
        grid[None, :] >= months_between(s.start, m.launch) + md["launch_slip_months"][:, None]
        for md, m in zip(later, s.models, strict=True)
    ]
    season = np.asarray(s.market.seasonality)[(8 + grid) % 12]
    multiplier = np.stack(
        [x] + [f[:, None] * season[None, :] * o for f, o in zip(factor, opens, strict=True)],
        axis=1,
    )

    def of_models(field, first):
        return np.stack([first] + [md[field] for md in later], axis=1)

    by_model = roadmap_orders(
        of_models("bass_p_per_year", mk["bass_p_per_year"]) / 12,
        of_models("bass_q_per_year", mk["bass_q_per_year"]) / 12,
        of_models("addressable_market_vehicles", mk["addressable_market_vehicles"]),
        multiplier,
        of_models("cannibalisation", np.zeros_like(mk["price_cny"])),
    )
    orders = by_model.sum(axis=1)
    price = of_models("price_cny", mk["price_cny"])
    unit_cost = np.stack(
        [params["finance.unit_cost_cny"]]
        + [md.get("unit_cost_cny", params["finance.unit_cost_cny"]) for md in later],
        axis=1,
    )
    open_by_model = np.zeros(price.shape)
    # lines: options building the same models, the most dedicated served first
    names = [s.market.model_name] + [m.name for m in s.models]
    builds = {n: tuple(m in (s.option(n).builds or names) for m in names) for n in options}
    line_sets = sorted(set(builds.values()), key=lambda b: (sum(b), b))
    revenue = np.zeros(orders.shape)
    per = {
        name: {
            k.rsplit(".", 1)[1]: v for k, v in params.items() if k.startswith(f"options.{name}.")
        }
        for name in options
    }
    paths = orders.shape[0]
    start, sop, shift_at, streak = {}, {}, {}, {}
    for name in options:
        planned = np.full(paths, float(months_between(s.start, s.option(name).start)))
        ruled = s.expansion(name) is not None
        start[name] = np.full(paths, np.inf) if ruled else planned
        sop[name] = start[name] + per[name]["lead_time_months"]
        shift_at[name], streak[name] = np.full(paths, np.inf), np.zeros(paths)
    capacity = np.zeros((paths, months))
    deliveries, backlog = np.zeros((paths, months)), np.zeros((paths, months))
    fee_cost, spend = np.zeros((paths, months)), np.zeros((paths, months))
    served_cost_ratio = np.zeros((paths, months))  # deliveries weighted by unit cost ratio
    rate = mk["backlog_cancel_rate_per_month"]
    for t in range(months):
        line_capacity = {b: np.zeros(paths) for b in line_sets}
        line_fees = {b: np.zeros(paths) for b in line_sets}
        for name in options:
            o = per[name]
            full = o["capacity_per_year"] * o["share_available"] / 12
            x = np.clip((t + 0.5 - sop[name]) / o["ramp_months"], 0, 1)
            nameplate = full * x * x * (3 - 2 * x)  # the smoothstep of ramp.py
            c = nameplate * np.where(t >= shift_at[name], o["max_utilisation"], 1.0)
            capacity[:, t] += c
            line_capacity[builds[name]] += c
            line_fees[builds[name]] += c * o["fee_per_vehicle_cny"]
            line_fees[builds[name]] += (c - nameplate) * o["above_nameplate_cost_per_vehicle_cny"]
            lead = np.maximum(o["lead_time_months"], 1.0)
            capex_share = np.clip(
                np.minimum(t + 1, start[name] + lead) - np.maximum(t, start[name]), 0, 1
            )
            spend[:, t] += o["capex_cny"] / lead * capex_share
            running = np.clip(t + 1 - np.maximum(t, sop[name]), 0, 1)
            spend[:, t] += o["fixed_cost_per_year_cny"] / 12 * running
        open_by_model += by_model[:, :, t]
        served = np.zeros_like(open_by_model)
        for b in line_sets:
            mask = np.array(b, dtype=float)
            left = (open_by_model - served) * mask
            wanted = left.sum(axis=1)
            taken = np.minimum(line_capacity[b], wanted)
            got = np.divide(
                taken[:, None] * left,
                wanted[:, None],
                out=np.zeros_like(left),
                where=wanted[:, None] > 0,
            )
            served += got
            fee_cost[:, t] += np.divide(
                got.sum(axis=1) * line_fees[b],
                line_capacity[b],
                out=np.zeros(paths),
                where=line_capacity[b] > 0,
            )
        deliveries[:, t] = served.sum(axis=1)
        served_cost_ratio[:, t] = (served * unit_cost / unit_cost[:, :1]).sum(axis=1)
        revenue[:, t] = (served * price).sum(axis=1)
        open_by_model = (open_by_model - served) * (1 - rate)[:, None]
        waiting = open_by_model.sum(axis=1)
        backlog[:, t] = waiting
        for name in options:  # end-of-month decisions, written out again
            o, rule = per[name], s.expansion(name)
            piled = waiting > s.option(name).shift_backlog_months * capacity[:, t]
            call = np.isinf(shift_at[name]) & (o["max_utilisation"] > 1) & (t + 0.5 >= sop[name])
            shift_at[name] = np.where(
                call & piled & (waiting > 0), t + 1 + o["shift_months"], shift_at[name]
            )
            if rule is not None:
                waiting_long = (waiting > rule.backlog_months_above * capacity[:, t]) & (
                    waiting > 0
                )
                streak[name] = np.where(waiting_long, streak[name] + 1, 0)
                earliest = months_between(s.start, rule.not_before) if rule.not_before else 0
                fire = (
                    np.isinf(start[name]) & (streak[name] >= rule.for_months) & (t + 1 >= earliest)
                )
                start[name] = np.where(fire, t + 1.0, start[name])
                sop[name] = start[name] + o["lead_time_months"]
    flow = Fulfilment(deliveries, backlog, None)
    d = flow.deliveries
    fin = {k.split(".", 1)[1]: v[:, None] for k, v in params.items() if k.startswith("finance.")}
    variable = np.diff(
        cumulative_cost_cny(
            np.cumsum(d, axis=1),
            fin["unit_cost_cny"],
            fin["learning_rate"],
            s.finance.learning_reference_units,
        ),
        axis=1,
        prepend=0.0,
    )
    variable *= np.divide(served_cost_ratio, d, out=np.ones_like(d), where=d > 0)
    commits = np.stack([start[n] for n in options], axis=1)
    company = (
        s.company.headcount * params["company.cost_per_head_per_year_cny"]
        + params["company.other_fixed_cost_per_year_cny"]
    )[:, None] / 12
    cash = revenue - variable - fee_cost - spend - company
    return orders, capacity, flow, cash, commits


@pytest.fixture(scope="module")
def xiaomi():
    return load_scenario()[0]


@pytest.fixture(scope="module")
def expanding(xiaomi):
    """Xiaomi with phase II committed by the order book and shifts on every plant."""
    options = [
        o.model_copy(
            update={
                "max_utilisation": 1.4,
                "shift_months": 4,
                "above_nameplate_cost_per_vehicle_cny": 3000,
            }
        )
        for o in xiaomi.options
    ]
    # the partner line builds the first car only; the own plant builds both
    options[0] = options[0].model_copy(update={"builds": [xiaomi.market.model_name]})
    rule = Expansion(option="Own plant phase II", backlog_months_above=2, for_months=3)
    second = Model(
        name="second",
        launch="2025-06",
        launch_slip_months=3.5,
        addressable_market_vehicles=2e6,
        bass_p_per_year=0.02,
        bass_q_per_year=0.5,
        price_cny=250_000,
        reference_price_cny=240_000,
        cannibalisation=0.3,
        unit_cost_cny=260_000,
    )
    return xiaomi.model_copy(update={"options": options, "expansions": [rule], "models": [second]})


@pytest.mark.parametrize("case", ["xiaomi", "expanding"])
def test_fused_simulator_equals_the_composed_stages(case, request):
    xiaomi = request.getfixturevalue(case)
    rng = np.random.default_rng(7)
    base = central_params(xiaomi)
    params = {k: v * rng.uniform(0.8, 1.2, 64) for k, v in base.items()}
    params["finance.learning_rate"] = np.clip(params["finance.learning_rate"], 0.6, 1.0)
    params["market.backlog_cancel_rate_per_month"] = np.clip(
        params["market.backlog_cancel_rate_per_month"], 0, 1
    )
    for k in params:
        if k.endswith("share_available"):
            params[k] = np.clip(params[k], 0, 1)
        if k.endswith("max_utilisation"):
            params[k] = np.maximum(params[k], 1.0)
    names = [o.name for o in xiaomi.options]
    paths = simulate(xiaomi, params, names)
    orders, capacity, flow, cash, commits = composed(xiaomi, params, names)
    np.testing.assert_array_equal(paths.commit_month, commits)
    np.testing.assert_allclose(paths.orders, orders, rtol=1e-12, atol=1e-9)
    if xiaomi.models:  # the second model sells on some paths, and takes from the first
        assert (paths.deliveries_by_model[:, 1].sum(axis=1) > 0).all()
    np.testing.assert_allclose(paths.capacity, capacity, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(paths.deliveries, flow.deliveries, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(paths.backlog, flow.backlog, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(paths.cash_flow_cny, cash, rtol=1e-9, atol=1e-3)
    np.testing.assert_allclose(
        paths.npv_cny, npv_cny(cash, params["finance.discount_rate_per_year"]), rtol=1e-9
    )
    np.testing.assert_allclose(paths.peak_cash_need_cny, peak_cash_need_cny(cash), rtol=1e-9)


def test_keeping_fewer_trajectories_changes_nothing_measured(xiaomi):
    params = {k: np.repeat(v, 10) for k, v in central_params(xiaomi).items()}
    full = simulate(xiaomi, params, ["FAW Group"])
    lean = simulate(xiaomi, params, ["FAW Group"], keep=0)
    assert lean.orders.shape == (0, xiaomi.horizon_months)
    np.testing.assert_array_equal(full.deliveries, lean.deliveries)
    np.testing.assert_array_equal(full.npv_cny, lean.npv_cny)


def test_a_run_written_into_an_earlier_runs_arrays_is_the_same_run():
    from evlaunch.risk.sampling import Sampler

    s, _ = load_scenario()
    options = [o.name for o in s.options[:2]]
    draw = Sampler(s, 0, "lhs")
    big = simulate(s, draw.params(0, 300), options, keep=0)
    fresh = simulate(s, draw.params(300, 500), options, keep=0)
    reused = simulate(s, draw.params(300, 500), options, keep=0, into=big)
    assert np.shares_memory(reused.deliveries, big.deliveries)
    for name in ("deliveries", "npv_cny", "peak_cash_need_cny", "shift_month", "commit_month"):
        np.testing.assert_array_equal(getattr(reused, name), getattr(fresh, name), err_msg=name)
    # too small to hold the run: fresh arrays
    assert not np.shares_memory(
        simulate(s, draw.params(0, 400), options, into=reused).deliveries, big.deliveries
    )


def test_a_paths_numbers_do_not_depend_on_its_block_its_lane_or_the_threads():
    # the kernel steps 64 paths together, the blocks split between threads: the same paths
    # run shifted by 37 (every path in another lane, most in another block) and on one
    # thread give the same numbers to the bit, decisions included
    import numba

    from evlaunch.risk.sampling import Sampler

    s, _ = load_scenario()
    options = [o.name for o in s.options]
    params = Sampler(s, 0, "lhs").params(0, 300)
    whole = simulate(s, params, options)
    shifted = simulate(s, {k: np.broadcast_to(v, (300,))[37:] for k, v in params.items()}, options)
    before = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        alone = simulate(s, params, options)
    finally:
        numba.set_num_threads(before)
    assert (whole.commit_month < np.inf).any() or (whole.shift_month < np.inf).any()
    for name in ("deliveries", "npv_cny", "cash_flow_cny", "shift_month", "commit_month"):
        np.testing.assert_array_equal(getattr(shifted, name), getattr(whole, name)[37:], name)
        np.testing.assert_array_equal(getattr(alone, name), getattr(whole, name), name)


@pytest.mark.parametrize("lines", ["one line", "two lines"])
def test_models_not_yet_on_sale_are_left_out_to_the_bit(lines):
    # a block's month leaves out the models no lane has on sale yet (their orders,
    # deliveries and sales are nothing) and, while no lane delivers, the learning curve:
    # each block's first lane launched a year early makes its block run them sooner, and
    # every other path's numbers are the same to the bit as in blocks that left them out
    from evlaunch.model.arguments import kernel_inputs
    from evlaunch.risk.sampling import Sampler

    s, _ = load_scenario()
    if lines == "two lines":  # the second phase builds the first car alone
        second = s.options[-1].model_copy(update={"builds": [s.market.model_name]})
        s = s.model_copy(update={"options": [*s.options[:-1], second]})
    options = [o.name for o in s.options]
    params = Sampler(s, 0, "lhs").params(0, 256)
    inputs = kernel_inputs(s, params, options)
    early = {**inputs, "launch_month": inputs["launch_month"].copy()}
    early["launch_month"][:, ::64] -= 12.0
    measure = SalesMeasure(s.target.deliveries, s.target.window_months)
    quiet = simulate(s, params, options, inputs=inputs, measure=measure)
    busy = simulate(s, params, options, inputs=early, measure=measure)
    others = np.arange(256) % 64 != 0
    # the first lanes sell each model (the first car, the second) before any other lane
    for k in range(2):
        first_sale = (quiet.orders_by_model[:, k] > 0).argmax(axis=1)
        assert (busy.orders_by_model[::64, k, : first_sale.min()] > 0).any()
    assert (quiet.deliveries[:, :12] == 0).all()
    for name in ARRAYS:
        got, expected = getattr(busy, name)[others], getattr(quiet, name)[others]
        np.testing.assert_array_equal(got, expected, err_msg=name)
    np.testing.assert_array_equal(
        busy.sales.months_to_target[others], quiet.sales.months_to_target[others]
    )


def test_sales_measured_in_the_kernel_equal_those_measured_from_the_months():
    # the Monte Carlo has the kernel measure each path's sales from its block's months and
    # keeps the months of its first paths only: the same numbers as measuring them after
    from evlaunch.risk.sampling import Sampler

    s, _ = load_scenario()
    options = [o.name for o in s.options]
    params = Sampler(s, 3, "lhs").params(0, 300)
    measure = SalesMeasure(s.target.deliveries / 3, s.target.window_months, (1, 12, 24, 200))
    whole = simulate(s, params, options, keep=0)
    measured = simulate(s, params, options, keep=0, measure=measure, kept_deliveries=70)
    expected = sales_outcomes(whole.deliveries, *measure)
    assert measured.deliveries.shape == (70, s.horizon_months)
    np.testing.assert_array_equal(measured.deliveries, whole.deliveries[:70])
    assert 0 < expected.hit.mean() < 1 and (expected.first_delivery_month > 0).all()
    for name in ("first_delivery_month", "months_to_target", "hit", "window_truncated"):
        np.testing.assert_array_equal(getattr(measured.sales, name), getattr(expected, name))
    assert (
        measured.sales.cumulative_at.keys() == expected.cumulative_at.keys() == {1, 12, 24, 36, 200}
    )
    for k, values in expected.cumulative_at.items():
        np.testing.assert_array_equal(measured.sales.cumulative_at[k], values, err_msg=str(k))
    np.testing.assert_array_equal(measured.npv_cny, whole.npv_cny)
