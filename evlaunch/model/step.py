"""One month of a block of paths: every stage, lane (path) by lane, in vector registers.

A block's inputs are rows of one flat array ``X`` and its state rows of another, ``S``, each
row ``LANES`` long, at places ``layout`` gives. The month is
three loops over the lanes (orders, output and deliveries; the learning curve; fulfilment,
cash and decisions), and those are the only loops LLVM sees: the loops over models, options
and lines inside them run a number of times known when they are compiled (the kernel is
compiled for each (models, options, lines) it meets, and cached), so LLVM writes them out
and runs each lane loop 4 lanes to a vector register, without branches (what a lane does not
do is a select of zero). The month compiles without numba's reference counts
(``_nrt=False``): a count of X's and S's references in each inlined stage was a call in the
loop, which keeps LLVM from vectorising it; the month allocates nothing.

The formulas are the stages' own (``bass_new_orders``, ``take_from_earlier``,
``ramp_fraction``, ``month_overlap``, ``serve_lines``, ``cumulative_cost_at``,
``fulfil_month``, ``shift_running_from``, ``expansion_commit``), inlined, in the same order
of arithmetic as before, so a path's deliveries, orders and decisions are the same to the
bit whatever its block, its lane or the threads.
"""

import numpy as np
from numba import njit

from .decisions import expansion_commit, shift_running_from
from .demand import bass_new_orders_inline, take_from_earlier
from .finance import cumulative_cost_at_inline, month_overlap_inline
from .fulfil import fulfil_month, serve_lines
from .layout import (
    ABOVE,
    ADOPTED,
    BUILT,
    CANCEL,
    CANNIBAL,
    CAPACITY,
    CAPEX,
    CAPEX_MONTHS,
    CASH,
    COMPANY,
    COST,
    COST_RATIO,
    COST_SO_FAR,
    DELIVERED,
    DISCOUNT,
    DISCOUNTED,
    FEE,
    FEE_PER_VEHICLE,
    FEES,
    FIXED,
    FLOW,
    FULL_RATE,
    GOT,
    INCREMENT,
    LANES,
    LAUNCH,
    LEAD,
    LEARNING_B,
    LINE_COST,
    LINE_OUTPUT,
    LOST,
    LOWEST,
    M_MARKET,
    MAX_UTIL,
    NEW,
    NPV,
    OPEN,
    ORDERED,
    OUTPUT,
    PRICE,
    PRICE_FACTOR,
    RAMP,
    SERVED,
    SHIFT_AT,
    SHIFT_MONTHS,
    SPEND,
    START,
    STREAK,
    UNIT_COST,
    WAITING,
    P,
    Q,
    known,
    model_row,
    s_line,
    s_line_model,
    s_option,
    s_path,
    x_option,
    x_path,
)
from .ramp import ramp_fraction_inline


# no reference counts (``_nrt=False``): see the module's docstring
@njit(cache=True, error_model="numpy", _nrt=False)
def month(t, season, X, S, decisions, builds, line_of, reference_units, shape, on_sale):
    """Month ``t`` (``season`` its demand factor) of every lane of a block: new orders,
    output, deliveries, the learning curve, cancellations, cash, and the month's decisions,
    into ``S``. ``decisions`` (4, options): shift backlog months; rule backlog months, months,
    not before; ``builds`` (lines, models) and ``line_of`` (options,) as ``fulfil.lines``;
    ``shape`` (models, options, lines, pooled), numbers the compiler knows.

    ``on_sale`` (also known to the compiler): no lane of the block has had a model after
    the first ``on_sale`` on sale (``models_on_sale``). Those models' orders, deliveries and
    sales are nothing, and are written as such, without the arithmetic that would find so:
    to the bit the same numbers (tests/model/test_simulate.py). Before the first launch (33
    of the bundled case's 84 months) that is every model, and no lane delivers: the learning
    curve's power is left out as well."""
    models, options, lines, pooled = known(shape)
    (selling,) = known((on_sale,))
    path = s_path(0, models, options, lines)  # the block's per-path rows start here
    # Three loops over the lanes: the learning curve's power is a long chain of arithmetic,
    # and alone in its loop the CPU runs several lanes' chains at once (in one loop with
    # the rest of the month it did not: 18.6 ns a lane-month against 13.7, one thread).
    for lane in range(LANES):
        S[path + lane + NEW * LANES] = _orders(t, season, X, S, lane, models, selling)
        _supply(t, X, S, lane, builds, line_of, shape, selling)
    if _any_delivered(S, path):
        for lane in range(LANES):
            _learn(X, S, lane, reference_units, shape)
    else:  # what _learn leaves when no lane delivers: the same bits, without the power
        for lane in range(LANES):
            S[path + INCREMENT * LANES + lane] = 0.0
    for lane in range(LANES):
        at = path + lane
        lost, waiting, revenue, variable, fee = _fulfil(
            X, S, lane, S[at + INCREMENT * LANES], S[at + FEE_PER_VEHICLE * LANES], shape, selling
        )
        _cash(X, S, lane, revenue - variable - fee - S[at + SPEND * LANES], shape)
        _decide(t, X, S, lane, decisions, waiting, S[at + CAPACITY * LANES], shape)
        S[at + WAITING * LANES] = waiting
        S[at + LOST * LANES] = lost


