#pragma once
// File dialogs for exports: start in the folder of the last export, add the format's suffix, refuse
// folders that cannot be written with a clear message, and report write failures (the data stays in
// the app and an existing file is never half-overwritten). GUI thread only.

#include "exporter.h"

#include <QCoreApplication>
#include <QList>
#include <QString>

class QWidget;

namespace terse::app {

class ExportDialog {
    Q_DECLARE_TR_FUNCTIONS(terse::app::ExportDialog)
public:
    // Asks where to save; `formats` lists the offered formats (the first is preselected). Returns
    // the path with a suffix matching a format, or "" when the user cancelled.
    static QString getSavePath(QWidget *parent, const QString &title, const QString &baseName,
                               const QList<Exporter::Format> &formats);

    // Writes `bytes` atomically; on failure shows a message box naming the file and the reason.
    static bool save(QWidget *parent, const QString &path, const QByteArray &bytes);

    // The folder the next export dialog starts in (remembered in QSettings; home when unset or
    // gone).
    static QString lastDirectory();
    static void setLastDirectory(const QString &directory);
};

} // namespace terse::app
