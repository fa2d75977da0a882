// Issue 8 (comparing): the comparison window driven through the real MainWindow offscreen: runs on
// the worker thread with results shown as they arrive, the metrics table against metrics computed
// directly, the word-level diff marks, Cancel, the rate sweep chart, and bad input.
#include "app_test_support.h"
#include "compare_window.h"
#include "language.h"
#include "comparison.h"
#include "cost_model.h"
#include "fake_chat_server.h"
#include "main_window.h"
#include "parameter_dialog.h"
#include "workbench_actions.h"

#include "terse/compressor.h"
#include "terse/metrics.h"
#include "terse/resources.h"
#include "terse/tokenizer.h"
#include "terse_widgets/prompt_editor.h"
#include "terse_widgets/sweep_chart.h"
#include "terse_widgets/word_diff_view.h"

#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFile>
#include <QLineEdit>
#include <QMenu>
#include <QProgressBar>
#include <QPushButton>
#include <QScreen>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QSplitter>
#include <QTabWidget>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QToolButton>
#include <QtTest>

#include <atomic>
#include <chrono>
#include <thread>

using namespace terse;
using namespace terse::app;
using terse::widgets::DiffWord;

namespace {

std::atomic<Qt::HANDLE> g_jobThread{nullptr};

// Sleeps (checking cancellation) before compressing like "head": long enough to cancel.
class SlowCompressor : public Compressor {
public:
    std::string name() const override { return "slow"; }
    std::string displayName() const override { return "Slow"; }
    std::string description() const override { return "test"; }
    std::vector<OptionSpec> options() const override { return {}; }
    Result<CompressionResult> compress(const Prompt &p, const CompressOptions &o,
                                       const JobContext &job) override
    {
        for (int i = 0; i < 200; ++i) { // ~10 s unless cancelled
            if (job.isCancelled())
                return fail(ErrorCode::Cancelled, "cancelled");
            job.report(i, 200, "sleeping");
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        CompressOptions h = o;
        h.method = "head";
        return (*createCompressor("head"))->compress(p, h, job);
    }
};

// Records the thread real methods run on; re-decides from cached scores as the method does.
class ThreadRecorder : public Compressor {
public:
    explicit ThreadRecorder(std::unique_ptr<Compressor> inner) : m_inner(std::move(inner)) {}
    std::string name() const override { return m_inner->name(); }
    std::string displayName() const override { return m_inner->displayName(); }
    std::string description() const override { return m_inner->description(); }
    std::vector<OptionSpec> options() const override { return m_inner->options(); }
    Result<CompressionResult> compress(const Prompt &p, const CompressOptions &o,
                                       const JobContext &j) override
    {
        g_jobThread = QThread::currentThreadId();
        return m_inner->compress(p, o, j);
    }
    bool canRethreshold(const CompressionResult &a, const CompressOptions &b,
                        const CompressOptions &c) const override
    {
        return m_inner->canRethreshold(a, b, c);
    }
    Result<CompressionResult> rethreshold(const CompressionResult &a,
                                          const CompressOptions &b) const override
    {
        return m_inner->rethreshold(a, b);
    }

private:
    std::unique_ptr<Compressor> m_inner;
};

Result<std::unique_ptr<Compressor>> testFactory(const std::string &name)
{
    if (name == "slow")
        return std::unique_ptr<Compressor>(std::make_unique<SlowCompressor>());
    auto c = createCompressor(name);
    if (!c)
        return c.error();
    return std::unique_ptr<Compressor>(std::make_unique<ThreadRecorder>(std::move(c.value())));
}

const char *kText =
    "Terse keeps the words that matter and drops the rest, so that long prompts fit.";

CompressOptions options(const char *method, double rate, const std::string &model = {})
{
    CompressOptions o;
    o.method = method;
    o.rate = rate;
    o.model = model;
    return o;
}

// The result of running `o` on `text` directly through the engine, for reference values.
CompressionResult direct(const std::string &text, const CompressOptions &o)
{
    auto c = createCompressor(o.method);
    JobContext job;
    auto r = (*c)->compress(Prompt::fromText(text), o, job);
    return r ? std::move(*r) : CompressionResult{};
}

long targetCount(const std::string &text)
{
    auto path = targetTokenizerPath("cl100k_base");
    if (!path)
        return -1;
    auto tok = Tokenizer::load(*path);
    if (!tok)
        return -1;
    EncodeOptions eo;
    eo.specialText = SpecialText::AsText;
    auto n = tok->countTokens(text, eo);
    return n ? static_cast<long>(*n) : -1;
}

double cellValue(QTableWidget *t, int row, int col)
{
    return t->item(row, col)->data(Qt::UserRole).toDouble();
}

} // namespace

class TestCompare : public QObject {
    Q_OBJECT
    QTemporaryDir m_home;