@njit(inline="always")
def models_on_sale(t, X, models):
    """How many of the roadmap's first models a lane of the block has had on sale by month
    ``t``: one more than the last model any lane has (0: none yet)."""
    last = 0
    for k in range(models):
        count = 0
        for lane in range(LANES):
            count += t >= X[model_row(LAUNCH, k, models) + lane]
        last = k + 1 if count > 0 else last
    return last


@njit(inline="always")
def _any_delivered(S, path):
    """Whether a lane of the block delivered this month (or holds a NaN there)."""
    count = 0
    for lane in range(LANES):
        count += S[path + DELIVERED * LANES + lane] != 0.0
    return count > 0


@njit(inline="always", error_model="numpy")
def _supply(t, X, S, lane, builds, line_of, shape, selling):
    """The month's output of every option, what it delivers of the open orders of the first
    ``selling`` models, and its fees per vehicle, into the lane's rows."""
    models, options, lines, pooled = known(shape)
    at = s_path(0, models, options, lines) + lane
    capacity, fees, S[at + SPEND * LANES] = _options(t, X, S, lane, line_of, shape)
    if pooled:
        delivered, fee_per_vehicle = _serve_pooled(S, lane, capacity, fees, models, selling)
    else:
        rows = (
            model_row(OPEN, 0, models),
            model_row(SERVED, 0, models),
            s_line(LINE_OUTPUT, 0, models, options, lines),
            s_line_model(0, 0, models, options, lines),
            LANES,
        )
        delivered = serve_lines(S, lane, rows, builds, lines, models, selling)
        _line_costs(S, lane, shape)
        fee_per_vehicle = 0.0  # not one figure for all: each model's is its lines' share
    S[at + CAPACITY * LANES] = capacity
    S[at + DELIVERED * LANES] = delivered
    S[at + FEE_PER_VEHICLE * LANES] = fee_per_vehicle


@njit(inline="always", error_model="numpy")
def _orders(t, season, X, S, lane, models, selling):
    """Each model's new orders (none before its launch; none written for the models after
    the first ``selling``), added to its adopted and open orders; a later model takes its
    cannibalised buyers from the earlier ones' markets."""
    new = 0.0
    for k in range(selling):
        made = bass_new_orders_inline(
            X[model_row(P, k, models) + lane],
            X[model_row(Q, k, models) + lane],
            S[model_row(M_MARKET, k, models) + lane],
            S[model_row(ADOPTED, k, models) + lane],
            X[model_row(PRICE_FACTOR, k, models) + lane] * season,
        )
        made = made if t >= X[model_row(LAUNCH, k, models) + lane] else 0.0
        S[model_row(ORDERED, k, models) + lane] = made
        S[model_row(ADOPTED, k, models) + lane] += made
        S[model_row(OPEN, k, models) + lane] += made
        new += made
        if k > 0:
            taken = X[model_row(CANNIBAL, k, models) + lane] * made
            market, adopted = model_row(M_MARKET, 0, models), model_row(ADOPTED, 0, models)
            # only the models before k change: their rows are the first ``selling``
            take_from_earlier(S, lane, market, adopted, LANES, k, selling, taken)
    for k in range(selling, models):
        S[model_row(ORDERED, k, models) + lane] = 0.0
    return new


