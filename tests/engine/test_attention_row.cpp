// Model::attentionRow and textAttentionRow (the app's attention view, issue #8): the row of one
// layer and head is a causal probability distribution, equals the display matrix of Model::score,
// and bad layer, head or position values are refused with a message.
#include "terse/attention.h"
#include "terse/model.h"
#include "terse/resources.h"
#include "terse/tokenizer.h"

#include <QtTest>

#include <cmath>
#include <filesystem>
#include <numeric>

using namespace terse;

class TestAttentionRow : public QObject {
    Q_OBJECT
    std::string m_path = std::string(TERSE_SHARED_DIR) + "/parity/models/tiny-gpt2-pos2048";

private slots:
    void initTestCase()
    {
        if (!std::filesystem::exists(m_path))
            QSKIP("tiny-gpt2-pos2048 is not in TERSE_SHARED_DIR/parity/models");
    }

    void rowMatchesScoreAndIsCausal()
    {
        const std::string text = "The captain checks the weather report and signs the manifest.";
        const std::size_t byte = text.find("signs");
        auto a = textAttentionRow(m_path, text, byte, 1, 0);
        QVERIFY2(a, a ? "" : a.error().detail.c_str());
        QVERIFY(a->layers > 1 && a->heads > 0);
        QCOMPARE(a->weights.size(), a->spans.size());
        QVERIFY(a->spans[a->query].begin <= byte && byte < a->spans[a->query].end);
        const double sum =
            std::accumulate(a->weights.begin(), a->weights.begin() + a->query + 1, 0.0);
        QVERIFY2(std::abs(sum - 1.0) < 1e-4, qPrintable(QString::number(sum)));
        for (std::size_t k = a->query + 1; k < a->weights.size(); ++k)
            QCOMPARE(a->weights[k], 0.0f);

        // The same numbers as the display matrix of a plain score() call.
        auto model = Model::load(m_path);
        QVERIFY(model);
        auto tok = Tokenizer::load(m_path);
        QVERIFY(tok);
        auto enc = tok->encode(text, false);
        QVERIFY(enc);
        std::vector<int> ids(enc->ids.begin(), enc->ids.end());
        ScoreRequest req;
        req.displayLayer = 1;
        req.displayHead = 0;
        auto s = model->score({ids}, req);
        QVERIFY(s);
        const auto &m = s->sequences[0].displayMatrix;
        for (std::size_t k = 0; k < ids.size(); ++k)
            QVERIFY(std::abs(m[a->query * ids.size() + k] - a->weights[k]) < 1e-6f);

        // Head -1 is the sum over heads.
        auto sumRow = model->attentionRow(ids, 1, -1, a->query);
        QVERIFY(sumRow);
        double total = std::accumulate(sumRow->begin(), sumRow->end(), 0.0);
        QVERIFY(std::abs(total - a->heads) < 1e-3);
    }

    // Issue 20: a prompt longer than the model's window gets the row of the window that ends at the
    // word.
    void longTextUsesTheWindowEndingAtTheQuery()
    {
        auto lm = defaultModelPath(DefaultModel::CausalLM);
        if (!lm)
            QSKIP("the bundled LM is not available");
        std::string text;
        for (int i = 0; i < 120; ++i)
            text += "The ferry leaves the north pier at 07:40 on weekdays. ";
        const std::size_t byte = text.rfind("pier");
        auto a = textAttentionRow(*lm, text, byte, 0, -1);
        QVERIFY2(a, a ? "" : a.error().detail.c_str());
        auto model = Model::load(*lm);
        QVERIFY(model);
        const int window = model->info().maxPositions;
        QVERIFY(static_cast<int>(a->spans.size()) > window); // the case that was refused
        QCOMPARE(a->windowStart, a->query - window + 1);
        QCOMPARE(a->weights.size(), a->spans.size());
        for (int k = 0; k < a->windowStart; ++k)
            QCOMPARE(a->weights[static_cast<std::size_t>(k)], 0.0f);
        const double sum =
            std::accumulate(a->weights.begin() + a->windowStart, a->weights.end(), 0.0);
        QVERIFY2(std::abs(sum - a->heads) < 1e-3,
                 qPrintable(QString::number(sum))); // summed over heads
    }

    void badArgumentsAreRefused()
    {
        const std::string text = "Short text.";
        QVERIFY(!textAttentionRow(m_path, text, text.size(), 0, 0));
        QVERIFY(!textAttentionRow(m_path, "", 0, 0, 0));
        auto layer = textAttentionRow(m_path, text, 0, 99, 0);
        QVERIFY(!layer);
        QVERIFY(layer.error().detail.find("layer 99") != std::string::npos);
        auto head = textAttentionRow(m_path, text, 0, 0, 99);
        QVERIFY(!head);
        QVERIFY(head.error().detail.find("head 99") != std::string::npos);
        QVERIFY(!textAttentionRow("/nonexistent/model", text, 0, 0, 0));
    }
};

QTEST_GUILESS_MAIN(TestAttentionRow)
#include "test_attention_row.moc"
