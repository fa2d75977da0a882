#include "models/attention_kernel.h"

#include "models/bf16_bits.h"
#include "models/bf16_avx512.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

// The vector helpers are always inlined; no vector crosses a call boundary.
#pragma GCC diagnostic ignored "-Wpsabi"
// GCC 12 reports the _mm512_undefined_*() inside AVX-512 intrinsics as uninitialised (GCC bug
// 105593).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

namespace terse::detail {

namespace {

// The fp32 kernel is written once over a vector type V: v16 (16 floats, one AVX-512 register) for
// the AVX-512 copy, v8 (one AVX2 register) for the AVX2 and baseline copies. GCC lowers a v16 on
// AVX2 through the stack (a 64-byte value in halves and quarters), which made that copy 4-7x
// slower than libtorch's attention on an AVX2-only CPU.
using v16 = float __attribute__((vector_size(64)));
using v16i = std::int32_t __attribute__((vector_size(64)));
using v8 = float __attribute__((vector_size(32)));
using v8i = std::int32_t __attribute__((vector_size(32)));
template <class V> struct IntVector;
template <> struct IntVector<v16> {
    using type = v16i;
};
template <> struct IntVector<v8> {
    using type = v8i;
};
template <class V> using IntOf = typename IntVector<V>::type;
template <class V> constexpr int kLanes = static_cast<int>(sizeof(V) / sizeof(float));

#define TERSE_INLINE inline __attribute__((always_inline))
// Fully unrolled register-blocked loops: without it GCC -O2 keeps the 4 x 4 accumulators of a tile
// in memory, a store per multiply-add (3.4x slower at head dim 96 than unrolled).
#define TERSE_UNROLL _Pragma("GCC unroll 16")

constexpr std::int64_t kTile = kTileKeys; // keys per tile (four vectors)
constexpr std::int64_t kBlockRows = 64;   // query rows per task
static_assert(kBlockRows % 8 == 0, "the bf16 P V passes take 8 rows at a time");
constexpr std::int64_t kGroup = 4; // query rows sharing each loaded key / value vector
constexpr float kNegInf = -std::numeric_limits<float>::infinity();

template <class V> TERSE_INLINE V load(const float *p)
{
    V r;
    std::memcpy(&r, p, sizeof r);
    return r;
}
template <class V> TERSE_INLINE void store(float *p, V x)
{
    std::memcpy(p, &x, sizeof x);
}
template <class V> TERSE_INLINE V splat(float x)
{
    // Lane 0 shuffled to every lane: a move and a broadcast (V{} + x adds 0 first, which -0.0
    // forbids folding; a lane-by-lane fill becomes a chain of inserts; a brace list of x, as
    // _mm256_set1_ps spells it, measured 25-30% slower in the AVX2 copy).
    V r{};
    r[0] = x;
    return __builtin_shuffle(r, IntOf<V>{});
}
// splat of *p in the AVX2 and AVX-512 copies (Avx): one vbroadcastss from memory, a load alone,
// where the generic splat costs a move and a shuffle: in the AVX2 copy those were 19% of the
// samples at head dim 24, and the kernel ran 1.4-1.5x faster without them (head dim 96: 49 -> 72
// GFLOP/s on one thread, OpenBLAS's sgemm speed). Inline assembly, as an intrinsic would need the
// AVX target on this generic template; "x" keeps AVX2 to ymm0-15, "v" lets AVX-512 use all 32.
template <class V, bool Avx> TERSE_INLINE V splatLoad(const float *p)
{
#if defined(__x86_64__) && defined(__GNUC__)
    if constexpr (Avx && kLanes<V> == 8) {
        V r;
        __asm__("vbroadcastss %1, %0" : "=x"(r) : "m"(*p));
        return r;
    } else if constexpr (Avx && kLanes<V> == 16) {
        V r;
        __asm__("vbroadcastss %1, %0" : "=v"(r) : "m"(*p));
        return r;
    }
#endif
    return splat<V>(*p);
}
template <class V> TERSE_INLINE V select(IntOf<V> mask, V a, V b) // mask lanes all ones: a, else b
{
    using I = IntOf<V>;
    return reinterpret_cast<V>((reinterpret_cast<I>(a) & mask) | (reinterpret_cast<I>(b) & ~mask));
}
template <class V> TERSE_INLINE float hmax(V x)
{
    float m = x[0];
    for (int i = 1; i < kLanes<V>; ++i)
        m = std::max(m, x[i]);
    return m;
}
template <class V> TERSE_INLINE float hsum(V x)
{
    float s = 0;
    for (int i = 0; i < kLanes<V>; ++i)
        s += x[i];
    return s;
}

// max(a, b) lane by lane (NaN-free inputs). In the AVX copies one vmaxps (inline assembly, as for
// splatLoad), where the generic compare-and-select is a compare and a blend.
template <class V, bool Avx> TERSE_INLINE V vmax(V a, V b)
{
#if defined(__x86_64__) && defined(__GNUC__)
    if constexpr (Avx && kLanes<V> == 8) {
        V r;
        __asm__("vmaxps %2, %1, %0" : "=x"(r) : "x"(b), "x"(a));
        return r;
    } else if constexpr (Avx && kLanes<V> == 16) {
        V r;
        __asm__("vmaxps %2, %1, %0" : "=v"(r) : "v"(b), "v"(a));
        return r;
    }
#endif
    return select<V>(a > b, a, b);
}

// 2^t for the softmax's t = (score - row maximum) in base 2 (the kernel scales its queries by
// log2 e, so the scores are base-2 logits and e^x costs no multiply): t <= 0 or -inf, clamped
// below at -126 (2^-126 = 1.2e-38 for masked keys, a weight no sum of probabilities can see).
// 2^n 2^f: n = t rounded to the nearest integer by adding and subtracting 1.5 x 2^23 (the sum's
// low mantissa bits are n, which become the exponent bits of 2^n), f = t - n in [-0.5, 0.5], 2^f
// by its degree-6 Taylor polynomial (relative error < 2e-7, about 1 ulp). Fewer operations than
// Cephes' expf (no upper clamp, selects or float-int conversions).
template <class V, bool Avx> TERSE_INLINE V vexp2Softmax(V t)
{
    using I = IntOf<V>;
    t = vmax<V, Avx>(t, splat<V>(-126.0f));
    const V magic = splat<V>(12582912.0f); // 1.5 x 2^23
    const V r = t + magic;
    const V f = t - (r - magic);
    V p = splat<V>(1.5403530393e-4f); // ln(2)^k / k!, k = 6 .. 0
    p = p * f + 1.3333558146e-3f;
    p = p * f + 9.6181291076e-3f;
    p = p * f + 5.5504108665e-2f;
    p = p * f + 2.4022650696e-1f;
    p = p * f + 6.9314718056e-1f;
    p = p * f + 1.0f;
    const I n = reinterpret_cast<I>(r) - reinterpret_cast<I>(magic);
    return p * reinterpret_cast<V>((n + 127) << 23);
}

struct Scratch {
    std::vector<float> q, scores, acc, m, l;
    std::vector<float> lv; // bf16 task: each row's sum as 16 partial sums, added up at the end
    std::vector<std::uint16_t> qb, pb;
};

// Where task t works: batch row b, head h (reading KV head kvh), query rows [r0, r0 + n), keys
// [lo, hi).
struct Block {
    std::int64_t b, h, kvh, r0, n, lo, hi;
    const std::uint8_t *hidden;
};

TERSE_INLINE Block blockOf(const FusedAttention &a, std::int64_t t)
{
    const std::int64_t blocks = (a.rows + kBlockRows - 1) / kBlockRows;
    Block k;
    k.b = t / (a.heads * blocks), k.h = (t / blocks) % a.heads;
    k.r0 = (t % blocks) * kBlockRows, k.n = std::min(kBlockRows, a.rows - k.r0);
    k.kvh = k.h / (a.heads / a.kvHeads); // HF repeat_kv: query head h reads KV head h / rep
    // Keys the block can see: causal, none after its last query; with a window, none before its
    // first query's window.
    k.hi = a.causal ? std::min(a.keys, a.past + k.r0 + k.n) : a.keys;
    k.lo = a.causal && a.window > 0 ? std::max<std::int64_t>(0, a.past + k.r0 + 1 - a.window) : 0;
    k.hidden = a.keyHidden ? a.keyHidden + k.b * a.keys : nullptr;
    return k;
}

TERSE_INLINE void startBlock(const FusedAttention &a, Scratch &s)
{
    s.scores.resize(static_cast<std::size_t>(kBlockRows * kTile));
    s.acc.assign(static_cast<std::size_t>(kBlockRows * a.paddedHeadDim()), 0.0f);
    s.m.assign(kBlockRows, kNegInf);
    s.l.assign(kBlockRows, 0.0f);
}

// Masks the scores of the tile at k0: padding keys for every row; keys outside a row's [first,
// last] on the tiles that cross some row's limit.
TERSE_INLINE bool maskTile(const FusedAttention &a, const Block &k, std::int64_t k0, float *sc)
{
    bool masked = false;
    if (k.hidden) {
        masked = true;
        for (std::int64_t j = 0; j < kTile && k0 + j < a.keys; ++j)
            if (k.hidden[k0 + j])
                for (std::int64_t i = 0; i < k.n; ++i)
                    sc[i * kTile + j] = kNegInf;
    }
    const bool crossesEnd = k0 + kTile > (a.causal ? a.past + k.r0 + 1 : a.keys);
    const bool crossesWindow = a.causal && a.window > 0 && k0 <= a.past + k.r0 + k.n - 1 - a.window;
    if (!crossesEnd && !crossesWindow)
        return masked;
    for (std::int64_t i = 0; i < k.n; ++i) {
        const std::int64_t last = a.causal ? std::min(a.keys - 1, a.past + k.r0 + i) : a.keys - 1;
        const std::int64_t first = a.causal && a.window > 0 ? a.past + k.r0 + i - a.window + 1 : 0;
        for (std::int64_t j = 0; j < kTile; ++j)
            if (k0 + j > last || k0 + j < first)
                sc[i * kTile + j] = kNegInf;
    }
    return true;
}

// Online softmax over the tile's scores: each row's maximum m and sum l updated, its partial
// output rescaled by exp(m_old - m_new) when the maximum grows; the scores become exp(s - m)
// (0 for rows past n and rows that see none of the tile).
template <class V, bool Avx>
TERSE_INLINE void softmaxTile(const FusedAttention &a, const Block &k, Scratch &s)
{
    constexpr int L = kLanes<V>, X = static_cast<int>(kTile) / L; // vectors per tile row
    const std::int64_t hdp = a.paddedHeadDim(), nv = hdp / L;
    float *sc = s.scores.data();
    for (std::int64_t i = 0; i < kBlockRows; ++i) {
        float *row = sc + i * kTile;
        if (i >= k.n) {
            std::fill(row, row + kTile, 0.0f);
            continue;
        }
        V x[X];
        TERSE_UNROLL
        for (int j = 0; j < X; ++j)
            x[j] = load<V>(row + L * j);
        V mx = x[0];
        TERSE_UNROLL
        for (int j = 1; j < X; ++j)
            mx = vmax<V, Avx>(mx, x[j]);
        const float top = hmax(mx);
        if (top == kNegInf) {
            std::fill(row, row + kTile, 0.0f);
            continue;
        }
        if (top > s.m[i]) {
            const float alpha = std::exp2(s.m[i] - top); // 0 for the first visible key
            s.l[i] *= alpha;
            float *o = s.acc.data() + i * hdp;
            for (std::int64_t c = 0; c < nv; ++c)
                store<V>(o + L * c, load<V>(o + L * c) * alpha);
            s.m[i] = top;
        }
        V sum{};
        TERSE_UNROLL
        for (int j = 0; j < X; ++j) {
            const V p = vexp2Softmax<V, Avx>(x[j] - s.m[i]);
            sum += p;
            store<V>(row + L * j, p);
        }
        s.l[i] += hsum(sum);
    }
}

// out = acc / l; a row that saw no key (a padding query) gets the mean of every value, as a
// softmax over equal scores gives (computed once per block, when a row needs it). value(j, d):
// the value of key j, dimension d.
template <class Value>
TERSE_INLINE void finishBlock(const FusedAttention &a, const Block &k, const Scratch &s,
                              Value value)
{
    const std::int64_t hd = a.headDim, hdp = a.paddedHeadDim();
    std::vector<float> mean;
    for (std::int64_t i = 0; i < k.n; ++i) {
        const std::int64_t at = ((k.b * a.rows + k.r0 + i) * a.heads + k.h) * hd;
        if (s.l[i] > 0) {
            const float inv = 1.0f / s.l[i];
            if (a.outb)
                for (std::int64_t d = 0; d < hd; ++d)
                    a.outb[at + d] = toBf16(s.acc[i * hdp + d] * inv);
            else
                for (std::int64_t d = 0; d < hd; ++d)
                    a.out[at + d] = s.acc[i * hdp + d] * inv;
            continue;
        }
        if (mean.empty()) {
            mean.resize(static_cast<std::size_t>(hd));
            for (std::int64_t d = 0; d < hd; ++d) {
                double sum = 0;
                for (std::int64_t j = 0; j < a.keys; ++j)
                    sum += value(j, d);
                mean[d] = static_cast<float>(
                    sum / static_cast<double>(std::max<std::int64_t>(1, a.keys)));
            }
        }
        for (std::int64_t d = 0; d < hd; ++d) {
            if (a.outb)
                a.outb[at + d] = toBf16(mean[d]);
            else
                a.out[at + d] = mean[d];
        }
    }
}

// The kernel's register block: kGroup rows x N vectors of V accumulators, with the outer product
// both QK^T (x: queries, y: keys) and P V (x: probabilities, y: values) are made of.
template <class V, int N> struct Accumulators {
    static constexpr int L = kLanes<V>;
    V o[kGroup][N];
    // o[g][c] = the L floats at base + g * stride + L c (zero: construct with {}).
    TERSE_INLINE void load(const float *base, std::int64_t stride)
    {
        TERSE_UNROLL
        for (int g = 0; g < kGroup; ++g) {
            TERSE_UNROLL
            for (int c = 0; c < N; ++c)
                o[g][c] = terse::detail::load<V>(base + g * stride + L * c);
        }
    }
    TERSE_INLINE void store(float *base, std::int64_t stride) const
    {
        TERSE_UNROLL
        for (int g = 0; g < kGroup; ++g) {
            TERSE_UNROLL
            for (int c = 0; c < N; ++c)
                terse::detail::store<V>(base + g * stride + L * c, o[g][c]);
        }
    }
    // o[g][c] += x[g * xStride] * y[L c ...]: each y vector loaded once for the kGroup rows.
    template <bool Avx>
    TERSE_INLINE void addOuter(const float *x, std::int64_t xStride, const float *y)
    {
        V yv[N];
        TERSE_UNROLL
        for (int c = 0; c < N; ++c)
            yv[c] = terse::detail::load<V>(y + L * c);
        TERSE_UNROLL
        for (int g = 0; g < kGroup; ++g) {
            const V xv = splatLoad<V, Avx>(x + g * xStride);
            TERSE_UNROLL
            for (int c = 0; c < N; ++c)
                o[g][c] += xv * yv[c];
        }
    }
};

// acc[i + g][L (c0 + cc) ...] += sum over the tile's keys j of P[i + g][j] V[j][...], for the 4
// rows g of a group and CN value vectors cc: kGroup x CN accumulators.
template <class V, int CN, bool Avx>
TERSE_INLINE void pvColumns(const float *sc, const float *vt, float *acc, std::int64_t i,
                            std::int64_t c0, std::int64_t hdp)
{
    constexpr int L = kLanes<V>;
    Accumulators<V, CN> o;
    o.load(acc + i * hdp + L * c0, hdp);
    for (std::int64_t j = 0; j < kTile; ++j)
        o.template addOuter<Avx>(sc + i * kTile + j, kTile, vt + j * hdp + L * c0);
    o.store(acc + i * hdp + L * c0, hdp);
}

// fp32 task. NV: V vectors per value row (head dim padded to V's width); 0: counted at run time.
// V: the vector type; KC: V vectors of keys per score pass; CN: value vectors per P V pass (both
// sized to the registers: 4 x KC + KC + 1 and 4 x CN + CN + 1 of them).
template <int NV, class V, int KC, int CN, bool Avx>
TERSE_INLINE void task(const FusedAttention &a, std::int64_t t, Scratch &s)
{
    constexpr int L = kLanes<V>, X = static_cast<int>(kTile) / L;
    const std::int64_t hd = a.headDim, hdp = a.paddedHeadDim(), sp = a.paddedKeys();
    const std::int64_t nv = NV > 0 ? NV : hdp / L;
    const Block k = blockOf(a, t);
    const float *kt = a.kt + (k.b * a.kvHeads + k.kvh) * hd * sp;
    const float *v = a.v + (k.b * a.kvHeads + k.kvh) * sp * hdp;
    // The block's queries times log2 e (scores in base 2: see vexp2Softmax), rows past n zero
    // (their scores are never used).
    s.q.assign(static_cast<std::size_t>(kBlockRows * hd), 0.0f);
    const float *q = a.q + ((k.b * a.heads + k.h) * a.rows + k.r0) * hd;
    for (std::int64_t e = 0; e < k.n * hd; ++e)
        s.q[e] = q[e] * 1.44269504088896341f;
    startBlock(a, s);
    float *sc = s.scores.data(), *acc = s.acc.data();
    for (std::int64_t k0 = k.lo / kTile * kTile; k0 < k.hi; k0 += kTile) {
        // Scores of 4 rows x L KC keys in 4 KC accumulators: per head-dim step, KC key vectors
        // and 4 broadcast queries.
        for (std::int64_t i = 0; i < k.n; i += kGroup) {
            const float *qi = s.q.data() + i * hd;
            for (int j0 = 0; j0 < X; j0 += KC) {
                Accumulators<V, KC> c{};
                for (std::int64_t d = 0; d < hd; ++d)
                    c.template addOuter<Avx>(qi + d, hd,
                                             kt + (k0 / kTile * hd + d) * kTile + L * j0);
                c.store(sc + i * kTile + L * j0, kTile);
            }
        }
        maskTile(a, k, k0, sc);
        softmaxTile<V, Avx>(a, k, s);
        // acc += P V: 4 rows x CN value vectors per pass (4 CN independent accumulators, so the
        // multiply-adds do not wait on each other's latency), each value vector loaded once for
        // the 4 rows.
        const float *vt = v + k0 * hdp;
        for (std::int64_t i = 0; i < k.n; i += kGroup) {
            std::int64_t c = 0;
            for (; c + CN <= nv; c += CN)
                pvColumns<V, CN, Avx>(sc, vt, acc, i, c, hdp);
            if constexpr (CN > 2)
                if (c + 2 <= nv)
                    pvColumns<V, 2, Avx>(sc, vt, acc, i, c, hdp), c += 2;
            for (; c < nv; ++c)
                pvColumns<V, 1, Avx>(sc, vt, acc, i, c, hdp);
        }
    }
    finishBlock(a, k, s, [&](std::int64_t j, std::int64_t d) { return v[j * hdp + d]; });
}

// Calls Run<NV>::run with NV the padded head dimension's vectors of L floats (0: counted at run
// time): 1, 2, 3, 4, 6, 8, 12 and 16 vectors get their own copies (head dims up to 128 with 8
// floats, up to 256 with 16).
template <template <int> class Run, int L>
TERSE_INLINE void byVectors(const FusedAttention &a, std::int64_t begin, std::int64_t end)
{
    switch (a.paddedHeadDim() / L) {
    case 1:
        return Run<1>::run(a, begin, end);
    case 2:
        return Run<2>::run(a, begin, end);
    case 3:
        return Run<3>::run(a, begin, end);
    case 4:
        return Run<4>::run(a, begin, end);
    case 6:
        return Run<6>::run(a, begin, end);
    case 8:
        return Run<8>::run(a, begin, end);
    case 12:
        return Run<12>::run(a, begin, end);
    case 16:
        return Run<16>::run(a, begin, end);
    default:
        return Run<0>::run(a, begin, end);
    }
}

template <class V, int KC, int CN, bool Avx = false> struct RunFp32 {
    template <int NV> struct Heads {
        static TERSE_INLINE void run(const FusedAttention &a, std::int64_t begin, std::int64_t end)
        {
            thread_local Scratch scratch;
            for (std::int64_t t = begin; t < end; ++t)
                task<NV, V, KC, CN, Avx>(a, t, scratch);
        }
    };
};

// One copy per instruction set (AVX-512, AVX2+FMA, baseline x86-64), chosen at load time; the
// build itself stays portable. Everything they call is inlined into each copy, with the vector
// width and blocking of its registers (AVX-512: 32 of 16 floats; AVX2: 16 of 8).
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define TERSE_DISPATCH_BY_CPU 1
__attribute__((target("arch=x86-64-v4"))) void runAvx512(const FusedAttention &a,
                                                         std::int64_t begin, std::int64_t end)
{
    byVectors<RunFp32<v16, 4, 2, true>::Heads, 16>(a, begin, end);
}
__attribute__((target("arch=x86-64-v3"))) void runAvx2(const FusedAttention &a, std::int64_t begin,
                                                       std::int64_t end)
{
    byVectors<RunFp32<v8, 2, 3, true>::Heads, 8>(a, begin, end);
}
#endif
void runBaseline(const FusedAttention &a, std::int64_t begin, std::int64_t end)
{
    byVectors<RunFp32<v8, 1, 1>::Heads, 8>(a, begin, end);
}

void runDispatch(const FusedAttention &a, std::int64_t begin, std::int64_t end)
{
    using Isa = FusedAttention::Isa;
#ifdef TERSE_DISPATCH_BY_CPU
    const Isa isa = a.resolvedIsa();
    if (isa == Isa::Avx512)
        return runAvx512(a, begin, end);
    if (isa == Isa::Avx2)
        return runAvx2(a, begin, end);
#endif
    runBaseline(a, begin, end);
}

#if defined(__x86_64__) && defined(__GNUC__)
#define TERSE_HAS_BF16_KERNEL 1
#define TERSE_BF16_TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512bf16")))

// e^x for the bf16 path's probabilities: 2^(x log2 e) as 2^n (scalef) times 2^f, f = t - round(t)
// in [-0.5, 0.5], by a degree-3 polynomial (relative error < 1.1e-4, 1/19 of the bf16 rounding
// the probabilities get next, 2^-9; exact at 0; -inf gives 2^-150, which is 0). About half the
// instructions of vexp, whose clamps and integer exponent arithmetic the generic copies need.
TERSE_BF16_TARGET inline __m512 exp2ForBf16(__m512 t);

TERSE_BF16_TARGET inline __m512 expForBf16(__m512 x)
{
    return exp2ForBf16(_mm512_max_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504088896341f)),
                                     _mm512_set1_ps(-150.0f)));
}

