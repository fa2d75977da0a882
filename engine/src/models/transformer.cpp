// The architectures: every layer is built from the WeightStore plus a scope string.
#include "models/transformer.h"

#include "core/threads.h"
#include "models/attention_kernel.h"
#include "models/pointwise_kernel.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>
#include <torch/version.h>

#include <atomic>
#include <cmath>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

namespace terse {

using torch::Tensor;
namespace F = torch::nn::functional;

Tensor Linear::operator()(const Tensor &x) const
{
    return b.defined() ? torch::linear(x, w, b) : torch::linear(x, w);
}

namespace {

// The pointwise kernels (models/pointwise_kernel.h) serve inference on the CPU in fp32 and bf16:
// no gradient to record, every tensor of one of those dtypes.
bool pointwiseKernel(std::initializer_list<const Tensor *> ts)
{
    const bool grad = torch::GradMode::is_enabled();
    const auto dt = (*ts.begin())->scalar_type();
    for (const Tensor *t : ts)
        if (!t->device().is_cpu() || t->scalar_type() != dt || (grad && t->requires_grad()))
            return false;
    return dt == torch::kFloat32 || dt == torch::kBFloat16;
}

template <typename T> T *raw(const Tensor &t)
{
    return reinterpret_cast<T *>(t.data_ptr());
}

// Rows per parallel chunk: about 32k elements.
int64_t grainRows(int64_t width)
{
    return std::max<int64_t>(1, (int64_t{1} << 15) / std::max<int64_t>(1, width));
}

} // namespace

Tensor Norm::operator()(const Tensor &x) const
{
    if (!rms)
        return torch::layer_norm(x, {x.size(-1)}, w, b, eps);
    const int64_t dim = x.size(-1);
    if (pointwiseKernel({&x, &w}) && x.is_contiguous() && w.is_contiguous() && w.numel() == dim) {
        // One pass per row (detail::rmsNormRows) instead of cast, square, mean, rsqrt, two products
        // and a cast back.
        Tensor y = torch::empty_like(x, torch::MemoryFormat::Contiguous);
        const int64_t rows = x.numel() / std::max<int64_t>(1, dim);
        const float e = static_cast<float>(eps);
        const bool bf16 = x.scalar_type() == torch::kBFloat16;
        at::parallel_for(0, rows, grainRows(dim), [&](int64_t begin, int64_t end) {
            if (bf16)
                detail::rmsNormRows(raw<const std::uint16_t>(x), dim, raw<const std::uint16_t>(w),
                                    raw<std::uint16_t>(y), dim, e, begin, end);
            else
                detail::rmsNormRows(raw<const float>(x), dim, raw<const float>(w), raw<float>(y),
                                    dim, e, begin, end);
        });
        return y;
    }
    // fp32 at least (a float64 network stays float64: the trainers' gradient checks).
    auto h = x.scalar_type() == torch::kFloat64 ? x : x.to(torch::kFloat32);
    h = h * torch::rsqrt(h.pow(2).mean(-1, true) + eps);
    return w * h.to(x.scalar_type());
}

namespace {

using nlohmann::json;

// config.json is read strictly (issue 17): a field that is present must have the type the
// architecture needs, within range; only a missing field takes the default. The file named in
// messages is set by build().
thread_local std::string g_configSource;

[[noreturn]] void badField(const char *key, const json &v, const std::string &expected)
{
    std::string shown = v.dump(-1, ' ', false, json::error_handler_t::replace);
    if (shown.size() > 60)
        shown = shown.substr(0, 57) + "...";
    const bool gguf = g_configSource.size() > 5 &&
                      g_configSource.compare(g_configSource.size() - 5, 5, ".gguf") == 0;
    throwWeightError(ErrorCode::FormatError,
                     (gguf ? "the GGUF metadata (as config.json) of '" : "config.json of '") +
                         g_configSource + "': field '" + key + "' must be " + expected + ", got " +
                         shown);
}

// Fields HF configs legitimately set to null (the default applies) or to a list (the first id).
bool nullable(const char *key)
{
    const std::string k = key;
    return k == "n_inner" || k == "sliding_window" || k == "bos_token_id" || k == "eos_token_id" ||
           k == "pad_token_id" || k == "max_window_layers" || k == "head_dim";
}

int intOr(const json &c, const char *key, int fallback)
{
    auto it = c.find(key);
    if (it == c.end() || (it->is_null() && nullable(key)))
        return fallback;
    const json *v = &*it;
    if (v->is_array() && !v->empty() && std::string(key).find("token_id") != std::string::npos)
        v = &(*v)[0];
    if (v->is_number_integer() ||
        (v->is_number_float() && std::floor(v->get<double>()) == v->get<double>())) {
        const double d = v->get<double>();
        if (d >= -2147483648.0 && d <= 2147483647.0)
            return static_cast<int>(v->is_number_integer() ? v->get<long long>()
                                                           : static_cast<long long>(d));
        badField(key, *it, "an integer that fits in 32 bits");
    }
    badField(key, *it, "an integer");
}

double numOr(const json &c, const char *key, double fallback)
{
    auto it = c.find(key);
    if (it == c.end() || it->is_null())
        return fallback;
    if (!it->is_number() || !std::isfinite(it->get<double>()))
        badField(key, *it, "a finite number");
    return it->get<double>();
}

bool boolOr(const json &c, const char *key, bool fallback)
{
    auto it = c.find(key);
    if (it == c.end() || it->is_null())
        return fallback;
    if (!it->is_boolean())
        badField(key, *it, "true or false");
    return it->get<bool>();
}

std::string strOr(const json &c, const char *key, const std::string &fallback)
{
    auto it = c.find(key);
    if (it == c.end() || it->is_null())
        return fallback;
    if (!it->is_string())
        badField(key, *it, "a string");
    return it->get<std::string>();
}

// Documented limits of a dimension (README, Models): far above any released model, low enough that
// tensor sizes cannot overflow.
void checkDim(const char *what, long long v, long long hi)
{
    if (v <= 0 || v > hi)
        throwWeightError(ErrorCode::FormatError, "config.json of '" + g_configSource +
                                                     "': " + what + " is " + std::to_string(v) +
                                                     "; expected 1 to " + std::to_string(hi));
}

// Builds layers from a store with dtype/device conversion and shape checks that name the tensor.
class Builder {
public:
    Builder(WeightStore &s, torch::ScalarType dtype, torch::Device device)
        : m_s(s), m_dtype(dtype), m_device(device)
    {
    }

