"""The fused kernel: every stage of a scenario, stepped month by month, ``LANES`` paths at a
time in lockstep.

A block of ``LANES`` paths goes through the months together, each quantity of its state a
small array over the block's lanes, and each stage's month a loop over the lanes, innermost
and without branches (a lane that has nothing to do takes a select of zero), in a compiled
function of its own (``lanes.py``): LLVM runs such a loop 4 float64 to a vector register
(AVX2 or AVX-512 at 256 bits, what it chooses on this machine) instead of path by path.
The stages' formulas are their own modules' (``bass_new_orders``, ``ramp_fraction``,
``fulfil_month``, ``cumulative_cost_at``, ``month_overlap``, inlined; ``take_from_earlier``
and ``serve_lines`` over the lanes); each lane's arithmetic is its path's, in the same
order, so a path's results do not depend on its block, its lane or the threads.

The learning curve's power is ``powers.power``, plain arithmetic, so that it too runs in
vector registers (within 4e-15 of libm's). What a lane does alone stays a loop over the
lanes with a branch: the month's decisions (only lanes whose backlog calls for one).
"""

import numpy as np
from numba import njit, prange

from . import lanes as steps
from .decisions import backlog_exceeds, expansion_commit, lowest_threshold, shift_running_from
from .demand import take_from_earlier
from .fulfil import serve_lines

# paths stepped together: 64 amortises each lane loop's set-up (a call, alias checks) over
# many (the kernel 1.45x faster at 64 than at 8, measured); a run-time argument of the
# kernel, as a constant had LLVM unroll the lane loops instead of vectorising them
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
        # the block's inputs, (rows, lanes); arrays indexed by row in the loops, not views
        # of them: a view's reference count costs 12% of the kernel's time (perf)
        p = np.empty((models, lanes))
        q = np.empty((models, lanes))
        m = np.empty((models, lanes))
        x_price = np.empty((models, lanes))
        launch = np.empty((models, lanes))
        cannibal = np.empty((models, lanes))
        rates = np.empty((2, models, lanes))  # price, unit cost over the first car's
        # start (changed by decisions), lead, full rate, ramp, fee, capex a month and its
        # months, fixed a month
        opts = np.empty((8, options, lanes))
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
        by_model = np.empty((models, 2, lanes))  # deliveries; variable cost and fees
        shift_at = np.empty((options, lanes))
        streak = np.empty((options, lanes))
        output = np.empty((options, 4, lanes))  # capacity; fees, above nameplate; capex; fixed
        by_line = np.empty((2, n_lines, lanes))  # capacity; fees and above nameplate
        line_capacity, line_cost = by_line[0], by_line[1]
        by_line_model = np.empty((n_lines, models, lanes))
        totals = np.empty((3, lanes))  # capacity, fees and above nameplate, capex and fixed
        capacity, spend = totals[0], totals[2]
        sums = np.empty((5, lanes))  # lost, waiting, revenue, variable cost, fees
        lost, waiting = sums[0], sums[1]
        books = np.empty((4, lanes))  # cash, lowest cash, discount factor, NPV
        state = np.empty((8, lanes))
        built, cost_so_far, new, delivered = state[0], state[1], state[2], state[3]
        increment, flow, fees_k, scratch = state[4], state[5], state[6], state[7]
        thresholds = np.empty((2, lanes))  # lowest still undecided; 1.0 while streaking
        for block in range(task * BLOCKS_PER_TASK, min(blocks, (task + 1) * BLOCKS_PER_TASK)):
            first = block * lanes
            lanes_here = min(lanes, paths - first)  # lanes that are paths (the last block)
            _lanes_of(p_per_month, p, first)
            _lanes_of(q_per_month, q, first)
            _lanes_of(market_vehicles, m, first)
            _lanes_of(price_factor, x_price, first)
            _lanes_of(launch_month, launch, first)
            _lanes_of(cannibalisation, cannibal, first)
            _lanes_of(price_cny, rates[0], first)
            _lanes_of(cost_ratio, rates[1], first)
            _lanes_of(capex_start, opts[0], first)
            _lanes_of(lead_months, opts[1], first)
            _lanes_of(full_rate, opts[2], first)
            _lanes_of(ramp_months, opts[3], first)
            _lanes_of(fee_cny, opts[4], first)
            _lanes_of(capex_per_month, opts[5], first)
            _lanes_of(capex_months, opts[6], first)
            _lanes_of(fixed_per_month, opts[7], first)
            for row in range(3):
                _lanes_of(utilisation[row], util[row], first)
            _lanes_of(cancel_rate[None, :], lane_rows[0:1], first)
            _lanes_of(unit_cost_cny[None, :], lane_rows[1:2], first)
            _lanes_of(learning_b[None, :], lane_rows[2:3], first)
            _lanes_of(discount_per_month[None, :], lane_rows[3:4], first)
            _lanes_of(company_per_month[None, :], lane_rows[4:5], first)
            built[:] = 0.0
            cost_so_far[:] = 0.0
            books[:] = 0.0
            books[2] = 1.0
            thresholds[1] = 0.0
            market[:] = m
            adopted[:] = 0.0
            open_orders[:] = 0.0
            # a lane's decisions are kept in its state as they are taken: an option under
            # an expansion rule starts (and so builds) only when its rule fires
            shift_at[:] = np.inf
            streak[:] = 0.0
            for lane in range(lanes):
                # infinite when no decision is left to take, so none is checked
                thresholds[0, lane] = lowest_threshold(
                    shift_at[:, lane], opts[0, :, lane], util[0, :, lane], decisions
                )
            for t in range(months):
                new[:] = 0.0
                for k in range(models):
                    steps.orders(
                        t,
                        season[t],
                        k,
                        p,
                        q,
                        market,
                        adopted,
                        x_price,
                        launch,
                        ordered,
                        open_orders,
                        new,
                    )
                    if k > 0:
                        for lane in range(lanes):
                            scratch[lane] = cannibal[k, lane] * ordered[k, lane]
                        take_from_earlier(market, adopted, k, scratch, fees_k)
                for j in range(options):
                    steps.option_month(t, j, opts, util, shift_at, output)
                steps.add_options(output, totals)
                if not pooled:
                    steps.add_lines(output, line_of, by_line)
                # Each line serves the models it builds; each model's unserved orders wait,
                # and part of them cancels. A line's per-vehicle fees and above-nameplate
                # cost are shared by what it built. Where every option builds every model
                # (one line) the per-line bookkeeping is skipped: it doubles the time.
                if pooled:
                    steps.serve_pooled(open_orders, totals, scratch, delivered, served, line_cost)
                else:
                    serve_lines(open_orders, line_capacity, builds, by_line_model, served, scratch)
                    steps.sum_rows(served, delivered)
                    for g in range(n_lines):
                        for lane in range(lanes):
                            unit = line_cost[g, lane] / line_capacity[g, lane]
                            line_cost[g, lane] = (
                                unit if line_capacity[g, lane] > 0.0 else line_cost[g, lane]
                            )
                steps.learn(delivered, built, cost_so_far, increment, unit_cost, b, reference_units)
                sums[:] = 0.0
                for k in range(models):
                    if not pooled:
                        fees_k[:] = 0.0
                        for g in range(n_lines):
                            for lane in range(lanes):
                                fees_k[lane] += by_line_model[g, k, lane] * line_cost[g, lane]
                    steps.fulfil_model(
                        k,
                        open_orders,
                        served,
                        cancel,
                        rates,
                        increment,
                        line_cost,
                        fees_k,
                        pooled,
                        sums,
                        by_model,
                    )
                steps.cash_month(sums, spend, company, per_month, flow, books)
                for lane in range(lanes_here):
                    deliveries_out[first + lane, t] = delivered[lane]
                for lane in range(min(lanes_here, keep - first)):
                    i = first + lane
                    orders_out[i, t] = new[lane]
                    backlog_out[i, t] = waiting[lane]
                    cancelled_out[i, t] = lost[lane]
                    cash_out[i, t] = flow[lane]
                    for j in range(options):
                        capacity_out[i, j, t] = output[j, 0, lane]
                    for k in range(models):
                        orders_by_model_out[i, k, t] = ordered[k, lane]
                        deliveries_by_model_out[i, k, t] = by_model[k, 0, lane]
                        backlog_by_model_out[i, k, t] = open_orders[k, lane]
                        revenue = by_model[k, 0, lane] * rates[0, k, lane]
                        revenue_by_model_out[i, k, t] = revenue
                        cost_by_model_out[i, k, t] = by_model[k, 1, lane]
                # The month's decisions, lane by lane. None can be taken, and no streak
                # changes, while the backlog stays within the lowest threshold still
                # undecided: the lane is then skipped.
                for lane in range(lanes):
                    if not (
                        thresholds[1, lane] > 0.0
                        or backlog_exceeds(waiting[lane], capacity[lane], thresholds[0, lane])
                    ):
                        continue
                    _decide(
                        t,
                        lane,
                        waiting,
                        capacity,
                        shift_at,
                        opts,
                        streak,
                        util,
                        decisions,
                        thresholds,
                    )
            for lane in range(lanes_here):
                npv_out[first + lane] = books[3, lane]
                peak_out[first + lane] = -books[1, lane]
                for j in range(options):
                    shift_out[first + lane, j] = shift_at[j, lane]
                    commit_out[first + lane, j] = opts[0, j, lane]


