#include "session_controller.h"

#include "history_dock.h"
#include "main_window.h"
#include "result_inspector.h"
#include "run_controller.h"
#include "session_manager.h"

#include "terse/session_store.h"

#include <QDateTime>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>
#include <QMessageBox>
#include <QPointer>
#include <QSettings>
#include <QTimer>

#include <algorithm>

namespace terse::app {

namespace {
constexpr int kAutosaveDelayMs = 1000; // working state saved ~1 s after the last change
constexpr int kRethresholdSaveMs =
    1500;                       // slider drags save the result the user settles on, not every step
const char *kInstance = "main"; // the autosave slot of this window
const QString kDatabaseKey = QStringLiteral("sessions/databasePath");

// What makes two runs the same for saving: the prompt, every option and the output.
std::string savedRunKey(const terse::Prompt &prompt, const terse::CompressOptions &o,
                        const terse::CompressionResult &r)
{
    std::string k;
    for (const auto &seg : prompt.segments)
        k += std::to_string(static_cast<int>(seg.role)) + ":" + std::to_string(seg.text.size()) +
             ":" + seg.text;
    k += "|" + RunController::optionsKey(o) + "|" + std::to_string(r.compressedText.size()) + ":" +
         r.compressedText;
    return k;
}
} // namespace

SessionController::SessionController(MainWindow *window, SessionManager *sessions,
                                     HistoryDock *history)
    : QObject(window), m_window(window), m_sessions(sessions), m_history(history)
{
    m_autosave = new QTimer(this);
    m_autosave->setSingleShot(true);
    m_autosave->setInterval(kAutosaveDelayMs);
    connect(m_autosave, &QTimer::timeout, this, &SessionController::saveWorkingState);
    m_saveDelay = new QTimer(this);
    m_saveDelay->setSingleShot(true);
    m_saveDelay->setInterval(kRethresholdSaveMs);
    connect(m_saveDelay, &QTimer::timeout, this, &SessionController::flushPendingSave);

    connect(m_history, &HistoryDock::runSelected, this, [this](qint64 id) { restoreRun(id); });
    connect(m_history, &HistoryDock::sessionSelected, this, [this](qint64 id) {
        m_sessions->setCurrentSession(id);
        markDirty();
    });
    connect(m_sessions, &SessionManager::opened, this, [this] {
        if (m_sessions->store()->schemaIsNewer())
            m_window->showError(
                m_sessions->stateText()); // read-only: say so where errors are shown
        restoreWorkingState();
        // Runs that finished while the database was still opening.
        auto unsaved = std::move(m_unsaved);
        m_unsaved.clear();
        for (const auto &p : unsaved)
            saveRun(p.prompt, p.options, p.result);
    });
    connect(m_sessions, &SessionManager::openFailed, this, [this](const QString &message) {
        m_unsaved.clear();
        m_window->showError(message);
        if (!m_stateRestored) {
            m_stateRestored = true;
            emit workingStateRestored();
        }
    });
}

void SessionController::openInitialDatabase(const QString &databasePath)
{
    QString path = databasePath;
    if (path.isEmpty())
        path = QSettings().value(kDatabaseKey).toString();
    if (path.isEmpty()) {
        if (auto d = terse::defaultDatabasePath())
            path = QString::fromStdString(*d);
        else
            m_window->showError(
                tr("Sessions are not saved: %1").arg(QString::fromStdString(d.error().detail)));
    }
    if (!path.isEmpty())
        m_sessions->openAsync(path);
}

void SessionController::openDatabase(const QString &path)
{
    waitForSaves(); // the runs go into the database they were made with; the state names them
    saveWorkingState();
    QSettings().setValue(kDatabaseKey, path);
    m_window->clearError();
    m_sessions->openAsync(path);
}

void SessionController::newSession()
{
    flushPendingSave();
    m_sessions->setCurrentSession(0);
    if (m_sessions->ensureCurrentSession())
        m_window->setStatusText(tr("New session started: the next runs are saved into it."));
}

// ---- the working state
// ----------------------------------------------------------------------------

void SessionController::markDirty()
{
    if (m_window->isRestoring())
        return;
    m_window->runController()->updateOutdated();
    if (!m_stateRestored)
        m_userTouched = true; // the user's input wins over the autosaved state still loading
    m_autosave->start();
}

void SessionController::saveWorkingState()
{
    m_autosave->stop();
    if (!m_sessions->isWritable())
        return;
    terse::WorkingState ws;
    ws.instance = kInstance;
    ws.sessionId = m_sessions->currentSession();
    ws.prompt = m_window->currentPrompt();
    ws.options = m_window->currentOptions();
    QJsonObject ui;
    ui[QStringLiteral("colorBy")] = m_window->inspector()->colorSeriesName();
    ui[QStringLiteral("runId")] = static_cast<qint64>(m_window->shownRunId());
    QJsonObject byMethod;
    for (const auto &[method, params] : m_window->parametersByMethod()) {
        QJsonObject p;
        for (const auto &[k, v] : params)
            p[QString::fromStdString(k)] = QString::fromStdString(v);
        byMethod[QString::fromStdString(method)] = p;
    }
    ui[QStringLiteral("paramsByMethod")] = byMethod;
    ws.uiState = QJsonDocument(ui).toJson(QJsonDocument::Compact).toStdString();
    if (auto r = m_sessions->store()->saveWorkingState(ws); !r)
        m_window->setStatusText(
            tr("Autosave failed: %1").arg(QString::fromStdString(r.error().detail)));
}

void SessionController::restoreWorkingState()
{
    if (m_stateRestored)
        return;
    m_stateRestored = true;
    terse::SessionStore *store = m_sessions->store();
    auto ws = store ? store->loadWorkingState(kInstance)
                    : terse::Result<terse::WorkingState>(
                          terse::fail(terse::ErrorCode::NotFound, "no store"));
    if (ws) {
        if (ws->sessionId > 0)
            if (auto s = store->session(ws->sessionId); s && s->deletedAt == 0)
                m_sessions->setCurrentSession(ws->sessionId);
        if (!m_userTouched) {
            const QJsonObject ui =
                QJsonDocument::fromJson(QByteArray::fromStdString(ws->uiState)).object();
            const QJsonObject byMethod = ui.value(QStringLiteral("paramsByMethod")).toObject();
            std::map<std::string, std::map<std::string, std::string>> restored;
            for (auto it = byMethod.begin(); it != byMethod.end(); ++it) {
                std::map<std::string, std::string> params;
                const QJsonObject p = it.value().toObject();
                for (auto jt = p.begin(); jt != p.end(); ++jt)
                    params[jt.key().toStdString()] = jt.value().toString().toStdString();
                restored[it.key().toStdString()] = params;
            }
            m_window->setRestoring(true);
            m_window->restoreParametersByMethod(
                restored); // the panel is rebuilt from the restored values
            m_window->setPromptContent(ws->prompt);
            m_window->applyOptions(ws->options);
            // Show the run the user was looking at, from the store: nothing is recomputed.
            const qint64 runId = ui.value(QStringLiteral("runId")).toInteger();
            if (runId > 0)
                if (auto run = store->loadRun(runId);
                    run && run->prompt.joined() == ws->prompt.joined()) {
                    m_window->runController()->showResult(
                        std::make_shared<const terse::CompressionResult>(std::move(run->result)),
                        run->options);
                    m_window->setShownRunId(runId);
                    m_window->inspector()->setColorSeries(
                        ui.value(QStringLiteral("colorBy")).toString());
                }
            m_window->setRestoring(false);
            m_window->setStatusText(tr("Restored your last working state."));
        }
    }
    emit workingStateRestored();
}

// ---- saving runs
// ----------------------------------------------------------------------------------

void SessionController::onRunCompleted(const terse::Prompt &prompt,
                                       const terse::CompressOptions &options,
                                       const ResultHandle &result, bool rethresholded)
{
    if (rethresholded) {
        m_pendingSave = PendingSave{prompt, options, result};
        m_saveDelay->start();
    } else {
        flushPendingSave();
        saveRun(prompt, options, result);
    }
}

void SessionController::saveRun(const terse::Prompt &prompt, const terse::CompressOptions &options,
                                const ResultHandle &result)
{
    if (!result)
        return;
    if (m_sessions->isOpening() && !m_sessions->store()) {
        m_unsaved.push_back(
            PendingSave{prompt, options, result}); // saved once the database is open
        return;
    }
    if (!m_sessions->isWritable())
        return;
    const std::int64_t session = m_sessions->ensureCurrentSession();
    if (session == 0)
        return;
    // Issue 20: Compress after a run that already has these settings (a method switch runs at once)
    // gives the same result; it is shown as that saved run instead of being saved again.
    const std::string key = savedRunKey(prompt, options, *result);
    if (m_lastSaved.id != 0 && m_lastSaved.session == session && m_lastSaved.key == key &&
        m_sessions->store()->loadRun(m_lastSaved.id).ok()) {
        if (m_window->lastResult() == result)
            m_window->setShownRunId(m_lastSaved.id);
        emit runSaved(m_lastSaved.id);
        return;
    }
    // The same run still being written: shown as that run once it is saved.
    for (auto &saving : m_saving)
        if (saving.key == key && saving.session == session) {
            saving.results.push_back(result);
            return;
        }
    terse::ModelIdentity model;
    const std::string &used = !result->model.empty() ? result->model : options.model;
    if (!used.empty()) {
        model.path = options.model.empty() ? used : options.model;
        model.name = QFileInfo(QString::fromStdString(used)).fileName().toStdString();
    }
    // Written on the store's writer thread: the UI does not wait for the database (issue #19).
    const quint64 ticket = ++m_lastTicket;
    m_saving.push_back({ticket, key, session, m_sessions->path(), {result}});
    m_sessions->saveRunAsync(
        session, prompt, options, model, result,
        [self = QPointer<SessionController>(this), ticket](terse::Result<std::int64_t> id) {
            if (self)
                self->onRunWritten(ticket, std::move(id));
        });
}

void SessionController::onRunWritten(quint64 ticket, terse::Result<std::int64_t> id)
{
    const auto it = std::find_if(m_saving.begin(), m_saving.end(),
                                 [ticket](const Saving &s) { return s.ticket == ticket; });
    if (it == m_saving.end())
        return;
    const Saving saving = std::move(*it);
    m_saving.erase(it);
    if (!id) {
        m_window->showError(
            tr("The run was not saved: %1").arg(QString::fromStdString(id.error().detail)));
        return;
    }
    if (saving.database != m_sessions->path())
        return; // another database is open now: the id is not one of its runs
    for (const ResultHandle &result : saving.results)
        if (m_window->lastResult() == result)
            m_window->setShownRunId(*id);
    m_lastSaved = {saving.key, *id, saving.session};
    emit m_sessions->sessionsChanged();
    for (std::size_t i = 0; i < saving.results.size(); ++i)
        emit runSaved(*id);
    markDirty();
}

void SessionController::waitForSaves()
{
    flushPendingSave();
    m_sessions->waitForSaves();
}

void SessionController::flushPendingSave()
{
    m_saveDelay->stop();
    if (!m_pendingSave)
        return;
    PendingSave p = std::move(*m_pendingSave);
    m_pendingSave.reset();
    saveRun(p.prompt, p.options, p.result);
}

bool SessionController::restoreRun(std::int64_t runId)
{
    terse::SessionStore *store = m_sessions->store();
    if (!store)
        return false;
    auto run = store->loadRun(runId);
    if (!run) {
        m_window->showError(
            tr("Cannot load the saved run: %1").arg(QString::fromStdString(run.error().detail)));
        return false;
    }
    flushPendingSave();
    RunController *runs = m_window->runController();
    runs->abandon();
    m_window->clearError();
    m_window->setRestoring(true);
    m_window->setPromptContent(run->prompt);
    m_window->applyOptions(run->options);
    m_window->setRestoring(false);
    runs->showResult(std::make_shared<const terse::CompressionResult>(std::move(run->result)),
                     run->options);
    m_window->setShownRunId(runId);
    m_sessions->setCurrentSession(run->info.sessionId);
    m_window->setStatusText(
        tr("Showing a saved %1 run from %2 (not recomputed).")
            .arg(QString::fromStdString(run->info.method),
                 QLocale().toString(QDateTime::fromMSecsSinceEpoch(run->info.created),
                                    QLocale::ShortFormat)));
    markDirty();
    return true;
}

// ---- import and export
// ----------------------------------------------------------------------------

void SessionController::exportSessions()
{
    terse::SessionStore *store = m_sessions->store();
    if (!store) {
        m_window->showError(tr("No session database is open."));
        return;
    }
    const QString path = QFileDialog::getSaveFileName(m_window, tr("Export sessions"),
                                                      QStringLiteral("sessions.json"),
                                                      tr("JSON files (*.json);;All files (*)"));
    if (path.isEmpty())
        return;
    std::vector<std::int64_t> ids;
    if (const std::int64_t id = m_history->selectedSession())
        if (QMessageBox::question(m_window, tr("Export sessions"),
                                  tr("Export only the selected session?"),
                                  QMessageBox::Yes | QMessageBox::No) == QMessageBox::Yes)
            ids.push_back(id);
    exportSessionsTo(path, ids);
}

bool SessionController::exportSessionsTo(const QString &path, const std::vector<std::int64_t> &ids)
{
    terse::SessionStore *store = m_sessions->store();
    if (!store) {
        m_window->showError(tr("No session database is open."));
        return false;
    }
    if (auto r = store->exportSessionsToFile(path.toStdString(), ids); !r) {
        m_window->showError(
            tr("Cannot export sessions to “%1”: %2")
                .arg(QFileInfo(path).fileName(), QString::fromStdString(r.error().detail)));
        return false;
    }
    m_window->setStatusText(tr("Exported to %1.").arg(QDir::toNativeSeparators(path)));
    return true;
}

void SessionController::importSessions()
{
    if (!m_sessions->isWritable()) {
        m_window->showError(tr("No writable session database is open."));
        return;
    }
    const QString path = QFileDialog::getOpenFileName(m_window, tr("Import sessions"), QString(),
                                                      tr("JSON files (*.json);;All files (*)"));
    if (!path.isEmpty())
        importSessionsFrom(path);
}

bool SessionController::importSessionsFrom(const QString &path)
{
    if (!m_sessions->isWritable()) {
        m_window->showError(tr("No writable session database is open."));
        return false;
    }
    auto r = m_sessions->store()->importSessionsFromFile(path.toStdString());
    if (!r) {
        m_window->showError(
            tr("Cannot import “%1”: %2")
                .arg(QFileInfo(path).fileName(), QString::fromStdString(r.error().detail)));
        return false;
    }
    m_window->setStatusText(
        tr("Imported %n session(s).", nullptr, static_cast<int>(r->imported.size())));
    if (!r->skipped.empty()) {
        QStringList lines;
        for (const auto &s : r->skipped)
            lines << tr("“%1” skipped: %2")
                         .arg(QString::fromStdString(s.name), QString::fromStdString(s.reason));
        m_window->showError(lines.join(QLatin1Char('\n')));
    }
    emit m_sessions->sessionsChanged();
    return true;
}

} // namespace terse::app
