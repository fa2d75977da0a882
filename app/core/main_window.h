#pragma once
// MainWindow: the Terse Studio workbench window: prompt editor, method and rate controls,
// Run/Cancel, the compressed view (heatmap + score plot), a status line, the model picker, the
// parameter panel and the History dock of saved sessions. It builds the window and wires four
// controllers that do the work: DocumentController (the prompt, pins with undo, files),
// RunController (jobs on the EngineWorker thread and the result views), SessionController (saving
// runs, autosave and restore, databases, import/export) and AppearanceController (theme, language).
// GUI thread only.

#include "appearance_controller.h"
#include "document_controller.h"
#include "engine_worker.h"
#include "run_controller.h"
#include "session_controller.h"

#include <QMainWindow>

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

class QComboBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QSlider;
class QDoubleSpinBox;
class QTimer;
class QMenu;
class QAction;
class QStackedWidget;
class QUndoStack;
class QDockWidget;

namespace terse::widgets {
class PromptEditor;
class StructuredPromptEditor;
class TokenHeatmapView;
class ScorePlot;
} // namespace terse::widgets

namespace terse::app {

class AnswerPanel;
class CostPanel;
class HistoryDock;
class ModelPicker;
class ParameterPanel;
class PinList;
class ResultInspector;
class SessionManager;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    // `factory` is passed to the EngineWorker (tests inject compressors); default: the registry. It
    // also describes methods the registry does not list (their OptionSpecs feed the parameter
    // panel). `databasePath` is the session database to open ("": the last one chosen, else
    // terse::defaultDatabasePath()); it opens on a background thread.
    explicit MainWindow(CompressorFactory factory = {}, QWidget *parent = nullptr,
                        const QString &databasePath = {});
    ~MainWindow() override;

    // Loads a text file into the editor. On failure shows the reason and leaves the editor
    // unchanged.
    bool openFile(const QString &path) { return m_document->openFile(path); }
    // Starts compressing the editor's prompt (plain or structured) with the chosen method, rate and
    // pins.
    void runCompression() { m_runs->runCompression(); }
    // The prompt the editors describe: the plain text as one context, or the structured parts as
    // segments.
    terse::Prompt currentPrompt() const { return m_document->currentPrompt(); }
    // Switches between the plain and the structured prompt editor, converting the content.
    void setStructured(bool structured) { m_document->setStructured(structured); }
    bool isStructured() const { return m_document->isStructured(); }
    // Pins: cycles unit `unit` of the shown result keep → drop → none, or sets a direction (+1, -1,
    // 0). Undoable; the prompt is compressed again. False (with a status message) when the result
    // is stale.
    bool cyclePin(int unit) { return m_document->cyclePin(unit); }
    bool setPin(int unit, int direction) { return m_document->setPin(unit, direction); }
    const std::vector<terse::PinnedSpan> &pins() const { return m_document->pins(); }
    // Saves the prompt (plain text) to `path`; false with a message on failure.
    bool savePromptTo(const QString &path) { return m_document->savePromptTo(path); }
    // The sample prompts shipped in resources/samples (absolute paths).
    static QStringList samplePaths() { return DocumentController::samplePaths(); }
    void cancelCompression() { m_runs->cancelCompression(); }
    // Switches to another session database (saving the working state into the current one first).
    void openDatabase(const QString &path) { m_sessionControl->openDatabase(path); }
    // Restores a saved run: prompt, method, parameters and result views, without recomputing.
    bool restoreRun(std::int64_t runId) { return m_sessionControl->restoreRun(runId); }
    // Writes the working state (prompt, options, UI state) to the autosave slot now.
    void saveWorkingState() { m_sessionControl->saveWorkingState(); }
    // Exports the given sessions (empty: all) / imports an export as new sessions. On failure the
    // error banner names the file and the reason; skipped sessions of an import are listed there
    // too.
    bool exportSessionsTo(const QString &path, const std::vector<std::int64_t> &ids = {})
    {
        return m_sessionControl->exportSessionsTo(path, ids);
    }
    bool importSessionsFrom(const QString &path)
    {
        return m_sessionControl->importSessionsFrom(path);
    }
    // The options the controls describe (method, rate, model, parameters, mode, seed, target
    // tokens).
    terse::CompressOptions currentOptions() const;

