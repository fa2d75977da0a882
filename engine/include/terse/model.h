#pragma once
// Language models and token classifiers loaded from real model files (safetensors folders, GGUF,
// llama2.c .bin), and the Scorer: per-token surprisal, entropy, top-k and attention aggregates.
// No torch types here: results are plain std::vector<float>.

#include "terse/job.h"
#include "terse/result.h"

#include <memory>
#include <string>
#include <vector>

namespace terse {

enum class ComputeDtype {
    Float32,  // weights and activations in fp32 (reference accuracy)
    BFloat16, // weights and activations in bf16, softmax/log-softmax in fp32 (~2x faster matmuls)
    Auto,     // bf16 on a CPU with native bf16 (AVX-512 BF16 or AMX), else fp32 (resolveDtype)
};

// True when this CPU computes bf16 natively (/proc/cpuinfo flags avx512_bf16 or amx_bf16).
bool cpuHasNativeBf16();

// Auto -> BFloat16 on a CPU device with native bf16, Float32 otherwise (GPUs included); others
// unchanged. On the bundled LM over a 4,000-token news article, bf16 surprisal differs from fp32 by
// 0.015 nats on average (99th percentile 0.09, largest 0.19) and entropy by 0.013; a forward takes
// 0.7x the time (README).
ComputeDtype resolveDtype(ComputeDtype dtype, const std::string &device);

// "fp32", "bf16" or "auto" (also "float32", "bfloat16"), else an InvalidArgument error naming the
// value.
Result<ComputeDtype> parseDtype(const std::string &name);
const char *dtypeName(ComputeDtype dtype); // "fp32", "bf16", "auto"

struct ModelLoadOptions {
    ComputeDtype dtype = ComputeDtype::Float32; // compute precision
    std::string device = "cpu";                 // "cpu", "cuda", "cuda:1" (CUDA builds only)
    int threads = 0;                            // > 0: set the engine's thread count (initRuntime)
    long long attentionBlockFloats =
        1 << 20; // attention probabilities computed at once (query-row blocks, 8x
                 // when bf16 scores stay bf16; causal blocks <= T/8 rows)
    // Attention on the CPU without attention outputs requested: one fused fp32 pass (online
    // softmax over key tiles) instead of the blocks above. false: the blocks (for comparison).
    bool fusedAttention = true;
    // Inference with the weights converted on load (their dtype differs from the file's): the
    // q, k and v projections of a layer in one matmul, and the MLP's gate and up in one, on
    // weights concatenated once (fewer, larger matmuls: a bf16 forward of the 192 x 4 benchmark
    // model 0.98x the time at 1k tokens, paired runs; the same scores). false: one matmul each.
    bool fuseProjections = true;
};

enum class ModelKind {
    CausalLM,        // next-token prediction (gpt2, llama, mistral, qwen2, gpt_neox)
    TokenClassifier, // encoder with a per-token classification head (bert, xlm-roberta)
};

struct ModelInfo {
    std::string
        architecture;   // "gpt2", "llama", "mistral", "qwen2", "gpt_neox", "bert", "xlm-roberta"
    std::string format; // "safetensors", "gguf", "llama2c"
    std::string path;   // what was loaded
    ModelKind kind = ModelKind::CausalLM;
    long long parameters = 0; // number of weights actually used
    int layers = 0;
    int heads = 0;
    int kvHeads = 0;
    int hidden = 0;
    int vocabSize = 0;
    int numLabels = 0;     // classifier labels (TokenClassifier), else 0
    int maxPositions = 0;  // longest input one forward accepts; longer inputs are windowed
    int slidingWindow = 0; // Mistral's attention window, 0 = none
    int bosId = -1;        // from config.json, -1 when unknown
    int eosId = -1;
    int padId = -1;
    std::string dtype; // "float32" / "bfloat16"
    std::string device;
};

// What score() computes. Attention aggregates cost one pass over each layer's probabilities and
// never keep layers x heads x n^2 floats; `headSumMatrices` keeps layers x n^2 (small inputs,
// tests).
struct ScoreRequest {
    bool wantEntropy = true; // entropy (nats) of each predictive distribution
    int topK = 0;            // alternatives per position (0 = none)
    bool wantLayerColumnSums =
        false; // per layer: attention each key receives, summed over heads and queries
    bool wantHeadColumnSums = false; // per layer and head: summed over queries
    bool wantCausalColumnMeans =
        false; // layer column sum / (heads x number of queries that can see the key)
    // Causal LMs, per layer: the attention each key receives over what a key with the same visible
    // queries receives on average at those distances in this layer and prompt (1 = typical). A
    // causal mean over few queries is dominated by the attention of nearby queries, so the last
    // tokens of every prompt score high; the distance profile takes that out.
    bool wantAttentionLift = false;
    bool wantLastQueryRow =
        false;             // per layer: the last real query's attention row, summed over heads
    int displayLayer = -1; // >= 0: keep this layer's full [n x n] matrix for display
    int displayHead = -1;  // with displayLayer: one head, or -1 for the sum over heads
    bool wantHeadSumMatrices =
        false;               // every layer's [n x n] matrix summed over heads (as HF's attentions)
    bool wantHidden = false; // hidden states [layers + 1][n][hidden] as HF output_hidden_states
    bool wantLogits = false; // raw logits [n][vocab or labels]
    // Optional per-sequence mask (1 = real, 0 = padding), as HF's attention_mask. Empty: sequences
    // of different lengths are right-padded internally and outputs cover only each sequence's
    // length.
    std::vector<std::vector<int>> attentionMask;
    int windowStride = 0; // inputs longer than maxPositions: window step (0 = half the window)
    // Rotary models' inputs longer than maxPositions W (no windowStride): new tokens per forward,
    // each query still attending to the W positions before it (0 = kCarriedChunkTokens, at least
    // W). Any value gives the same scores; fewer, longer forwards cost less per token.
    int carriedChunk = 0;
};

// The carried scheme's default new tokens per forward, when the model's context is shorter: per
// forward costs (the cached keys' copy and packing, the ops' dispatch, thread wake-ups) spread
// over more tokens.
inline constexpr int kCarriedChunkTokens = 2048;

// One alternative next token.
struct TokenAlternative {
    int id = 0;
    float logprob = 0.0f;
};

// Scores of one sequence of n tokens. Alignment: `surprisal[t]` = -log p(ids[t] | ids[<t]) belongs
// to token t (NaN for t = 0, which has no context). `nextTokenLogprob[t]` = log p(ids[t+1] |
// ids[<=t]) is the reference's shifted alignment (HF / LLMLingua loss order), n-1 entries.
// `entropy[t]`, `topK` and `logits` describe the distribution computed AT position t, i.e. the
// prediction of token t+1. Matrices are row-major; attention aggregates index keys 0..n-1.
struct SequenceScores {
    std::vector<int> ids;
    std::vector<float> surprisal;        // [n] causal LMs
    std::vector<float> nextTokenLogprob; // [n-1] causal LMs
    std::vector<float> entropy;          // [n] nats; classifiers: entropy of the label distribution
    std::vector<TokenAlternative> topK;  // [n][k]
    std::vector<float> classProbs;       // [n][numLabels] classifiers: softmax of the head
    std::vector<float> labelLogprobs;    // [n][numLabels] classifiers: log_softmax of the head
    std::vector<float> logits;           // [n][vocab or numLabels] when wantLogits
    std::vector<float> hidden; // [layers+1][n][hidden] when wantHidden (single window only)
    std::vector<float> layerColumnSums;   // [layers][n]
    std::vector<float> headColumnSums;    // [layers][heads][n]
    std::vector<float> causalColumnMeans; // [layers][n]
    std::vector<float> attentionLift;     // [layers][n] (causal LMs)
    std::vector<float> lastQueryRow;      // [layers][n]
    std::vector<float> displayMatrix;     // [n][n] (single window only)
    std::vector<float> headSumMatrices;   // [layers][n][n] (single window only)
};

struct ScoreResult {
    std::vector<SequenceScores> sequences; // one per input sequence, same order
    int layers = 0;
    int heads = 0;
    int windows = 1;      // forwards run for the longest sequence (a long one's chunks or windows)
    double seconds = 0.0; // wall time of the call
};

class ModelSession;

// A loaded model. Copies share the same immutable weights; const members are thread-safe.
class Model {
public:
    // Loads a model folder (config.json + model.safetensors[.index.json]), a .safetensors file with
    // config.json beside it, a .gguf file or a llama2.c .bin. Refuses pickle checkpoints
    // (.bin/.pt/.pth). Errors: NotFound, FormatError (names file/tensor), Unsupported
    // (architecture, dtype, pickle).
    static Result<Model> load(const std::string &path, const ModelLoadOptions &options = {});

