// Issue 5 (app side) and issue 8: sessions, autosave, the History dock, the parameter panel and the
// model picker, driven through the real MainWindow offscreen. Every test uses its own database in a
// temporary folder (XDG_DATA_HOME and the config folder point there too), so the user's data is
// never touched.
#include "history_dock.h"
#include "main_window.h"
#include "result_inspector.h"
#include "model_picker.h"
#include "parameter_panel.h"
#include "session_manager.h"

#include "terse/compressor.h"
#include "terse/session_store.h"
#include "terse_widgets/prompt_editor.h"
#include "terse_widgets/token_heatmap_view.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFileInfo>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QLineEdit>
#include <QSignalSpy>
#include <QSlider>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTreeWidget>
#include <QUndoStack>
#include <QtTest>

#include <atomic>

using namespace terse;
using namespace terse::app;

namespace {

std::atomic<int> g_fullRuns{0};
CompressOptions g_lastOptions; // written on the worker thread, read after the result arrived

// A method with one option of each type; compresses like "head" and records the options it got.
class FakeCompressor : public Compressor {
public:
    std::string name() const override { return "fake"; }
    std::string displayName() const override { return "Fake"; }
    std::string description() const override { return "test method with every option type"; }
    std::vector<OptionSpec> options() const override
    {
        OptionSpec d{"alpha",
                     "Attention weight α",
                     "How much attention counts.",
                     OptionSpec::Type::Double,
                     "0.8",
                     0,
                     1,
                     0.05,
                     {}};
        OptionSpec i{
            "window", "Window", "Tokens per window.", OptionSpec::Type::Int, "512", 16, 4096,
            16,       {}};
        OptionSpec b{"dynamic",
                     "Dynamic ratio",
                     "Per-segment budgets.",
                     OptionSpec::Type::Bool,
                     "true",
                     0,
                     1,
                     1,
                     {}};
        OptionSpec c{"reduce",
                     "Aggregation",
                     "How token scores are pooled.",
                     OptionSpec::Type::Choice,
                     "mean",
                     0,
                     1,
                     1,
                     {"mean", "max", "sum"}};
        OptionSpec s{"question",
                     "Question",
                     "Question for conditioning.",
                     OptionSpec::Type::String,
                     "",
                     0,
                     1,
                     1,
                     {}};
        return {d, i, b, c, s};
    }
    Result<CompressionResult> compress(const Prompt &p, const CompressOptions &o,
                                       const JobContext &job) override
    {
        g_lastOptions = o;
        auto head = createCompressor("head");
        CompressOptions h = o;
        h.method = "head";
        h.params.clear();
        auto r = (*head)->compress(p, h, job);
        if (r)
            r->method = "fake";
        return r;
    }
};

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
    std::unique_ptr<Compressor> inner;
    if (name == "fake") {
        inner = std::make_unique<FakeCompressor>();
    } else {
        auto c = createCompressor(name);
        if (!c)
            return c.error();
        inner = std::move(c.value());
    }
    return std::unique_ptr<Compressor>(std::make_unique<CountingCompressor>(std::move(inner)));
}

const char *kText =
    "Terse keeps the words that matter and drops the rest, so that long prompts fit.";

// Waits until the window's database is open and its working state applied.
void waitReady(MainWindow &w)
{
    w.sessions()->waitForOpen();
    QCoreApplication::processEvents();
}

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace

