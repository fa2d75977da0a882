#pragma once
// Shared fixtures of the app tests that drive the real MainWindow offscreen: an isolated home (the
// session database, settings and model caches live in a temporary folder, never the user's),
// waiting for the window to be ready, and the paths of the shared test models.

#include "main_window.h"
#include "session_manager.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QSettings>
#include <QTemporaryDir>

namespace terse::test {

// Points XDG_DATA_HOME, XDG_CONFIG_HOME and HF_HUB_CACHE into `home` and names the application
// `appName` (so QSettings are per test executable), clearing any settings left from an earlier run.
inline void isolateHome(const QTemporaryDir &home, const QString &appName)
{
    qputenv("XDG_DATA_HOME", home.filePath(QStringLiteral("data")).toUtf8());
    qputenv("XDG_CONFIG_HOME", home.filePath(QStringLiteral("config")).toUtf8());
    qputenv("HF_HUB_CACHE", home.filePath(QStringLiteral("hf")).toUtf8());
    QCoreApplication::setOrganizationName(QStringLiteral("TerseTest"));
    QCoreApplication::setApplicationName(appName);
    QSettings().clear();
}

// Waits until the window's session database is open and its working state applied.
inline void waitReady(terse::app::MainWindow &w)
{
    w.sessions()->waitForOpen();
    QCoreApplication::processEvents();
}

// A model of the shared parity data (e.g. "tiny-gpt2-pos2048"), or "" when ../shared is absent.
inline QString sharedModel(const char *name)
{
    const QString path =
        QDir(QStringLiteral(TERSE_SHARED_DIR))
            .filePath(QStringLiteral("parity/models/") + QString::fromLatin1(name));
    return QFileInfo(path).isDir() ? path : QString();
}

} // namespace terse::test
