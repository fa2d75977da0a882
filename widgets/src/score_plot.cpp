#include "terse_widgets/score_plot.h"

#include "plot_image.h"
#include "plot_style.h"

#include <qcustomplot.h>

#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace terse::widgets {

ScorePlot::ScorePlot(QWidget *parent) : QWidget(parent), m_plot(new QCustomPlot(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_plot);
    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    m_plot->axisRect()->setRangeZoom(Qt::Horizontal);
    m_plot->axisRect()->setRangeDrag(Qt::Horizontal);
    m_plot->xAxis->setLabel(tr("token"));
    m_plot->setMinimumHeight(120);
    placeLegendAbove(m_plot);
    m_plot->legend->setVisible(false);
    connect(m_plot, &QCustomPlot::mousePress, this, [this](QMouseEvent *e) {
        const double x = m_plot->xAxis->pixelToCoord(e->position().x());
        if (m_plot->graphCount() > 0 && x >= 0 && x < pointCount())
            emit tokenClicked(static_cast<int>(std::lround(x)));
    });
}

void ScorePlot::clear()
{
    m_plot->clearGraphs();
    m_plot->clearItems();
    m_boundaries = 0;
    m_overlays = 0;
    m_clipped = 0;
    m_plot->legend->setVisible(false);
    m_plot->replot();
}

void ScorePlot::addOverlay(const QString &name, const QVector<double> &values, const QColor &color)
{
    QVector<double> x(values.size());
    for (int i = 0; i < values.size(); ++i)
        x[i] = i;
    QCPGraph *g = m_plot->addGraph();
    g->setName(name);
    g->setPen(QPen(color, 1.2));
    g->setData(x, values, true);
    ++m_overlays;
    m_plot->legend->setVisible(true);
    g->rescaleValueAxis(true, true);
    m_plot->replot();
}

void ScorePlot::setBoundaries(const QVector<int> &starts, const QStringList &labels)
{
    const QColor c = palette().color(QPalette::Highlight);
    const QFontMetrics fm(font());
    double lastLabelEnd = -1e9; // pixel x where the previous drawn label ends: labels never overlap
    for (int i = 0; i < starts.size(); ++i) {
        auto *line = new QCPItemStraightLine(m_plot);
        line->point1->setCoords(starts[i] - 0.5, 0);
        line->point2->setCoords(starts[i] - 0.5, 1);
        line->setPen(QPen(c, 1, Qt::DotLine));
        const double px = m_plot->xAxis->coordToPixel(starts[i]);
        if (i < labels.size() && px >= lastLabelEnd + 4) {
            lastLabelEnd = px + fm.horizontalAdvance(labels[i]);
            auto *text = new QCPItemText(m_plot);
            text->position->setTypeX(QCPItemPosition::ptPlotCoords);
            text->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
            text->position->setCoords(starts[i], 0.02);
            text->setPositionAlignment(Qt::AlignLeft | Qt::AlignTop);
            text->setText(labels[i]);
            text->setColor(c);
        }
    }
    m_boundaries = starts.size();
    m_plot->replot();
}

void ScorePlot::setPositionLabel(const QString &label)
{
    m_plot->xAxis->setLabel(label);
    m_plot->replot();
}

QString ScorePlot::positionLabel() const
{
    return m_plot->xAxis->label();
}

QStringList ScorePlot::legendNames() const
{
    QStringList names;
    if (!m_plot->legend->visible())
        return names;
    for (int i = 0; i < m_plot->legend->itemCount(); ++i)
        if (auto *item = qobject_cast<QCPPlottableLegendItem *>(m_plot->legend->item(i)))
            names << item->plottable()->name();
    return names;
}

void ScorePlot::setAxisLabel(const QString &label)
{
    m_plot->yAxis->setLabel(label);
    m_plot->replot();
}

