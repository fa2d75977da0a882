#include "session_manager.h"

#include "result_adapter.h"

#include "terse/session_store.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QLocale>
#include <QDir>
#include <QElapsedTimer>
#include <QThread>

#include <optional>

namespace terse::app {

struct SessionManager::Outcome {
    std::string path;
    std::optional<terse::Result<terse::SessionStore>> result;
    qint64 elapsedMs = 0;
    bool applied = false;
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
    if (m_opening) {  // superseded: let it finish in the background, its outcome is dropped
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
            message = tr("The session database “%1” cannot be used: %2. Terse left the file as it is.")
                          .arg(shown, detail);
        else
            message = tr("Cannot open the session database “%1”: %2").arg(shown, detail);
        m_lastError = message;
        if (m_store) {
            m_path = QString::fromStdString(m_store->path());
            message += QLatin1Char(' ') + tr("Still saving to %1.").arg(QDir::toNativeSeparators(m_path));
            m_lastError = message;
        } else {
            m_state = tr("Not saving sessions: %1 could not be opened. Use File › Open Session Database… "
                         "to choose another file.")
                          .arg(shown);
        }
        emit openFailed(message);
        return;
    }
    m_store = std::make_unique<terse::SessionStore>(std::move(r.value()));
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

bool SessionManager::isWritable() const { return m_store && !m_store->isReadOnly(); }

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
    const QString name = tr("Session %1").arg(QLocale().toString(QDateTime::currentDateTime(), QStringLiteral("d MMM HH:mm")));
    auto id = m_store->createSession(name.toStdString(), true);
    if (!id)
        return 0;
    setCurrentSession(*id);
    emit sessionsChanged();
    return *id;
}

}  // namespace terse::app
