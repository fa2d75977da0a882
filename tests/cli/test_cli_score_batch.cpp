// Issue 6: `terse score` JSONL batches (prompts and ids, --json, --skip-errors, bad lines) and text
// scoring with the model's tokenizer, on the tiny GPT-2 of ../shared/parity/models.
#include "cli_test_util.h"

#include <QJsonArray>
#include <QtTest>

#include <cmath>

using namespace cli_test;

class TestCliScoreBatch : public QObject {
    Q_OBJECT
private slots:
    void scoresJsonlBatch()
    {
        if (!haveTinyModel())
            QSKIP("tiny model not found (TERSE_SHARED_DIR)");
        const QByteArray input = "{\"prompt\": \"Hello world, this is a test.\"}\n"
                                 "{\"id\": \"ids\", \"ids\": [1, 2, 3]}\n"
                                 "{\"ids\": [1, 99999]}\n";
        Run r = terse({"score", "--model", tinyModel(), "--jsonl", "--quiet"}, input);
        QCOMPARE(r.code, 3); // line 3 is unusable input for this model
        QCOMPARE(jsonLines(r.out).size(), 2);
        QCOMPARE(
            r.err,
            QStringLiteral("terse: line 3: token id 99999 at sequence 0, position 1 is outside the "
                           "vocabulary [0, 320)\n"));
        r = terse({"score", "--model", tinyModel(), "--jsonl", "--quiet", "--skip-errors"}, input);
        QCOMPARE(r.code, 5);
        const auto lines = jsonLines(r.out);
        QCOMPARE(lines.size(), 3);
        QVERIFY(lines[0]["tokens"].toInt() > 3);
        QVERIFY(lines[0]["mean_surprisal"].toDouble() > 0);
        QVERIFY(std::abs(lines[0]["perplexity"].toDouble() -
                         std::exp(lines[0]["mean_surprisal"].toDouble())) < 1e-6);
        QCOMPARE(lines[1]["id"].toString(), QStringLiteral("ids"));
        QCOMPARE(lines[1]["tokens"].toInt(), 3);
        QVERIFY(lines[2]["error"].toString().contains(QStringLiteral("outside the vocabulary")));
        // --json: the whole per-token result on each line.
        r = terse({"score", "--model", tinyModel(), "--jsonl", "--json", "--quiet"},
                  "{\"ids\": [5, 6, 7, 8]}\n");
        QCOMPARE(r.code, 0);
        const QJsonObject full = jsonLines(r.out).value(0);
        QCOMPARE(full["surprisal"].toArray().size(), 4);
        QVERIFY(full["surprisal"].toArray()[0].isNull());
        QCOMPARE(full["model"].toObject()["architecture"].toString(), QStringLiteral("gpt2"));
        // Bad lines and empty input name themselves as in compress.
        r = terse({"score", "--model", tinyModel(), "--jsonl"}, "{\"ids\": [1]}\n{\"text\": 1}\n");
        QCOMPARE(r.code, 3);
        QCOMPARE(r.err, QStringLiteral("terse: line 2: missing \"prompt\" or \"ids\"\n"));
        r = terse({"score", "--model", tinyModel(), "--jsonl"}, "");
        QCOMPARE(r.code, 3);
        QCOMPARE(r.err, QStringLiteral("terse: standard input: no prompts (the input is empty)\n"));
        // Text scoring with the model's own tokenizer.
        r = terse({"score", "--model", tinyModel(), "--text", "Hello world", "--json"});
        QCOMPARE(r.code, 0);
        QVERIFY(QJsonDocument::fromJson(r.out.toUtf8()).object()["ids"].toArray().size() >= 2);
    }
};

QTEST_GUILESS_MAIN(TestCliScoreBatch)
#include "test_cli_score_batch.moc"
