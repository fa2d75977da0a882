#pragma once
// Transformer architectures built from weight names (design.md rule 4): GPT-2, the Llama family
// (Llama 2/3, Mistral, Qwen2), GPT-NeoX, and BERT / XLM-RoBERTa token classifiers. Internal: torch
// types.

#include "terse/job.h"
#include "terse/model.h"
#include "weights/weight_store.h"

#include <torch/types.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace terse {

enum class Arch { Gpt2, Llama, NeoX, Bert };

// y = x W^T + b (nn.Linear layout; GPT-2's Conv1D weights [in, out] are used as a transposed view,
// so weights mapped from the file are not copied).
struct Linear {
    torch::Tensor w, b;
    bool owned = false; // w (and b) converted on load: the model's own copy, not the file's bytes
    torch::Tensor operator()(const torch::Tensor &x) const;
};

// LayerNorm (with bias) or RMSNorm (HF Llama: normalise in fp32, scale in the input dtype).
struct Norm {
    torch::Tensor w, b;
    double eps = 1e-5;
    bool rms = false;
    torch::Tensor operator()(const torch::Tensor &x) const;
};

struct Block {
    Norm norm1, norm2; // pre-norms for decoders; BERT: attention.output.LayerNorm, output.LayerNorm
    Linear q, k, v, o;
    Linear qkv; // fused q|k|v as the file stores it (GPT-2 c_attn, GPT-NeoX query_key_value); q, k,
                // v unset
    Linear gate, up, down; // gate only for SiLU-gated MLPs
    Linear gateUp;         // gate | up along the outputs (fuseProjections); gate, up unset
    int slidingWindow = 0; // 0: full causal attention
};

struct ArchConfig {
    Arch arch = Arch::Llama;
    std::string modelType;
    int hidden = 0, layers = 0, heads = 0, kvHeads = 0, headDim = 0, intermediate = 0, vocab = 0;
    int maxPositions = 0, numLabels = 0, rotaryDim = 0;
    int slidingWindow = 0; // largest attention window of any layer (0 = none)
    int bosId = -1, eosId = -1, padId = -1;
    bool causal = true; // false: every query sees every key (BERT; a Llama with is_causal false)
    bool parallelResidual = false;
    bool xlmrPositions = false; // RoBERTa positions: cumsum(ids != pad) * (ids != pad) + pad
    std::string activation;     // "silu", "gelu", "gelu_tanh", "relu"
    // A causal LM (next-token head over the vocabulary) or, with numLabels > 0, a token classifier.
    bool languageModel() const { return numLabels == 0; }
};

// Per-layer cached keys (already rotated) and values, [B, kvHeads, S, headDim].
struct KvCache {
    std::vector<torch::Tensor> k, v;
    // Position of the cache's first entry: new tokens get positions positionBase + length() + i.
    // Long prompts drop the front of the cache and advance it, so positions stay absolute (RoPE is
    // relative).
    int64_t positionBase = 0;
    // > 0: every layer attends at most this many positions back (query i sees keys i - window < j
    // <= i) in calls with this cache, besides the layers' own sliding windows. 0: the layers' own
    // only.
    int window = 0;
    int64_t length() const { return k.empty() || !k[0].defined() ? 0 : k[0].size(2); }
};

// Receives each layer's attention probabilities as they are computed, in blocks of query rows:
// `probs` is [B, heads, rows, W] (float32) for queries firstRow .. firstRow + rows - 1 and keys
// firstKey .. firstKey + W - 1, both counted from the cache's first entry (a call on top of a cache
// of P entries starts at firstRow P). Keys outside were not computed: a causal model skips keys
// after the block's last query, a windowed one keys before its first query's window (their
// probability is 0).
using AttentionHook =
    std::function<void(int layer, const torch::Tensor &probs, int64_t firstRow, int64_t firstKey)>;

class Transformer {
public:
    // Builds the architecture named by config.json's model_type from the store's tensors.
    // Throws WeightError (missing tensors, bad shapes, unsupported model types / rope scaling).
    static std::shared_ptr<Transformer> build(WeightStore &store, torch::ScalarType dtype,
                                              torch::Device device);

    // Forward over ids [B, T] (int64). `mask` [B, T] (1 real / 0 pad, int64) may be undefined.
    // With a cache the tokens continue after its content (positions = cache length + i).
    // Returns the final hidden states [B, T, hidden] (after the final norm for decoders).
    torch::Tensor forward(const torch::Tensor &ids, const torch::Tensor &mask, KvCache *cache,
                          const AttentionHook &hook, std::vector<torch::Tensor> *hiddenStates,
                          const JobContext &job) const;
    // Inference only (never for a model being trained: its parameters are the separate
    // tensors): each layer's q, k and v projections concatenated into one (the fused q|k|v
    // path GPT-2's c_attn takes) and a gated MLP's gate and up into one, where all of them are
    // copies the model owns (converted on load; weights used in place from a mapped file stay
    // as they are, a copy would double their memory). The old tensors are released.
    void fuseProjections();
    // Logits in float32 (float64 for a float64 network): the LM head or the token-classification
    // head.
    torch::Tensor logits(const torch::Tensor &hidden) const;
    // The head's output in the compute dtype (bf16 for a bf16 network): what logits() converts.
    torch::Tensor headOutput(const torch::Tensor &hidden) const;

    ArchConfig cfg;
    long long parameters = 0;
    torch::ScalarType dtype = torch::kFloat32;
    torch::Device device = torch::kCPU;
    int64_t attentionBlockFloats = 1 << 20; // bound on B x heads x rows x keys per attention block
    // Inference on the CPU without a hook: attention in one fused fp32 kernel
    // (models/attention_kernel.h) instead of the blocks.
    bool fusedAttention = true;
    // Training (train/trainable.h builds the trainers' models with this class, so training and
    // inference run one definition): forward() and logits() record gradients, dropout applies where
    // HF applies it (embeddings, attention probabilities, each sublayer's output, BERT's classifier
    // input), and attention without hook, cache or window takes libtorch 2's fused kernel.
    // Inference leaves both unset: no gradients, no dropout.
    bool training = false;
    double dropout = 0.0;

private:
    torch::Tensor attention(const Block &b, const torch::Tensor &x, const torch::Tensor &cos,
                            const torch::Tensor &sin, const torch::Tensor &keyHidden,
                            KvCache *cache, int layer, const AttentionHook &hook) const;
    torch::Tensor fusedCpuAttention(const torch::Tensor &q, const torch::Tensor &k,
                                    const torch::Tensor &v, const torch::Tensor &keyHidden,
                                    int64_t window) const;
    torch::Tensor mlp(const Block &b, const torch::Tensor &x) const;
    // Dropout with probability `dropout` while training; the identity otherwise.
    torch::Tensor drop(const torch::Tensor &x) const;

    torch::Tensor m_embed, m_posEmbed, m_typeEmbed, m_head, m_headBias, m_invFreq;
    Norm m_embedNorm, m_finalNorm;
    std::vector<Block> m_blocks;
};

// The config's rope_scaling (linear, llama3) as divisors of the default inverse frequencies
// ([dim / 2], what llama.cpp stores as rope_freqs.weight); undefined without rope_scaling.
// Unsupported for another scaling type, naming `source`.
torch::Tensor ropeScalingDivisors(const std::string &configJson, int dim,
                                  const std::string &source);

} // namespace terse
