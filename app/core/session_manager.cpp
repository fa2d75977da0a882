#include "session_manager.h"

#include "result_adapter.h"

#include "terse/session_store.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QLocale>
#include <QDir>
#include <QElapsedTimer>
#include <QThread>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>

namespace terse::app {

struct SessionManager::Outcome {
    std::string path;
    std::optional<terse::Result<terse::SessionStore>> result;
    qint64 elapsedMs = 0;
    bool applied = false;
};

// The writer thread: runs the queued saves in order on its own connection to the database (opened
// on the thread, without the integrity check the UI-thread open already did) and hands each outcome
// back. closeConnection() queues the connection's close behind the saves already queued.
class SessionManager::Writer {
public:
    using Task = std::function<terse::Result<std::int64_t>(Writer &)>;
    using Report = std::function<void(terse::Result<std::int64_t>)>;

    explicit Writer(std::function<void()> wake)
        : m_wake(std::move(wake)), m_thread([this] { loop(); })
    {
    }
    ~Writer()
    {
        {
            const std::lock_guard lock(m_mutex);
            m_stop = true;
        }
        m_changed.notify_all();
        m_thread.join(); // queued saves are written first
    }

    void post(Task task, Report report)
    {
        {
            const std::lock_guard lock(m_mutex);
            m_tasks.push_back({std::move(task), std::move(report)});
        }
        m_changed.notify_all();
    }

    // Closes the writer's connection once the saves queued so far are written (a later save opens
    // its database again). Nothing is reported for it.
    void closeConnection()
    {
        post(
            [](Writer &w) -> terse::Result<std::int64_t> {
                w.m_store.reset();
                return std::int64_t{0};
            },
            {});
    }

    // Blocks until the queue is empty and nothing runs.
    void waitIdle()
    {
        std::unique_lock lock(m_mutex);
        m_changed.wait(lock, [this] { return m_tasks.empty() && !m_busy; });
    }

    // The finished saves' reports, in order; each is taken once.
    std::vector<std::pair<Report, terse::Result<std::int64_t>>> takeDone()
    {
        const std::lock_guard lock(m_mutex);
        return std::exchange(m_done, {});
    }

    // On the writer thread: the connection to `path`, opened on first use.
    terse::Result<terse::SessionStore *> store(const std::string &path)
    {
        if (!m_store || m_store->path() != path) {
            m_store.reset();
            terse::StoreOpenOptions options;
            options.checkIntegrity = false;
            auto opened = terse::SessionStore::open(path, options);
            if (!opened)
                return opened.error();
            m_store.emplace(std::move(opened.value()));
        }
        return &*m_store;
    }

private:
    struct Item {
        Task task;
        Report report;
    };
    void loop()
    {
        std::unique_lock lock(m_mutex);
        for (;;) {
            m_changed.wait(lock, [this] { return m_stop || !m_tasks.empty(); });
            if (m_tasks.empty())
                break; // stopping, and every save is written
            Item item = std::move(m_tasks.front());
            m_tasks.pop_front();
            m_busy = true;
            lock.unlock();
            auto result = item.task(*this);
            lock.lock();
            const bool reported = static_cast<bool>(item.report);
            if (reported)
                m_done.emplace_back(std::move(item.report), std::move(result));
            m_busy = false;
            m_changed.notify_all();
            if (reported && !m_stop)
                m_wake();
        }
        m_store.reset();
    }

