// Linked into the app tests: the engine module loads when the application object is made, so every
// window a test makes starts with its method lists (as the app's window does once the engine has
// loaded; issue 16). A test of the loading state sets TERSE_TEST_LAZY_ENGINE before its application
// object (test_engine_loading.cpp).
#include "engine_host.h"

#include <QCoreApplication>

#include <cstdio>

namespace {
void preloadEngine()
{
    if (qEnvironmentVariableIsSet("TERSE_TEST_LAZY_ENGINE"))
        return;
    if (!terse::app::EngineHost::require())
        std::fprintf(stderr, "the engine module did not load: %s\n",
                     qPrintable(terse::app::EngineHost::loadError()));
}
} // namespace

Q_COREAPP_STARTUP_FUNCTION(preloadEngine)
