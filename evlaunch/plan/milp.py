"""The planning MILP: which options to start and when, and per model of the roadmap,
production, inventory, deliveries and backlog per month and per scenario.

Variables (k scenario, y candidate start, j option, m model, t month; q a pair of a line
that builds several models and one of them, a line being the options that build the same
models, as in the simulator):
  started[y]      binary, option j(y) has started by month s(y) (at s(y) or an earlier
                  candidate): non-decreasing over an option's candidates, so it starts at
                  most once, at y where started[y] - started[y-1] = 1 (``start_values``);
                  committed now, the same in every scenario (first stage)
  started[k, y]   the same, decided per scenario (second stage: candidates of an option
                  under an expansion rule, in a plan over several scenarios)
  make[k, j, t]   production of every model the option builds (`builds`); an option that
                  builds one model makes that model
  made[k, q, t]   production of model m(q) on line g(q): its models' sum is its options' make
  paid[k, j, t]   volume the fee is paid on: the option's production, and at least its
                  take-or-pay
  extra[k, j, t]  the option's production above nameplate (a shift, from shift_months after
                  SOP, up to max_utilisation; it costs above_nameplate_cost_per_vehicle_cny
                  more)
  ship[k, m, t]   deliveries               wait[k, m, t]  backlog at the end of month t
  stock[k, m, t]  finished vehicles        cash[k, t]     cumulative cash
  meet[k]         binary, scenario k meets the target (chance-constrained plans only)

Each model's backlog follows the simulator exactly: wait[t] = (1 - c) (wait[t-1] +
orders[t] - ship[t]); a delivery earns its model's price. The learning curve is the brand's
and concave, so the MILP charges a constant cost per vehicle of each model: its reference
cost times the learning-curve average over the plan's own output of every model, found by
re-solving until it settles. Which option builds which model is the MILP's choice, where the
simulator shares a line's output in proportion to the models' open orders.

Why "started by" rather than "starts at" binaries: the two describe the same plans and the
same LP relaxation (start = started[y] - started[y-1] is unimodular), but HiGHS branches on
variables, and branching on "started by month s" splits an option's candidate months in two
(an SOS1 branch) where "starts at month s" fixes one month and leaves 24: the bundled plan
needs a tenth of the nodes. A coefficient c[y] on start[y] is c[y] - c[y+1] on started[y]
(``_by_started``), which is zero outside the months where the two starts differ (the ramp).
A plan of one scenario is searched by our own branch and bound on these binaries
(``branch.py``), HiGHS solving its LPs; the rest by HiGHS's MILP.
"""

from dataclasses import dataclass, replace

import numpy as np

from .inputs import PlanInputs
from .lp import HIGHS_MIP_OPTIONS, MIP_REL_GAP, LinearProgram

MONEY = 1e6  # money rows and the objective in millions of CNY keep HiGHS well scaled


@dataclass(frozen=True)
class Settings:
    objective: str = "max_npv"  # or min_cost, and to explain: max_window, max_meet
    require_target: bool = False  # deterministic: every scenario meets the target
    target_probability: float | None = None  # stochastic: share of scenarios that meet it
    max_backlog_vehicles: float | None = None
    cash_limit_cny: float | None = None
    fixed_starts: np.ndarray | None = None  # (Y,) 0/1: evaluate a given first stage
    relax: frozenset = frozenset()  # constraint families left out: capacity, demand, ...
    mip_rel_gap: float = MIP_REL_GAP  # HiGHS stops within this of the best bound
    highs: tuple = tuple(HIGHS_MIP_OPTIONS.items())  # HiGHS options (name, value)


@dataclass(frozen=True)
class Variables:
    started: np.ndarray  # (K, Y): the first-stage index repeated for every scenario
    make: np.ndarray
    made: np.ndarray
    extra: np.ndarray
    paid: np.ndarray
    ship: np.ndarray
    wait: np.ndarray
    stock: np.ndarray
    cash: np.ndarray
    meet: np.ndarray | None


