#pragma once
// SessionManager: owns the app's connection to the session database (terse::SessionStore) and the
// "current session" that completed runs are saved into. Opening runs on a background thread because
// the integrity check reads the whole file; runs are saved on a writer thread with its own
// connection to the open file (WAL: the UI thread keeps reading meanwhile), closed when another
// database has opened and the saves queued before are written; everything else is called on the
// UI thread. A database that cannot be opened is never overwritten: the app keeps
// working without persistence and stateText() says so. GUI thread only.

#include "terse/result.h"

#include <QObject>
#include <QString>

#include <cstdint>
#include <functional>
#include <memory>

class QThread;

namespace terse {
class SessionStore;
struct CompressOptions;
struct CompressionResult;
struct ModelIdentity;
struct Prompt;
} // namespace terse

namespace terse::app {

class SessionManager : public QObject {
    Q_OBJECT
public:
    explicit SessionManager(QObject *parent = nullptr);
    ~SessionManager() override; // waits for a running open

    // Opens `path` on a background thread; ends with opened() or openFailed(). Until then the
    // previous database (if any) stays in use. A later call supersedes an earlier one still in
    // progress.
    void openAsync(const QString &path);
    // Blocks until a running open has finished and its outcome has been applied.
    void waitForOpen();

    // The open store, or nullptr while opening / after a failure (no persistence).
    terse::SessionStore *store() const { return m_store.get(); }
    bool isOpening() const { return m_opening != nullptr; }
    // True when runs can be saved (open and writable).
    bool isWritable() const;
    // The path of the open database, or of the one that failed / is opening.
    QString path() const { return m_path; }
    // One line for the History dock: where sessions are saved, or why they are not.
    QString stateText() const { return m_state; }
    // The last open error (empty after a success).
    QString lastError() const { return m_lastError; }

    // The session runs are saved into; 0 = none yet (created on the first saved run).
    std::int64_t currentSession() const { return m_currentSession; }
    void setCurrentSession(std::int64_t id);
    // Returns the current session, creating an autosave session when there is none. 0 on failure.
    std::int64_t ensureCurrentSession();

    // Saves a run into `session` of the open database on the writer thread. `done` runs later on
    // the UI thread with the new run id or the error. Saves are written and reported in the order
    // given; the destructor waits for those still queued (their `done` is not called then).
    using SaveDone = std::function<void(terse::Result<std::int64_t>)>;
    void saveRunAsync(std::int64_t session, const terse::Prompt &prompt,
                      const terse::CompressOptions &options, const terse::ModelIdentity &model,
                      std::shared_ptr<const terse::CompressionResult> result, SaveDone done);
    // Blocks until every save handed to saveRunAsync() is written (and, after a switch to another
    // database, the writer's connection to the previous one is closed), then runs their `done`
    // calls.
    void waitForSaves();

signals:
    void opened();
    void openFailed(const QString &message);
    // Sessions or runs were added, renamed, deleted or imported.
    void sessionsChanged();
    void currentSessionChanged(qint64 id);

private:
    struct Outcome;
    class Writer;
    // Runs the `done` calls of the saves written so far.
    void deliverSaves();
    void applyOutcome(const std::shared_ptr<Outcome> &outcome, quint64 generation);

    std::unique_ptr<terse::SessionStore> m_store;
    std::unique_ptr<Writer> m_writer; // created with the first save
    QThread *m_opening = nullptr;
    quint64 m_generation = 0;
    QString m_path;
    QString m_state;
    QString m_lastError;
    std::int64_t m_currentSession = 0;
};

} // namespace terse::app
