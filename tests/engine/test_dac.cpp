// DAC variants on a small input, with expectations computed here from Model::score (tiny-gpt2 from
// shared/parity): single-pass entropy and fused selection (additive, multiplicative), the dynamic
// re-forward, the _wosucce restore, punctuation, Corrected budgets and the stage trace; plus
// entropy_only / attention_only.
#include "terse/compressor.h"
#include "whole_words_check.h"
#include "terse/model.h"
#include "terse/tokenizer.h"

#include <QtTest>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <numeric>
#include <set>

using namespace terse;

namespace {
const std::string kModel = std::string(TERSE_SHARED_DIR) + "/parity/models/tiny-gpt2";
const std::string kText =
    "The cat sat on the mat, and then it ran to the door. Why? It heard a dog bark outside!";

struct Scores {
    std::vector<float> info, refAttn, causalAttn;
};

Scores scoreIds(const std::vector<int> &ids)
{
    auto model = Model::load(kModel);
    if (!model)
        qFatal("%s", model.error().detail.c_str());
    ScoreRequest req;
    req.wantLayerColumnSums = true;
    req.wantCausalColumnMeans = true;
    auto r = model->score({ids}, req);
    if (!r)
        qFatal("%s", r.error().detail.c_str());
    const auto &s = r->sequences[0];
    const std::size_t n = ids.size();
    Scores out;
    out.info = s.surprisal;
    out.refAttn.assign(n, 0.0f);
    out.causalAttn.assign(n, 0.0f);
    for (int l = 0; l < r->layers; ++l)
        for (std::size_t k = 0; k < n; ++k) {
            out.refAttn[k] += s.layerColumnSums[l * n + k];
            out.causalAttn[k] += s.causalColumnMeans[l * n + k] / r->layers;
        }
    for (auto &v : out.refAttn)
        v /= static_cast<float>(r->layers * r->heads - 1);
    return out;
}

std::vector<float> minMax(std::vector<float> v)
{
    const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
    const float a = *lo, b = *hi;
    for (auto &x : v)
        x = b - a > 1e-8f ? (x - a) / (b - a) : 0.0f;
    return v;
}

// Fused score over positions 1..n-1 (index 0 of the result is position 1).
std::vector<float> fuse(const Scores &s, bool attention, bool multiplicative, bool causal,
                        double alpha = 0.8)
{
    std::vector<float> info(s.info.begin() + 1, s.info.end());
    if (!attention)
        return info;
    const auto &src = causal ? s.causalAttn : s.refAttn;
    std::vector<float> attn(src.begin() + 1, src.end());
    std::vector<float> out(info.size());
    if (multiplicative) {
        for (std::size_t i = 0; i < out.size(); ++i)
            out[i] = info[i] * attn[i];
        return out;
    }
    const auto in = minMax(info), an = minMax(attn);
    for (std::size_t i = 0; i < out.size(); ++i)
        out[i] = static_cast<float>(alpha) * an[i] + static_cast<float>(1 - alpha) * in[i];
    return out;
}

// Positions (1-based into the sequence) of the top k scores.
std::set<int> topK(const std::vector<float> &score, long k)
{
    std::vector<int> order(score.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return score[a] > score[b]; });
    std::set<int> out;
    for (long j = 0; j < k && j < static_cast<long>(order.size()); ++j)
        out.insert(order[j] + 1);
    return out;
}

std::vector<int> encode(const std::string &text)
{
    auto tok = Tokenizer::load(kModel);
    if (!tok)
        qFatal("%s", tok.error().detail.c_str());
    auto ids = tok->encodeIds(text);
    return std::vector<int>(ids->begin(), ids->end());
}

CompressionResult run(const std::string &variant, double rate, CompressionMode mode,
                      std::map<std::string, std::string> params = {},
                      const std::string &method = "dac")
{
    auto c = createCompressor(method);
    if (!c)
        qFatal("%s", c.error().detail.c_str());
    CompressOptions o;
    o.method = method;
    o.rate = rate;
    o.mode = mode;
    o.model = kModel;
    o.params = std::move(params);
    if (!variant.empty())
        o.params["variant"] = variant;
    auto r = (*c)->compress(Prompt::fromText(kText), o, JobContext::none());
    if (!r)
        qFatal("%s", r.error().detail.c_str());
    return r.value();
}

std::set<int> keptPositions(const CompressionResult &r)
{
    std::set<int> out;
    for (int u = 0; u < static_cast<int>(r.units.size()); ++u)
        if (r.units[u].kept)
            out.insert(u);
    return out;
}

const ScoreSeries *stageSeries(const Stage &s, const std::string &name)
{
    for (const auto &x : s.scores)
        if (x.name == name)
            return &x;
    return nullptr;
}
} // namespace