    // The text of row `row`'s parameters cell.
    static QLineEdit *paramsText(CompareWindow *cw, int row)
    {
        auto *editor = qobject_cast<CompareParamsEditor *>(cw->settingsTable()->indexWidget(
            cw->settingsModel()->index(row, CompareSettingsModel::ParamsColumn)));
        return editor ? editor->lineEdit() : nullptr;
    }

    CompareWindow *openCompare(MainWindow &w)
    {
        auto *actions = w.findChild<WorkbenchActions *>();
        if (!actions)
            return nullptr;
        actions->compareAction()->trigger(); // the menu action opens (and creates) the window
        return actions->compareWindow();
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_home.isValid());
        terse::test::isolateHome(m_home, QStringLiteral("test_compare"));
    }

    void menuActionOpensThePrefilledWindow()
    {
        MainWindow w(testFactory, nullptr, m_home.filePath(QStringLiteral("a.sqlite3")));
        terse::test::waitReady(w);
        w.methodCombo()->setCurrentIndex(w.methodCombo()->findData(QStringLiteral("tail")));
        w.setRate(0.3);
        CompareWindow *cw = openCompare(w);
        QVERIFY(cw);
        QVERIFY(cw->isVisible());
        // The actions sit in the Run and File menus.
        const auto inMenu = [](QAction *a, const QString &title) {
            for (QObject *o : a->associatedObjects())
                if (auto *m = qobject_cast<QMenu *>(o); m && m->title() == title)
                    return true;
            return false;
        };
        auto *actions = w.findChild<WorkbenchActions *>();
        QVERIFY(inMenu(actions->compareAction(), QStringLiteral("&Run")));
        QVERIFY(inMenu(actions->exportResultAction(), QStringLiteral("&File")));
        QVERIFY(inMenu(actions->exportPlotAction(), QStringLiteral("&File")));
        QCOMPARE(cw->settingsCount(), 1); // pre-filled with the current settings
        CompressOptions o;
        QVERIFY(cw->settingsAt(0, &o));
        QCOMPARE(o.method, std::string("tail"));
        QCOMPARE(o.rate, 0.3);
        // "Add Current Settings" follows the main window's controls.
        w.methodCombo()->setCurrentIndex(w.methodCombo()->findData(QStringLiteral("head")));
        w.setRate(0.7);
        QTest::mouseClick(cw->findChild<QPushButton *>(QStringLiteral("addCurrentButton")),
                          Qt::LeftButton);
        QCOMPARE(cw->settingsCount(), 2);
        QVERIFY(cw->settingsAt(1, &o));
        QCOMPARE(o.method, std::string("head"));
        QCOMPARE(o.rate, 0.7);
    }

