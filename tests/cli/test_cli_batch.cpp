// Issue 6: JSONL batches of `terse compress`: output lines (summary and --json), the progress bar
// on a non-terminal stderr, bad lines with exact messages (exit 3) and --skip-errors (exit 5).
#include "cli_test_util.h"

#include <QFile>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

#include <cmath>

using namespace cli_test;

namespace {

const QByteArray kBatch = "{\"id\": \"first\", \"prompt\": \"alpha beta gamma delta\"}\n"
                          "\n"
                          "{\"instruction\": \"Answer briefly.\", \"contexts\": [\"one two three "
                          "four\", \"five six seven "
                          "eight\"], \"question\": \"Which?\"}\n"
                          "{\"id\": 7, \"prompt\": \"red green blue white\"}\n";

} // namespace

class TestCliBatch : public QObject {
    Q_OBJECT
private slots:
    void compressesJsonlFile()
    {
        QTemporaryDir dir;
        QFile f(dir.filePath("batch.jsonl"));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(kBatch);
        f.close();
        // A .jsonl file is a batch without --jsonl; stderr is not a terminal: one progress line per
        // 10%.
        const Run r = terse({"compress", "--method", "head", "--rate", "0.5", f.fileName()});
        QCOMPARE(r.code, 0);
        const auto lines = jsonLines(r.out);
        QCOMPARE(lines.size(), 3);
        QCOMPARE(lines[0]["id"].toString(), QStringLiteral("first"));
        QCOMPARE(lines[0]["line"].toInt(), 1);
        QCOMPARE(lines[0]["compressed_text"].toString(), QStringLiteral("alpha beta"));
        QCOMPARE(lines[0]["tokens_in"].toInt(), 4);
        QCOMPARE(lines[0]["tokens_out"].toInt(), 2);
        QCOMPARE(lines[0]["achieved_rate"].toDouble(), 0.5);
        // Line 3 (after a blank line) is structured: instruction and question are kept around the
        // contexts.
        QCOMPARE(lines[1]["id"].toInt(), 3);
        QCOMPARE(lines[1]["line"].toInt(), 3);
        QVERIFY(
            lines[1]["compressed_text"].toString().startsWith(QStringLiteral("Answer briefly.")));
        QVERIFY(lines[1]["compressed_text"].toString().endsWith(QStringLiteral("Which?")));
        QCOMPARE(lines[2]["id"].toInt(), 7);
        QCOMPARE(lines[2]["compressed_text"].toString(), QStringLiteral("red green"));
        QString progress = r.err;
        progress.replace(QRegularExpression(QStringLiteral("(ETA |done in )\\d+s")),
                         QStringLiteral("\\1Ns"));
        QCOMPARE(progress,
                 QStringLiteral("[==========>                   ] 1/3 prompts  ETA Ns\n"
                                "[====================>         ] 2/3 prompts  ETA Ns\n"
                                "[==============================] 3/3 prompts  done in Ns\n"));
    }

    // Issue 20: informational notes (how the method met the request) are summarised once per batch,
    // not printed as a warning for every prompt; the JSON result tells notes from warnings.
    void notesAreSummarisedOncePerBatch()
    {
        QTemporaryDir dir;
        QFile f(dir.filePath("notes.jsonl"));
        QVERIFY(f.open(QIODevice::WriteOnly));
        QFile sample(QStringLiteral(TERSE_SOURCE_DIR "/resources/samples/meeting_notes.txt"));
        QVERIFY(sample.open(QIODevice::ReadOnly));
        const QJsonObject line{{QStringLiteral("prompt"), QString::fromUtf8(sample.readAll())}};
        for (int i = 0; i < 4; ++i) // long enough for LLMLingua-2's chunk note
            f.write(QJsonDocument(line).toJson(QJsonDocument::Compact) + "\n");
        f.close();
        const Run r =
            terse({"compress", "--method", "llmlingua2", "--rate", "0.5", "--quiet", f.fileName()});
        QCOMPARE(r.code, 0);
        QCOMPARE(jsonLines(r.out).size(), 4);
        QVERIFY2(!r.err.contains(QStringLiteral("warning:")), qPrintable(r.err));
        QVERIFY2(r.err.startsWith(
                     QStringLiteral("terse: note: 4 prompt(s) had the note 'chunked', e.g. line 1: "
                                    "the prompt was classified in ")),
                 qPrintable(r.err));
        QCOMPARE(r.err.count(QLatin1Char('\n')), 1);
        const Run one = terse({"compress", "--method", "llmlingua2", "--rate", "0.5", "--json",
                               "--quiet", f.fileName(), "--jsonl"});
        const auto lines = jsonLines(one.out);
        QCOMPARE(lines[0]["warnings"].toArray()[0].toObject()["kind"].toString(),
                 QStringLiteral("note"));
    }

    void jsonBatchCarriesWholeResults()
    {
        const Run r =
            terse({"compress", "--jsonl", "--json", "--quiet", "--method", "tail", "--rate", "0.5"},
                  kBatch);
        QCOMPARE(r.code, 0);
        QVERIFY(r.err.isEmpty()); // --quiet: no progress bar
        const auto lines = jsonLines(r.out);
        QCOMPARE(lines.size(), 3);
        QCOMPARE(lines[0]["id"].toString(), QStringLiteral("first"));
        QCOMPARE(lines[0]["compressed_text"].toString(), QStringLiteral("gamma delta"));
        QCOMPARE(lines[0]["units"].toArray().size(), 4);
        QCOMPARE(lines[0]["method"].toString(), QStringLiteral("tail"));
    }