@njit(inline="always", error_model="numpy")
def _options(t, X, S, lane, line_of, shape):
    """Each option's output (none before it starts, or while uncommitted; above nameplate
    from its shift), into its row and its line's; returns the month's output, per-vehicle
    fees and above-nameplate cost, and capex and fixed cost, summed in the options' order."""
    models, options, lines, pooled = known(shape)
    capacity, fees, spend = 0.0, 0.0, 0.0
    for j in range(options):
        x = x_option(0, j, models, options) + lane  # field f of option j: x + f * stride
        stride = options * LANES
        start = S[s_option(START, j, models, options) + lane]
        running = t + 1.0 > start
        sop = start + X[x + LEAD * stride]
        ramp = ramp_fraction_inline(t + 0.5 - sop, X[x + RAMP * stride])
        nameplate = X[x + FULL_RATE * stride] * ramp
        shifted = t >= S[s_option(SHIFT_AT, j, models, options) + lane]
        utilisation = X[x + MAX_UTIL * stride] if shifted else 1.0
        made = nameplate * utilisation if running else 0.0
        cost = X[x + FEE * stride] * made + X[x + ABOVE * stride] * (made - nameplate)
        cost = cost if running else 0.0
        capex = X[x + CAPEX * stride] * month_overlap_inline(t, start, X[x + CAPEX_MONTHS * stride])
        fixed = X[x + FIXED * stride] * month_overlap_inline(t, sop, np.inf)
        S[s_option(OUTPUT, j, models, options) + lane] = made
        S[s_option(FEES, j, models, options) + lane] = cost
        capacity += made
        fees += cost
        spend += capex if running else 0.0
        spend += fixed if running else 0.0
    if not pooled:
        # each line's output and fees, in a loop of their own: inside the loop over options
        # they kept LLVM from writing it out (4 options), and the month from vectorising
        for g in range(lines):
            made, cost = 0.0, 0.0
            for j in range(options):
                mine = line_of[j] == g
                made += S[s_option(OUTPUT, j, models, options) + lane] if mine else 0.0
                cost += S[s_option(FEES, j, models, options) + lane] if mine else 0.0
            S[s_line(LINE_OUTPUT, g, models, options, lines) + lane] = made
            S[s_line(LINE_COST, g, models, options, lines) + lane] = cost
    return capacity, fees, spend


@njit(inline="always", error_model="numpy")
def _serve_pooled(S, lane, capacity, fees, models, selling):
    """Where one line builds every model: min(open orders, output) delivered, shared in
    proportion to the open orders of each of the first ``selling`` models (the others have
    none); returns it and the fees per vehicle built."""
    total = 0.0
    for k in range(selling):
        total += S[model_row(OPEN, k, models) + lane]
    delivered = min(total, capacity)
    unit = fees / capacity
    for k in range(selling):
        # one model's share is all of it (x / x is 1 exactly): no division
        opened = S[model_row(OPEN, k, models) + lane]
        share = delivered * (opened / total) if selling > 1 else delivered
        S[model_row(SERVED, k, models) + lane] = share if total > 0.0 else 0.0
    for k in range(selling, models):
        S[model_row(SERVED, k, models) + lane] = 0.0
    return delivered, unit if capacity > 0.0 else 0.0


@njit(inline="always", error_model="numpy")
def _line_costs(S, lane, shape):
    """Each line's fees and above-nameplate cost per vehicle it built, in its row."""
    models, options, lines, pooled = known(shape)
    for g in range(lines):
        at = s_line(LINE_COST, g, models, options, lines) + lane
        built = S[s_line(LINE_OUTPUT, g, models, options, lines) + lane]
        unit = S[at] / built
        S[at] = unit if built > 0.0 else S[at]


@njit(inline="always", error_model="numpy")
def _learn(X, S, lane, reference_units, shape):
    """The learning curve: the month's variable cost per vehicle built (zero when none)."""
    models, options, lines, pooled = known(shape)
    at = s_path(0, models, options, lines) + lane
    delivered = S[at + DELIVERED * LANES]
    building = delivered > 0.0
    built = S[at + BUILT * LANES] + delivered
    S[at + BUILT * LANES] = built
    x = x_path(0, models, options) + lane
    cost_after = cumulative_cost_at_inline(
        built, X[x + UNIT_COST * LANES], X[x + LEARNING_B * LANES], reference_units
    )
    step = (cost_after - S[at + COST_SO_FAR * LANES]) / delivered
    S[at + COST_SO_FAR * LANES] = cost_after if building else S[at + COST_SO_FAR * LANES]
    S[at + INCREMENT * LANES] = step if building else 0.0