// 2^t, t finite and at least -150 (a clamp the caller did or knows true; -inf would give NaN), by
// exp2Avx512's degree-3 polynomial: the probability is rounded to bf16 next (relative 2^-9 =
// 1.95e-3), so its error (1.01e-4; a row's largest score, e^0, and a row's only key get exactly
// 1, as in the reference) moves about 1 in 19 of them by one bf16 step where the degree-4 one
// before (2.7e-6) moved 1 in 700; one FMA fewer per probability, the vector units being this
// kernel's limit. Kernel alone, one thread, alternately: head dim 24, 4k tokens 23.9 -> 23.3 ms;
// 64, 2k tokens 13.6 -> 13.4 ms.
TERSE_BF16_TARGET inline __m512 exp2ForBf16(__m512 t)
{
    return exp2Avx512<3>(t);
}

// x log2 e - m log2 e, clamped at -150 where the tile may hold -inf.
template <bool Masked>
TERSE_BF16_TARGET TERSE_INLINE __m512 base2(__m512 x, __m512 log2e, __m512 ml)
{
    const __m512 t = _mm512_fmadd_ps(x, log2e, ml);
    return Masked ? _mm512_max_ps(t, _mm512_set1_ps(-150.0f)) : t;
}

// softmaxTile for the bf16 task: the same online softmax (fp32 maximum, sum and rescaling), with
// the probabilities written straight to pb rounded to bf16 (the reference's probs.to(bf16)).
// Masked: the tile may hold -inf (maskTile wrote some).
template <bool Masked>
TERSE_BF16_TARGET TERSE_INLINE void softmaxTileBf16(const FusedAttention &a, const Block &k,
                                                    Scratch &s)
{
    const std::int64_t hdp = a.paddedHeadDim();
    const float *sc = s.scores.data();
    std::uint16_t *pb = s.pb.data();
    for (std::int64_t i = 0; i < kBlockRows; ++i) {
        const float *row = sc + i * kTile;
        std::uint16_t *prow = pb + i * kTile;
        const __m512 x[4] = {_mm512_loadu_ps(row), _mm512_loadu_ps(row + 16),
                             _mm512_loadu_ps(row + 32), _mm512_loadu_ps(row + 48)};
        const __m512 mx = _mm512_max_ps(_mm512_max_ps(x[0], x[1]), _mm512_max_ps(x[2], x[3]));
        // The row's maximum only where some score passes the running one (after the first
        // tiles, rarely): the horizontal reduction was a long chain of dependent shuffles.
        const bool grows =
            i < k.n && _mm512_cmp_ps_mask(mx, _mm512_set1_ps(s.m[i]), _CMP_GT_OQ) != 0;
        if (!grows && (i >= k.n || s.m[i] == kNegInf)) { // rows past n, rows that saw no key
            std::fill(prow, prow + kTile, std::uint16_t(0));
            continue;
        }
        float *lv = s.lv.data() + 16 * i;
        if (grows) {
            const float top = _mm512_reduce_max_ps(mx);
            // exp(m_old - m_new) by the same polynomial (no libm call per row and tile); 0 for
            // the first visible key.
            const __m512 alpha = expForBf16(_mm512_set1_ps(s.m[i] - top));
            _mm512_storeu_ps(lv, _mm512_mul_ps(_mm512_loadu_ps(lv), alpha));
            float *o = s.acc.data() + i * hdp;
            for (std::int64_t c = 0; c < hdp; c += 16)
                _mm512_storeu_ps(o + c, _mm512_mul_ps(_mm512_loadu_ps(o + c), alpha));
            s.m[i] = top;
        }
        // e^(x - m) = 2^(x log2 e - m log2 e): one multiply-add; the clamp at -150 only on tiles
        // the mask wrote -inf to (elsewhere x - m is finite, and 2^n of a very negative n is 0).
        const __m512 log2e = _mm512_set1_ps(1.44269504088896341f);
        const __m512 ml = _mm512_set1_ps(-s.m[i] * 1.44269504088896341f);
        __m512 sum = _mm512_loadu_ps(lv); // the row's sum stays 16 lanes until the block ends
        TERSE_UNROLL
        for (int j = 0; j < 4; j += 2) {
            const __m512 p0 = exp2ForBf16(base2<Masked>(x[j], log2e, ml));
            const __m512 p1 = exp2ForBf16(base2<Masked>(x[j + 1], log2e, ml));
            sum = _mm512_add_ps(sum, _mm512_add_ps(p0, p1));
            _mm512_storeu_si512(prow + 16 * j, (__m512i)_mm512_cvtne2ps_pbh(p1, p0));
        }
        _mm512_storeu_ps(lv, sum);
    }
}

