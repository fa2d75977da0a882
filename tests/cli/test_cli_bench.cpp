// Issue 6: `terse bench` end to end on one document of two shared datasets with two cheap methods
// (random, selective_context on the tiny GPT-2): report.json, report.csv, the SVG charts
// (signature, IHDR size, chunk CRCs), the summary table, skipped methods and bad command lines.
#include "cli_test_util.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QXmlStreamReader>
#include <QtTest>

#include <QElapsedTimer>

#include <csignal>
#include <filesystem>
#include <sys/types.h>

using namespace cli_test;

namespace {

const QString kShared = QStringLiteral(TERSE_SHARED_DIR);
const QString kData = kShared + QStringLiteral("/data");
const QString kTinyModel = kShared + QStringLiteral("/parity/models/tiny-gpt2-pos2048");

// Checks an SVG chart: well-formed XML, an <svg> root of the expected size, `series` data series
// (one <g class="series"> each), a title.
QString checkSvg(const QString &path, int width, int height, int series)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return "cannot open " + path;
    QXmlStreamReader x(&f);
    int groups = 0, texts = 0;
    bool root = false;
    while (!x.atEnd()) {
        if (x.readNext() != QXmlStreamReader::StartElement)
            continue;
        if (x.name() == QLatin1String("svg")) {
            root = x.attributes().value("width").toInt() == width &&
                   x.attributes().value("height").toInt() == height;
        } else if (x.name() == QLatin1String("g") &&
                   x.attributes().value("class") == QLatin1String("series")) {
            ++groups;
        } else if (x.name() == QLatin1String("text")) {
            ++texts;
        }
    }
    if (x.hasError())
        return QStringLiteral("line %1: %2").arg(x.lineNumber()).arg(x.errorString());
    if (!root)
        return "no <svg> root of the documented size";
    if (series >= 0 && groups != series)
        return QStringLiteral("%1 series groups, expected %2").arg(groups).arg(series);
    return texts > 5 ? QString() : QStringLiteral("only %1 text elements").arg(texts);
}

// SQuAD-style normalisation (lower case, punctuation and articles out, single spaces), padded
// with spaces so that a containment test matches whole words.
QString normalised(const QString &s)
{
    QString t = s.toLower();
    for (QChar &c : t)
        if (!c.isLetterOrNumber())
            c = ' ';
    QStringList words;
    for (const QString &w : t.split(' ', Qt::SkipEmptyParts))
        if (w != "a" && w != "an" && w != "the")
            words << w;
    return ' ' + words.join(' ') + ' ';
}

} // namespace