    // Accessors for tests and the app shell.
    terse::widgets::PromptEditor *promptEditor() const { return m_editor; }
    terse::widgets::StructuredPromptEditor *structuredEditor() const { return m_structuredEditor; }
    terse::widgets::TokenHeatmapView *heatmapView() const { return m_heatmap; }
    terse::widgets::ScorePlot *scorePlot() const { return m_plot; }
    ResultInspector *inspector() const { return m_inspector; }
    PinList *pinList() const { return m_pinList; }
    QUndoStack *undoStack() const { return m_document->undoStack(); }
    QTimer *editDebounce() const { return m_document->editDebounce(); }
    QMenu *samplesMenu() const { return m_document->samplesMenu(); }
    // The View → Theme actions (system, light, dark), for tests.
    QList<QAction *> themeActions() const { return m_appearance->themeActions(); }
    QComboBox *methodCombo() const { return m_method; }
    QSlider *rateSlider() const { return m_rateSlider; }
    QPushButton *runButton() const { return m_run; }
    QPushButton *cancelButton() const { return m_cancel; }
    QProgressBar *progressBar() const { return m_progress; }
    EngineWorker *worker() const { return m_worker; }
    const CompressorFactory &compressorFactory() const { return m_factory; }
    SessionManager *sessions() const { return m_sessions; }
    HistoryDock *historyDock() const { return m_history; }
    ParameterPanel *parameterPanel() const { return m_params; }
    ModelPicker *modelPicker() const { return m_models; }
    AnswerPanel *answerPanel() const { return m_answers; }
    QDockWidget *answerDock() const { return m_answerDock; }
    CostPanel *costPanel() const { return m_cost; }
    QDockWidget *costDock() const { return m_costDock; }
    // The id of the run shown (saved or restored); 0 when the result is not saved.
    std::int64_t shownRunId() const { return m_shownRunId; }
    QString statusText() const;
    QString errorText() const;
    // The result's warnings as shown: neutral notes (the method explains itself) and amber warnings
    // (the result is not what was asked), one per line; "" when none is shown.
    QString noteText() const;
    QString warningText() const;
    QString summaryText() const;
    ResultHandle lastResult() const { return m_runs->lastResult(); }
    bool isBusy() const { return m_runs->isBusy(); }

    // The method the controls describe (registry name); before the engine has loaded, the one that
    // will be selected then.
    QString currentMethod() const;
    // True once the engine module has loaded and the method controls are filled (issue 16: the
    // window is shown before).
    bool isEngineReady() const { return m_engineReady; }
    // Runs `f` once the engine has loaded (now when it has); dropped when it cannot load.
    void whenEngineReady(std::function<void()> f);

    // The rate the controls show, in (0, 1].
    double rate() const;
    void setRate(double rate);

