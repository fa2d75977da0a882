// Issue 6: `terse compress --model/--target-tokenizer` with the tiny GPT-2 of
// ../shared/parity/models, and `terse models` (bundled default models and a HuggingFace cache, text
// and JSON).
#include "cli_test_util.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

using namespace cli_test;

class TestCliModels : public QObject {
    Q_OBJECT
private slots:
    void modelOption()
    {
        if (!haveTinyModel())
            QSKIP("tiny model not found (TERSE_SHARED_DIR)");
        const QByteArray text =
            "The committee met on Tuesday to review the budget for the coming year. After a long "
            "discussion the members agreed to move the spring meeting to Lisbon.";
        Run r = terse({"compress", "--method", "selective_context", "--model", tinyModel(),
                       "--rate", "0.5", "--json", "--param", "reduce_level=token"},
                      text);
        QCOMPARE(r.code, 0);
        const QJsonObject o = QJsonDocument::fromJson(r.out.toUtf8()).object();
        QCOMPARE(o["model"].toString(), tinyModel());
        QCOMPARE(o["unit"].toString(), QStringLiteral("token"));
        QVERIFY(o["achieved_rate"].toDouble() > 0.3 && o["achieved_rate"].toDouble() < 0.7);
        // A model-free method says it ignored --model.
        r = terse({"compress", "--method", "head", "--model", tinyModel()}, "a b c d");
        QCOMPARE(r.code, 0);
        QCOMPARE(r.out, QStringLiteral("a b\n"));
        QCOMPARE(r.err,
                 QStringLiteral("terse: warning: head uses no model; --model was ignored\n"));
    }

    // `terse tokenize --count`: cl100k splits "hello world" into "hello" + " world" (tiktoken ids
    // 15339, 1917); an empty line has no tokens; the count equals the JSON output's.
    void tokenizeCount()
    {
        const QString cl100k =
            QStringLiteral(TERSE_SOURCE_DIR "/resources/tokenizers/cl100k_base.tiktoken");
        Run r = terse({"tokenize", "--tokenizer", cl100k, "--count"}, "hello world");
        QCOMPARE(r.code, 0);
        QCOMPARE(r.out.trimmed(), QStringLiteral("2"));
        r = terse({"tokenize", "--tokenizer", cl100k, "--count", "--jsonl"},
                  "hello world\n\nhello\n");
        QCOMPARE(r.code, 0);
        QCOMPARE(r.out, QStringLiteral("2\n0\n1\n"));
        // A bundled tiktoken encoding by name, as --target-tokenizer takes it.
        r = terse({"tokenize", "--tokenizer", "cl100k_base", "--count"}, "hello world");
        QCOMPARE(r.code, 0);
        QCOMPARE(r.out.trimmed(), QStringLiteral("2"));
        r = terse({"tokenize", "--tokenizer", "cl100k", "--count"}, "hello world");
        QCOMPARE(r.code, 4);
        QVERIFY2(r.err.contains("'cl100k' is neither a tokenizer file or folder nor a bundled"),
                 qPrintable(r.err));
        // A folder as the input text is refused by name (it read as 2^63 bytes).
        r = terse({"tokenize", "--tokenizer", "cl100k_base", QStringLiteral(TERSE_SOURCE_DIR)});
        QCOMPARE(r.code, 3);
        QVERIFY2(r.err.contains("is a folder"), qPrintable(r.err));
        // Model commands run with passive OpenMP waiting unless the user chose a policy (they
        // re-execute once with OMP_WAIT_POLICY=PASSIVE: libgomp reads it before main).
        const QString model = QStringLiteral(TERSE_SOURCE_DIR "/resources/models/terse-tagger");
        for (const QString &policy : {QString(), QStringLiteral("ACTIVE")}) {
            QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
            env.remove(QStringLiteral("OMP_WAIT_POLICY"));
            if (!policy.isEmpty())
                env.insert(QStringLiteral("OMP_WAIT_POLICY"), policy);
            const Run s = terse({"score", "--model", model, "--ids", "5,6,7", "--json"}, {}, env);
            QCOMPARE(s.code, 0);
            const QJsonObject rt =
                QJsonDocument::fromJson(s.out.toUtf8()).object()["runtime"].toObject();
            QCOMPARE(rt["omp_wait_policy"].toString(),
                     policy.isEmpty() ? QStringLiteral("PASSIVE") : policy);
        }
        // --device: an unknown name is a usage error naming it.
        const Run dev = terse({"score", "--model", cl100k, "--ids", "1,2", "--device", "gpu"});
        QCOMPARE(dev.code, 2);
        QVERIFY2(dev.err.contains(QStringLiteral("unknown device 'gpu'")), qPrintable(dev.err));
        const QByteArray text = "Die Katze sitzt auf der Matte. 3.14159 \xe2\x9c\x93 naïve café";
        r = terse({"tokenize", "--tokenizer", cl100k}, text);
        const Run c = terse({"tokenize", "--tokenizer", cl100k, "--count"}, text);
        QCOMPARE(c.out.trimmed().toLongLong(),
                 QJsonDocument::fromJson(r.out.toUtf8()).object()["count"].toInteger());
    }