    const ModelInfo &info() const;

    // Scores a batch of token-id sequences (ids must be < vocabSize). Checks `job` between layers
    // and windows (Cancelled). Long sequences are scored in windows of maxPositions with
    // `windowStride`.
    Result<ScoreResult> score(const std::vector<std::vector<int>> &ids,
                              const ScoreRequest &request = {},
                              const JobContext &job = JobContext::none()) const;

    // A KV-cache session for incremental decoding (causal LMs only; Unsupported otherwise).
    Result<ModelSession> newSession() const;

    // The attention probabilities of token `query` over keys 0..n-1 in layer `layer` and head
    // `head`
    // (-1: summed over heads), for `ids` that fit one window (maxPositions). Errors:
    // InvalidArgument (layer, head or query out of range, input too long), Cancelled.
    Result<std::vector<float>> attentionRow(const std::vector<int> &ids, int layer, int head,
                                            int query,
                                            const JobContext &job = JobContext::none()) const;

    struct Impl;

private:
    explicit Model(std::shared_ptr<const Impl> impl) : m_impl(std::move(impl)) {}
    std::shared_ptr<const Impl> m_impl;
};

// Scores of tokens appended to a session: `logprob[i]` = log p(new token i | everything before it),
// NaN when the session held nothing before it (or its predecessor's distribution was trimmed away).
// `entropy[i]` / `logits` describe the distribution after new token i (the prediction of the next
// one).
struct StepScores {
    std::vector<float> logprob;
    std::vector<float> entropy;
    std::vector<float> logits;   // [count][vocab] when asked
    std::vector<int> greedyNext; // argmax of each distribution (cheap greedy decoding)
};

// Incremental decoding over a per-layer KV cache. Not thread-safe; one user at a time.
// Positions: a new token's position is the current cache length, also after evict(). Like HF's
// DynamicCache, cached keys keep the rotation (RoPE) of the position they were computed at, so
// after an eviction the kept keys keep their original positions and later tokens continue from the
// shorter length.
class ModelSession {
public:
    ModelSession(ModelSession &&) noexcept;
    ModelSession &operator=(ModelSession &&) noexcept;
    ~ModelSession();

    // Runs the new tokens through the model on top of the cache. Errors: InvalidArgument (ids out
    // of range, context full), Cancelled.
    Result<StepScores> append(const std::vector<int> &ids, bool wantLogits = false,
                              const JobContext &job = JobContext::none());
    // Keeps the first `length` cached tokens.
    Result<void> trim(int length);
    // Drops cached tokens [start, start + count) and keeps the first `start` (attention sinks) and
    // the rest.
    Result<void> evict(int start, int count);
    // Number of cached tokens and their ids.
    int length() const;
    const std::vector<int> &tokens() const;

    struct Impl;

private:
    friend class Model;
    explicit ModelSession(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

} // namespace terse

namespace terse {

// Raw matrix-multiply throughput of this machine in GFLOP/s: an [m x k] by [k x n] product in
// `dtype`, repeated for about `seconds`. For benchmarks that relate model speed to the hardware's
// peak. Errors: InvalidArgument (non-positive sizes), ModelError (allocation failed).
Result<double> measureMatmulGflops(int m, int k, int n, ComputeDtype dtype, double seconds = 1.0);

} // namespace terse