def build(data: PlanInputs, unit_cost_cny: np.ndarray, s: Settings):
    """The MILP as a ``LinearProgram`` and its variable index blocks, charging
    ``unit_cost_cny`` (K, M) a vehicle of each model; no Python loop over months, options,
    models, candidate starts or scenarios."""
    lp = LinearProgram()
    v = _variables(lp, data, s)
    _starts(lp, data, v)
    _production(lp, data, s, v)
    _vehicles(lp, data, s, v)
    unit = np.asarray(unit_cost_cny, float) / MONEY
    _cash(lp, data, unit, v)
    v = replace(v, meet=_target(lp, data, s, v))
    _objective(lp, data, s, unit, v)
    return lp, v


def _variables(lp: LinearProgram, data: PlanInputs, s: Settings) -> Variables:
    K, M, T = data.orders.shape
    Y, J, Q = data.option_of.size, len(data.options), data.lines.pair_model.size
    first, later = ~data.recourse, data.recourse
    bounds = (0, 1)
    if s.fixed_starts is not None:  # started by s(y): the option's starts up to y
        by = _cumulative(data, np.asarray(s.fixed_starts, float))[first]
        bounds = (by, by)
    started = np.empty((K, Y), dtype=np.int64)
    started[:, first] = lp.variables(int(first.sum()), *bounds, integer=s.fixed_starts is None)[
        None, :
    ]
    started[:, later] = lp.variables((K, int(later.sum())), 0, 1, integer=True)
    make = lp.variables((K, J, T))
    extra, paid = (lp.variables((K, J, T)) for _ in range(2))
    ship = lp.variables((K, M, T))
    # Without the demand limit the backlog may go negative: shipping ahead of orders. One
    # model's backlog limit is its bound; several models' is a row (``_vehicles``).
    limit = s.max_backlog_vehicles if "backlog" not in s.relax else None
    wait = lp.variables(
        (K, M, T),
        -np.inf if "demand" in s.relax else 0.0,
        limit if limit and M == 1 else np.inf,
    )
    stock = lp.variables((K, M, T))
    cash_floor = (
        -s.cash_limit_cny / MONEY if s.cash_limit_cny and "cash" not in s.relax else -np.inf
    )
    cash = lp.variables((K, T), cash_floor)
    made = lp.variables((K, Q, T))
    return Variables(started, make, made, extra, paid, ship, wait, stock, cash, None)


def _starts(lp: LinearProgram, data: PlanInputs, v: Variables) -> None:
    """Each option starts at most once (started never falls back over its candidates); an
    option starts no earlier than what it requires, in every scenario (all alike, so written
    once, unless some starts are per scenario)."""
    stages = v.started if data.recourse.any() else v.started[:1]
    previous = _previous(data)
    later = np.flatnonzero(previous >= 0)
    once = lp.constraints((stages.shape[0], later.size), lo=0.0)
    lp.add(once, stages[:, later])
    lp.add(once, stages[:, previous[later]], -1.0)
    for j, r in data.requires:
        months = np.unique(data.start_of[data.option_of == j])
        rows = lp.constraints((stages.shape[0], months.size), lo=0.0)
        for option, sign in ((r, 1.0), (j, -1.0)):
            early = (data.option_of == option)[None, :] & (
                data.start_of[None, :] <= months[:, None]
            )  # (months, Y): start[y] counts; started by the last such y says it
            lp.add(rows[:, :, None], stages[:, None, :], sign * _by_started(data, early, 1))


def _production(lp: LinearProgram, data: PlanInputs, s: Settings, v: Variables) -> None:
    """Production within the nameplate its start gives, and what a shift adds, in every
    scenario and month; the fee is paid on production, and at least on take-or-pay. A line
    of several models makes of them as much as its options make."""
    K, _, T = data.orders.shape
    J = len(data.options)
    if "capacity" not in s.relax:
        cap = lp.constraints((K, J, T), hi=0.0)
        lp.add(cap, v.make)
        lp.add(cap, v.extra, -1.0)
        lp.add(cap[:, data.option_of, :], v.started[:, :, None], -_by_started(data, data.capacity))
        shift = lp.constraints((K, J, T), hi=0.0)
        lp.add(shift, v.extra)
        lp.add(shift[:, data.option_of, :], v.started[:, :, None], -_by_started(data, data.above))
    over_make = lp.constraints((K, J, T), lo=0.0)
    lp.add(over_make, v.paid)
    lp.add(over_make, v.make, -1.0)
    over_min = lp.constraints((K, J, T), lo=0.0)
    lp.add(over_min, v.paid)
    lp.add(
        over_min[:, data.option_of, :], v.started[:, :, None], -_by_started(data, data.committed)
    )
    lines = data.lines
    several = lines.line_of >= 0
    mix = lp.constraints((K, lines.count, T), 0.0, 0.0)
    lp.add(mix[:, lines.pair_line, :], v.made)
    lp.add(mix[:, lines.line_of[several], :], v.make[:, several, :], -1.0)