// pvColumns for the bf16 task: probabilities and values in bf16 pairs (two keys per 32-bit lane).
// Half: the last of the CN columns holds at most 8 real dimensions (head dim 24 padded to 32), so
// it runs on 8 lanes: on Zen 4 a 512-bit dot product costs two 256-bit ones, and the padding's
// 8 lanes were a quarter of P V at head dim 24.
template <int CN, bool Half = false, int G = kGroup>
TERSE_BF16_TARGET TERSE_INLINE void pvColumnsBf16(const std::uint16_t *pb, const std::uint16_t *vt,
                                                  float *acc, std::int64_t i, std::int64_t c0,
                                                  std::int64_t hdp)
{
    constexpr int FN = Half ? CN - 1 : CN; // full 16-lane columns
    __m512 o[G][FN > 0 ? FN : 1];
    __m256 oh[G];
    TERSE_UNROLL
    for (int g = 0; g < G; ++g) {
        TERSE_UNROLL
        for (int cc = 0; cc < FN; ++cc)
            o[g][cc] = _mm512_loadu_ps(acc + (i + g) * hdp + 16 * (c0 + cc));
        if constexpr (Half)
            oh[g] = _mm256_loadu_ps(acc + (i + g) * hdp + 16 * (c0 + FN));
    }
    for (std::int64_t m = 0; m < kTile / 2; ++m) {
        __m512bh vv[FN > 0 ? FN : 1];
        TERSE_UNROLL
        for (int cc = 0; cc < FN; ++cc)
            vv[cc] = (__m512bh)_mm512_loadu_si512(vt + (m * hdp + 16 * (c0 + cc)) * 2);
        __m256bh vh{};
        if constexpr (Half)
            vh = (__m256bh)_mm256_loadu_si256(
                reinterpret_cast<const __m256i *>(vt + (m * hdp + 16 * (c0 + FN)) * 2));
        TERSE_UNROLL
        for (int g = 0; g < G; ++g) {
            std::int32_t w;
            std::memcpy(&w, pb + (i + g) * kTile + 2 * m, sizeof w);
            const __m512bh pp = (__m512bh)_mm512_set1_epi32(w);
            TERSE_UNROLL
            for (int cc = 0; cc < FN; ++cc)
                o[g][cc] = _mm512_dpbf16_ps(o[g][cc], pp, vv[cc]);
            if constexpr (Half)
                oh[g] = _mm256_dpbf16_ps( // the broadcast's low half: no instruction
                    oh[g], (__m256bh)_mm512_castsi512_si256((__m512i)pp), vh);
        }
    }
    TERSE_UNROLL
    for (int g = 0; g < G; ++g) {
        TERSE_UNROLL
        for (int cc = 0; cc < FN; ++cc)
            _mm512_storeu_ps(acc + (i + g) * hdp + 16 * (c0 + cc), o[g][cc]);
        if constexpr (Half)
            _mm256_storeu_ps(acc + (i + g) * hdp + 16 * (c0 + FN), oh[g]);
    }
}

