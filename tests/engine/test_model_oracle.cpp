// Issue 4: every architecture agrees with HuggingFace transformers on the shared oracle models
// (shared/oracle/*/expected.json): logits, log-probs, entropy, attention, hidden states, KV cache.
#include "terse/model.h"

#include "oracle_test_util.h"

#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

using namespace terse;
using nlohmann::json;

namespace {

using testing::flat;
using testing::kOracle;

// Largest |got - want| / (atol + rtol |want|); <= 1 passes. Also returns the largest relative
// error.
struct Agreement {
    double worst = 0.0; // normalised by the tolerance
    double maxAbs = 0.0;
    double maxRel = 0.0; // |got - want| / max(|want|, 1e-3)
};

Agreement compare(const std::vector<float> &got, const std::vector<double> &want,
                  double atol = 1e-4, double rtol = 1e-4)
{
    Agreement a;
    if (got.size() != want.size()) {
        a.worst = INFINITY;
        return a;
    }
    for (std::size_t i = 0; i < got.size(); ++i) {
        const double d = std::fabs(got[i] - want[i]);
        a.worst = std::max(a.worst, d / (atol + rtol * std::fabs(want[i])));
        a.maxAbs = std::max(a.maxAbs, d);
        a.maxRel = std::max(a.maxRel, d / std::max(std::fabs(want[i]), 1e-3));
    }
    return a;
}

json loadExpected(const std::string &model)
{
    std::ifstream in(kOracle + "/" + model + "/expected.json");
    return json::parse(in);
}

#define CHECK_AGREES(what, got, want)                                                              \
    do {                                                                                           \
        const Agreement a_ = compare(got, want);                                                   \
        qInfo("%s %s: max abs %.3g, max rel %.3g", caseName.c_str(), what, a_.maxAbs, a_.maxRel);  \
        QVERIFY2(a_.worst <= 1.0,                                                                  \
                 (caseName + " " + what + " disagrees (size " + std::to_string(got.size()) +       \
                  " vs " + std::to_string(want.size()) + ", max abs " +                            \
                  std::to_string(a_.maxAbs) + ")")                                                 \
                     .c_str());                                                                    \
    } while (0)

} // namespace

