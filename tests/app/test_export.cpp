// Issue 8 (output): exporting a result from the real MainWindow and a comparison from the
// comparison window as JSON, Markdown, HTML and CSV, the score plot and the sweep chart as PNG and
// SVG, the format writers' escaping, atomic writes that keep existing files, and the remembered
// export folder.
#include "app_test_support.h"
#include "compare_window.h"
#include "export_dialog.h"
#include "exporter.h"
#include "main_window.h"
#include "workbench_actions.h"

#include "terse/compressor.h"
#include "terse_widgets/prompt_editor.h"
#include "terse_widgets/score_plot.h"
#include "terse_widgets/sweep_chart.h"

#include <QComboBox>
#include <QFile>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLineEdit>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QXmlStreamReader>
#include <QtTest>

using namespace terse;
using namespace terse::app;

namespace {

const char *kText =
    "Terse keeps the words that matter and drops the rest, so that long prompts fit.";

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// True when `bytes` is well-formed XML whose root element is <svg>.
bool isSvg(const QByteArray &bytes)
{
    QXmlStreamReader xml(bytes);
    QString root;
    while (!xml.atEnd()) {
        xml.readNext();
        if (xml.isStartElement() && root.isEmpty())
            root = xml.name().toString();
    }
    return !xml.hasError() && root == QLatin1String("svg");
}

CompressOptions options(const char *method, double rate)
{
    CompressOptions o;
    o.method = method;
    o.rate = rate;
    return o;
}

} // namespace

class TestExport : public QObject {
    Q_OBJECT
    QTemporaryDir m_home;
    QTemporaryDir m_out;

