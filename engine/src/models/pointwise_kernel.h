#pragma once
// Fused CPU kernels for a forward's pointwise steps (issue 16): RMSNorm, RoPE and SiLU(gate) x up,
// each one pass over its rows instead of libtorch's chain of ops (RMSNorm in bf16 was 8 passes,
// each allocating its result). Inference only; torch-free: the caller hands in contiguous rows and
// runs row ranges in parallel. fp32 rows, or bf16 rows (raw 16-bit patterns) computed in fp32 and
// rounded to bf16 (nearest even) wherever libtorch's op chain rounds, so results match it up to
// the order of a sum (RMSNorm's mean) and the last bit of e^x (SiLU).

#include <cstdint>

namespace terse::detail {

// HF LlamaRMSNorm: y = w * to_dtype(x / sqrt(mean(x^2) + eps)), the norm in fp32. Rows of `dim`
// elements, `stride` elements apart in x, written densely to y; rows [begin, end).
void rmsNormRows(const float *x, std::int64_t stride, const float *w, float *y, std::int64_t dim,
                 float eps, std::int64_t begin, std::int64_t end);
void rmsNormRows(const std::uint16_t *x, std::int64_t stride, const std::uint16_t *w,
                 std::uint16_t *y, std::int64_t dim, float eps, std::int64_t begin,
                 std::int64_t end);

// y = silu(g) * u elementwise over [begin, end) (LLaMA's MLP: down(silu(gate(x)) * up(x))).
void siluMul(const float *g, const float *u, float *y, std::int64_t begin, std::int64_t end);
void siluMul(const std::uint16_t *g, const std::uint16_t *u, std::uint16_t *y, std::int64_t begin,
             std::int64_t end);

// Per row of `vocab` fp32 logits z (rows `stride` apart): lse = log sum_i e^z_i and the entropy
// H = -sum_i p_i log p_i of p = softmax(z), from one pass for the maximum and one for the sums (no
// [rows, vocab] temporaries): H = log S - sum_i w_i (z_i - m) / S with w_i = e^(z_i - m),
// S = sum_i w_i. Sums in fp32 over blocks of 1024, the blocks added in double. A -inf logit adds
// nothing; a row of -inf gives lse -inf and H 0. entropy may be null. Rows [begin, end).
void logSumExpEntropy(const float *z, std::int64_t stride, std::int64_t vocab, float *lse,
                      float *entropy, std::int64_t begin, std::int64_t end);
// The same over bf16 logits (a bf16 LM head's output), widened exactly to fp32 as they are read:
// equal to the fp32 kernel on the logits converted first, without the converted copy.
void logSumExpEntropy(const std::uint16_t *z, std::int64_t stride, std::int64_t vocab, float *lse,
                      float *entropy, std::int64_t begin, std::int64_t end);

// siluMul and logSumExpEntropy run 16 lanes at a time where the CPU has AVX-512, else 8; over bf16,
// copies in AVX512-BF16 instructions where the CPU has them. Tests run each copy the CPU has:
// Generic leaves the bf16 ones out, Narrow the 16-lane ones too, Best restores the choice.
enum class PointwiseCopy { Best, Generic, Narrow };
void forcePointwiseCopy(PointwiseCopy copy);

// RoPE (HF apply_rotary_pos_emb with rotate_half). Row r is head r % heads of token r / heads, at
// x + (r / heads) * tokenStride + (r % heads) * headDim. Its first rd = rotaryDim elements become
// x * cos + rotate_half(x) * sin with the token's row of cos/sin ([tokens, rd]); the rest are
// copied. y is dense [rows, headDim]: [tokens, heads, headDim].
struct Rope {
    const float *cos = nullptr, *sin = nullptr;           // fp32 angles, or
    const std::uint16_t *cosb = nullptr, *sinb = nullptr; // bf16 angles
    std::int64_t heads = 1, headDim = 0, rotaryDim = 0;
    std::int64_t tokenStride = 0; // elements between consecutive tokens of x
    void run(const float *x, float *y, std::int64_t begin, std::int64_t end) const;
    void run(const std::uint16_t *x, std::uint16_t *y, std::int64_t begin, std::int64_t end) const;
    // The bf16 rows without AVX-512 (run takes it where the CPU lacks it; tests call it to
    // check the two agree).
    void runGeneric(const std::uint16_t *x, std::uint16_t *y, std::int64_t begin,
                    std::int64_t end) const;
};

} // namespace terse::detail