class TestDac : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        if (!std::filesystem::exists(kModel + "/model.safetensors"))
            QSKIP("TERSE_SHARED_DIR has no parity/models/tiny-gpt2");
    }

    void singlePassReference_data()
    {
        QTest::addColumn<QString>("variant");
        QTest::addColumn<QString>("fusion");
        QTest::addColumn<double>("rate");
        QTest::newRow("ppl 0.5") << "ppl"
                                 << "additive" << 0.5;
        QTest::newRow("attn_ppl additive 0.5") << "attn_ppl"
                                               << "additive" << 0.5;
        QTest::newRow("attn_ppl additive 0.3") << "attn_ppl"
                                               << "additive" << 0.3;
        QTest::newRow("attn_ppl multiplicative 0.6") << "attn_ppl"
                                                     << "multiplicative" << 0.6;
    }

    void singlePassReference()
    {
        QFETCH(QString, variant);
        QFETCH(QString, fusion);
        QFETCH(double, rate);
        const auto ids = encode(kText);
        const Scores s = scoreIds(ids);
        const long m = static_cast<long>(ids.size()) - 1;
        const long k = std::max(1L, static_cast<long>(m * rate)); // int(m * (1 - R))
        auto expected = topK(fuse(s, variant != "ppl", fusion == "multiplicative", false), k);
        expected.insert(0);
        const auto r = run(variant.toStdString(), rate, CompressionMode::Reference,
                           {{"fusion", fusion.toStdString()}});
        QCOMPARE(keptPositions(r), expected);
        QCOMPARE(r.stages.size(), std::size_t(1));
        QCOMPARE(r.tokensOut, k + 1);
    }

    void dynamicReference()
    {
        // Two stages: r = 1 - sqrt(1 - R) each, floor(k) per stage, re-forward in between.
        const double rate = 0.4;
        const auto ids = encode(kText);
        const double stageR = 1.0 - std::pow(rate, 0.5);
        std::vector<int> alive(ids.size());
        std::iota(alive.begin(), alive.end(), 0);
        std::vector<std::vector<float>> before;
        for (int stage = 0; stage < 2; ++stage) {
            std::vector<int> cur;
            for (int p : alive)
                cur.push_back(ids[p]);
            const Scores s = scoreIds(cur);
            before.push_back(s.info);
            const long m = static_cast<long>(cur.size()) - 1;
            const auto top = topK(fuse(s, true, false, false),
                                  std::max(1L, static_cast<long>(m * (1.0 - stageR))));
            std::vector<int> next{alive[0]};
            for (int j : top)
                next.push_back(alive[j]);
            alive = next;
        }
        const auto r = run("dynamic_attn_ppl", rate, CompressionMode::Reference, {{"stages", "2"}});
        QCOMPARE(keptPositions(r), std::set<int>(alive.begin(), alive.end()));
        QCOMPARE(r.stages.size(), std::size_t(2));
        // Stage 2's "entropy_before" is the re-forward after stage 1: the entropy shift is visible.
        const ScoreSeries *after1 = stageSeries(r.stages[0], "entropy_after");
        const ScoreSeries *before2 = stageSeries(r.stages[1], "entropy_before");
        QVERIFY(after1 && before2);
        for (std::size_t u = 0; u < r.units.size(); ++u)
            QVERIFY((std::isnan(after1->values[u]) && std::isnan(before2->values[u])) ||
                    after1->values[u] == before2->values[u]);
        int shifted = 0;
        const ScoreSeries *before1 = stageSeries(r.stages[0], "entropy_before");
        for (std::size_t u = 1; u < r.units.size(); ++u)
            if (!std::isnan(after1->values[u]) &&
                std::abs(after1->values[u] - before1->values[u]) > 1e-4f)
                ++shifted;
        QVERIFY(shifted > 0);
    }

    void consecutiveReference()
    {
        // _wosucce: every second token of each run of adjacent deletions comes back (compressor.py
        // 272-284).
        const double rate = 0.3;
        const auto ids = encode(kText);
        const Scores s = scoreIds(ids);
        const long m = static_cast<long>(ids.size()) - 1;
        const auto top =
            topK(fuse(s, true, false, false), std::max(1L, static_cast<long>(m * rate)));
        std::set<int> expected(top);
        expected.insert(0);
        int runLength = 0;
        for (int p = 1; p <= m; ++p) {
            if (top.count(p)) {
                runLength = 0;
                continue;
            }
            ++runLength;
            if (runLength % 2 == 0)
                expected.insert(p);
        }
        const auto r =
            run("dynamic_attn_ppl_wosucce", rate, CompressionMode::Reference, {{"stages", "1"}});
        QCOMPARE(keptPositions(r), expected);
        for (int p = 1; p + 1 < static_cast<int>(ids.size()); ++p)
            QVERIFY(expected.count(p) || expected.count(p + 1));
    }

    void punctuation()
    {
        auto tok = Tokenizer::load(kModel);
        const auto ids = encode(kText);
        std::set<int> punct;
        for (std::size_t p = 1; p < ids.size(); ++p) {
            const std::string t = tok->decode({ids[p]}).value();
            if (t.find_first_not_of(" ") != std::string::npos &&
                std::all_of(t.begin(), t.end(), [](char c) {
                    return c == ' ' || std::ispunct(static_cast<unsigned char>(c));
                }))
                punct.insert(static_cast<int>(p));
        }
        QVERIFY(punct.size() >= 4);
        const auto kept = keptPositions(
            run("attn_ppl", 0.3, CompressionMode::Corrected, {{"preserve_punct", "true"}}));
        for (int p : punct)
            QVERIFY(kept.count(p));
        // The reference's _wosucce subtracts the bonus: punctuation goes first (before the
        // restore).
        const auto ref = run("dynamic_attn_ppl_wosucce", 0.7, CompressionMode::Reference,
                             {{"preserve_punct", "true"}, {"stages", "1"}});
        const ScoreSeries *restored = stageSeries(ref.stages[0], "restored");
        QVERIFY(restored);
        for (int p : punct)
            QVERIFY(
                !std::isnan(restored->values[p])); // deleted by the top-k (perhaps restored after)
    }

    void corrected_data()
    {
        QTest::addColumn<QString>("variant");
        QTest::addColumn<double>("rate");
        QTest::newRow("attn_ppl 0.5") << "attn_ppl" << 0.5;
        QTest::newRow("dynamic_attn_ppl 0.33") << "dynamic_attn_ppl" << 0.33;
        QTest::newRow("dynamic_ppl 0.7") << "dynamic_ppl" << 0.7;
        QTest::newRow("wosucce 0.6") << "dynamic_attn_ppl_wosucce" << 0.6;
        QTest::newRow("wosucce 0.3") << "dynamic_attn_ppl_wosucce" << 0.3;
    }

    void corrected()
    {
        QFETCH(QString, variant);
        QFETCH(double, rate);
        const auto ids = encode(kText);
        const long n = static_cast<long>(ids.size());
        const auto r =
            run(variant.toStdString(), rate, CompressionMode::Corrected, {{"stages", "3"}});
        // Issue 14: whole words, the rate met in the target tokenizer, the first word kept.
        QVERIFY2(testing::meetsTargetRate(r, rate),
                 (std::to_string(r.targetTokensOut) + " of " + std::to_string(r.targetTokensIn))
                     .c_str());
        QVERIFY(testing::unitsKeepWholeWords(r));
        QVERIFY(testing::piecesSubsequence(r.compressedText, kText));
        QVERIFY(r.units[0].kept);
        // The trace accounts for every removed unit exactly once, in the stage that dropped it.
        std::multiset<int> removed;
        for (std::size_t s = 0; s < r.stages.size(); ++s)
            for (int u : r.stages[s].removedUnits) {
                removed.insert(u);
                QVERIFY(!r.units[u].kept);
                if (r.stages.size() > 1)
                    QCOMPARE(r.units[u].stage, static_cast<int>(s));
            }
        QCOMPARE(static_cast<long>(removed.size()), n - r.tokensOut);
        QCOMPARE(static_cast<long>(std::set<int>(removed.begin(), removed.end()).size()),
                 n - r.tokensOut);
    }

    void signalBaselines()
    {
        const auto ids = encode(kText);
        const long n = static_cast<long>(ids.size());
        const Scores s = scoreIds(ids);
        const long k = std::lround(0.4 * n);
        auto ent = topK(std::vector<float>(s.info.begin() + 1, s.info.end()), k - 1);
        ent.insert(0);
        // Token-level top-k is reference mode's decision (corrected mode keeps whole words).
        QCOMPARE(keptPositions(run("", 0.4, CompressionMode::Reference, {}, "entropy_only")), ent);
        std::vector<float> attn(s.causalAttn);
        std::set<int> att;
        for (int p : topK(attn, k))
            att.insert(p - 1);
        QCOMPARE(keptPositions(run("", 0.4, CompressionMode::Reference, {}, "attention_only")),
                 att);
    }

    void badOptions()
    {
        auto c = createCompressor("dac");
        CompressOptions o;
        o.method = "dac";
        o.model = kModel;
        o.params["variant"] = "nope";
        QVERIFY(!(*c)->compress(Prompt::fromText(kText), o, JobContext::none()));
        o.params = {{"alpha", "2"}};
        QVERIFY(!(*c)->compress(Prompt::fromText(kText), o, JobContext::none()));
    }
};

QTEST_GUILESS_MAIN(TestDac)
#include "test_dac.moc"
