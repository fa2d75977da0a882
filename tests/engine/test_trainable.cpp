// The trainers' models are the inference Transformer over trainable tensors (train/trainable.h,
// issue 19): its gradients against central finite differences in float64 for a GQA Llama and a
// padded BERT, the optimizer's in-place updates reaching the forward, dropout only while training,
// and bf16 autocast confined to its scope.
#include "train/trainable.h"

#include <torch/torch.h> // before Qt: Qt's `slots` macro breaks libtorch's headers

#include <QtTest>

#include <cmath>

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
            qWarning("no gradient reached %s", name.c_str());
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

class TestTrainable : public QObject {
    Q_OBJECT
private slots:
    void llamaGradientsMatchFiniteDifferences()
    {
        // GQA (4 query heads on 2 KV heads), 2 layers, causal block attention with RoPE.
        auto m = TrainableTransformer::build(tinyLlama(13, 16, 2, 4, 2, 24),
                                             llamaConfig(13, 16, 2, 4, 2, 24), torch::kCPU, 0.0,
                                             torch::kFloat64);
        auto ids = torch::tensor({{1, 5, 7, 2, 12, 3, 3, 9}}, torch::kInt64);
        const double worst = worstGradientError(m, ids, {}, 6);
        qInfo("llama: worst relative gradient error %.2e", worst);
        QVERIFY2(worst < 1e-5, qPrintable(QString::number(worst)));
        // The same through several blocks of query rows (each computing keys up to its last row).
        for (auto &[n, p] : m.named)
            p.mutable_grad() = torch::Tensor();
        m.net->attentionBlockFloats = 1; // 16-row blocks: 40 tokens in 3
        auto longIds = torch::randint(0, 13, {2, 40}, torch::kInt64);
        const double blocked = worstGradientError(m, longIds, {}, 4);
        qInfo("llama, 3 blocks: worst relative gradient error %.2e", blocked);
        QVERIFY2(blocked < 1e-5, qPrintable(QString::number(blocked)));
    }

    void bertGradientsMatchFiniteDifferencesWithPadding()
    {
        auto m = TrainableTransformer::build(tinyBert(17, 8, 12), bertConfig(17, 8, 12),
                                             torch::kCPU, 0.0, torch::kFloat64);
        auto ids = torch::tensor({{2, 5, 9, 3, 0, 0}, {2, 4, 4, 8, 11, 3}}, torch::kInt64);
        auto mask = ids.ne(0).to(torch::kInt64);
        mask[1].fill_(1);
        const double worst = worstGradientError(m, ids, mask, 6);
        qInfo("bert: worst relative gradient error %.2e", worst);
        QVERIFY2(worst < 1e-5, qPrintable(QString::number(worst)));
        // Padded keys take no part: changing a padded token leaves the real rows' logits as they
        // were.
        torch::NoGradGuard ng;
        auto a = m.logits(ids, mask);
        auto other = ids.clone();
        other[0][4] = 7;
        auto b = m.logits(other, mask);
        QVERIFY(torch::allclose(a[0].narrow(0, 0, 4), b[0].narrow(0, 0, 4), 1e-12, 1e-12));
    }

    void optimizerUpdatesReachTheForward()
    {
        auto m = TrainableTransformer::build(tinyLlama(13, 16, 1, 2, 2, 24),
                                             llamaConfig(13, 16, 1, 2, 2, 24), torch::kCPU);
        auto ids = torch::tensor({{1, 5, 7, 2}}, torch::kInt64);
        torch::NoGradGuard ng;
        auto before = m.logits(ids);
        m.named[3].second.mul_(1.5); // q_proj of layer 0, in place as AdamW steps it
        auto after = m.logits(ids);
        QVERIFY(!torch::allclose(before, after));
        QCOMPARE(after.scalar_type(), torch::kFloat32);
    }

    void dropoutOnlyWhileTraining()
    {
        auto m = TrainableTransformer::build(tinyBert(17, 8, 12), bertConfig(17, 8, 12),
                                             torch::kCPU, 0.5);
        auto ids = torch::tensor({{2, 5, 9, 3}}, torch::kInt64);
        torch::NoGradGuard ng;
        m.setTraining(false);
        auto e1 = m.logits(ids), e2 = m.logits(ids);
        QVERIFY(torch::equal(e1, e2));
        m.setTraining(true);
        auto t1 = m.logits(ids), t2 = m.logits(ids);
        QVERIFY(!torch::equal(t1, t2));
        QVERIFY(!torch::equal(t1, e1));
    }

    void bf16AutocastOnlyInsideItsScope()
    {
        auto m = TrainableTransformer::build(tinyLlama(13, 64, 1, 4, 4, 96),
                                             llamaConfig(13, 64, 1, 4, 4, 96), torch::kCPU);
        auto ids = torch::randint(0, 13, {2, 32}, torch::kInt64);
        torch::NoGradGuard ng;
        auto fp32 = m.logits(ids);
        torch::Tensor bf16;
        {
            Bf16Autocast scope(torch::kCPU, true);
            bf16 = m.logits(ids);
        }
        QCOMPARE(bf16.scalar_type(), torch::kFloat32); // logits come back in fp32
        const double diff = (bf16 - fp32).abs().max().item<double>();
        const double scale = fp32.abs().max().item<double>();
        qInfo("bf16 autocast vs fp32: max |diff| %.3g of max |logit| %.3g", diff, scale);
        QVERIFY(diff > 0);                          // the matmuls ran in bf16
        QVERIFY(diff < 0.05 * scale);               // within bf16's precision
        QVERIFY(torch::equal(m.logits(ids), fp32)); // and fp32 again after the scope
        {
            Bf16Autocast off(torch::kCPU, false);
            QVERIFY(torch::equal(m.logits(ids), fp32));
        }
    }
};

QTEST_GUILESS_MAIN(TestTrainable)
#include "test_trainable.moc"