    void badLines_data()
    {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<QString>("message");
        const QByteArray two = "{\"prompt\": \"a b\"}\n{\"prompt\": \"c d\"}\n";
        QTest::newRow("invalid JSON on line 3")
            << (two + "{\"prompt: 3}\n")
            << "terse: line 3: invalid JSON (column 13: syntax error while parsing object key - "
               "invalid string: "
               "missing closing quote; last read: '\"prompt: 3}'; expected string literal)\n";
        QTest::newRow("missing prompt on line 5")
            << (two + "\n{\"prompt\": \"e f\"}\n{\"text\": \"g\"}\n")
            << "terse: line 5: missing \"prompt\"\n";
        QTest::newRow("prompt not a string")
            << QByteArray("{\"prompt\": 42}\n")
            << "terse: line 1: \"prompt\" must be a string, got a number\n";
        QTest::newRow("empty prompt") << QByteArray("{\"prompt\": \"  \"}\n")
                                      << "terse: line 1: \"prompt\": the prompt is empty\n";
        QTest::newRow("contexts not strings")
            << QByteArray("{\"contexts\": [\"a b\", 3]}\n")
            << "terse: line 1: \"contexts[1]\" must be a string, got a number\n";
        QTest::newRow("prompt and contexts")
            << QByteArray("{\"prompt\": \"a\", \"contexts\": [\"b\"]}\n")
            << "terse: line 1: \"prompt\" cannot be combined with \"instruction\", \"contexts\" or "
               "\"question\"\n";
        // Issue 17 reproducers: a number beyond a double and a lone string for "contexts" are line
        // errors.
        QTest::newRow("number overflow")
            << QByteArray("{\"prompt\": \"text here\", \"id\": 1e400}\n")
            << "terse: line 1: a number is out of range (number overflow parsing '1e400')\n";
        QTest::newRow("contexts a string")
            << QByteArray("{\"contexts\": \"abc\", \"question\": \"q?\"}\n")
            << "terse: line 1: \"contexts\" must be an array of strings, got a string\n";
        QTest::newRow("empty stdin")
            << QByteArray() << "terse: standard input: no prompts (the input is empty)\n";
    }

    void badLines()
    {
        // Without --skip-errors a bad line stops the batch before anything is compressed: exit 3,
        // no output.
        QFETCH(QByteArray, input);
        QFETCH(QString, message);
        const Run r = terse({"compress", "--jsonl", "--method", "head"}, input);
        QCOMPARE(r.err, message);
        QCOMPARE(r.code, 3);
        QVERIFY(r.out.isEmpty());
    }

    void skipErrorsKeepsGoing()
    {
        const QByteArray input =
            "{\"prompt\": \"a b\"}\n{\"prompt\": \"c d\"}\n{\"prompt: 3}\n{\"x\": 1}\n";
        const Run r =
            terse({"compress", "--jsonl", "--skip-errors", "--quiet", "--method", "head"}, input);
        QCOMPARE(r.code, 5);
        const auto lines = jsonLines(r.out);
        QCOMPARE(lines.size(), 4);
        QCOMPARE(lines[1]["compressed_text"].toString(), QStringLiteral("c"));
        QCOMPARE(lines[2]["line"].toInt(), 3);
        QVERIFY(
            lines[2]["error"].toString().startsWith(QStringLiteral("invalid JSON (column 13:")));
        QCOMPARE(lines[3]["error"].toString(), QStringLiteral("missing \"prompt\""));
        QVERIFY(r.err.contains(QStringLiteral("terse: line 4: missing \"prompt\" (skipped)\n")));
        QVERIFY(r.err.endsWith(QStringLiteral("terse: 2 of 4 lines skipped\n")));
        // Every line bad: nothing usable, exit 3.
        const Run all = terse({"compress", "--jsonl", "--skip-errors", "--quiet"}, "{}\n[]\n");
        QCOMPARE(all.code, 3);
        QCOMPARE(jsonLines(all.out).size(), 2);
        // Issue 17: with --skip-errors a number overflow and invalid UTF-8 inside a string are
        // reported per line (the error record never echoes bad bytes), the rest is compressed; no
        // abort.
        for (const char *verb : {"compress", "score"}) {
            QStringList args{verb, "--jsonl", "--skip-errors", "--quiet", "--method", "head"};
            if (QString::fromLatin1(verb) == QStringLiteral("score"))
                args = QStringList{verb,
                                   "--jsonl",
                                   "--skip-errors",
                                   "--quiet",
                                   "--model",
                                   QStringLiteral(TERSE_SOURCE_DIR) + "/resources/models/terse-lm"};
            const Run hostile = terse(args, QByteArray("{\"prompt\": \"a b\", \"id\": 1e400}\n"
                                                       "{\"prompt\": \"bad \xff\xfe bytes\"}\n"
                                                       "{\"prompt\": \"c d\"}\n"));
            QCOMPARE(hostile.code, 5);
            const auto out = jsonLines(hostile.out);
            QCOMPARE(out.size(), 3);
            QVERIFY(
                out[0]["error"].toString().startsWith(QStringLiteral("a number is out of range")));
            QVERIFY2(out[1]["error"].toString().contains(QStringLiteral("ill-formed UTF-8")),
                     qPrintable(out[1]["error"].toString()));
            QVERIFY(!out[2].contains(QStringLiteral("error")));
        }
        // --skip-errors without a batch is a usage error.
        const Run single = terse({"compress", "--skip-errors"}, "a b");
        QCOMPARE(single.code, 2);
        QCOMPARE(single.err,
                 QStringLiteral("terse: --skip-errors applies to JSONL batches (--jsonl)\n"));
    }
};

QTEST_GUILESS_MAIN(TestCliBatch)
#include "test_cli_batch.moc"
