"""The fused kernel: every stage of a scenario, stepped month by month, ``LANES`` paths at a
time in lockstep.

A block of ``LANES`` paths goes through the months together, each quantity of its state a
small array over the block's lanes, and every step a loop over the lanes, innermost and
without branches (a lane that has nothing to do takes a select of zero): LLVM runs such a
loop in one vector register (8 float64 in AVX-512, two in AVX2) instead of path by path.
The stage functions are called per lane as before (``bass_new_orders``, ``ramp_fraction``,
``fulfil_month``, ``cumulative_cost_at``, ``month_overlap``), or over the lanes
(``take_from_earlier``, ``serve_lines``); each lane's arithmetic is the path's own, in the
same order, so a path's results do not depend on its block or on the threads.

The learning curve's power is ``powers.power``, plain arithmetic, so that it too runs in
vector registers. What a lane does alone stays a loop over the lanes with a branch: the
month's decisions (only lanes whose backlog calls for one, rarely).
"""

import numpy as np
from numba import njit, prange

from .decisions import backlog_exceeds, expansion_commit, lowest_threshold, shift_running_from
from .demand import bass_new_orders_inline, take_from_earlier
from .finance import cumulative_cost_at_inline, month_overlap_inline
from .fulfil import fulfil_month, serve_lines
from .ramp import ramp_fraction_inline

# paths stepped together: each lane loop runs them 4 (AVX2) or 8 (AVX-512) to a register;
# 64 amortises each loop's set-up (its alias checks) over many (1.45x at 64 against 1.0x at 8)
LANES = 64
# blocks a task of the parallel loop runs, with one allocation of its scratch
BLOCKS_PER_TASK = 4


@njit(cache=True, inline="always")
def _lanes_of(source, into, first):
    """into[r, lane] = source[r, first + lane]: a block's lanes of a (rows, paths) input,
    the last path repeated past the end (those lanes are computed and not written)."""
    last = source.shape[1] - 1
    for r in range(source.shape[0]):
        for lane in range(into.shape[1]):
            into[r, lane] = source[r, min(first + lane, last)]


