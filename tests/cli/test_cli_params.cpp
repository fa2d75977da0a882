// Issue 6: `terse compress` method options: --param validated against the method's option specs
// (exact messages, exit 2), `--method M --help`, bad --model paths, and the exit codes in `terse
// --help`.
#include "cli_test_util.h"

#include <QtTest>

#include <cmath>

using namespace cli_test;

class TestCliParams : public QObject {
    Q_OBJECT
private slots:
    void optionErrors_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("message");
        QTest::newRow("unknown method")
            << QStringList{"compress", "--jsonl", "--method", "zip"} << 4
            << "terse: unknown method 'zip' (known: random, head, tail, head_tail, "
               "selective_context, llmlingua2, llmlingua, longllmlingua, dac, pis, "
               "entropy_only, attention_only)\n";
        QTest::newRow("rate 1.5")
            << QStringList{"compress", "--jsonl", "--rate", "1.5"} << 2
            << "terse: compress: --rate: must be in (0, 1], got 1.5 (see terse compress --help)\n";
        QTest::newRow("unknown param key")
            << QStringList{"compress", "--method", "dac", "--param", "alpah=0.5"} << 2
            << "terse: unknown --param key 'alpah' for dac (valid: variant, fusion, alpha, stages, "
               "preserve_punct, word_score, attention_baseline, question_focus)\n";
        QTest::newRow("param of a method without options")
            << QStringList{"compress", "--method", "random", "--param", "alpha=0.5"} << 2
            << "terse: unknown --param key 'alpha' for random (random has no options)\n";
        QTest::newRow("param out of range")
            << QStringList{"compress", "--method", "dac", "--param", "alpha=3"} << 2
            << "terse: --param alpha of dac must be in [0, 1], got 3\n";
        QTest::newRow("param not a number")
            << QStringList{"compress", "--method", "dac", "--param", "alpha=high"} << 2
            << "terse: --param alpha of dac expects a number, got 'high'\n";
        QTest::newRow("param choice")
            << QStringList{"compress", "--method", "dac", "--param", "fusion=max"} << 2
            << "terse: --param fusion of dac must be one of additive, multiplicative, "
               "got 'max'\n";
        QTest::newRow("param without =")
            << QStringList{"compress", "--method", "dac", "--param", "alpha"} << 2
            << "terse: --param expects KEY=VALUE, got 'alpha'\n";
        QTest::newRow("missing model path")
            << QStringList{"compress", "--method", "selective_context", "--model",
                           "/nonexistent/model"}
            << 4 << "terse: --model '/nonexistent/model' does not exist\n";
    }

    void optionErrors()
    {
        QFETCH(QStringList, args);
        QFETCH(int, code);
        QFETCH(QString, message);
        const Run r = terse(args, "{\"prompt\": \"a b c\"}\n");
        QCOMPARE(r.err, message);
        QCOMPARE(r.code, code);
        QVERIFY(r.out.isEmpty());
    }

    void methodHelpListsOptions()
    {
        const Run r = terse({"compress", "--method", "dac", "--help"});
        QCOMPARE(r.code, 0);
        QVERIFY(r.out.startsWith(QStringLiteral("dac (DAC): ")));
        QVERIFY(r.out.contains(QStringLiteral("  alpha  (number in [0, 1]; default '0.8')\n")));
        QVERIFY(r.out.contains(
            QStringLiteral("  fusion  (additive|multiplicative; default 'additive')\n")));
        const Run none = terse({"compress", "--method", "random", "--help"});
        QVERIFY(none.out.contains(QStringLiteral("This method has no options.")));
        const Run general = terse({"compress", "--help"});
        QVERIFY(general.out.contains(QStringLiteral("--param KEY=VALUE")));
        QVERIFY(general.out.contains(QStringLiteral("--skip-errors")));
    }

    void helpDocumentsExitCodes()
    {
        const Run r = terse({"--help"});
        QVERIFY(r.out.contains(QStringLiteral("models")));
        QVERIFY(r.out.contains(QStringLiteral("bench")));
        QVERIFY(r.out.contains(QStringLiteral("5 batch or bench finished but skipped bad")));
    }
};

QTEST_GUILESS_MAIN(TestCliParams)
#include "test_cli_params.moc"