    void comparesTwoMethodsWithMetricsAndDiff()
    {
        MainWindow w(testFactory, nullptr, m_home.filePath(QStringLiteral("b.sqlite3")));
        terse::test::waitReady(w);
        w.promptEditor()->setPlainText(QString::fromUtf8(kText));
        CompareWindow *cw = openCompare(w);
        cw->clearSettings();
        cw->addSettings(options("head", 0.5));
        cw->addSettings(options("tail", 0.5));
        QSignalSpy shown(cw, &CompareWindow::runShown);
        QSignalSpy done(cw, &CompareWindow::comparisonFinished);
        g_jobThread = nullptr;
        QTest::mouseClick(cw->compareButton(), Qt::LeftButton);
        QVERIFY(cw->isBusy());
        QVERIFY(done.wait(20000));
        QVERIFY2(g_jobThread.load() && g_jobThread.load() != QThread::currentThreadId(),
                 "the runs must happen on the worker thread");
        QVERIFY(shown.count() >= 2);
        QVERIFY(!cw->isBusy());
        QVERIFY2(cw->errorText().isEmpty(), qPrintable(cw->errorText()));
        QCOMPARE(cw->outputCount(), 2);
        QVERIFY(cw->outputTitle(0).startsWith(QStringLiteral("head")));
        QVERIFY(cw->outputTitle(1).startsWith(QStringLiteral("tail")));

        // Metrics table against the engine and the metric functions called directly.
        QTableWidget *t = cw->metricsTable();
        QCOMPARE(t->rowCount(), 2);
        const char *methods[] = {"head", "tail"};
        for (int row = 0; row < 2; ++row) {
            const CompressionResult r = direct(kText, options(methods[row], 0.5));
            QCOMPARE(cw->entries()[static_cast<std::size_t>(row)].result->compressedText,
                     r.compressedText);
            QCOMPARE(cellValue(t, row, 1), double(r.tokensIn));
            QCOMPARE(cellValue(t, row, 2), double(r.tokensOut));
            QCOMPARE(cellValue(t, row, 5), r.achievedRate);
            QCOMPARE(cellValue(t, row, 6), rougeN(r.compressedText, kText, 1).f1);
            QCOMPARE(cellValue(t, row, 7), rougeL(r.compressedText, kText).f1);
            QCOMPARE(cellValue(t, row, 8), bleu(r.compressedText, kText));
            QCOMPARE(cellValue(t, row, 3), double(targetCount(kText)));
            QCOMPARE(cellValue(t, row, 4), double(targetCount(r.compressedText)));
            QVERIFY(t->item(row, 9)->data(Qt::UserRole).toDouble() >= 0);
        }
        QCOMPARE(cellValue(t, 0, 1), 17.0);
        QCOMPARE(cellValue(t, 0, 2), 8.0); // 9 of 18 cl100k tokens: whole words (issue 14)
        QVERIFY(cellValue(t, 0, 7) < 1.0);
        QVERIFY(targetCount(kText) > 0); // the bundled cl100k_base counts the prompt

        // Word-level diff: head keeps the first 9 words, tail the last 9 units ("the rest, so ...
        // fit.").
        const auto &head = cw->outputView(0)->words();
        const auto &tail = cw->outputView(1)->words();
        QCOMPARE(head.size(), 15); // 15 whitespace-separated words
        QCOMPARE(tail.size(), head.size());
        QCOMPARE(head[0].text, QStringLiteral("Terse "));
        QCOMPARE(head[0].mark, DiffWord::Mark::Kept);
        QCOMPARE(tail[0].mark, DiffWord::Mark::Dropped);
        QVERIFY(head[0].disputed && tail[0].disputed);
        QCOMPARE(head[8].text,
                 QStringLiteral("the ")); // head keeps 9 target tokens, tail the other 9
        QCOMPARE(head[8].mark, DiffWord::Mark::Dropped);
        QCOMPARE(tail[8].mark, DiffWord::Mark::Kept);
        QVERIFY(head[8].disputed && tail[8].disputed);
        QCOMPARE(head[14].mark, DiffWord::Mark::Dropped);
        QCOMPARE(tail[14].mark, DiffWord::Mark::Kept);
        for (int i = 0; i < head.size(); ++i)
            QCOMPARE(head[i].disputed, head[i].mark != tail[i].mark);
        QCOMPARE(cw->outputView(0)->count(DiffWord::Mark::Kept), 8);
        QCOMPARE(cw->outputView(0)->disputedCount(), 15);
        // The document shows the whole original, with dropped words struck through.
        QCOMPARE(cw->outputView(0)->toPlainText(), QString::fromUtf8(kText));
        QVERIFY(cw->outputView(0)->toHtml().contains(QStringLiteral("line-through")));
        // Copy puts the compressed text on the clipboard.
        QVERIFY(cw->copyOutput(1));
        QCOMPARE(QGuiApplication::clipboard()->text(),
                 QString::fromStdString(cw->entries()[1].result->compressedText));
    }

    void modelMethodAgainstBaseline()
    {
        const QString model = terse::test::sharedModel("tiny-gpt2-pos2048");
        if (model.isEmpty())
            QSKIP("needs ../shared/parity/models/tiny-gpt2-pos2048 (TERSE_SHARED_DIR)");
        MainWindow w(testFactory, nullptr, m_home.filePath(QStringLiteral("c.sqlite3")));
        terse::test::waitReady(w);
        w.promptEditor()->setPlainText(QString::fromUtf8(kText));
        CompareWindow *cw = openCompare(w);
        cw->clearSettings();
        cw->addSettings(options("random", 0.5));
        cw->addSettings(options("selective_context", 0.5, model.toStdString()));
        cw->addSettings(options("selective_context", 0.3, model.toStdString()));
        QSignalSpy done(cw, &CompareWindow::comparisonFinished);
        QVERIFY(cw->runComparison());
        QVERIFY(done.wait(30000));
        QVERIFY2(cw->errorText().isEmpty(), qPrintable(cw->errorText()));
        const auto entries = cw->entries();
        QCOMPARE(entries.size(), std::size_t(3));
        const CompressionResult r =
            direct(kText, options("selective_context", 0.5, model.toStdString()));
        QCOMPARE(entries[1].result->compressedText, r.compressedText);
        QTableWidget *t = cw->metricsTable();
        QCOMPARE(cellValue(t, 1, 7), rougeL(r.compressedText, kText).f1);
        QVERIFY(cellValue(t, 1, 10) > 0); // the model ran a forward pass
        QVERIFY(cellValue(t, 1, 9) >= cellValue(t, 1, 10));
        // The same method at another rate reports its own model time (no re-decision from row 2's
        // cached scores), and keeps fewer units.
        QVERIFY(cellValue(t, 2, 10) > 0);
        QVERIFY(cellValue(t, 2, 2) < cellValue(t, 1, 2));
    }