class TestSessions : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_home;
    int m_dbCounter = 0;

    QString freshDb() { return m_home.filePath(QStringLiteral("db%1.sqlite3").arg(++m_dbCounter)); }

    // Runs the window's current settings and returns the saved run id.
    qint64 runAndSave(MainWindow &w)
    {
        QSignalSpy saved(&w, &MainWindow::runSaved);
        w.runCompression();
        if (!saved.wait(10000))
            return 0;
        return saved.takeFirst().at(0).toLongLong();
    }

    void select(MainWindow &w, const char *method)
    {
        w.methodCombo()->setCurrentIndex(w.methodCombo()->findData(QString::fromLatin1(method)));
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_home.isValid());
        qputenv("XDG_DATA_HOME", m_home.filePath(QStringLiteral("data")).toUtf8());
        qputenv("XDG_CONFIG_HOME", m_home.filePath(QStringLiteral("config")).toUtf8());
        qputenv("HF_HUB_CACHE", m_home.filePath(QStringLiteral("hf")).toUtf8());
        QCoreApplication::setOrganizationName(QStringLiteral("TerseTest"));
        QCoreApplication::setApplicationName(QStringLiteral("test_sessions"));
        QSettings().clear();
    }

    void defaultDatabaseLivesUnderXdgDataHome()
    {
        MainWindow w(testFactory);
        waitReady(w);
        QVERIFY(w.sessions()->store());
        QVERIFY(w.sessions()->path().startsWith(m_home.path()));
        QTRY_VERIFY(
            w.historyDock()->stateLabel()->text().contains(QStringLiteral("sessions.sqlite3")));
    }

    void completedRunIsSavedIntoTheCurrentSession()
    {
        const QString db = freshDb();
        MainWindow w(testFactory, nullptr, db);
        waitReady(w);
        w.promptEditor()->setPlainText(QString::fromUtf8(kText));
        select(w, "head");
        w.setRate(0.5);
        const qint64 runId = runAndSave(w);
        QVERIFY(runId > 0);
        QCOMPARE(w.shownRunId(), runId);
        auto *store = w.sessions()->store();
        auto sessions = store->listSessions();
        QVERIFY(sessions);
        QCOMPARE(sessions->size(), std::size_t(1));
        QCOMPARE(sessions->front().runCount, 1L);
        QCOMPARE(sessions->front().id, w.sessions()->currentSession());
        auto run = store->loadRun(runId);
        QVERIFY(run);
        QCOMPARE(run->result.compressedText, w.lastResult()->compressedText);
        QCOMPARE(run->options.method, std::string("head"));
        QCOMPARE(run->prompt.joined(), std::string(kText));
        // The History dock lists the session with its run.
        QTRY_COMPARE(w.historyDock()->tree()->topLevelItemCount(), 1);
        // The run is written on the store's writer thread: the dock lists it once it is saved.
        QTRY_COMPARE(w.historyDock()->tree()->topLevelItem(0)->childCount(), 1);
    }

    // Issue 19: runs are written on the store's writer thread. Closing the window before the write
    // is reported still keeps the run, and the working state names it, so the next start shows it.
    void closingRightAfterARunKeepsItsSavedRun()
    {
        const QString db = freshDb();
        std::string compressed;
        {
            MainWindow w(testFactory, nullptr, db);
            waitReady(w);
            w.promptEditor()->setPlainText(QString::fromUtf8(kText));
            select(w, "head");
            w.setRate(0.4);
            QSignalSpy shown(&w, &MainWindow::resultShown);
            QSignalSpy saved(&w, &MainWindow::runSaved);
            w.runCompression();
            QVERIFY(shown.wait(10000));
            compressed = w.lastResult()->compressedText;
            // Closing waits for the write: runSaved and the run id come before the state is saved.
            w.close();
            QCOMPARE(saved.count(), 1);
            QVERIFY(w.shownRunId() > 0);
        }
        MainWindow again(testFactory, nullptr, db);
        waitReady(again);
        QVERIFY(again.lastResult());
        QCOMPARE(again.lastResult()->compressedText, compressed);
        QVERIFY(again.shownRunId() > 0);
        auto sessions = again.sessions()->store()->listSessions();
        QVERIFY(sessions);
        QCOMPARE(sessions->size(), std::size_t(1));
        QCOMPARE(sessions->front().runCount, 1L);
    }

    // Issue 19: switching databases releases the previous one: once the new one is open and the
    // queued writes are done, no connection (the writer thread's included) keeps the old file open,
    // so its WAL is checkpointed and removed and the file alone holds every run.
    void switchingDatabasesReleasesThePreviousOne()
    {
        const QString first = freshDb();
        const QString second = freshDb();
        MainWindow w(testFactory, nullptr, first);
        waitReady(w);
        w.promptEditor()->setPlainText(QString::fromUtf8(kText));
        select(w, "head");
        w.setRate(0.5);
        const qint64 runId = runAndSave(w); // written by the writer thread's connection
        QVERIFY(runId > 0);
        QVERIFY(QFileInfo::exists(first + QStringLiteral("-wal"))); // open connections keep it
        w.openDatabase(second);
        waitReady(w);
        QCOMPARE(QDir::toNativeSeparators(w.sessions()->path()), QDir::toNativeSeparators(second));
        w.sessions()->waitForSaves();
        QVERIFY2(!QFileInfo::exists(first + QStringLiteral("-wal")),
                 "a connection to the previous database is still open");
        QVERIFY(!QFileInfo::exists(first + QStringLiteral("-shm")));
        // Moved away, the file alone has the run; saving again goes into the new database.
        const QString moved = m_home.filePath(QStringLiteral("moved.sqlite3"));
        QVERIFY(QFile::rename(first, moved));
        {
            auto old = SessionStore::open(moved.toStdString());
            QVERIFY(old.ok());
            QVERIFY(old->loadRun(runId).ok());
        }
        w.setRate(0.3);
        QSignalSpy saved(&w, &MainWindow::runSaved);
        QVERIFY(saved.wait(10000) || saved.count() > 0);
        w.sessions()->waitForSaves();
        QTRY_COMPARE(w.sessions()->store()->listSessions()->front().runCount, 1L);
        QVERIFY(!QFileInfo::exists(first));
    }

    // Issue 20: Compress again with unchanged settings (e.g. after a method switch ran it) saves no
    // duplicate.
    void sameSettingsAreNotSavedTwice()
    {
        MainWindow w(testFactory, nullptr, freshDb());
        waitReady(w);
        w.promptEditor()->setPlainText(QString::fromUtf8(kText));
        select(w, "head");
        w.setRate(0.5);
        const qint64 first = runAndSave(w);
        QVERIFY(first > 0);
        const qint64 again = runAndSave(w);
        QCOMPARE(again, first);
        QCOMPARE(w.shownRunId(), first);
        QCOMPARE(w.sessions()->store()->listSessions()->front().runCount, 1L);
        w.setRate(0.3); // different settings: a new run
        QSignalSpy saved(&w, &MainWindow::runSaved);
        QVERIFY(saved.wait(10000) || saved.count() > 0);
        QTRY_COMPARE(w.sessions()->store()->listSessions()->front().runCount, 2L);
    }

    void workingStateIsRestoredAfterARestart()
    {
        const QString db = freshDb();
        qint64 runId = 0;
        std::string compressed;
        {
            MainWindow w(testFactory, nullptr, db);
            waitReady(w);
            w.show();
            w.promptEditor()->setPlainText(QString::fromUtf8(kText));
            select(w, "tail");
            w.setRate(0.3);
            runId = runAndSave(w);
            QVERIFY(runId > 0);
            compressed = w.lastResult()->compressedText;
            w.promptEditor()->appendPlainText(
                QStringLiteral("Unsaved tail.")); // edited after the run
            w.close();
        }
        const int runs = g_fullRuns;
        MainWindow w(testFactory, nullptr, db);
        QSignalSpy restored(&w, &MainWindow::workingStateRestored);
        waitReady(w);
        QTRY_COMPARE(restored.count(), 1);
        QVERIFY(w.promptEditor()->toPlainText().endsWith(QStringLiteral("Unsaved tail.")));
        QCOMPARE(w.methodCombo()->currentData().toString(), QStringLiteral("tail"));
        QCOMPARE(w.rate(), 0.3);
        QVERIFY(w.errorText().isEmpty());
        QCOMPARE(g_fullRuns.load(), runs); // nothing recomputed at start
        QVERIFY(!w.isBusy());

        // Autosave after a change (debounced ~1 s), without closing.
        w.promptEditor()->setPlainText(QString::fromUtf8(kText));
        QTRY_VERIFY_WITH_TIMEOUT(
            w.sessions()->store()->loadWorkingState("main")->prompt.joined() == kText, 5000);
        // The shown run comes back too when the prompt matches it.
        QTRY_VERIFY(w.historyDock()->selectRun(runId));
        QCOMPARE(w.shownRunId(), runId);
        w.close();
        MainWindow again(testFactory, nullptr, db);
        waitReady(again);
        QVERIFY(again.lastResult());
        QCOMPARE(again.lastResult()->compressedText, compressed);
        QCOMPARE(again.shownRunId(), runId);
        QCOMPARE(g_fullRuns.load(), runs);
        // A restored run is what the restored controls describe: not marked outdated (issue 20).
        QCOMPARE(again.inspector()->outdatedText(), QString());
    }

    void selectingASavedRunRestoresItWithoutRecomputing()
    {
        MainWindow w(testFactory, nullptr, freshDb());
        waitReady(w);
        w.promptEditor()->setPlainText(QString::fromUtf8(kText));
        select(w, "head");
        w.setRate(0.5);
        const qint64 first = runAndSave(w);
        const std::string firstText = w.lastResult()->compressedText;
        w.promptEditor()->setPlainText(
            QStringLiteral("A completely different prompt about other things entirely."));
        select(w, "tail");
        w.setRate(0.25);
        const qint64 second = runAndSave(w);
        QVERIFY(first > 0 && second > first);

        const int runs = g_fullRuns;
        QSignalSpy started(w.worker(), &EngineWorker::started);
        QTRY_VERIFY(w.historyDock()->selectRun(first));
        QCOMPARE(w.promptEditor()->toPlainText(), QString::fromUtf8(kText));
        QCOMPARE(w.methodCombo()->currentData().toString(), QStringLiteral("head"));
        QCOMPARE(w.rate(), 0.5);
        QCOMPARE(w.lastResult()->compressedText, firstText);
        QCOMPARE(w.inspector()->outdatedText(), QString()); // restored with its own settings
        QCOMPARE(w.heatmapView()->displayedText(), QString::fromUtf8(kText));
        QCOMPARE(w.shownRunId(), first);
        QTest::qWait(400); // longer than the re-run debounce
        QCOMPARE(g_fullRuns.load(), runs);
        QCOMPARE(started.count(), 0);
        QVERIFY(!w.isBusy());
    }

    void renameDeleteUndoAndBranchThroughTheDock()
    {
        MainWindow w(testFactory, nullptr, freshDb());
        waitReady(w);
        w.promptEditor()->setPlainText(QString::fromUtf8(kText));
        select(w, "head");
        QVERIFY(runAndSave(w) > 0);
        HistoryDock *dock = w.historyDock();
        auto *store = w.sessions()->store();
        const std::int64_t id = w.sessions()->currentSession();
        QTRY_VERIFY(dock->selectSession(id));

        // Rename: what the F2 editor commits.
        QVERIFY(dock->renameAction()->isEnabled());
        dock->tree()->currentItem()->setText(0, QStringLiteral("Experiment A"));
        QTRY_COMPARE(QString::fromStdString(store->session(id)->name),
                     QStringLiteral("Experiment A"));
        QTRY_COMPARE(dock->tree()->topLevelItem(0)->text(0), QStringLiteral("Experiment A"));

        // Branch: a deep copy with the run, selected and current.
        QVERIFY(dock->selectSession(id));
        dock->duplicateAction()->trigger();
        QCOMPARE(dock->tree()->topLevelItemCount(), 2);
        const std::int64_t copy = dock->selectedSession();
        QVERIFY(copy != id);
        QCOMPARE(w.sessions()->currentSession(), copy);
        QCOMPARE(store->session(copy)->runCount, 1L);

        // Delete, then undo.
        QVERIFY(dock->selectSession(id));
        dock->deleteAction()->trigger();
        QTRY_COMPARE(dock->tree()->topLevelItemCount(), 1);
        QCOMPARE(store->listSessions()->size(), std::size_t(1));
        dock->undoStack()->undo();
        QTRY_COMPARE(dock->tree()->topLevelItemCount(), 2);
        QCOMPARE(QString::fromStdString(store->session(id)->name), QStringLiteral("Experiment A"));
        // Undo the branch and the rename too.
        dock->undoStack()->undo();
        QCOMPARE(store->listSessions()->size(), std::size_t(1));
        dock->undoStack()->undo();
        QCOMPARE(
            QString::fromStdString(store->session(id)->name).startsWith(QStringLiteral("Session ")),
            true);

        // Search by text and by method.
        dock->searchEdit()->setText(QStringLiteral("no such thing anywhere"));
        QTRY_COMPARE(dock->tree()->topLevelItemCount(), 0);
        dock->searchEdit()->clear();
        QTRY_COMPARE(dock->tree()->topLevelItemCount(), 1);
        dock->methodFilter()->setCurrentIndex(
            dock->methodFilter()->findData(QStringLiteral("tail")));
        QCOMPARE(dock->tree()->topLevelItemCount(), 0);
        dock->methodFilter()->setCurrentIndex(
            dock->methodFilter()->findData(QStringLiteral("head")));
        QCOMPARE(dock->tree()->topLevelItemCount(), 1);
    }

    void sessionsRoundTripThroughAJsonExport()
    {
        const QString json = m_home.filePath(QStringLiteral("export.json"));
        std::string compressed;
        {
            MainWindow w(testFactory, nullptr, freshDb());
            waitReady(w);
            w.promptEditor()->setPlainText(QString::fromUtf8(kText));
            select(w, "tail");
            QVERIFY(runAndSave(w) > 0);
            compressed = w.lastResult()->compressedText;
            QVERIFY(w.exportSessionsTo(json));
        }
        MainWindow w(testFactory, nullptr, freshDb());
        waitReady(w);
        QVERIFY(w.importSessionsFrom(json));
        QTRY_COMPARE(w.historyDock()->tree()->topLevelItemCount(), 1);
        QTRY_COMPARE(w.historyDock()->tree()->topLevelItem(0)->childCount(), 1);
        const qint64 run =
            w.historyDock()->tree()->topLevelItem(0)->child(0)->data(0, Qt::UserRole).toLongLong();
        QVERIFY(w.historyDock()->selectRun(run));
        QCOMPARE(w.lastResult()->compressedText, compressed);
        // A file that is not an export is refused with its name in the message.
        QFile bad(m_home.filePath(QStringLiteral("bad.json")));
        QVERIFY(bad.open(QIODevice::WriteOnly));
        bad.write("{\"hello\": 1}");
        bad.close();
        QVERIFY(!w.importSessionsFrom(bad.fileName()));
        QVERIFY2(w.errorText().contains(QStringLiteral("bad.json")), qPrintable(w.errorText()));
    }

    void corruptDatabaseIsReportedAndNeverOverwritten()
    {
        const QString db = m_home.filePath(QStringLiteral("corrupt.sqlite3"));
        QByteArray junk;
        for (int i = 0; i < 512; ++i)
            junk += "this is not an SQLite database, it is a text file. ";
        {
            QFile f(db);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(junk);
        }
        MainWindow w(testFactory, nullptr, db);
        waitReady(w);
        QVERIFY(!w.sessions()->store());
        QVERIFY2(w.errorText().contains(QStringLiteral("corrupt.sqlite3")),
                 qPrintable(w.errorText()));
        QVERIFY2(w.errorText().contains(QStringLiteral("cannot be used")),
                 qPrintable(w.errorText()));
        QVERIFY(w.historyDock()->stateLabel()->text().contains(QStringLiteral("Not saving")));
        // The app keeps working without persistence; the file stays as it was.
        w.promptEditor()->setPlainText(QString::fromUtf8(kText));
        QSignalSpy shown(&w, &MainWindow::resultShown);
        w.runCompression();
        QVERIFY(shown.wait(10000));
        w.close();
        QCOMPARE(readAll(db), junk);
    }

    void parameterPanelIsBuiltFromTheOptionSpecs()
    {
        MainWindow w(testFactory, nullptr, freshDb());
        waitReady(w);
        w.methodCombo()->addItem(QStringLiteral("Fake"), QStringLiteral("fake"));
        w.methodCombo()->setCurrentIndex(w.methodCombo()->count() - 1);
        ParameterPanel *panel = w.parameterPanel();
        auto *alpha = panel->findChild<QDoubleSpinBox *>(QStringLiteral("param_alpha"));
        auto *alphaSlider = panel->findChild<QSlider *>(QStringLiteral("param_alpha_slider"));
        auto *window = panel->findChild<QSpinBox *>(QStringLiteral("param_window"));
        auto *dynamic = panel->findChild<QCheckBox *>(QStringLiteral("param_dynamic"));
        auto *reduce = panel->findChild<QComboBox *>(QStringLiteral("param_reduce"));
        auto *question = panel->findChild<QLineEdit *>(QStringLiteral("param_question"));
        QVERIFY(alpha && alphaSlider && window && dynamic && reduce && question);
        QCOMPARE(alpha->value(), 0.8);
        QCOMPARE(alphaSlider->value(), 16); // 0.8 in steps of 0.05
        QCOMPARE(window->value(), 512);
        QVERIFY(dynamic->isChecked());
        QCOMPARE(reduce->currentText(), QStringLiteral("mean"));
        QCOMPARE(reduce->count(), 3);
        QCOMPARE(alpha->toolTip(), QStringLiteral("How much attention counts."));
        bool labelled = false;
        for (auto *label : panel->findChildren<QLabel *>())
            labelled |= label->text() == QStringLiteral("Attention weight α (default 0.8):");
        QVERIFY(labelled);

        // Changing controls changes the params of the next run.
        w.promptEditor()->setPlainText(QString::fromUtf8(kText));
        alphaSlider->setValue(10); // 0.5
        dynamic->setChecked(false);
        reduce->setCurrentIndex(reduce->findText(QStringLiteral("max")));
        window->setValue(256);
        question->setText(QStringLiteral("what fits?"));
        panel->findChild<QSpinBox *>(QStringLiteral("param_seed"))->setValue(7);
        QSignalSpy shown(&w, &MainWindow::resultShown);
        w.runCompression();
        QVERIFY(shown.wait(10000));
        QCOMPARE(g_lastOptions.params.at("alpha"), std::string("0.5"));
        QCOMPARE(g_lastOptions.params.at("dynamic"), std::string("false"));
        QCOMPARE(g_lastOptions.params.at("reduce"), std::string("max"));
        QCOMPARE(g_lastOptions.params.at("window"), std::string("256"));
        QCOMPARE(g_lastOptions.params.at("question"), std::string("what fits?"));
        QCOMPARE(g_lastOptions.seed, std::uint64_t(7));

        // A parameter change re-runs by itself (debounced) once there is a result.
        const int runs = g_fullRuns;
        window->setValue(128);
        QVERIFY(shown.wait(5000));
        QCOMPARE(g_fullRuns.load(), runs + 1);
        QCOMPARE(g_lastOptions.params.at("window"), std::string("128"));

        // Reset to defaults.
        panel->resetToDefaults();
        QCOMPARE(alpha->value(), 0.8);
        QVERIFY(dynamic->isChecked());
        QCOMPARE(w.currentOptions().seed, std::uint64_t(42));
        QCOMPARE(w.currentOptions().params.at("reduce"), std::string("mean"));

        // Switching methods and back keeps the values the user set.
        window->setValue(64);
        select(w, "head");
        QVERIFY(panel->findChild<QSpinBox *>(QStringLiteral("param_window")) == nullptr);
        w.methodCombo()->setCurrentIndex(w.methodCombo()->findData(QStringLiteral("fake")));
        QCOMPARE(panel->findChild<QSpinBox *>(QStringLiteral("param_window"))->value(), 64);
    }

    // A GGUF repository in the HuggingFace cache (no config.json): each file is an entry, named
    // after the repository and the file.
    void modelPickerListsGgufFilesOfTheHubCache()
    {
        QTemporaryDir hub;
        const QString snap = hub.filePath(QStringLiteral("models--org--tiny-GGUF/snapshots/r1"));
        QVERIFY(QDir().mkpath(snap));
        QByteArray gguf("GGUF");
        auto put = [&](auto v) { gguf.append(reinterpret_cast<const char *>(&v), sizeof v); };
        put(quint32(3)); // version
        put(quint64(0)); // tensors
        put(quint64(1)); // metadata entries
        const QByteArray key("general.architecture"), value("llama");
        put(quint64(key.size()));
        gguf += key;
        put(quint32(8)); // string
        put(quint64(value.size()));
        gguf += value;
        for (const char *name : {"/tiny.Q8_0.gguf", "/tiny.F16.gguf"}) {
            QFile f(snap + QLatin1String(name));
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(gguf);
        }
        ModelPicker picker;
        picker.rebuild(hub.path());
        QComboBox *combo = picker.combo();
        for (const char *name : {"tiny.Q8_0.gguf", "tiny.F16.gguf"}) {
            const int i = combo->findData(snap + QLatin1Char('/') + QLatin1String(name));
            QVERIFY2(i >= 0, name);
            QCOMPARE(combo->itemText(i),
                     QStringLiteral("org/tiny-GGUF: %1 (HF cache)").arg(QLatin1String(name)));
        }
    }

    void modelPickerListsAnAddedFolder()
    {
        QTemporaryDir models;
        const QString folder = models.filePath(QStringLiteral("my-model"));
        QVERIFY(QDir().mkpath(folder));
        {
            QFile f(folder + QStringLiteral("/config.json"));
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("{\"model_type\": \"llama\"}");
        }
        {
            MainWindow w(testFactory, nullptr, freshDb());
            waitReady(w);
            QComboBox *combo = w.modelPicker()->combo();
            QVERIFY(combo->findData(QString()) >= 0); // the method's default
            // Issue 20: a folder without weights is refused with the reason, and not listed.
            QVERIFY(!w.modelPicker()->addModelPath(folder));
            QVERIFY2(w.errorText().contains(QStringLiteral("holds no model")),
                     qPrintable(w.errorText()));
            QCOMPARE(combo->findData(folder), -1);
            {
                // A safetensors file with a valid header (no tensors): listed; loading it says what
                // is missing.
                QFile f(folder + QStringLiteral("/model.safetensors"));
                QVERIFY(f.open(QIODevice::WriteOnly));
                const QByteArray header = "{\"__metadata__\":{\"format\":\"pt\"}}";
                const quint64 n = static_cast<quint64>(header.size());
                f.write(reinterpret_cast<const char *>(&n), 8);
                f.write(header);
            }
            QVERIFY2(w.modelPicker()->addModelPath(folder),
                     qPrintable(w.modelPicker()->lastError()));
            QCOMPARE(combo->currentData().toString(), folder);
            QCOMPARE(combo->currentText(), QStringLiteral("my-model"));
            QCOMPARE(QString::fromStdString(w.currentOptions().model), folder);
            // Details load on the worker thread; this folder has no weights, so the tooltip says
            // why.
            QTRY_VERIFY_WITH_TIMEOUT(combo->itemData(combo->currentIndex(), Qt::ToolTipRole)
                                         .toString()
                                         .startsWith(QStringLiteral("Cannot load")),
                                     10000);
        }
        MainWindow w(testFactory, nullptr, freshDb());
        waitReady(w);
        QVERIFY(w.modelPicker()->combo()->findData(folder) >= 0); // remembered in the settings
        QVERIFY(!w.modelPicker()->addModelPath(models.filePath(QStringLiteral("missing"))));
    }
};

QTEST_MAIN(TestSessions)
#include "test_sessions.moc"