// acc += P V for rows [i, i + 8): 4 columns at a time over 4 rows (16 accumulators), the last one
// or two columns over all 8 rows, so every pass keeps at least 12 independent dot products in
// flight (with 8, head dim 24's pass over 4 rows waited on the dot product's latency: 14% of the
// kernel at 4k tokens). halfLast: the last column is half (pvColumnsBf16).
TERSE_BF16_TARGET TERSE_INLINE void pvRowsBf16(const std::uint16_t *pb, const std::uint16_t *vt,
                                               float *acc, std::int64_t i, std::int64_t nv,
                                               bool halfLast, std::int64_t hdp)
{
    std::int64_t c = 0;
    for (; nv - c > 4 || (nv - c == 4 && !halfLast); c += 4)
        for (std::int64_t g = i; g < i + 8; g += 4)
            pvColumnsBf16<4>(pb, vt, acc, g, c, hdp);
    switch (nv - c) {
    case 0:
        return;
    case 1:
        return halfLast ? pvColumnsBf16<1, true, 8>(pb, vt, acc, i, c, hdp)
                        : pvColumnsBf16<1, false, 8>(pb, vt, acc, i, c, hdp);
    case 2:
        return halfLast ? pvColumnsBf16<2, true, 8>(pb, vt, acc, i, c, hdp)
                        : pvColumnsBf16<2, false, 8>(pb, vt, acc, i, c, hdp);
    case 3:
        for (std::int64_t g = i; g < i + 8; g += 4)
            halfLast ? pvColumnsBf16<3, true>(pb, vt, acc, g, c, hdp)
                     : pvColumnsBf16<3, false>(pb, vt, acc, g, c, hdp);
        return;
    default: // 4, the last half
        for (std::int64_t g = i; g < i + 8; g += 4)
            pvColumnsBf16<4, true>(pb, vt, acc, g, c, hdp);
    }
}

