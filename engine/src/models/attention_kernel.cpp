#include "models/attention_kernel.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

// The v16 helpers are always inlined; no vector crosses a call boundary.
#pragma GCC diagnostic ignored "-Wpsabi"

namespace terse::detail {

namespace {

// 16 floats: one AVX-512 register, two AVX2 registers, four SSE registers; the compiler lowers
// the operations to whatever the clone below targets.
using v16 = float __attribute__((vector_size(64)));
using v16i = std::int32_t __attribute__((vector_size(64)));

#define TERSE_INLINE inline __attribute__((always_inline))

constexpr std::int64_t kTile = 64;      // keys per tile (four vectors)
constexpr std::int64_t kBlockRows = 64; // query rows per task
constexpr std::int64_t kGroup = 4;      // query rows sharing each loaded key / value vector
constexpr float kNegInf = -std::numeric_limits<float>::infinity();

TERSE_INLINE v16 load(const float *p)
{
    v16 r;
    std::memcpy(&r, p, sizeof r);
    return r;
}
TERSE_INLINE void store(float *p, v16 x)
{
    std::memcpy(p, &x, sizeof x);
}
TERSE_INLINE v16 splat(float x)
{
    return v16{} + x;
}
TERSE_INLINE v16 select(v16i mask, v16 a, v16 b) // mask lanes all ones: a, else b
{
    return reinterpret_cast<v16>((reinterpret_cast<v16i>(a) & mask) |
                                 (reinterpret_cast<v16i>(b) & ~mask));
}
TERSE_INLINE float hmax(v16 x)
{
    float m = x[0];
    for (int i = 1; i < 16; ++i)
        m = std::max(m, x[i]);
    return m;
}
TERSE_INLINE float hsum(v16 x)
{
    float s = 0;
    for (int i = 0; i < 16; ++i)
        s += x[i];
    return s;
}

// exp(x) as in Cephes' expf: x = n ln2 + r with |r| <= ln2 / 2, e^r by its degree-7 polynomial,
// 2^n through the exponent bits. Relative error ~2 ulp; below -87.3 (e^x under float's smallest
// normal, masked keys' -inf included) it is 0.
TERSE_INLINE v16 vexp(v16 x)
{
    const v16i under = x < splat(-87.3365447504f);
    x = select(x > splat(88.3762626647949f), splat(88.3762626647949f), x);
    x = select(under, splat(-87.3365447504f), x);
    const v16 fx = x * 1.44269504088896341f + 0.5f;
    v16i n = __builtin_convertvector(fx, v16i); // toward zero; floor below
    n += __builtin_convertvector(n, v16) > fx;  // true lanes are -1
    const v16 fn = __builtin_convertvector(n, v16);
    x = x - fn * 0.693359375f;
    x = x - fn * -2.12194440e-4f;
    const v16 z = x * x;
    v16 y = splat(1.9875691500e-4f);
    y = y * x + 1.3981999507e-3f;
    y = y * x + 8.3334519073e-3f;
    y = y * x + 4.1665795894e-2f;
    y = y * x + 1.6666665459e-1f;
    y = y * x + 5.0000001201e-1f;
    y = y * z + x + 1.0f;
    const v16i e = (n + 127) << 23;
    return select(under, splat(0.0f), y * reinterpret_cast<v16>(e));
}

struct Scratch {
    std::vector<float> q, scores, acc, m, l;
};

// One task: batch row b, head h, query rows [r0, r0 + n). NV: vectors per value row (head dim
// padded to 16s); 0: any, counted at run time.
template <int NV> TERSE_INLINE void task(const FusedAttention &a, std::int64_t t, Scratch &s)
{
    const std::int64_t hd = a.headDim, hdp = a.paddedHeadDim(), S = a.keys;
    const std::int64_t nv = NV > 0 ? NV : hdp / 16;
    const std::int64_t sp = (S + kTile - 1) / kTile * kTile; // padded key count of kt and v
    const std::int64_t blocks = (a.rows + kBlockRows - 1) / kBlockRows;
    const std::int64_t b = t / (a.heads * blocks), h = (t / blocks) % a.heads;
    const std::int64_t r0 = (t % blocks) * kBlockRows, n = std::min(kBlockRows, a.rows - r0);
    const std::int64_t kvh = h / (a.heads / a.kvHeads); // HF repeat_kv: query head h reads h / rep
    const float *kt = a.kt + (b * a.kvHeads + kvh) * hd * sp;
    const float *v = a.v + (b * a.kvHeads + kvh) * sp * hdp;
    const std::uint8_t *hidden = a.keyHidden ? a.keyHidden + b * S : nullptr;

    // The block's queries, rows past n zero (their scores are never used).
    s.q.assign(static_cast<std::size_t>(kBlockRows * hd), 0.0f);
    std::memcpy(s.q.data(), a.q + ((b * a.heads + h) * a.rows + r0) * hd,
                static_cast<std::size_t>(n * hd) * sizeof(float));
    s.scores.resize(static_cast<std::size_t>(kBlockRows * kTile));
    s.acc.assign(static_cast<std::size_t>(kBlockRows * hdp), 0.0f);
    s.m.assign(kBlockRows, kNegInf);
    s.l.assign(kBlockRows, 0.0f);
    float *sc = s.scores.data(), *acc = s.acc.data();

    // Keys the block can see: causal, none after its last query; with a window, none before its
    // first query's window.
    const std::int64_t hi = a.causal ? std::min(S, a.past + r0 + n) : S;
    const std::int64_t lo =
        a.causal && a.window > 0 ? std::max<std::int64_t>(0, a.past + r0 + 1 - a.window) : 0;
    for (std::int64_t k0 = lo / kTile * kTile; k0 < hi; k0 += kTile) {
        // Scores of 4 rows x 64 keys in 16 accumulators: per head-dim step, 4 key vectors and 4
        // broadcast queries.
        for (std::int64_t i = 0; i < n; i += kGroup) {
            v16 c[kGroup][4] = {};
            const float *qi = s.q.data() + i * hd;
            for (std::int64_t d = 0; d < hd; ++d) {
                const float *kd = kt + d * sp + k0;
                const v16 k[4] = {load(kd), load(kd + 16), load(kd + 32), load(kd + 48)};
                for (int g = 0; g < kGroup; ++g) {
                    const v16 qv = splat(qi[g * hd + d]);
                    for (int j = 0; j < 4; ++j)
                        c[g][j] += qv * k[j];
                }
            }
            for (int g = 0; g < kGroup; ++g)
                for (int j = 0; j < 4; ++j)
                    store(sc + (i + g) * kTile + 16 * j, c[g][j]);
        }
        // Masks: padding keys for every row; keys outside [lo_i, hi_i] per row on the tiles that
        // cross a row's limit.
        if (hidden) {
            for (std::int64_t j = 0; j < kTile && k0 + j < S; ++j)
                if (hidden[k0 + j])
                    for (std::int64_t i = 0; i < n; ++i)
                        sc[i * kTile + j] = kNegInf;
        }
        const bool crossesEnd = k0 + kTile > (a.causal ? a.past + r0 + 1 : S);
        const bool crossesWindow = a.causal && a.window > 0 && k0 <= a.past + r0 + n - 1 - a.window;
        if (crossesEnd || crossesWindow) {
            for (std::int64_t i = 0; i < n; ++i) {
                const std::int64_t last = a.causal ? std::min(S - 1, a.past + r0 + i) : S - 1;
                const std::int64_t first =
                    a.causal && a.window > 0 ? a.past + r0 + i - a.window + 1 : 0;
                for (std::int64_t j = 0; j < kTile; ++j)
                    if (k0 + j > last || k0 + j < first)
                        sc[i * kTile + j] = kNegInf;
            }
        }
        // Online softmax: rescale the row's sum and output when its maximum grows.
        for (std::int64_t i = 0; i < kBlockRows; ++i) {
            float *row = sc + i * kTile;
            if (i >= n) {
                std::fill(row, row + kTile, 0.0f);
                continue;
            }
            const v16 x[4] = {load(row), load(row + 16), load(row + 32), load(row + 48)};
            const float top =
                std::max(std::max(hmax(x[0]), hmax(x[1])), std::max(hmax(x[2]), hmax(x[3])));
            if (top == kNegInf) {
                std::fill(row, row + kTile, 0.0f);
                continue;
            }
            if (top > s.m[i]) {
                const float alpha = std::exp(s.m[i] - top); // 0 for the first visible key
                s.l[i] *= alpha;
                float *o = acc + i * hdp;
                for (std::int64_t c = 0; c < nv; ++c)
                    store(o + 16 * c, load(o + 16 * c) * alpha);
                s.m[i] = top;
            }
            v16 sum{};
            for (int j = 0; j < 4; ++j) {
                const v16 p = vexp(x[j] - s.m[i]);
                sum += p;
                store(row + 16 * j, p);
            }
            s.l[i] += hsum(sum);
        }
        // acc += P V: 4 rows per pass, each value vector loaded once for the 4.
        const float *vt = v + k0 * hdp;
        for (std::int64_t i = 0; i < n; i += kGroup) {
            for (std::int64_t c = 0; c < nv; ++c) {
                v16 o[kGroup];
                for (int g = 0; g < kGroup; ++g)
                    o[g] = load(acc + (i + g) * hdp + 16 * c);
                for (std::int64_t j = 0; j < kTile; ++j) {
                    const v16 vj = load(vt + j * hdp + 16 * c);
                    for (int g = 0; g < kGroup; ++g)
                        o[g] += splat(sc[(i + g) * kTile + j]) * vj;
                }
                for (int g = 0; g < kGroup; ++g)
                    store(acc + (i + g) * hdp + 16 * c, o[g]);
            }
        }
    }
    for (std::int64_t i = 0; i < n; ++i) {
        float *dst = a.out + ((b * a.rows + r0 + i) * a.heads + h) * hd;
        if (s.l[i] > 0) {
            const float inv = 1.0f / s.l[i];
            for (std::int64_t d = 0; d < hd; ++d)
                dst[d] = acc[i * hdp + d] * inv;
            continue;
        }
        // No visible key (a padding query): the mean of every value, as a softmax over equal
        // scores gives.
        std::fill(dst, dst + hd, 0.0f);
        for (std::int64_t j = 0; j < S; ++j)
            for (std::int64_t d = 0; d < hd; ++d)
                dst[d] += v[j * hdp + d];
        for (std::int64_t d = 0; d < hd; ++d)
            dst[d] /= static_cast<float>(std::max<std::int64_t>(1, S));
    }
}

template <int NV>
TERSE_INLINE void runAll(const FusedAttention &a, std::int64_t begin, std::int64_t end)
{
    thread_local Scratch scratch;
    for (std::int64_t t = begin; t < end; ++t)
        task<NV>(a, t, scratch);
}

// One copy per instruction set (AVX-512, AVX2+FMA, baseline x86-64), chosen at load time; the
// build itself stays portable.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
__attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#endif
void runDispatch(const FusedAttention &a, std::int64_t begin, std::int64_t end)
{
    switch (a.paddedHeadDim() / 16) {
    case 1:
        return runAll<1>(a, begin, end);
    case 2:
        return runAll<2>(a, begin, end);
    case 4:
        return runAll<4>(a, begin, end);
    case 6:
        return runAll<6>(a, begin, end);
    case 8:
        return runAll<8>(a, begin, end);
    default:
        return runAll<0>(a, begin, end);
    }
}

} // namespace

std::int64_t FusedAttention::tasks() const
{
    return batch * heads * ((rows + kBlockRows - 1) / kBlockRows);
}

void FusedAttention::run(std::int64_t begin, std::int64_t end) const
{
    runDispatch(*this, begin, end);
}

} // namespace terse::detail
