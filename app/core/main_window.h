#pragma once
// MainWindow: the Terse Studio workbench window: prompt editor, method and rate controls, Run/Cancel,
// the compressed view (heatmap + score plot), a status line, the model picker, the parameter panel and
// the History dock of saved sessions. Jobs run on the EngineWorker thread; every completed run is saved
// into the current session and the working state is autosaved (~1 s after a change and on close) and
// restored at start. GUI thread only.

#include "engine_worker.h"

#include <QElapsedTimer>
#include <QMainWindow>

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
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
}

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
    // `factory` is passed to the EngineWorker (tests inject compressors); default: the registry. It also
    // describes methods the registry does not list (their OptionSpecs feed the parameter panel).
    // `databasePath` is the session database to open ("": the last one chosen, else
    // terse::defaultDatabasePath()); it opens on a background thread.
    explicit MainWindow(CompressorFactory factory = {}, QWidget *parent = nullptr, const QString &databasePath = {});
    ~MainWindow() override;

    // Loads a text file into the editor. On failure shows the reason and leaves the editor unchanged.
    bool openFile(const QString &path);
    // Starts compressing the editor's prompt (plain or structured) with the chosen method, rate and pins.
    void runCompression();
    // The prompt the editors describe: the plain text as one context, or the structured parts as segments.
    terse::Prompt currentPrompt() const;
    // Switches between the plain and the structured prompt editor, converting the content.
    void setStructured(bool structured);
    bool isStructured() const;
    // Pins: cycles unit `unit` of the shown result keep → drop → none, or sets a direction (+1, -1, 0).
    // Undoable; the prompt is compressed again. False (with a status message) when the result is stale.
    bool cyclePin(int unit);
    bool setPin(int unit, int direction);
    const std::vector<terse::PinnedSpan> &pins() const { return m_pins; }
    // Saves the prompt (plain text) to `path`; false with a message on failure.
    bool savePromptTo(const QString &path);
    // The sample prompts shipped in resources/samples (absolute paths).
    static QStringList samplePaths();
    void cancelCompression();
    // Switches to another session database (saving the working state into the current one first).
    void openDatabase(const QString &path);
    // Restores a saved run: prompt, method, parameters and result views, without recomputing.
    bool restoreRun(std::int64_t runId);
    // Writes the working state (prompt, options, UI state) to the autosave slot now.
    void saveWorkingState();
    // Exports the given sessions (empty: all) / imports an export as new sessions. On failure the
    // error banner names the file and the reason; skipped sessions of an import are listed there too.
    bool exportSessionsTo(const QString &path, const std::vector<std::int64_t> &ids = {});
    bool importSessionsFrom(const QString &path);
    // The options the controls describe (method, rate, model, parameters, mode, seed, target tokens).
    terse::CompressOptions currentOptions() const;

    // Accessors for tests and the app shell.
    terse::widgets::PromptEditor *promptEditor() const { return m_editor; }
    terse::widgets::StructuredPromptEditor *structuredEditor() const { return m_structuredEditor; }
    terse::widgets::TokenHeatmapView *heatmapView() const { return m_heatmap; }
    terse::widgets::ScorePlot *scorePlot() const { return m_plot; }
    ResultInspector *inspector() const { return m_inspector; }
    PinList *pinList() const { return m_pinList; }
    QUndoStack *undoStack() const { return m_undo; }
    QTimer *editDebounce() const { return m_editDebounce; }
    QMenu *samplesMenu() const { return m_samplesMenu; }
    // The View → Theme actions (system, light, dark), for tests.
    QList<QAction *> themeActions() const { return m_themeActions; }
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
    ResultHandle lastResult() const { return m_result; }
    bool isBusy() const { return m_activeId != 0; }

    // The rate the controls show, in (0, 1].
    double rate() const;
    void setRate(double rate);

signals:
    // Emitted after a result (full run or re-threshold) is displayed.
    void resultShown();
    // A partial result of a run still going was shown (issue 20).
    void partialShown(int stagesDone, int stagesTotal);
    // Emitted when a job ends in failure or cancellation.
    void jobEnded();
    // Emitted when the working state has been restored after the database opened (or nothing to restore).
    void workingStateRestored();
    // Emitted after a run has been saved into the store.
    void runSaved(qint64 runId);

protected:
    void closeEvent(QCloseEvent *event) override;
    // Routes Undo/Redo keys in the prompt editor to the window's edit history.
    bool eventFilter(QObject *watched, QEvent *event) override;
    // QEvent::LanguageChange: re-translates the main controls and menus (the rest after a restart).
    void changeEvent(QEvent *event) override;

