// Drives the real MainWindow offscreen: paste, run on the worker thread, responsiveness, cancel,
// re-thresholding from cached scores, and bad input (empty, binary, invalid UTF-8, 5 MB).
#include "main_window.h"
#include "result_inspector.h"

#include "terse/compressor.h"
#include "terse/runtime.h"
#include "terse_widgets/prompt_editor.h"
#include "terse_widgets/token_heatmap_view.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QSlider>
#include <QStandardItemModel>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

#include <atomic>
#include <chrono>
#include <thread>

using namespace terse;
using namespace terse::app;

namespace {

// A compressor that works for a long time (checking cancellation) before delegating to "head".
class SlowCompressor : public Compressor {
public:
    explicit SlowCompressor(std::atomic<int> *runs) : m_runs(runs) {}
    std::string name() const override { return "slow"; }
    std::string displayName() const override { return "Slow"; }
    std::string description() const override { return "test"; }
    std::vector<OptionSpec> options() const override { return {}; }
    Result<CompressionResult> compress(const Prompt &p, const CompressOptions &o,
                                       const JobContext &job) override
    {
        ++*m_runs;
        m_threadIsUi = false;
        for (int i = 0; i < 200; ++i) { // ~10 s unless cancelled
            if (job.isCancelled())
                return fail(ErrorCode::Cancelled, "cancelled");
            job.report(i, 200, "sleeping");
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        auto head = createCompressor("head");
        CompressOptions h = o;
        h.method = "head";
        return (*head)->compress(p, h, job);
    }
    bool m_threadIsUi = true;

private:
    std::atomic<int> *m_runs;
};

std::atomic<int> g_slowRuns{0};
std::atomic<int> g_fullRuns{0};
Qt::HANDLE g_jobThread = nullptr;

// Counts full runs of real methods and records the thread they ran on.
class CountingCompressor : public Compressor {
public:
    explicit CountingCompressor(std::unique_ptr<Compressor> inner) : m_inner(std::move(inner)) {}
    std::string name() const override { return m_inner->name(); }
    std::string displayName() const override { return m_inner->displayName(); }
    std::string description() const override { return m_inner->description(); }
    std::vector<OptionSpec> options() const override { return m_inner->options(); }
    Result<CompressionResult> compress(const Prompt &p, const CompressOptions &o,
                                       const JobContext &j) override
    {
        ++g_fullRuns;
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
        return std::unique_ptr<Compressor>(std::make_unique<SlowCompressor>(&g_slowRuns));
    auto c = createCompressor(name);
    if (!c)
        return c.error();
    return std::unique_ptr<Compressor>(std::make_unique<CountingCompressor>(std::move(c.value())));
}

const char *kText =
    "Terse keeps the words that matter and drops the rest, so that long prompts fit.";

} // namespace

class TestMainWindow : public QObject {
    Q_OBJECT
    QTemporaryDir m_home; // the session database and settings of these tests, never the user's

private slots:
    void initTestCase()
    {
        QVERIFY(m_home.isValid());
        qputenv("XDG_DATA_HOME", m_home.filePath(QStringLiteral("data")).toUtf8());
        qputenv("XDG_CONFIG_HOME", m_home.filePath(QStringLiteral("config")).toUtf8());
        qputenv("HF_HUB_CACHE", m_home.filePath(QStringLiteral("hf")).toUtf8());
        QCoreApplication::setOrganizationName(QStringLiteral("TerseTest"));
        QCoreApplication::setApplicationName(QStringLiteral("test_main_window"));
        QSettings().clear();
    }