// bf16 task: QK^T and PV by AVX512-BF16 dot products (each 32-bit lane: two bf16 products summed
// into fp32), the probabilities rounded to bf16 as the reference's probs.to(bf16) does; masks,
// softmax and the output in fp32.
template <int NV>
TERSE_BF16_TARGET TERSE_INLINE void taskBf16(const FusedAttention &a, std::int64_t t, Scratch &s)
{
    const std::int64_t hdp = a.paddedHeadDim(), he = a.evenHeadDim(), pairs = he / 2;
    const std::int64_t sp = a.paddedKeys(), nv = NV > 0 ? NV : hdp / 16;
    const bool halfLast = hdp - a.headDim >= 8; // the last column's real dims fit 8 lanes
    const Block k = blockOf(a, t);
    const std::uint16_t *kb = a.kb + (k.b * a.kvHeads + k.kvh) * he * sp;
    const std::uint16_t *vb = a.vb + (k.b * a.kvHeads + k.kvh) * sp * hdp;
    s.qb.assign(static_cast<std::size_t>(kBlockRows * he), 0);
    std::memcpy(s.qb.data(), a.qb + ((k.b * a.heads + k.h) * a.rows + k.r0) * he,
                static_cast<std::size_t>(k.n * he) * sizeof(std::uint16_t));
    s.pb.resize(static_cast<std::size_t>(kBlockRows * kTile));
    startBlock(a, s);
    s.lv.assign(static_cast<std::size_t>(kBlockRows * 16), 0.0f);
    float *sc = s.scores.data(), *acc = s.acc.data();
    auto word = [](const std::uint16_t *p) { // two bf16 as one 32-bit lane
        std::int32_t w;
        std::memcpy(&w, p, sizeof w);
        return w;
    };
    for (std::int64_t k0 = k.lo / kTile * kTile; k0 < k.hi; k0 += kTile) {
        for (std::int64_t i = 0; i < k.n; i += kGroup) {
            __m512 c[kGroup][4];
            TERSE_UNROLL
            for (auto &row : c) {
                TERSE_UNROLL
                for (auto &x : row)
                    x = _mm512_setzero_ps();
            }
            const std::uint16_t *qi = s.qb.data() + i * he;
            for (std::int64_t p = 0; p < pairs; ++p) {
                const std::uint16_t *kp = kb + ((k0 / kTile * pairs + p) * kTile) * 2;
                __m512bh kv[4];
                TERSE_UNROLL
                for (int j = 0; j < 4; ++j)
                    kv[j] = (__m512bh)_mm512_loadu_si512(kp + 32 * j);
                TERSE_UNROLL
                for (int g = 0; g < kGroup; ++g) {
                    const __m512bh qv = (__m512bh)_mm512_set1_epi32(word(qi + g * he + 2 * p));
                    TERSE_UNROLL
                    for (int j = 0; j < 4; ++j)
                        c[g][j] = _mm512_dpbf16_ps(c[g][j], qv, kv[j]);
                }
            }
            TERSE_UNROLL
            for (int g = 0; g < kGroup; ++g) {
                TERSE_UNROLL
                for (int j = 0; j < 4; ++j)
                    _mm512_storeu_ps(sc + (i + g) * kTile + 16 * j, c[g][j]);
            }
        }
        if (maskTile(a, k, k0, sc))
            softmaxTileBf16<true>(a, k, s);
        else
            softmaxTileBf16<false>(a, k, s);
        // acc += P V (pvRowsBf16: at least 12 independent accumulators per pass; with 4, each
        // dot product waited on the previous one's latency).
        const std::uint16_t *pb = s.pb.data();
        const std::uint16_t *vt = vb + k0 * hdp;  // key pair k0 / 2 onwards
        for (std::int64_t i = 0; i < k.n; i += 8) // rows past n hold zero probabilities
            pvRowsBf16(pb, vt, acc, i, nv, halfLast, hdp);
    }
    for (std::int64_t i = 0; i < k.n; ++i)
        s.l[i] = _mm512_reduce_add_ps(_mm512_loadu_ps(s.lv.data() + 16 * i));
    finishBlock(a, k, s, [&](std::int64_t j, std::int64_t d) {
        return fromBf16(vb[((j / 2) * hdp + d) * 2 + j % 2]);
    });
}

// The bf16 task with the block's 64 query rows in the vector lanes (four vectors of 16 rows)
// instead of keys and dims: S^T = K Q^T by broadcasting each key's dims, the online softmax per
// lane (no horizontal maximum or sum), the probabilities of two keys per 32-bit lane as P V's
// dot products read them, and out^T = V^T P^T by broadcasting each value dim. Its vector work
// does not depend on how the head dim fills 16 lanes: head dim 24 in the other task spent a
// 16-lane dot product on 8 dims for every row and key pair (a 256-bit dot product costs as much
// as a 512-bit one on Zen 4), a third of P V. Full blocks only (64 rows).
constexpr int kRowVectors = static_cast<int>(kBlockRows / 16);
constexpr int kPvDims = 6; // value dims per P V pass: 6 x 4 accumulators of the 32 registers

struct RowsScratch {
    std::vector<std::int32_t> qT; // [he / 2][64 rows]: the block's queries, dims in pairs
    std::vector<float> sT;        // [64 keys][64 rows]: the tile's scores, then nothing
    std::vector<std::int32_t> pT; // [32 key pairs][64 rows]: probabilities, two keys a lane
    std::vector<float> accT;      // [headDim][64 rows]: the block's unnormalised output
};