void ScorePlot::setSeries(const QString &name, const QVector<double> &values,
                          const QVector<bool> &kept, double threshold, const QString &marksName)
{
    m_plot->clearGraphs();
    m_plot->clearItems();
    m_boundaries = 0;
    m_overlays = 0;
    m_plot->legend->setVisible(false);
    applyPlotPalette(m_plot, palette());
    m_plot->yAxis->setLabel(name);

    QVector<double> x(values.size()), keptX, keptY;
    for (int i = 0; i < values.size(); ++i) {
        x[i] = i;
        if (i < kept.size() && kept[i] && std::isfinite(values[i])) {
            keptX.push_back(i);
            keptY.push_back(values[i]);
        }
    }
    QCPGraph *line = m_plot->addGraph();
    line->setName(name);
    line->setPen(QPen(QColor(110, 130, 200), 1));
    line->setData(x, values, true);
    QCPGraph *dots = m_plot->addGraph();
    dots->setName(marksName.isEmpty() ? tr("kept") : marksName);
    dots->setLineStyle(QCPGraph::lsNone);
    dots->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, QColor(230, 120, 20), 4));
    dots->setData(keptX, keptY, true);
    const QPen thresholdPen(QColor(200, 40, 40), 1.5, Qt::DashLine);
    if (std::isfinite(threshold)) {
        auto *th = new QCPItemStraightLine(m_plot);
        th->point1->setCoords(0, threshold);
        th->point2->setCoords(1, threshold);
        th->setPen(thresholdPen);
        // A data-less graph gives the threshold its legend entry.
        QCPGraph *entry = m_plot->addGraph();
        entry->setName(tr("threshold"));
        entry->setPen(thresholdPen);
    }
    m_plot->legend->setVisible(true);
    m_plot->rescaleAxes();
    // One outlier must not squash the rest: above 4x the 99th percentile's distance from the
    // bottom, the axis stops at the percentile (plus a margin) and a note counts the points above
    // it.
    m_clipped = 0;
    QVector<double> finite;
    for (double v : values)
        if (std::isfinite(v))
            finite.push_back(v);
    if (finite.size() >= 20) {
        std::sort(finite.begin(), finite.end());
        const double lo = finite.front(), hi = finite.back();
        const double p99 =
            finite[static_cast<qsizetype>(0.99 * static_cast<double>(finite.size() - 1))];
        const double top = std::max(p99, std::isfinite(threshold) ? threshold : p99);
        if (top > lo && hi - lo > 4.0 * (top - lo)) {
            m_plot->yAxis->setRange(lo - 0.05 * (top - lo), top + 0.15 * (top - lo));
            for (double v : finite)
                m_clipped += v > m_plot->yAxis->range().upper ? 1 : 0;
            auto *note = new QCPItemText(m_plot);
            note->position->setType(QCPItemPosition::ptAxisRectRatio);
            note->position->setCoords(0.01, 0.02);
            note->setPositionAlignment(Qt::AlignLeft | Qt::AlignTop);
            note->setText(
                tr("%n value(s) above the axis (up to %1)", nullptr, m_clipped).arg(hi, 0, 'g', 4));
            note->setColor(palette().color(QPalette::PlaceholderText));
        }
    }
    // Every token position, also where the series is undefined (NaN) at the start or end.
    m_plot->xAxis->setRange(-0.5, std::max<double>(1.0, values.size() - 0.5));
    m_plot->replot();
}

void ScorePlot::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange) {
        applyPlotPalette(m_plot, palette());
        m_plot->replot();
    }
}

int ScorePlot::pointCount() const
{
    return m_plot->graphCount() > 0 ? m_plot->graph(0)->dataCount() : 0;
}

bool ScorePlot::save(const QString &path, int width, int height)
{
    const QString format = path.endsWith(QLatin1String(".svg"), Qt::CaseInsensitive)
                               ? QStringLiteral("svg")
                               : QStringLiteral("png");
    return detail::writeAtomically(path, imageData(format, width, height));
}

QByteArray ScorePlot::imageData(const QString &format, int width, int height) const
{
    return detail::renderPlot(m_plot, format, width, height);
}

} // namespace terse::widgets
