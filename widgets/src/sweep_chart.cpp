#include "terse_widgets/sweep_chart.h"

#include "plot_image.h"
#include "plot_style.h"

#include <qcustomplot.h>

#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace terse::widgets {

QColor SweepChart::curveColor(int index)
{
    // Okabe-Ito palette: distinguishable with the common colour-vision deficiencies.
    static const QColor kColors[] = {
        QColor(0, 114, 178),  QColor(230, 159, 0), QColor(0, 158, 115),  QColor(204, 121, 167),
        QColor(86, 180, 233), QColor(213, 94, 0),  QColor(240, 228, 66), QColor(0, 0, 0)};
    constexpr int n = static_cast<int>(sizeof(kColors) / sizeof(kColors[0]));
    return kColors[((index % n) + n) % n];
}

SweepChart::SweepChart(QWidget *parent) : QWidget(parent), m_plot(new QCustomPlot(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_plot);
    m_plot->setObjectName(QStringLiteral("sweepPlot"));
    m_plot->setMinimumHeight(200);
    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    placeLegendAbove(m_plot, 3);
    m_plot->legend->setVisible(true);
    m_plot->xAxis->setRange(0, 1);
    m_plot->yAxis->setRange(0, 1);
    applyPalette();
}

void SweepChart::applyPalette()
{
    applyPlotPalette(m_plot, palette()); // the same axis/grid/legend colours as every other plot
    m_plot->replot();
}

void SweepChart::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        applyPalette();
}

void SweepChart::clear()
{
    m_plot->clearGraphs();
    m_plot->replot();
}

void SweepChart::setCurves(const QVector<SweepCurve> &curves, const QString &xLabel,
                           const QString &yLabel)
{
    m_plot->clearGraphs();
    m_plot->xAxis->setLabel(xLabel);
    m_plot->yAxis->setLabel(yLabel);
    double xMax = 1, yMax = 1, xMin = 0, yMin = 0;
    for (int i = 0; i < curves.size(); ++i) {
        const SweepCurve &c = curves[i];
        QCPGraph *g = m_plot->addGraph();
        g->setName(c.name);
        const QColor color = curveColor(i);
        g->setPen(QPen(color, 2));
        g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, color, color, 7));
        const int n = static_cast<int>(std::min(c.x.size(), c.y.size()));
        g->setData(c.x.mid(0, n), c.y.mid(0, n)); // sorts by x
        for (int k = 0; k < n; ++k) {
            if (std::isfinite(c.x[k])) {
                xMax = std::max(xMax, c.x[k]);
                xMin = std::min(xMin, c.x[k]);
            }
            if (std::isfinite(c.y[k])) {
                yMax = std::max(yMax, c.y[k]);
                yMin = std::min(yMin, c.y[k]);
            }
        }
    }
    // Fidelity and rate live in [0, 1]: fixed axes make charts of different sweeps comparable.
    m_plot->xAxis->setRange(xMin, xMax * 1.02);
    m_plot->yAxis->setRange(yMin, yMax * 1.02);
    m_plot->legend->setVisible(!curves.isEmpty());
    m_plot->replot();
}

int SweepChart::graphCount() const
{
    return m_plot->graphCount();
}

int SweepChart::pointCount(int graph) const
{
    return graph >= 0 && graph < m_plot->graphCount() ? m_plot->graph(graph)->dataCount() : 0;
}

double SweepChart::pointX(int graph, int i) const
{
    if (graph < 0 || graph >= m_plot->graphCount() || i < 0 ||
        i >= m_plot->graph(graph)->dataCount())
        return std::nan("");
    return (m_plot->graph(graph)->data()->constBegin() + i)->key;
}

QString SweepChart::graphName(int graph) const
{
    return graph >= 0 && graph < m_plot->graphCount() ? m_plot->graph(graph)->name() : QString();
}

QString SweepChart::xLabel() const
{
    return m_plot->xAxis->label();
}
QString SweepChart::yLabel() const
{
    return m_plot->yAxis->label();
}

bool SweepChart::save(const QString &path, int width, int height)
{
    const QString format = path.endsWith(QLatin1String(".svg"), Qt::CaseInsensitive)
                               ? QStringLiteral("svg")
                               : QStringLiteral("png");
    return detail::writeAtomically(path, imageData(format, width, height));
}

QByteArray SweepChart::imageData(const QString &format, int width, int height) const
{
    return detail::renderPlot(m_plot, format, width, height);
}

bool SweepChart::legendCoversPlot() const
{
    m_plot->replot(QCustomPlot::rpImmediateRefresh); // lays out the legend and the axis rect at the
                                                     // current size
    return m_plot->legend->visible() &&
           m_plot->legend->outerRect().intersects(m_plot->axisRect()->rect());
}

} // namespace terse::widgets