class TestModelOracle : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        if (!std::filesystem::exists(kOracle))
            QSKIP("shared oracle data not found (TERSE_SHARED_DIR)");
    }

    void agreesWithTransformers_data()
    {
        QTest::addColumn<QString>("model");
        QTest::addColumn<bool>("smallBlocks");
        for (const char *m : {"gpt2", "llama_gqa", "llama3_tied", "qwen2", "mistral", "gpt_neox",
                              "bert", "xlm_roberta"}) {
            QTest::newRow(m) << QString(m) << false;
            // Attention in blocks of 16 query rows (the smallest): causal blocks skip the keys
            // after their last query, windows and padding are masked per block; the numbers must
            // not change (issue 16).
            QTest::newRow((std::string(m) + " (16-row attention blocks)").c_str())
                << QString(m) << true;
        }
    }

    void agreesWithTransformers()
    {
        QFETCH(QString, model);
        QFETCH(bool, smallBlocks);
        const std::string name = model.toStdString();
        ModelLoadOptions options;
        if (smallBlocks)
            options.attentionBlockFloats = 1;
        auto loaded = Model::load(kOracle + "/" + name, options);
        QVERIFY2(loaded.ok(), loaded.ok() ? "" : loaded.error().toString().c_str());
        const Model &m = *loaded;
        const json expected = loadExpected(name);
        const bool decoder = m.info().kind == ModelKind::CausalLM;
        QCOMPARE(m.info().layers, 3);
        QCOMPARE(m.info().hidden, 64);
        for (const auto &c : expected["cases"]) {
            const std::string caseName = name + "/" + c["name"].get<std::string>();
            const auto ids = c["input_ids"].get<std::vector<std::vector<int>>>();
            ScoreRequest req;
            req.wantLogits = true;
            req.wantHidden = true;
            req.wantHeadSumMatrices = true;
            if (!c["attention_mask"].is_null())
                req.attentionMask = c["attention_mask"].get<std::vector<std::vector<int>>>();
            auto r = m.score(ids, req);
            QVERIFY2(r.ok(), r.ok() ? "" : r.error().toString().c_str());
            auto cat = [&](auto member) {
                std::vector<float> all;
                for (const auto &s : r->sequences)
                    all.insert(all.end(), (s.*member).begin(), (s.*member).end());
                return all;
            };
            CHECK_AGREES("logits", cat(&SequenceScores::logits), flat(c["logits"]));
            CHECK_AGREES("entropy", cat(&SequenceScores::entropy), flat(c["entropy"]));
            CHECK_AGREES("attentions_head_sum", cat(&SequenceScores::headSumMatrices),
                         flat(c["attentions_head_sum"]));
            CHECK_AGREES("hidden_states", cat(&SequenceScores::hidden), flat(c["hidden_states"]));
            if (decoder) {
                CHECK_AGREES("next_token_logprob", cat(&SequenceScores::nextTokenLogprob),
                             flat(c["next_token_logprob"]));
                // Surprisal is the same numbers aligned to the predicted token.
                const auto &s0 = r->sequences[0];
                QVERIFY(std::isnan(s0.surprisal[0]));
                for (std::size_t t = 1; t < s0.surprisal.size(); ++t)
                    QCOMPARE(s0.surprisal[t], -s0.nextTokenLogprob[t - 1]);
                // What the methods ask (surprisal and entropy, no logits) takes the CPU's direct
                // path from the head's rows: the same numbers against transformers.
                ScoreRequest plain;
                plain.attentionMask = req.attentionMask;
                auto p = m.score(ids, plain);
                QVERIFY2(p.ok(), p.ok() ? "" : p.error().toString().c_str());
                std::vector<float> plainLogprob, plainEntropy;
                for (const auto &sq : p->sequences) {
                    plainLogprob.insert(plainLogprob.end(), sq.nextTokenLogprob.begin(),
                                        sq.nextTokenLogprob.end());
                    plainEntropy.insert(plainEntropy.end(), sq.entropy.begin(), sq.entropy.end());
                }
                CHECK_AGREES("next_token_logprob (no logits asked)", plainLogprob,
                             flat(c["next_token_logprob"]));
                CHECK_AGREES("entropy (no logits asked)", plainEntropy, flat(c["entropy"]));
            } else {
                CHECK_AGREES("label_logprobs", cat(&SequenceScores::labelLogprobs),
                             flat(c["label_logprobs"]));
            }
            if (c.contains("logits_incremental")) {
                const int split = expected.contains("incremental_split")
                                      ? expected["incremental_split"].get<int>()
                                  : c.contains("incremental_split")
                                      ? c["incremental_split"].get<int>()
                                      : 25;
                const std::vector<int> &row = ids[0];
                // Chunked: the first `split` tokens, then the rest on top of the cache.
                auto session = m.newSession();
                QVERIFY(session.ok());
                QVERIFY(session->append({row.begin(), row.begin() + split}).ok());
                auto step = session->append({row.begin() + split, row.end()}, true);
                QVERIFY(step.ok());
                CHECK_AGREES("logits_incremental", step->logits, flat(c["logits_incremental"]));
                // Token by token gives the same numbers.
                auto one = m.newSession();
                QVERIFY(one->append({row.begin(), row.begin() + split}).ok());
                std::vector<float> logits;
                for (std::size_t t = split; t < row.size(); ++t) {
                    auto s = one->append({row[t]}, true);
                    QVERIFY(s.ok());
                    logits.insert(logits.end(), s->logits.begin(), s->logits.end());
                    // The session's log-prob of each new token equals the full forward's.
                    QVERIFY(std::fabs(s->logprob[0] - r->sequences[0].nextTokenLogprob[t - 1]) <
                            1e-4);
                }
                CHECK_AGREES("logits_token_by_token", logits, flat(c["logits_incremental"]));
            }
        }
    }

    // A bf16 network's scores without logits come from the head's bf16 rows (read widened) and with
    // logits from their fp32 copy: the same numbers bit for bit, for every oracle decoder.
    void bf16ScoresWithoutLogitsEqualWithLogits()
    {
        for (const char *name : {"gpt2", "llama_gqa", "qwen2", "gpt_neox"}) {
            ModelLoadOptions options;
            options.dtype = ComputeDtype::BFloat16;
            auto loaded = Model::load(kOracle + "/" + name, options);
            QVERIFY2(loaded.ok(), loaded.ok() ? "" : loaded.error().toString().c_str());
            const json expected = loadExpected(name);
            for (const auto &c : expected["cases"]) {
                const auto ids = c["input_ids"].get<std::vector<std::vector<int>>>();
                ScoreRequest plain, withLogits;
                withLogits.wantLogits = true;
                auto a = loaded->score(ids, plain), b = loaded->score(ids, withLogits);
                QVERIFY(a.ok() && b.ok());
                for (std::size_t i = 0; i < a->sequences.size(); ++i) {
                    const auto &x = a->sequences[i], &y = b->sequences[i];
                    QVERIFY(x.nextTokenLogprob == y.nextTokenLogprob);
                    QVERIFY(x.entropy == y.entropy);
                    QVERIFY(!x.nextTokenLogprob.empty() || ids[i].size() < 2);
                }
            }
        }
    }

    // LlamaForTokenClassification: the oracle Llama with a `score` head (HF: nn.Linear(hidden,
    // num_labels)). Causal, its logits are the head applied to transformers' last hidden state;
    // with "is_causal": false (Terse's tagger) every token also sees the tokens after it: in one
    // layer the last token's logits stay (it saw every token already) and the first token's change.
    // ScoreRequest::wantAttentionLift against the same arithmetic on transformers' attention
    // matrices: per layer, f(d) = the mean head-summed attention of the pairs at distance d =
    // query - key; a query q with m keys is expected to give the key at distance d heads x f(d) /
    // (f(0) + ... + f(m - 1)); a key's lift = its received attention / the sum of that over the
    // queries that see it (Mistral: its 16-token window).
    void attentionLiftFromTransformersMatrices()
    {
        for (const char *name : {"gpt2", "llama_gqa", "mistral", "qwen2", "gpt_neox"}) {
            auto m = Model::load(kOracle + "/" + name);
            QVERIFY(m.ok());
            const int window = m->info().slidingWindow;
            const double heads = m->info().heads;
            const json expected = loadExpected(name);
            for (const auto &c : expected["cases"]) {
                const auto ids = c["input_ids"].get<std::vector<std::vector<int>>>();
                ScoreRequest req;
                req.wantAttentionLift = true;
                auto r = m->score(ids, req);
                QVERIFY(r.ok());
                const auto &att = c["attentions_head_sum"][0]; // [layers][q][k]
                const std::size_t n = ids[0].size(), L = att.size();
                std::vector<double> want(L * n);
                auto seen = [&](std::size_t q, std::size_t k) {
                    return q >= k && (window <= 0 || q - k < static_cast<std::size_t>(window));
                };
                for (std::size_t l = 0; l < L; ++l) {
                    auto a = [&](std::size_t q, std::size_t k) {
                        return att[l][q][k].get<double>();
                    };
                    std::vector<double> sum(n, 0.0), count(n, 0.0);
                    for (std::size_t q = 0; q < n; ++q)
                        for (std::size_t k = 0; k <= q; ++k)
                            if (seen(q, k))
                                sum[q - k] += a(q, k), count[q - k] += 1;
                    auto f = [&](std::size_t d) { return sum[d] / count[d]; };
                    for (std::size_t k = 0; k < n; ++k) {
                        double received = 0, expect = 0;
                        for (std::size_t q = k; q < n; ++q) {
                            if (!seen(q, k))
                                continue;
                            double rowMass = 0; // the profile over q's own keys
                            for (std::size_t j = 0; j <= q; ++j)
                                if (seen(q, j))
                                    rowMass += f(q - j);
                            received += a(q, k);
                            expect += heads * f(q - k) / rowMass;
                        }
                        want[l * n + k] = received / expect;
                    }
                }
                const std::string caseName = std::string(name) + "/" + c["name"].get<std::string>();
                CHECK_AGREES("attention lift", r->sequences[0].attentionLift, want);
                // The last key is seen by itself alone, at distance 0: its lift is its own
                // attention over the layer's mean attention at distance 0 (n > 1).
                if (n > 1)
                    QVERIFY(r->sequences[0].attentionLift[n - 1] > 0);
            }
        }
    }

    void llamaTokenClassifier()
    {
        const std::string name = "llama_gqa";
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        constexpr int H = 64, kLabels = 3;
        std::vector<float> w(kLabels * H), bias = {0.25f, -0.5f, 0.125f};
        for (std::size_t i = 0; i < w.size(); ++i)
            w[i] = static_cast<float>(0.3 * std::sin(0.7 * static_cast<double>(i) + 0.1));
        // The oracle's safetensors with score.weight and score.bias appended.
        std::ifstream in(kOracle + "/" + name + "/model.safetensors", std::ios::binary);
        std::string file((std::istreambuf_iterator<char>(in)), {});
        std::uint64_t headerLen = 0;
        std::memcpy(&headerLen, file.data(), 8);
        json header = json::parse(file.substr(8, headerLen));
        std::string data = file.substr(8 + headerLen);
        auto add = [&](const std::string &n, const std::vector<float> &v, std::vector<int> shape) {
            header[n] = {{"dtype", "F32"},
                         {"shape", shape},
                         {"data_offsets", {data.size(), data.size() + v.size() * 4}}};
            data.append(reinterpret_cast<const char *>(v.data()), v.size() * 4);
        };
        add("score.weight", w, {kLabels, H});
        add("score.bias", bias, {kLabels});
        std::string h = header.dump();
        h.append((8 - h.size() % 8) % 8, ' ');
        const std::uint64_t n = h.size();
        std::ofstream out(dir.filePath("model.safetensors").toStdString(), std::ios::binary);
        out.write(reinterpret_cast<const char *>(&n), 8);
        out << h << data;
        out.close();
        std::ifstream cin(kOracle + "/" + name + "/config.json");
        json config = json::parse(cin);
        config["architectures"] = {"LlamaForTokenClassification"};
        config["num_labels"] = kLabels;
        auto writeConfig = [&](bool causal, int layers) {
            config["is_causal"] = causal;
            config["num_hidden_layers"] = layers;
            std::ofstream(dir.filePath("config.json").toStdString()) << config.dump();
        };
        const json expected = loadExpected(name);
        ScoreRequest req;
        req.wantLogits = true;
        std::vector<std::vector<float>> causalLogits;
        // Three layers, causal: against transformers. Then one layer, causal and bidirectional.
        for (const auto &[causal, layers] :
             std::vector<std::pair<bool, int>>{{true, 3}, {true, 1}, {false, 1}}) {
            writeConfig(causal, layers);
            auto m = Model::load(dir.path().toStdString());
            QVERIFY2(m.ok(), m.ok() ? "" : m.error().toString().c_str());
            QCOMPARE(m->info().kind, ModelKind::TokenClassifier);
            QCOMPARE(m->info().numLabels, kLabels);
            QVERIFY(!m->newSession().ok()); // no KV-cache session for a classifier
            for (std::size_t ci = 0; ci < expected["cases"].size(); ++ci) {
                const json &c = expected["cases"][ci];
                const std::string caseName = name + "/" + c["name"].get<std::string>() +
                                             (causal ? " causal" : " bidir") +
                                             std::to_string(layers);
                auto r = m->score(c["input_ids"].get<std::vector<std::vector<int>>>(), req);
                QVERIFY2(r.ok(), r.ok() ? "" : r.error().toString().c_str());
                const std::vector<float> &got = r->sequences[0].logits;
                const std::vector<double> hidden = flat(c["last_hidden_state"]);
                const std::size_t T = hidden.size() / H;
                QCOMPARE(got.size(), T * kLabels);
                if (causal && layers == 3) {
                    std::vector<double> want;
                    for (std::size_t t = 0; t < T; ++t)
                        for (int l = 0; l < kLabels; ++l) {
                            double v = bias[static_cast<std::size_t>(l)];
                            for (int k = 0; k < H; ++k)
                                v += hidden[t * H + k] * w[static_cast<std::size_t>(l * H + k)];
                            want.push_back(v);
                        }
                    CHECK_AGREES("score logits", got, want);
                    continue;
                }
                if (causal) {
                    causalLogits.push_back(got);
                    continue;
                }
                const std::vector<float> &ref = causalLogits[ci];
                float lastDiff = 0, firstDiff = 0;
                for (int l = 0; l < kLabels; ++l) {
                    lastDiff = std::max(lastDiff, std::fabs(got[(T - 1) * kLabels + l] -
                                                            ref[(T - 1) * kLabels + l]));
                    firstDiff = std::max(firstDiff, std::fabs(got[l] - ref[l]));
                }
                qInfo("%s: first token moves %.3g, last %.3g", caseName.c_str(), firstDiff,
                      lastDiff);
                QVERIFY(lastDiff < 1e-4);
                if (T > 1)
                    QVERIFY(firstDiff > 1e-3);
            }
        }
    }
};

QTEST_GUILESS_MAIN(TestModelOracle)
#include "test_model_oracle.moc"