    // A main window showing a "random" result (it has a per-word score series) for kText.
    bool runRandom(MainWindow &w)
    {
        terse::test::waitReady(w);
        w.promptEditor()->setPlainText(QString::fromUtf8(kText));
        w.methodCombo()->setCurrentIndex(w.methodCombo()->findData(QStringLiteral("random")));
        w.setRate(0.5);
        QSignalSpy shown(&w, &MainWindow::resultShown);
        w.runCompression();
        return shown.wait(10000) && w.lastResult();
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_home.isValid());
        QVERIFY(m_out.isValid());
        terse::test::isolateHome(m_home, QStringLiteral("test_export"));
    }

    void exportsTheShownResultInEveryFormat()
    {
        MainWindow w({}, nullptr, m_home.filePath(QStringLiteral("a.sqlite3")));
        QVERIFY(runRandom(w));
        auto *actions = w.findChild<WorkbenchActions *>();
        QVERIFY(actions);
        const auto &r = *w.lastResult();
        const int units = static_cast<int>(r.units.size());
        QCOMPARE(units, 17);
        QString error;

        // JSON: the engine's result with the kept mask, plus metrics.
        const QString json = m_out.filePath(QStringLiteral("result.json"));
        QVERIFY2(actions->exportResultTo(json, &error), qPrintable(error));
        QJsonParseError pe;
        const QJsonObject root = QJsonDocument::fromJson(readAll(json), &pe).object();
        QCOMPARE(pe.error, QJsonParseError::NoError);
        const QJsonArray jsonUnits = root.value(QStringLiteral("units")).toArray();
        QCOMPARE(jsonUnits.size(), units);
        int kept = 0;
        for (int i = 0; i < units; ++i) {
            QCOMPARE(jsonUnits[i].toObject().value(QStringLiteral("kept")).toBool(),
                     r.units[static_cast<std::size_t>(i)].kept);
            kept += r.units[static_cast<std::size_t>(i)].kept ? 1 : 0;
        }
        QCOMPARE(root.value(QStringLiteral("compressed_text")).toString(),
                 QString::fromStdString(r.compressedText));
        QVERIFY(
            root.value(QStringLiteral("metrics")).toObject().contains(QStringLiteral("rouge_l")));

        // CSV: header with the score series, one row per unit.
        const QString csv = m_out.filePath(QStringLiteral("result.csv"));
        QVERIFY2(actions->exportResultTo(csv, &error), qPrintable(error));
        const QStringList lines =
            QString::fromUtf8(readAll(csv)).split(QStringLiteral("\r\n"), Qt::SkipEmptyParts);
        QCOMPARE(lines.first(), QStringLiteral("index,text,kept,score"));
        QCOMPARE(lines.size(), units + 1);
        QVERIFY(lines[1].startsWith(QStringLiteral("0,Terse ,")) ||
                lines[1].startsWith(QStringLiteral("0,\"Terse \",")));
        int keptRows = 0;
        for (int i = 1; i < lines.size(); ++i)
            keptRows += lines[i].section(QLatin1Char(','), -2, -2) == QLatin1String("1") ? 1 : 0;
        QCOMPARE(keptRows, kept);
        QVERIFY(lines.join(QLatin1Char(0x0a))
                    .contains(QStringLiteral(",\", \","))); // the ", " unit is quoted

        // HTML: self-contained, dropped words struck through, a legend, coloured spans.
        const QString html = m_out.filePath(QStringLiteral("result.html"));
        QVERIFY2(actions->exportResultTo(html, &error), qPrintable(error));
        const QString page = QString::fromUtf8(readAll(html));
        QVERIFY(page.startsWith(QStringLiteral("<!DOCTYPE html>")));
        QVERIFY(!page.contains(QStringLiteral("<script")) &&
                !page.contains(QStringLiteral("<link")));
        QVERIFY(page.contains(QStringLiteral("class=\"legend\"")));
        QVERIFY(page.contains(QStringLiteral("style=\"background:#")));
        const auto dropped =
            std::find_if(r.units.begin(), r.units.end(), [](const Unit &u) { return !u.kept; });
        QVERIFY(dropped != r.units.end());
        const std::string &seg = r.segments[0].text;
        const QString droppedText = QString::fromUtf8(seg.data() + dropped->span.begin,
                                                      static_cast<qsizetype>(dropped->span.size()))
                                        .toHtmlEscaped();
        QVERIFY(page.contains(QRegularExpression(QStringLiteral("<s class=\"dropped\"[^>]*>") +
                                                 QRegularExpression::escape(droppedText) +
                                                 QStringLiteral("</s>"))));

        // Markdown: a metrics table and the compressed text in a fence.
        const QString md = m_out.filePath(QStringLiteral("result.md"));
        QVERIFY2(actions->exportResultTo(md, &error), qPrintable(error));
        const QString doc = QString::fromUtf8(readAll(md));
        QVERIFY(doc.contains(QStringLiteral("| Settings | Units in |")));
        QVERIFY(doc.contains(QStringLiteral("|---|---:|")));
        QVERIFY(doc.contains(
            QStringLiteral("| random · rate 0.50 | 17 words | %1 |").arg(r.tokensOut)));
        QVERIFY(doc.contains(QStringLiteral("```text\n") +
                             QString::fromStdString(r.compressedText) + QStringLiteral("\n```")));

        // A suffix that is no result format is refused with a message.
        QVERIFY(!actions->exportResultTo(m_out.filePath(QStringLiteral("result.docx")), &error));
        QVERIFY(error.contains(QStringLiteral("result.docx")));
    }

    void exportsTheScorePlotAsPngAndSvg()
    {
        MainWindow w({}, nullptr, m_home.filePath(QStringLiteral("b.sqlite3")));
        QVERIFY(runRandom(w));
        auto *actions = w.findChild<WorkbenchActions *>();
        QVERIFY(w.scorePlot()->pointCount() > 0);
        QString error;
        const QString png = m_out.filePath(QStringLiteral("scores.png"));
        QVERIFY2(actions->exportScorePlotTo(png, &error), qPrintable(error));
        const QImage image(png);
        QVERIFY(!image.isNull());
        QCOMPARE(image.size(), QSize(1200, 400));
        const QString svg = m_out.filePath(QStringLiteral("scores.svg"));
        QVERIFY2(actions->exportScorePlotTo(svg, &error), qPrintable(error));
        QVERIFY(isSvg(readAll(svg)));
        QVERIFY2(readAll(svg).contains("<polyline") || readAll(svg).contains("<path"),
                 readAll(svg).left(3000).constData());
        QVERIFY(!actions->exportScorePlotTo(m_out.filePath(QStringLiteral("scores.html")), &error));
    }

    void exportsAComparisonAndTheSweepChart()
    {
        MainWindow w({}, nullptr, m_home.filePath(QStringLiteral("c.sqlite3")));
        terse::test::waitReady(w);
        w.promptEditor()->setPlainText(QString::fromUtf8(kText));
        CompareWindow *cw = w.findChild<WorkbenchActions *>()->compareWindow();
        cw->clearSettings();
        cw->addSettings(options("head", 0.5));
        cw->addSettings(options("tail", 0.3));
        QVERIFY(
            !cw->exportComparisonTo(m_out.filePath(QStringLiteral("early.json")))); // nothing yet
        QVERIFY(cw->errorText().contains(QStringLiteral("Nothing to export")));
        QSignalSpy done(cw, &CompareWindow::comparisonFinished);
        QVERIFY(cw->runComparison());
        QVERIFY(done.wait(10000));
        const auto entries = cw->entries();
        QCOMPARE(entries.size(), std::size_t(2));
        const int units =
            static_cast<int>(entries[0].result->units.size() + entries[1].result->units.size());

        const QString json = m_out.filePath(QStringLiteral("cmp.json"));
        QVERIFY2(cw->exportComparisonTo(json), qPrintable(cw->errorText()));
        const QJsonObject root = QJsonDocument::fromJson(readAll(json)).object();
        QCOMPARE(root.value(QStringLiteral("format")).toString(),
                 QStringLiteral("terse-comparison"));
        QCOMPARE(root.value(QStringLiteral("original")).toString(), QString::fromUtf8(kText));
        const QJsonArray runs = root.value(QStringLiteral("runs")).toArray();
        QCOMPARE(runs.size(), 2);
        QCOMPARE(runs[1]
                     .toObject()
                     .value(QStringLiteral("options"))
                     .toObject()
                     .value(QStringLiteral("method"))
                     .toString(),
                 QStringLiteral("tail"));
        const QJsonArray u1 = runs[1]
                                  .toObject()
                                  .value(QStringLiteral("result"))
                                  .toObject()
                                  .value(QStringLiteral("units"))
                                  .toArray();
        QCOMPARE(u1.size(), static_cast<int>(entries[1].result->units.size()));
        QCOMPARE(u1.last().toObject().value(QStringLiteral("kept")).toBool(),
                 true); // tail keeps the end
        QCOMPARE(u1.first().toObject().value(QStringLiteral("kept")).toBool(), false);
        QCOMPARE(runs[0]
                     .toObject()
                     .value(QStringLiteral("metrics"))
                     .toObject()
                     .value(QStringLiteral("rouge_l"))
                     .toDouble(),
                 entries[0].metrics.rougeL);

        const QString csv = m_out.filePath(QStringLiteral("cmp.csv"));
        QVERIFY(cw->exportComparisonTo(csv));
        const QStringList lines =
            QString::fromUtf8(readAll(csv)).split(QStringLiteral("\r\n"), Qt::SkipEmptyParts);
        QVERIFY(lines.first().startsWith(QStringLiteral("run,index,text,kept")));
        QCOMPARE(lines.size(), units + 1);

        const QString md = m_out.filePath(QStringLiteral("cmp.md"));
        QVERIFY(cw->exportComparisonTo(md));
        const QString doc = QString::fromUtf8(readAll(md));
        QVERIFY(doc.contains(QStringLiteral("| head · rate 0.50 |")));
        QVERIFY(doc.contains(QStringLiteral("| tail · rate 0.30 |")));
        QCOMPARE(doc.count(QStringLiteral("```text\n")), 2);

        const QString html = m_out.filePath(QStringLiteral("cmp.html"));
        QVERIFY(cw->exportComparisonTo(html));
        const QString page = QString::fromUtf8(readAll(html));
        QCOMPARE(page.count(QStringLiteral("<h2>")), 2);
        QVERIFY(page.contains(QStringLiteral("<s class=\"dropped\"")));

        // The sweep chart.
        QVERIFY(!cw->exportSweepChartTo(m_out.filePath(QStringLiteral("early.png"))));
        QSignalSpy swept(cw, &CompareWindow::sweepFinished);
        QVERIFY(cw->runSweep({0.25, 0.5, 0.75}));
        QVERIFY(swept.wait(10000));
        const QString png = m_out.filePath(QStringLiteral("sweep.png"));
        QVERIFY2(cw->exportSweepChartTo(png), qPrintable(cw->errorText()));
        QCOMPARE(QImage(png).size(), QSize(1000, 600));
        const QString svg = m_out.filePath(QStringLiteral("sweep.svg"));
        QVERIFY(cw->exportSweepChartTo(svg));
        QVERIFY(isSvg(readAll(svg)));
        QVERIFY(readAll(svg).contains("head")); // the legend is text in the SVG
        QVERIFY(!cw->exportSweepChartTo(m_out.filePath(QStringLiteral("sweep.csv"))));
        QVERIFY(cw->errorText().contains(QStringLiteral("sweep.csv")));
    }

    void failedWritesKeepExistingFilesAndSayWhy()
    {
        QString error;
        // A missing folder.
        const QString missing = m_out.filePath(QStringLiteral("no/such/folder/x.json"));
        QVERIFY(!Exporter::writeFile(missing, "{}", &error));
        QVERIFY(error.contains(QStringLiteral("x.json")));
        QVERIFY(error.contains(QStringLiteral("does not exist")));
        // A folder where the file should go.
        QVERIFY(QDir(m_out.path()).mkpath(QStringLiteral("taken.md")));
        QVERIFY(!Exporter::writeFile(m_out.filePath(QStringLiteral("taken.md")), "# x", &error));
        QVERIFY(error.contains(QStringLiteral("folder")));
        // An existing file stays as it was when there is nothing to write.
        const QString existing = m_out.filePath(QStringLiteral("keep.csv"));
        QVERIFY(Exporter::writeFile(existing, "a,b\r\n", &error));
        QVERIFY(!Exporter::writeFile(existing, QByteArray(), &error));
        QCOMPARE(readAll(existing), QByteArray("a,b\r\n"));
        // A successful write replaces it whole.
        QVERIFY(Exporter::writeFile(existing, "c\r\n", &error));
        QCOMPARE(readAll(existing), QByteArray("c\r\n"));
        // The main window with no result has nothing to export.
        MainWindow w({}, nullptr, m_home.filePath(QStringLiteral("d.sqlite3")));
        terse::test::waitReady(w);
        auto *actions = w.findChild<WorkbenchActions *>();
        QVERIFY(!actions->exportResultTo(m_out.filePath(QStringLiteral("none.json")), &error));
        QVERIFY(error.contains(QStringLiteral("Nothing to export")));
        QVERIFY(!QFile::exists(m_out.filePath(QStringLiteral("none.json"))));
    }

    void writersEscapeTheirFormats()
    {
        auto r = std::make_shared<CompressionResult>();
        r->method = "head";
        r->segments = {PromptSegment{SegmentRole::Context, "a,\"b\" c|d ```e"}};
        r->units = {Unit{0, Span{0, 6}, true}, Unit{0, Span{6, 8}, false},
                    Unit{0, Span{8, 14}, true}};
        r->scores = {ScoreSeries{"score", {0.5f, std::nanf(""), 2.0f}}};
        r->compressedText = "a,\"b\" d ```e";
        r->tokensIn = 3;
        r->tokensOut = 2;
        ExportEntry e;
        e.label = QStringLiteral("x|y");
        e.result = r;
        const QString csv = QString::fromUtf8(Exporter::csv({e}));
        QCOMPARE(csv, QStringLiteral("index,text,kept,score\r\n0,\"a,\"\"b\"\" "
                                     "\",1,0.5\r\n1,c|,0,\r\n2,d ```e,1,2\r\n"));
        const QString md = QString::fromUtf8(Exporter::markdown({e}));
        QVERIFY(md.contains(QStringLiteral("| x\\|y |")));
        QVERIFY(md.contains(
            QStringLiteral("````text\na,\"b\" d ```e\n````"))); // fence longer than ``` inside
        const QString html = QString::fromUtf8(Exporter::html({e}));
        QVERIFY(html.contains(QStringLiteral("a,&quot;b&quot; ")));
        QVERIFY(
            html.contains(QStringLiteral("<s class=\"dropped\">c|</s>"))); // NaN score: no colour
    }

    void exportDialogRemembersTheLastFolder()
    {
        ExportDialog::setLastDirectory(m_out.path());
        QCOMPARE(ExportDialog::lastDirectory(), m_out.path());
        ExportDialog::setLastDirectory(m_out.filePath(QStringLiteral("gone")));
        QVERIFY(ExportDialog::lastDirectory() !=
                m_out.filePath(QStringLiteral("gone"))); // a missing folder is not offered
        QVERIFY(QFileInfo(ExportDialog::lastDirectory()).isDir());
        Exporter::Format f;
        QVERIFY(Exporter::formatForPath(QStringLiteral("/x/a.MD"), &f));
        QCOMPARE(f, Exporter::Format::Markdown);
        QVERIFY(!Exporter::formatForPath(QStringLiteral("/x/a.txt"), &f));
    }
};

QTEST_MAIN(TestExport)
#include "test_export.moc"