    void cancelStopsTheQueueAndKeepsTheUiResponsive()
    {
        MainWindow w(testFactory, nullptr, m_home.filePath(QStringLiteral("d.sqlite3")));
        terse::test::waitReady(w);
        w.promptEditor()->setPlainText(QString::fromUtf8(kText));
        CompareWindow *cw = openCompare(w);
        cw->clearSettings();
        cw->addSettings(options("slow", 0.5));
        cw->addSettings(options("head", 0.5));
        QSignalSpy done(cw, &CompareWindow::comparisonFinished);
        QVERIFY(cw->runComparison());
        QVERIFY(cw->cancelButton()->isEnabled());
        QVERIFY(!cw->compareButton()->isEnabled());
        // The UI thread keeps running while the slow job sleeps on the worker thread.
        QElapsedTimer clock;
        clock.start();
        QTRY_VERIFY_WITH_TIMEOUT(cw->statusText().contains(QStringLiteral("sleeping")), 5000);
        QVERIFY(clock.elapsed() < 5000);
        // The row, the engine's step and, once the pace is known, the time left (issue 20).
        QVERIFY2(cw->statusText().startsWith(QStringLiteral("Run 1 of 2: sleeping (")),
                 qPrintable(cw->statusText()));
        QTRY_VERIFY_WITH_TIMEOUT(cw->statusText().contains(QStringLiteral(" left")), 4000);
        QTest::mouseClick(cw->cancelButton(), Qt::LeftButton);
        QVERIFY(done.wait(5000));
        QVERIFY(clock.elapsed() < 8000); // well before the slow job's 10 s
        QVERIFY(!cw->isBusy());
        QVERIFY(cw->entries().empty()); // neither run finished; "head" was dropped from the queue
        QVERIFY(cw->outputView(1)->toPlainText().contains(QStringLiteral("cancelled")));
        QCOMPARE(cw->metricsTable()->item(1, 1)->text(), QStringLiteral("not run"));
        QVERIFY(cw->compareButton()->isEnabled());
    }

    void sweepPlotsOneCurvePerMethod()
    {
        MainWindow w(testFactory, nullptr, m_home.filePath(QStringLiteral("e.sqlite3")));
        terse::test::waitReady(w);
        w.promptEditor()->setPlainText(QString::fromUtf8(kText));
        CompareWindow *cw = openCompare(w);
        cw->clearSettings();
        cw->addSettings(options("head", 0.5));
        cw->addSettings(options("random", 0.5));
        cw->sweepRatesEdit()->setText(QStringLiteral("0.2, 0.5, 0.8"));
        QSignalSpy done(cw, &CompareWindow::sweepFinished);
        QTest::mouseClick(cw->sweepButton(), Qt::LeftButton);
        QVERIFY(done.wait(20000));
        QVERIFY2(cw->errorText().isEmpty(), qPrintable(cw->errorText()));
        QCOMPARE(cw->tabs()->currentIndex(), 1);
        auto *chart = cw->sweepChart();
        QCOMPARE(chart->graphCount(), 2);
        QCOMPARE(chart->graphName(0), QStringLiteral("head"));
        QCOMPARE(chart->graphName(1), QStringLiteral("random"));
        QCOMPARE(chart->pointCount(0), 3);
        QCOMPARE(chart->pointCount(1), 3);
        QVERIFY(chart->yLabel().contains(QStringLiteral("ROUGE-L")));
        QVERIFY(chart->xLabel().contains(QStringLiteral("achieved rate")));
        cw->setSweepMetric(FidelityMetric::Bleu);
        QVERIFY(chart->yLabel().contains(QStringLiteral("BLEU")));
        QCOMPARE(chart->pointCount(0), 3);

        // Issue 20: fidelity against the money saved on the Cost panel's target ($2 per 1M input
        // tokens). x = (tokens in - tokens out) x 2 / 1e6 x 1000, the achieved-rate axis turned
        // into dollars.
        QSettings().setValue(QStringLiteral("cost/presets"),
                             presetsToJson({{QStringLiteral("test target"), 2.0, 1000}}));
        QSettings().setValue(QStringLiteral("cost/current"), 0);
        cw->setSweepMetric(FidelityMetric::RougeL);
        QVector<double> rates;
        for (int i = 0; i < 3; ++i)
            rates << chart->pointX(0, i);
        cw->setSweepAxis(CompareWindow::SweepAxis::Saving);
        QVERIFY2(chart->xLabel().contains(QStringLiteral("$ saved per 1,000 calls on test target")),
                 qPrintable(chart->xLabel()));
        QCOMPARE(chart->pointCount(0), 3);
        // The chart keeps points in x order: the largest saving is the lowest rate. Dollars are
        // proportional to the dropped fraction, saved = tokens_in x (1 - rate) x 2 / 1000, with one
        // tokens_in for the prompt.
        const double k = chart->pointX(0, 2) / (1 - rates[0]);
        QVERIFY(k > 0);
        for (int i = 0; i < 3; ++i)
            QVERIFY2(std::abs(chart->pointX(0, i) - k * (1 - rates[2 - i])) < 1e-9 * k,
                     qPrintable(QStringLiteral("point %1: %2 vs %3")
                                    .arg(i)
                                    .arg(chart->pointX(0, i))
                                    .arg(k * (1 - rates[2 - i]))));
        QVERIFY(std::abs(k / 2.0 * 1000.0 - std::round(k / 2.0 * 1000.0)) <
                1e-6); // tokens_in is a whole number
        QSettings().remove(QStringLiteral("cost"));
    }