private:
    void buildUi();
    void buildMenus();
    void buildLanguageMenu(QMenu *parent);
    // Runs `apply` now and again on every language change (apply sets translated texts).
    void translated(std::function<void()> apply);
    void buildDocks();
    void onMethodChanged();
    std::vector<terse::OptionSpec> optionSpecsFor(const QString &method) const;
    void applyOptions(const terse::CompressOptions &options);
    void markDirty();
    void restoreWorkingState();
    void saveRun(const terse::Prompt &prompt, const terse::CompressOptions &options, const ResultHandle &result);
    void flushPendingSave();
    void exportSessions();
    void importSessions();
    void showError(const QString &message);
    void clearError();
    void showWarnings(const std::vector<terse::Warning> &warnings);
    void setBusy(bool busy);
    void showResult(const ResultHandle &result);
    void addRecentFile(const QString &path);
    void rebuildRecentMenu();
    void scheduleRerun();
    void restoreSettings();
    void saveSettings() const;
    void copyCompressed();
    void saveCompressed();
    void savePrompt(bool askPath);
    void buildSamplesMenu(QMenu *parent);
    void buildThemeMenu(QMenu *parent);
    void onPromptTextChanged();
    void onStructuredChanged();
    void scheduleEditRerun();
    void installPins(const std::vector<terse::PinnedSpan> &pins);
    void pushPins(std::vector<terse::PinnedSpan> pins, const QString &text);
    void refreshPinViews();
    void setPromptContent(const terse::Prompt &prompt);
    void requestAttention(int unit, int layer, int head);
    // True when the shown result was computed from the prompt in the editors now.
    bool resultMatchesPrompt() const;
    // The result on screen: the partial result of the running job, else the last complete one.
    ResultHandle shownResult() const;
    void dropPartial();
    // Greys the shown result and says why when it is not what the controls describe (a run is going, the
    // prompt or the settings changed, a run was cancelled).
    void updateOutdated();
    std::function<void()> m_fitParameters;  // widens the Parameters dock to its content (language, method)

    CompressorFactory m_factory;
    std::vector<terse::MethodInfo> m_methods;
    EngineWorker *m_worker = nullptr;
    SessionManager *m_sessions = nullptr;
    HistoryDock *m_history = nullptr;
    ParameterPanel *m_params = nullptr;
    ModelPicker *m_models = nullptr;
    QTimer *m_autosave = nullptr;
    QTimer *m_saveDelay = nullptr;
    QString m_panelMethod;  // the method the parameter panel shows
    std::map<std::string, std::map<std::string, std::string>> m_paramsByMethod;  // kept across method switches
    terse::Prompt m_activePrompt;     // what the active request compresses
    terse::CompressOptions m_activeOptions;
    struct PendingSave {
        terse::Prompt prompt;
        terse::CompressOptions options;
        ResultHandle result;
    };
    std::optional<PendingSave> m_pendingSave;  // a re-thresholded result, saved once the user pauses
    std::vector<PendingSave> m_unsaved;        // results that finished before the database was open
    std::int64_t m_shownRunId = 0;
    terse::CompressOptions m_shownOptions;  // what the shown result was computed with
    QElapsedTimer m_jobTimer;               // since the active request started, for the ETA
    // The last run saved: what it was computed from, so that the same settings again are not saved twice.
    struct LastSaved {
        std::string key;  // prompt, options and compressed text
        std::int64_t id = 0;
        std::int64_t session = 0;
    } m_lastSaved;
    bool m_restoring = false;   // controls are being set programmatically: no re-run, no autosave
    bool m_userTouched = false; // the user changed something before the working state was restored
    bool m_stateRestored = false;
    terse::widgets::PromptEditor *m_editor = nullptr;
    terse::widgets::StructuredPromptEditor *m_structuredEditor = nullptr;
    QStackedWidget *m_promptStack = nullptr;
    QAction *m_structuredAction = nullptr;
    ResultInspector *m_inspector = nullptr;
    AnswerPanel *m_answers = nullptr;
    QDockWidget *m_answerDock = nullptr;
    CostPanel *m_cost = nullptr;
    QDockWidget *m_costDock = nullptr;
    PinList *m_pinList = nullptr;
    QUndoStack *m_undo = nullptr;
    QTimer *m_editDebounce = nullptr;
    QMenu *m_samplesMenu = nullptr;
    QList<QAction *> m_themeActions;
    std::vector<terse::PinnedSpan> m_pins;  // in the coordinates of currentPrompt()
    QString m_lastText;                     // the plain editor's text before the latest change
    bool m_applyingUndo = false;            // an undo/redo is changing the editor: not a new edit
    quint64 m_attentionId = 0;
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
    QLabel *m_notes = nullptr;     // informational result warnings (neutral)
    QLabel *m_warnings = nullptr;  // result warnings that mean the request was not met (amber)
    QTimer *m_debounce = nullptr;
    QTimer *m_progressDelay = nullptr;
    QMenu *m_recentMenu = nullptr;
    std::vector<std::function<void()>> m_retranslate;
    quint64 m_activeId = 0;
    ResultHandle m_result;
    ResultHandle m_partial;  // the running job's latest partial result (shown; never saved)
    int m_partialDone = 0, m_partialTotal = 0;
    QString m_currentFile;
};

}  // namespace terse::app
