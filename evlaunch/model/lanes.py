"""One month of a block's stages, each a loop over the block's lanes (paths stepped
together; every argument a (lanes,) row unless said otherwise).

Each loop is a compiled function of its own, called by the kernel (``kernel.py``): alone,
LLVM vectorises it; written in the kernel's body, most such loops were not (their pointers'
bounds not found, perf and LLVM's remarks). The formulas are the stages' own, inlined.
"""

import numpy as np
from numba import njit

from .demand import bass_new_orders_inline
from .finance import cumulative_cost_at_inline, month_overlap_inline
from .fulfil import fulfil_month
from .ramp import ramp_fraction_inline


@njit(cache=True, error_model="numpy")
def orders(t, season, k, p, q, market, adopted, x_price, launch, ordered, open_orders, new):
    """Model ``k``'s new orders in month ``t`` (``season`` its factor) into ``ordered``,
    added to its adopted and open orders and to ``new``: none before its launch. The
    arrays are (models, lanes), ``new`` (lanes,): rows are indexed here, not passed as
    views, whose reference counts cost 12% of the kernel's time (perf)."""
    for lane in range(new.shape[0]):
        made = bass_new_orders_inline(
            p[k, lane], q[k, lane], market[k, lane], adopted[k, lane], x_price[k, lane] * season
        )
        made = made if t >= launch[k, lane] else 0.0
        ordered[k, lane] = made
        adopted[k, lane] += made
        open_orders[k, lane] += made
        new[lane] += made


@njit(cache=True, error_model="numpy")
def option_month(t, j, options, util, shift_at, output):
    """Option ``j``'s month ``t`` into ``output[j]`` (4, lanes): its output, its per-vehicle
    fees and above-nameplate cost, its capex (from its start) and its fixed cost (from its
    SOP); none before it starts (or while uncommitted). ``options`` (8, options, lanes):
    start, lead time, full rate, ramp, fee, capex a month, months of capex, fixed a month;
    ``util`` (3, options, lanes): max utilisation (from month ``shift_at``), shift months,
    cost of a vehicle above nameplate."""
    for lane in range(output.shape[2]):
        start = options[0, j, lane]
        running = t + 1.0 > start
        sop = start + options[1, j, lane]
        nameplate = options[2, j, lane] * ramp_fraction_inline(t + 0.5 - sop, options[3, j, lane])
        utilisation = util[0, j, lane] if t >= shift_at[j, lane] else 1.0
        c = nameplate * utilisation if running else 0.0
        cost = options[4, j, lane] * c + util[2, j, lane] * (c - nameplate)
        capex = options[5, j, lane] * month_overlap_inline(t, start, options[6, j, lane])
        fixed = options[7, j, lane] * month_overlap_inline(t, sop, np.inf)
        output[j, 0, lane] = c
        output[j, 1, lane] = cost if running else 0.0
        output[j, 2, lane] = capex if running else 0.0
        output[j, 3, lane] = fixed if running else 0.0


@njit(cache=True, error_model="numpy")
def add_options(output, totals):
    """``totals`` (3, lanes): the options' output, fees and above-nameplate cost, and capex
    and fixed cost, summed in the options' order (capex then fixed cost, option by
    option), from ``output`` (options, 4, lanes) of ``option_month``."""
    for r in range(3):
        for lane in range(totals.shape[1]):
            totals[r, lane] = 0.0
    for j in range(output.shape[0]):
        for lane in range(totals.shape[1]):
            totals[0, lane] += output[j, 0, lane]
            totals[1, lane] += output[j, 1, lane]
            totals[2, lane] += output[j, 2, lane]
            totals[2, lane] += output[j, 3, lane]


@njit(cache=True, error_model="numpy")
def add_lines(output, line_of, by_line):
    """``by_line`` (2, lines, lanes): each line's output, and fees and above-nameplate cost,
    summed over its options in ``output`` (options, 4, lanes)."""
    for g in range(by_line.shape[1]):
        for lane in range(by_line.shape[2]):
            by_line[0, g, lane] = by_line[1, g, lane] = 0.0
    for j in range(output.shape[0]):
        g = line_of[j]
        for lane in range(by_line.shape[2]):
            by_line[0, g, lane] += output[j, 0, lane]
            by_line[1, g, lane] += output[j, 1, lane]


