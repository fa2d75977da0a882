#include "engine_host.h"

#include <QCoreApplication>
#include <QThread>

#include <mutex>

namespace terse::app {

namespace {
// loadEngine() and the runtime's one-time set-up (thread count), once per process.
terse::Result<const terse::EngineApi *> loadOnce()
{
    static std::once_flag once;
    auto r = terse::loadEngine();
    if (r)
        std::call_once(once, [api = r.value()] { api->initRuntime(0); });
    return r;
}
} // namespace

EngineHost *EngineHost::instance()
{
    static EngineHost *host = new EngineHost(QCoreApplication::instance());
    return host;
}

EngineHost::EngineHost(QObject *parent) : QObject(parent) {}

EngineHost::~EngineHost()
{
    if (m_thread) {
        m_thread->wait();
        delete m_thread;
    }
}

const terse::EngineApi *EngineHost::require()
{
    auto r = loadOnce();
    return r ? r.value() : nullptr;
}

QString EngineHost::loadError()
{
    if (api())
        return {};
    // Answered at once when a load has ended; otherwise this is the load.
    auto r = loadOnce();
    return r ? QString() : QString::fromStdString(r.error().detail);
}

void EngineHost::loadInBackground()
{
    if (m_settled || m_thread)
        return;
    // Not on the GUI thread: dlopen runs libtorch's static initialisers (most of a second).
    m_thread = QThread::create([] { (void)loadOnce(); });
    m_thread->setObjectName(QStringLiteral("terse-engine-load"));
    connect(m_thread, &QThread::finished, this, &EngineHost::settle);
    m_thread->start();
}

void EngineHost::settle()
{
    if (m_thread) {
        m_thread->wait();
        delete m_thread;
        m_thread = nullptr;
    }
    if (m_settled)
        return;
    m_settled = true;
    if (api()) {
        emit ready();
    } else {
        const QString message = loadError();
        qWarning("%s", qPrintable(message)); // the window shows it too
        emit failed(message);
    }
}

std::vector<terse::MethodInfo> engineMethods()
{
    const terse::EngineApi *engine = EngineHost::require();
    return engine ? engine->availableMethods() : std::vector<terse::MethodInfo>{};
}

terse::Result<void> validateEngineParams(const terse::MethodInfo &method,
                                         const std::map<std::string, std::string> &params,
                                         const std::string &what)
{
    if (const terse::EngineApi *engine = EngineHost::require())
        return engine->validateMethodParams(method, params, what);
    return terse::fail(terse::ErrorCode::Unsupported, EngineHost::loadError().toStdString());
}

} // namespace terse::app
