// Baseline compressors (random, head, tail, head_tail): exact budgets, seeds, pins, faithfulness,
// re-thresholding and cancellation.
#include "terse/compressor.h"

#include <QtTest>

using namespace terse;

namespace {
const std::string kText = "one two three four five six seven eight nine ten";

CompressionResult run(const std::string &method, double rate, std::uint64_t seed = 42,
                      std::vector<PinnedSpan> pins = {})
{
    auto c = createCompressor(method);
    if (!c)
        qFatal("%s", c.error().detail.c_str());
    CompressOptions o;
    o.method = method;
    o.rate = rate;
    o.seed = seed;
    o.pinned = std::move(pins);
    auto r = (*c)->compress(Prompt::fromText(kText), o, JobContext::none());
    if (!r)
        qFatal("%s", r.error().detail.c_str());
    return r.value();
}

// True if `sub` can be obtained from `text` by deleting characters.
bool isSubsequence(const std::string &sub, const std::string &text)
{
    std::size_t j = 0;
    for (char c : text)
        if (j < sub.size() && sub[j] == c)
            ++j;
    return j == sub.size();
}
} // namespace

class TestBaselines : public QObject {
    Q_OBJECT
private slots:
    void truncation_data()
    {
        QTest::addColumn<QString>("method");
        QTest::addColumn<double>("rate");
        QTest::addColumn<QString>("expected");
        QTest::newRow("head 0.3") << "head" << 0.3 << "one two three";
        QTest::newRow("tail 0.3") << "tail" << 0.3 << "eight nine ten";
        QTest::newRow("head_tail 0.4") << "head_tail" << 0.4 << "one two nine ten";
        QTest::newRow("head 1.0") << "head" << 1.0 << QString::fromStdString(kText);
        QTest::newRow("head 0.01") << "head" << 0.01 << "";
    }

    void truncation()
    {
        QFETCH(QString, method);
        QFETCH(double, rate);
        QFETCH(QString, expected);
        const auto r = run(method.toStdString(), rate);
        QCOMPARE(QString::fromStdString(r.compressedText), expected);
        QCOMPARE(r.tokensIn, 10L);
    }

    void randomMeetsTheRateAndIsSeeded()
    {
        for (double rate : {0.1, 0.3, 0.5, 0.7, 0.9}) {
            const auto a = run("random", rate, 1);
            QCOMPARE(a.tokensOut, std::lround(rate * 10));
            QCOMPARE(a.achievedRate, static_cast<double>(a.tokensOut) / 10.0);
            QVERIFY(isSubsequence(a.compressedText, kText));
        }
        QCOMPARE(run("random", 0.5, 1).compressedText, run("random", 0.5, 1).compressedText);
        QVERIFY(run("random", 0.5, 1).compressedText != run("random", 0.5, 2).compressedText);
    }

    void pinsAreHonoured()
    {
        // Pin "ten" (bytes 45..48) to keep and "one" (0..3) to drop under head truncation.
        const auto r = run("head", 0.3, 42, {{0, {45, 48}, true}, {0, {0, 3}, false}});
        QCOMPARE(QString::fromStdString(r.compressedText), QStringLiteral("two three ten"));
        QCOMPARE(r.tokensOut, 3L);
    }

    void rethresholdEqualsAFreshRun()
    {
        auto c = createCompressor("random");
        CompressOptions o;
        o.method = "random";
        o.rate = 0.5;
        auto first = (*c)->compress(Prompt::fromText(kText), o, JobContext::none());
        QVERIFY(first.ok());
        CompressOptions next = o;
        next.rate = 0.2;
        QVERIFY((*c)->canRethreshold(*first, o, next));
        auto re = (*c)->rethreshold(*first, next);
        QVERIFY(re.ok());
        QCOMPARE(re->compressedText, run("random", 0.2, 42).compressedText);
        CompressOptions reseeded = next;
        reseeded.seed = 9;
        QVERIFY(!(*c)->canRethreshold(*first, o, reseeded));
    }

    void instructionAndQuestionStayVerbatim()
    {
        Prompt p;
        p.segments = {{SegmentRole::Instruction, "Answer briefly."},
                      {SegmentRole::Context, kText},
                      {SegmentRole::Question, "Which number?"}};
        auto c = createCompressor("tail");
        CompressOptions o;
        o.method = "tail";
        o.rate =
            0.5; // 16 units in all: keep 8; 6 are fixed (instruction, question), so 2 context words
        auto r = (*c)->compress(p, o, JobContext::none());
        QVERIFY(r.ok());
        QCOMPARE(QString::fromStdString(r->compressedText),
                 QStringLiteral("Answer briefly.\n\nnine ten\n\nWhich number?"));
    }

    void badOptionsAreRejected_data()
    {
        QTest::addColumn<double>("rate");
        QTest::addColumn<QString>("message");
        QTest::newRow("zero") << 0.0 << "rate must be in (0, 1]";
        QTest::newRow("above one") << 1.5 << "rate must be in (0, 1]";
        QTest::newRow("nan") << std::nan("") << "rate must be in (0, 1]";
    }

    void badOptionsAreRejected()
    {
        QFETCH(double, rate);
        QFETCH(QString, message);
        auto c = createCompressor("head");
        CompressOptions o;
        o.rate = rate;
        auto r = (*c)->compress(Prompt::fromText(kText), o, JobContext::none());
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, ErrorCode::InvalidArgument);
        QVERIFY(QString::fromStdString(r.error().detail).contains(message));
    }

    void unknownMethodListsTheKnownOnes()
    {
        auto c = createCompressor("nope");
        QVERIFY(!c.ok());
        QCOMPARE(c.error().code, ErrorCode::NotFound);
        QVERIFY(QString::fromStdString(c.error().detail)
                    .contains(QStringLiteral("known: random, head")));
    }

    void cancelledJobReturnsCancelled()
    {
        JobContext job;
        job.cancel();
        auto c = createCompressor("random");
        CompressOptions o;
        auto r = (*c)->compress(Prompt::fromText(kText), o, job);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, ErrorCode::Cancelled);
    }

    void jsonCarriesUnitsAndScores()
    {
        const auto r = run("head", 0.5);
        const QJsonDocument doc =
            QJsonDocument::fromJson(QByteArray::fromStdString(resultToJson(r)));
        QVERIFY(doc.isObject());
        const QJsonObject o = doc.object();
        QCOMPARE(o["method"].toString(), QStringLiteral("head"));
        QCOMPARE(o["tokens_out"].toInt(), 5);
        QCOMPARE(o["units"].toArray().size(), 10);
        QCOMPARE(o["units"].toArray()[0].toObject()["text"].toString(), QStringLiteral("one "));
        QCOMPARE(o["scores"].toObject()["score"].toArray().size(), 10);
    }
};

QTEST_GUILESS_MAIN(TestBaselines)
#include "test_baselines.moc"