    void pasteRunAndShowResult()
    {
        MainWindow w(testFactory);
        w.show();
        w.promptEditor()->setPlainText(QString::fromUtf8(kText));
        w.methodCombo()->setCurrentIndex(w.methodCombo()->findData(QStringLiteral("head")));
        w.setRate(0.5);
        QSignalSpy shown(&w, &MainWindow::resultShown);
        const int before = g_fullRuns;
        QTest::mouseClick(w.runButton(), Qt::LeftButton);
        QVERIFY(shown.wait(10000));
        QCOMPARE(g_fullRuns.load(), before + 1);
        QVERIFY2(g_jobThread != QThread::currentThreadId(),
                 "the job must run on the worker thread");
        QVERIFY(w.lastResult());
        // 17 units ("Terse keeps ... fit" = 15 words + "," + "."), 18 cl100k tokens ("Terse" is
        // two): the rate is met in target tokens with whole words (issue 14), 9 tokens = the first
        // 8 words.
        QCOMPARE(w.lastResult()->tokensIn, 17L);
        QCOMPARE(w.lastResult()->tokensOut, 8L);
        QCOMPARE(w.lastResult()->targetTokensOut, 9L);
        QCOMPARE(QString::fromStdString(w.lastResult()->compressedText),
                 QStringLiteral("Terse keeps the words that matter and drops"));
        QVERIFY2(w.summaryText().contains(
                     QStringLiteral("18 → 9 target tokens (50.0% kept, requested 50.0%)")),
                 qPrintable(w.summaryText()));
        QVERIFY(w.summaryText().contains(QStringLiteral("17 → 8 words")));
        QCOMPARE(w.heatmapView()->displayedText(), QString::fromUtf8(kText));
        QVERIFY(!w.cancelButton()->isEnabled());
    }

    void rateSliderReDecidesWithoutRerunning()
    {
        MainWindow w(testFactory);
        w.show();
        w.promptEditor()->setPlainText(QString::fromUtf8(kText));
        w.methodCombo()->setCurrentIndex(w.methodCombo()->findData(QStringLiteral("random")));
        QSignalSpy shown(&w, &MainWindow::resultShown);
        w.runCompression();
        QVERIFY(shown.wait(10000));
        const int runs = g_fullRuns;
        w.rateSlider()->setValue(200); // 0.2; debounced
        QVERIFY(shown.wait(10000));
        QCOMPARE(g_fullRuns.load(), runs); // re-decided from cached scores: no new full run
        // 0.2 of the prompt's 18 cl100k tokens, within the 2-token tolerance of corrected mode
        // (issue 14).
        QVERIFY(std::abs(static_cast<double>(w.lastResult()->targetTokensOut) -
                         0.2 * static_cast<double>(w.lastResult()->targetTokensIn)) <= 2.0);
        QCOMPARE(w.lastResult()->requestedRate, 0.2);
        QVERIFY(w.statusText().contains(QStringLiteral("cached")));
        // Editing the prompt invalidates the cache: the next run is a full one.
        w.promptEditor()->appendPlainText(QStringLiteral("More words here."));
        w.runCompression();
        QVERIFY(shown.wait(10000));
        QCOMPARE(g_fullRuns.load(), runs + 1);
    }

    void uiStaysResponsiveAndCancelStopsALongJob()
    {
        MainWindow w(testFactory);
        w.show();
        w.methodCombo()->addItem(QStringLiteral("Slow"), QStringLiteral("slow"));
        w.methodCombo()->setCurrentIndex(w.methodCombo()->count() - 1);
        w.promptEditor()->setPlainText(QString::fromUtf8(kText));
        int ticks = 0;
        QTimer ticker;
        connect(&ticker, &QTimer::timeout, [&] { ++ticks; });
        ticker.start(10);
        QSignalSpy ended(&w, &MainWindow::jobEnded);
        const int runs = g_slowRuns;
        w.runCompression();
        QVERIFY(w.isBusy());
        QVERIFY(w.cancelButton()->isEnabled());
        QTRY_COMPARE_WITH_TIMEOUT(g_slowRuns.load(), runs + 1, 5000);
        QTest::qWait(500);
        QVERIFY2(ticks >= 10,
                 qPrintable(QStringLiteral("event loop ran only %1 ticks in 500 ms").arg(ticks)));
        QVERIFY(w.progressBar()->isVisible()); // job longer than 300 ms shows progress
        QElapsedTimer t;
        t.start();
        QTest::mouseClick(w.cancelButton(), Qt::LeftButton);
        QVERIFY(ended.wait(5000));
        QVERIFY2(t.elapsed() < 3000, "cancel must stop the job promptly");
        QCOMPARE(w.statusText(), QStringLiteral("Cancelled."));
        QVERIFY(!w.isBusy());
        QVERIFY(!w.lastResult());
    }