    void badInputIsRefusedWithAMessage()
    {
        MainWindow w(testFactory, nullptr, m_home.filePath(QStringLiteral("f.sqlite3")));
        terse::test::waitReady(w);
        CompareWindow *cw = openCompare(w);
        cw->clearSettings();
        // No rows.
        w.promptEditor()->setPlainText(QString::fromUtf8(kText));
        QVERIFY(!cw->runComparison());
        QVERIFY(cw->errorText().contains(QStringLiteral("Nothing to compare")));
        // A malformed parameter names its row.
        cw->addSettings(options("head", 0.5));
        paramsText(cw, 0)->setText(QStringLiteral("alpha"));
        QVERIFY(!cw->runComparison());
        QVERIFY(cw->errorText().contains(QStringLiteral("Row 1")));
        QVERIFY(cw->errorText().contains(QStringLiteral("alpha")));
        paramsText(cw, 0)->clear();
        // Bad sweep rates.
        cw->sweepRatesEdit()->setText(QStringLiteral("0.2, 1.5"));
        QVERIFY(!cw->runSweep());
        QVERIFY(cw->errorText().contains(QStringLiteral("1.5")));
        // An empty prompt.
        w.promptEditor()->clear();
        QVERIFY(!cw->runComparison());
        QVERIFY(cw->errorText().contains(QStringLiteral("empty")));
        QVERIFY(!cw->isBusy());
        // An unknown method fails its own column; the others still run.
        w.promptEditor()->setPlainText(QString::fromUtf8(kText));
        cw->addSettings(options("no_such_method", 0.5));
        QSignalSpy done(cw, &CompareWindow::comparisonFinished);
        QVERIFY(cw->runComparison());
        QVERIFY(done.wait(10000));
        QCOMPARE(cw->entries().size(), std::size_t(1));
        QVERIFY(cw->errorText().contains(QStringLiteral("no_such_method")));
        QCOMPARE(cw->metricsTable()->item(1, 1)->text(), QStringLiteral("failed"));
    }

