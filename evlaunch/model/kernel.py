"""The fused kernel: every stage of a scenario, stepped month by month, ``LANES`` paths at a
time in lockstep.

A block of ``LANES`` paths goes through the months together: its inputs gathered into the
rows of one flat array, its state in the rows of another, and each month's stages run lane
by lane in vector registers (``step.month``), compiled for the models its lanes may have on
sale (none, the first car, all). The kernel is compiled for each (models, options, lines,
one line builds all) it meets, once (7.5 s with one model, 13 s with three), and cached:
those numbers fix the month's loops over models, options and lines, which LLVM then writes
out. At a block's end each path's sales are measured from its months (``measure_path``),
which only the first paths asked for are written out. The blocks are split between the
threads numba may use, each a run of the kernel that releases the GIL; a path's numbers do
not depend on its block, its lane or the threads.

numba caches the kernel with the month and the stage formulas compiled into it, and checks
only this file's time stamp: after editing ``step.py``, ``layout.py`` or a stage's module in
a checkout, touch this file (an installed package's files are all new).
"""

import inspect

import numba
import numpy as np
from numba import literally, njit, types

from ..threads import spread
from . import layout, step
from .layout import LANES
from .outcomes import measure_path


@njit(inline="always")
def _gather(source, into, row, first):
    """into[(row + r) * LANES + lane] = source[r, first + lane]: a block's lanes of a (rows,
    paths) input, the last path repeated past the end (those lanes are computed and not
    written)."""
    last = source.shape[1] - 1
    for r in range(source.shape[0]):
        for lane in range(LANES):
            into[(row + r) * LANES + lane] = source[r, min(first + lane, last)]


@njit(cache=True, nogil=True, error_model="numpy")
def _simulate_paths(
    first_block,  # this and the next: the blocks of paths run, LANES paths a block
    stop_block,
    p_per_month,
    q_per_month,
    market_vehicles,  # this and the next five (models, paths)
    price_factor,
    launch_month,
    cannibalisation,
    season,  # (months,)
    price_cny,  # (models, paths)
    cost_ratio,  # (models, paths) unit cost over the first car's
    cancel_rate,
    full_rate,
    lead_months,
    ramp_months,
    fee_cny,
    capex_per_month,
    capex_start,
    capex_months,
    fixed_per_month,
    utilisation,  # (3, options, paths): max utilisation, shift months, cost above nameplate
    decisions,  # (4, options): shift backlog months; rule backlog months, months, not before
    line_of,  # (options,) the line each option belongs to
    builds,  # (lines, models) 1 where the line builds the model
    unit_cost_cny,
    learning_b,
    reference_units,
    discount_per_month,
    company_per_month,
    deliveries_out,
    npv_out,
    peak_out,
    orders_out,
    capacity_out,
    backlog_out,
    cancelled_out,
    cash_out,
    shift_out,
    commit_out,
    orders_by_model_out,
    deliveries_by_model_out,
    backlog_by_model_out,
    revenue_by_model_out,
    cost_by_model_out,
    target_vehicles,  # this and the next: each path's sales measured (``measure_path``)
    checkpoints,  # (marks,) months of sales
    first_sale_out,  # (measured,) the first paths'; this and the next two
    deliveries_at_out,  # (measured, marks)
    months_to_target_out,
    models,  # this and the next three: numbers the kernel is compiled for
    options,
    lines,
    pooled,  # one line builds every model
):
    literally(models)
    literally(options)
    literally(lines)
    literally(pooled)
    shape = (models, options, lines, pooled)
    paths, months = npv_out.shape[0], season.shape[0]
    keep = orders_out.shape[0]
    X = np.empty(layout.x_rows(models, options) * LANES)
    S = np.empty(layout.s_rows(models, options, lines) * LANES)
    delivered = np.empty(months * LANES)
    at = layout.s_path(0, models, options, lines)
    for block in range(first_block, stop_block):
        first = block * LANES
        lanes_here = min(LANES, paths - first)  # lanes that are paths (the last block)
        _gather(p_per_month, X, layout.P * models, first)
        _gather(q_per_month, X, layout.Q * models, first)
        _gather(market_vehicles, X, layout.MARKET * models, first)
        _gather(price_factor, X, layout.PRICE_FACTOR * models, first)
        _gather(launch_month, X, layout.LAUNCH * models, first)
        _gather(cannibalisation, X, layout.CANNIBAL * models, first)
        _gather(price_cny, X, layout.PRICE * models, first)
        _gather(cost_ratio, X, layout.COST_RATIO * models, first)
        row = layout.x_option(0, 0, models, options) // LANES
        _gather(lead_months, X, row + layout.LEAD * options, first)
        _gather(full_rate, X, row + layout.FULL_RATE * options, first)
        _gather(ramp_months, X, row + layout.RAMP * options, first)
        _gather(fee_cny, X, row + layout.FEE * options, first)
        _gather(capex_per_month, X, row + layout.CAPEX * options, first)
        _gather(capex_months, X, row + layout.CAPEX_MONTHS * options, first)
        _gather(fixed_per_month, X, row + layout.FIXED * options, first)
        _gather(utilisation[0], X, row + layout.MAX_UTIL * options, first)
        _gather(utilisation[1], X, row + layout.SHIFT_MONTHS * options, first)
        _gather(utilisation[2], X, row + layout.ABOVE * options, first)
        row = layout.x_path(0, models, options) // LANES
        _gather(cancel_rate[None, :], X, row + layout.CANCEL, first)
        _gather(unit_cost_cny[None, :], X, row + layout.UNIT_COST, first)
        _gather(learning_b[None, :], X, row + layout.LEARNING_B, first)
        _gather(discount_per_month[None, :], X, row + layout.DISCOUNT, first)
        _gather(company_per_month[None, :], X, row + layout.COMPANY, first)
        _start_block(X, S, capex_start, first, shape)
        for t in range(months):
            # the month compiled for the models a lane may have on sale: none, the first
            # car alone, or all (tests/model/test_simulate.py: the same numbers as all)
            on_sale = step.models_on_sale(t, X, models)
            if on_sale == 0:
                step.month(
                    t, season[t], X, S, decisions, builds, line_of, reference_units, shape, 0
                )
            elif on_sale == 1:
                step.month(
                    t, season[t], X, S, decisions, builds, line_of, reference_units, shape, 1
                )
            else:
                step.month(
                    t, season[t], X, S, decisions, builds, line_of, reference_units, shape, models
                )
            for lane in range(LANES):
                delivered[t * LANES + lane] = S[at + layout.DELIVERED * LANES + lane]
            for lane in range(min(lanes_here, keep - first)):
                _keep_month(
                    X,
                    S,
                    first + lane,
                    lane,
                    t,
                    shape,
                    (
                        orders_out,
                        backlog_out,
                        cancelled_out,
                        cash_out,
                        capacity_out,
                        orders_by_model_out,
                        deliveries_by_model_out,
                        backlog_by_model_out,
                        revenue_by_model_out,
                        cost_by_model_out,
                    ),
                )
        for lane in range(lanes_here):
            i = first + lane
            for t in range(months if i < deliveries_out.shape[0] else 0):
                deliveries_out[i, t] = delivered[t * LANES + lane]
            if i < first_sale_out.shape[0]:  # measured here, from the block's months
                first_sale_out[i], months_to_target_out[i] = measure_path(
                    delivered, lane, LANES, months, target_vehicles, checkpoints,
                    deliveries_at_out, i,
                )  # fmt: skip
            npv_out[i] = S[at + layout.NPV * LANES + lane]
            peak_out[i] = -S[at + layout.LOWEST * LANES + lane]
            for j in range(options):
                shift_out[i, j] = S[layout.s_option(layout.SHIFT_AT, j, models, options) + lane]
                commit_out[i, j] = S[layout.s_option(layout.START, j, models, options) + lane]


