#include "export_dialog.h"

#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QMessageBox>
#include <QSettings>
#include <QStandardPaths>

namespace terse::app {

namespace {
const QString kLastDirectoryKey = QStringLiteral("export/lastDirectory");
}

QString ExportDialog::lastDirectory()
{
    const QString dir = QSettings().value(kLastDirectoryKey).toString();
    if (!dir.isEmpty() && QFileInfo(dir).isDir())
        return dir;
    const QString docs = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    return QFileInfo(docs).isDir() ? docs : QDir::homePath();
}

void ExportDialog::setLastDirectory(const QString &directory)
{
    QSettings().setValue(kLastDirectoryKey, directory);
}

QString ExportDialog::getSavePath(QWidget *parent, const QString &title, const QString &baseName,
                                  const QList<Exporter::Format> &formats)
{
    QStringList filters;
    for (auto f : formats)
        filters << Exporter::filterFor(f);
    QString start =
        QDir(lastDirectory())
            .filePath(baseName + QLatin1Char('.') + Exporter::suffixFor(formats.value(0)));
    for (;;) {
        QString selected = filters.value(0);
        QString path = QFileDialog::getSaveFileName(parent, title, start,
                                                    filters.join(QStringLiteral(";;")), &selected);
        if (path.isEmpty())
            return {};
        Exporter::Format format;
        if (!Exporter::formatForPath(path, &format) || !formats.contains(format)) {
            const int i = std::max<qsizetype>(0, filters.indexOf(selected));
            path += QLatin1Char('.') + Exporter::suffixFor(formats.value(i));
        }
        const QFileInfo info(path);
        const QFileInfo dir(info.absolutePath());
        if (!dir.isDir() || !dir.isWritable()) {
            QMessageBox::warning(
                parent, title,
                tr("Terse cannot write into the folder “%1” (it is read-only or does not exist). "
                   "Choose another folder.")
                    .arg(QDir::toNativeSeparators(dir.absoluteFilePath())));
            start = QDir(lastDirectory()).filePath(info.fileName());
            continue;
        }
        if (info.exists() && !info.isWritable()) {
            QMessageBox::warning(
                parent, title,
                tr("“%1” is read-only. Choose another name.").arg(QDir::toNativeSeparators(path)));
            start = path;
            continue;
        }
        setLastDirectory(dir.absoluteFilePath());
        return path;
    }
}

bool ExportDialog::save(QWidget *parent, const QString &path, const QByteArray &bytes)
{
    QString error;
    if (Exporter::writeFile(path, bytes, &error))
        return true;
    QMessageBox::critical(parent, tr("Export failed"),
                          error + QLatin1Char('\n') +
                              tr("Nothing was lost: the result is still open; try another place."));
    return false;
}

} // namespace terse::app
