#pragma once
// RunController: compressing the prompt and showing the result. Submits the editors' prompt and the
// controls' options to the EngineWorker (Run/Cancel, the ~120 ms debounce of control changes,
// progress with the time left), shows partial and complete results in the ResultInspector with
// their notes and warnings, greys a result that no longer matches the controls, and asks the worker
// for attention rows. Completed runs are announced with completed(); saving them is the
// SessionController's. GUI thread only.

#include "engine_worker.h"

#include <QElapsedTimer>
#include <QObject>

class QLabel;
class QProgressBar;
class QPushButton;
class QTimer;

namespace terse::app {

class MainWindow;
class ResultInspector;

class RunController : public QObject {
    Q_OBJECT
public:
    // The widgets it drives; all built by the window.
    struct Widgets {
        ResultInspector *inspector = nullptr;
        QPushButton *run = nullptr;
        QPushButton *cancel = nullptr;
        QProgressBar *progress = nullptr;
        QLabel *notes = nullptr;    // informational result warnings (neutral)
        QLabel *warnings = nullptr; // result warnings that mean the request was not met (amber)
    };
    RunController(MainWindow *window, EngineWorker *worker, const Widgets &widgets);

    // Starts compressing the editors' prompt with the controls' options (the latest request wins).
    void runCompression();
    void cancelCompression();
    // A control changed: marks the state dirty and re-runs after the debounce when there is a
    // result to update.
    void scheduleRerun();
    // Re-runs after the debounce when there is a result to update (or a run going).
    void rerunSoon();
    // Stops the running job and ignores its outcome (a saved run is being shown instead).
    void abandon();
    bool isBusy() const { return m_activeId != 0; }

    // Shows `result` (complete; computed with `options`) in the views.
    void showResult(const ResultHandle &result, const terse::CompressOptions &options);
    // The last complete result / the result on screen (the running job's partial result, else the
    // last one).
    ResultHandle lastResult() const { return m_result; }
    ResultHandle shownResult() const;
    // True when the shown result was computed from the prompt in the editors now.
    bool resultMatchesPrompt() const;
    // Greys the shown result and says why when it is not what the controls describe (a run is
    // going, the prompt or the settings changed, a run was cancelled).
    void updateOutdated();

    // Edit → Copy Compressed Text / File → Save Compressed Text As….
    void copyCompressed();
    void saveCompressed();

    // Every option, as one comparable string.
    static std::string optionsKey(const terse::CompressOptions &o);

signals:
    // A result (full run or re-threshold) is displayed.
    void resultShown();
    // A partial result of a run still going was shown (issue 20).
    void partialShown(int stagesDone, int stagesTotal);
    // A job ended in failure or cancellation.
    void jobEnded();
    // A run finished and its result is shown: `prompt` and `options` are what it was computed from;
    // `rethresholded` when it was re-decided from cached scores.
    void completed(const terse::Prompt &prompt, const terse::CompressOptions &options,
                   const ResultHandle &result, bool rethresholded);

private:
    void setBusy(bool busy);
    void showWarnings(const std::vector<terse::Warning> &warnings);
    void dropPartial();
    void requestAttention(int unit, int layer, int head);

    MainWindow *m_window;
    EngineWorker *m_worker;
    Widgets m_w;
    QTimer *m_debounce = nullptr;
    QTimer *m_progressDelay = nullptr;
    quint64 m_activeId = 0;
    quint64 m_attentionId = 0;
    terse::Prompt m_activePrompt; // what the active request compresses
    terse::CompressOptions m_activeOptions;
    terse::CompressOptions m_shownOptions; // what the shown result was computed with
    QElapsedTimer m_jobTimer;              // since the active request started, for the ETA
    ResultHandle m_result;
    ResultHandle m_partial; // the running job's latest partial result (shown; never saved)
    int m_partialDone = 0, m_partialTotal = 0;
};

} // namespace terse::app
