#include "terse_widgets/score_histogram.h"

#include "plot_style.h"

#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace terse::widgets {

ScoreHistogram::ScoreHistogram(QWidget *parent) : QWidget(parent), m_plot(new QCustomPlot(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_plot);
    m_plot->setMinimumHeight(120);
    m_plot->yAxis->setLabel(tr("tokens"));
}

void ScoreHistogram::clear()
{
    m_plot->clearPlottables();
    m_plot->clearItems();
    m_counts.clear();
    m_hasThreshold = false;
    m_plot->replot();
}

void ScoreHistogram::setValues(const QString &name, const QVector<double> &values,
                               const QVector<bool> &kept, double threshold, int bins)
{
    m_plot->clearPlottables();
    m_plot->clearItems();
    applyPlotPalette(m_plot, palette());
    m_plot->xAxis->setLabel(name);
    bins = std::max(1, bins);
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (double v : values)
        if (std::isfinite(v)) {
            lo = std::min(lo, v);
            hi = std::max(hi, v);
        }
    m_counts = QVector<int>(bins, 0);
    m_hasThreshold = false;
    if (!std::isfinite(lo)) {
        m_plot->replot();
        return;
    }
    if (std::isfinite(threshold)) {
        lo = std::min(lo, threshold);
        hi = std::max(hi, threshold);
    }
    if (hi <= lo)
        hi = lo + 1;
    const double width = (hi - lo) / bins;
    QVector<double> keys(bins), keptCount(bins, 0), droppedCount(bins, 0);
    for (int b = 0; b < bins; ++b)
        keys[b] = lo + (b + 0.5) * width;
    for (int i = 0; i < values.size(); ++i) {
        if (!std::isfinite(values[i]))
            continue;
        const int b = std::clamp(static_cast<int>((values[i] - lo) / width), 0, bins - 1);
        ++m_counts[b];
        if (i < kept.size() && kept[i])
            keptCount[b] += 1;
        else
            droppedCount[b] += 1;
    }
    auto *dropped = new QCPBars(m_plot->xAxis, m_plot->yAxis);
    dropped->setName(tr("dropped"));
    dropped->setWidth(width * 0.9);
    dropped->setPen(Qt::NoPen);
    dropped->setBrush(QColor(150, 150, 150));
    dropped->setData(keys, droppedCount, true);
    auto *keptBars = new QCPBars(m_plot->xAxis, m_plot->yAxis);
    keptBars->setName(tr("kept"));
    keptBars->setWidth(width * 0.9);
    keptBars->setPen(Qt::NoPen);
    keptBars->setBrush(QColor(230, 120, 20));
    keptBars->setData(keys, keptCount, true);
    keptBars->moveAbove(dropped);
    if (std::isfinite(threshold)) {
        auto *th = new QCPItemStraightLine(m_plot);
        th->point1->setCoords(threshold, 0);
        th->point2->setCoords(threshold, 1);
        th->setPen(QPen(QColor(200, 40, 40), 1.5, Qt::DashLine));
        m_hasThreshold = true;
    }
    m_plot->legend->setVisible(true);
    m_plot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
    m_plot->rescaleAxes();
    m_plot->xAxis->setRange(lo - width, hi + width);
    m_plot->yAxis->setRangeLower(0);
    m_plot->yAxis->setRangeUpper(m_plot->yAxis->range().upper * 1.1 + 1);
    m_plot->replot();
}

bool ScoreHistogram::save(const QString &path, int width, int height)
{
    return m_plot->savePng(path, width, height);
}

void ScoreHistogram::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange) {
        applyPlotPalette(m_plot, palette());
        m_plot->replot();
    }
}

} // namespace terse::widgets
