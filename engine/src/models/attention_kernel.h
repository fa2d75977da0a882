#pragma once
// Fused CPU attention for inference (issue 16): softmax(QK^T + mask) V computed tile by tile with
// an online softmax (FlashAttention's recurrence: running row maximum m, running sum l, the partial
// output rescaled by exp(m_old - m_new)), so the [heads, rows, keys] scores never reach memory.
// fp32 throughout. Torch-free: the caller hands in contiguous buffers and a parallel loop.

#include <cstdint>
#include <functional>

namespace terse::detail {

inline constexpr std::int64_t kTileKeys = 64; // keys per tile of the kernel

struct FusedAttention {
    // fp32 inputs (bf16 false).
    const float *q = nullptr; // [B, heads, T, headDim], already scaled by 1/sqrt(headDim)
    // Keys transposed in tiles of kTileKeys: each tile's [headDim, 64] block is contiguous, so a
    // tile's rows do not lie a power of two apart (at 4k keys a [headDim, Sp] layout put every row
    // of a tile in the same L1 sets).
    const float *kt = nullptr; // [B, kvHeads, Sp / 64, headDim, 64]
    const float *v = nullptr;  // [B, kvHeads, Sp, paddedHeadDim()]
    // bf16 inputs (bf16 true; bf16Supported() only): pairs of adjacent elements share 32 bits, as
    // AVX512-BF16's dot product reads them.
    const std::uint16_t *qb = nullptr; // [B, heads, T, evenHeadDim()], scaled
    const std::uint16_t *kb =
        nullptr; // [B, kvHeads, Sp / 64, evenHeadDim() / 2, 64, 2]: dims in pairs
    const std::uint16_t *vb = nullptr; // [B, kvHeads, Sp / 2, paddedHeadDim(), 2]: keys in pairs
    bool bf16 = false;
    // bf16: which task full blocks of 64 query rows take: the one with the rows in the vector
    // lanes (1), the one with keys and dims there (0), or by head dim (-1): rows in lanes below
    // 64, where it was faster on Zen 4 (kernel alone, 2k tokens: 0.84x at head dim 16-24,
    // 0.95-0.96x at 32-56), the other from 64 (1.05x slower at 64, 1.18x at 96).
    int rowsInLanes = -1;
    bool takesRowsInLanes() const { return rowsInLanes < 0 ? headDim < 64 : rowsInLanes > 0; }
    // Sp = paddedKeys(): keys padded to 64s, padding and dims past headDim zero.
    const std::uint8_t *keyHidden{}; // [B, S], nonzero: hidden from every query; may be null
    float *out = nullptr;            // [B, T, heads, headDim] (the o-projection's layout), fp32,
    std::uint16_t *outb = nullptr;   // or bf16 (the fp32 result rounded once), when not null
    std::int64_t batch = 1, heads = 1, kvHeads = 1, rows = 0, keys = 0, headDim = 0;
    std::int64_t past = 0;   // causal: query i is the cache's position past + i
    std::int64_t window = 0; // causal sliding window: query p sees keys (p - window, p]; 0: none
    bool causal = true;
    // Which copy of the fp32 kernel runs: the best this CPU has (Auto), or one it supports (tests
    // run each against the same truth).
    enum class Isa { Auto, Avx512, Avx2, Baseline };
    Isa isa = Isa::Auto;

    // Value rows (and the kernel's accumulators) padded to the copy's vector width: 16 floats for
    // the AVX-512 copy and bf16, 8 for the AVX2 and plain copies (head dim 24 padded to 32 spent
    // a quarter of their P V on zeros).
    std::int64_t paddedHeadDim() const
    {
        const std::int64_t w = valueLanes();
        return (headDim + w - 1) / w * w;
    }
    std::int64_t valueLanes() const { return bf16 || resolvedIsa() == Isa::Avx512 ? 16 : 8; }
    // The copy `isa` names, Auto resolved to the best one this CPU runs.
    Isa resolvedIsa() const;
    std::int64_t evenHeadDim() const { return (headDim + 1) / 2 * 2; }
    std::int64_t paddedKeys() const { return (keys + 63) / 64 * 64; }
    // Independent pieces of work (a batch row, a head and a block of query rows each).
    std::int64_t tasks() const;
    // Runs tasks [begin, end); tasks write disjoint parts of `out`.
    void run(std::int64_t begin, std::int64_t end) const;
    // The task at position p of the costliest-first order: blocks of later queries (which see more
    // keys) first, every head and batch row of a block together. Threads that take the next
    // position from a shared counter finish together: with run's fixed halves, a thread slowed by
    // another process (or simply slower) left the other waiting for 7% of a 4k-token forward.
    std::int64_t taskByCost(std::int64_t p) const;
    // The bf16 inputs from the model's bf16 tensors in one pass each (in place of pad, permute and
    // copy ops): element (b, h, t, d) of a source at p + b sb + h sh + t st + d.
    struct Bf16Source {
        const std::uint16_t *p = nullptr;
        std::int64_t sb = 0, sh = 0, st = 0;
    };
    // Tasks of packBf16: per batch row, 64-row blocks of each query head, then 64-key tiles of
    // each KV head. qb, kb and vb have the sizes the layouts above give (padding included).
    std::int64_t packTasks() const;
    // Writes tasks [begin, end): q times `scale` rounded to bf16 (as a bf16 tensor's mul by a
    // float scalar rounds), K and V in their pair layouts, zeros in the padding.
    void packBf16(const Bf16Source &q, const Bf16Source &k, const Bf16Source &v, float scale,
                  std::uint16_t *qbOut, std::uint16_t *kbOut, std::uint16_t *vbOut,
                  std::int64_t begin, std::int64_t end) const;
    // Whether this CPU has AVX512-BF16 (the bf16 inputs' dot products).
    static bool bf16Supported();
    // Whether this CPU can run that copy (Auto and Baseline: always).
    static bool isaSupported(Isa isa);
};

// A query row that sees no key at all (every key padding) gets the mean of all S values: what the
// reference's softmax over scores all filled with the dtype's lowest value gives.

} // namespace terse::detail