    std::function<void()> m_wake;
    std::mutex m_mutex;
    std::condition_variable m_changed;
    std::deque<Item> m_tasks;
    std::vector<std::pair<Report, terse::Result<std::int64_t>>> m_done;
    bool m_busy = false;
    bool m_stop = false;
    std::optional<terse::SessionStore> m_store; // the writer thread's connection
    std::thread m_thread;                       // last: starts after the members it uses
};

SessionManager::SessionManager(QObject *parent) : QObject(parent)
{
    m_state = tr("Sessions: not opened yet.");
}

SessionManager::~SessionManager()
{
    // Opens still running (also superseded ones) must end before their QThread objects are deleted.
    for (QThread *t : findChildren<QThread *>())
        t->wait();
}

void SessionManager::openAsync(const QString &path)
{
    auto outcome = std::make_shared<Outcome>();
    outcome->path = QDir::toNativeSeparators(path).toStdString();
    const quint64 generation = ++m_generation;
    if (m_opening) { // superseded: let it finish in the background, its outcome is dropped
        QThread *old = m_opening;
        connect(old, &QThread::finished, old, &QObject::deleteLater);
    }
    m_path = path;
    m_state = tr("Opening %1…").arg(QDir::toNativeSeparators(path));
    // The open runs PRAGMA quick_check, which reads the whole file: keep it off the UI thread.
    m_opening = QThread::create([outcome] {
        QElapsedTimer t;
        t.start();
        outcome->result.emplace(terse::SessionStore::open(outcome->path));
        outcome->elapsedMs = t.elapsed();
    });
    m_opening->setObjectName(QStringLiteral("terse-store-open"));
    m_opening->setParent(this);
    QThread *thread = m_opening;
    connect(thread, &QThread::finished, this, [this, outcome, generation, thread] {
        if (m_opening == thread) {
            m_opening = nullptr;
            thread->deleteLater();
        }
        applyOutcome(outcome, generation);
    });
    thread->start();
}

void SessionManager::waitForOpen()
{
    if (!m_opening)
        return;
    QThread *thread = m_opening;
    thread->wait();
    // Deliver the queued finished() now; applyOutcome ignores the second delivery.
    QCoreApplication::sendPostedEvents(this);
    if (m_opening == thread) {
        m_opening = nullptr;
        thread->deleteLater();
    }
}

void SessionManager::applyOutcome(const std::shared_ptr<Outcome> &outcome, quint64 generation)
{
    if (outcome->applied || generation != m_generation || !outcome->result)
        return;
    outcome->applied = true;
    auto &r = *outcome->result;
    const QString shown = QDir::toNativeSeparators(QString::fromStdString(outcome->path));
    if (!r) {
        const auto &e = r.error();
        const QString detail = QString::fromStdString(e.detail);
        QString message;
        if (e.code == terse::ErrorCode::FormatError)
            message =
                tr("The session database “%1” cannot be used: %2. Terse left the file as it is.")
                    .arg(shown, detail);
        else
            message = tr("Cannot open the session database “%1”: %2").arg(shown, detail);
        m_lastError = message;
        if (m_store) {
            m_path = QString::fromStdString(m_store->path());
            message +=
                QLatin1Char(' ') + tr("Still saving to %1.").arg(QDir::toNativeSeparators(m_path));
            m_lastError = message;
        } else {
            m_state =
                tr("Not saving sessions: %1 could not be opened. Use File › Open Session Database… "
                   "to choose another file.")
                    .arg(shown);
        }
        emit openFailed(message);
        return;
    }
    m_store = std::make_unique<terse::SessionStore>(std::move(r.value()));
    // The previous database is released: the writer closes its connection to it once the saves
    // still queued for it are written (the next save opens the new one). After the UI thread's
    // connection has closed: the last connection to close checkpoints the WAL into the file and
    // removes it, and two closing at once on two threads would each leave that to the other.
    if (m_writer)
        m_writer->closeConnection();
    m_lastError.clear();
    m_path = shown;
    m_currentSession = 0;
    if (m_store->schemaIsNewer())
        m_state = tr("Read-only: %1 was written by a newer Terse (schema %2); runs are not saved.")
                      .arg(shown)
                      .arg(m_store->schemaVersion());
    else if (m_store->isReadOnly())
        m_state = tr("Read-only: %1").arg(shown);
    else
        m_state = tr("Saving sessions to %1 (opened in %2)")
                      .arg(shown, formatDuration(static_cast<double>(outcome->elapsedMs)));
    emit opened();
    emit sessionsChanged();
    emit currentSessionChanged(0);
}

bool SessionManager::isWritable() const
{
    return m_store && !m_store->isReadOnly();
}

void SessionManager::setCurrentSession(std::int64_t id)
{
    if (id == m_currentSession)
        return;
    m_currentSession = id;
    emit currentSessionChanged(id);
}

std::int64_t SessionManager::ensureCurrentSession()
{
    if (!isWritable())
        return 0;
    if (m_currentSession > 0) {
        auto s = m_store->session(m_currentSession);
        if (s && s->deletedAt == 0)
            return m_currentSession;
    }
    const QString name =
        tr("Session %1")
            .arg(QLocale().toString(QDateTime::currentDateTime(), QStringLiteral("d MMM HH:mm")));
    auto id = m_store->createSession(name.toStdString(), true);
    if (!id)
        return 0;
    setCurrentSession(*id);
    emit sessionsChanged();
    return *id;
}

void SessionManager::saveRunAsync(std::int64_t session, const terse::Prompt &prompt,
                                  const terse::CompressOptions &options,
                                  const terse::ModelIdentity &model,
                                  std::shared_ptr<const terse::CompressionResult> result,
                                  SaveDone done)
{
    if (!m_store) {
        done(terse::fail(terse::ErrorCode::IoError, "no session database is open"));
        return;
    }
    if (!m_writer)
        m_writer = std::make_unique<Writer>([this] {
            // From the writer thread: deliver on the UI thread (dropped if this object is gone by
            // then).
            QMetaObject::invokeMethod(this, &SessionManager::deliverSaves, Qt::QueuedConnection);
        });
    m_writer->post(
        [path = m_store->path(), session, prompt, options, model,
         result](Writer &w) -> terse::Result<std::int64_t> {
            auto store = w.store(path);
            if (!store)
                return store.error();
            return (*store)->saveRun(session, prompt, options, model, *result);
        },
        std::move(done));
}

void SessionManager::waitForSaves()
{
    if (!m_writer)
        return;
    m_writer->waitIdle();
    deliverSaves();
}

void SessionManager::deliverSaves()
{
    if (!m_writer)
        return;
    for (auto &[report, result] : m_writer->takeDone())
        report(std::move(result));
}

} // namespace terse::app
