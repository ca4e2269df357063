"""The planning MILP per model of the roadmap: what each option can build, each model's own
price and unit cost on the brand's learning curve, solved by hand; and a scenario without
later models planned exactly as before."""

import copy
import json
from dataclasses import replace

import numpy as np
import pytest
import yaml

from evlaunch.plan.inputs import PlanInputs, plan_inputs
from evlaunch.plan.milp import Settings
from evlaunch.plan.result import ProductionPlan, monthly_csv
from evlaunch.plan.solve import Deadline, plan, solve_inputs
from evlaunch.scenario.inputs import central_params
from evlaunch.scenario.load import bundled_text, parse_scenario
from evlaunch.typed import from_dict

BUNDLED = yaml.safe_load(bundled_text())


def two_models(**changes) -> PlanInputs:
    """Models X and Y; options A (builds X only, 60 a month, fee 1, capex 100 in month 1)
    and B (builds Y only, 80 a month, fee 3). Three months; orders X 100 and Y 50 a month;
    prices X 10 and Y 12; unit cost 4 for both (no learning); no cancellation, no
    discounting."""
    inputs = PlanInputs(
        months=3,
        options=["A", "B"],
        models=["X", "Y"],
        builds=np.array([[True, False], [False, True]]),
        option_of=np.array([0, 1]),
        start_of=np.array([0, 0]),
        recourse=np.array([False, False]),
        requires=[],
        orders=np.array([[[100.0] * 3, [50.0] * 3]]),
        cancel_rate=np.array([0.0]),
        price_cny=np.array([[10.0, 12.0]]),
        capacity=np.array([[[60.0] * 3, [80.0] * 3]]),
        above=np.zeros((1, 2, 3)),
        above_cost_cny=np.zeros((1, 2)),
        committed=np.zeros((1, 2, 3)),
        spend_cny=np.array([[[100.0, 0, 0], [0.0, 0, 0]]]),
        fee_cny=np.array([[1.0, 3.0]]),
        company_cny=np.array([0.0]),
        discount=np.ones((1, 3)),
        window=np.ones(3, bool),
        target=0.0,
        unit_cost_cny=np.array([[4.0, 4.0]]),
        learning_rate=np.array([1.0]),
        reference_units=1.0,
    )
    return replace(inputs, **changes)


def solved(data, settings=None):
    return solve_inputs(data, settings or Settings(), Deadline.after(60))


def test_an_option_builds_only_its_models_by_hand():
    # A can make only X: 60 a month of X's 100 orders, margin 10 - 4 - 1 = 5. B can make
    # only Y: Y's 50 a month of its 80, margin 12 - 4 - 3 = 5; its 30 a month to spare
    # cannot make X, whose backlog grows by 40 a month. NPV = 180 x 5 - 100 + 150 x 5 = 1,550
    # (shipping vehicles, not models, the plan would deliver 140 a month, not 110). A is at
    # capacity every month; Y's orders wait at no cost, so when B makes them is left open.
    data = two_models()
    r = solved(data)
    x, v = r.x, r.variables
    np.testing.assert_allclose(x[v.make][0, 0], [60] * 3, atol=1e-6)
    np.testing.assert_allclose(x[v.make][0].sum(axis=1), [180, 150], atol=1e-6)
    assert v.made.size == 0  # each option builds one model: no mix to choose
    by_model = data.lines.by_model(x[v.make], x[v.made], 2)[0]
    np.testing.assert_allclose(by_model, x[v.make][0], atol=1e-9)
    volumes = data.lines.option_volumes(x[v.make], x[v.made], 2)
    np.testing.assert_allclose(volumes, [[180, 0], [0, 150]], atol=1e-6)  # A never makes Y
    np.testing.assert_allclose(x[v.ship][0].sum(axis=1), [180, 150], atol=1e-6)
    np.testing.assert_allclose(x[v.wait][0, :, -1], [120, 0], atol=1e-6)
    np.testing.assert_allclose(x[v.cash][0, -1], 1550 / 1e6, rtol=1e-9)


