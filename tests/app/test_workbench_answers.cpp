// Issue 20, "The workbench answers the real question": a first run that teaches (LLMLingua-2
// preselected, the samples one click away in the empty editor, no empty plots, a hint of what the
// colours mean), only real score series to colour by, run times for people, and result warnings
// that are notes, not errors.
#include "app_test_support.h"
#include "app_test_util.h"
#include "engine_terms.h"
#include "main_window.h"
#include "result_adapter.h"
#include "result_inspector.h"

#include "terse/compressor.h"
#include "terse_widgets/prompt_editor.h"
#include "terse_widgets/score_plot.h"
#include "terse_widgets/token_heatmap_view.h"

#include <QComboBox>
#include <QLabel>
#include <QPushButton>
#include <QRegularExpression>
#include <QSettings>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QtTest>

using namespace terse;
using namespace terse::app;

namespace {

const char *kText =
    "Terse keeps the words that matter and drops the rest, so that long prompts fit.";

// "head" plus the warnings of `codes` (each detail names its code), to check how they are shown.
class WarningCompressor : public Compressor {
public:
    std::string name() const override { return "warner"; }
    std::string displayName() const override { return "Warner"; }
    std::string description() const override { return "test"; }
    std::vector<OptionSpec> options() const override { return {}; }
    Result<CompressionResult> compress(const Prompt &p, const CompressOptions &o,
                                       const JobContext &job) override
    {
        auto head = createCompressor("head");
        CompressOptions h = o;
        h.method = "head";
        auto r = (*head)->compress(p, h, job);
        if (r)
            for (const auto &code : codes)
                r->warnings.push_back({code, "detail of " + code});
        return r;
    }
    static inline std::vector<std::string> codes;
};

Result<std::unique_ptr<Compressor>> factory(const std::string &name)
{
    if (name == "warner")
        return std::unique_ptr<Compressor>(std::make_unique<WarningCompressor>());
    return createCompressor(name);
}

QStringList colourChoices(const MainWindow &w)
{
    QStringList out;
    for (int i = 1; i < w.inspector()->colorCombo()->count(); ++i) // 0 is "decision only"
        out << w.inspector()->colorCombo()->itemData(i).toString();
    return out;
}

const QStringList kInternal = {
    QStringLiteral("piece_offset"),   QStringLiteral("piece_bytes"),
    QStringLiteral("sentence_first"), QStringLiteral("protected"),
    QStringLiteral("force_token"),    QStringLiteral("chunk"),
    QStringLiteral("target_tokens"),  QStringLiteral("word_offset"),
    QStringLiteral("word_bytes"),
};

} // namespace

class TestWorkbenchAnswers : public QObject {
    Q_OBJECT
    QTemporaryDir m_home;

private slots:
    void initTestCase()
    {
        QVERIFY(m_home.isValid());
        terse::test::isolateHome(m_home, QStringLiteral("test_workbench_answers"));
    }

    void init() { QSettings().clear(); }

