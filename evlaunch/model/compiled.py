"""A stage's formula on one value, compiled twice: as a numpy ufunc for arrays, and as a
function numba inlines into the kernel.

The kernel's lane loops are vectorised only when every call in them is inlined: a call of a
ufunc from compiled code stays a call (numba links the ufunc's cached machine code), and
LLVM then runs the loop lane by lane (perf: ``cumulative_cost_at`` called as a function
took a third of the kernel's time). Inlined at numba's level, the formula is in the loop's
own IR, whether or not it comes from the cache.
"""

from numba import njit, vectorize


def ufunc_and_inline(formula):
    """(``formula`` as a ufunc, ``formula`` inlined where compiled code calls it). Numpy's
    error model in both: a division by zero gives inf or nan, which a select then drops,
    instead of a branch to raise that would keep the loop from being vectorised."""
    # no signatures: the ufunc is built on its first call, not at import (0.1 s each, from
    # numba's cache); the kernel that calls it is cached compiled, so a run never builds it.
    # The inlined form is not cached itself (a cache keyed by the same function as the
    # ufunc's): its IR is read from the formula wherever it is inlined.
    return vectorize(cache=True)(formula), njit(inline="always", error_model="numpy")(formula)
