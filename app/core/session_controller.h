#pragma once
// SessionController: the workbench's persistence. Opens the session database (the last one chosen,
// else the default), saves every completed run into the current session on the store's writer
// thread (runSaved() and the shown run's id follow when it is written; a re-thresholded result once
// the user pauses; runs that finish while the database opens once it is open; the same settings
// again are shown as the run already saved), autosaves the working state ~1 s after a change and
// restores it at start, restores saved runs, switches databases and imports / exports sessions. GUI
// thread only.

#include "engine_worker.h"

#include <QObject>
#include <QString>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

class QTimer;

namespace terse::app {

class HistoryDock;
class MainWindow;
class SessionManager;

class SessionController : public QObject {
    Q_OBJECT
public:
    SessionController(MainWindow *window, SessionManager *sessions, HistoryDock *history);

    // Opens `databasePath` on the background thread ("": the last one chosen, else the default).
    void openInitialDatabase(const QString &databasePath);
    // Switches to another session database (saving the working state into the current one first).
    void openDatabase(const QString &path);
    // Starts a new session the next runs are saved into.
    void newSession();

    // Something the working state holds changed: autosave soon (unless controls are being
    // restored).
    void markDirty();
    // Writes the working state (prompt, options, UI state) to the autosave slot now.
    void saveWorkingState();
    bool stateRestored() const { return m_stateRestored; }

    // A run finished: saves it now, or once the user pauses when it was re-decided from cached
    // scores.
    void onRunCompleted(const terse::Prompt &prompt, const terse::CompressOptions &options,
                        const ResultHandle &result, bool rethresholded);
    // Saves the re-thresholded result still waiting for the user to pause.
    void flushPendingSave();
    // Saves the waiting result and blocks until every run handed to the store is written and
    // reported (runSaved, the shown run's id): before the window closes or another database opens.
    void waitForSaves();
    // Restores a saved run: prompt, method, parameters and result views, without recomputing.
    bool restoreRun(std::int64_t runId);

    // Exports the given sessions (empty: all) / imports an export as new sessions; the dialogs ask
    // first.
    bool exportSessionsTo(const QString &path, const std::vector<std::int64_t> &ids = {});
    bool importSessionsFrom(const QString &path);
    void exportSessions();
    void importSessions();

signals:
    // The working state has been restored after the database opened (or there was nothing to
    // restore).
    void workingStateRestored();
    // A run has been saved into the store (or found saved already).
    void runSaved(qint64 runId);

private:
    void restoreWorkingState();
    // Hands the run to the store's writer thread; onRunWritten() reports it.
    void saveRun(const terse::Prompt &prompt, const terse::CompressOptions &options,
                 const ResultHandle &result);
    void onRunWritten(quint64 ticket, terse::Result<std::int64_t> id);

    MainWindow *m_window;
    SessionManager *m_sessions;
    HistoryDock *m_history;
    QTimer *m_autosave = nullptr;
    QTimer *m_saveDelay = nullptr;
    struct PendingSave {
        terse::Prompt prompt;
        terse::CompressOptions options;
        ResultHandle result;
    };
    std::optional<PendingSave> m_pendingSave; // a re-thresholded result, saved once the user pauses
    std::vector<PendingSave> m_unsaved;       // results that finished before the database was open
    // The last run saved: what it was computed from, so that the same settings again are not saved
    // twice.
    struct LastSaved {
        std::string key; // prompt, options and compressed text
        std::int64_t id = 0;
        std::int64_t session = 0;
    } m_lastSaved;
    // Runs handed to the writer thread and not reported yet, in order: what each was computed from,
    // and the results (the same run again while it was being written) that become that saved run.
    struct Saving {
        quint64 ticket = 0;
        std::string key;
        std::int64_t session = 0;
        QString database;
        std::vector<ResultHandle> results;
    };
    std::vector<Saving> m_saving;
    quint64 m_lastTicket = 0;
    bool m_userTouched = false; // the user changed something before the working state was restored
    bool m_stateRestored = false;
};

} // namespace terse::app
