#pragma once
// EngineHost: the model engine for the desktop app. The app links only the torch-free engine core;
// the models, compressors and libtorch come from the engine module, opened at run time
// (terse::loadEngine, terse/engine_api.h), so the first window maps before libtorch loads (issue
// 16). The main window asks for the engine in the background once it is shown; until it has loaded,
// the controls that list methods say so and fill in when ready() comes.

#include "terse/engine_api.h"

#include <QObject>
#include <QString>

#include <map>
#include <string>
#include <vector>

class QThread;

namespace terse::app {

class EngineHost : public QObject {
    Q_OBJECT
public:
    // The one host (a child of the application object). GUI thread.
    static EngineHost *instance();

    // The engine when it has loaded, else nullptr. Never blocks; any thread.
    static const terse::EngineApi *api() { return terse::loadedEngine(); }
    // The engine, loading it first if needed (blocks while libtorch loads: for worker threads and
    // user actions, never for the first window); nullptr when it cannot load (loadError() says
    // why). Any thread.
    static const terse::EngineApi *require();
    // Why the engine cannot load, in English with the module's path and the loader's reason; ""
    // when it has loaded. Tries the load first when nothing has (blocking, like require()). Any
    // thread.
    static QString loadError();

    // Starts loading the engine on a background thread, once; ready() or failed() follows on the
    // GUI thread (also when it had loaded before).
    void loadInBackground();
    // True once ready() or failed() has been emitted.
    bool isSettled() const { return m_settled; }

signals:
    void ready();
    void failed(const QString &message);

private:
    explicit EngineHost(QObject *parent);
    ~EngineHost() override; // waits for a load still running
    void settle();

    QThread *m_thread = nullptr;
    bool m_settled = false;
};

// The engine's method registry, loading the engine if needed (blocking); empty when it cannot load.
std::vector<terse::MethodInfo> engineMethods();
// terse::validateMethodParams through the engine; an error when the engine cannot load.
terse::Result<void> validateEngineParams(const terse::MethodInfo &method,
                                         const std::map<std::string, std::string> &params,
                                         const std::string &what);

} // namespace terse::app
