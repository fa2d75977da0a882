// PIS: seeded Russian roulette (same seed, same output; another seed, another output), uniform
// allocation with a warning when there is no agent, the exact rate, an agent trained in-process
// round-tripping through safetensors with identical decisions, and real prompts (subsequence, rate
// within 1%/2 tokens).
#include "compressors/pis_agent.h"
#include "terse/compressor.h"
#include "terse/train.h"

#include "real_prompts.h"

#include <QTemporaryDir>
#include "whole_words_check.h"

#include <QtTest>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>

using namespace terse;
using namespace terse::testing;

namespace {
const std::string kModel = sharedDir() + "/parity/models/tiny-gpt2-pos2048";
// Repeated sentences make the sentence filter draw.
const std::string kRedundant =
    "The meeting starts at nine. The meeting starts at nine. The meeting starts at nine. "
    "The meeting starts at nine. Bring the budget report. The meeting starts at nine. "
    "The meeting starts at nine. We will review the plan. The meeting starts at nine. "
    "The meeting starts at nine. Lunch is at noon.";

Result<CompressionResult> runPis(const std::string &text, double rate, std::uint64_t seed,
                                 std::map<std::string, std::string> params = {})
{
    auto c = createCompressor("pis");
    if (!c)
        return c.error();
    CompressOptions o;
    o.method = "pis";
    o.model = kModel;
    o.rate = rate;
    o.seed = seed;
    o.params = std::move(params);
    return (*c)->compress(Prompt::fromText(text), o, JobContext::none());
}

std::vector<bool> mask(const CompressionResult &r)
{
    std::vector<bool> m;
    for (const auto &u : r.units)
        m.push_back(u.kept);
    return m;
}

} // namespace