    Tensor get(const std::string &name, std::vector<int64_t> shape)
    {
        return convert(name, m_s.get(name), shape);
    }
    Tensor opt(const std::string &name, std::vector<int64_t> shape)
    {
        Tensor t = m_s.find(name);
        return t.defined() ? convert(name, t, shape) : Tensor();
    }
    Linear linear(const std::string &scope, int64_t out, int64_t in)
    {
        Linear l{get(scope + ".weight", {out, in}), opt(scope + ".bias", {out})};
        const Tensor bias = m_s.find(scope + ".bias");
        l.owned = l.w.data_ptr() != m_s.get(scope + ".weight").data_ptr() &&
                  (!bias.defined() || l.b.data_ptr() != bias.data_ptr());
        return l;
    }
    Norm layerNorm(const std::string &scope, int64_t dim, double eps)
    {
        return {get(scope + ".weight", {dim}), get(scope + ".bias", {dim}), eps, false};
    }
    Norm rmsNorm(const std::string &scope, int64_t dim, double eps)
    {
        return {get(scope + ".weight", {dim}), Tensor(), eps, true};
    }
    // Converts an already-derived tensor (split / transposed) without a shape check.
    Tensor place(const Tensor &t)
    {
        m_params += t.numel();
        return t.to(m_device, m_dtype).contiguous();
    }
    // A tensor in the file's layout, shape-checked: no copy when dtype and device already match
    // (the mapped file is used in place; peak memory stays near the weights' size).
    Tensor asStored(const std::string &name, std::vector<int64_t> shape)
    {
        const Tensor &t = m_s.get(name);
        check(name, t, shape);
        m_params += t.numel();
        return t.to(m_device, m_dtype);
    }
    long long params() const { return m_params; }

private:
    Tensor convert(const std::string &name, const Tensor &t, const std::vector<int64_t> &shape)
    {
        check(name, t, shape);
        return place(t);
    }
    void check(const std::string &name, const Tensor &t, const std::vector<int64_t> &shape)
    {
        if (!shape.empty() && t.sizes().vec() != shape)
            throwWeightError(ErrorCode::FormatError, "'" + m_s.source + "': tensor '" + name +
                                                         "' has shape " + shapeText(t.sizes()) +
                                                         ", expected " + shapeText(shape) +
                                                         " from config.json");
        // A cheap check on load (issue 17): weights that are not finite would score every token
        // NaN.
        if (t.is_floating_point() && t.numel() > 0 && !allFinite(t))
            throwWeightError(ErrorCode::FormatError, "'" + m_s.source + "': tensor '" + name +
                                                         "' holds NaN or infinite values");
    }

