"""x ** y in plain arithmetic, so that a loop over lanes calling it is vectorised.

libm's ``pow`` is a call LLVM cannot put in a vector register (numba links Intel's SVML,
which has one, only where llvmlite is built with it; this machine's is not), and the
learning curve takes one power per path-month: a third of the lockstep kernel's time when
called lane by lane (perf, 262,144 paths). This one is exp(y ln x) from the classic range
reductions: ln by atanh's series on a mantissa within [1/sqrt 2, sqrt 2), exp by Taylor's
series on a remainder within ln 2 / 2, each to the last bit or two; the result is within a
few units in the last place of libm's (1e-15 relative, tests/model/test_powers.py).

Domain: x > 0 and finite and normal, |y ln x| < 700: the learning curve's x >= 1.
"""

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.extending import intrinsic

# ln 2 in two parts (fdlibm's): k * LN2_HI is exact for |k| < 2^20
LN2_HI = 6.93147180369123816490e-01
LN2_LO = 1.90821492927058770002e-10
SQRT2 = 1.4142135623730951
INV_LN2 = 1.4426950408889634
MANTISSA_BITS = 52
EXPONENT_BIAS = 1023
MANTISSA_MASK = (1 << MANTISSA_BITS) - 1
ONE_BITS = EXPONENT_BIAS << MANTISSA_BITS  # the bits of 1.0


@intrinsic
def _bits(typingctx, x):
    """The IEEE 754 bits of a float64, as an int64 (a bit cast, no conversion)."""

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.IntType(64))

    return types.int64(types.float64), codegen


@intrinsic
def _from_bits(typingctx, bits):
    """The float64 with these IEEE 754 bits."""

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.DoubleType())

    return types.float64(types.int64), codegen


@intrinsic
def fma(typingctx, a, b, c):
    """a * b + c rounded once (IEEE 754 fusedMultiplyAdd): LLVM's ``llvm.fma``, one vector
    instruction where the CPU has FMA, libm's correctly rounded ``fma`` where it has not, so
    the result is the same bits on every machine (unlike letting LLVM contract a * b + c,
    which it would do only where FMA exists)."""

    def codegen(context, builder, signature, args):
        double = ir.DoubleType()
        fused = builder.module.declare_intrinsic(
            "llvm.fma", [double], ir.FunctionType(double, [double] * 3)
        )
        return builder.call(fused, args)

    return types.float64(types.float64, types.float64, types.float64), codegen


@njit(cache=True, inline="always", error_model="numpy")
def log(x):
    """Natural logarithm of a positive normal float64, to about 1 ulp."""
    bits = _bits(x)
    k = (bits >> MANTISSA_BITS) - EXPONENT_BIAS
    m = _from_bits((bits & MANTISSA_MASK) | ONE_BITS)  # x = m 2^k, 1 <= m < 2
    high = m > SQRT2
    m = m * 0.5 if high else m
    exponent = float(k + 1) if high else float(k)
    # ln m = 2 atanh(s), s = (m - 1) / (m + 1), |s| < 0.172: the series' terms to s^21
    s = (m - 1.0) / (m + 1.0)
    s2 = s * s
    # 1/3 + s^2/5 + ... + s^18/21, as two chains in s^4 run side by side (written out, not a
    # loop over a tuple: numba would keep the loop, and its divisions)
    s4 = s2 * s2
    even = fma(s4, 1.0 / 19.0, 1.0 / 15.0)
    even = fma(s4, even, 1.0 / 11.0)
    even = fma(s4, even, 1.0 / 7.0)
    even = fma(s4, even, 1.0 / 3.0)
    odd = fma(s4, 1.0 / 21.0, 1.0 / 17.0)
    odd = fma(s4, odd, 1.0 / 13.0)
    odd = fma(s4, odd, 1.0 / 9.0)
    odd = fma(s4, odd, 1.0 / 5.0)
    tail = fma(s2, odd, even)
    return exponent * LN2_HI + (exponent * LN2_LO + 2.0 * s * s2 * tail + 2.0 * s)


@njit(cache=True, inline="always", error_model="numpy")
def exp(z):
    """e^z for |z| < 700, to about 1 ulp."""
    n = np.floor(z * INV_LN2 + 0.5)
    r = (z - n * LN2_HI) - n * LN2_LO  # |r| <= ln 2 / 2 (and a rounding)
    # Taylor to r^14 (the next term is below 1e-18 at |r| = ln 2 / 2), as two chains in
    # r^2 of the even and the odd terms, run side by side: half the latency of one chain
    r2 = r * r
    even = fma(r2, 1.0 / 87178291200.0, 1.0 / 479001600.0)  # 1 / 14!, 1 / 12!
    even = fma(r2, even, 1.0 / 3628800.0)
    even = fma(r2, even, 1.0 / 40320.0)
    even = fma(r2, even, 1.0 / 720.0)
    even = fma(r2, even, 1.0 / 24.0)
    even = fma(r2, even, 1.0 / 2.0)
    even = fma(r2, even, 1.0)
    odd = fma(r2, 1.0 / 6227020800.0, 1.0 / 39916800.0)  # 1 / 13!, 1 / 11!
    odd = fma(r2, odd, 1.0 / 362880.0)
    odd = fma(r2, odd, 1.0 / 5040.0)
    odd = fma(r2, odd, 1.0 / 120.0)
    odd = fma(r2, odd, 1.0 / 6.0)
    odd = fma(r2, odd, 1.0)
    series = fma(r, odd, even)
    return series * _from_bits((int(n) + EXPONENT_BIAS) << MANTISSA_BITS)


@njit(cache=True, inline="always", error_model="numpy")
def power(x, y):
    """x ** y = e^(y ln x) for x > 0 (finite, normal) and |y ln x| < 700."""
    return exp(y * log(x))
