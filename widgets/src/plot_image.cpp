#include "plot_image.h"

#include <qcustomplot.h>

#include <QBuffer>
#include <QSaveFile>
#include <QSvgGenerator>

namespace terse::widgets::detail {

QByteArray renderPlot(QCustomPlot *plot, const QString &format, int width, int height)
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    if (format.compare(QLatin1String("svg"), Qt::CaseInsensitive) == 0) {
        QSvgGenerator gen;
        gen.setOutputDevice(&buffer);
        gen.setSize(QSize(width, height));
        gen.setViewBox(QRect(0, 0, width, height));
        gen.setTitle(plot->objectName());
        QCPPainter painter;
        if (!painter.begin(&gen))
            return {};
        // QCustomPlot's own SVG path: no cosmetic-pen scaling, vector output.
        painter.setMode(QCPPainter::pmVectorized);
        painter.setMode(QCPPainter::pmNoCaching);
        plot->toPainter(&painter, width, height);
        if (!painter.end())
            return {};
        return bytes;
    }
    if (format.compare(QLatin1String("png"), Qt::CaseInsensitive) == 0) {
        const QPixmap pixmap = plot->toPixmap(width, height);
        if (pixmap.isNull() || !pixmap.save(&buffer, "PNG"))
            return {};
        return bytes;
    }
    return {};
}

bool writeAtomically(const QString &path, const QByteArray &bytes)
{
    if (bytes.isEmpty())
        return false;
    QSaveFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(bytes) == bytes.size() && f.commit();
}

} // namespace terse::widgets::detail