// One step of the rows-in-lanes outer products: acc[c][r] += the dot products of row vector r
// (16 rows' bf16 pairs at rows + 16 r) with the pair at words + 2 c, broadcast. Each row vector is
// loaded once for all C broadcasts.
template <int C>
TERSE_BF16_TARGET TERSE_INLINE void
outerStepBf16(__m512 (&acc)[C][kRowVectors], const std::int32_t *rows, const std::uint16_t *words)
{
    __m512bh x[kRowVectors];
    TERSE_UNROLL
    for (int r = 0; r < kRowVectors; ++r)
        x[r] = (__m512bh)_mm512_loadu_si512(rows + 16 * r);
    TERSE_UNROLL
    for (int c = 0; c < C; ++c) {
        std::int32_t w;
        std::memcpy(&w, words + 2 * c, sizeof w);
        const __m512bh b = (__m512bh)_mm512_set1_epi32(w);
        TERSE_UNROLL
        for (int r = 0; r < kRowVectors; ++r)
            acc[c][r] = _mm512_dpbf16_ps(acc[c][r], x[r], b);
    }
}

// S^T for keys [j0, j0 + 4) of the tile: 4 keys x 4 row vectors of accumulators; per dim pair,
// the 4 row vectors of Q^T loaded once and each key's pair broadcast.
TERSE_BF16_TARGET TERSE_INLINE void scoresRowsBf16(const std::int32_t *qT, const std::uint16_t *kt,
                                                   std::int64_t pairs, std::int64_t j0, float *sT,
                                                   __m512 (&mx)[kRowVectors])
{
    __m512 c[4][kRowVectors];
    TERSE_UNROLL
    for (auto &key : c) {
        TERSE_UNROLL
        for (auto &x : key)
            x = _mm512_setzero_ps();
    }
    for (std::int64_t p = 0; p < pairs; ++p) {
        // Keys j0 .. j0 + 3's dims 2p, 2p + 1 (K's layout: [pairs][64 keys][2]).
        outerStepBf16(c, qT + p * kBlockRows, kt + (p * kTile + j0) * 2);
    }
    TERSE_UNROLL
    for (int j = 0; j < 4; ++j) {
        TERSE_UNROLL
        for (int r = 0; r < kRowVectors; ++r) {
            _mm512_storeu_ps(sT + (j0 + j) * kBlockRows + 16 * r, c[j][r]);
            mx[r] = _mm512_max_ps(mx[r], c[j][r]);
        }
    }
}

// -inf where a query may not see a key of the tile at k0 (padding, hidden, after it, or before
// its window); whether the tile needed it.
TERSE_BF16_TARGET TERSE_INLINE bool maskRowsBf16(const FusedAttention &a, const Block &k,
                                                 std::int64_t k0, float *sT)
{
    const std::int64_t firstRow = a.past + k.r0, lastRow = firstRow + kBlockRows - 1;
    const bool crossesEnd = k0 + kTile > (a.causal ? firstRow + 1 : a.keys);
    const bool crossesWindow = a.causal && a.window > 0 && lastRow - k0 >= a.window;
    if (!k.hidden && !crossesEnd && !crossesWindow)
        return false;
    const __m512 negInf = _mm512_set1_ps(kNegInf);
    const __m512i iota = _mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
    for (std::int64_t j = 0; j < kTile; ++j) {
        const std::int64_t key = k0 + j;
        float *col = sT + j * kBlockRows;
        if (key >= a.keys || (k.hidden && k.hidden[key])) {
            for (int r = 0; r < kRowVectors; ++r)
                _mm512_storeu_ps(col + 16 * r, negInf);
            continue;
        }
        if (!a.causal)
            continue;
        for (int r = 0; r < kRowVectors; ++r) {
            // Row positions relative to the key: visible when 0 <= pos - key < window.
            const __m512i rel = _mm512_add_epi32(
                iota, _mm512_set1_epi32(static_cast<std::int32_t>(firstRow + 16 * r - key)));
            __mmask16 hide = _mm512_cmplt_epi32_mask(rel, _mm512_setzero_si512());
            if (a.window > 0)
                hide |= _mm512_cmpge_epi32_mask(
                    rel, _mm512_set1_epi32(static_cast<std::int32_t>(a.window)));
            _mm512_mask_storeu_ps(col + 16 * r, hide, negInf);
        }
    }
    return true;
}

// The online softmax for one vector of 16 rows over the tile: running maximum m and sum l per
// lane, the partial output rescaled where the maximum grows, the probabilities rounded to bf16
// and stored two keys a lane (key 2i in the low half, as V's pairs).
// mx: the tile's maximum per lane (scoresRowsBf16 keeps it; tileMaxRows after a mask).
template <bool Masked>
TERSE_BF16_TARGET TERSE_INLINE void softmaxRowsBf16(const float *sT, int r, __m512 mx, __m512 &m,
                                                    __m512 &l, float *accT, std::int64_t hd,
                                                    std::int32_t *pT)
{
    const __mmask16 grows = _mm512_cmp_ps_mask(mx, m, _CMP_GT_OQ);
    if (grows) {
        const __m512 top = _mm512_max_ps(mx, m);
        // exp(m_old - m_new): 0 where nothing was visible before (-inf - x, clamped by
        // expForBf16), 1 where the maximum stays.
        const __m512 alpha = expForBf16(_mm512_sub_ps(m, top));
        l = _mm512_mask_mul_ps(l, grows, l, alpha);
        for (std::int64_t d = 0; d < hd; ++d) {
            float *o = accT + d * kBlockRows + 16 * r;
            _mm512_mask_storeu_ps(o, grows, _mm512_mul_ps(_mm512_loadu_ps(o), alpha));
        }
        m = top;
    }
    // e^(x - m) = 2^(x log2 e - m log2 e); clamped at -150 on masked tiles (-inf scores, and
    // rows that have seen nothing yet: -inf - -inf).
    const __m512 log2e = _mm512_set1_ps(1.44269504088896341f);
    const __m512 ml = _mm512_mul_ps(m, _mm512_set1_ps(-1.44269504088896341f));
    // 16-bit elements 0-15 of the pair's conversion: key 2i's rows; 16-31: key 2i + 1's. Lane r
    // of the result: row r's (key 2i, key 2i + 1).
    const __m512i inter =
        _mm512_set_epi16(31, 15, 30, 14, 29, 13, 28, 12, 27, 11, 26, 10, 25, 9, 24, 8, 23, 7, 22, 6,
                         21, 5, 20, 4, 19, 3, 18, 2, 17, 1, 16, 0);
    __m512 sum[2] = {l, _mm512_setzero_ps()}; // two chains of additions
    TERSE_UNROLL
    for (std::int64_t j = 0; j < kTile; j += 2) {
        const __m512 p0 =
            exp2ForBf16(base2<Masked>(_mm512_loadu_ps(sT + j * kBlockRows + 16 * r), log2e, ml));
        const __m512 p1 = exp2ForBf16(
            base2<Masked>(_mm512_loadu_ps(sT + (j + 1) * kBlockRows + 16 * r), log2e, ml));
        sum[j / 2 % 2] = _mm512_add_ps(sum[j / 2 % 2], _mm512_add_ps(p0, p1));
        _mm512_storeu_si512(pT + (j / 2) * kBlockRows + 16 * r,
                            _mm512_permutexvar_epi16(inter, (__m512i)_mm512_cvtne2ps_pbh(p1, p0)));
    }
    l = _mm512_add_ps(sum[0], sum[1]);
}

// The tile's maximum per lane of row vector r, over four chains (a masked tile's, after the
// mask).
TERSE_BF16_TARGET TERSE_INLINE __m512 tileMaxRows(const float *sT, int r)
{
    __m512 mx[4];
    TERSE_UNROLL
    for (int c = 0; c < 4; ++c)
        mx[c] = _mm512_loadu_ps(sT + c * kBlockRows + 16 * r);
    for (std::int64_t j = 4; j < kTile; j += 4) {
        TERSE_UNROLL
        for (int c = 0; c < 4; ++c)
            mx[c] = _mm512_max_ps(mx[c], _mm512_loadu_ps(sT + (j + c) * kBlockRows + 16 * r));
    }
    return _mm512_max_ps(_mm512_max_ps(mx[0], mx[1]), _mm512_max_ps(mx[2], mx[3]));
}