    void firstRunPreselectsLlmlingua2AndOffersTheSamples()
    {
        MainWindow w(factory);
        w.show();
        terse::test::waitReady(w);
        QCOMPARE(w.methodCombo()->currentData().toString(), QStringLiteral("llmlingua2"));

        // The empty editor offers every bundled sample as a button.
        auto *editor = w.promptEditor();
        const QStringList samples = MainWindow::samplePaths();
        QVERIFY(samples.size() >= 4);
        QCOMPARE(editor->sampleButtons().size(), samples.size());
        QVERIFY(editor->samplesPanel()->isVisible());
        QCOMPARE(editor->sampleButtons().first()->text(), QStringLiteral("Few shot arithmetic"));
        // Under the empty editor's hint text, inside the editor.
        QVERIFY(editor->samplesPanel()->geometry().top() > editor->fontMetrics().height());
        QVERIFY(editor->viewport()->rect().contains(editor->samplesPanel()->geometry().topLeft()));

        // No plots (no empty axes) until there is a result; a notice says why.
        QVERIFY(!w.inspector()->tabs()->isVisible());
        QVERIFY(w.inspector()->emptyPlotNotice()->isVisible());
        QVERIFY(w.inspector()->emptyPlotNotice()->text().contains(
            QStringLiteral("Nothing to plot yet")));
        QVERIFY(!w.inspector()->legendHint()->isVisible());

        // One click loads a sample; the offer disappears while there is text and returns when
        // empty.
        const int meeting =
            samples.indexOf(QRegularExpression(QStringLiteral(".*/meeting_notes.txt")));
        QVERIFY(meeting >= 0);
        QTest::mouseClick(editor->sampleButtons()[meeting], Qt::LeftButton);
        QFile f(samples[meeting]);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(editor->toPlainText(), QString::fromUtf8(f.readAll()));
        QVERIFY(!editor->samplesPanel()->isVisible());
        QVERIFY(w.windowTitle().contains(QStringLiteral("meeting_notes.txt")));

        // Compressing it with the preselected method and the bundled tagger fills the plots.
        QVERIFY2(terse::testutil::runAndWait(w, 120000), qPrintable(w.errorText()));
        QCOMPARE(QString::fromStdString(w.lastResult()->method), QStringLiteral("llmlingua2"));
        QVERIFY(w.inspector()->tabs()->isVisible());
        QVERIFY(!w.inspector()->emptyPlotNotice()->isVisible());
        QVERIFY(w.inspector()->legendHint()->isVisible());
        const QString hint = w.inspector()->legendHint()->text();
        QVERIFY2(hint.contains(QStringLiteral("Stronger colour = higher ") +
                               w.inspector()->colorCombo()->currentText()),
                 qPrintable(hint));
        // LLMLingua-2 keeps its per-word caches in the result: none is a colour choice or a plot.
        const QStringList choices = colourChoices(w);
        QVERIFY(choices.contains(QStringLiteral("probability")));
        for (const QString &name : kInternal)
            QVERIFY2(!choices.contains(name), qPrintable(name));
        // The plots draw from the same filtered series.
        for (const QString &name : w.heatmapView()->data().seriesNames)
            QVERIFY2(!kInternal.contains(name), qPrintable(name));
        QVERIFY(w.scorePlot()->pointCount() > 0);
        // Classifying a long prompt in chunks is a note, not an error.
        QVERIFY2(w.errorText().isEmpty(), qPrintable(w.errorText()));
        QVERIFY2(w.noteText().contains(QStringLiteral("chunks of at most")),
                 qPrintable(w.noteText()));
        QVERIFY(w.noteText().startsWith(QStringLiteral("Note: The prompt was classified")));

        editor->clear();
        QVERIFY(editor->samplesPanel()->isVisible());
    }

    void aStoredMethodWinsOverTheFirstRunDefault()
    {
        QSettings().setValue(QStringLiteral("method"), QStringLiteral("head"));
        MainWindow w(factory);
        QCOMPARE(w.methodCombo()->currentData().toString(), QStringLiteral("head"));
    }

    void selectiveContextCachesAreNotColourChoices()
    {
        MainWindow w(factory);
        w.show();
        terse::test::waitReady(w);
        QVERIFY(terse::testutil::selectMethod(w, QStringLiteral("selective_context")));
        w.promptEditor()->setPlainText(QString::fromUtf8(kText));
        QVERIFY2(terse::testutil::runAndWait(w, 120000), qPrintable(w.errorText()));
        // The method's bookkeeping lives apart from the scores (issue 19) and is never offered.
        QVERIFY(!w.lastResult()->series("piece_offset") &&
                w.lastResult()->internal("piece_offset"));
        const QStringList choices = colourChoices(w);
        QCOMPARE(choices, QStringList{QStringLiteral("self_information")});
        // Even a saved colour choice of an older version cannot bring one back.
        QVERIFY(!w.inspector()->setColorSeries(QStringLiteral("piece_bytes")));
        QCOMPARE(w.heatmapView()->data().seriesNames,
                 QStringList{QStringLiteral("self_information")});
        // Each choice says what it means and which method computed it.
        QComboBox *combo = w.inspector()->colorCombo();
        const QString tip =
            combo->itemData(combo->findText(QStringLiteral("self_information")), Qt::ToolTipRole)
                .toString();
        QVERIFY2(tip.contains(QStringLiteral("Selective-Context")) &&
                     tip.contains(QStringLiteral("log p")),
                 qPrintable(tip));
        QVERIFY(!combo->itemData(0, Qt::ToolTipRole).toString().isEmpty());
    }

