#include "terse_widgets/attention_plot.h"

#include "plot_style.h"

#include <QVBoxLayout>

#include <algorithm>

namespace terse::widgets {

namespace {
constexpr int kMaxTickLabels = 60; // beyond this the token labels overlap: show positions instead
}

AttentionPlot::AttentionPlot(QWidget *parent) : QWidget(parent), m_plot(new QCustomPlot(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_plot);
    m_plot->setMinimumHeight(120);
    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    m_plot->axisRect()->setRangeZoom(Qt::Horizontal);
    m_plot->axisRect()->setRangeDrag(Qt::Horizontal);
    m_plot->yAxis->setLabel(tr("attention"));
}

void AttentionPlot::clear()
{
    m_plot->clearPlottables();
    m_plot->clearItems();
    m_values.clear();
    m_query = -1;
    m_plot->replot();
}

void AttentionPlot::setRow(const QStringList &tokens, const QVector<double> &weights, int query,
                           const QString &title)
{
    m_plot->clearPlottables();
    m_plot->clearItems();
    applyPlotPalette(m_plot, palette());
    m_values = weights;
    m_query = query;
    QVector<double> x(weights.size());
    for (int i = 0; i < weights.size(); ++i)
        x[i] = i;
    auto *bars = new QCPBars(m_plot->xAxis, m_plot->yAxis);
    bars->setWidth(0.85);
    bars->setPen(Qt::NoPen);
    bars->setBrush(QColor(60, 120, 210));
    bars->setData(x, weights, true);
    if (query >= 0 && query < weights.size()) {
        auto *q = new QCPItemStraightLine(m_plot);
        q->point1->setCoords(query, 0);
        q->point2->setCoords(query, 1);
        q->setPen(QPen(QColor(230, 120, 20), 1.5, Qt::DashLine));
    }
    // Causal models attend only to tokens up to the query: show that part.
    const int shown =
        query >= 0 && query < weights.size() ? query + 1 : static_cast<int>(weights.size());
    if (tokens.size() == weights.size() && shown <= kMaxTickLabels) {
        QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
        for (int i = 0; i < tokens.size(); ++i)
            ticker->addTick(i, tokens[i].trimmed().left(12));
        m_plot->xAxis->setTicker(ticker);
        m_plot->xAxis->setTickLabelRotation(60);
    } else {
        m_plot->xAxis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
        m_plot->xAxis->setTickLabelRotation(0);
    }
    m_plot->xAxis->setLabel(title);
    m_plot->xAxis->setRange(-1, std::max(1, shown));
    double hi = 0;
    for (double w : weights)
        hi = std::max(hi, w);
    m_plot->yAxis->setRange(0, hi > 0 ? hi * 1.1 : 1);
    m_plot->replot();
}

bool AttentionPlot::save(const QString &path, int width, int height)
{
    return m_plot->savePng(path, width, height);
}

void AttentionPlot::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange) {
        applyPlotPalette(m_plot, palette());
        m_plot->replot();
    }
}

} // namespace terse::widgets