class TestPis : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        if (!std::filesystem::exists(kModel + "/model.safetensors"))
            QSKIP("TERSE_SHARED_DIR has no parity/models/tiny-gpt2-pos2048");
        if (std::filesystem::exists(kModel + "/pis_agent.safetensors"))
            QSKIP("a pis_agent.safetensors lies beside the shared model: the no-agent cases cannot "
                  "run");
    }

    void seeds()
    {
        // τ = 0.5: every repeat is redundant, so the draws decide which repeats go.
        const std::map<std::string, std::string> p = {{"tau", "0.5"}};
        auto a = runPis(kRedundant, 0.4, 1, p), b = runPis(kRedundant, 0.4, 1, p);
        QVERIFY(a && b);
        QCOMPARE(mask(*a), mask(*b));
        QCOMPARE(a->compressedText, b->compressedText);
        bool differs = false;
        for (std::uint64_t seed = 2; seed < 12 && !differs; ++seed) {
            auto c = runPis(kRedundant, 0.4, seed, p);
            QVERIFY(c);
            differs = mask(*c) != mask(*a);
        }
        QVERIFY(differs);
    }

    // TF-IDF (algorithms.md 2.2 step 3), with the bundled model's tokenizer. Reference mode counts
    // TF over the whole prompt: "the" (5 of the prompt's words, in both sentences: idf ln(3/3) + 1
    // = 1) outranks "paid" (1 word, in one sentence: idf ln(3/2) + 1 = 1.405). Corrected mode
    // counts TF in the word's sentence (the IDF's documents): in "Tom paid 42 to the shop." paid's
    // 1/n x 1.405 beats the's 1/n x 1.
    void tfidfCountsWithinSentences()
    {
        const std::string text =
            "the cat and the dog and the bird and the fish sat. Tom paid 42 to the shop.";
        // The last unit spelling `word` (for "the": the one in the second sentence).
        auto score = [&](CompressionMode mode, const std::string &word) {
            auto c = createCompressor("pis");
            CompressOptions o;
            o.method = "pis";
            o.model = ""; // the bundled terse-lm (a real BPE: one token per word here)
            o.rate = 0.5;
            o.mode = mode;
            auto r = (*c)->compress(Prompt::fromText(text), o, JobContext::none());
            if (!r)
                return -1.0f;
            float found = -2.0f;
            for (const auto &series : r->scores)
                if (series.name == "tfidf")
                    for (std::size_t i = 0; i < r->units.size(); ++i) {
                        const Unit &u = r->units[i];
                        std::string t =
                            r->segments[static_cast<std::size_t>(u.segment)].text.substr(
                                u.span.begin, u.span.size());
                        t.erase(0, t.find_first_not_of(' '));
                        if (t == word)
                            found = series.values[i];
                    }
            return found;
        };
        const float refThe = score(CompressionMode::Reference, "the");
        const float refPaid = score(CompressionMode::Reference, "paid");
        const float corThe = score(CompressionMode::Corrected, "the");
        const float corPaid = score(CompressionMode::Corrected, "paid");
        QVERIFY2(
            refThe >= 0 && refPaid >= 0 && corThe >= 0 && corPaid >= 0,
            qPrintable(QString("%1 %2 %3 %4").arg(refThe).arg(refPaid).arg(corThe).arg(corPaid)));
        QVERIFY2(refThe > refPaid, qPrintable(QString("%1 vs %2").arg(refThe).arg(refPaid)));
        QVERIFY2(corPaid > corThe, qPrintable(QString("%1 vs %2").arg(corPaid).arg(corThe)));
    }

    void uniformWithoutAgent_data()
    {
        QTest::addColumn<double>("rate");
        QTest::newRow("0.2") << 0.2;
        QTest::newRow("0.5") << 0.5;
        QTest::newRow("0.95") << 0.95;
    }

    void uniformWithoutAgent()
    {
        QFETCH(double, rate);
        auto r = runPis(kRedundant, rate, 42);
        QVERIFY2(r, r ? "" : r.error().detail.c_str());
        QVERIFY(testing::hasWarning(*r, "no_agent"));
        QVERIFY(testing::meetsTargetRate(*r, rate));
        QVERIFY(testing::unitsKeepWholeWords(*r));
        QVERIFY(testing::piecesSubsequence(r->compressedText, kRedundant));
        long removed = 0;
        for (const auto &s : r->stages)
            removed += static_cast<long>(s.removedUnits.size());
        QCOMPARE(removed, r->tokensIn - r->tokensOut);
    }

    void agentRoundTrip()
    {
        QTemporaryDir dir;
        PisAgentTrainOptions o;
        o.model = kModel;
        o.data = {sharedDir() + "/data/gsm8k/train.jsonl"};
        o.maxDocuments = 12;
        o.episodes = 2;
        o.batchSize = 16;
        o.outputPath = dir.filePath("agent.safetensors").toStdString();
        auto rep = trainPisAgent(o, JobContext::none());
        QVERIFY2(rep, rep ? "" : rep.error().detail.c_str());
        QVERIFY(rep->reloadedIdentical);
        QVERIFY(std::filesystem::exists(o.outputPath));
        // Decisions from the file are stable across loads and copies, and the warning is gone.
        std::filesystem::copy_file(o.outputPath, dir.filePath("copy.safetensors").toStdString());
        const std::string text = gsm8kCotPrompt();
        auto a = runPis(text, 0.5, 3, {{"agent", o.outputPath}});
        auto b = runPis(text, 0.5, 3, {{"agent", dir.filePath("copy.safetensors").toStdString()}});
        QVERIFY2(a && b, a ? "" : a.error().detail.c_str());
        QCOMPARE(mask(*a), mask(*b));
        QVERIFY(!testing::hasWarning(*a, "no_agent"));
        QVERIFY(testing::meetsTargetRate(*a, 0.5));
        // A damaged file is refused with a clear error.
        {
            std::ofstream bad(dir.filePath("bad.safetensors").toStdString());
            bad << "not a safetensors file";
        }
        auto c = runPis(text, 0.5, 3, {{"agent", dir.filePath("bad.safetensors").toStdString()}});
        QVERIFY(!c);
    }

    // PIS reads its agent through the shared load: one network per file until the file changes.
    // All sentences' actions come from one batched forward, equal to one state at a time.
    void sharedAgentAndBatchedActions()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("agent.safetensors").toStdString();
        QVERIFY(detail::PisAgent::create(10, 7, 32, 3).save(path));
        auto a = detail::PisAgent::loadShared(path);
        auto b = detail::PisAgent::loadShared(path);
        QVERIFY2(a && b, a ? "" : a.error().detail.c_str());
        QCOMPARE(a->impl().get(), b->impl().get());
        QVERIFY(detail::PisAgent::create(10, 8, 32, 3).save(path));
        std::filesystem::last_write_time(path, std::filesystem::last_write_time(path) +
                                                   std::chrono::seconds(2));
        auto c = detail::PisAgent::loadShared(path);
        QVERIFY(c);
        QVERIFY(c->impl().get() != a->impl().get());
        std::mt19937 rng(1);
        std::normal_distribution<float> normal;
        std::vector<std::vector<float>> states(64, std::vector<float>(10));
        for (auto &st : states)
            for (auto &x : st)
                x = 3.0f * normal(rng);
        const std::vector<int> batched = c->greedyActions(states);
        QCOMPARE(batched.size(), states.size());
        for (std::size_t i = 0; i < states.size(); ++i)
            QCOMPARE(batched[i], c->greedyAction(states[i]));
        QVERIFY(c->greedyActions({}).empty());
        const std::string missing = dir.filePath("none.safetensors").toStdString();
        auto m = detail::PisAgent::loadShared(missing);
        QVERIFY(!m);
        QVERIFY2(m.error().detail.find("none.safetensors") != std::string::npos,
                 m.error().detail.c_str());
    }

    void realPrompts_data()
    {
        QTest::addColumn<QString>("prompt");
        QTest::addColumn<double>("rate");
        QTest::newRow("gsm8k 0.5") << "gsm8k" << 0.5;
        QTest::newRow("gsm8k 0.33") << "gsm8k" << 0.33;
        QTest::newRow("meeting 0.5") << "meeting" << 0.5;
        QTest::newRow("meeting 0.2") << "meeting" << 0.2;
    }

    void realPrompts()
    {
        QFETCH(QString, prompt);
        QFETCH(double, rate);
        const std::string text = prompt == "gsm8k" ? gsm8kCotPrompt() : meetingTranscript();
        QVERIFY(!text.empty());
        auto r = runPis(text, rate, 42);
        QVERIFY2(r, r ? "" : r.error().detail.c_str());
        QVERIFY(testing::piecesSubsequence(r->compressedText, text));
        QVERIFY(testing::unitsKeepWholeWords(*r));
        QVERIFY2(testing::meetsTargetRate(*r, rate),
                 qPrintable(QString("%1 of %2").arg(r->targetTokensOut).arg(r->targetTokensIn)));
        qInfo("%s: %ld -> %ld tokens, %.0f ms", qPrintable(prompt), r->tokensIn, r->tokensOut,
              r->totalMs);
    }
};

QTEST_GUILESS_MAIN(TestPis)
#include "test_pis.moc"