    WeightStore &m_s;
    torch::ScalarType m_dtype;
    torch::Device m_device;
    long long m_params = 0;
};

// HF _compute_default_rope_parameters plus the "linear" and "llama3" rope_scaling variants.
Tensor ropeInvFreq(const json &c, int dim, const std::string &source)
{
    const double base = numOr(c, "rope_theta", numOr(c, "rotary_emb_base", 10000.0));
    Tensor invFreq =
        1.0 / torch::pow(base, torch::arange(0, dim, 2, torch::kInt64).to(torch::kFloat32) / dim);
    if (!c.contains("rope_scaling") || c["rope_scaling"].is_null())
        return invFreq;
    const json &rs = c["rope_scaling"];
    const std::string type = strOr(rs, "rope_type", strOr(rs, "type", "default"));
    const double factor = numOr(rs, "factor", 1.0);
    if (type == "default")
        return invFreq;
    if (type == "linear")
        return invFreq / factor;
    if (type == "llama3") {
        const double low = numOr(rs, "low_freq_factor", 1.0),
                     high = numOr(rs, "high_freq_factor", 4.0);
        const double oldContext = numOr(rs, "original_max_position_embeddings", 8192);
        const double lowWavelen = oldContext / low, highWavelen = oldContext / high;
        Tensor wavelen = 2 * M_PI / invFreq;
        Tensor llama = torch::where(wavelen > lowWavelen, invFreq / factor, invFreq);
        Tensor smooth = (oldContext / wavelen - low) / (high - low);
        Tensor smoothed = (1 - smooth) * llama / factor + smooth * llama;
        Tensor medium = (wavelen >= highWavelen).logical_and(wavelen <= lowWavelen);
        return torch::where(medium, smoothed, llama);
    }
    throwWeightError(ErrorCode::Unsupported,
                     "'" + source + "': rope_scaling type '" + type +
                         "' is not supported (default, linear, llama3 are)");
}

Tensor rotateHalf(const Tensor &x)
{
    const int64_t half = x.size(-1) / 2;
    return torch::cat({-x.narrow(-1, half, half), x.narrow(-1, 0, half)}, -1);
}

// f(t) for every task t in [0, n) on libtorch's threads, each thread taking the next task from a
// shared counter until none is left (at::parallel_for's fixed equal ranges left a thread that ran
// faster, or was not slowed by another process, waiting for the other). Every task runs once
// whatever the number of threads or calls.
template <class F> void parallelTasks(int64_t n, const F &f)
{
    std::atomic<int64_t> next{0};
    at::parallel_for(0, n, 1, [&](int64_t, int64_t) {
        for (int64_t t; (t = next.fetch_add(1, std::memory_order_relaxed)) < n;)
            f(t);
    });
}

// Applies RoPE to the first cos.size(-1) dims of x [B, h, T, d] (partial rotary for GPT-NeoX).
Tensor applyRope(const Tensor &x, const Tensor &cos, const Tensor &sin)
{
    const int64_t rd = cos.size(-1);
    const int64_t B = x.size(0), H = x.size(1), T = x.size(2), hd = x.size(3);
    // x is a projection's [B, T, h, d] rows seen as [B, h, T, d]: heads adjacent within a token,
    // tokens evenly spaced (a fused q|k|v projection spaces them wider). One pass per head row
    // (detail::Rope) instead of torch's five ops.
    if (pointwiseKernel({&x, &cos, &sin}) && x.stride(3) == 1 && x.stride(1) == hd &&
        x.stride(0) == T * x.stride(2) && cos.is_contiguous() && sin.is_contiguous() &&
        cos.size(0) == B && cos.size(2) == T && rd % 2 == 0 && rd <= hd) {
        Tensor y = torch::empty({B, T, H, hd}, x.options());
        detail::Rope rope;
        rope.heads = H, rope.headDim = hd, rope.rotaryDim = rd, rope.tokenStride = x.stride(2);
        const bool bf16 = x.scalar_type() == torch::kBFloat16;
        if (bf16)
            rope.cosb = raw<const std::uint16_t>(cos), rope.sinb = raw<const std::uint16_t>(sin);
        else
            rope.cos = raw<const float>(cos), rope.sin = raw<const float>(sin);
        at::parallel_for(0, B * T * H, grainRows(hd), [&](int64_t begin, int64_t end) {
            if (bf16)
                rope.run(raw<const std::uint16_t>(x), raw<std::uint16_t>(y), begin, end);
            else
                rope.run(raw<const float>(x), raw<float>(y), begin, end);
        });
        return y.transpose(1, 2);
    }
    if (rd == x.size(-1))
        return x * cos + rotateHalf(x) * sin;
    Tensor rot = x.narrow(-1, 0, rd);
    Tensor pass = x.narrow(-1, rd, x.size(-1) - rd);
    return torch::cat({rot * cos + rotateHalf(rot) * sin, pass}, -1);
}

} // namespace

Tensor ropeScalingDivisors(const std::string &configJson, int dim, const std::string &source)
{
    json c = json::parse(configJson);
    if (!c.contains("rope_scaling") || c["rope_scaling"].is_null())
        return {};
    const Tensor scaled = ropeInvFreq(c, dim, source);
    c.erase("rope_scaling");
    return ropeInvFreq(c, dim, source) / scaled;
}

std::shared_ptr<Transformer> Transformer::build(WeightStore &store, torch::ScalarType dtype,
                                                torch::Device device)
{
    if (store.configJson.empty())
        throwWeightError(ErrorCode::NotFound,
                         "'" + store.source + "' has no config.json beside the weights");
    json c = json::parse(store.configJson, nullptr, false);
    if (!c.is_object())
        throwWeightError(ErrorCode::FormatError,
                         "config.json of '" + store.source + "' is not a JSON object");
    g_configSource = store.source;
    auto t = std::make_shared<Transformer>();
    t->dtype = dtype;
    t->device = device;
    ArchConfig &a = t->cfg;
    a.modelType = strOr(c, "model_type", "");
    const std::string &mt = a.modelType;
    if (mt == "gpt2")
        a.arch = Arch::Gpt2;
    else if (mt == "llama" || mt == "mistral" || mt == "qwen2")
        a.arch = Arch::Llama;
    else if (mt == "gpt_neox")
        a.arch = Arch::NeoX;
    else if (mt == "bert" || mt == "xlm-roberta" || mt == "roberta")
        a.arch = Arch::Bert;
    else
        throwWeightError(ErrorCode::Unsupported,
                         "'" + store.source + "': model_type '" + mt +
                             "' is not supported (gpt2, llama, mistral, qwen2, gpt_neox, "
                             "bert, xlm-roberta, roberta are)");
    const bool gpt2 = a.arch == Arch::Gpt2;
    a.hidden = gpt2 ? intOr(c, "n_embd", 768) : intOr(c, "hidden_size", 0);
    a.layers = gpt2 ? intOr(c, "n_layer", 12) : intOr(c, "num_hidden_layers", 0);
    a.heads = gpt2 ? intOr(c, "n_head", 12) : intOr(c, "num_attention_heads", 0);
    a.kvHeads = intOr(c, "num_key_value_heads", a.heads);
    a.vocab = intOr(c, "vocab_size", 0);
    a.maxPositions =
        gpt2 ? intOr(c, "n_positions", 1024) : intOr(c, "max_position_embeddings", 2048);
    a.bosId = intOr(c, "bos_token_id", -1);
    a.eosId = intOr(c, "eos_token_id", -1);
    a.padId = intOr(c, "pad_token_id", -1);
    if (a.hidden <= 0 || a.layers <= 0 || a.heads <= 0 || a.kvHeads <= 0 ||
        a.hidden % a.heads != 0 || a.heads % a.kvHeads != 0)
        throwWeightError(ErrorCode::FormatError,
                         "config.json of '" + store.source +
                             "': hidden size / layers / heads are missing or inconsistent");
    a.headDim = intOr(c, "head_dim", a.hidden / a.heads);
    a.intermediate =
        gpt2 ? intOr(c, "n_inner", 4 * a.hidden) : intOr(c, "intermediate_size", 4 * a.hidden);
    checkDim("the hidden size", a.hidden, 1 << 16);
    checkDim("the number of layers", a.layers, 1024);
    checkDim("the number of attention heads", a.heads, 1024);
    checkDim("the head dimension (head_dim)", a.headDim, 4096);
    checkDim("the intermediate size", a.intermediate, 1 << 20);
    checkDim("the context length (max_position_embeddings / n_positions)", a.maxPositions, 1 << 24);
    if (a.vocab != 0)
        checkDim("the vocabulary size (vocab_size)", a.vocab, 1 << 22);
    const std::string act =
        gpt2 ? strOr(c, "activation_function", "gelu_new") : strOr(c, "hidden_act", "gelu");
    if (act == "silu" || act == "swish")
        a.activation = "silu";
    else if (act == "gelu")
        a.activation = "gelu";
    else if (act == "gelu_new" || act == "gelu_pytorch_tanh" || act == "gelu_fast")
        a.activation = "gelu_tanh";
    else if (act == "relu")
        a.activation = "relu";
    else
        throwWeightError(ErrorCode::Unsupported,
                         "config.json of '" + store.source + "': field '" +
                             (gpt2 ? "activation_function" : "hidden_act") + "' is '" + act +
                             "'; supported: silu, swish, gelu, gelu_new, gelu_pytorch_tanh, "
                             "gelu_fast, relu");

    Builder b(store, dtype, device);
    const int H = a.hidden, I = a.intermediate, hd = a.headDim;
    const int qOut = a.heads * hd, kvOut = a.kvHeads * hd;
    if (a.vocab <= 0) {
        const char *embName = gpt2                   ? "transformer.wte.weight"
                              : a.arch == Arch::NeoX ? "gpt_neox.embed_in.weight"
                                                     : "model.embed_tokens.weight";
        if (store.has(embName))
            a.vocab = static_cast<int>(store.get(embName).size(0));
    }
    t->m_blocks.resize(a.layers);
    if (a.arch == Arch::Gpt2) {
        const double eps = numOr(c, "layer_norm_epsilon", 1e-5);
        t->m_embed = b.get("transformer.wte.weight", {a.vocab, H});
        t->m_posEmbed = b.get("transformer.wpe.weight", {});
        a.maxPositions = static_cast<int>(std::min<int64_t>(a.maxPositions, t->m_posEmbed.size(0)));
        for (int l = 0; l < a.layers; ++l) {
            const std::string s = "transformer.h." + std::to_string(l);
            Block &blk = t->m_blocks[l];
            blk.norm1 = b.layerNorm(s + ".ln_1", H, eps);
            blk.norm2 = b.layerNorm(s + ".ln_2", H, eps);
            // Conv1D stores [in, out]: used as a transposed view of nn.Linear's [out, in] (no
            // copy); c_attn is q|k|v along out, one fused matmul split after.
            const auto conv = [&](const std::string &name, int64_t in, int64_t out) {
                return Linear{b.asStored(name + ".weight", {in, out}).t(),
                              b.get(name + ".bias", {out})};
            };
            blk.qkv = conv(s + ".attn.c_attn", H, 3 * H);
            blk.o = conv(s + ".attn.c_proj", H, H);
            blk.up = conv(s + ".mlp.c_fc", H, I);
            blk.down = conv(s + ".mlp.c_proj", I, H);
        }
        t->m_finalNorm = b.layerNorm("transformer.ln_f", H, eps);
        if (!store.has("lm_head.weight") && c.contains("tie_word_embeddings") &&
            !boolOr(c, "tie_word_embeddings", true))
            throwWeightError(ErrorCode::FormatError, "'" + store.source +
                                                         "': tie_word_embeddings is false but the "
                                                         "weights have no 'lm_head.weight'");
        t->m_head =
            store.has("lm_head.weight") ? b.get("lm_head.weight", {a.vocab, H}) : t->m_embed;
    } else if (a.arch == Arch::Llama) {
        const double eps = numOr(c, "rms_norm_eps", 1e-6);
        a.rotaryDim = hd;
        t->m_embed = b.get("model.embed_tokens.weight", {a.vocab, H});
        int window = 0;
        int windowFromLayer = 0;
        if (mt == "mistral") {
            window = intOr(c, "sliding_window", 0);
        } else if (mt == "qwen2" && boolOr(c, "use_sliding_window", false)) {
            // HF Qwen2: the window applies to layers >= max_window_layers.
            window = intOr(c, "sliding_window", 0);
            windowFromLayer = intOr(c, "max_window_layers", 0);
        }
        for (int l = 0; l < a.layers; ++l) {
            const std::string s = "model.layers." + std::to_string(l);
            Block &blk = t->m_blocks[l];
            blk.norm1 = b.rmsNorm(s + ".input_layernorm", H, eps);
            blk.norm2 = b.rmsNorm(s + ".post_attention_layernorm", H, eps);
            blk.q = b.linear(s + ".self_attn.q_proj", qOut, H);
            blk.k = b.linear(s + ".self_attn.k_proj", kvOut, H);
            blk.v = b.linear(s + ".self_attn.v_proj", kvOut, H);
            blk.o = b.linear(s + ".self_attn.o_proj", H, qOut);
            blk.gate = b.linear(s + ".mlp.gate_proj", I, H);
            blk.up = b.linear(s + ".mlp.up_proj", I, H);
            blk.down = b.linear(s + ".mlp.down_proj", H, I);
            blk.slidingWindow = l >= windowFromLayer ? window : 0;
            a.slidingWindow = std::max(a.slidingWindow, blk.slidingWindow);
        }
        t->m_finalNorm = b.rmsNorm("model.norm", H, eps);
        if (store.has("score.weight")) {
            // LlamaForTokenClassification (HF: score = nn.Linear(hidden, num_labels), causal).
            // Terse reads "is_causal": false as bidirectional attention (its tagger trained from
            // terse-lm, LLM2Vec style); HF transformers ignores the field.
            a.numLabels = static_cast<int>(store.get("score.weight").size(0));
            checkDim("the number of labels (score.weight rows)", a.numLabels, 1 << 16);
            t->m_head = b.get("score.weight", {a.numLabels, H});
            t->m_headBias = b.opt("score.bias", {a.numLabels});
            a.causal = boolOr(c, "is_causal", true);
        } else if (!store.has("lm_head.weight") && c.contains("tie_word_embeddings") &&
                   !boolOr(c, "tie_word_embeddings", true))
            throwWeightError(ErrorCode::FormatError, "'" + store.source +
                                                         "': tie_word_embeddings is false but the "
                                                         "weights have no 'lm_head.weight'");
        if (a.numLabels == 0)
            t->m_head =
                store.has("lm_head.weight") ? b.get("lm_head.weight", {a.vocab, H}) : t->m_embed;
        t->m_invFreq = ropeInvFreq(c, hd, store.source);
        // GGUF llama3 files carry their rope scaling as per-frequency divisors.
        if (Tensor f = store.find("rope_freqs.weight");
            f.defined() && f.numel() == t->m_invFreq.numel())
            t->m_invFreq = t->m_invFreq / f.to(torch::kFloat32).reshape({-1});
    } else if (a.arch == Arch::NeoX) {
        const double eps = numOr(c, "layer_norm_eps", 1e-5);
        a.parallelResidual = boolOr(c, "use_parallel_residual", true);
        a.rotaryDim =
            static_cast<int>(hd * numOr(c, "rotary_pct", numOr(c, "partial_rotary_factor", 0.25)));
        t->m_embed = b.get("gpt_neox.embed_in.weight", {a.vocab, H});
        for (int l = 0; l < a.layers; ++l) {
            const std::string s = "gpt_neox.layers." + std::to_string(l);
            Block &blk = t->m_blocks[l];
            blk.norm1 = b.layerNorm(s + ".input_layernorm", H, eps);
            blk.norm2 = b.layerNorm(s + ".post_attention_layernorm", H, eps);
            // query_key_value is laid out per head: [h0: q k v][h1: q k v]...; kept fused, split
            // after the matmul.
            const std::string qkv = s + ".attention.query_key_value";
            blk.qkv = {b.asStored(qkv + ".weight", {3 * H, H}), b.asStored(qkv + ".bias", {3 * H})};
            blk.o = b.linear(s + ".attention.dense", H, H);
            blk.up = b.linear(s + ".mlp.dense_h_to_4h", I, H);
            blk.down = b.linear(s + ".mlp.dense_4h_to_h", H, I);
        }
        t->m_finalNorm = b.layerNorm("gpt_neox.final_layer_norm", H, eps);
        if (!store.has("embed_out.weight") && c.contains("tie_word_embeddings") &&
            !boolOr(c, "tie_word_embeddings", true))
            throwWeightError(ErrorCode::FormatError, "'" + store.source +
                                                         "': tie_word_embeddings is false but the "
                                                         "weights have no 'embed_out.weight'");
        t->m_head =
            store.has("embed_out.weight") ? b.get("embed_out.weight", {a.vocab, H}) : t->m_embed;
        t->m_invFreq = ropeInvFreq(c, a.rotaryDim, store.source);
    } else {
        const double eps = numOr(c, "layer_norm_eps", 1e-12);
        a.causal = false;
        a.xlmrPositions = mt != "bert";
        const std::string root = store.has("bert.embeddings.word_embeddings.weight") ? "bert"
                                 : store.has("roberta.embeddings.word_embeddings.weight")
                                     ? "roberta"
                                     : (a.xlmrPositions ? "roberta" : "bert");
        t->m_embed = b.get(root + ".embeddings.word_embeddings.weight", {a.vocab, H});
        t->m_posEmbed = b.get(root + ".embeddings.position_embeddings.weight", {});
        t->m_typeEmbed = b.opt(root + ".embeddings.token_type_embeddings.weight", {});
        t->m_embedNorm = b.layerNorm(root + ".embeddings.LayerNorm", H, eps);
        a.maxPositions = static_cast<int>(t->m_posEmbed.size(0));
        if (a.xlmrPositions) {
            if (a.padId < 0)
                a.padId = 1;
            a.maxPositions -= a.padId + 1; // positions start at pad + 1
        }
        for (int l = 0; l < a.layers; ++l) {
            const std::string s = root + ".encoder.layer." + std::to_string(l);
            Block &blk = t->m_blocks[l];
            blk.q = b.linear(s + ".attention.self.query", H, H);
            blk.k = b.linear(s + ".attention.self.key", H, H);
            blk.v = b.linear(s + ".attention.self.value", H, H);
            blk.o = b.linear(s + ".attention.output.dense", H, H);
            blk.norm1 = b.layerNorm(s + ".attention.output.LayerNorm", H, eps);
            blk.up = b.linear(s + ".intermediate.dense", I, H);
            blk.down = b.linear(s + ".output.dense", H, I);
            blk.norm2 = b.layerNorm(s + ".output.LayerNorm", H, eps);
        }
        const Tensor &cls = store.get("classifier.weight");
        a.numLabels = static_cast<int>(cls.size(0));
        t->m_head = b.get("classifier.weight", {a.numLabels, H});
        t->m_headBias = b.opt("classifier.bias", {a.numLabels});
    }
    if (t->m_invFreq.defined())
        t->m_invFreq = t->m_invFreq.to(device);
    t->parameters = b.params();
    return t;
}

Tensor Transformer::drop(const Tensor &x) const
{
    return training && dropout > 0 ? torch::dropout(x, dropout, true) : x;
}

void Transformer::fuseProjections()
{
    if (training)
        return;
    const auto joined = [](std::initializer_list<const Linear *> parts) {
        std::vector<Tensor> ws, bs;
        for (const Linear *l : parts) {
            if (!l->w.defined() || !l->owned || l->b.defined() != parts.begin()[0]->b.defined())
                return Linear{};
            ws.push_back(l->w);
            if (l->b.defined())
                bs.push_back(l->b);
        }
        Linear f{torch::cat(ws, 0), bs.empty() ? Tensor() : torch::cat(bs, 0)};
        f.owned = true;
        return f;
    };
    for (Block &b : m_blocks) {
        if (!b.qkv.w.defined() && b.q.w.defined()) {
            Linear f = joined({&b.q, &b.k, &b.v});
            if (f.w.defined())
                b.qkv = std::move(f), b.q = b.k = b.v = Linear{};
        }
        if (b.gate.w.defined()) {
            Linear f = joined({&b.gate, &b.up});
            if (f.w.defined())
                b.gateUp = std::move(f), b.gate = b.up = Linear{};
        }
    }
}

Tensor Transformer::mlp(const Block &b, const Tensor &x) const
{
    // Gated: gate and up from their own matmuls, or as the halves of one (fuseProjections).
    Tensor g, u;
    bool dense = false; // both [rows, I] with rows evenly spaced, unit stride within a row
    if (b.gateUp.w.defined()) {
        const Tensor h = b.gateUp(x); // [.., 2I]: gate | up
        const int64_t I = h.size(-1) / 2;
        g = h.narrow(-1, 0, I), u = h.narrow(-1, I, I);
        dense = h.is_contiguous();
    } else if (b.gate.w.defined()) {
        g = b.gate(x), u = b.up(x);
        dense = g.is_contiguous() && u.is_contiguous() && g.sizes() == u.sizes();
    }
    if (g.defined()) {
        if (!dense || !pointwiseKernel({&g, &u}))
            return b.down(torch::silu(g) * u);
        // silu(g) * u in one pass per row (detail::siluMul) instead of two ops, each with its own
        // result: in place into g when it is a tensor of its own, else into a new one.
        const int64_t I = g.size(-1);
        const Tensor gr = g.view({-1, I}), ur = u.view({-1, I});
        Tensor y = g.is_contiguous() ? g : torch::empty(g.sizes(), g.options());
        const int64_t in = gr.stride(0), rows = gr.size(0);
        const bool bf16 = g.scalar_type() == torch::kBFloat16;
        at::parallel_for(
            0, rows, std::max<int64_t>(1, (int64_t{1} << 15) / I), [&](int64_t begin, int64_t end) {
                for (int64_t r = begin; r < end; ++r) {
                    if (bf16)
                        detail::siluMul(raw<const std::uint16_t>(gr) + r * in,
                                        raw<const std::uint16_t>(ur) + r * in,
                                        raw<std::uint16_t>(y) + r * I, 0, I);
                    else
                        detail::siluMul(raw<const float>(gr) + r * in,
                                        raw<const float>(ur) + r * in, raw<float>(y) + r * I, 0, I);
                }
            });
        return b.down(y);
    }
    Tensor h = b.up(x);
    if (cfg.activation == "gelu")
        h = torch::gelu(h);
    else if (cfg.activation == "gelu_tanh")
        h = torch::gelu(h, "tanh");
    else if (cfg.activation == "relu")
        h = torch::relu(h);
    else
        h = torch::silu(h);
    return b.down(h);
}

// softmax(QK^T / sqrt(d) + mask) V by detail::FusedAttention: q [B, heads, T, hd], k and v [B,
// kvHeads, S, hd], keyHidden [B, 1, 1, S] (true: hidden) or undefined. fp32 inputs in fp32; bf16
// inputs by bf16 dot products into fp32 (the layouts the kernel reads are made here, O(S hd)).
// Returns [B, T, heads * hd] in v's dtype.
Tensor Transformer::fusedCpuAttention(const Tensor &q, const Tensor &k, const Tensor &v,
                                      const Tensor &keyHidden, int64_t window) const
{
    const int64_t B = q.size(0), H = q.size(1), T = q.size(2), hd = q.size(3);
    const int64_t kvH = k.size(1), S = k.size(2);
    detail::FusedAttention fa;
    fa.batch = B, fa.heads = H, fa.kvHeads = kvH, fa.rows = T, fa.keys = S, fa.headDim = hd;
    fa.past = S - T, fa.window = window, fa.causal = cfg.causal;
    fa.bf16 = v.scalar_type() == torch::kBFloat16;
    const int64_t sp = fa.paddedKeys(), hdp = fa.paddedHeadDim(), he = fa.evenHeadDim();
    const int64_t tile = detail::kTileKeys;
    const double scale = 1.0 / std::sqrt(static_cast<double>(hd));
    Tensor qs, kt, vp;
    if (fa.bf16) {
        // One pass per 64 rows or keys into the kernel's layouts (dims of q and k in pairs, keys of
        // v in pairs), from bf16 rows with contiguous elements (the projections' views are).
        const auto rows = [](const Tensor &x) {
            Tensor r = x.to(torch::kBFloat16);
            return r.stride(3) == 1 ? r : r.contiguous();
        };
        const Tensor qr = rows(q), kr = rows(k), vr = rows(v);
        const auto source = [](const Tensor &x) {
            return detail::FusedAttention::Bf16Source{
                reinterpret_cast<const std::uint16_t *>(x.data_ptr<at::BFloat16>()), x.stride(0),
                x.stride(1), x.stride(2)};
        };
        const auto opts = torch::TensorOptions().dtype(torch::kBFloat16);
        qs = torch::empty({B, H, T, he}, opts);
        kt = torch::empty({B, kvH, sp / tile, he / 2, tile, 2}, opts);
        vp = torch::empty({B, kvH, sp / 2, hdp, 2}, opts);
        auto *qd = reinterpret_cast<std::uint16_t *>(qs.data_ptr<at::BFloat16>());
        auto *kd = reinterpret_cast<std::uint16_t *>(kt.data_ptr<at::BFloat16>());
        auto *vd = reinterpret_cast<std::uint16_t *>(vp.data_ptr<at::BFloat16>());
        fa.qb = qd, fa.kb = kd, fa.vb = vd;
        const auto qsrc = source(qr), ksrc = source(kr), vsrc = source(vr);
        parallelTasks(fa.packTasks(), [&](int64_t t) {
            fa.packBf16(qsrc, ksrc, vsrc, static_cast<float>(scale), qd, kd, vd, t, t + 1);
        });
    } else {
        qs = q.mul(scale).contiguous();
        kt = F::pad(k, F::PadFuncOptions({0, 0, 0, sp - S}))
                 .view({B, kvH, sp / tile, tile, hd})
                 .transpose(-1, -2)
                 .contiguous();
        vp = F::pad(v, F::PadFuncOptions({0, hdp - hd, 0, sp - S})).contiguous();
        fa.q = qs.data_ptr<float>();
        fa.kt = kt.data_ptr<float>();
        fa.v = vp.data_ptr<float>();
    }
    Tensor hidden; // bool is one byte: the kernel reads it as it is
    if (keyHidden.defined())
        hidden = keyHidden.reshape({B, S}).contiguous();
    fa.keyHidden = hidden.defined()
                       ? reinterpret_cast<const std::uint8_t *>(hidden.data_ptr<bool>())
                       : nullptr;
    // The output in v's dtype, bf16 written by the kernel (the fp32 result rounded once, as a
    // conversion after it would).
    Tensor out = torch::empty({B, T, H, hd}, torch::TensorOptions().dtype(v.scalar_type()));
    if (v.scalar_type() == torch::kBFloat16)
        fa.outb = reinterpret_cast<std::uint16_t *>(out.data_ptr<at::BFloat16>());
    else
        fa.out = out.data_ptr<float>();
    parallelTasks(fa.tasks(), [&fa](int64_t p) {
        const int64_t t = fa.taskByCost(p);
        fa.run(t, t + 1);
    });
    return out.view({B, T, H * hd});
}

Tensor Transformer::attention(const Block &b, const Tensor &x, const Tensor &cos, const Tensor &sin,
                              const Tensor &keyHidden, KvCache *cache, int layer,
                              const AttentionHook &hook) const
{
    const int64_t B = x.size(0), T = x.size(1), hd = cfg.headDim;
    Tensor q, k, v;
    if (b.qkv.w.defined() && cfg.arch == Arch::NeoX) {
        Tensor h = b.qkv(x).view({B, T, cfg.heads, 3, hd}); // per head: q k v
        q = h.select(3, 0).transpose(1, 2);
        k = h.select(3, 1).transpose(1, 2);
        v = h.select(3, 2).transpose(1, 2);
    } else if (b.qkv.w.defined()) {
        Tensor h = b.qkv(x); // q | k | v along the features
        const int64_t dq = cfg.heads * hd, dkv = cfg.kvHeads * hd;
        q = h.narrow(-1, 0, dq).view({B, T, cfg.heads, hd}).transpose(1, 2);
        k = h.narrow(-1, dq, dkv).view({B, T, cfg.kvHeads, hd}).transpose(1, 2);
        v = h.narrow(-1, dq + dkv, dkv).view({B, T, cfg.kvHeads, hd}).transpose(1, 2);
    } else {
        q = b.q(x).view({B, T, cfg.heads, hd}).transpose(1, 2);
        k = b.k(x).view({B, T, cfg.kvHeads, hd}).transpose(1, 2);
        v = b.v(x).view({B, T, cfg.kvHeads, hd}).transpose(1, 2);
    }
    if (cos.defined()) {
        q = applyRope(q, cos, sin);
        k = applyRope(k, cos, sin);
    }
    if (cache) {
        if (cache->k.size() <= static_cast<std::size_t>(layer)) {
            cache->k.resize(cfg.layers);
            cache->v.resize(cfg.layers);
        }
        if (cache->k[layer].defined()) {
            k = torch::cat({cache->k[layer], k}, 2);
            v = torch::cat({cache->v[layer], v}, 2);
        }
        cache->k[layer] = k;
        cache->v[layer] = v;
    }
    int window = cfg.causal ? b.slidingWindow : 0;
    if (cfg.causal && cache && cache->window > 0)
        window = window > 0 ? std::min(window, cache->window) : cache->window;
#if TORCH_VERSION_MAJOR >= 2
    // Training: softmax(QK^T / sqrt(d) + mask) V in libtorch 2's fused kernel (flash attention on a
    // GPU; the trainers' speed on CUDA rests on it). Debian's libtorch 1.x takes the blocks below.
    if (training && !hook && !cache && window == 0 && !(cfg.causal && keyHidden.defined())) {
        if (cfg.heads != cfg.kvHeads) { // HF repeat_kv: query head h reads KV head h / rep
            k = k.repeat_interleave(cfg.heads / cfg.kvHeads, 1);
            v = v.repeat_interleave(cfg.heads / cfg.kvHeads, 1);
        }
        c10::optional<Tensor> mask;
        if (keyHidden.defined())
            mask = keyHidden.logical_not(); // true: attend
        Tensor ctx = at::scaled_dot_product_attention(q.to(v.scalar_type()), k.to(v.scalar_type()),
                                                      v, mask, dropout, cfg.causal);
        return b.o(ctx.transpose(1, 2).reshape({B, T, cfg.heads * hd}));
    }
#endif
    // Inference on the CPU without a hook: the fused kernel, fp32, or bf16 where the CPU has
    // AVX512-BF16 (bench_model --section attention compares it with the blocks below).
    if (fusedAttention && !training && !hook && device.is_cpu() &&
        (v.scalar_type() == torch::kFloat32 ||
         (v.scalar_type() == torch::kBFloat16 && detail::FusedAttention::bf16Supported())))
        return b.o(fusedCpuAttention(q, k, v, keyHidden, window));
    k = k.contiguous(); // [B, kvHeads, S, hd]: one layout for every block's matmul
    v = v.contiguous();
    const int64_t S = k.size(2), past = S - T;
    // GQA without copies (issue 16): HF repeat_kv gives query head h the KV head h / rep, so the
    // rep query heads of one KV head become rows of one matmul against that head's K and V.
    const int64_t kvH = cfg.kvHeads, rep = cfg.heads / cfg.kvHeads;
    // softmax(QK^T / sqrt(d)): the scale goes on q, a pass over [T, d] instead of over [T, S]
    // scores.
    const Tensor qs = q.mul(1.0 / std::sqrt(static_cast<double>(hd))).reshape({B, kvH, rep, T, hd});
    const Tensor kt = k.transpose(-1, -2);
    // Blocks of query rows bound the probabilities held at once, whatever n is. bf16 scores that
    // stay bf16 (no hook) get 8x the elements (4x the bytes): thin bf16 matmuls are slow (768x12 at
    // 4k tokens: 4.2 s with 1M elements, 3.3 s with 8M; fp32 is flat from 1M to 8M). A causal block
    // computes keys up to its last row, so blocks stay at most T/8 rows (and at least 64 when the
    // budget allows): one block over all rows would compute the masked half too.
    const int64_t budget = attentionBlockFloats * (dtype == torch::kBFloat16 && !hook ? 8 : 1);
    int64_t rows = std::max<int64_t>(16, budget / std::max<int64_t>(1, B * cfg.heads * S));
    if (cfg.causal)
        rows = std::min(rows, std::max<int64_t>({16, T / 8, std::min<int64_t>(64, rows)}));
    rows = std::min<int64_t>(T, rows);
    // Causal: keys after a block's last query are masked for every row of the block, so they are
    // not computed (half the work of a full pass); within the block's last `n` keys the mask is
    // triangular.
    Tensor future;
    if (cfg.causal)
        future =
            torch::ones({rows, rows}, torch::TensorOptions().dtype(torch::kBool).device(device))
                .triu(1);
    constexpr float kLowest =
        std::numeric_limits<float>::lowest(); // HF fills finfo.min the same way
    constexpr float kLowestBf16 = -3.0e38f;   // finite in bf16 (float's lowest would round to -inf)
    std::vector<Tensor> parts;
    for (int64_t r0 = 0; r0 < T; r0 += rows) {
        const int64_t n = std::min(rows, T - r0);
        // Keys [k0, w): after the block's last query nothing is visible (causal), before the window
        // of its first query nothing either (sliding window).
        const int64_t w = cfg.causal ? past + r0 + n : S;
        const int64_t k0 = window > 0 ? std::max<int64_t>(0, past + r0 + 1 - window) : 0;
        Tensor scores = torch::matmul(qs.narrow(3, r0, n).reshape({B, kvH, rep * n, hd}),
                                      kt.narrow(-1, k0, w - k0))
                            .view({B, cfg.heads, n, w - k0});
        // bf16 scores stay bf16 unless the hook reads the probabilities: libtorch's bf16 softmax
        // computes in fp32 and rounds once, as HF's softmax(dtype=float32).to(bf16) does, without
        // two conversion passes.
        if (hook)
            scores = scores.to(torch::kFloat32);
        const float kMasked = scores.scalar_type() == torch::kFloat32 ? kLowest : kLowestBf16;
        if (cfg.causal) {
            scores.narrow(-1, w - k0 - n, n)
                .masked_fill_(future.narrow(0, 0, n).narrow(1, 0, n), kMasked);
            if (window > 0 && past + r0 + n - 1 - window >= k0) {
                // Query i (cache index past + r0 + i) sees keys j > past + r0 + i - window.
                auto opts = torch::TensorOptions().dtype(torch::kInt64).device(device);
                Tensor qi = torch::arange(past + r0, past + r0 + n, opts).unsqueeze(1);
                Tensor kj = torch::arange(k0, w, opts).unsqueeze(0);
                scores.masked_fill_(kj <= qi - window, kMasked);
            }
        }
        if (keyHidden.defined())
            scores.masked_fill_(keyHidden.narrow(-1, k0, w - k0), kMasked);
        Tensor probs = torch::softmax(scores, -1);
        if (hook)
            hook(layer, probs, past + r0, k0);
        probs = drop(probs);
        parts.push_back(torch::matmul(probs.to(v.scalar_type()).view({B, kvH, rep * n, w - k0}),
                                      v.narrow(2, k0, w - k0))
                            .view({B, cfg.heads, n, hd}));
    }
    Tensor ctx = parts.size() == 1 ? parts[0] : torch::cat(parts, 2);
    ctx = ctx.transpose(1, 2).reshape({B, T, cfg.heads * hd});
    return b.o(ctx);
}

Tensor Transformer::forward(const Tensor &idsIn, const Tensor &mask, KvCache *cache,
                            const AttentionHook &hook, std::vector<Tensor> *hiddenStates,
                            const JobContext &job) const
{
    std::optional<torch::NoGradGuard> noGrad;
    if (!training)
        noGrad.emplace();
    const Tensor ids = idsIn.to(device);
    const int64_t B = ids.size(0), T = ids.size(1);
    const int64_t past = cache ? cache->length() : 0;
    const int64_t first =
        past + (cache ? cache->positionBase : 0); // position of the first new token
    auto longOpts = torch::TensorOptions().dtype(torch::kInt64).device(device);
    Tensor positions = torch::arange(first, first + T, longOpts).unsqueeze(0).expand({B, T});
    Tensor keyMask;
    if (mask.defined())
        keyMask = mask.to(device);
    if (cfg.causal && keyMask.defined() && cache && past > 0)
        keyMask = torch::cat({torch::ones({B, past}, longOpts), keyMask}, 1);
    // Padding keys, [B, 1, 1, S] (true: hidden from every query); causal and window masks are per
    // block.
    Tensor keyHidden;
    if (keyMask.defined())
        keyHidden = keyMask.view({B, 1, 1, -1}).eq(0);

    Tensor x = torch::embedding(m_embed, ids);
    if (cfg.arch == Arch::Gpt2) {
        x = x + torch::embedding(m_posEmbed, positions);
    } else if (cfg.arch == Arch::Bert) {
        if (cfg.xlmrPositions) {
            Tensor real = ids.ne(cfg.padId).to(torch::kInt64);
            positions = torch::cumsum(real, 1) * real + cfg.padId;
        }
        x = x + torch::embedding(m_posEmbed, positions);
        if (m_typeEmbed.defined())
            x = x + m_typeEmbed[0];
        x = m_embedNorm(x);
    }
    x = drop(x);
    Tensor cos, sin;
    if (m_invFreq.defined()) {
        // HF computes the rotary angles in float32 and casts cos/sin to the compute dtype.
        Tensor freqs = positions.to(torch::kFloat32).unsqueeze(-1) * m_invFreq.view({1, 1, -1});
        Tensor emb = torch::cat({freqs, freqs}, -1);
        cos = emb.cos().to(dtype).unsqueeze(1);
        sin = emb.sin().to(dtype).unsqueeze(1);
    }
    if (hiddenStates)
        hiddenStates->push_back(x);
    for (int l = 0; l < cfg.layers; ++l) {
        throwIfCancelled(job);
        const Block &b = m_blocks[l];
        if (cfg.arch == Arch::Bert) {
            Tensor a = drop(attention(b, x, cos, sin, keyHidden, cache, l, hook));
            x = b.norm1(a + x);
            x = b.norm2(drop(mlp(b, x)) + x);
        } else if (cfg.parallelResidual) {
            Tensor a = drop(attention(b, b.norm1(x), cos, sin, keyHidden, cache, l, hook));
            x = drop(mlp(b, b.norm2(x))) + a + x;
        } else {
            x = x + drop(attention(b, b.norm1(x), cos, sin, keyHidden, cache, l, hook));
            x = x + drop(mlp(b, b.norm2(x)));
        }
        if (hiddenStates)
            hiddenStates->push_back(x);
    }
    if (cfg.arch != Arch::Bert) {
        x = m_finalNorm(x);
        if (hiddenStates)
            hiddenStates->back() = x; // HF replaces the last entry with the normed output
    }
    return x;
}

Tensor Transformer::headOutput(const Tensor &hiddenIn) const
{
    std::optional<torch::NoGradGuard> noGrad;
    if (!training)
        noGrad.emplace();
    // HF BertForTokenClassification applies dropout to the classifier's input.
    const Tensor hidden = cfg.arch == Arch::Bert ? drop(hiddenIn) : hiddenIn;
    return m_headBias.defined() ? torch::linear(hidden, m_head, m_headBias)
                                : torch::linear(hidden, m_head);
}

Tensor Transformer::logits(const Tensor &hiddenIn) const
{
    Tensor out = headOutput(hiddenIn);
    // float32, or float64 for a float64 network (the trainers' gradient checks).
    return out.scalar_type() == torch::kFloat64 ? out : out.to(torch::kFloat32);
}

int detail::engineParallelThreads(long long n)
{
    std::mutex m;
    std::set<std::thread::id> seen;
    at::parallel_for(0, n, 1, [&](int64_t, int64_t) {
        const std::lock_guard lock(m);
        seen.insert(std::this_thread::get_id());
    });
    return static_cast<int>(seen.size());
}

} // namespace terse