def test_a_flexible_option_makes_the_mix_that_pays_best_by_hand():
    # B builds both (80 a month, fee 3): Y earns 12 - 4 - 3 = 5 on B, X 10 - 4 - 3 = 3 on B
    # and 5 on A. Both at capacity: A makes 180 X; B makes Y's 150 and 90 more X.
    # NPV = 180 x 5 - 100 + 150 x 5 + 90 x 3 = 1,820.
    data = two_models(builds=np.array([[True, False], [True, True]]))
    r = solved(data)
    x, v = r.x, r.variables
    np.testing.assert_allclose(x[v.make][0], [[60] * 3, [80] * 3], atol=1e-6)
    np.testing.assert_allclose(x[v.made][0].sum(axis=1), [90, 150], atol=1e-6)  # B's: X, Y
    volumes = data.lines.option_volumes(x[v.make], x[v.made], 2)
    np.testing.assert_allclose(volumes, [[180, 0], [90, 150]], atol=1e-6)
    np.testing.assert_allclose(x[v.ship][0].sum(axis=1), [270, 150], atol=1e-6)
    np.testing.assert_allclose(x[v.cash][0, -1], 1820 / 1e6, rtol=1e-9)


def test_the_backlog_limit_is_on_every_models_backlog_together():
    # B makes only 30 of Y's 50 a month: at the end at least 300 - 180 = 120 X and
    # 150 - 90 = 60 Y wait, 180 together. A limit of 150 cannot be met, though each model's
    # own backlog stays below it; 180 can, with both options at capacity.
    data = two_models(capacity=np.array([[[60.0] * 3, [30.0] * 3]]))
    assert solved(data, Settings(max_backlog_vehicles=150.0)).x is None
    r = solved(data, Settings(max_backlog_vehicles=180.0))
    wait = r.x[r.variables.wait][0]
    np.testing.assert_allclose(wait[:, -1], [120, 60], atol=1e-6)
    assert (wait.sum(axis=0) <= 180 + 1e-6).all()


def test_each_model_costs_its_own_unit_cost_on_the_brands_learning_curve_by_hand():
    # One option builds both, 100 a month for four months, fee 1. Orders X 50 and Y 100 a
    # month; prices X 10, Y 12; costs at the reference volume (1 car) X 40, Y 80; learning
    # rate 2^-0.5, so b = -0.5 and N cars cost c (1 + (N^0.5 - 1) / 0.5) = c (2 sqrt(N) - 1).
    # The brand builds 400 (capacity binds: both margins stay positive), so each car costs
    # (2 x 20 - 1) / 400 = 0.0975 of its reference: X 3.9, Y 7.8; margins X 10 - 3.9 - 1 = 5.1,
    # Y 12 - 7.8 - 1 = 3.2. X first: its 200 orders, then 200 of Y's 400.
    # NPV = 200 x 5.1 + 200 x 3.2 = 1,660. (At an average price of 11 and cost 5.85, or on
    # each model's own curve, 200 cars: 0.1364 of the reference, it would differ.)
    data = two_models(
        months=4,
        builds=np.ones((1, 2), bool),
        options=["A"],
        option_of=np.array([0]),
        start_of=np.array([0]),
        recourse=np.array([False]),
        orders=np.array([[[50.0] * 4, [100.0] * 4]]),
        capacity=np.full((1, 1, 4), 100.0),
        above=np.zeros((1, 1, 4)),
        above_cost_cny=np.zeros((1, 1)),
        committed=np.zeros((1, 1, 4)),
        spend_cny=np.zeros((1, 1, 4)),
        fee_cny=np.array([[1.0]]),
        discount=np.ones((1, 4)),
        window=np.ones(4, bool),
        unit_cost_cny=np.array([[40.0, 80.0]]),
        learning_rate=np.array([2**-0.5]),
    )
    r = solved(data)
    x, v = r.x, r.variables
    assert r.learning_settled
    np.testing.assert_allclose(r.unit_cost_cny, [[3.9, 7.8]], rtol=1e-9)
    np.testing.assert_allclose(x[v.made][0].sum(axis=1), [200, 200], atol=1e-6)
    np.testing.assert_allclose(x[v.ship][0].sum(axis=1), [200, 200], atol=1e-6)
    np.testing.assert_allclose(x[v.cash][0, -1], 1660 / 1e6, rtol=1e-9)


