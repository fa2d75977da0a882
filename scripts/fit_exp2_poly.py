#!/usr/bin/env python3
"""Fits the polynomial p(f) ~ 2^f on [-1/2, 1/2] that the bf16 attention kernel uses for its
probabilities (engine/src/models/attention_kernel.cpp, exp2ForBf16), least maximum *relative*
error, by Lawson's iteration (weighted least squares whose weights grow where the error is
largest). Pure Python (no numpy on the build machines).

Prints, per degree, the maximum relative error of the exact coefficients, of the coefficients
rounded to fp32 and evaluated by fp32 Horner steps, and those coefficients (highest first, as the
kernel's FMAs take them). The degree-5 Taylor polynomial it replaced is printed for comparison.

Usage: scripts/fit_exp2_poly.py [degree ...]   (default: 3 4)
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


def fit(degree, iterations=120):
    """Coefficients c[0..degree] (lowest first) and their maximum relative error."""
    w = [1.0] * N
    for _ in range(iterations):
        a = [[0.0] * (degree + 1) for _ in range(degree + 1)]
        b = [0.0] * (degree + 1)
        for x, y, wi in zip(XS, YS, w):
            ww = wi / (y * y)  # relative error: residual / y
            pw = [x**k for k in range(degree + 1)]
            for i in range(degree + 1):
                b[i] += ww * pw[i] * y
                for j in range(degree + 1):
                    a[i][j] += ww * pw[i] * pw[j]
        c = solve(a, b)
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
    degrees = [int(a) for a in sys.argv[1:]] or [3, 4]
    taylor5 = [math.log(2) ** k / math.factorial(k) for k in range(6)]
    print(f"degree-5 Taylor: fp32 error {fp32_error(taylor5):.3g}")
    for d in degrees:
        c, err = fit(d)
        coeffs = ", ".join(f"{f32(v):.10e}f" for v in reversed(c))
        print(f"degree {d}: error {err:.3g}, fp32 error {fp32_error(c):.3g}; coefficients {coeffs}")


if __name__ == "__main__":
    main()