    // `terse eval lm` with the bundled LM on English prose it has not seen: bits/byte below zstd
    // -19 on the same text; a progress line on standard error unless --quiet; SIGTERM cancels it
    // with the README's exit code 130 and a message, not a kill.
    void evalLm()
    {
        QTemporaryDir dir;
        const QString small = dir.filePath("small.txt"), big = dir.filePath("big.txt");
        const QByteArray first =
            "The council voted on the new bridge after three hours of debate. Most members said "
            "the "
            "old one was too narrow for the buses that now cross the river every morning, and the "
            "engineers warned that its steel had begun to rust where the water splashed it.\n\n"
            "Work will start in the spring. The town expects the road to stay closed for most of "
            "the summer, so shops near the market have asked for help with their rents.\n";
        const QByteArray second =
            "My grandmother kept bees behind the house. Every August she would put on a white hat "
            "with a veil, light a little smoker and lift the frames one by one, heavy with honey. "
            "We children watched from the kitchen window and were never allowed closer.\n";
        QByteArray prose; // the cancelled run's text: repeated, it only has to be long
        for (int i = 0; i < 12; ++i)
            prose += first + "\n" + second + "\n";
        {
            QFile f(small); // two documents: the corpus format's separator line between them
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(first + "<|doc|>\n" + second);
        }
        Run r = terse({"eval", "lm", "--data", small, "--json", "--quiet", "--threads", "1"});
        QCOMPARE(r.code, 0);
        QCOMPARE(r.err, QString());
        const QJsonObject o = QJsonDocument::fromJson(r.out.toUtf8()).object();
        QCOMPARE(o["documents"].toInt(), 2);
        // The first document ends before the separator line's newline, the last at its text.
        QCOMPARE(o["bytes"].toInt(), int(first.size() + second.size() - 2));
        QVERIFY2(o["bits_per_byte"].toDouble() > 0.1 &&
                     o["bits_per_byte"].toDouble() < o["zstd19_bits_per_byte"].toDouble(),
                 qPrintable(r.out));
        r = terse({"eval", "lm", "--data", small, "--threads", "1"});
        QCOMPARE(r.code, 0);
        QVERIFY2(r.err.contains("scoring") && r.err.contains("100.0%"), qPrintable(r.err));
        QVERIFY(r.out.contains("bits/byte"));

        r = terse({"eval", "lm", "--data", dir.filePath("missing.txt"), "--quiet"});
        QCOMPARE(r.code, 4);
        QVERIFY2(r.err.contains("missing.txt"), qPrintable(r.err));
        r = terse({"eval", "lm", "--data", dir.path(), "--quiet"}); // a folder: unusable input
        QCOMPARE(r.code, 3);
        QVERIFY2(r.err.contains(dir.path()) && r.err.contains("folder"), qPrintable(r.err));
        // A document that is not UTF-8 is skipped and said so; the rest is scored.
        const QString mixed = dir.filePath("mixed.txt");
        {
            QFile f(mixed);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(first + "<|doc|>\nabc \xff\xfe def\n");
        }
        r = terse({"eval", "lm", "--data", mixed, "--json", "--quiet", "--threads", "1"});
        QCOMPARE(r.code, 0);
        const QJsonObject m = QJsonDocument::fromJson(r.out.toUtf8()).object();
        QCOMPARE(m["documents"].toInt(), 1);
        QCOMPARE(m["skipped_documents"].toInt(), 1);
        QCOMPARE(m["bytes"].toInt(), int(first.size() - 1));
        QVERIFY2(r.err.contains("1 document(s)") && r.err.contains("not valid UTF-8"),
                 qPrintable(r.err));

        {
            QFile f(big);
            QVERIFY(f.open(QIODevice::WriteOnly));
            for (int i = 0; i < 400; ++i)
                f.write(prose);
        }
        QProcess p;
        p.start(QStringLiteral(TERSE_CLI_PATH),
                {"eval", "lm", "--data", big, "--max-mb", "2", "--threads", "1"});
        QVERIFY(p.waitForStarted(10000));
        QByteArray err;
        while (!err.contains("scoring") && p.state() == QProcess::Running) {
            p.waitForReadyRead(1000);
            err += p.readAllStandardError();
        }
        p.terminate(); // SIGTERM
        QVERIFY(p.waitForFinished(60000));
        err += p.readAllStandardError();
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QCOMPARE(p.exitCode(), 130);
        QVERIFY2(err.contains("evaluation cancelled"), err.constData());
    }

