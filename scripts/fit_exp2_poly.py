#!/usr/bin/env python3
"""Fits the polynomial p(f) ~ 2^f on [-1/2, 1/2] that the bf16 attention kernel uses for its
probabilities (engine/src/models/attention_kernel.cpp, exp2ForBf16), least maximum *relative*
error, by Lawson's iteration (weighted least squares whose weights grow where the error is
largest). Pure Python (no numpy on the build machines).

Prints, per degree, the maximum relative error of the exact coefficients, of the coefficients
rounded to fp32 and evaluated by fp32 Horner steps, and those coefficients (highest first, as the
kernel's FMAs take them). The degree-5 Taylor polynomial it replaced is printed for comparison.

Usage: scripts/fit_exp2_poly.py [--one] [degree ...]   (default: 3 4)
  --one: the constant term fixed at 1 (p(0) = 2^0 exactly), the others fitted.
"""
import math
import struct
import sys

N = 4001
XS = [-0.5 + i / (N - 1) for i in range(N)]
YS = [2.0**x for x in XS]


def f32(x):
    return struct.unpack("f", struct.pack("f", x))[0]


def solve(a, b):
    """Gaussian elimination with partial pivoting (the systems are at most 6 x 6)."""
    n = len(b)
    m = [row[:] + [b[i]] for i, row in enumerate(a)]
    for c in range(n):
        p = max(range(c, n), key=lambda r: abs(m[r][c]))
        m[c], m[p] = m[p], m[c]
        for r in range(n):
            if r != c:
                k = m[r][c] / m[c][c]
                for j in range(c, n + 1):
                    m[r][j] -= k * m[c][j]
    return [m[i][n] / m[i][i] for i in range(n)]


def fit(degree, one=False, iterations=120):
    """Coefficients c[0..degree] (lowest first) and their maximum relative error. one: c[0] = 1
    exactly (2^0 = 1: a row's largest score, whose probability is e^0, gets exactly 1)."""
    w = [1.0] * N
    k0 = 1 if one else 0  # the first coefficient fitted
    for _ in range(iterations):
        n = degree + 1 - k0
        a = [[0.0] * n for _ in range(n)]
        b = [0.0] * n
        for x, y, wi in zip(XS, YS, w):
            ww = wi / (y * y)  # relative error: residual / y
            pw = [x**k for k in range(k0, degree + 1)]
            for i in range(n):
                b[i] += ww * pw[i] * (y - k0)
                for j in range(n):
                    a[i][j] += ww * pw[i] * pw[j]
        c = [1.0] * k0 + solve(a, b)
        err = [abs(sum(c[k] * x**k for k in range(degree + 1)) - y) / y for x, y in zip(XS, YS)]
        top = max(err)
        w = [wi * (e / top) for wi, e in zip(w, err)]
        total = sum(w)
        w = [wi / total for wi in w]
    return c, top


def fp32_error(c):
    """Maximum relative error of Horner's rule in fp32 with the coefficients rounded to fp32."""
    cc = [f32(v) for v in c]
    worst = 0.0
    for x, y in zip(XS, YS):
        xf = f32(x)
        p = cc[-1]
        for k in reversed(cc[:-1]):
            p = f32(f32(p * xf) + k)
        worst = max(worst, abs(p - y) / y)
    return worst


def main():
    one = "--one" in sys.argv
    degrees = [int(a) for a in sys.argv[1:] if a != "--one"] or [3, 4]
    taylor5 = [math.log(2) ** k / math.factorial(k) for k in range(6)]
    print(f"degree-5 Taylor: fp32 error {fp32_error(taylor5):.3g}")
    for d in degrees:
        c, err = fit(d, one)
        coeffs = ", ".join(f"{f32(v):.10e}f" for v in reversed(c))
        print(f"degree {d}: error {err:.3g}, fp32 error {fp32_error(c):.3g}; coefficients {coeffs}")


if __name__ == "__main__":
    main()