@njit(inline="always")
def _start_block(X, S, capex_start, first, shape):
    """A block's state before its first month: the models' whole markets, nothing ordered,
    built or spent; each option's start (infinity while uncommitted), no shift, no streak."""
    models, options, lines, pooled = layout.known(shape)
    S[:] = 0.0
    for k in range(models):
        for lane in range(LANES):
            S[layout.model_row(layout.M_MARKET, k, models) + lane] = X[
                layout.model_row(layout.MARKET, k, models) + lane
            ]
    _gather(capex_start, S, layout.s_option(layout.START, 0, models, options) // LANES, first)
    for j in range(options):
        for lane in range(LANES):
            S[layout.s_option(layout.SHIFT_AT, j, models, options) + lane] = np.inf
    at = layout.s_path(layout.DISCOUNTED, models, options, lines)
    for lane in range(LANES):
        S[at + lane] = 1.0


@njit(inline="always")
def _keep_month(X, S, i, lane, t, shape, out):
    """Path ``i``'s (lane ``lane``'s) month ``t`` into the trajectories kept in full."""
    models, options, lines, pooled = layout.known(shape)
    orders, backlog, cancelled, cash, capacity = out[:5]
    by_model = out[5:]  # orders, deliveries, backlog, revenue, cost
    at = layout.s_path(0, models, options, lines) + lane
    orders[i, t] = S[at + layout.NEW * LANES]
    backlog[i, t] = S[at + layout.WAITING * LANES]
    cancelled[i, t] = S[at + layout.LOST * LANES]
    cash[i, t] = S[at + layout.FLOW * LANES]
    for j in range(options):
        capacity[i, j, t] = S[layout.s_option(layout.OUTPUT, j, models, options) + lane]
    for k in range(models):
        got = S[layout.model_row(layout.GOT, k, models) + lane]
        by_model[0][i, k, t] = S[layout.model_row(layout.ORDERED, k, models) + lane]
        by_model[1][i, k, t] = got
        by_model[2][i, k, t] = S[layout.model_row(layout.OPEN, k, models) + lane]
        by_model[3][i, k, t] = got * X[layout.model_row(layout.PRICE, k, models) + lane]
        by_model[4][i, k, t] = S[layout.model_row(layout.COST, k, models) + lane]


def run_kernel(arguments: dict, shape: tuple[int, int, int, bool]) -> None:
    """``_simulate_paths`` on ``arguments`` (by name), compiled for ``shape`` (models,
    options, lines, pooled), its blocks split evenly between the threads numba may use.

    Called through its dispatcher, a kernel that asks for literal arguments is typed again
    at every call (0.6 s); the compiled kernel's own entry point, found once per shape and
    types of its arguments, is not."""
    values = [arguments[name] for name in _ARGUMENTS]
    signature = (
        (types.int64, types.int64)
        + tuple(numba.typeof(v) for v in values)
        + tuple(types.literal(v) for v in shape)
    )
    entry = _entries.get(signature)
    if entry is None:
        entry = _entries[signature] = _simulate_paths.compile(signature)
    blocks = -(-arguments["npv_out"].shape[0] // LANES)
    threads = max(1, min(numba.get_num_threads(), blocks))
    cuts = [blocks * i // threads for i in range(threads + 1)]
    spread(lambda i: entry(cuts[i], cuts[i + 1], *values, *shape), range(threads))


_ARGUMENTS = list(inspect.signature(_simulate_paths.py_func).parameters)[2:-4]
_entries: dict[tuple, object] = {}
