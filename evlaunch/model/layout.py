"""Where a block's numbers live: its inputs are rows of one flat array ``X`` and its state
rows of another, ``S``, each row ``LANES`` (paths) long; the constants below name the rows and
``x_*``/``s_*``/``model_row`` give where each starts, numbers the compiler knows once the
block's shape (models, options, lines) is ``known``."""

from numba import njit, types
from numba.extending import intrinsic

# paths stepped together: a compile-time constant, so that each row's place in a block's
# arrays is one, and LLVM knows that rows do not overlap
LANES = 64

# inputs, rows of X: per model, per option, per path
P, Q, MARKET, PRICE_FACTOR, LAUNCH, CANNIBAL, PRICE, COST_RATIO = range(8)
MODEL_INPUTS = 8
LEAD, FULL_RATE, RAMP, FEE, CAPEX, CAPEX_MONTHS, FIXED, MAX_UTIL, SHIFT_MONTHS, ABOVE = range(10)
OPTION_INPUTS = 10
CANCEL, UNIT_COST, LEARNING_B, DISCOUNT, COMPANY = range(5)
PATH_INPUTS = 5

# state, rows of S: per model, per option, per line, per path
M_MARKET, ADOPTED, OPEN, ORDERED, SERVED, GOT, COST = range(7)
MODEL_STATE = 7
START, SHIFT_AT, STREAK, OUTPUT, FEES = range(5)
OPTION_STATE = 5
LINE_OUTPUT, LINE_COST = range(2)
LINE_STATE = 2
BUILT, COST_SO_FAR, CASH, LOWEST, DISCOUNTED, NPV = range(6)
DELIVERED, NEW, WAITING, LOST, FLOW, CAPACITY = range(6, 12)
SPEND, FEE_PER_VEHICLE, INCREMENT = range(12, 15)
PATH_STATE = 15


@intrinsic
def known(typingctx, shape):
    """The values of a tuple of literal numbers (the kernel's shape), as constants LLVM
    folds: unpacked from the tuple itself they would be values it reads at run time."""
    if not all(isinstance(t, types.Literal) for t in shape):
        return None  # numba tries the non-literal types first
    values = [t.literal_value for t in shape]
    result = types.Tuple([types.boolean if isinstance(v, bool) else types.intp for v in values])

    def codegen(context, builder, signature, args):
        constants = [
            context.get_constant(t, v) for t, v in zip(signature.return_type, values, strict=True)
        ]
        return context.make_tuple(builder, signature.return_type, constants)

    return result(shape), codegen


@njit(inline="always")
def model_row(field, k, models):
    """Where model ``k``'s ``field`` starts, in X or S: both begin with the models' rows."""
    return (field * models + k) * LANES


@njit(inline="always")
def x_option(field, j, models, options):
    return (MODEL_INPUTS * models + field * options + j) * LANES


@njit(inline="always")
def x_path(field, models, options):
    return (MODEL_INPUTS * models + OPTION_INPUTS * options + field) * LANES


@njit(inline="always")
def x_rows(models, options):
    return x_path(PATH_INPUTS, models, options) // LANES


@njit(inline="always")
def s_option(field, j, models, options):
    return (MODEL_STATE * models + field * options + j) * LANES


@njit(inline="always")
def s_line(field, g, models, options, lines):
    return (MODEL_STATE * models + OPTION_STATE * options + field * lines + g) * LANES


@njit(inline="always")
def s_line_model(g, k, models, options, lines):
    first = MODEL_STATE * models + OPTION_STATE * options + LINE_STATE * lines
    return (first + g * models + k) * LANES


@njit(inline="always")
def s_path(field, models, options, lines):
    first = MODEL_STATE * models + OPTION_STATE * options + (LINE_STATE + models) * lines
    return (first + field) * LANES


@njit(inline="always")
def s_rows(models, options, lines):
    return s_path(PATH_STATE, models, options, lines) // LANES
