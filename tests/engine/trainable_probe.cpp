// Torch-side checks of the trainers' models for test_trainable (see trainable_probe.h). No Qt here.
#include "trainable_probe.h"

#include "train/trainable.h"

#include <torch/torch.h>

#include <cmath>
#include <cstdio>

using namespace terse;
using namespace terse::train;

namespace {

NamedTensors tinyLlama(int vocab, int hidden, int layers, int heads, int kvHeads, int inter)
{
    torch::manual_seed(7);
    const int hd = hidden / heads;
    auto w = [](std::vector<int64_t> s) { return torch::randn(s, torch::kFloat64) * 0.3; };
    auto norm = [](int64_t n) { return 1 + torch::randn({n}, torch::kFloat64) * 0.1; };
    NamedTensors out{{"model.embed_tokens.weight", w({vocab, hidden})}};
    for (int i = 0; i < layers; ++i) {
        const auto p = "model.layers." + std::to_string(i) + ".";
        out.emplace_back(p + "input_layernorm.weight", norm(hidden));
        out.emplace_back(p + "self_attn.q_proj.weight", w({heads * hd, hidden}));
        out.emplace_back(p + "self_attn.k_proj.weight", w({kvHeads * hd, hidden}));
        out.emplace_back(p + "self_attn.v_proj.weight", w({kvHeads * hd, hidden}));
        out.emplace_back(p + "self_attn.o_proj.weight", w({hidden, heads * hd}));
        out.emplace_back(p + "post_attention_layernorm.weight", norm(hidden));
        out.emplace_back(p + "mlp.gate_proj.weight", w({inter, hidden}));
        out.emplace_back(p + "mlp.up_proj.weight", w({inter, hidden}));
        out.emplace_back(p + "mlp.down_proj.weight", w({hidden, inter}));
    }
    out.emplace_back("model.norm.weight", norm(hidden));
    return out;
}

nlohmann::json llamaConfig(int vocab, int hidden, int layers, int heads, int kvHeads, int inter)
{
    return {{"model_type", "llama"},          {"vocab_size", vocab},
            {"hidden_size", hidden},          {"intermediate_size", inter},
            {"num_hidden_layers", layers},    {"num_attention_heads", heads},
            {"num_key_value_heads", kvHeads}, {"hidden_act", "silu"},
            {"max_position_embeddings", 64},  {"rms_norm_eps", 1e-5},
            {"tie_word_embeddings", true}};
}

NamedTensors tinyBert(int vocab, int hidden, int inter)
{
    torch::manual_seed(11);
    auto w = [](std::vector<int64_t> s) { return torch::randn(s, torch::kFloat64) * 0.3; };
    NamedTensors out{{"bert.embeddings.word_embeddings.weight", w({vocab, hidden})},
                     {"bert.embeddings.position_embeddings.weight", w({32, hidden})},
                     {"bert.embeddings.token_type_embeddings.weight", w({2, hidden})},
                     {"bert.embeddings.LayerNorm.weight", 1 + w({hidden}) / 3},
                     {"bert.embeddings.LayerNorm.bias", w({hidden}) / 3}};
    const std::string p = "bert.encoder.layer.0.";
    for (const char *d : {"attention.self.query", "attention.self.key", "attention.self.value",
                          "attention.output.dense"}) {
        out.emplace_back(p + d + ".weight", w({hidden, hidden}));
        out.emplace_back(p + d + ".bias", w({hidden}));
    }
    out.emplace_back(p + "attention.output.LayerNorm.weight", 1 + w({hidden}) / 3);
    out.emplace_back(p + "attention.output.LayerNorm.bias", w({hidden}) / 3);
    out.emplace_back(p + "intermediate.dense.weight", w({inter, hidden}));
    out.emplace_back(p + "intermediate.dense.bias", w({inter}));
    out.emplace_back(p + "output.dense.weight", w({hidden, inter}));
    out.emplace_back(p + "output.dense.bias", w({hidden}));
    out.emplace_back(p + "output.LayerNorm.weight", 1 + w({hidden}) / 3);
    out.emplace_back(p + "output.LayerNorm.bias", w({hidden}) / 3);
    out.emplace_back("classifier.weight", w({2, hidden}));
    out.emplace_back("classifier.bias", w({2}));
    return out;
}

nlohmann::json bertConfig(int vocab, int hidden, int inter)
{
    return {{"model_type", "bert"},     {"vocab_size", vocab},
            {"hidden_size", hidden},    {"num_hidden_layers", 1},
            {"num_attention_heads", 2}, {"intermediate_size", inter},
            {"hidden_act", "gelu"},     {"max_position_embeddings", 32},
            {"type_vocab_size", 2},     {"layer_norm_eps", 1e-12},
            {"pad_token_id", 0}};
}

// A fixed nonlinear scalar of the logits, so every logit's gradient matters.
torch::Tensor objective(const torch::Tensor &logits, const torch::Tensor &weights)
{
    return (torch::tanh(logits) * weights).sum();
}

// Largest relative error between autograd's gradient and a central difference over up to `probe`
// entries of every parameter.
double worstGradientError(const TrainableTransformer &m, const torch::Tensor &ids,
                          const torch::Tensor &mask, int probe)
{
    auto w = torch::randn(m.logits(ids, mask).sizes(), torch::kFloat64);
    auto loss = objective(m.logits(ids, mask), w);
    loss.backward();
    double worst = 0;
    const double h = 1e-6;
    for (const auto &[name, p] : m.named) {
        if (!p.grad().defined()) {
            std::fprintf(stderr, "no gradient reached %s\n", name.c_str());
            return 1e9;
        }
        auto flat = p.view({-1});
        auto grad = p.grad().view({-1});
        for (int i = 0; i < std::min<int64_t>(probe, flat.numel()); ++i) {
            const int64_t at = (i * 7919) % flat.numel();
            double plus = 0, minus = 0;
            {
                torch::NoGradGuard ng;
                const double keep = flat[at].item<double>();
                flat[at].fill_(keep + h);
                plus = objective(m.logits(ids, mask), w).item<double>();
                flat[at].fill_(keep - h);
                minus = objective(m.logits(ids, mask), w).item<double>();
                flat[at].fill_(keep);
            }
            const double numeric = (plus - minus) / (2 * h);
            const double analytic = grad[at].item<double>();
            worst = std::max(worst, std::abs(numeric - analytic) /
                                        std::max(1e-3, std::abs(numeric) + std::abs(analytic)));
        }
    }
    return worst;
}

} // namespace

