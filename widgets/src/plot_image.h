#pragma once
// Renders a QCustomPlot into PNG or SVG bytes (internal to terse_widgets), so that callers can
// write the file atomically and an existing file is never left half-written.

#include <QByteArray>
#include <QString>

class QCustomPlot;

namespace terse::widgets::detail {

// `format` is "png" or "svg" (case-insensitive); empty bytes for another format or on failure.
QByteArray renderPlot(QCustomPlot *plot, const QString &format, int width, int height);

// Writes `bytes` to `path` atomically (QSaveFile); false when bytes are empty or the write fails.
bool writeAtomically(const QString &path, const QByteArray &bytes);

} // namespace terse::widgets::detail