@njit(cache=True, inline="always")
def _decide(t, lane, waiting, capacity, shift_at, opts, streak, util, decisions, thresholds):
    """Lane ``lane``'s decisions at the end of month ``t``: shifts called, phases committed,
    in its column of the block's state (``opts[0]`` starts, ``opts[1]`` lead times;
    ``thresholds``: the lowest undecided, 1.0 while a streak runs). Whole arrays and the
    lane, not views of its column, and inlined: a view's reference count, or a call's of
    its arguments, took 13-16% of the time (perf)."""
    taken, streaking = False, False
    waiting_l, capacity_l = waiting[lane], capacity[lane]
    for j in range(shift_at.shape[0]):
        start = opts[0, j, lane]
        if (
            shift_at[j, lane] == np.inf
            and util[0, j, lane] > 1.0
            and t + 0.5 >= start + opts[1, j, lane]
        ):
            shift_at[j, lane] = shift_running_from(
                t, waiting_l, capacity_l, decisions[0, j], util[1, j, lane]
            )
            taken = taken or shift_at[j, lane] < np.inf
        if decisions[1, j] < np.inf and start == np.inf:
            streak[j, lane], opts[0, j, lane] = expansion_commit(
                t,
                streak[j, lane],
                waiting_l,
                capacity_l,
                decisions[1, j],
                decisions[2, j],
                decisions[3, j],
            )
            taken = taken or opts[0, j, lane] < np.inf
            streaking = streaking or streak[j, lane] > 0.0
    thresholds[1, lane] = 1.0 if streaking else 0.0
    if taken:  # rarely: views of the lane's column
        thresholds[0, lane] = lowest_threshold(
            shift_at[:, lane], opts[0, :, lane], util[0, :, lane], decisions
        )