    // Issue 19: a row's parameters are edited with the method's typed controls (a ParameterPanel in
    // a dialog); the cell keeps the readable text of the values changed from the defaults, typed
    // text is checked with the engine's rules, and a new method keeps only the parameters it has.
    void rowParametersAreEditedWithTypedControls()
    {
        MainWindow w(testFactory, nullptr, m_home.filePath(QStringLiteral("p.sqlite3")));
        terse::test::waitReady(w);
        CompareWindow *cw = openCompare(w);
        cw->clearSettings();
        CompressOptions dac = options("dac", 0.5);
        dac.params = {{"alpha", "0.8"}, {"stages", "0"}, {"variant", "dynamic_attn_ppl"}};
        cw->addSettings(dac);
        // Only the values that differ from the defaults are shown.
        const auto specs = *findMethod("dac");
        std::map<std::string, std::string> expected;
        for (const auto &spec : specs.options)
            if (spec.name == "variant" && spec.defaultValue != "dynamic_attn_ppl")
                expected["variant"] = "dynamic_attn_ppl";
        QCOMPARE(paramsText(cw, 0)->text(), formatParams(expected));

        // The cell's button opens the dialog with the method's controls, set to the row's values.
        auto *editor = qobject_cast<CompareParamsEditor *>(cw->settingsTable()->indexWidget(
            cw->settingsModel()->index(0, CompareSettingsModel::ParamsColumn)));
        QVERIFY(editor);
        QTest::mouseClick(editor->editButton(), Qt::LeftButton);
        auto *dialog = cw->findChild<ParameterDialog *>();
        QVERIFY(dialog);
        QTRY_VERIFY(dialog->isVisible());
        auto *alpha = dialog->findChild<QDoubleSpinBox *>(QStringLiteral("param_alpha"));
        auto *stages = dialog->findChild<QSpinBox *>(QStringLiteral("param_stages"));
        auto *punct = dialog->findChild<QCheckBox *>(QStringLiteral("param_preserve_punct"));
        auto *variant = dialog->findChild<QComboBox *>(QStringLiteral("param_variant"));
        QVERIFY(alpha && stages && punct && variant);
        QVERIFY(!dialog->findChild<QSpinBox *>(QStringLiteral("param_seed"))->isVisibleTo(dialog));
        QCOMPARE(variant->currentData().toString(), QStringLiteral("dynamic_attn_ppl"));
        QVERIFY(!alpha->toolTip().isEmpty());
        // Out-of-range values cannot be entered: the spin boxes hold the specs' ranges.
        alpha->setValue(7);
        QCOMPARE(alpha->value(), alpha->maximum());
        QCOMPARE(alpha->maximum(), 1.0);
        alpha->setValue(0.35);
        stages->setValue(12);
        punct->setChecked(!punct->isChecked());
        const bool punctNow = punct->isChecked();
        variant->setCurrentIndex(variant->findData(QStringLiteral("ppl")));
        QVERIFY(variant->currentIndex() >= 0);
        const QString shots = qEnvironmentVariable("TERSE_SCREENSHOT_DIR");
        if (!shots.isEmpty()) { // under Xvfb for real fonts, as screenshots() below
            QTest::qWait(200);  // the layout settles
            QVERIFY(dialog->grab().save(shots + QStringLiteral("/compare_params_dialog.png")));
        }
        dialog->accept();
        CompressOptions o;
        QString error;
        QVERIFY2(cw->settingsAt(0, &o, &error), qPrintable(error));
        QCOMPARE(o.params.at("alpha"), std::string("0.35"));
        QCOMPARE(o.params.at("stages"), std::string("12"));
        QCOMPARE(o.params.at("preserve_punct"), std::string(punctNow ? "true" : "false"));
        QCOMPARE(o.params.at("variant"), std::string("ppl"));
        QCOMPARE(paramsText(cw, 0)->text(), formatParams(o.params)); // readable in the table
        if (!shots.isEmpty()) {
            cw->addSettings(options("head", 0.3));
            QTest::qWait(100);
            QVERIFY(cw->grab().save(shots + QStringLiteral("/compare_params_rows.png")));
            cw->removeSettings(1);
        }
        QVERIFY(terse::validateMethodParams(specs, o.params).ok());

        // Reopened, the dialog shows the row's values; Cancel changes nothing.
        dialog = cw->editParameters(0);
        QVERIFY(dialog);
        QCOMPARE(dialog->findChild<QDoubleSpinBox *>(QStringLiteral("param_alpha"))->value(), 0.35);
        QCOMPARE(dialog->findChild<QSpinBox *>(QStringLiteral("param_stages"))->value(), 12);
        dialog->findChild<QSpinBox *>(QStringLiteral("param_stages"))->setValue(3);
        dialog->reject();
        QVERIFY(cw->settingsAt(0, &o));
        QCOMPARE(o.params.at("stages"), std::string("12"));
        // Reset to Defaults in the dialog empties the cell.
        dialog = cw->editParameters(0);
        QTest::mouseClick(dialog->findChild<QPushButton *>(QStringLiteral("resetParameters")),
                          Qt::LeftButton);
        dialog->accept();
        QCOMPARE(paramsText(cw, 0)->text(), QString());

        // Typed text is checked with the engine's rules, naming the row and the parameter.
        paramsText(cw, 0)->setText(QStringLiteral("alpha=3"));
        QVERIFY(!cw->settingsAt(0, &o, &error));
        QVERIFY2(error.contains(QStringLiteral("Row 1")) && error.contains(QStringLiteral("alpha")),
                 qPrintable(error));
        QVERIFY(!editor->lineEdit()->styleSheet().isEmpty()); // the cell shows it is refused
        QCOMPARE(editor->lineEdit()->toolTip(), error);
        w.promptEditor()->setPlainText(QString::fromUtf8(kText));
        QVERIFY(!cw->runComparison());
        QVERIFY2(cw->errorText().contains(QStringLiteral("alpha")), qPrintable(cw->errorText()));
        paramsText(cw, 0)->setText(QStringLiteral("bogus=1"));
        QVERIFY(!cw->settingsAt(0, &o, &error));
        QVERIFY2(error.contains(QStringLiteral("bogus")), qPrintable(error));
        paramsText(cw, 0)->setText(QStringLiteral("alpha=0.5; preserve_punct=true"));
        QVERIFY(cw->settingsAt(0, &o, &error));
        QVERIFY(editor->lineEdit()->styleSheet().isEmpty());

        // Another method keeps only the parameters it has.
        cw->settingsModel()->setData(
            cw->settingsModel()->index(0, CompareSettingsModel::MethodColumn),
            QStringLiteral("random"));
        QVERIFY(cw->settingsAt(0, &o, &error));
        QVERIFY(o.params.count("alpha") == 0 && o.params.count("preserve_punct") == 0);
        // A method nobody knows: no dialog, a message.
        cw->addSettings(options("no_such_method", 0.5));
        QVERIFY(!cw->editParameters(1));
        QVERIFY(cw->errorText().contains(QStringLiteral("no_such_method")));
    }

