// `terse export`: a Llama-family causal LM as one GGUF v3 file (gguf.md) that llama.cpp and Terse
// read, with its tokenizer inside. Names and the q/k row order follow convert_hf_to_gguf.py (HF
// rotate-half rows interleaved per head); Q8_0 blocks follow ggml's quantize_row_q8_0_ref.
#include "terse/weights.h"

#include "core/engine_error.h"
#include "core/gguf_file.h"
#include "core/output_paths.h"
#include "models/transformer.h"
#include "terse/tokenizer.h"
#include "text/gguf_vocab.h"
#include "weights/gguf_quants.h"
#include "weights/weight_store.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <set>

namespace terse {

namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

// Little-endian GGUF output, counting bytes.
class Out {
public:
    explicit Out(std::ofstream &f) : m_f(f) {}
    template <typename T> void put(T v) { bytes(&v, sizeof v); }
    void bytes(const void *p, std::size_t n)
    {
        m_f.write(static_cast<const char *>(p), static_cast<std::streamsize>(n));
        m_written += n;
    }
    void str(const std::string &s)
    {
        put<std::uint64_t>(s.size());
        bytes(s.data(), s.size());
    }
    void pad(std::uint64_t alignment)
    {
        static const char zeros[64] = {};
        while (m_written % alignment != 0)
            bytes(zeros, std::min<std::uint64_t>(sizeof zeros, alignment - m_written % alignment));
    }
    std::uint64_t written() const { return m_written; }

private:
    std::ofstream &m_f;
    std::uint64_t m_written = 0;
};

// One metadata value in the form it is written.
struct Kv {
    std::string key;
    std::uint32_t type;
    std::function<void(Out &)> write;
};

Kv kvString(std::string key, std::string v)
{
    return {std::move(key), kGgufString, [v = std::move(v)](Out &o) { o.str(v); }};
}
Kv kvU32(std::string key, std::uint32_t v)
{
    return {std::move(key), kGgufU32, [v](Out &o) { o.put(v); }};
}
Kv kvF32(std::string key, float v)
{
    return {std::move(key), kGgufF32, [v](Out &o) { o.put(v); }};
}
Kv kvBool(std::string key, bool v)
{
    return {std::move(key), kGgufBool, [v](Out &o) { o.put<std::uint8_t>(v ? 1 : 0); }};
}
Kv kvStrings(std::string key, std::vector<std::string> v)
{
    return {std::move(key), kGgufArray, [v = std::move(v)](Out &o) {
                o.put<std::uint32_t>(kGgufString);
                o.put<std::uint64_t>(v.size());
                for (const auto &s : v)
                    o.str(s);
            }};
}
template <typename T> Kv kvArray(std::string key, std::uint32_t elementType, std::vector<T> v)
{
    return {std::move(key), kGgufArray, [elementType, v = std::move(v)](Out &o) {
                o.put<std::uint32_t>(elementType);
                o.put<std::uint64_t>(v.size());
                for (const T x : v)
                    o.put(x);
            }};
}

// ggml's quantize_row_q8_0_ref: per 32 values d = max|x| / 127 (stored as f16) and q = round(x /
// d).
void quantiseQ8_0(const float *x, std::int64_t n, std::vector<std::uint8_t> &out)
{
    out.resize(static_cast<std::size_t>(n / 32 * 34));
    std::uint8_t *y = out.data();
    for (std::int64_t b = 0; b < n / 32; ++b, x += 32, y += 34) {
        float amax = 0.0f;
        for (int j = 0; j < 32; ++j)
            amax = std::max(amax, std::fabs(x[j]));
        const float d = amax / 127.0f;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        const std::uint16_t h = c10::Half(d).x;
        std::memcpy(y, &h, 2);
        for (int j = 0; j < 32; ++j)
            y[2 + j] = static_cast<std::uint8_t>(static_cast<std::int8_t>(std::lround(x[j] * id)));
    }
}

// One tensor to write. Converted only when written (to float32, checked, q/k rows interleaved), one
// at a time: a 7B model's bf16 weights stay mapped instead of all becoming float32 at once.
struct Planned {
    std::string name;              // GGUF name
    std::string source;            // the store's name, for messages
    torch::Tensor t;               // as stored (any dtype), the config's shape
    std::int64_t permuteHeads = 0; // > 0: interleave q/k rows for this many heads
    std::uint32_t type = 0;        // GgmlType
    std::uint64_t bytes = 0, offset = 0;
};

// The .part file of an export, removed unless the export completes.
struct PartFile {
    std::string path;
    bool done = false;
    ~PartFile()
    {
        std::error_code ec;
        if (!done)
            fs::remove(path, ec);
    }
};

// The --type choices: the GGML type of the matrices and llama.cpp's general.file_type
// (llama_ftype).
struct ExportType {
    const char *name;
    std::uint32_t ggml, fileType;
};
constexpr ExportType kExportTypes[] = {{"f32", gguf::kF32, 0},
                                       {"f16", gguf::kF16, 1},
                                       {"bf16", gguf::kBF16, 32},
                                       {"q8_0", gguf::kQ8_0, 7}};

const ExportType *exportType(const std::string &name)
{
    for (const auto &t : kExportTypes)
        if (name == t.name)
            return &t;
    return nullptr;
}

Result<GgufExportReport> exportImpl(const GgufExportOptions &o)
{
    const auto t0 = std::chrono::steady_clock::now();
    const ExportType *type = exportType(o.type);
    if (!type)
        return fail(ErrorCode::InvalidArgument,
                    "type '" + o.type + "' is not f32, f16, bf16 or q8_0");
    if (o.out.empty())
        return fail(ErrorCode::InvalidArgument, "no output file given");
    std::error_code ec;
    // Checked before the work (the file is written beside the target and renamed over it).
    if (auto ok = detail::checkOutputFile(o.out); !ok)
        return ok.error();
    if (!fs::exists(o.model, ec))
        return fail(ErrorCode::NotFound, "model '" + o.model + "' not found");
    const std::string what = "model '" + o.model + "'";
    WeightStore store = loadWeights(o.model);
    if (store.configJson.empty())
        return fail(ErrorCode::FormatError,
                    what + " has no config.json beside its weights (give the model's folder)");
    const Json cfg = Json::parse(store.configJson, nullptr, false);
    if (cfg.is_discarded() || !cfg.is_object())
        return fail(ErrorCode::FormatError, what + ": config.json is not a JSON object");
    auto field = [&](const std::string &f) { return what + ": config field '" + f + "'"; };
    auto integer = [&](const char *f, std::optional<std::int64_t> fallback = std::nullopt) {
        if (!cfg.contains(f) || cfg[f].is_null()) {
            if (fallback)
                return *fallback;
            detail::raise(ErrorCode::FormatError, field(f) + " is missing");
        }
        if (!cfg[f].is_number_integer() || cfg[f].get<std::int64_t>() < 1 ||
            cfg[f].get<std::int64_t>() > (std::int64_t(1) << 24))
            detail::raise(ErrorCode::FormatError,
                          field(f) + " is " + cfg[f].dump() + ", expected a positive integer");
        return cfg[f].get<std::int64_t>();
    };
    auto number = [&](const char *f, double fallback) {
        if (!cfg.contains(f) || cfg[f].is_null())
            return fallback;
        if (!cfg[f].is_number() || !std::isfinite(cfg[f].get<double>()) ||
            cfg[f].get<double>() <= 0)
            detail::raise(ErrorCode::FormatError,
                          field(f) + " is " + cfg[f].dump() + ", expected a positive number");
        return cfg[f].get<double>();
    };
    const std::string modelType = cfg.value("model_type", std::string());
    if (modelType != "llama" && modelType != "mistral" && modelType != "qwen2")
        return fail(ErrorCode::Unsupported,
                    what + " is a '" + modelType.substr(0, 40) +
                        "' model; terse export writes Llama-family causal LMs (llama, mistral, "
                        "qwen2)");
    if (store.has("score.weight") || store.has("classifier.weight"))
        return fail(ErrorCode::Unsupported,
                    what + " is a token classifier (it has a score head); a GGUF holds causal LMs");
    const std::int64_t hidden = integer("hidden_size"), layers = integer("num_hidden_layers"),
                       heads = integer("num_attention_heads"),
                       kvHeads = integer("num_key_value_heads", heads),
                       inter = integer("intermediate_size"),
                       positions = integer("max_position_embeddings", 2048);
    if (hidden % heads != 0 || heads % kvHeads != 0 || (hidden / heads) % 2 != 0)
        return fail(ErrorCode::FormatError, what + ": hidden_size " + std::to_string(hidden) +
                                                " does not split into " + std::to_string(heads) +
                                                " heads of an even size over " +
                                                std::to_string(kvHeads) + " key/value heads");
    const std::int64_t headDim = hidden / heads;
    if (cfg.contains("head_dim") && !cfg["head_dim"].is_null() && integer("head_dim") != headDim)
        return fail(ErrorCode::Unsupported, field("head_dim") + " is " + cfg["head_dim"].dump() +
                                                ", not hidden_size / num_attention_heads (" +
                                                std::to_string(headDim) + ")");
    if (modelType == "mistral" && cfg.contains("sliding_window") &&
        !cfg["sliding_window"].is_null() && integer("sliding_window") < positions)
        return fail(ErrorCode::Unsupported,
                    field("sliding_window") + " is " + cfg["sliding_window"].dump() +
                        ", shorter than the context: a llama GGUF has no sliding window");
    const double eps = number("rms_norm_eps", 1e-6), theta = number("rope_theta", 10000.0);
    const bool tied = cfg.value("tie_word_embeddings", !store.has("lm_head.weight"));
    const torch::Tensor &embed = store.get("model.embed_tokens.weight");
    const std::int64_t vocab = embed.dim() == 2 ? embed.size(0) : 0;

    // The tensors in llama.cpp's names, each checked against the config's shape.
    const std::string arch = modelType == "qwen2" ? "qwen2" : "llama";
    std::vector<Planned> plan;
    std::set<std::string> used;
    auto take = [&](const std::string &hf, const std::string &name, std::vector<std::int64_t> shape,
                    std::int64_t permuteHeads = 0) {
        const torch::Tensor &t = store.get(hf); // a FormatError naming it when absent
        used.insert(hf);
        if (t.sizes() != c10::IntArrayRef(shape))
            detail::raise(ErrorCode::FormatError, what + ": tensor '" + hf + "' is " +
                                                      shapeText(t.sizes()) +
                                                      ", its config implies " + shapeText(shape));
        plan.push_back(Planned{name, hf, t, permuteHeads});
    };
    auto optionalBias = [&](const std::string &hf, const std::string &name, std::int64_t rows,
                            std::int64_t permuteHeads) {
        if (store.has(hf))
            take(hf, name, {rows}, permuteHeads);
    };
    take("model.embed_tokens.weight", "token_embd.weight", {vocab, hidden});
    const bool interleave = arch == "llama"; // qwen2 keeps HF's rotate-half order (NEOX rope)
    for (std::int64_t l = 0; l < layers; ++l) {
        const std::string hf = "model.layers." + std::to_string(l) + ".",
                          g = "blk." + std::to_string(l) + ".";
        take(hf + "input_layernorm.weight", g + "attn_norm.weight", {hidden});
        take(hf + "self_attn.q_proj.weight", g + "attn_q.weight", {hidden, hidden},
             interleave ? heads : 0);
        take(hf + "self_attn.k_proj.weight", g + "attn_k.weight", {kvHeads * headDim, hidden},
             interleave ? kvHeads : 0);
        take(hf + "self_attn.v_proj.weight", g + "attn_v.weight", {kvHeads * headDim, hidden});
        optionalBias(hf + "self_attn.q_proj.bias", g + "attn_q.bias", hidden,
                     interleave ? heads : 0);
        optionalBias(hf + "self_attn.k_proj.bias", g + "attn_k.bias", kvHeads * headDim,
                     interleave ? kvHeads : 0);
        optionalBias(hf + "self_attn.v_proj.bias", g + "attn_v.bias", kvHeads * headDim, 0);
        take(hf + "self_attn.o_proj.weight", g + "attn_output.weight", {hidden, hidden});
        take(hf + "post_attention_layernorm.weight", g + "ffn_norm.weight", {hidden});
        take(hf + "mlp.gate_proj.weight", g + "ffn_gate.weight", {inter, hidden});
        take(hf + "mlp.up_proj.weight", g + "ffn_up.weight", {inter, hidden});
        take(hf + "mlp.down_proj.weight", g + "ffn_down.weight", {hidden, inter});
    }
    take("model.norm.weight", "output_norm.weight", {hidden});
    // RoPE scaling (Llama 3.1's, linear) as llama.cpp stores it: the divisors of each frequency.
    if (store.has("rope_freqs.weight")) {
        take("rope_freqs.weight", "rope_freqs.weight", {headDim / 2});
    } else if (torch::Tensor f =
                   ropeScalingDivisors(store.configJson, static_cast<int>(headDim), o.model);
               f.defined()) {
        plan.push_back(Planned{"rope_freqs.weight", "rope_scaling", f.to(torch::kFloat32)});
    }
    if (!tied)
        take("lm_head.weight", "output.weight", {vocab, hidden});
    else if (store.has("lm_head.weight"))
        used.insert("lm_head.weight"); // a tied copy: the embedding is the output matrix
    for (const auto &name : store.names())
        if (!used.count(name) && name.find("rotary_emb.inv_freq") == std::string::npos)
            return fail(ErrorCode::Unsupported,
                        what + ": tensor '" + name + "' has no place in a " + arch + " GGUF");

    // The tokenizer, as GGUF keys.
    std::optional<text::GgufVocab> vocabKeys;
    if (o.withTokenizer) {
        const std::string tokPath =
            o.tokenizer.empty() ? Tokenizer::pathForModel(o.model) : o.tokenizer;
        vocabKeys = text::describeTokenizerForGguf(tokPath);
        if (static_cast<std::int64_t>(vocabKeys->tokens.size()) > vocab)
            return fail(ErrorCode::FormatError, "tokenizer '" + tokPath + "' has " +
                                                    std::to_string(vocabKeys->tokens.size()) +
                                                    " tokens, more than the model's " +
                                                    std::to_string(vocab) + " embedding rows");
        // Rows beyond the tokenizer (a padded embedding) are unused tokens "[PAD<id>]", as
        // convert_hf_to_gguf.py names them.
        for (auto i = static_cast<std::int64_t>(vocabKeys->tokens.size()); i < vocab; ++i) {
            vocabKeys->tokens.push_back("[PAD" + std::to_string(i) + "]");
            vocabKeys->types.push_back(text::kTokenUnused);
            if (!vocabKeys->scores.empty())
                vocabKeys->scores.push_back(-1000.0f);
        }
        auto id = [&](const char *f, std::int32_t &slot) {
            if (cfg.contains(f) && cfg[f].is_number_integer() && cfg[f].get<std::int64_t>() >= 0 &&
                cfg[f].get<std::int64_t>() < vocab)
                slot = cfg[f].get<std::int32_t>();
        };
        id("bos_token_id", vocabKeys->bos);
        id("eos_token_id", vocabKeys->eos);
        id("pad_token_id", vocabKeys->pad);
    }

    std::vector<Kv> kvs;
    std::string name = o.name;
    if (name.empty()) {
        const fs::path p = fs::path(o.model);
        name = fs::is_directory(p, ec) ? fs::weakly_canonical(p, ec).filename().string()
                                       : p.stem().string();
    }
    kvs.push_back(kvString("general.architecture", arch));
    kvs.push_back(kvString("general.name", name));
    kvs.push_back(kvU32("general.file_type", type->fileType));
    kvs.push_back(kvU32("general.quantization_version", 2));
    const std::string p = arch + ".";
    kvs.push_back(kvU32(p + "context_length", static_cast<std::uint32_t>(positions)));
    kvs.push_back(kvU32(p + "embedding_length", static_cast<std::uint32_t>(hidden)));
    kvs.push_back(kvU32(p + "block_count", static_cast<std::uint32_t>(layers)));
    kvs.push_back(kvU32(p + "feed_forward_length", static_cast<std::uint32_t>(inter)));
    kvs.push_back(kvU32(p + "rope.dimension_count", static_cast<std::uint32_t>(headDim)));
    kvs.push_back(kvU32(p + "attention.head_count", static_cast<std::uint32_t>(heads)));
    kvs.push_back(kvU32(p + "attention.head_count_kv", static_cast<std::uint32_t>(kvHeads)));
    kvs.push_back(kvF32(p + "attention.layer_norm_rms_epsilon", static_cast<float>(eps)));
    kvs.push_back(kvF32(p + "rope.freq_base", static_cast<float>(theta)));
    kvs.push_back(kvU32(p + "vocab_size", static_cast<std::uint32_t>(vocab)));
    if (vocabKeys) {
        const auto &v = *vocabKeys;
        kvs.push_back(kvString("tokenizer.ggml.model", v.model));
        if (v.model == "gpt2")
            kvs.push_back(kvString("tokenizer.ggml.pre", v.pre));
        kvs.push_back(kvStrings("tokenizer.ggml.tokens", v.tokens));
        if (v.model == "llama")
            kvs.push_back(kvArray("tokenizer.ggml.scores", kGgufF32, v.scores));
        kvs.push_back(kvArray("tokenizer.ggml.token_type", kGgufI32, v.types));
        if (v.model == "gpt2")
            kvs.push_back(kvStrings("tokenizer.ggml.merges", v.merges));
        const std::pair<const char *, std::int32_t> ids[] = {
            {"tokenizer.ggml.bos_token_id", v.bos},
            {"tokenizer.ggml.eos_token_id", v.eos},
            {"tokenizer.ggml.unknown_token_id", v.unk},
            {"tokenizer.ggml.padding_token_id", v.pad}};
        for (const auto &[key, value] : ids)
            if (value >= 0)
                kvs.push_back(kvU32(key, static_cast<std::uint32_t>(value)));
        kvs.push_back(kvBool("tokenizer.ggml.add_bos_token", v.addBos));
        if (v.model == "llama")
            kvs.push_back(kvBool("tokenizer.ggml.add_space_prefix", v.addSpacePrefix));
    }

    // Types and sizes: matrices take the chosen type (Q8_0 where rows split into 32-value
    // blocks, else F16), vectors stay F32 as llama.cpp keeps them.
    GgufExportReport report;
    constexpr std::uint64_t kAlignment = 32;
    std::uint64_t offset = 0;
    for (auto &pl : plan) {
        const std::int64_t n = pl.t.numel(), cols = pl.t.size(pl.t.dim() - 1);
        pl.type = pl.t.dim() == 1 ? gguf::kF32 : type->ggml;
        if (pl.type == gguf::kQ8_0 && cols % 32 != 0) {
            pl.type = gguf::kF16;
            report.notes.push_back("'" + pl.name + "' rows of " + std::to_string(cols) +
                                   " values do not split into Q8_0 blocks of 32: stored as F16");
        }
        pl.bytes = pl.type == gguf::kQ8_0  ? std::uint64_t(n) / 32 * 34
                   : pl.type == gguf::kF32 ? std::uint64_t(n) * 4
                                           : std::uint64_t(n) * 2;
        pl.offset = offset;
        offset = (offset + pl.bytes + kAlignment - 1) / kAlignment * kAlignment;
        report.parameters += n;
        ++report.tensorsByType[gguf::typeSpec(pl.type)->name];
    }

    // Written beside the target and renamed over it at the end: an interrupted or failed export
    // never leaves a half-written file under the name (nor replaces a good one).
    PartFile partFile{o.out + ".part"};
    const std::string &part = partFile.path;
    {
        std::ofstream f(part, std::ios::binary | std::ios::trunc);
        if (!f)
            return fail(ErrorCode::IoError, "cannot write '" + part + "'");
        Out out(f);
        out.put<std::uint32_t>(0x46554747u); // "GGUF"
        out.put<std::uint32_t>(3);
        out.put<std::uint64_t>(plan.size());
        out.put<std::uint64_t>(kvs.size());
        for (const auto &kv : kvs) {
            out.str(kv.key);
            out.put<std::uint32_t>(kv.type);
            kv.write(out);
        }
        for (const auto &pl : plan) {
            out.str(pl.name);
            out.put<std::uint32_t>(static_cast<std::uint32_t>(pl.t.dim()));
            for (std::int64_t d = pl.t.dim() - 1; d >= 0; --d) // ggml: ne[0] is the innermost axis
                out.put<std::uint64_t>(static_cast<std::uint64_t>(pl.t.size(d)));
            out.put<std::uint32_t>(pl.type);
            out.put<std::uint64_t>(pl.offset);
        }
        out.pad(kAlignment);
        std::vector<std::uint8_t> q;
        for (const auto &pl : plan) {
            torch::Tensor x = pl.t.to(torch::kFloat32).contiguous();
            if (!allFinite(x))
                return fail(ErrorCode::FormatError,
                            what + ": tensor '" + pl.source + "' holds NaN or infinite values");
            if (pl.permuteHeads > 0)
                x = permuteRope(x, pl.permuteHeads);
            if (pl.type == gguf::kQ8_0) {
                quantiseQ8_0(x.data_ptr<float>(), x.numel(), q);
                out.bytes(q.data(), q.size());
            } else {
                const torch::Tensor c = pl.type == gguf::kF32   ? x
                                        : pl.type == gguf::kF16 ? x.to(torch::kFloat16)
                                                                : x.to(torch::kBFloat16);
                if (pl.type == gguf::kF16 && !allFinite(c))
                    return fail(ErrorCode::InvalidArgument,
                                "tensor '" + pl.source +
                                    "' holds values beyond F16's range (65504): export as bf16 "
                                    "or q8_0");
                out.bytes(c.data_ptr(), pl.bytes);
            }
            out.pad(kAlignment);
            if (!f)
                return fail(ErrorCode::IoError, "writing '" + part + "' failed (disk full?)");
        }
        f.flush();
        if (!f) {
            return fail(ErrorCode::IoError, "writing '" + part + "' failed (disk full?)");
        }
        report.bytes = out.written();
    }
    fs::rename(part, o.out, ec);
    if (ec)
        return fail(ErrorCode::IoError, "cannot rename '" + part + "' to '" + o.out + "'");
    partFile.done = true;
    report.out = o.out;
    report.architecture = arch;
    report.tensors = static_cast<int>(plan.size());
    if (vocabKeys) {
        report.tokenizerModel = vocabKeys->model;
        report.tokenizerPre = vocabKeys->pre;
    }
    report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return report;
}

} // namespace

Result<GgufExportReport> exportGguf(const GgufExportOptions &o)
{
    static const detail::GuardWords words{"export", ErrorCode::ModelError,
                                          "out of memory while exporting the model"};
    return detail::guard(
        words, [&] { return exportImpl(o); },
        [&](const std::exception &e) -> std::optional<Error> {
            if (dynamic_cast<const nlohmann::json::exception *>(&e))
                return Error{ErrorCode::FormatError, "model '" + o.model + "': " + e.what()};
            if (const auto *c = dynamic_cast<const c10::Error *>(&e))
                return Error{ErrorCode::FormatError,
                             "model '" + o.model + "': " + c->what_without_backtrace()};
            return std::nullopt;
        });
}

} // namespace terse