@njit(parallel=True, cache=True, nogil=True, error_model="numpy")
def _simulate_paths(
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
    lanes,  # LANES: a run-time value, so that LLVM vectorises the lane loops, not unrolls them
):
    paths, months = deliveries_out.shape
    models = price_cny.shape[0]
    options = full_rate.shape[0]
    n_lines = builds.shape[0]
    pooled = n_lines == 1 and builds.min() > 0.0  # one line builds every model
    keep = orders_out.shape[0]
    blocks = (paths + lanes - 1) // lanes
    for task in prange((blocks + BLOCKS_PER_TASK - 1) // BLOCKS_PER_TASK):
        # the block's inputs, (rows, lanes)
        p = np.empty((models, lanes))
        q = np.empty((models, lanes))
        m = np.empty((models, lanes))
        x_price = np.empty((models, lanes))
        launch = np.empty((models, lanes))
        cannibal = np.empty((models, lanes))
        price = np.empty((models, lanes))
        ratio = np.empty((models, lanes))
        full = np.empty((options, lanes))
        lead = np.empty((options, lanes))
        ramp = np.empty((options, lanes))
        fee = np.empty((options, lanes))
        capex = np.empty((options, lanes))
        capex_len = np.empty((options, lanes))
        fixed = np.empty((options, lanes))
        util = np.empty((3, options, lanes))
        lane_rows = np.empty((5, lanes))  # cancel rate, unit cost, b, discount, company
        cancel, unit_cost, b = lane_rows[0], lane_rows[1], lane_rows[2]
        per_month, company = lane_rows[3], lane_rows[4]
        # the block's state and the month's quantities
        market = np.empty((models, lanes))
        adopted = np.empty((models, lanes))
        open_orders = np.empty((models, lanes))
        ordered = np.empty((models, lanes))
        served = np.empty((models, lanes))
        got = np.empty((models, lanes))
        cost_k = np.empty((models, lanes))
        starts = np.empty((options, lanes))
        shift_at = np.empty((options, lanes))
        streak = np.empty((options, lanes))
        c_by_option = np.empty((options, lanes))
        line_capacity = np.empty((n_lines, lanes))
        line_cost = np.empty((n_lines, lanes))
        by_line = np.empty((n_lines, models, lanes))
        state = np.empty((22, lanes))
        built, cost_so_far, cash, lowest = state[0], state[1], state[2], state[3]
        npv, discount, threshold, streaking = state[4], state[5], state[6], state[7]
        new, capacity, spend, fees = state[8], state[9], state[10], state[11]
        delivered, increment, lost, waiting = state[12], state[13], state[14], state[15]
        revenue, variable, per_vehicle, flow = state[16], state[17], state[18], state[19]
        fees_k, scratch = state[20], state[21]
        for block in range(task * BLOCKS_PER_TASK, min(blocks, (task + 1) * BLOCKS_PER_TASK)):
            first = block * lanes
            lanes_here = min(lanes, paths - first)  # lanes that are paths (the last block)
            _lanes_of(p_per_month, p, first)
            _lanes_of(q_per_month, q, first)
            _lanes_of(market_vehicles, m, first)
            _lanes_of(price_factor, x_price, first)
            _lanes_of(launch_month, launch, first)
            _lanes_of(cannibalisation, cannibal, first)
            _lanes_of(price_cny, price, first)
            _lanes_of(cost_ratio, ratio, first)
            _lanes_of(full_rate, full, first)
            _lanes_of(lead_months, lead, first)
            _lanes_of(ramp_months, ramp, first)
            _lanes_of(fee_cny, fee, first)
            _lanes_of(capex_per_month, capex, first)
            _lanes_of(capex_start, starts, first)
            _lanes_of(capex_months, capex_len, first)
            _lanes_of(fixed_per_month, fixed, first)
            _lanes_of(utilisation[0], util[0], first)
            _lanes_of(utilisation[1], util[1], first)
            _lanes_of(utilisation[2], util[2], first)
            _lanes_of(cancel_rate[None, :], lane_rows[0:1], first)
            _lanes_of(unit_cost_cny[None, :], lane_rows[1:2], first)
            _lanes_of(learning_b[None, :], lane_rows[2:3], first)
            _lanes_of(discount_per_month[None, :], lane_rows[3:4], first)
            _lanes_of(company_per_month[None, :], lane_rows[4:5], first)
            for lane in range(lanes):
                built[lane] = cost_so_far[lane] = cash[lane] = lowest[lane] = npv[lane] = 0.0
                discount[lane] = 1.0
                streaking[lane] = 0.0  # 1.0 while some rule's backlog streak runs
            for k in range(models):
                for lane in range(lanes):
                    market[k, lane] = m[k, lane]
                    adopted[k, lane] = open_orders[k, lane] = 0.0
            # a lane's decisions are kept in its state as they are taken: an option under
            # an expansion rule starts (and so builds) only when its rule fires
            for j in range(options):
                for lane in range(lanes):
                    shift_at[j, lane] = np.inf
                    streak[j, lane] = 0.0
            for lane in range(lanes):
                # infinite when no decision is left to take, so none is checked
                threshold[lane] = lowest_threshold(
                    shift_at[:, lane], starts[:, lane], util[0, :, lane], decisions
                )
            for t in range(months):
                # Demand: no orders before a model's launch.
                for lane in range(lanes):
                    new[lane] = 0.0
                for k in range(models):
                    for lane in range(lanes):
                        orders = bass_new_orders_inline(
                            p[k, lane],
                            q[k, lane],
                            market[k, lane],
                            adopted[k, lane],
                            x_price[k, lane] * season[t],
                        )
                        orders = orders if t >= launch[k, lane] else 0.0
                        ordered[k, lane] = orders
                        adopted[k, lane] += orders
                        open_orders[k, lane] += orders
                        new[lane] += orders
                    if k > 0:
                        for lane in range(lanes):
                            scratch[lane] = cannibal[k, lane] * ordered[k, lane]
                        take_from_earlier(market, adopted, k, scratch, fees_k)
                # Supply: an option not started (or not committed) has no output, no spend.
                for lane in range(lanes):
                    capacity[lane] = spend[lane] = fees[lane] = 0.0
                for g in range(n_lines):
                    for lane in range(lanes):
                        line_capacity[g, lane] = line_cost[g, lane] = 0.0
                for j in range(options):
                    g = line_of[j]
                    for lane in range(lanes):
                        running = t + 1.0 > starts[j, lane]
                        sop_j = starts[j, lane] + lead[j, lane]
                        nameplate = full[j, lane] * ramp_fraction_inline(
                            t + 0.5 - sop_j, ramp[j, lane]
                        )
                        above = util[0, j, lane] if t >= shift_at[j, lane] else 1.0
                        c = nameplate * above if running else 0.0
                        cost = fee[j, lane] * c + util[2, j, lane] * (c - nameplate)
                        cost = cost if running else 0.0
                        c_by_option[j, lane] = c
                        capacity[lane] += c
                        fees[lane] += cost
                        if not pooled:
                            line_capacity[g, lane] += c
                            line_cost[g, lane] += cost
                        overlap = month_overlap_inline(t, starts[j, lane], capex_len[j, lane])
                        spend[lane] += capex[j, lane] * overlap if running else 0.0
                        overlap = month_overlap_inline(t, sop_j, np.inf)
                        spend[lane] += fixed[j, lane] * overlap if running else 0.0
                # Each line serves the models it builds; each model's unserved orders wait,
                # and part of them cancels. A line's per-vehicle fees and above-nameplate
                # cost are shared by what it built. Where every option builds every model
                # (one line) the per-line bookkeeping is skipped: it doubles the time.
                if pooled:
                    for lane in range(lanes):
                        scratch[lane] = 0.0  # open orders of all models
                    for k in range(models):
                        for lane in range(lanes):
                            scratch[lane] += open_orders[k, lane]
                    for lane in range(lanes):
                        delivered[lane] = min(scratch[lane], capacity[lane])
                        unit = fees[lane] / capacity[lane]
                        line_cost[0, lane] = unit if capacity[lane] > 0.0 else 0.0
                    for k in range(models):
                        for lane in range(lanes):
                            share = delivered[lane] * (open_orders[k, lane] / scratch[lane])
                            served[k, lane] = share if scratch[lane] > 0.0 else 0.0
                else:
                    serve_lines(open_orders, line_capacity, builds, by_line, served, scratch)
                    for lane in range(lanes):
                        delivered[lane] = 0.0
                    for k in range(models):
                        for lane in range(lanes):
                            delivered[lane] += served[k, lane]
                    for g in range(n_lines):
                        for lane in range(lanes):
                            unit = line_cost[g, lane] / line_capacity[g, lane]
                            line_cost[g, lane] = (
                                unit if line_capacity[g, lane] > 0.0 else line_cost[g, lane]
                            )
                _learn(delivered, built, cost_so_far, increment, unit_cost, b, reference_units)
                for lane in range(lanes):
                    lost[lane] = waiting[lane] = revenue[lane] = 0.0
                    variable[lane] = per_vehicle[lane] = 0.0
                for k in range(models):
                    if not pooled:
                        for lane in range(lanes):
                            fees_k[lane] = 0.0
                        for g in range(n_lines):
                            for lane in range(lanes):
                                fees_k[lane] += by_line[g, k, lane] * line_cost[g, lane]
                    for lane in range(lanes):
                        got_k, gone, open_orders[k, lane] = fulfil_month(
                            open_orders[k, lane], served[k, lane], cancel[lane]
                        )
                        got[k, lane] = got_k
                        lost[lane] += gone
                        waiting[lane] += open_orders[k, lane]
                        revenue[lane] += got_k * price[k, lane]
                        variable_k = got_k * increment[lane] * ratio[k, lane]
                        variable[lane] += variable_k
                        fee_k = got_k * line_cost[0, lane] if pooled else fees_k[lane]
                        per_vehicle[lane] += fee_k
                        cost_k[k, lane] = variable_k + fee_k
                for lane in range(lanes):
                    flow[lane] = (
                        revenue[lane]
                        - variable[lane]
                        - per_vehicle[lane]
                        - spend[lane]
                        - company[lane]
                    )
                    cash[lane] += flow[lane]
                    lowest[lane] = min(lowest[lane], cash[lane])
                    discount[lane] *= per_month[lane]
                    npv[lane] += flow[lane] * discount[lane]
                for lane in range(lanes_here):
                    deliveries_out[first + lane, t] = delivered[lane]
                for lane in range(min(lanes_here, keep - first)):
                    i = first + lane
                    orders_out[i, t] = new[lane]
                    backlog_out[i, t] = waiting[lane]
                    cancelled_out[i, t] = lost[lane]
                    cash_out[i, t] = flow[lane]
                    for j in range(options):
                        capacity_out[i, j, t] = c_by_option[j, lane]
                    for k in range(models):
                        orders_by_model_out[i, k, t] = ordered[k, lane]
                        deliveries_by_model_out[i, k, t] = got[k, lane]
                        backlog_by_model_out[i, k, t] = open_orders[k, lane]
                        revenue_by_model_out[i, k, t] = got[k, lane] * price[k, lane]
                        cost_by_model_out[i, k, t] = cost_k[k, lane]
                # The month's decisions, lane by lane. None can be taken, and no streak
                # changes, while the backlog stays within the lowest threshold still
                # undecided: the lane is then skipped.
                for lane in range(lanes):
                    if not (
                        streaking[lane] > 0.0
                        or backlog_exceeds(waiting[lane], capacity[lane], threshold[lane])
                    ):
                        continue
                    _decide(
                        t,
                        waiting[lane],
                        capacity[lane],
                        shift_at[:, lane],
                        starts[:, lane],
                        streak[:, lane],
                        lead[:, lane],
                        util[:, :, lane],
                        decisions,
                        state[:, lane],
                    )
            for lane in range(lanes_here):
                npv_out[first + lane] = npv[lane]
                peak_out[first + lane] = -lowest[lane]
                for j in range(options):
                    shift_out[first + lane, j] = shift_at[j, lane]
                    commit_out[first + lane, j] = starts[j, lane]


@njit(cache=True, error_model="numpy")
def _learn(delivered, built, cost_so_far, increment, unit_cost, b, reference_units):
    """The learning curve, over the lanes (all 1-D): each lane's month's variable cost per
    vehicle built into ``increment``; a lane that built nothing keeps its cost so far.
    A function of its own, so that LLVM vectorises its loop alone (in the kernel's body,
    it did not: its pointers' bounds were not found)."""
    for lane in range(delivered.shape[0]):
        building = delivered[lane] > 0.0
        built[lane] += delivered[lane]
        cost_after = cumulative_cost_at_inline(
            built[lane], unit_cost[lane], b[lane], reference_units
        )
        step = (cost_after - cost_so_far[lane]) / delivered[lane]
        increment[lane] = step if building else 0.0
        cost_so_far[lane] = cost_after if building else cost_so_far[lane]


@njit(cache=True, inline="always")
def _decide(t, waiting, capacity, shift_at, starts, streak, lead, util, decisions, state):
    """One lane's decisions at the end of month ``t``: shifts called, phases committed, in
    its columns of the block's state (``state`` rows 6 and 7: threshold and streaking)."""
    taken, streaking = False, False
    for j in range(shift_at.shape[0]):
        if shift_at[j] == np.inf and util[0, j] > 1.0 and t + 0.5 >= starts[j] + lead[j]:
            shift_at[j] = shift_running_from(t, waiting, capacity, decisions[0, j], util[1, j])
            taken = taken or shift_at[j] < np.inf
        if decisions[1, j] < np.inf and starts[j] == np.inf:
            streak[j], starts[j] = expansion_commit(
                t,
                streak[j],
                waiting,
                capacity,
                decisions[1, j],
                decisions[2, j],
                decisions[3, j],
            )
            taken = taken or starts[j] < np.inf
            streaking = streaking or streak[j] > 0.0
    state[7] = 1.0 if streaking else 0.0
    if taken:
        state[6] = lowest_threshold(shift_at, starts, util[0], decisions)
