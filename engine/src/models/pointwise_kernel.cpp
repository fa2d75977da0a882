#include "models/pointwise_kernel.h"

#include "models/bf16_bits.h"
#include "models/bf16_avx512.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <limits>

// The vector helpers are always inlined; no vector crosses a call boundary.
#pragma GCC diagnostic ignored "-Wpsabi"
// GCC 12 reports the _mm512_undefined_epi32() inside AVX-512 intrinsics as uninitialised (GCC bug
// 105593).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

namespace terse::detail {

namespace {

#define TERSE_INLINE inline __attribute__((always_inline))

// One copy per instruction set (AVX-512, AVX2+FMA, baseline x86-64), chosen at load time; the loops
// below are written so that GCC vectorises them in each copy.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define TERSE_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define TERSE_CLONES
#endif

TERSE_INLINE float roundBf16(float f)
{
    return fromBf16(toBf16(f));
}

// 8 or 16 floats at a time for the loops over e^x (siluMul, logSumExpEntropy), written with vector
// types: GCC does not vectorise their scalar loops (the float compares count as control flow under
// -ftrapping-math), which ran at 4-8 ns an element (logSumExpEntropy over a 4096-word vocabulary
// was 7.5% of a 4k-token forward of the 192 x 4 benchmark model). 16 lanes where the CPU has
// AVX-512 (one zmm register): 1.8x the 8-lane loop on a Zen 4, whose e^x is most of the work.
template <int N> struct Vec;
template <> struct Vec<8> {
    typedef float F __attribute__((vector_size(32)));
    typedef std::int32_t I __attribute__((vector_size(32)));
    typedef std::uint32_t U __attribute__((vector_size(32)));
    typedef std::uint16_t H __attribute__((vector_size(16)));
};
template <> struct Vec<16> {
    typedef float F __attribute__((vector_size(64)));
    typedef std::int32_t I __attribute__((vector_size(64)));
    typedef std::uint32_t U __attribute__((vector_size(64)));
    typedef std::uint16_t H __attribute__((vector_size(32)));
};
using v8 = Vec<8>::F;

template <class F> TERSE_INLINE F loadF(const float *p)
{
    F r;
    std::memcpy(&r, p, sizeof r);
    return r;
}
template <class F> TERSE_INLINE void storeF(float *p, F x)
{
    std::memcpy(p, &x, sizeof x);
}
template <class F> TERSE_INLINE F splat(float x)
{
    return F{} + x;
}
template <class F, class M> TERSE_INLINE F select(M mask, F a, F b) // lanes of mask all ones: a
{
    return reinterpret_cast<F>((reinterpret_cast<M>(a) & mask) | (reinterpret_cast<M>(b) & ~mask));
}
// The helpers of expApprox per type: x clamped to [-87.3, 88] (NaN to 88), and 2^n from rn, the
// sum x log2 e + 1.5 x 2^23 whose low mantissa bits hold n.
TERSE_INLINE float clampForExp(float x)
{
    x = x < 88.0f ? x : 88.0f;
    return x > -87.3f ? x : -87.3f;
}
template <class F> TERSE_INLINE F clampForExp(F x)
{
    x = x < 88.0f ? x : splat<F>(88.0f); // vector ?: (minps / maxps), as the scalar clamp
    return x > -87.3f ? x : splat<F>(-87.3f);
}
TERSE_INLINE float pow2Of(float rn, float magic)
{
    std::int32_t ri, mi;
    std::memcpy(&ri, &rn, sizeof ri);
    std::memcpy(&mi, &magic, sizeof mi);
    const std::int32_t bits = (ri - mi + 127) << 23;
    float scale;
    std::memcpy(&scale, &bits, sizeof scale);
    return scale;
}
template <class F> TERSE_INLINE F pow2Of(F rn, F magic)
{
    using I = decltype(rn < rn);
    return reinterpret_cast<F>((reinterpret_cast<I>(rn) - reinterpret_cast<I>(magic) + 127) << 23);
}

// e^x = 2^n e^r: n = x log2 e rounded (the 1.5 x 2^23 trick), r = x - n ln 2 in two parts
// (Cody-Waite, so r stays exact for large |x|), e^r by its degree-6 Taylor polynomial on
// |r| <= ln2 / 2 (relative error < 2e-7). No branches. x is clamped to [-87.3, 88]: e^x stays a
// normal float; NaN comes out as e^88. T: float, or a float vector (the same operations lane by
// lane).
template <class T> TERSE_INLINE T expApprox(T x)
{
    x = clampForExp(x);
    const T magic = T{} + 12582912.0f; // 1.5 x 2^23
    const T rn = x * 1.44269504088896341f + magic;
    const T n = rn - magic;
    const T r = (x - n * 0.693145751953125f) - n * 1.428606765330187e-06f;
    T p = T{} + 1.3888889e-3f; // 1 / k!, k = 6 .. 0
    p = p * r + 8.3333333e-3f;
    p = p * r + 4.1666667e-2f;
    p = p * r + 1.6666667e-1f;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    return p * pow2Of(rn, magic);
}

// N bf16 widened to floats, and N floats rounded to bf16 (toBf16 lane by lane) as bits.
template <int N> TERSE_INLINE typename Vec<N>::F loadBf16(const std::uint16_t *p)
{
    typename Vec<N>::H h;
    std::memcpy(&h, p, sizeof h);
    return reinterpret_cast<typename Vec<N>::F>(__builtin_convertvector(h, typename Vec<N>::U)
                                                << 16);
}
// toBf16 on each lane of a float vector F (8 or 16 lanes), as bits U kept widened (the value a bf16
// op leaves in the high half): nearest, ties to even, NaN to the quiet NaN.
template <class U, class F> TERSE_INLINE U roundBf16Bits(F x)
{
    const U u = reinterpret_cast<U>(x);
    const U r = (u + 0x7fffu + ((u >> 16) & 1u)) & 0xffff0000u;
    const U nan = (u & 0x7fffffffu) > 0x7f800000u; // lanes all ones where NaN
    return (r & ~nan) | (0x7fc00000u & nan);
}
template <int N> TERSE_INLINE void storeBf16(std::uint16_t *p, typename Vec<N>::U bits)
{
    const typename Vec<N>::H h = __builtin_convertvector(bits >> 16, typename Vec<N>::H);
    std::memcpy(p, &h, sizeof h);
}

// silu(x) = x / (1 + e^-x) (torch's formula); NaN stays NaN.
TERSE_INLINE float silu(float x)
{
    return x / (1.0f + expApprox(-x));
}

constexpr int kLanes = 16; // partial sums: a vector's worth, so the sum of squares vectorises

template <typename Load> TERSE_INLINE float meanSquare(const Load &load, std::int64_t dim)
{
    float part[kLanes] = {};
    std::int64_t i = 0;
    for (; i + kLanes <= dim; i += kLanes)
        for (int l = 0; l < kLanes; ++l) {
            const float v = load(i + l);
            part[l] += v * v;
        }
    for (; i < dim; ++i) {
        const float v = load(i);
        part[0] += v * v;
    }
    float s = 0;
    for (float p : part)
        s += p;
    return s / static_cast<float>(dim);
}

} // namespace

TERSE_CLONES
void rmsNormRows(const float *x, std::int64_t stride, const float *w, float *y, std::int64_t dim,
                 float eps, std::int64_t begin, std::int64_t end)
{
    for (std::int64_t r = begin; r < end; ++r) {
        const float *xr = x + r * stride;
        float *yr = y + r * dim;
        const float inv =
            1.0f / std::sqrt(meanSquare([xr](std::int64_t i) { return xr[i]; }, dim) + eps);
        for (std::int64_t i = 0; i < dim; ++i)
            yr[i] = w[i] * (xr[i] * inv);
    }
}

namespace {

TERSE_CLONES
void rmsNormGeneric(const std::uint16_t *x, std::int64_t stride, const std::uint16_t *w,
                    std::uint16_t *y, std::int64_t dim, float eps, std::int64_t begin,
                    std::int64_t end)
{
    for (std::int64_t r = begin; r < end; ++r) {
        const std::uint16_t *xr = x + r * stride;
        std::uint16_t *yr = y + r * dim;
        const float inv =
            1.0f /
            std::sqrt(meanSquare([xr](std::int64_t i) { return fromBf16(xr[i]); }, dim) + eps);
        // HF: the normalised row is cast to bf16, then scaled by the bf16 weight (a bf16 product).
        for (std::int64_t i = 0; i < dim; ++i)
            yr[i] = toBf16(fromBf16(w[i]) * roundBf16(fromBf16(xr[i]) * inv));
    }
}

// The bodies of siluMul and logSumExpEntropy over N-lane vectors, compiled twice: 16 lanes for
// CPUs with AVX-512 (siluMulWide etc., chosen at run time), 8 lanes in each of TERSE_CLONES'
// copies.
template <int N>
TERSE_INLINE void siluMulRows(const float *g, const float *u, float *y, std::int64_t begin,
                              std::int64_t end)
{
    using F = typename Vec<N>::F;
    std::int64_t i = begin;
    for (; i + N <= end; i += N) {
        const F x = loadF<F>(g + i);
        storeF(y + i, x / (1.0f + expApprox(-x)) * loadF<F>(u + i));
    }
    for (; i < end; ++i)
        y[i] = silu(g[i]) * u[i];
}

template <int N>
TERSE_INLINE void siluMulRows(const std::uint16_t *g, const std::uint16_t *u, std::uint16_t *y,
                              std::int64_t begin, std::int64_t end)
{
    // torch: silu's bf16 result, then a bf16 product. N lanes at a time: the scalar loop was not
    // vectorised (expApprox's clamps count as control flow).
    using F = typename Vec<N>::F;
    using U = typename Vec<N>::U;
    std::int64_t i = begin;
    for (; i + N <= end; i += N) {
        const F x = loadBf16<N>(g + i);
        const F s = reinterpret_cast<F>(roundBf16Bits<U>(x / (1.0f + expApprox(-x))));
        storeBf16<N>(y + i, roundBf16Bits<U>(s * loadBf16<N>(u + i)));
    }
    for (; i < end; ++i)
        y[i] = toBf16(roundBf16(silu(fromBf16(g[i]))) * fromBf16(u[i]));
}

// Logits as floats: fp32 as they are, bf16 widened (exactly).
TERSE_INLINE float widen(float x)
{
    return x;
}
TERSE_INLINE float widen(std::uint16_t b)
{
    return fromBf16(b);
}
template <int N> TERSE_INLINE typename Vec<N>::F loadAs(const float *p)
{
    return loadF<typename Vec<N>::F>(p);
}
template <int N> TERSE_INLINE typename Vec<N>::F loadAs(const std::uint16_t *p)
{
    return loadBf16<N>(p);
}

// Over one row of logits with maximum m: sum = sum of w = e^(z - m), and (Weighted) sum of w (z -
// m), in fp32 within blocks of 1024 and double across them.
template <int N, bool Weighted, class T>
TERSE_INLINE void sumExp(const T *row, std::int64_t vocab, float m, double &sum, double &weighted)
{
    using F = typename Vec<N>::F;
    constexpr std::int64_t kBlock = 1024;
    for (std::int64_t b0 = 0; b0 < vocab; b0 += kBlock) {
        const std::int64_t b1 = std::min(vocab, b0 + kBlock);
        // Two vectors of partial sums, so the adds do not wait on each other.
        F s[2] = {}, t[2] = {};
        std::int64_t j = b0;
        for (; j + 2 * N <= b1; j += 2 * N)
            for (int h = 0; h < 2; ++h) {
                const F d = loadAs<N>(row + j + h * N) - m; // <= 0; -inf for a -inf logit
                const auto seen = d > -1e30f;
                const F w = select(seen, expApprox(d), F{});
                s[h] += w;
                if constexpr (Weighted)
                    t[h] += select(seen, w * d, F{});
            }
        float s0 = 0, t0 = 0;
        for (; j < b1; ++j) {
            const float d = widen(row[j]) - m;
            const float w = d > -1e30f ? expApprox(d) : 0.0f;
            s0 += w;
            t0 += w > 0.0f ? w * d : 0.0f;
        }
        sum += s0, weighted += t0;
        for (int h = 0; h < 2; ++h)
            for (int l = 0; l < N; ++l)
                sum += s[h][l], weighted += t[h][l];
    }
}

template <int N, class T>
TERSE_INLINE void logSumExpRows(const T *z, std::int64_t stride, std::int64_t vocab, float *lse,
                                float *entropy, std::int64_t begin, std::int64_t end)
{
    constexpr float kNegInf = -std::numeric_limits<float>::infinity();
    for (std::int64_t r = begin; r < end; ++r) {
        const T *row = z + r * stride;
        // The maximum (NaN skipped: x > top is false) over two vectors of lanes, then the rest.
        using F = typename Vec<N>::F;
        F top[2] = {splat<F>(kNegInf), splat<F>(kNegInf)};
        std::int64_t i = 0;
        for (; i + 2 * N <= vocab; i += 2 * N)
            for (int h = 0; h < 2; ++h) {
                const F x = loadAs<N>(row + i + h * N);
                top[h] = x > top[h] ? x : top[h];
            }
        float m = kNegInf;
        for (; i < vocab; ++i) {
            const float x = widen(row[i]);
            m = x > m ? x : m;
        }
        for (int h = 0; h < 2; ++h)
            for (int l = 0; l < N; ++l)
                m = top[h][l] > m ? top[h][l] : m;
        if (m == kNegInf || m != m) { // every logit -inf (or NaN, which max skips: pass it on)
            lse[r] = m;
            if (entropy)
                entropy[r] = m == kNegInf ? 0.0f : m;
            continue;
        }
        double sum = 0, weighted = 0;
        if (entropy)
            sumExp<N, true>(row, vocab, m, sum, weighted);
        else // surprisal alone: no sum of w x d
            sumExp<N, false>(row, vocab, m, sum, weighted);
        const double logS = std::log(sum);
        lse[r] = static_cast<float>(m + logS);
        if (entropy)
            entropy[r] = static_cast<float>(logS - weighted / sum);
    }
}

// The 16-lane copies: compiled for x86-64-v4 (AVX-512) where GCC can choose by CPU, plain elsewhere
// (never run there: wide() is false).
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define TERSE_HAS_WIDE 1
#define TERSE_WIDE_TARGET __attribute__((target("arch=x86-64-v4")))
#else
#define TERSE_WIDE_TARGET
#endif

TERSE_WIDE_TARGET void siluMulWide(const float *g, const float *u, float *y, std::int64_t begin,
                                   std::int64_t end)
{
    siluMulRows<16>(g, u, y, begin, end);
}
TERSE_WIDE_TARGET void siluMulWide(const std::uint16_t *g, const std::uint16_t *u, std::uint16_t *y,
                                   std::int64_t begin, std::int64_t end)
{
    siluMulRows<16>(g, u, y, begin, end);
}
template <class T>
TERSE_WIDE_TARGET void logSumExpWide(const T *z, std::int64_t stride, std::int64_t vocab,
                                     float *lse, float *entropy, std::int64_t begin,
                                     std::int64_t end)
{
    logSumExpRows<16>(z, stride, vocab, lse, entropy, begin, end);
}

// The copies of siluMul and logSumExpEntropy over bf16 for CPUs with AVX512-BF16 (those the
// engine computes in bf16 on by default), in intrinsics: bf16 rounding by one vcvtneps2bf16 for
// 16 floats (round to nearest even, NaN kept a NaN, as toBf16; denormals, which it flushes to
// zero, do not arise here) in place of the generic copies' integer emulation (about 9 operations),
// and e^x as 2^n (scalef) times 2^f by a degree-5 polynomial (scripts/fit_exp2_poly.py --one 5:
// relative error 1.6e-7 in fp32, expApprox's being 2e-7) in 9 operations instead of expApprox's
// 16 (models/bf16_avx512.h). SiLU x up on a Zen 4: 0.59 -> 0.30 ns an element, every result
// equal to the generic copy's on 512k normal inputs.
#if defined(__x86_64__) && defined(__GNUC__)
#define TERSE_HAS_BF16_NATIVE 1
#define TERSE_BF16_NATIVE __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx512bf16")))

// 2^t for t in [-150, 150] (the callers clamp): 0 below 2^-149, inf above 2^128.
TERSE_BF16_NATIVE TERSE_INLINE __m512 exp2Native(__m512 t)
{
    return exp2Avx512<5>(t);
}

// x / (1 + e^-x) as torch computes it, rounded to bf16 (NaN stays NaN: the clamps take the bound,
// x carries it; -inf gives NaN as in torch, inf gives inf).
TERSE_BF16_NATIVE TERSE_INLINE __m512 siluNative(__m512 x)
{
    const __m512 t =
        _mm512_max_ps(_mm512_min_ps(_mm512_mul_ps(x, _mm512_set1_ps(-1.44269504088896341f)),
                                    _mm512_set1_ps(150.0f)),
                      _mm512_set1_ps(-150.0f));
    return roundBf16Avx512(_mm512_div_ps(x, _mm512_add_ps(_mm512_set1_ps(1.0f), exp2Native(t))));
}

TERSE_BF16_NATIVE void siluMulNative(const std::uint16_t *g, const std::uint16_t *u,
                                     std::uint16_t *y, std::int64_t begin, std::int64_t end)
{
    std::int64_t i = begin;
    for (; i + 16 <= end; i += 16) // whole vectors, then the rest under a mask
        storeBf16Avx512(0xffff, y + i,
                        _mm512_mul_ps(siluNative(loadBf16Avx512(g + i)), loadBf16Avx512(u + i)));
    if (i < end) {
        const __mmask16 m = lanesLeft(end - i);
        storeBf16Avx512(
            m, y + i,
            _mm512_mul_ps(siluNative(loadBf16Avx512(m, g + i)), loadBf16Avx512(m, u + i)));
    }
}

// rmsNormGeneric in 16-lane vectors: the sum of squares in 16 partial sums (the rest of a row
// under a mask), the normalised row rounded to bf16, times the weight, rounded again.
TERSE_BF16_NATIVE void rmsNormNative(const std::uint16_t *x, std::int64_t stride,
                                     const std::uint16_t *w, std::uint16_t *y, std::int64_t dim,
                                     float eps, std::int64_t begin, std::int64_t end)
{
    for (std::int64_t r = begin; r < end; ++r) {
        const std::uint16_t *xr = x + r * stride;
        std::uint16_t *yr = y + r * dim;
        __m512 part = _mm512_setzero_ps();
        for (std::int64_t i = 0; i < dim; i += 16) {
            const __m512 v = loadBf16Avx512(lanesLeft(dim - i), xr + i);
            part = _mm512_fmadd_ps(v, v, part);
        }
        const __m512 inv = _mm512_set1_ps(
            1.0f / std::sqrt(_mm512_reduce_add_ps(part) / static_cast<float>(dim) + eps));
        for (std::int64_t i = 0; i < dim; i += 16) {
            const __mmask16 m = lanesLeft(dim - i);
            storeBf16Avx512(
                m, yr + i,
                _mm512_mul_ps(loadBf16Avx512(m, w + i),
                              roundBf16Avx512(_mm512_mul_ps(loadBf16Avx512(m, xr + i), inv))));
        }
    }
}

// logSumExpRows over bf16 logits: the same maximum, then the sums of w = e^(z - m) and w (z - m)
// in fp32 within blocks of 1024 (two vectors of partial sums) and double across them. z - m is
// clamped at -104 (e^-104 < 2^-149 rounds to 0): -inf and NaN logits add nothing, as there.
TERSE_BF16_NATIVE void logSumExpNative(const std::uint16_t *z, std::int64_t stride,
                                       std::int64_t vocab, float *lse, float *entropy,
                                       std::int64_t begin, std::int64_t end)
{
    const __m512 negInf = _mm512_set1_ps(-std::numeric_limits<float>::infinity());
    const __m512 floor = _mm512_set1_ps(-104.0f), log2e = _mm512_set1_ps(1.44269504088896341f);
    for (std::int64_t r = begin; r < end; ++r) {
        const std::uint16_t *row = z + r * stride;
        __m512 top[2] = {negInf, negInf};
        for (std::int64_t i = 0; i < vocab; i += 32)
            for (int h = 0; h < 2 && i + 16 * h < vocab; ++h) {
                const __mmask16 m = lanesLeft(vocab - i - 16 * h);
                // NaN skipped (max takes its second operand); lanes past the row: -inf.
                top[h] = _mm512_max_ps(
                    _mm512_mask_mov_ps(negInf, m, loadBf16Avx512(m, row + i + 16 * h)), top[h]);
            }
        const float mx = _mm512_reduce_max_ps(_mm512_max_ps(top[0], top[1]));
        if (mx == -std::numeric_limits<float>::infinity() || mx != mx) { // as logSumExpRows
            lse[r] = mx;
            if (entropy)
                entropy[r] = mx == -std::numeric_limits<float>::infinity() ? 0.0f : mx;
            continue;
        }
        const __m512 mv = _mm512_set1_ps(mx);
        double sum = 0, weighted = 0;
        for (std::int64_t b0 = 0; b0 < vocab; b0 += 1024) {
            const std::int64_t b1 = std::min(vocab, b0 + 1024);
            __m512 sv[2] = {_mm512_setzero_ps(), _mm512_setzero_ps()}, tv[2] = {sv[0], sv[1]};
            for (std::int64_t i = b0; i < b1; i += 32)
                for (int h = 0; h < 2 && i + 16 * h < b1; ++h) {
                    const __mmask16 m = lanesLeft(b1 - i - 16 * h);
                    const __m512 d = _mm512_max_ps(
                        _mm512_sub_ps(loadBf16Avx512(m, row + i + 16 * h), mv), floor);
                    const __m512 w = _mm512_maskz_mov_ps(m, exp2Native(_mm512_mul_ps(d, log2e)));
                    sv[h] = _mm512_add_ps(sv[h], w);
                    if (entropy)
                        tv[h] = _mm512_fmadd_ps(w, d, tv[h]);
                }
            sum += _mm512_reduce_add_ps(_mm512_add_ps(sv[0], sv[1]));
            weighted += _mm512_reduce_add_ps(_mm512_add_ps(tv[0], tv[1]));
        }
        const double logS = std::log(sum);
        lse[r] = static_cast<float>(mx + logS);
        if (entropy)
            entropy[r] = static_cast<float>(logS - weighted / sum);
    }
}
#endif

// forcePointwiseCopy's choice: 0 the CPU's best, 1 no bf16-native copies, 2 8 lanes only.
std::atomic<int> gCopy{0};

// Whether the 16-lane copies run: the CPU has x86-64-v4's AVX-512 and no test asked for 8 lanes.
bool wide()
{
#ifdef TERSE_HAS_WIDE
    static const bool cpu = __builtin_cpu_supports("x86-64-v4");
    return cpu && gCopy.load(std::memory_order_relaxed) < 2;
#else
    return false;
#endif
}

// Whether the bf16-native copies run: the CPU has AVX512-BF16 and no test asked for others.
bool native()
{
#ifdef TERSE_HAS_BF16_NATIVE
    static const bool cpu =
        __builtin_cpu_supports("x86-64-v4") && __builtin_cpu_supports("avx512bf16");
    return cpu && gCopy.load(std::memory_order_relaxed) == 0;
#else
    return false;
#endif
}

TERSE_CLONES
void siluMulNarrow(const float *g, const float *u, float *y, std::int64_t begin, std::int64_t end)
{
    siluMulRows<8>(g, u, y, begin, end);
}
TERSE_CLONES
void siluMulNarrow(const std::uint16_t *g, const std::uint16_t *u, std::uint16_t *y,
                   std::int64_t begin, std::int64_t end)
{
    siluMulRows<8>(g, u, y, begin, end);
}
TERSE_CLONES
void logSumExpNarrow(const float *z, std::int64_t stride, std::int64_t vocab, float *lse,
                     float *entropy, std::int64_t begin, std::int64_t end)
{
    logSumExpRows<8>(z, stride, vocab, lse, entropy, begin, end);
}
TERSE_CLONES
void logSumExpNarrow(const std::uint16_t *z, std::int64_t stride, std::int64_t vocab, float *lse,
                     float *entropy, std::int64_t begin, std::int64_t end)
{
    logSumExpRows<8>(z, stride, vocab, lse, entropy, begin, end);
}

} // namespace

void forcePointwiseCopy(PointwiseCopy copy)
{
    gCopy.store(copy == PointwiseCopy::Best      ? 0
                : copy == PointwiseCopy::Generic ? 1
                                                 : 2,
                std::memory_order_relaxed);
}

// Each: the bf16-native copy where native() (bf16 only), else the 16-lane copy where wide(), else
// the 8-lane one.
void siluMul(const float *g, const float *u, float *y, std::int64_t begin, std::int64_t end)
{
    wide() ? siluMulWide(g, u, y, begin, end) : siluMulNarrow(g, u, y, begin, end);
}

void rmsNormRows(const std::uint16_t *x, std::int64_t stride, const std::uint16_t *w,
                 std::uint16_t *y, std::int64_t dim, float eps, std::int64_t begin,
                 std::int64_t end)
{
#ifdef TERSE_HAS_BF16_NATIVE
    if (native())
        return rmsNormNative(x, stride, w, y, dim, eps, begin, end);
#endif
    rmsNormGeneric(x, stride, w, y, dim, eps, begin, end);
}

void siluMul(const std::uint16_t *g, const std::uint16_t *u, std::uint16_t *y, std::int64_t begin,
             std::int64_t end)
{
#ifdef TERSE_HAS_BF16_NATIVE
    if (native())
        return siluMulNative(g, u, y, begin, end);
#endif
    wide() ? siluMulWide(g, u, y, begin, end) : siluMulNarrow(g, u, y, begin, end);
}

void logSumExpEntropy(const float *z, std::int64_t stride, std::int64_t vocab, float *lse,
                      float *entropy, std::int64_t begin, std::int64_t end)
{
    wide() ? logSumExpWide(z, stride, vocab, lse, entropy, begin, end)
           : logSumExpNarrow(z, stride, vocab, lse, entropy, begin, end);
}

void logSumExpEntropy(const std::uint16_t *z, std::int64_t stride, std::int64_t vocab, float *lse,
                      float *entropy, std::int64_t begin, std::int64_t end)
{
#ifdef TERSE_HAS_BF16_NATIVE
    if (native())
        return logSumExpNative(z, stride, vocab, lse, entropy, begin, end);
#endif
    wide() ? logSumExpWide(z, stride, vocab, lse, entropy, begin, end)
           : logSumExpNarrow(z, stride, vocab, lse, entropy, begin, end);
}

namespace {

template <typename T, typename Conv, typename Round>
TERSE_INLINE void ropeRows(const Rope &p, const T *x, T *y, const T *cos, const T *sin,
                           std::int64_t begin, std::int64_t end, Conv conv, Round round)
{
    const std::int64_t hd = p.headDim, rd = p.rotaryDim, half = rd / 2;
    for (std::int64_t r = begin; r < end; ++r) {
        const std::int64_t t = r / p.heads, h = r % p.heads;
        const T *xr = x + t * p.tokenStride + h * hd;
        const T *c = cos + t * rd;
        const T *s = sin + t * rd;
        T *yr = y + r * hd;
        // x * cos + rotate_half(x) * sin, rotate_half(x) = [-x2, x1]; each product and the sum
        // rounded as torch's ops round them in the compute dtype.
        for (std::int64_t i = 0; i < half; ++i)
            yr[i] = round(conv(round(conv(xr[i]) * conv(c[i]))) +
                          conv(round(-conv(xr[i + half]) * conv(s[i]))));
        for (std::int64_t i = half; i < rd; ++i)
            yr[i] = round(conv(round(conv(xr[i]) * conv(c[i]))) +
                          conv(round(conv(xr[i - half]) * conv(s[i]))));
        for (std::int64_t i = rd; i < hd; ++i)
            yr[i] = xr[i];
    }
}

#ifdef TERSE_HAS_BF16_NATIVE
// The bf16 RoPE rows of ropeRows in 16-lane vectors under masks (a head's half, 12 for head dim
// 24, is shorter than GCC's vector loop, which left the whole row to its scalar epilogue: 6-8% of
// a bf16 forward of the 192 x 4 benchmark model), rounding by vcvtneps2bf16: equal to ropeRows
// (the tests compare every element) in 1/3 of the instructions of the integer emulation the
// AVX-512 copy before it used. CPUs with AVX-512 but not AVX512-BF16 (where bf16 is only ever
// asked for explicitly, and its matmuls are emulated) take the generic copy.
TERSE_BF16_NATIVE void ropeRowsBf16Native(const Rope &p, const std::uint16_t *x, std::uint16_t *y,
                                          std::int64_t begin, std::int64_t end)
{
    const std::int64_t hd = p.headDim, rd = p.rotaryDim, half = rd / 2;
    for (std::int64_t r = begin; r < end; ++r) {
        const std::int64_t t = r / p.heads, h = r % p.heads;
        const std::uint16_t *xr = x + t * p.tokenStride + h * hd;
        const std::uint16_t *c = p.cosb + t * rd;
        const std::uint16_t *s = p.sinb + t * rd;
        std::uint16_t *yr = y + r * hd;
        for (std::int64_t i = 0; i < half; i += 16) {
            const __mmask16 m = lanesLeft(half - i);
            const __m512 x1 = loadBf16Avx512(m, xr + i), x2 = loadBf16Avx512(m, xr + half + i);
            const __m512 c1 = loadBf16Avx512(m, c + i), c2 = loadBf16Avx512(m, c + half + i);
            const __m512 s1 = loadBf16Avx512(m, s + i), s2 = loadBf16Avx512(m, s + half + i);
            // As ropeRows: x * cos + rotate_half(x) * sin, each product and the sum rounded.
            const __m512 lo = _mm512_add_ps(
                roundBf16Avx512(_mm512_mul_ps(x1, c1)),
                roundBf16Avx512(_mm512_mul_ps(_mm512_sub_ps(_mm512_setzero_ps(), x2), s1)));
            const __m512 hi = _mm512_add_ps(roundBf16Avx512(_mm512_mul_ps(x2, c2)),
                                            roundBf16Avx512(_mm512_mul_ps(x1, s2)));
            storeBf16Avx512(m, yr + i, lo);
            storeBf16Avx512(m, yr + half + i, hi);
        }
        std::copy(xr + rd, xr + hd, yr + rd);
    }
}
#endif

} // namespace

TERSE_CLONES
void Rope::run(const float *x, float *y, std::int64_t begin, std::int64_t end) const
{
    ropeRows(
        *this, x, y, cos, sin, begin, end, [](float v) { return v; }, [](float v) { return v; });
}

void Rope::run(const std::uint16_t *x, std::uint16_t *y, std::int64_t begin, std::int64_t end) const
{
#ifdef TERSE_HAS_BF16_NATIVE
    if (native())
        return ropeRowsBf16Native(*this, x, y, begin, end);
#endif
    runGeneric(x, y, begin, end);
}

TERSE_CLONES
void Rope::runGeneric(const std::uint16_t *x, std::uint16_t *y, std::int64_t begin,
                      std::int64_t end) const
{
    ropeRows(
        *this, x, y, cosb, sinb, begin, end, [](std::uint16_t v) { return fromBf16(v); },
        [](float v) { return toBf16(v); });
}

} // namespace terse::detail
