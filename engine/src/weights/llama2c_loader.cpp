// llama2.c checkpoints (version 0, run.c layout): 7 int32 config values, then fp32 weights.
#include "core/mapped_file.h"
#include "weights/weight_store.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <cstdlib>
#include <cstring>

namespace terse {

WeightStore loadLlama2c(const std::string &path)
{
    auto file = MappedFile::open(path);
    if (file->size() < 28)
        throwWeightError(ErrorCode::FormatError,
                         "'" + path + "' is too short for a llama2.c header (28 bytes)");
    std::int32_t h[7];
    std::memcpy(h, file->data(), sizeof h);
    // run.c's Config struct, in file order.
    static const char *const kFields[7] = {"dim",        "hidden_dim", "n_layers", "n_heads",
                                           "n_kv_heads", "vocab_size", "seq_len"};
    const std::int64_t dim = h[0], hidden = h[1], layers = h[2], heads = h[3], kvHeads = h[4],
                       seqLen = h[6];
    // run.c: a negative vocab_size marks an unshared classifier stored at the end.
    const bool shared = h[5] > 0;
    const std::int64_t vocab = shared ? h[5] : -static_cast<std::int64_t>(h[5]);
    const auto bad = [&](const std::string &why) {
        throwWeightError(ErrorCode::FormatError,
                         "'" + path + "' is not a valid llama2.c checkpoint: " + why);
    };
    constexpr std::int64_t kMax = 1 << 24;
    for (int i = 0; i < 7; ++i)
        if (h[i] == 0 || (i != 5 && h[i] < 0) || std::abs(static_cast<std::int64_t>(h[i])) > kMax)
            bad(std::string("config field ") + kFields[i] + " = " + std::to_string(h[i]) +
                " is out of range (expected " +
                (i == 5 ? "1 to 16777216, negated for an unshared classifier)" : "1 to 16777216)"));
    if (dim % heads != 0 || (dim / heads) % 2 != 0)
        bad("dim " + std::to_string(dim) + " must split into n_heads " + std::to_string(heads) +
            " heads of an even size");
    if (heads % kvHeads != 0)
        bad("n_heads " + std::to_string(heads) + " is not a multiple of n_kv_heads " +
            std::to_string(kvHeads));
    const std::int64_t headDim = dim / heads, kvDim = kvHeads * headDim;
    // Counted in 128 bits: every field is below 2^24, so no product of these can wrap around and
    // make a huge config look like the file's size.
    using Wide = unsigned __int128;
    const Wide perLayer =
        Wide(2 * dim) + Wide(dim) * dim * 2 + Wide(2 * dim) * kvDim + Wide(3 * dim) * hidden;
    Wide floats = Wide(vocab) * dim + Wide(layers) * perLayer + dim +
                  Wide(seqLen) * headDim; // + freq_cis real/imag
    if (!shared)
        floats += Wide(vocab) * dim;
    const Wide expected = 28 + floats * 4;
    if (Wide(file->size()) != expected)
        bad("the config (dim " + std::to_string(dim) + ", hidden_dim " + std::to_string(hidden) +
            ", n_layers " + std::to_string(layers) + ", n_heads " + std::to_string(heads) +
            ", n_kv_heads " + std::to_string(kvHeads) + ", vocab_size " + std::to_string(h[5]) +
            ", seq_len " + std::to_string(seqLen) + ", " + (shared ? "shared" : "unshared") +
            " classifier) implies " + toDecimal(expected) + " bytes but the file has " +
            std::to_string(file->size()));

    WeightStore store;
    store.source = path;
    store.format = "llama2c";
    std::size_t offset = 28;
    auto next = [&](std::vector<int64_t> shape) {
        std::int64_t n = 1;
        for (auto s : shape)
            n *= s;
        auto keep = file;
        auto t = torch::from_blob(
            const_cast<std::uint8_t *>(file->data()) + offset, shape,
            [keep](void *) mutable { keep.reset(); }, torch::kFloat32);
        offset += static_cast<std::size_t>(n) * 4;
        return t;
    };
    const auto layerName = [](std::int64_t l, const std::string &part) {
        return "model.layers." + std::to_string(l) + "." + part + ".weight";
    };
    store.add("model.embed_tokens.weight", next({vocab, dim}), "F32");
    // Weights are stacked over layers per kind: [layers, out, in] as nn.Linear stores them.
    auto attnNorm = next({layers, dim});
    auto wq = next({layers, dim, dim});
    auto wk = next({layers, kvDim, dim});
    auto wv = next({layers, kvDim, dim});
    auto wo = next({layers, dim, dim});
    auto ffnNorm = next({layers, dim});
    auto w1 = next({layers, hidden, dim});
    auto w2 = next({layers, dim, hidden});
    auto w3 = next({layers, hidden, dim});
    store.add("model.norm.weight", next({dim}), "F32");
    offset += static_cast<std::size_t>(seqLen * headDim) * 4; // precomputed freq_cis tables, unused
    if (!shared)
        store.add("lm_head.weight", next({vocab, dim}), "F32");
    for (std::int64_t l = 0; l < layers; ++l) {
        store.add(layerName(l, "input_layernorm"), attnNorm[l], "F32");
        // run.c rotates interleaved pairs; the Llama code here uses HF's rotate_half order.
        store.add(layerName(l, "self_attn.q_proj"), unpermuteRope(wq[l], heads), "F32");
        store.add(layerName(l, "self_attn.k_proj"), unpermuteRope(wk[l], kvHeads), "F32");
        store.add(layerName(l, "self_attn.v_proj"), wv[l], "F32");
        store.add(layerName(l, "self_attn.o_proj"), wo[l], "F32");
        store.add(layerName(l, "post_attention_layernorm"), ffnNorm[l], "F32");
        store.add(layerName(l, "mlp.gate_proj"), w1[l], "F32");
        store.add(layerName(l, "mlp.down_proj"), w2[l], "F32");
        store.add(layerName(l, "mlp.up_proj"), w3[l], "F32");
    }
    nlohmann::json c;
    c["model_type"] = "llama";
    c["hidden_size"] = dim;
    c["intermediate_size"] = hidden;
    c["num_hidden_layers"] = layers;
    c["num_attention_heads"] = heads;
    c["num_key_value_heads"] = kvHeads;
    c["vocab_size"] = vocab;
    c["max_position_embeddings"] = seqLen;
    c["rms_norm_eps"] = 1e-5; // run.c's rmsnorm epsilon
    c["rope_theta"] = 10000.0;
    c["tie_word_embeddings"] = shared;
    c["bos_token_id"] = 1;
    c["eos_token_id"] = 2;
    store.configJson = c.dump();
    return store;
}

} // namespace terse