namespace terse::test {

double llamaGradientError()
{
    auto m = TrainableTransformer::build(tinyLlama(13, 16, 2, 4, 2, 24),
                                         llamaConfig(13, 16, 2, 4, 2, 24), torch::kCPU, 0.0,
                                         torch::kFloat64);
    auto ids = torch::tensor({{1, 5, 7, 2, 12, 3, 3, 9}}, torch::kInt64);
    return worstGradientError(m, ids, {}, 6);
}

double llamaBlockedGradientError()
{
    auto m = TrainableTransformer::build(tinyLlama(13, 16, 2, 4, 2, 24),
                                         llamaConfig(13, 16, 2, 4, 2, 24), torch::kCPU, 0.0,
                                         torch::kFloat64);
    m.net->attentionBlockFloats = 1; // 16-row blocks: 40 tokens in 3
    torch::manual_seed(3);
    auto ids = torch::randint(0, 13, {2, 40}, torch::kInt64);
    return worstGradientError(m, ids, {}, 4);
}

double bertGradientError(bool &paddingIgnored)
{
    auto m = TrainableTransformer::build(tinyBert(17, 8, 12), bertConfig(17, 8, 12), torch::kCPU,
                                         0.0, torch::kFloat64);
    auto ids = torch::tensor({{2, 5, 9, 3, 0, 0}, {2, 4, 4, 8, 11, 3}}, torch::kInt64);
    auto mask = ids.ne(0).to(torch::kInt64);
    mask[1].fill_(1);
    const double worst = worstGradientError(m, ids, mask, 6);
    torch::NoGradGuard ng;
    auto a = m.logits(ids, mask);
    auto other = ids.clone();
    other[0][4] = 7;
    auto b = m.logits(other, mask);
    paddingIgnored =
        torch::equal(a[0].narrow(0, 0, 4), b[0].narrow(0, 0, 4)) && !torch::equal(a[0][4], b[0][4]);
    return worst;
}

bool inPlaceUpdateReachesForward(bool &logitsFp32)
{
    auto m = TrainableTransformer::build(tinyLlama(13, 16, 1, 2, 2, 24),
                                         llamaConfig(13, 16, 1, 2, 2, 24), torch::kCPU);
    auto ids = torch::tensor({{1, 5, 7, 2}}, torch::kInt64);
    torch::NoGradGuard ng;
    auto before = m.logits(ids);
    m.named[3].second.mul_(1.5); // q_proj of layer 0
    auto after = m.logits(ids);
    logitsFp32 = after.scalar_type() == torch::kFloat32;
    return !torch::allclose(before, after);
}

DropoutCheck dropoutCheck()
{
    auto m =
        TrainableTransformer::build(tinyBert(17, 8, 12), bertConfig(17, 8, 12), torch::kCPU, 0.5);
    auto ids = torch::tensor({{2, 5, 9, 3}}, torch::kInt64);
    torch::NoGradGuard ng;
    DropoutCheck c;
    m.setTraining(false);
    auto e1 = m.logits(ids), e2 = m.logits(ids);
    c.evalDeterministic = torch::equal(e1, e2);
    m.setTraining(true);
    auto t1 = m.logits(ids), t2 = m.logits(ids);
    c.trainVaries = !torch::equal(t1, t2);
    c.trainDiffersFromEval = !torch::equal(t1, e1);
    return c;
}

AutocastCheck autocastCheck()
{
    auto m = TrainableTransformer::build(tinyLlama(13, 64, 1, 4, 4, 96),
                                         llamaConfig(13, 64, 1, 4, 4, 96), torch::kCPU);
    torch::manual_seed(5);
    auto ids = torch::randint(0, 13, {2, 32}, torch::kInt64);
    torch::NoGradGuard ng;
    auto fp32 = m.logits(ids);
    torch::Tensor bf16;
    {
        Bf16Autocast scope(torch::kCPU, true);
        bf16 = m.logits(ids);
    }
    AutocastCheck c;
    c.logitsFp32 = bf16.scalar_type() == torch::kFloat32;
    c.maxDiff = (bf16 - fp32).abs().max().item<double>();
    c.maxLogit = fp32.abs().max().item<double>();
    c.fp32After = torch::equal(m.logits(ids), fp32);
    {
        Bf16Autocast off(torch::kCPU, false);
        c.fp32WhenDisabled = torch::equal(m.logits(ids), fp32);
    }
    return c;
}

} // namespace terse::test