class TestCliBench : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        if (!std::filesystem::exists((kData + "/gsm8k/test.jsonl").toStdString()) ||
            !std::filesystem::exists((kTinyModel + "/model.safetensors").toStdString()))
            QSKIP("shared data or the tiny model not found (TERSE_SHARED_DIR)");
    }

    void benchWritesReportCsvAndCharts()
    {
        QTemporaryDir out;
        const Run r =
            terse({"bench", "--methods", "random,selective_context", "--rates", "0.5", "--datasets",
                   "gsm8k,sentence_compression", "--max-docs", "1", "--model", kTinyModel,
                   "--data-dir", kData, "--out", out.path(), "--param", "question_focus=false"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        // report.json: one result per (dataset, method, rate), with the metrics each dataset
        // defines.
        QFile jf(out.filePath("report.json"));
        QVERIFY(jf.open(QIODevice::ReadOnly));
        const QJsonObject report = QJsonDocument::fromJson(jf.readAll()).object();
        QCOMPARE(report["methods"].toArray().size(), 2);
        // --param reaches the method that has the option, and only it.
        QCOMPARE(report["params"]
                     .toObject()["selective_context"]
                     .toObject()["question_focus"]
                     .toString(),
                 QStringLiteral("false"));
        QVERIFY(!report["params"].toObject().contains("random"));
        QCOMPARE(report["token_counter"].toString(), QStringLiteral("cl100k_base"));
        QVERIFY(report["complete"].toBool());
        QCOMPARE(report["datasets"].toArray()[0].toObject()["docs"].toInt(), 1);
        QVERIFY(report["skipped_methods"].toArray().isEmpty());
        const QJsonArray results = report["results"].toArray();
        QCOMPARE(results.size(), 4);
        QStringList seen;
        for (const auto &v : results) {
            const QJsonObject c = v.toObject();
            const QString ds = c["dataset"].toString(), m = c["method"].toString();
            seen << ds + "/" + m;
            QCOMPARE(c["requested_rate"].toDouble(), 0.5);
            QCOMPARE(c["docs"].toInt(), 1);
            QCOMPARE(c["errors"].toInt(), 0);
            const double achieved = c["achieved_rate"].toDouble();
            QVERIFY2(achieved > 0.3 && achieved < 0.7, qPrintable(ds + "/" + m));
            for (const char *k : {"rouge1", "rouge2", "rougeL", "bleu"}) {
                const double x = c[k].toDouble(-1);
                QVERIFY2(x > 0 && x <= 1, k);
            }
            QVERIFY(c["rouge1"].toDouble() >= c["rouge2"].toDouble());
            QVERIFY(c["tokens"].toInt() > 0);
            QVERIFY(c["peak_rss_mb"].toDouble() > 10);
            QVERIFY(c["other_ms_per_1k"].toDouble(-1) >= 0);
            if (m == "random")
                QCOMPARE(c["forward_ms_per_1k"].toDouble(), 0.0);
            else
                QVERIFY(c["forward_ms_per_1k"].toDouble() > 0);
            if (ds == "sentence_compression") {
                QVERIFY(c["token_f1"].toDouble(-1) >= 0 && c["token_f1"].toDouble() <= 1);
                QVERIFY(c["answer_retention"].isNull());
            } else {
                QVERIFY(c["token_f1"].isNull());
                QVERIFY(c["answer_retention"].toDouble(-1) >= 0 &&
                        c["answer_retention"].toDouble() <= 1);
                QVERIFY(c["tokens"].toInt() > 500); // the 8-shot prompt
            }
            QCOMPARE(c["per_doc"].toArray().size(), 1);
        }
        QCOMPARE(seen, (QStringList{"gsm8k/random", "gsm8k/selective_context",
                                    "sentence_compression/random",
                                    "sentence_compression/selective_context"}));
        // report.csv: the header and one row per result, same numbers as the JSON.
        QFile cf(out.filePath("report.csv"));
        QVERIFY(cf.open(QIODevice::ReadOnly));
        const QStringList rows = QString::fromUtf8(cf.readAll()).split('\n', Qt::SkipEmptyParts);
        QCOMPARE(rows.size(), 5);
        QCOMPARE(rows[0],
                 QStringLiteral(
                     "dataset,method,requested_rate,achieved_rate,docs,errors,rouge1,rouge2,rougeL,"
                     "bleu,token_f1,answer_retention,tokens,forward_ms_per_1k,other_ms_per_1k,"
                     "peak_rss_mb"));
        const QStringList first = rows[1].split(',');
        QCOMPARE(first.size(), 16);
        QCOMPARE(first[0], QStringLiteral("gsm8k"));
        QCOMPARE(first[1], QStringLiteral("random"));
        QVERIFY(std::abs(first[3].toDouble() - results[0].toObject()["achieved_rate"].toDouble()) <
                1e-5);
        QVERIFY(first[10].isEmpty()); // no token F1 on gsm8k
        // The charts are well-formed SVG of the documented size, one line series per method.
        QCOMPARE(checkSvg(out.filePath("rate_vs_rougeL.svg"), 900, 560, 2), QString());
        QCOMPARE(checkSvg(out.filePath("time_per_1k.svg"), 900, 560, -1), QString());
        // The summary table on stdout, progress on stderr.
        QVERIFY(r.out.startsWith(QStringLiteral("dataset ")));
        QVERIFY(r.out.contains(QRegularExpression(
            QStringLiteral("\\nsentence_compression +selective_context +0\\.50 "))));
        QVERIFY(r.out.contains(QStringLiteral("4 cells, 4 compressions in ")));
        QVERIFY(r.err.contains(QStringLiteral("4/4 compressions")));
    }

    // Issue 17: Ctrl-C stops the bench within a second, exits 130 and leaves no output folder (nor
    // its hidden work folder).
    // nq_multidoc (issue 15): 20 passages, exactly one holding an answer, at positions 0, 4, 9, 14,
    // 19 in turn; prompts.jsonl is a `terse compress` batch of the run's prompts that compress
    // reads back; head_tail at 0.33 keeps the answer exactly when its passage is first or last.
    void nqMultidocAndPrompts()
    {
        if (!QFile::exists(kData + "/leval/natural_question.jsonl"))
            QSKIP("no leval/natural_question.jsonl in the shared data");
        QTemporaryDir out;
        const Run r = terse({"bench", "--methods", "head_tail", "--rates", "0.33", "--datasets",
                             "nq_multidoc", "--max-docs", "5", "--data-dir", kData, "--out",
                             out.path(), "--quiet"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QFile pf(out.filePath("prompts.jsonl"));
        QVERIFY(pf.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = pf.readAll().trimmed().split('\n');
        QCOMPARE(lines.size(), 5);
        const int positions[] = {0, 4, 9, 14, 19};
        for (int k = 0; k < lines.size(); ++k) {
            const QJsonObject j = QJsonDocument::fromJson(lines[k]).object();
            QCOMPARE(j["dataset"].toString(), QStringLiteral("nq_multidoc"));
            QVERIFY(j["question"].toString().contains("Question: "));
            const QJsonArray ctx = j["contexts"].toArray();
            QCOMPARE(ctx.size(), 20);
            const QString answer = j["answers"].toArray()[0].toArray()[0].toString();
            QVERIFY(!answer.isEmpty());
            int holding = -1, count = 0;
            for (int c = 0; c < ctx.size(); ++c) {
                QVERIFY(ctx[c].toString().startsWith(
                    QStringLiteral("Document [%1](Title: ").arg(c + 1)));
                if (normalised(ctx[c].toString()).contains(normalised(answer))) {
                    holding = c;
                    ++count;
                }
            }
            QCOMPARE(count, 1);
            QCOMPARE(holding, positions[k]);
        }
        QFile jf(out.filePath("report.json"));
        QVERIFY(jf.open(QIODevice::ReadOnly));
        const QJsonObject cell =
            QJsonDocument::fromJson(jf.readAll()).object()["results"].toArray()[0].toObject();
        const QJsonArray perDoc = cell["per_doc"].toArray();
        QCOMPARE(perDoc.size(), 5);
        for (int k = 0; k < 5; ++k)
            QCOMPARE(perDoc[k].toObject()["answer_retention"].toDouble(),
                     positions[k] == 0 || positions[k] == 19 ? 1.0 : 0.0);
        // The batch compresses as it is.
        const Run c = terse(
            {"compress", "--method", "random", "--rate", "0.5", out.filePath("prompts.jsonl")});
        QVERIFY2(c.code == 0, qPrintable(c.err));
        QCOMPARE(c.out.trimmed().split('\n').size(), 5);
    }

    // leval_sciqa: the Qasper questions of L-Eval whose gold answer is a short span of the paper
    // (counted independently: 31 of 13 distinct papers, the first round one per paper). At rate 1
    // every answer is kept; head keeps a paper's start, where answers like "English" also are.
    void levalSciqa()
    {
        if (!QFile::exists(kData + "/leval/scientific_qa.jsonl"))
            QSKIP("no leval/scientific_qa.jsonl in the shared data");
        QTemporaryDir out;
        const Run r =
            terse({"bench", "--methods", "head", "--rates", "1,0.33", "--datasets", "leval_sciqa",
                   "--max-docs", "0", "--data-dir", kData, "--out", out.path(), "--quiet"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QFile pf(out.filePath("prompts.jsonl"));
        QVERIFY(pf.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = pf.readAll().trimmed().split('\n');
        QCOMPARE(lines.size(), 31);
        QSet<QString> papers;
        for (int k = 0; k < lines.size(); ++k) {
            const QJsonObject j = QJsonDocument::fromJson(lines[k]).object();
            QCOMPARE(j["dataset"].toString(), QStringLiteral("leval_sciqa"));
            const QString context = j["contexts"].toArray()[0].toString();
            const QString answer = j["answers"].toArray()[0].toArray()[0].toString();
            QVERIFY2(normalised(context).contains(normalised(answer)), qPrintable(answer));
            QVERIFY(!j["question"].toString().isEmpty());
            if (k < 13)
                papers.insert(context.left(200));
        }
        QCOMPARE(papers.size(), 13); // round 1 holds one question of each paper
        QFile jf(out.filePath("report.json"));
        QVERIFY(jf.open(QIODevice::ReadOnly));
        const QJsonArray cells =
            QJsonDocument::fromJson(jf.readAll()).object()["results"].toArray();
        QCOMPARE(cells.size(), 2);
        for (const auto &c : cells) {
            const QJsonObject cell = c.toObject();
            const double retained = cell["answer_retention"].toDouble();
            if (cell["requested_rate"].toDouble() == 1.0)
                QCOMPARE(retained, 1.0);
            else
                QVERIFY2(retained > 0.0 && retained < 1.0, qPrintable(QString::number(retained)));
        }
    }

    void interruptLeavesNothing()
    {
        QTemporaryDir parent;
        const QString out = parent.filePath("report-dir");
        QProcess p;
        p.start(QStringLiteral(TERSE_CLI_PATH),
                {"bench", "--methods", "dac", "--rates", "0.33,0.5", "--datasets", "leval_meeting",
                 "--max-docs", "3", "--model", kTinyModel, "--data-dir", kData, "--out", out,
                 "--quiet"});
        QVERIFY(p.waitForStarted(10000));
        p.closeWriteChannel();
        // Interrupted once the report folder is being written (datasets loaded, the first long DAC
        // compression running), however slowly a busy machine got there.
        const QDir parentDir(parent.path());
        QElapsedTimer started;
        started.start();
        while (
            parentDir.entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot).isEmpty() &&
            p.state() == QProcess::Running && started.elapsed() < 120000)
            QTest::qWait(50);
        QTest::qWait(200);
        QCOMPARE(p.state(), QProcess::Running);
        QElapsedTimer t;
        t.start();
        ::kill(static_cast<pid_t>(p.processId()), SIGINT);
        QVERIFY(p.waitForFinished(30000));
        qInfo("stopped %lld ms after SIGINT", static_cast<long long>(t.elapsed()));
        QCOMPARE(p.exitCode(), 130);
        QVERIFY2(QString::fromUtf8(p.readAllStandardError()).contains("interrupted"),
                 "says it was interrupted");
        QVERIFY(!QFileInfo::exists(out));
        QCOMPARE(QDir(parent.path())
                     .entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot)
                     .size(),
                 0);
    }

    void skipsMethodsWithoutUsableModel()
    {
        // llmlingua2 needs a token classifier: given a causal LM as --tagger it is skipped, the
        // rest runs.
        QTemporaryDir out;
        const Run r = terse({"bench", "--methods", "head,llmlingua2", "--rates", "0.5",
                             "--datasets", "sentence_compression", "--max-docs", "1", "--tagger",
                             kTinyModel, "--data-dir", kData, "--out", out.path(), "--quiet"});
        QCOMPARE(r.code, 5);
        QVERIFY2(r.err.startsWith(QStringLiteral("terse: bench: skipping llmlingua2: ")),
                 qPrintable(r.err));
        QFile jf(out.filePath("report.json"));
        QVERIFY(jf.open(QIODevice::ReadOnly));
        const QJsonObject report = QJsonDocument::fromJson(jf.readAll()).object();
        QCOMPARE(report["results"].toArray().size(), 1);
        QCOMPARE(report["skipped_methods"].toArray()[0].toObject()["method"].toString(),
                 QStringLiteral("llmlingua2"));
    }

    void badCommandLines_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("message");
        QTest::newRow("missing data dir")
            << QStringList{"bench", "--data-dir", "/nonexistent/data"} << 4
            << "terse: data folder '/nonexistent/data' not found; pass --data-dir with "
               "the shared data folder (it holds gsm8k/, leval/, longbench/, "
               "sentence_compression/)\n";
        QTest::newRow("unknown dataset")
            << QStringList{"bench", "--datasets", "gsm8k,squad"} << 4
            << "terse: unknown dataset 'squad' (known: gsm8k, leval_meeting, leval_nq, "
               "leval_sciqa, nq_multidoc, multi_news, sentence_compression)\n";
        QTest::newRow("unknown method")
            << QStringList{"bench", "--methods", "random,zip"} << 4
            << "terse: unknown method 'zip' (known: random, head, tail, head_tail, "
               "selective_context, llmlingua2, llmlingua, longllmlingua, dac, pis, "
               "entropy_only, attention_only)\n";
        QTest::newRow("rate 1.5")
            << QStringList{"bench", "--rates", "0.5,1.5"} << 2
            << "terse: bench: --rates: must be in (0, 1], got 1.5 (see terse bench --help)\n";
        QTest::newRow("missing model") << QStringList{"bench", "--model", "/nonexistent/model"} << 4
                                       << "terse: --model '/nonexistent/model' does not exist\n";
        QTest::newRow("max docs")
            << QStringList{"bench", "--max-docs", "-1"} << 2
            << "terse: bench: --max-docs: must be in [0, 1073741824], got -1 (see terse bench "
               "--help)\n";
        QTest::newRow("param no method has")
            << QStringList{"bench", "--methods", "random,head", "--param", "alpha=0.5"} << 2
            << "terse: --param alpha=0.5: none of the methods (random, head) has an option "
               "'alpha'\n";
        QTest::newRow("param bad value")
            << QStringList{"bench", "--methods", "random,dac", "--param", "alpha=2"} << 2
            << "terse: --param alpha of dac must be in [0, 1], got 2\n";
        QTest::newRow("input file")
            << QStringList{"bench", "docs.jsonl"} << 2
            << "terse: bench: The following argument was not expected: docs.jsonl (see terse "
               "bench --help)\n";
    }

    void badCommandLines()
    {
        QFETCH(QStringList, args);
        QFETCH(int, code);
        QFETCH(QString, message);
        const Run r = terse(args);
        QCOMPARE(r.err, message);
        QCOMPARE(r.code, code);
        QVERIFY(r.out.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestCliBench)
#include "test_cli_bench.moc"
