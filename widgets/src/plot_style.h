#pragma once
// Shared look of the QCustomPlot views: axes and background follow the widget palette (light/dark).

#include <qcustomplot.h>

namespace terse::widgets {

inline void applyPlotPalette(QCustomPlot *plot, const QPalette &palette)
{
    const QColor text = palette.color(QPalette::WindowText);
    for (QCPAxis *axis : {plot->xAxis, plot->yAxis}) {
        axis->setBasePen(QPen(text));
        axis->setTickPen(QPen(text));
        axis->setSubTickPen(QPen(text));
        axis->setTickLabelColor(text);
        axis->setLabelColor(text);
        QColor grid = text;
        grid.setAlpha(40);
        axis->grid()->setPen(QPen(grid, 0, Qt::DotLine));
    }
    plot->setBackground(palette.color(QPalette::Base));
    plot->legend->setBrush(palette.color(QPalette::Base));
    plot->legend->setTextColor(text);
    plot->legend->setBorderPen(QPen(palette.color(QPalette::Mid)));
}

// Puts the legend in a row of its own above the plot, `perRow` entries per line (0: one line): a
// legend there never covers data, as one inside the axis rect does (issue 20).
inline void placeLegendAbove(QCustomPlot *plot, int perRow = 0)
{
    plot->plotLayout()->insertRow(0);
    plot->plotLayout()->addElement(0, 0, plot->legend);
    plot->plotLayout()->setRowStretchFactor(0, 0.001);
    plot->legend->setFillOrder(QCPLegend::foColumnsFirst);
    if (perRow > 0)
        plot->legend->setWrap(perRow);
    plot->legend->setMargins(QMargins(2, 0, 2, 0));
}

} // namespace terse::widgets