// out^T += V^T P^T for value dims [d0, d0 + D): D x 4 row vectors of accumulators; per key pair,
// the 4 row vectors of P^T loaded once and each dim's pair of values broadcast.
template <int D>
TERSE_BF16_TARGET TERSE_INLINE void pvRowsInLanesBf16(const std::int32_t *pT,
                                                      const std::uint16_t *vt, std::int64_t hdp,
                                                      std::int64_t d0, float *accT)
{
    __m512 o[D][kRowVectors];
    TERSE_UNROLL
    for (int d = 0; d < D; ++d) {
        TERSE_UNROLL
        for (int r = 0; r < kRowVectors; ++r)
            o[d][r] = _mm512_loadu_ps(accT + (d0 + d) * kBlockRows + 16 * r);
    }
    for (std::int64_t m = 0; m < kTile / 2; ++m) {
        // Keys 2m, 2m + 1 of dims d0 .. d0 + D - 1 (V's layout: [pairs][hdp][2]).
        outerStepBf16(o, pT + m * kBlockRows, vt + (m * hdp + d0) * 2);
    }
    TERSE_UNROLL
    for (int d = 0; d < D; ++d) {
        TERSE_UNROLL
        for (int r = 0; r < kRowVectors; ++r)
            _mm512_storeu_ps(accT + (d0 + d) * kBlockRows + 16 * r, o[d][r]);
    }
}

// The last pass of P V: `rest` (below kPvDims) dims from d0, in one pass of its own width.
template <int D>
TERSE_BF16_TARGET TERSE_INLINE void pvRestBf16(const std::int32_t *pT, const std::uint16_t *vt,
                                               std::int64_t rest, std::int64_t hdp, std::int64_t d0,
                                               float *accT)
{
    if constexpr (D > 0) {
        if (rest == D)
            return pvRowsInLanesBf16<D>(pT, vt, hdp, d0, accT);
        pvRestBf16<D - 1>(pT, vt, rest, hdp, d0, accT);
    }
}

TERSE_BF16_TARGET void taskBf16RowsInLanes(const FusedAttention &a, std::int64_t t, Scratch &s,
                                           RowsScratch &w)
{
    const std::int64_t hd = a.headDim, hdp = a.paddedHeadDim(), he = a.evenHeadDim();
    const std::int64_t pairs = he / 2, sp = a.paddedKeys();
    const Block k = blockOf(a, t);
    const std::uint16_t *kb = a.kb + (k.b * a.kvHeads + k.kvh) * he * sp;
    const std::uint16_t *vb = a.vb + (k.b * a.kvHeads + k.kvh) * sp * hdp;
    const std::uint16_t *qb = a.qb + ((k.b * a.heads + k.h) * a.rows + k.r0) * he;
    w.qT.resize(static_cast<std::size_t>(pairs * kBlockRows));
    for (std::int64_t i = 0; i < kBlockRows; ++i)
        for (std::int64_t p = 0; p < pairs; ++p)
            std::memcpy(&w.qT[static_cast<std::size_t>(p * kBlockRows + i)], qb + i * he + 2 * p,
                        sizeof(std::int32_t));
    w.sT.resize(static_cast<std::size_t>(kTile * kBlockRows));
    w.pT.resize(static_cast<std::size_t>(kTile / 2 * kBlockRows));
    w.accT.assign(static_cast<std::size_t>(hd * kBlockRows), 0.0f);
    __m512 m[kRowVectors], l[kRowVectors];
    for (int r = 0; r < kRowVectors; ++r)
        m[r] = _mm512_set1_ps(kNegInf), l[r] = _mm512_setzero_ps();
    float *sT = w.sT.data(), *accT = w.accT.data();
    for (std::int64_t k0 = k.lo / kTile * kTile; k0 < k.hi; k0 += kTile) {
        const std::uint16_t *kt = kb + k0 / kTile * pairs * kTile * 2;
        __m512 mx[kRowVectors];
        for (auto &x : mx)
            x = _mm512_set1_ps(kNegInf);
        for (std::int64_t j0 = 0; j0 < kTile; j0 += 4)
            scoresRowsBf16(w.qT.data(), kt, pairs, j0, sT, mx);
        if (maskRowsBf16(a, k, k0, sT))
            for (int r = 0; r < kRowVectors; ++r)
                softmaxRowsBf16<true>(sT, r, tileMaxRows(sT, r), m[r], l[r], accT, hd, w.pT.data());
        else
            for (int r = 0; r < kRowVectors; ++r)
                softmaxRowsBf16<false>(sT, r, mx[r], m[r], l[r], accT, hd, w.pT.data());
        const std::uint16_t *vt = vb + k0 * hdp; // key pair k0 / 2 onwards
        std::int64_t d = 0;
        for (; d + kPvDims <= hd; d += kPvDims)
            pvRowsInLanesBf16<kPvDims>(w.pT.data(), vt, hdp, d, accT);
        pvRestBf16<kPvDims - 1>(w.pT.data(), vt, hd - d, hdp, d, accT);
    }
    // finishBlock's layout: [rows][hdp] and one sum per row.
    startBlock(a, s);
    float lsum[kBlockRows];
    for (int r = 0; r < kRowVectors; ++r)
        _mm512_storeu_ps(lsum + 16 * r, l[r]);
    for (std::int64_t i = 0; i < kBlockRows; ++i) {
        s.l[i] = lsum[i];
        for (std::int64_t d = 0; d < hd; ++d)
            s.acc[i * hdp + d] = accT[d * kBlockRows + i];
    }
    finishBlock(a, k, s, [&](std::int64_t j, std::int64_t d) {
        return fromBf16(vb[((j / 2) * hdp + d) * 2 + j % 2]);
    });
}

template <int NV> struct RunBf16 {
    static TERSE_BF16_TARGET void run(const FusedAttention &a, std::int64_t begin, std::int64_t end)
    {
        thread_local Scratch scratch;
        thread_local RowsScratch rows;
        for (std::int64_t t = begin; t < end; ++t)
            if (a.takesRowsInLanes() && blockOf(a, t).n == kBlockRows)
                taskBf16RowsInLanes(a, t, scratch, rows);
            else
                taskBf16<NV>(a, t, scratch);
    }
};
#endif

} // namespace

std::int64_t FusedAttention::tasks() const
{
    return batch * heads * ((rows + kBlockRows - 1) / kBlockRows);
}

std::int64_t FusedAttention::taskByCost(std::int64_t p) const
{
    const std::int64_t blocks = (rows + kBlockRows - 1) / kBlockRows, perBlock = batch * heads;
    // blockOf's numbering: (b heads + h) blocks + block.
    return (p % perBlock) * blocks + (blocks - 1 - p / perBlock);
}

void FusedAttention::run(std::int64_t begin, std::int64_t end) const
{
#ifdef TERSE_HAS_BF16_KERNEL
    if (bf16)
        return byVectors<RunBf16, 16>(*this, begin, end);
#endif
    runDispatch(*this, begin, end);
}

std::int64_t FusedAttention::packTasks() const
{
    return batch *
           (heads * ((rows + kBlockRows - 1) / kBlockRows) + kvHeads * paddedKeys() / kTile);
}