@njit(inline="always", error_model="numpy")
def _fulfil(X, S, lane, increment, fee_per_vehicle, shape, selling):
    """Each model's deliveries and cancellations (``fulfil_month``) and its open orders
    left; its revenue, variable cost (``increment`` times its unit cost over the first
    car's) and fees (``fee_per_vehicle`` where one line builds all, else its lines' share).
    Returns the sums over models: lost, waiting, revenue, variable cost, fees. The models
    after the first ``selling`` have no orders: nothing delivered, nothing added."""
    models, options, lines, pooled = known(shape)
    cancel = X[x_path(CANCEL, models, options) + lane]
    lost, waiting, revenue, variable_cost, fees = 0.0, 0.0, 0.0, 0.0, 0.0
    for k in range(selling, models):
        S[model_row(GOT, k, models) + lane] = 0.0
        S[model_row(COST, k, models) + lane] = 0.0
    for k in range(selling):
        fee_k = 0.0
        if not pooled:
            for g in range(lines):
                served = S[s_line_model(g, k, models, options, lines) + lane]
                fee_k += served * S[s_line(LINE_COST, g, models, options, lines) + lane]
        at = model_row(OPEN, k, models) + lane
        got, gone, S[at] = fulfil_month(S[at], S[model_row(SERVED, k, models) + lane], cancel)
        variable = got * increment * X[model_row(COST_RATIO, k, models) + lane]
        fee = got * fee_per_vehicle if pooled else fee_k
        lost += gone
        waiting += S[at]
        revenue += got * X[model_row(PRICE, k, models) + lane]
        variable_cost += variable
        fees += fee
        S[model_row(GOT, k, models) + lane] = got
        S[model_row(COST, k, models) + lane] = variable + fee
    return lost, waiting, revenue, variable_cost, fees


@njit(inline="always", error_model="numpy")
def _cash(X, S, lane, margin, shape):
    """The month's cash flow (``margin`` less the company's cost), the cash so far, its
    lowest, the discount factor and the NPV carried on."""
    models, options, lines, pooled = known(shape)
    at = s_path(0, models, options, lines) + lane
    x = x_path(0, models, options) + lane
    flow = margin - X[x + COMPANY * LANES]
    cash = S[at + CASH * LANES] + flow
    S[at + CASH * LANES] = cash
    S[at + LOWEST * LANES] = min(S[at + LOWEST * LANES], cash)
    discount = S[at + DISCOUNTED * LANES] * X[x + DISCOUNT * LANES]
    S[at + DISCOUNTED * LANES] = discount
    S[at + NPV * LANES] += flow * discount
    S[at + FLOW * LANES] = flow


@njit(inline="always", error_model="numpy")
def _decide(t, X, S, lane, decisions, waiting, capacity, shape):
    """The month's decisions on the lane's order book: a shift called on an option that
    runs and can run above nameplate; a phase under an expansion rule committed when its
    rule fires. Every lane computes both, and keeps what applies (a select)."""
    models, options, lines, pooled = known(shape)
    for j in range(options):
        x = x_option(0, j, models, options) + lane
        stride = options * LANES
        start_at = s_option(START, j, models, options) + lane
        shift_at = s_option(SHIFT_AT, j, models, options) + lane
        streak_at = s_option(STREAK, j, models, options) + lane
        start = S[start_at]
        due = (
            S[shift_at] == np.inf
            and X[x + MAX_UTIL * stride] > 1.0
            and t + 0.5 >= start + X[x + LEAD * stride]
        )
        called = shift_running_from(
            t, waiting, capacity, decisions[0, j], X[x + SHIFT_MONTHS * stride]
        )
        S[shift_at] = called if due else S[shift_at]
        ruled = decisions[1, j] < np.inf and start == np.inf
        streak, committed = expansion_commit(
            t, S[streak_at], waiting, capacity, decisions[1, j], decisions[2, j], decisions[3, j]
        )
        S[streak_at] = streak if ruled else S[streak_at]
        S[start_at] = committed if ruled else start
