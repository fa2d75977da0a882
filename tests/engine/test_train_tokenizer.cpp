// BPE tokenizer training: hand-computed merges on a tiny corpus, the written tokenizer.json, zstd
// input, cancellation, and bad input.
#include "terse/train.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

using namespace terse;

namespace {
QJsonObject readJson(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        qFatal("cannot read %s", qPrintable(path));
    return QJsonDocument::fromJson(f.readAll()).object();
}

void writeFile(const QString &path, const QByteArray &data)
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        qFatal("cannot write %s", qPrintable(path));
    f.write(data);
}
} // namespace

class TestTrainTokenizer : public QObject {
    Q_OBJECT
private slots:
    void mergesTheMostFrequentPairsFirst()
    {
        // Words (GPT-2 regex): "ab" x1, " ab" x2, " cd" x1. Pair counts: a-b 3, Ġ-a 2, Ġ-c 1,
        // c-d 1. Merge 1: "a b". Then Ġ-ab 2 is the only pair with count >= 2: merge 2 "Ġ ab". Then
        // stop.
        QTemporaryDir dir;
        writeFile(dir.filePath("c.txt"), "ab ab ab cd");
        TokenizerTrainOptions o;
        o.corpus = dir.filePath("c.txt").toStdString();
        o.outputDir = dir.filePath("out").toStdString();
        o.vocabSize = 300;
        o.minFrequency = 2;
        auto r = trainTokenizer(o, JobContext::none());
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().detail.c_str());
        QCOMPARE(r->merges, 2);
        QCOMPARE(r->vocabSize, 2 + 256 + 2);
        QCOMPARE(r->words, 4ull);
        QCOMPARE(r->uniqueWords, 3ull);
        const QJsonObject tok = readJson(dir.filePath("out/tokenizer.json"));
        const QJsonObject model = tok["model"].toObject();
        QCOMPARE(model["type"].toString(), QStringLiteral("BPE"));
        QCOMPARE(model["merges"].toArray().size(), 2);
        QCOMPARE(model["merges"].toArray()[0].toString(), QStringLiteral("a b"));
        QCOMPARE(model["merges"].toArray()[1].toString(), QStringLiteral("Ġ ab"));
        const QJsonObject vocab = model["vocab"].toObject();
        QCOMPARE(vocab.size(), 260);
        QCOMPARE(vocab["<|endoftext|>"].toInt(), 0);
        QCOMPARE(vocab["<|pad|>"].toInt(), 1);
        QCOMPARE(vocab["a"].toInt(), 2 + 'a');
        QCOMPARE(vocab["Ġ"].toInt(), 2 + ' '); // byte 0x20 is shown as U+0120 (GPT-2 byte alphabet)
        QCOMPARE(vocab["ab"].toInt(), 258);
        QCOMPARE(vocab["Ġab"].toInt(), 259);
        QCOMPARE(tok["added_tokens"].toArray().size(), 2);
        QCOMPARE(tok["pre_tokenizer"].toObject()["type"].toString(), QStringLiteral("ByteLevel"));
        QVERIFY(QFile::exists(dir.filePath("out/tokenizer_config.json")));
    }

    void readsZstdCorporaSplitIntoDocuments()
    {
        QTemporaryDir dir;
        writeFile(dir.filePath("c.txt"), "first doc\n<|doc|>\nsecond doc\n<|doc|>\nthird\n");
        QProcess z;
        z.start(QStringLiteral("zstd"),
                {"-q", "-f", dir.filePath("c.txt"), "-o", dir.filePath("c.txt.zst")});
        if (!z.waitForFinished() || z.exitCode() != 0)
            QSKIP("the zstd command is not available");
        std::vector<std::string> docs;
        auto n =
            readCorpus(dir.filePath("c.txt.zst").toStdString(), 1 << 20, [&](std::string_view d) {
                docs.emplace_back(d);
                return true;
            });
        QVERIFY(n.ok());
        QCOMPARE(docs, (std::vector<std::string>{"first doc", "second doc", "third"}));
        writeFile(dir.filePath("bad.zst"), "this is not zstd");
        auto bad = readCorpus(dir.filePath("bad.zst").toStdString(), 1 << 20,
                              [](std::string_view) { return true; });
        QVERIFY(!bad.ok());
        QCOMPARE(bad.error().code, ErrorCode::FormatError);
        QVERIFY(QString::fromStdString(bad.error().detail).contains(QStringLiteral("bad.zst")));

        // The trainers' progress total: the text size the file tells (a plain file's size, the
        // zstd frame's content size), capped by the byte limit; unknown (0) without a limit for a
        // frame that does not tell its size, and for a missing file.
        const std::string plain = dir.filePath("c.txt").toStdString();
        const std::string zst = dir.filePath("c.txt.zst").toStdString();
        QCOMPARE(corpusTextBytes(plain), std::uint64_t(43));
        QCOMPARE(corpusTextBytes(zst), std::uint64_t(43));
        QCOMPARE(corpusProgressTotal(zst, 10), std::uint64_t(10));
        QCOMPARE(corpusProgressTotal(zst, ~0ull), std::uint64_t(43));
        QCOMPARE(corpusProgressTotal(zst, ~0ull, 2), std::uint64_t(21)); // every 2nd document
        // Magic, then a frame header descriptor without a content-size field, a window descriptor.
        writeFile(dir.filePath("stream.zst"), QByteArray("\x28\xb5\x2f\xfd\x00\x58", 6));
        const std::string stream = dir.filePath("stream.zst").toStdString();
        QCOMPARE(corpusTextBytes(stream), std::uint64_t(0));
        QCOMPARE(corpusProgressTotal(stream, ~0ull), std::uint64_t(0));
        QCOMPARE(corpusProgressTotal(stream, 1000), std::uint64_t(1000));
        QCOMPARE(corpusTextBytes(dir.filePath("none.txt").toStdString()), std::uint64_t(0));
    }

    void badOptionsAndCancellation()
    {
        QTemporaryDir dir;
        TokenizerTrainOptions o;
        o.corpus = dir.filePath("missing.txt").toStdString();
        o.outputDir = dir.filePath("out").toStdString();
        auto missing = trainTokenizer(o, JobContext::none());
        QCOMPARE(missing.error().code, ErrorCode::NotFound);
        QVERIFY(
            QString::fromStdString(missing.error().detail).contains(QStringLiteral("missing.txt")));
        o.vocabSize = 100;
        QCOMPARE(trainTokenizer(o, JobContext::none()).error().code, ErrorCode::InvalidArgument);
        writeFile(dir.filePath("c.txt"), QByteArray("some words here and there ").repeated(100));
        o.corpus = dir.filePath("c.txt").toStdString();
        o.vocabSize = 400;
        JobContext job;
        job.cancel();
        QCOMPARE(trainTokenizer(o, job).error().code, ErrorCode::Cancelled);
        writeFile(dir.filePath("empty.txt"), "");
        o.corpus = dir.filePath("empty.txt").toStdString();
        QCOMPARE(trainTokenizer(o, JobContext::none()).error().code, ErrorCode::InvalidInput);
    }
};

QTEST_GUILESS_MAIN(TestTrainTokenizer)
#include "test_train_tokenizer.moc"