namespace {

// packBf16's tasks [begin, end), compiled twice: for AVX-512 CPUs (the only ones with the bf16
// kernel) and plain. Words of two bf16 are written as one 32-bit store: K's dims in pairs are a
// row's consecutive pairs, V's keys in pairs interleave two rows.
TERSE_INLINE void packRange(const FusedAttention &a, const FusedAttention::Bf16Source &q,
                            const FusedAttention::Bf16Source &k,
                            const FusedAttention::Bf16Source &v, float scale, std::uint16_t *qbOut,
                            std::uint16_t *kbOut, std::uint16_t *vbOut, std::int64_t begin,
                            std::int64_t end)
{
    const std::int64_t hd = a.headDim, he = a.evenHeadDim(), hdp = a.paddedHeadDim();
    const std::int64_t sp = a.paddedKeys(), heads = a.heads, kvHeads = a.kvHeads;
    const std::int64_t blocks = (a.rows + kBlockRows - 1) / kBlockRows, tiles = sp / kTile;
    const std::int64_t perBatch = heads * blocks + kvHeads * tiles;
    const auto store32 = [](std::uint16_t *p, std::uint32_t w) { std::memcpy(p, &w, sizeof w); };
    const auto pair = [](std::uint16_t lo, std::uint16_t hi) {
        return static_cast<std::uint32_t>(lo) | static_cast<std::uint32_t>(hi) << 16;
    };
    for (std::int64_t t = begin; t < end; ++t) {
        const std::int64_t b = t / perBatch, r = t % perBatch;
        if (r < heads * blocks) { // q: [B, heads, T, he], scaled
            const std::int64_t h = r / blocks, r0 = (r % blocks) * kBlockRows;
            for (std::int64_t i = r0; i < std::min(a.rows, r0 + kBlockRows); ++i) {
                const std::uint16_t *src = q.p + b * q.sb + h * q.sh + i * q.st;
                std::uint16_t *dst = qbOut + ((b * heads + h) * a.rows + i) * he;
                for (std::int64_t d = 0; d < hd; ++d)
                    dst[d] = toBf16(fromBf16(src[d]) * scale);
                for (std::int64_t d = hd; d < he; ++d)
                    dst[d] = 0;
            }
            continue;
        }
        // K: [B, kvHeads, Sp / 64, he / 2, 64, 2]; V: [B, kvHeads, Sp / 2, hdp, 2]; this tile's
        // 64 keys of KV head h.
        const std::int64_t h = (r - heads * blocks) / tiles, tile = (r - heads * blocks) % tiles;
        std::uint16_t *kd = kbOut + ((b * kvHeads + h) * tiles + tile) * he * kTile;
        std::uint16_t *vd = vbOut + ((b * kvHeads + h) * sp + tile * kTile) * hdp;
        const std::int64_t full = hd / 2; // pairs of two real dims (an odd hd's last is half)
        for (std::int64_t j = 0; j < kTile; ++j) {
            const std::int64_t key = tile * kTile + j;
            if (key >= a.keys) {
                for (std::int64_t d2 = 0; d2 < he / 2; ++d2)
                    store32(kd + (d2 * kTile + j) * 2, 0);
                continue;
            }
            const std::uint16_t *ks = k.p + b * k.sb + h * k.sh + key * k.st;
            for (std::int64_t d2 = 0; d2 < full; ++d2)
                store32(kd + (d2 * kTile + j) * 2, pair(ks[2 * d2], ks[2 * d2 + 1]));
            if (hd % 2)
                store32(kd + (full * kTile + j) * 2, pair(ks[hd - 1], 0));
        }
        for (std::int64_t j = 0; j < kTile; j += 2) {
            const std::int64_t key = tile * kTile + j;
            std::uint16_t *out = vd + (j / 2) * hdp * 2;
            if (key < a.keys) { // both keys real: the two rows interleaved; else the first only
                const std::uint16_t *v0 = v.p + b * v.sb + h * v.sh + key * v.st;
                const std::uint16_t *v1 = key + 1 < a.keys ? v0 + v.st : nullptr;
                for (std::int64_t d = 0; d < hd; ++d)
                    store32(out + 2 * d, pair(v0[d], v1 ? v1[d] : 0));
            } else {
                std::fill(out, out + 2 * hd, std::uint16_t(0));
            }
            std::fill(out + 2 * hd, out + 2 * hdp, std::uint16_t(0));
        }
    }
}

#ifdef TERSE_HAS_BF16_KERNEL
// Its q tasks in 16-lane vectors, q times scale rounded by vcvtneps2bf16 (round to nearest even,
// as toBf16; a NaN becomes the quiet NaN 0x7fc0 as there), the rest as packRange.
TERSE_BF16_TARGET void packRangeAvx512(const FusedAttention &a, const FusedAttention::Bf16Source &q,
                                       const FusedAttention::Bf16Source &k,
                                       const FusedAttention::Bf16Source &v, float scale,
                                       std::uint16_t *qbOut, std::uint16_t *kbOut,
                                       std::uint16_t *vbOut, std::int64_t begin, std::int64_t end)
{
    const std::int64_t hd = a.headDim, he = a.evenHeadDim(), heads = a.heads;
    const std::int64_t blocks = (a.rows + kBlockRows - 1) / kBlockRows;
    const std::int64_t perBatch = heads * blocks + a.kvHeads * (a.paddedKeys() / kTile);
    const __m512 sv = _mm512_set1_ps(scale);
    for (std::int64_t t = begin; t < end; ++t) {
        const std::int64_t b = t / perBatch, r = t % perBatch;
        if (r >= heads * blocks) { // K and V
            packRange(a, q, k, v, scale, qbOut, kbOut, vbOut, t, t + 1);
            continue;
        }
        const std::int64_t h = r / blocks, r0 = (r % blocks) * kBlockRows;
        for (std::int64_t i = r0; i < std::min(a.rows, r0 + kBlockRows); ++i) {
            const std::uint16_t *src = q.p + b * q.sb + h * q.sh + i * q.st;
            std::uint16_t *dst = qbOut + ((b * heads + h) * a.rows + i) * he;
            for (std::int64_t d = 0; d < he; d += 16) // an odd head dim's pad lane: 0
                storeBf16Avx512(lanesLeft(he - d), dst + d,
                                _mm512_mul_ps(loadBf16Avx512(lanesLeft(hd - d), src + d), sv));
        }
    }
}
#endif

} // namespace

void FusedAttention::packBf16(const Bf16Source &q, const Bf16Source &k, const Bf16Source &v,
                              float scale, std::uint16_t *qbOut, std::uint16_t *kbOut,
                              std::uint16_t *vbOut, std::int64_t begin, std::int64_t end) const
{
#ifdef TERSE_HAS_BF16_KERNEL
    if (bf16Supported())
        return packRangeAvx512(*this, q, k, v, scale, qbOut, kbOut, vbOut, begin, end);
#endif
    packRange(*this, q, k, v, scale, qbOut, kbOut, vbOut, begin, end);
}

FusedAttention::Isa FusedAttention::resolvedIsa() const
{
    static const Isa best = isaSupported(Isa::Avx512) ? Isa::Avx512
                            : isaSupported(Isa::Avx2) ? Isa::Avx2
                                                      : Isa::Baseline;
    return isa == Isa::Auto ? best : isa;
}

bool FusedAttention::isaSupported(Isa isa)
{
#ifdef TERSE_DISPATCH_BY_CPU
    if (isa == Isa::Avx512)
        return __builtin_cpu_supports("x86-64-v4");
    if (isa == Isa::Avx2)
        return __builtin_cpu_supports("x86-64-v3");
    return true;
#else
    return isa == Isa::Auto || isa == Isa::Baseline;
#endif
}

bool FusedAttention::bf16Supported()
{
#ifdef TERSE_HAS_BF16_KERNEL
    static const bool has = __builtin_cpu_supports("avx512bf16");
    return has;
#else
    return false;
#endif
}

} // namespace terse::detail