    void durationsReadLikeAPersonWouldSayThem_data()
    {
        QTest::addColumn<double>("ms");
        QTest::addColumn<QString>("english");
        QTest::addColumn<QString>("german");
        QTest::newRow("sub-ms") << 0.36 << "0.4 ms"
                                << "0,4 ms";
        QTest::newRow("ms") << 3.24 << "3.2 ms"
                            << "3,2 ms";
        QTest::newRow("tens of ms") << 12.4 << "12 ms"
                                    << "12 ms";
        QTest::newRow("hundreds of ms") << 420.4 << "420 ms"
                                        << "420 ms";
        QTest::newRow("just under 1 s") << 999.7 << "1.0 s"
                                        << "1,0 s";
        QTest::newRow("seconds") << 3240.0 << "3.2 s"
                                 << "3,2 s";
        QTest::newRow("just under 10 s") << 9970.0 << "10 s"
                                         << "10 s";
        QTest::newRow("tens of s") << 42400.0 << "42 s"
                                   << "42 s";
        QTest::newRow("just under 1 min") << 59600.0 << "1 min"
                                          << "1 min";
        QTest::newRow("minutes") << 630184.2 << "10 min 30 s"
                                 << "10 min 30 s";
        QTest::newRow("whole minutes") << 120000.0 << "2 min"
                                       << "2 min";
        QTest::newRow("hours") << 7.5e6 << "2 h 5 min"
                               << "2 h 5 min";
        QTest::newRow("whole hours") << 3.6e6 << "1 h"
                                     << "1 h";
        QTest::newRow("zero") << 0.0 << "0.0 ms"
                              << "0,0 ms";
        QTest::newRow("negative") << -1.0 << "—"
                                  << "—";
        QTest::newRow("nan") << std::nan("") << "—"
                             << "—";
    }

    void durationsReadLikeAPersonWouldSayThem()
    {
        QFETCH(double, ms);
        QFETCH(QString, english);
        QFETCH(QString, german);
        QCOMPARE(formatDuration(ms, QLocale::c()), english);
        QCOMPARE(formatDuration(ms, QLocale(QLocale::German)), german);
    }

    void theSummaryShowsTheRunTimeForPeople()
    {
        CompressionResult r;
        r.tokensIn = 100;
        r.tokensOut = 50;
        r.totalMs = 630184.2;
        QVERIFY2(resultSummary(r).endsWith(QStringLiteral(" · ") + formatDuration(630184.2)),
                 qPrintable(resultSummary(r)));
        QVERIFY(!resultSummary(r).contains(QStringLiteral("630184")));
        r.targetTokensIn = 120;
        r.targetTokensOut = 60;
        r.totalMs = 3240;
        QVERIFY2(resultSummary(r).endsWith(QStringLiteral(" · ") + formatDuration(3240)),
                 qPrintable(resultSummary(r)));
    }

    void warningsAreNotesOrWarningsButNeverErrors_data()
    {
        QTest::addColumn<QString>("code");
        QTest::addColumn<bool>("info");
        QTest::newRow("chunked") << "chunked" << true;
        QTest::newRow("no_question") << "no_question" << true;
        QTest::newRow("consecutive_limit_relaxed") << "consecutive_limit_relaxed" << true;
        QTest::newRow("context_filter_undone") << "context_filter_undone" << true;
        QTest::newRow("rate_unreachable") << "rate_unreachable" << false;
        QTest::newRow("rate_granularity") << "rate_granularity" << false;
        QTest::newRow("short_prompt") << "short_prompt" << false;
        QTest::newRow("unknown") << "something_new" << false;
    }

    void warningsAreNotesOrWarningsButNeverErrors()
    {
        QFETCH(QString, code);
        QFETCH(bool, info);
        QCOMPARE(warningKind(code.toStdString()) == NoteKind::Info, info);

        WarningCompressor::codes = {code.toStdString()};
        MainWindow w(factory);
        w.show();
        terse::test::waitReady(w);
        w.methodCombo()->addItem(QStringLiteral("Warner"), QStringLiteral("warner"));
        QVERIFY(terse::testutil::selectMethod(w, QStringLiteral("warner")));
        w.promptEditor()->setPlainText(QString::fromUtf8(kText));
        QVERIFY(terse::testutil::runAndWait(w));
        // The app's own message for a code it knows (translated by code), the engine's detail
        // otherwise.
        const QString shown = (code == QLatin1String("something_new")
                                   ? QStringLiteral("Detail of ") + code
                                   : EngineTerms::warningText(
                                         {code.toStdString(), "detail of " + code.toStdString()})) +
                              QLatin1Char('.');
        QVERIFY2(w.errorText().isEmpty(), qPrintable(w.errorText()));
        QCOMPARE(w.noteText(), info ? QStringLiteral("Note: ") + shown : QString());
        QCOMPARE(w.warningText(), info ? QString() : QStringLiteral("Warning: ") + shown);

        // A result without warnings clears them; a real error still goes to the red banner.
        WarningCompressor::codes.clear();
        QVERIFY(terse::testutil::runAndWait(w));
        QVERIFY(w.noteText().isEmpty());
        QVERIFY(w.warningText().isEmpty());
        w.promptEditor()->clear();
        w.runCompression();
        QVERIFY(w.errorText().contains(QStringLiteral("empty")));
    }
};

QTEST_MAIN(TestWorkbenchAnswers)
#include "test_workbench_answers.moc"