    // The controllers, and what they share through the window.
    DocumentController *documentController() const { return m_document; }
    RunController *runController() const { return m_runs; }
    SessionController *sessionController() const { return m_sessionControl; }
    AppearanceController *appearanceController() const { return m_appearance; }
    // The error banner (one message; cleared by the next action) and the status line.
    void showError(const QString &message);
    void clearError();
    void setStatusText(const QString &text);
    // True while controls are set programmatically (restore, conversion): no re-run, no autosave,
    // no undo entry. setRestoring returns the previous value.
    bool isRestoring() const { return m_restoring; }
    bool setRestoring(bool restoring);
    void setShownRunId(std::int64_t id) { m_shownRunId = id; }
    // Sets the editors to `prompt` / the controls to `options` (method, rate, parameters, model,
    // pins).
    void setPromptContent(const terse::Prompt &prompt) { m_document->setPromptContent(prompt); }
    void applyOptions(const terse::CompressOptions &options);
    // The parameters set per method this session (the shown method's current values included) /
    // merges restored ones in; the panel is rebuilt from them by the next applyOptions().
    const std::map<std::string, std::map<std::string, std::string>> &parametersByMethod();
    void restoreParametersByMethod(
        const std::map<std::string, std::map<std::string, std::string>> &params);

signals:
    // Emitted after a result (full run or re-threshold) is displayed.
    void resultShown();
    // A partial result of a run still going was shown (issue 20).
    void partialShown(int stagesDone, int stagesTotal);
    // Emitted when a job ends in failure or cancellation.
    void jobEnded();
    // Emitted when the working state has been restored after the database opened (or nothing to
    // restore).
    void workingStateRestored();
    // Emitted after a run has been saved into the store.
    void runSaved(qint64 runId);

protected:
    void closeEvent(QCloseEvent *event) override;
    // The first show starts loading the engine in the background.
    void showEvent(QShowEvent *event) override;
    // Keeps Ctrl+E (File → Export Result) from the rate box's line edit.
    bool eventFilter(QObject *watched, QEvent *event) override;
    // QEvent::LanguageChange: the main controls and menus are re-translated (the rest after a
    // restart).
    void changeEvent(QEvent *event) override;

private:
    void buildUi();
    void buildMenus();
    void buildDocks();
    void wireControllers();
    void onMethodChanged();
    // The method combo and the History filter from m_methods.
    void fillMethods();
    void onEngineReady();
    void onEngineFailed(const QString &message);
    std::vector<terse::OptionSpec> optionSpecsFor(const QString &method) const;
    void restoreSettings();
    void saveSettings() const;
    // Runs `apply` now and again on every language change (apply sets translated texts).
    void translated(std::function<void()> apply);
    std::function<void()>
        m_fitParameters; // widens the Parameters dock to its content (language, method)

    CompressorFactory m_factory;
    bool m_engineReady = false; // the engine module has loaded and m_methods is filled
    std::vector<terse::MethodInfo> m_methods;
    QString m_pendingMethod; // the method to select once the engine has loaded
    std::vector<std::function<void()>> m_whenReady;
    EngineWorker *m_worker = nullptr;
    SessionManager *m_sessions = nullptr;
    AppearanceController *m_appearance = nullptr;
    DocumentController *m_document = nullptr;
    RunController *m_runs = nullptr;
    SessionController *m_sessionControl = nullptr;
    HistoryDock *m_history = nullptr;
    ParameterPanel *m_params = nullptr;
    ModelPicker *m_models = nullptr;
    QString m_panelMethod; // the method the parameter panel shows
    std::map<std::string, std::map<std::string, std::string>>
        m_paramsByMethod; // kept across method switches
    std::int64_t m_shownRunId = 0;
    bool m_restoring = false; // controls are being set programmatically: no re-run, no autosave
    terse::widgets::PromptEditor *m_editor = nullptr;
    terse::widgets::StructuredPromptEditor *m_structuredEditor = nullptr;
    QStackedWidget *m_promptStack = nullptr;
    ResultInspector *m_inspector = nullptr;
    AnswerPanel *m_answers = nullptr;
    QDockWidget *m_answerDock = nullptr;
    CostPanel *m_cost = nullptr;
    QDockWidget *m_costDock = nullptr;
    PinList *m_pinList = nullptr;
    terse::widgets::TokenHeatmapView *m_heatmap = nullptr;
    terse::widgets::ScorePlot *m_plot = nullptr;
    QComboBox *m_method = nullptr;
    QSlider *m_rateSlider = nullptr;
    QDoubleSpinBox *m_rateSpin = nullptr;
    QPushButton *m_run = nullptr;
    QPushButton *m_cancel = nullptr;
    QProgressBar *m_progress = nullptr;
    QLabel *m_status = nullptr;
    QLabel *m_error = nullptr;
    QLabel *m_notes = nullptr;    // informational result warnings (neutral)
    QLabel *m_warnings = nullptr; // result warnings that mean the request was not met (amber)
};

} // namespace terse::app
