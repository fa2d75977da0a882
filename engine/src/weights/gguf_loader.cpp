// GGUF v2/v3 reader: metadata as plain data, tensors dequantised to float32 following ggml's block
// layouts (ggml-common.h / ggml-quants.c dequantize_row_*), names mapped to HF names.
#include "core/gguf_file.h"
#include "weights/gguf_quants.h"
#include "weights/weight_store.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cctype>
#include <cstring>
#include <limits>
#include <set>

namespace terse {

namespace {

using namespace gguf;

// A llama.cpp block tensor name "blk.<layer>.<part>.<weight|bias>": m[1] layer, m[2] part, m[3]
// kind.
struct BlockName {
    std::string m[4];
    const std::string &operator[](int i) const { return m[i]; }
};

bool parseBlockName(const std::string &name, BlockName &out)
{
    if (name.rfind("blk.", 0) != 0)
        return false;
    std::size_t i = 4, j = i;
    while (j < name.size() && std::isdigit(static_cast<unsigned char>(name[j])))
        ++j;
    if (j == i || j >= name.size() || name[j] != '.')
        return false;
    out.m[1] = name.substr(i, j - i);
    i = ++j;
    while (j < name.size() && (std::islower(static_cast<unsigned char>(name[j])) || name[j] == '_'))
        ++j;
    if (j == i || j >= name.size() || name[j] != '.')
        return false;
    out.m[2] = name.substr(i, j - i);
    out.m[3] = name.substr(j + 1);
    out.m[0] = name;
    return out.m[3] == "weight" || out.m[3] == "bias";
}

// Maps llama.cpp tensor names to the HF names the architectures are built from.
std::string hfName(const std::string &arch, const std::string &name, bool &permuteQ, bool &permuteK,
                   bool &conv1d)
{
    permuteQ = permuteK = conv1d = false;
    BlockName m;
    const bool llamaLike = arch == "llama" || arch == "qwen2" || arch == "mistral";
    if (llamaLike) {
        if (name == "token_embd.weight")
            return "model.embed_tokens.weight";
        if (name == "output_norm.weight")
            return "model.norm.weight";
        if (name == "output.weight")
            return "lm_head.weight";
        if (parseBlockName(name, m)) {
            static const std::map<std::string, std::string> parts = {
                {"attn_norm", "input_layernorm"},    {"attn_q", "self_attn.q_proj"},
                {"attn_k", "self_attn.k_proj"},      {"attn_v", "self_attn.v_proj"},
                {"attn_output", "self_attn.o_proj"}, {"ffn_norm", "post_attention_layernorm"},
                {"ffn_gate", "mlp.gate_proj"},       {"ffn_up", "mlp.up_proj"},
                {"ffn_down", "mlp.down_proj"}};
            auto it = parts.find(m[2]);
            if (it != parts.end()) {
                // llama.cpp's convert interleaves q/k for its "normal" rope (llama); qwen2 uses
                // NEOX rope.
                permuteQ = arch != "qwen2" && m[2] == "attn_q";
                permuteK = arch != "qwen2" && m[2] == "attn_k";
                return "model.layers." + m[1] + "." + it->second + "." + m[3];
            }
        }
    } else if (arch == "gpt2") {
        if (name == "token_embd.weight")
            return "transformer.wte.weight";
        if (name == "position_embd.weight")
            return "transformer.wpe.weight";
        if (name == "output_norm.weight")
            return "transformer.ln_f.weight";
        if (name == "output_norm.bias")
            return "transformer.ln_f.bias";
        if (name == "output.weight")
            return "lm_head.weight";
        if (parseBlockName(name, m)) {
            static const std::map<std::string, std::string> parts = {
                {"attn_norm", "ln_1"}, {"attn_qkv", "attn.c_attn"}, {"attn_output", "attn.c_proj"},
                {"ffn_norm", "ln_2"},  {"ffn_up", "mlp.c_fc"},      {"ffn_down", "mlp.c_proj"}};
            auto it = parts.find(m[2]);
            if (it != parts.end()) {
                conv1d = m[3] == "weight" && it->second.find("ln_") != 0;
                return "transformer.h." + m[1] + "." + it->second + "." + m[3];
            }
        }
    }
    return name;
}

constexpr std::int64_t kMaxInt32 = std::numeric_limits<std::int32_t>::max();

// An HF-style config.json synthesised from GGUF metadata, so architectures read one format. Sizes
// are range-checked here (naming the GGUF key); the model's config checks judge whether they fit
// together.
std::string synthesiseConfig(const WeightStore &store, const GgufMetadata &s,
                             const std::string &arch)
{
    nlohmann::json c;
    const std::string p = arch + ".";
    c["model_type"] = arch;
    c["hidden_size"] = metaInt(s, p + "embedding_length", 0, 0, kMaxInt32);
    c["intermediate_size"] = metaInt(s, p + "feed_forward_length", 0, 0, kMaxInt32);
    c["num_hidden_layers"] = metaInt(s, p + "block_count", 0, 0, kMaxInt32);
    const auto heads = metaInt(s, p + "attention.head_count", 0, 1, kMaxInt32);
    c["num_attention_heads"] = heads;
    c["num_key_value_heads"] = metaInt(s, p + "attention.head_count_kv", heads, 1, kMaxInt32);
    c["max_position_embeddings"] = metaInt(s, p + "context_length", 2048, 0, kMaxInt32);
    c["rms_norm_eps"] = metaNumber(s, p + "attention.layer_norm_rms_epsilon", 1e-6);
    c["layer_norm_epsilon"] = metaNumber(s, p + "attention.layer_norm_epsilon", 1e-5);
    c["rope_theta"] = metaNumber(s, p + "rope.freq_base", 10000.0);
    if (meta(s, p + "attention.sliding_window"))
        c["sliding_window"] = metaInt(s, p + "attention.sliding_window", 0, 0, kMaxInt32);
    if (arch == "gpt2") {
        c["n_embd"] = c["hidden_size"];
        c["n_layer"] = c["num_hidden_layers"];
        c["n_head"] = heads;
        c["n_positions"] = c["max_position_embeddings"];
        c["n_inner"] = c["intermediate_size"];
    }
    const auto &emb =
        store.find(arch == "gpt2" ? "transformer.wte.weight" : "model.embed_tokens.weight");
    if (emb.defined())
        c["vocab_size"] = emb.size(0);
    c["tie_word_embeddings"] = !store.has("lm_head.weight");
    if (meta(s, "tokenizer.ggml.bos_token_id"))
        c["bos_token_id"] = metaInt(s, "tokenizer.ggml.bos_token_id", 0, -1, kMaxInt32);
    if (meta(s, "tokenizer.ggml.eos_token_id"))
        c["eos_token_id"] = metaInt(s, "tokenizer.ggml.eos_token_id", 0, -1, kMaxInt32);
    c["torch_dtype"] = "float32";
    // The architecture name comes from the file and need not be UTF-8; the model rejects it by
    // name.
    return c.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string dimsText(const std::vector<std::uint64_t> &ne)
{
    std::string out = "[";
    for (std::size_t i = 0; i < ne.size(); ++i)
        out += (i ? ", " : "") + std::to_string(ne[i]);
    return out + "]";
}

constexpr std::uint64_t kMaxDim = std::uint64_t(1)
                                  << 40; // per axis and in total: far above any real model

} // namespace

WeightStore loadGguf(const std::string &path, bool decode)
{
    GgufFile g = readGgufFile(path);
    const auto &file = g.file;
    const std::uint64_t dataStart = g.dataStart, alignment = g.alignment;
    WeightStore store;
    store.source = path;
    store.format = "gguf";
    store.metadata = g.metadata.values;
    struct Info {
        std::string name;
        std::vector<std::uint64_t> ne;
        std::uint32_t type;
        std::uint64_t offset;
        const TypeSpec *spec =
            nullptr; // set by the checks below, with the block count and byte size
        std::uint64_t blocks = 0, bytes = 0;
    };
    std::vector<Info> infos;
    for (auto &t : g.tensors)
        infos.push_back(Info{std::move(t.name), std::move(t.ne), t.type, t.offset});
    const std::uint64_t dataSize = file->size() - dataStart;

    std::string arch;
    if (const MetaValue *a = meta(g.metadata, "general.architecture")) {
        if (a->kind != MetaValue::Kind::String)
            throwWeightError(
                ErrorCode::FormatError,
                "GGUF metadata of '" + path +
                    "': key 'general.architecture' must be a string, got another type");
        arch = a->text;
    }
    const std::string headsKey = arch + ".attention.head_count",
                      kvHeadsKey = arch + ".attention.head_count_kv";
    const auto heads = metaInt(g.metadata, headsKey, 0, 1, kMaxInt32);
    const auto kvHeads = metaInt(g.metadata, kvHeadsKey, heads, 1, kMaxInt32);

    // Every tensor is checked before any is decoded: nothing is allocated for a file that is
    // refused.
    for (auto &info : infos) {
        const std::string where = "'" + path + "', tensor '" + info.name + "'";
        const TypeSpec *spec = typeSpec(info.type);
        if (!spec)
            throwWeightError(ErrorCode::Unsupported,
                             where + ": GGML type " + std::to_string(info.type) +
                                 " is not supported (F32, F16, BF16, Q8_0, Q4_0, Q4_1, "
                                 "Q5_0, Q5_1, Q4_K, Q5_K, Q6_K are)");
        // Each axis and the product are bounded before anything is sized from them (no overflow, no
        // negative torch sizes).
        unsigned __int128 count = 1;
        for (auto n : info.ne)
            count *= n;
        if (*std::max_element(info.ne.begin(), info.ne.end()) > kMaxDim || count > kMaxDim)
            throwWeightError(ErrorCode::FormatError,
                             where + ": shape " + dimsText(info.ne) +
                                 " is absurdly large (at most 2^40 elements)");
        if (info.ne[0] % spec->blockElems != 0)
            throwWeightError(ErrorCode::FormatError,
                             where + ": row length " + std::to_string(info.ne[0]) +
                                 " is not a multiple of the " + spec->name + " block size " +
                                 std::to_string(spec->blockElems));
        const auto blocks = static_cast<std::uint64_t>(count / spec->blockElems);
        const std::uint64_t bytes = blocks * spec->blockBytes;
        if (info.offset % alignment != 0)
            throwWeightError(ErrorCode::FormatError, where + ": data offset " +
                                                         std::to_string(info.offset) +
                                                         " is not a multiple of the alignment " +
                                                         std::to_string(alignment));
        if (info.offset > dataSize || bytes > dataSize - info.offset)
            throwWeightError(ErrorCode::FormatError,
                             where + ": shape " + dimsText(info.ne) + " of " + spec->name +
                                 " needs " + std::to_string(bytes) + " bytes at offset " +
                                 std::to_string(info.offset) + ", outside the " +
                                 std::to_string(dataSize) + "-byte data section");
        info.spec = spec;
        info.blocks = blocks;
        info.bytes = bytes;
    }
    // Tensors never share bytes (llama.cpp packs them in order); shared ranges would let a small
    // file dequantise the same blocks into memory many times over.
    std::vector<const Info *> byOffset;
    for (const auto &info : infos)
        if (info.bytes > 0)
            byOffset.push_back(&info);
    std::stable_sort(byOffset.begin(), byOffset.end(),
                     [](const Info *a, const Info *b) { return a->offset < b->offset; });
    for (std::size_t i = 1; i < byOffset.size(); ++i) {
        const Info &a = *byOffset[i - 1], &b = *byOffset[i];
        if (b.offset < a.offset + a.bytes)
            throwWeightError(ErrorCode::FormatError,
                             "'" + path + "': tensors '" + a.name + "' and '" + b.name +
                                 "' overlap (data bytes [" + std::to_string(a.offset) + ", " +
                                 std::to_string(a.offset + a.bytes) + ") and [" +
                                 std::to_string(b.offset) + ", " +
                                 std::to_string(b.offset + b.bytes) + "))");
    }

    for (const auto &info : infos) {
        const std::string where = "'" + path + "', tensor '" + info.name + "'";
        const TypeSpec *spec = info.spec;
        const std::uint64_t blocks = info.blocks;
        std::vector<int64_t> shape(info.ne.rbegin(),
                                   info.ne.rend()); // ggml ne[0] is the innermost axis
        const std::uint8_t *src = file->data() + dataStart + info.offset;
        torch::Tensor t;
        bool permuteQ, permuteK, conv1d;
        const std::string name = hfName(arch, info.name, permuteQ, permuteK, conv1d);
        if (!decode) {
            // Shape only: the caller wants names, shapes and metadata (e.g. the tokenizer arrays).
            if (conv1d && shape.size() == 2)
                std::swap(shape[0], shape[1]);
            store.add(name, torch::empty(shape, torch::TensorOptions().device(torch::kMeta)),
                      spec->name);
            continue;
        }
        if (info.type == kF32 || info.type == kF16 || info.type == kBF16) {
            const auto type = info.type == kF32   ? torch::kFloat32
                              : info.type == kF16 ? torch::kFloat16
                                                  : torch::kBFloat16;
            auto keep = file;
            t = torch::from_blob(
                const_cast<std::uint8_t *>(src), shape, [keep](void *) mutable { keep.reset(); },
                torch::TensorOptions().dtype(type));
            if (reinterpret_cast<std::uintptr_t>(src) % spec->blockBytes != 0)
                t = t.clone();
        } else {
            t = torch::empty(shape, torch::kFloat32);
            dequantise(info.type, src, static_cast<std::int64_t>(blocks), t.data_ptr<float>());
        }
        if ((permuteQ || permuteK) && heads > 0) {
            // Undoing the interleave splits the rows into heads of an even size.
            const std::int64_t h = permuteQ ? heads : kvHeads;
            if (t.dim() != 2 || t.size(0) % (2 * h) != 0)
                throwWeightError(ErrorCode::FormatError, where + ": shape " + dimsText(info.ne) +
                                                             " cannot hold " + std::to_string(h) +
                                                             " heads of an even size (" +
                                                             (permuteQ ? headsKey : kvHeadsKey) +
                                                             " = " + std::to_string(h) + ")");
            t = unpermuteRope(t, h);
        }
        if (conv1d && t.dim() == 2)
            t = t.t().contiguous();
        store.add(name, t, spec->name);
    }
    if (!arch.empty())
        store.configJson = synthesiseConfig(store, g.metadata, arch);
    return store;
}

} // namespace terse