    // Issue 20: the window stays within the screen when results with long settings arrive.
    void windowStaysWithinTheScreen()
    {
        MainWindow w(testFactory, nullptr, m_home.filePath(QStringLiteral("s.sqlite3")));
        terse::test::waitReady(w);
        w.promptEditor()->setPlainText(QString::fromUtf8(kText));
        CompareWindow *cw = openCompare(w);
        cw->clearSettings();
        for (const char *m : {"head", "tail", "random", "head_tail", "random"})
            cw->addSettings(options(m, 0.5));
        cw->show();
        const QRect screen = cw->screen()->availableGeometry();
        QVERIFY2(cw->frameGeometry().width() <= screen.width() &&
                     cw->frameGeometry().height() <= screen.height(),
                 qPrintable(QStringLiteral("%1x%2 on %3x%4")
                                .arg(cw->frameGeometry().width())
                                .arg(cw->frameGeometry().height())
                                .arg(screen.width())
                                .arg(screen.height())));
        QSignalSpy done(cw, &CompareWindow::comparisonFinished);
        QVERIFY(cw->runComparison());
        QVERIFY(done.wait(20000));
        QTest::qWait(100);
        QVERIFY2(cw->width() <= screen.width() && cw->minimumSizeHint().width() <= screen.width(),
                 qPrintable(QStringLiteral("width %1, minimum %2 on a %3 px screen")
                                .arg(cw->width())
                                .arg(cw->minimumSizeHint().width())
                                .arg(screen.width())));
        QVERIFY(cw->height() <= screen.height());
    }

    // Issue 20: the Compare window runs the answer check for every row.
    void asksTheTargetModelForEveryRow()
    {
        terse::test::FakeChatServer server;
        QSettings settings;
        settings.setValue(QStringLiteral("answerCheck/endpoint"), server.url("ok"));
        settings.setValue(QStringLiteral("answerCheck/model"), QStringLiteral("local-llm"));
        MainWindow w(testFactory, nullptr, m_home.filePath(QStringLiteral("ask.sqlite3")));
        terse::test::waitReady(w);
        w.promptEditor()->setPlainText(QString::fromUtf8(kText));
        CompareWindow *cw = openCompare(w);
        cw->clearSettings();
        QVERIFY(!cw->askTargetModel()); // nothing compared yet: says so
        QVERIFY(cw->statusText().contains(QStringLiteral("Compare first")));
        cw->addSettings(options("head", 0.5));
        cw->addSettings(options("tail", 0.5));
        QSignalSpy done(cw, &CompareWindow::comparisonFinished);
        QVERIFY(cw->runComparison());
        QVERIFY(done.wait(20000));
        QSignalSpy answered(cw, &CompareWindow::answersFinished);
        QTest::mouseClick(cw->askButton(), Qt::LeftButton);
        QVERIFY(answered.wait(15000));
        QTableWidget *t = cw->metricsTable();
        const int col = t->columnCount() - 1;
        QCOMPARE(t->horizontalHeaderItem(col)->text(), QStringLiteral("Target answer"));
        for (int row = 0; row < 2; ++row) {
            const QString compressed = QString::fromStdString(
                cw->entries()[static_cast<std::size_t>(row)].result->compressedText);
            QCOMPARE(t->item(row, col)->text(),
                     QStringLiteral("Answer to: ") + compressed.section(QLatin1Char(' '), 0, 3));
        }
        QVERIFY(cw->originalAnswer().startsWith(QStringLiteral("Answer to: ")));
        QVERIFY(cw->statusText().contains(QStringLiteral("original prompt's answer")));
        settings.remove(QStringLiteral("answerCheck"));
    }