def _vehicles(lp: LinearProgram, data: PlanInputs, s: Settings, v: Variables) -> None:
    """Each model's finished vehicles in stock, its backlog that waits and cancels, and its
    shipments no larger than its open orders; several models' backlog within the limit."""
    K, M, T = data.orders.shape
    # stock[m, t] = stock[m, t-1] + made of m - shipped
    flow = lp.constraints((K, M, T), 0.0, 0.0)
    lp.add(flow, v.stock)
    lp.add(flow[:, :, 1:], v.stock[:, :, :-1], -1.0)
    one, only, pair_model = _made_of(data)
    lp.add(flow[:, only, :], v.make[:, one, :], -1.0)
    lp.add(flow[:, pair_model, :], v.made, -1.0)
    lp.add(flow, v.ship)
    # wait[t] - (1-c) wait[t-1] + (1-c) ship[t] = (1-c) orders[t]
    keep = (1.0 - data.cancel_rate)[:, None, None]
    backlog = lp.constraints((K, M, T), keep * data.orders, keep * data.orders)
    lp.add(backlog, v.wait)
    lp.add(backlog[:, :, 1:], v.wait[:, :, :-1], -keep)
    lp.add(backlog, v.ship, keep)
    # ship[t] - wait[t-1] <= orders[t]
    if "demand" not in s.relax:
        demand = lp.constraints((K, M, T), hi=data.orders)
        lp.add(demand, v.ship)
        lp.add(demand[:, :, 1:], v.wait[:, :, :-1], -1.0)
    if M > 1 and s.max_backlog_vehicles and "backlog" not in s.relax:
        most = lp.constraints((K, T), hi=s.max_backlog_vehicles)
        lp.add(most[:, None, :], v.wait)


def _cash(lp: LinearProgram, data: PlanInputs, unit: np.ndarray, v: Variables) -> None:
    """cash[t] = cash[t-1] + price ship - cost made - fee paid - spend - company [M CNY],
    each model shipped at its price and made at its cost (``unit``, (K, M))."""
    K, _, T = data.orders.shape
    price, fee = data.price_cny / MONEY, data.fee_cny / MONEY
    spend, company = data.spend_cny / MONEY, data.company_cny[:, None] / MONEY
    money = lp.constraints((K, T), -company, -company)
    lp.add(money, v.cash)
    lp.add(money[:, 1:], v.cash[:, :-1], -1.0)
    lp.add(money[:, None, :], v.ship, -price[:, :, None])
    one, only, pair_model = _made_of(data)
    lp.add(money[:, None, :], v.make[:, one, :], unit[:, only, None])
    lp.add(money[:, None, :], v.made, unit[:, pair_model, None])
    lp.add(money[:, None, :], v.paid, fee[:, :, None])
    lp.add(money[:, None, :], v.extra, (data.above_cost_cny / MONEY)[:, :, None])
    lp.add(money[:, None, :], v.started[:, :, None], _by_started(data, spend))


def _target(lp: LinearProgram, data: PlanInputs, s: Settings, v: Variables):
    """The target, deliveries of every model in the window: in a share of scenarios
    (binaries ``meet``, returned), or in every one."""
    K = data.orders.shape[0]
    window_ship = v.ship[:, :, data.window]
    if s.target_probability is not None:
        meet = lp.variables(K, 0, 1, integer=True)
        hit = lp.constraints(K, lo=0.0)
        lp.add(hit[:, None, None], window_ship)
        lp.add(hit, meet, -data.target)
        share = lp.constraints(1, lo=np.ceil(s.target_probability * K - 1e-9))
        lp.add(share, meet)
        return meet
    if s.require_target:
        hit = lp.constraints(K, lo=data.target)
        lp.add(hit[:, None, None], window_ship)
    return None


