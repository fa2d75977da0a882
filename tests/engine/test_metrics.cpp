// ROUGE, BLEU, keep-F1 and answer retention against hand-computed values.
#include "terse/metrics.h"

#include <QtTest>

#include <cmath>

using namespace terse;

class TestMetrics : public QObject {
    Q_OBJECT
private slots:
    void tokens()
    {
        const auto t = metricTokens("The cat's HAT, 3.5 café!");
        QCOMPARE(t, (std::vector<std::string>{"the", "cat", "s", "hat", "3", "5", "café"}));
    }

    void rouge1()
    {
        // cand: the cat sat on the mat (6) / ref: the cat is on the mat (6): overlap the×2, cat,
        // on, mat = 5.
        const auto s = rougeN("the cat sat on the mat", "the cat is on the mat", 1);
        QCOMPARE(s.precision, 5.0 / 6);
        QCOMPARE(s.recall, 5.0 / 6);
        QCOMPARE(s.f1, 5.0 / 6);
        // Clipping: "the the the" vs "the cat": overlap 1 of 3 candidate unigrams.
        const auto c = rougeN("the the the", "the cat", 1);
        QCOMPARE(c.precision, 1.0 / 3);
        QCOMPARE(c.recall, 1.0 / 2);
    }

    void rouge2()
    {
        // Bigrams cand: the-cat cat-sat sat-on on-the the-mat; ref: the-cat cat-is is-on on-the
        // the-mat.
        const auto s = rougeN("the cat sat on the mat", "the cat is on the mat", 2);
        QCOMPARE(s.precision, 3.0 / 5);
        QCOMPARE(s.recall, 3.0 / 5);
    }

    void rougeLUsesTheLongestCommonSubsequence()
    {
        // LCS("a b c d e", "a x c y e") = a c e = 3.
        const auto s = rougeL("a b c d e", "a x c y e f");
        QCOMPARE(s.precision, 3.0 / 5);
        QCOMPARE(s.recall, 3.0 / 6);
        QCOMPARE(s.f1, 2 * 0.6 * 0.5 / 1.1);
        QCOMPARE(rougeL("", "a").f1, 0.0);
    }

    void bleuByHand()
    {
        QCOMPARE(bleu("a b c d", "a b c d"), 1.0);
        // cand "a b c d" vs ref "a b c d e f": all precisions 1, BP = exp(1 - 6/4).
        QVERIFY(std::abs(bleu("a b c d", "a b c d e f") - std::exp(1.0 - 1.5)) < 1e-12);
        // cand "a b x d" vs ref "a b c d": p1 = 3/4, p2 = 1/3 (a-b), p3 = 0 -> 0.1/2, p4 = 0 ->
        // 0.1/1.
        const double expected =
            std::exp((std::log(0.75) + std::log(1.0 / 3) + std::log(0.05) + std::log(0.1)) / 4);
        QVERIFY(std::abs(bleu("a b x d", "a b c d") - expected) < 1e-12);
        QCOMPARE(bleu("a b x d", "a b c d", 4, BleuSmoothing::None), 0.0);
        QCOMPARE(bleu("", "a b"), 0.0);
    }

    void keepF1ByHand()
    {
        const auto s = keepF1({true, true, false, false}, {true, false, true, false});
        QCOMPARE(s.precision, 0.5);
        QCOMPARE(s.recall, 0.5);
        QCOMPARE(s.f1, 0.5);
        QCOMPARE(keepF1({false, false}, {true, true}).f1, 0.0);
    }

    void answerRetention()
    {
        QVERIFY(answerRetained("In 1969, the Apollo 11 crew landed.", {"Apollo 11"}));
        QVERIFY(answerRetained("They met The Beatles.", {"beatles"})); // articles ignored
        QVERIFY(!answerRetained("Apollo 110 flew.", {"Apollo 11"}));   // whole words only
        QVERIFY(!answerRetained("nothing here", {"", "answer"}));
    }
};

QTEST_GUILESS_MAIN(TestMetrics)
#include "test_metrics.moc"