def test_a_scenario_builds_each_model_where_its_options_can_and_at_its_own_price_and_cost():
    data = copy.deepcopy(BUNDLED)
    data["models"][0].update(price_cny=300000, reference_price_cny=300000, unit_cost_cny=200000)
    data["options"][2]["builds"] = ["first model"]  # Own plant phase I
    data["options"][3]["builds"] = ["second model"]  # Own plant phase II
    scenario = parse_scenario(yaml.safe_dump(data), "yaml")
    inputs = plan_inputs(scenario, central_params(scenario), [o.name for o in scenario.options])
    np.testing.assert_array_equal(inputs.price_cny, [[235900, 300000]])
    np.testing.assert_array_equal(inputs.unit_cost_cny, [[230000, 200000]])
    assert inputs.builds.tolist() == [[True, True], [True, True], [True, False], [False, True]]
    result = plan(scenario)
    volumes = {o.option: o.volume_by_model for o in result.options}
    assert set(volumes["Own plant phase I"]) == {"first model"}
    assert set(volumes["Own plant phase II"]) == {"second model"}
    phase1 = volumes["Own plant phase I"]["first model"]
    assert phase1 == pytest.approx(sum(result.production["Own plant phase I"])) and phase1 > 0
    # the totals are the models' sums, month by month
    for total, by_model in (
        ([sum(m) for m in zip(*result.production.values(), strict=True)], "production"),
        (result.deliveries, "deliveries"),
        (result.backlog, "backlog"),
        (result.orders, "orders"),
    ):
        per_model = getattr(result, f"{by_model}_by_model").values()
        np.testing.assert_allclose([sum(m) for m in zip(*per_model, strict=True)], total, atol=1e-6)
    # the second model's price and cost: what the MILP charged it is the first car's times
    # 200,000 / 230,000 (one learning curve)
    cost = result.unit_cost_by_model_cny
    assert cost["second model"] / cost["first model"] == pytest.approx(200000 / 230000)
    head = monthly_csv(result).splitlines()[0].split(",")
    assert {"production of second model", "deliveries of first model"} <= set(head)


def test_a_scenario_without_models_is_planned_as_before():
    # The bundled scenario without its second model, planned by main before the MILP
    # planned per model (commit 915aebe): the same MILP, so the same plan. Its rows: one
    # "started by" monotonicity row per candidate after an option's first (96) in place of
    # one "starts once" row per option (4), since the MILP branches on started-by binaries.
    data = copy.deepcopy(BUNDLED)
    data.pop("models")
    result = plan(parse_scenario(yaml.safe_dump(data), "yaml"))
    assert (result.variables, result.constraints) == (1444, 1709 - 4 + 96)
    assert result.npv_cny == pytest.approx(23800209162.361393, rel=1e-9)
    assert result.window_deliveries == pytest.approx(591024.6300669195, rel=1e-9)
    assert result.unit_cost_cny == pytest.approx(134124.95824450246, rel=1e-9)
    made = {name: sum(v) for name, v in result.production.items()}
    expected = {
        "FAW Group": 185443.88258166204,
        "Great Wall Motor": 180154.79952549833,
        "Own plant phase I": 641922.1011973851,
        "Own plant phase II": 0.0,
    }
    assert made == pytest.approx(expected, rel=1e-9, abs=1e-6)
    starts = {o.option: o.start for o in result.options}
    assert starts == {
        "FAW Group": "2022-01",
        "Great Wall Motor": "2024-01",
        "Own plant phase I": "2021-11",
        "Own plant phase II": None,
    }
    assert list(result.production_by_model) == ["first model"]
    assert result.production_by_model["first model"] == pytest.approx(
        [sum(m) for m in zip(*result.production.values(), strict=True)], abs=1e-9
    )
    # one model: the monthly CSV has the columns it always had
    assert "of first model" not in monthly_csv(result)
    # and a plan stored before plans were per model (no per-model fields) still reads
    stored = result.to_dict()
    for key in [k for k in stored if "_by_model" in k]:
        del stored[key]
    for option in stored["options"]:
        del option["volume_by_model"]
    again = from_dict(ProductionPlan, json.loads(json.dumps(stored)))
    assert again.monthly_by_model() == {} and monthly_csv(again) == monthly_csv(result)