    void targetTokenizer()
    {
        const Run bad = terse({"compress", "--target-tokenizer", "no_such_encoding"}, "a b");
        QCOMPARE(bad.code, 4);
        QVERIFY2(bad.err.startsWith(QStringLiteral(
                     "terse: --target-tokenizer: target tokenizer 'no_such_encoding' "
                     "not found in ")),
                 qPrintable(bad.err));
        if (!haveTinyModel())
            QSKIP("tiny model not found (TERSE_SHARED_DIR)");
        // A tokenizer folder as the target: token accounting in GPT-2 tokens of the tiny model.
        const Run r = terse({"compress", "--method", "selective_context", "--model", tinyModel(),
                             "--target-tokenizer", tinyModel(), "--json", "--rate", "0.5"},
                            "The committee met on Tuesday to review the budget. The treasurer will "
                            "present figures.");
        QCOMPARE(r.code, 0);
        const QJsonObject o = QJsonDocument::fromJson(r.out.toUtf8()).object();
        QVERIFY(o["target_tokens_in"].toInt() > 10);
        QVERIFY(o["target_tokens_out"].toInt() < o["target_tokens_in"].toInt());
    }

    void listsModels()
    {
        QTemporaryDir res, hf;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("TERSE_RESOURCES_DIR"), res.path());
        Run r = terse({"models", "--hf-cache", hf.path()}, {}, env);
        QCOMPARE(r.code, 0);
        QCOMPARE(
            r.out,
            QStringLiteral("default models:\n  none installed in %1/models (train them with `terse "
                           "train`)\nHuggingFace cache:\n  no models found\n")
                .arg(res.path()));
        if (!haveTinyModel())
            QSKIP("tiny model not found (TERSE_SHARED_DIR)");
        // A bundled default model and a HuggingFace cache snapshot (symlinks into blobs/, as the
        // hub makes them).
        QVERIFY(QDir(res.path()).mkpath(QStringLiteral("models")));
        QVERIFY(QFile::link(tinyModel(), res.filePath(QStringLiteral("models/terse-lm"))));
        const QString snap = hf.filePath(QStringLiteral("models--org--tiny/snapshots/abc123"));
        QVERIFY(QDir().mkpath(snap));
        QVERIFY(QDir().mkpath(hf.filePath(QStringLiteral("models--org--tiny/blobs"))));
        qint64 expectedSize = 0;
        for (const QString &name : QDir(tinyModel()).entryList(QDir::Files)) {
            const QString blob = hf.filePath(QStringLiteral("models--org--tiny/blobs/") + name);
            QVERIFY(QFile::copy(tinyModel() + QLatin1Char('/') + name, blob));
            QVERIFY(QFile::link(blob, snap + QLatin1Char('/') + name));
            expectedSize += QFileInfo(blob).size();
        }
        r = terse({"models", "--hf-cache", hf.path(), "--json"}, {}, env);
        QCOMPARE(r.code, 0);
        const QJsonObject o = QJsonDocument::fromJson(r.out.toUtf8()).object();
        const QJsonArray defaults = o["default"].toArray();
        QCOMPARE(defaults.size(), 1);
        QCOMPARE(defaults[0].toObject()["name"].toString(), QStringLiteral("terse-lm"));
        QCOMPARE(defaults[0].toObject()["architecture"].toString(), QStringLiteral("gpt2"));
        const QJsonArray cached = o["huggingface_cache"].toArray();
        QCOMPARE(cached.size(), 1);
        const QJsonObject m = cached[0].toObject();
        QCOMPARE(m["name"].toString(), QStringLiteral("org/tiny"));
        QCOMPARE(m["architecture"].toString(), QStringLiteral("gpt2"));
        QCOMPARE(m["format"].toString(), QStringLiteral("safetensors"));
        QCOMPARE(m["tokenizer"].toString(), QStringLiteral("vocab.json + merges.txt"));
        QCOMPARE(m["size_bytes"].toInteger(), expectedSize);
        QCOMPARE(m["parameters"].toInteger(), defaults[0].toObject()["parameters"].toInteger());
        QVERIFY(m["parameters"].toInteger() > 100000);
        r = terse({"models", "--hf-cache", hf.path()}, {}, env);
        QVERIFY(r.out.contains(QStringLiteral("org/tiny")));
        QVERIFY(r.out.contains(QStringLiteral("terse-lm")));
        r = terse({"models", "--hf-cache", "/nonexistent/hub"}, {}, env);
        QCOMPARE(r.code, 4);
        QCOMPARE(r.err, QStringLiteral("terse: --hf-cache '/nonexistent/hub' is not a folder\n"));
    }
};

QTEST_GUILESS_MAIN(TestCliModels)
#include "test_cli_models.moc"