@njit(cache=True, error_model="numpy")
def serve_pooled(open_orders, totals, total, delivered, served, line_cost):
    """Where one line builds every model: ``delivered`` min(open orders, capacity), shared
    in proportion to each model's open orders into ``served`` (models, lanes), and the fees
    per vehicle built into ``line_cost[0]``; ``total`` is scratch. ``totals`` as
    ``option_month``'s."""
    models, lanes = open_orders.shape
    for lane in range(lanes):
        total[lane] = 0.0
    for k in range(models):
        for lane in range(lanes):
            total[lane] += open_orders[k, lane]
    for lane in range(lanes):
        delivered[lane] = min(total[lane], totals[0, lane])
        unit = totals[1, lane] / totals[0, lane]
        line_cost[0, lane] = unit if totals[0, lane] > 0.0 else 0.0
    for k in range(models):
        for lane in range(lanes):
            share = delivered[lane] * (open_orders[k, lane] / total[lane])
            served[k, lane] = share if total[lane] > 0.0 else 0.0


@njit(cache=True, error_model="numpy")
def sum_rows(rows, total):
    """total = the sum of ``rows`` (rows, lanes), lane by lane."""
    for lane in range(total.shape[0]):
        total[lane] = 0.0
    for r in range(rows.shape[0]):
        for lane in range(total.shape[0]):
            total[lane] += rows[r, lane]


@njit(cache=True, error_model="numpy")
def learn(delivered, built, cost_so_far, increment, unit_cost, b, reference_units):
    """The learning curve: the month's variable cost per vehicle built into ``increment``;
    a lane that built nothing keeps its cost so far."""
    for lane in range(delivered.shape[0]):
        building = delivered[lane] > 0.0
        built[lane] += delivered[lane]
        cost_after = cumulative_cost_at_inline(
            built[lane], unit_cost[lane], b[lane], reference_units
        )
        step = (cost_after - cost_so_far[lane]) / delivered[lane]
        increment[lane] = step if building else 0.0
        cost_so_far[lane] = cost_after if building else cost_so_far[lane]


@njit(cache=True, error_model="numpy")
def fulfil_model(
    k, open_orders, served, cancel, rates, increment, line_cost, fees, pooled, sums, into
):
    """Model ``k``'s month: deliveries and cancellations (``fulfil_month``), its open
    orders left; its revenue, variable cost (``increment`` times its unit cost over the
    first car's) and fees (``line_cost[0]`` a vehicle where ``pooled``, else ``fees``, its
    lines' share). ``rates`` (2, models, lanes): price, unit cost ratio. Adds
    to ``sums`` rows lost, waiting, revenue, variable cost, fees; its deliveries into
    ``into[k, 0]`` and its variable cost and fees into ``into[k, 1]``."""
    for lane in range(increment.shape[0]):
        got, gone, open_orders[k, lane] = fulfil_month(
            open_orders[k, lane], served[k, lane], cancel[lane]
        )
        variable = got * increment[lane] * rates[1, k, lane]
        fee = got * line_cost[0, lane] if pooled else fees[lane]
        sums[0, lane] += gone
        sums[1, lane] += open_orders[k, lane]
        sums[2, lane] += got * rates[0, k, lane]
        sums[3, lane] += variable
        sums[4, lane] += fee
        into[k, 0, lane] = got
        into[k, 1, lane] = variable + fee


@njit(cache=True, error_model="numpy")
def cash_month(sums, spend, company, per_month, flow, books):
    """The month's cash ``flow`` from ``sums`` (rows as ``fulfil_model``'s), capex and
    fixed ``spend`` and the company's cost; ``books`` rows cash, lowest cash, discount
    factor (times ``per_month``), NPV carried on."""
    for lane in range(flow.shape[0]):
        flow[lane] = sums[2, lane] - sums[3, lane] - sums[4, lane] - spend[lane] - company[lane]
        books[0, lane] += flow[lane]
        books[1, lane] = min(books[1, lane], books[0, lane])
        books[2, lane] *= per_month[lane]
        books[3, lane] += flow[lane] * books[2, lane]