    void latestRequestWins()
    {
        MainWindow w(testFactory);
        w.methodCombo()->addItem(QStringLiteral("Slow"), QStringLiteral("slow"));
        w.methodCombo()->setCurrentIndex(w.methodCombo()->count() - 1);
        w.promptEditor()->setPlainText(QString::fromUtf8(kText));
        w.runCompression(); // slow job starts
        QTRY_VERIFY_WITH_TIMEOUT(w.progressBar()->isVisible() || g_slowRuns > 0, 5000);
        w.methodCombo()->setCurrentIndex(w.methodCombo()->findData(QStringLiteral("tail")));
        QSignalSpy shown(&w, &MainWindow::resultShown);
        w.runCompression(); // supersedes it
        QVERIFY(shown.wait(5000));
        QCOMPARE(QString::fromStdString(w.lastResult()->method), QStringLiteral("tail"));
    }

    void emptyPromptIsRefusedWithAMessage()
    {
        MainWindow w(testFactory);
        w.promptEditor()->setPlainText(QStringLiteral("   \n\t "));
        w.runCompression();
        QVERIFY(!w.isBusy());
        QVERIFY(w.errorText().contains(QStringLiteral("empty")));
    }

    void badFilesAreRefusedAndTheEditorKeepsItsText()
    {
        QTemporaryDir dir;
        MainWindow w(testFactory);
        w.promptEditor()->setPlainText(QStringLiteral("my unsaved work"));

        const QString bin = dir.filePath(QStringLiteral("image.png"));
        QFile b(bin);
        QVERIFY(b.open(QIODevice::WriteOnly));
        b.write(QByteArray("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16));
        b.close();
        QVERIFY(!w.openFile(bin));
        QVERIFY(w.errorText().contains(QStringLiteral("binary")));

        const QString latin1 = dir.filePath(QStringLiteral("latin1.txt"));
        QFile l(latin1);
        QVERIFY(l.open(QIODevice::WriteOnly));
        l.write("caf\xe9 au lait");
        l.close();
        QVERIFY(!w.openFile(latin1));
        QVERIFY(w.errorText().contains(QStringLiteral("not valid UTF-8")));
        QVERIFY(w.errorText().contains(QStringLiteral("offset 3")));

        QVERIFY(!w.openFile(dir.filePath(QStringLiteral("missing.txt"))));
        QVERIFY(w.errorText().contains(QStringLiteral("missing.txt")));
        QCOMPARE(w.promptEditor()->toPlainText(), QStringLiteral("my unsaved work"));
    }

    void fiveMegabyteFileOpensAndCompresses()
    {
        QTemporaryDir dir;
        const QString big = dir.filePath(QStringLiteral("big.md"));
        QFile f(big);
        QVERIFY(f.open(QIODevice::WriteOnly));
        const QByteArray line =
            "The quarterly report shows revenue grew while costs fell, mostly in Europe.\n";
        while (f.size() < 5 * 1024 * 1024)
            f.write(line);
        f.close();
        MainWindow w(testFactory);
        QVERIFY(w.openFile(big));
        QVERIFY(w.errorText().isEmpty());
        w.methodCombo()->setCurrentIndex(w.methodCombo()->findData(QStringLiteral("random")));
        w.setRate(0.3);
        QSignalSpy shown(&w, &MainWindow::resultShown);
        w.runCompression();
        QVERIFY(shown.wait(60000));
        QVERIFY(std::abs(w.lastResult()->achievedRate - 0.3) < 1e-3);
        QVERIFY(w.heatmapView()->displayedText().contains(QStringLiteral("more tokens not shown")));
    }

    // Issue 20: a result that no longer matches the controls is greyed and says why; long runs show
    // the step and the time left in the status bar.
    void outdatedResultsAreMarkedAndLongRunsShowTimeLeft()
    {
        MainWindow w(testFactory);
        w.show();
        w.promptEditor()->setPlainText(QString::fromUtf8(kText));
        w.methodCombo()->setCurrentIndex(w.methodCombo()->findData(QStringLiteral("head")));
        QSignalSpy shown(&w, &MainWindow::resultShown);
        w.runCompression();
        QVERIFY(shown.wait(10000));
        QTRY_VERIFY(!w.isBusy());
        QCOMPARE(w.inspector()->outdatedText(), QString());
        // Another rate: the shown result is outdated until it is recomputed.
        w.setRate(0.3);
        QVERIFY(w.inspector()->outdatedText().contains(QStringLiteral("other settings")));
        QVERIFY(shown.wait(10000)); // the rate change re-runs on its own
        QTRY_COMPARE(w.inspector()->outdatedText(), QString());
        // A long run: outdated while it computes, with the time left once the pace is known.
        w.methodCombo()->addItem(QStringLiteral("Slow"), QStringLiteral("slow"));
        w.methodCombo()->setCurrentIndex(w.methodCombo()->count() - 1);
        w.runCompression();
        QVERIFY(w.isBusy());
        QVERIFY(w.inspector()->outdatedText().contains(QStringLiteral("being computed")));
        QTRY_VERIFY_WITH_TIMEOUT(w.statusText().contains(QStringLiteral("left")), 5000);
        QVERIFY2(w.statusText().contains(QStringLiteral("sleeping (")), qPrintable(w.statusText()));
        // Cancelled: the old result stays, marked as computed with other settings.
        QSignalSpy ended(&w, &MainWindow::jobEnded);
        w.cancelCompression();
        QVERIFY(ended.wait(5000));
        QVERIFY2(w.inspector()->outdatedText().contains(QStringLiteral("head at rate 0.30")),
                 qPrintable(w.inspector()->outdatedText()));
        // An edited prompt outdates it too.
        w.methodCombo()->setCurrentIndex(w.methodCombo()->findData(QStringLiteral("head")));
        QTRY_VERIFY(!w.isBusy());
        QTRY_COMPARE(w.inspector()->outdatedText(), QString());
        w.promptEditor()->setPlainText(QString::fromUtf8(kText) + QStringLiteral(" More."));
        QVERIFY(w.inspector()->outdatedText().contains(QStringLiteral("prompt changed")));
    }

    // Issue 20: Ctrl+E (File → Export Result) works while the rate box has the focus. Only key
    // schemes that bind Ctrl+E to "end of line" (X11's: ctest runs this under xvfb with the xcb
    // platform) can take it.
    void ctrlEReachesExportFromTheRateBox()
    {
        if (!QKeySequence::keyBindings(QKeySequence::MoveToEndOfLine)
                 .contains(QKeySequence(Qt::CTRL | Qt::Key_E)))
            QSKIP("this platform's key scheme does not bind Ctrl+E in line edits (the xcb run of "
                  "this test does)");
        MainWindow w(testFactory);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QApplication::setActiveWindow(&w); // xvfb has no window manager to activate it
        QTRY_VERIFY(w.isActiveWindow());
        QAction *exportAction = w.findChild<QAction *>(QStringLiteral("exportResultAction"));
        QVERIFY(exportAction);
        QObject::disconnect(exportAction, &QAction::triggered, nullptr,
                            nullptr); // no modal dialog in a test
        QSignalSpy triggered(exportAction, &QAction::triggered);
        auto *rateBox = w.findChild<QDoubleSpinBox *>();
        QVERIFY(rateBox);
        QLineEdit *edit = rateBox->findChild<QLineEdit *>();
        rateBox->setFocus();
        QTRY_VERIFY(edit->hasFocus());
        QTest::keyClick(rateBox, Qt::Key_E, Qt::ControlModifier);
        QCOMPARE(triggered.count(), 1);
        // Text editing keys stay the box's own.
        QTest::keyClick(rateBox, Qt::Key_A, Qt::ControlModifier);
        QCOMPARE(edit->selectedText(), edit->text());
    }

    // Issue 16: the Device setting reaches the run's options, a GPU entry is usable exactly when
    // the engine can resolve "cuda", "auto" compresses with a model (on the CPU here), and a device
    // from a saved session that the list lacks is added, not dropped.
    void deviceSettingReachesTheRun()
    {
        MainWindow w(testFactory);
        w.show();
        auto *device = w.findChild<QComboBox *>(QStringLiteral("param_device"));
        QVERIFY(device);
        QCOMPARE(device->currentData().toString(), QStringLiteral("cpu"));
        QCOMPARE(w.currentOptions().device, std::string("cpu"));
        auto *items = qobject_cast<QStandardItemModel *>(device->model());
        QVERIFY(items);
        const bool gpu = static_cast<bool>(terse::resolveDevice("cuda"));
        QCOMPARE(items->item(device->findData(QStringLiteral("cuda")))->isEnabled(), gpu);

        device->setCurrentIndex(device->findData(QStringLiteral("auto")));
        QCOMPARE(w.currentOptions().device, std::string("auto"));
        w.promptEditor()->setPlainText(QString::fromUtf8(kText));
        w.methodCombo()->setCurrentIndex(
            w.methodCombo()->findData(QStringLiteral("llmlingua2"))); // the bundled tagger
        w.setRate(0.5);
        QSignalSpy shown(&w, &MainWindow::resultShown);
        QTest::mouseClick(w.runButton(), Qt::LeftButton);
        QVERIFY(shown.wait(60000));
        QVERIFY(w.lastResult());
        QCOMPARE(w.lastResult()->method, std::string("llmlingua2"));
        QVERIFY(!w.lastResult()->compressedText.empty());

        terse::CompressOptions restored = w.currentOptions();
        restored.device = "cuda:1";
        w.applyOptions(restored);
        QCOMPARE(w.currentOptions().device, std::string("cuda:1"));
        restored.device = "cpu";
        w.applyOptions(restored);
        QCOMPARE(device->currentData().toString(), QStringLiteral("cpu"));
    }

    // Issue 15: the Word vectors setting (bundled, none, a file) reaches the run's options; a file
    // from a saved session gets its own entry; a file that is not word vectors fails the run with
    // its path named, and the next run with the bundled vectors works.
    void wordVectorsSettingReachesTheRun()
    {
        MainWindow w(testFactory);
        w.show();
        auto *vectors = w.findChild<QComboBox *>(QStringLiteral("param_wordVectors"));
        QVERIFY(vectors);
        QCOMPARE(vectors->count(), 3); // bundled, none, choose a file
        QCOMPARE(w.currentOptions().wordVectors, std::string());
        vectors->setCurrentIndex(1);
        QCOMPARE(w.currentOptions().wordVectors, std::string("none"));

        QTemporaryDir dir;
        const QString bad = dir.filePath(QStringLiteral("not_vectors.safetensors"));
        QFile f(bad);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("this is not a safetensors file");
        f.close();
        terse::CompressOptions restored = w.currentOptions();
        restored.wordVectors = bad.toStdString();
        w.applyOptions(restored);
        QCOMPARE(vectors->count(), 4);
        QCOMPARE(vectors->currentText(), QStringLiteral("not_vectors.safetensors"));
        QCOMPARE(w.currentOptions().wordVectors, bad.toStdString());

        w.promptEditor()->setPlainText(QString::fromUtf8(kText));
        w.methodCombo()->setCurrentIndex(w.methodCombo()->findData(QStringLiteral("llmlingua2")));
        w.setRate(0.5);
        QSignalSpy ended(&w, &MainWindow::jobEnded);
        QTest::mouseClick(w.runButton(), Qt::LeftButton);
        QVERIFY(ended.wait(60000));
        QVERIFY2(w.errorText().contains(QStringLiteral("not_vectors.safetensors")),
                 qPrintable(w.errorText()));

        vectors->setCurrentIndex(0);
        QCOMPARE(w.currentOptions().wordVectors, std::string());
        QSignalSpy shown(&w, &MainWindow::resultShown);
        QTest::mouseClick(w.runButton(), Qt::LeftButton);
        QVERIFY(shown.wait(60000));
        QCOMPARE(w.lastResult()->method, std::string("llmlingua2"));
    }
};

QTEST_MAIN(TestMainWindow)
#include "test_main_window.moc"