    void parseRates_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QVector<double>>("expected"); // empty: refused
        QTest::newRow("list") << "0.1, 0.5, 0.9" << QVector<double>{0.1, 0.5, 0.9};
        QTest::newRow("spaces") << "0.2 0.4" << QVector<double>{0.2, 0.4};
        QTest::newRow("range") << "0.1:0.5:0.2" << QVector<double>{0.1, 0.3, 0.5};
        QTest::newRow("one") << "1" << QVector<double>{1.0};
        QTest::newRow("zero") << "0, 0.5" << QVector<double>{};
        QTest::newRow("above one") << "0.5, 1.2" << QVector<double>{};
        QTest::newRow("word") << "half" << QVector<double>{};
        QTest::newRow("empty") << "" << QVector<double>{};
        QTest::newRow("bad range") << "0.9:0.1:0.1" << QVector<double>{};
    }

    void parseRates()
    {
        QFETCH(QString, text);
        QFETCH(QVector<double>, expected);
        QVector<double> rates;
        const bool ok = CompareWindow::parseRates(text, &rates);
        QCOMPARE(ok, !expected.isEmpty());
        if (ok) {
            QCOMPARE(rates.size(), expected.size());
            for (int i = 0; i < rates.size(); ++i)
                QVERIFY(std::abs(rates[i] - expected[i]) < 1e-9);
        }
    }

    // Saves screenshots of the comparison and the sweep when TERSE_SCREENSHOT_DIR is set (run under
    // Xvfb for real fonts; TERSE_SCREENSHOT_LANG picks the interface language); otherwise skipped.
    void screenshots()
    {
        const QString dir = qEnvironmentVariable("TERSE_SCREENSHOT_DIR");
        if (dir.isEmpty())
            QSKIP("set TERSE_SCREENSHOT_DIR to save screenshots");
        const QString lang = qEnvironmentVariable("TERSE_SCREENSHOT_LANG", QStringLiteral("en"));
        QVERIFY(installLanguage(*QCoreApplication::instance(), lang));
        const QString suffix = lang == QLatin1String("en") ? QString() : QLatin1Char('_') + lang;
        const QString model = terse::test::sharedModel("tiny-gpt2-pos2048");
        MainWindow w(testFactory, nullptr, m_home.filePath(QStringLiteral("g.sqlite3")));
        terse::test::waitReady(w);
        QVERIFY(
            w.openFile(QStringLiteral(TERSE_SOURCE_DIR "/resources/samples/meeting_notes.txt")));
        CompareWindow *cw = openCompare(w);
        cw->clearSettings();
        cw->addSettings(options("head_tail", 0.5));
        cw->addSettings(options("random", 0.5));
        if (!model.isEmpty())
            cw->addSettings(options("selective_context", 0.5, model.toStdString()));
        cw->resize(1400, 900);
        QSignalSpy done(cw, &CompareWindow::comparisonFinished);
        QVERIFY(cw->runComparison());
        QVERIFY(done.wait(30000));
        QTest::qWait(200);
        QVERIFY(cw->grab().save(dir + QStringLiteral("/compare_view%1.png").arg(suffix)));
        cw->sweepRatesEdit()->setText(QStringLiteral("0.1:0.9:0.1"));
        QSignalSpy swept(cw, &CompareWindow::sweepFinished);
        QVERIFY(cw->runSweep());
        QVERIFY(swept.wait(30000));
        QTest::qWait(200);
        QVERIFY(cw->grab().save(dir + QStringLiteral("/sweep_chart%1.png").arg(suffix)));
        QVERIFY(
            cw->exportSweepChartTo(dir + QStringLiteral("/sweep_chart_export%1.png").arg(suffix)));
        QVERIFY(
            cw->exportSweepChartTo(dir + QStringLiteral("/sweep_chart_export%1.svg").arg(suffix)));
        QVERIFY(cw->exportComparisonTo(dir + QStringLiteral("/comparison%1.html").arg(suffix)));
        installLanguage(*QCoreApplication::instance(), QStringLiteral("en"));
    }
};

QTEST_MAIN(TestCompare)
#include "test_compare.moc"