def _objective(lp: LinearProgram, data: PlanInputs, s: Settings, unit, v: Variables) -> None:
    """The average over scenarios: NPV of what the plan decides (revenue - cost), or its
    discounted cost alone, or (to explain an unreachable target) window deliveries or the
    scenarios that meet it."""
    K = data.orders.shape[0]
    w = data.discount / K
    if s.objective == "max_window":
        lp.objective(v.ship[:, :, data.window], -1.0 / K)
        return
    if s.objective == "max_meet":
        lp.objective(v.meet, -1.0)
        return
    price, fee = data.price_cny / MONEY, data.fee_cny / MONEY
    revenue = 0.0 if s.objective == "min_cost" else 1.0
    lp.objective(v.ship, -revenue * price[:, :, None] * w[:, None, :])
    one, only, pair_model = _made_of(data)
    lp.objective(v.make[:, one, :], unit[:, only, None] * w[:, None, :])
    lp.objective(v.made, unit[:, pair_model, None] * w[:, None, :])
    lp.objective(v.paid, fee[:, :, None] * w[:, None, :])
    lp.objective(v.extra, (data.above_cost_cny / MONEY)[:, :, None] * w[:, None, :])
    spend = (data.spend_cny / MONEY * w[:, None, :]).sum(axis=2)  # (K, Y)
    lp.objective(v.started, _by_started(data, spend))


def _previous(data: PlanInputs) -> np.ndarray:
    """(Y,) the candidate before y of the same option (candidates are in order of month,
    option by option); -1 for an option's first."""
    y = np.arange(data.option_of.size)
    return np.where(np.r_[False, data.option_of[1:] == data.option_of[:-1]], y - 1, -1)


def _by_started(data: PlanInputs, values: np.ndarray, axis: int = 1) -> np.ndarray:
    """Coefficients ``values`` of start[y] along ``axis`` (Y) as coefficients of started[y]:
    sum_y c[y] start[y] = sum_y (c[y] - c[next(y)]) started[y], c[next] = 0 past the last.
    An option's candidates are next to each other in month order (``_previous``), so next(y)
    is y + 1 where that is the same option's: shifted slices, not a gather along Y, which
    took a third of building the sample-average programme over 200 scenarios."""
    values = np.asarray(values, float)
    out = values.copy()
    same = data.option_of[1:] == data.option_of[:-1]  # (Y - 1,) y + 1 is y's option's next
    to, of = [slice(None)] * values.ndim, [slice(None)] * values.ndim
    to[axis], of[axis] = slice(None, -1), slice(1, None)
    shape = [1] * values.ndim
    shape[axis] = -1
    out[tuple(to)] -= np.where(same.reshape(shape), values[tuple(of)], 0.0)
    return out


def _cumulative(data: PlanInputs, start: np.ndarray) -> np.ndarray:
    """(..., Y) started by y from start at y: the option's starts up to y."""
    total = np.cumsum(np.asarray(start, float), axis=-1)
    y = np.arange(data.option_of.size)
    before = np.maximum.accumulate(np.where(_previous(data) < 0, y, 0)) - 1  # the option's
    # first candidate, less one: the last candidate of the option before (-1: none)
    return total - np.where(before >= 0, total[..., np.maximum(before, 0)], 0.0)


def start_values(data: PlanInputs, started: np.ndarray) -> np.ndarray:
    """(..., Y) 0/1 whether option j(y) starts at s(y), from ``started`` values (..., Y)."""
    previous = _previous(data)
    out = np.array(started, float)
    later = np.flatnonzero(previous >= 0)
    out[..., later] -= started[..., previous[later]]
    return np.clip(np.round(out, 9), 0.0, 1.0)


def _made_of(data: PlanInputs) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Which production is of which model: (J,) the options of a line of one model, (J1,)
    that model, and (Q,) the model of each ``made``."""
    lines = data.lines
    one = lines.only >= 0
    return one, lines.only[one], lines.pair_model


def company_npv_cny(data: PlanInputs) -> np.ndarray:
    """(K,) NPV of the company's fixed cost, which no decision changes."""
    return -(data.company_cny[:, None] * data.discount).sum(axis=1)
