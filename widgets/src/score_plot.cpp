#include "terse_widgets/score_plot.h"

#include "plot_image.h"

#include <qcustomplot.h>

#include <QVBoxLayout>

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
    m_plot->replot();
}

void ScorePlot::setSeries(const QString &name, const QVector<double> &values, const QVector<bool> &kept,
                          double threshold)
{
    m_plot->clearGraphs();
    m_plot->clearItems();
    const QColor text = palette().color(QPalette::WindowText);
    for (QCPAxis *axis : {m_plot->xAxis, m_plot->yAxis}) {
        axis->setBasePen(QPen(text));
        axis->setTickPen(QPen(text));
        axis->setSubTickPen(QPen(text));
        axis->setTickLabelColor(text);
        axis->setLabelColor(text);
    }
    m_plot->setBackground(palette().color(QPalette::Base));
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
    line->setPen(QPen(QColor(120, 120, 120), 1));
    line->setData(x, values, true);
    QCPGraph *dots = m_plot->addGraph();
    dots->setName(tr("kept"));
    dots->setLineStyle(QCPGraph::lsNone);
    dots->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, QColor(230, 120, 20), 4));
    dots->setData(keptX, keptY, true);
    if (std::isfinite(threshold)) {
        auto *th = new QCPItemStraightLine(m_plot);
        th->point1->setCoords(0, threshold);
        th->point2->setCoords(1, threshold);
        th->setPen(QPen(QColor(200, 40, 40), 1.5, Qt::DashLine));
    }
    m_plot->rescaleAxes();
    m_plot->replot();
}

int ScorePlot::pointCount() const { return m_plot->graphCount() > 0 ? m_plot->graph(0)->dataCount() : 0; }

bool ScorePlot::save(const QString &path, int width, int height)
{
    const QString format = path.endsWith(QLatin1String(".svg"), Qt::CaseInsensitive) ? QStringLiteral("svg")
                                                                                      : QStringLiteral("png");
    return detail::writeAtomically(path, imageData(format, width, height));
}

QByteArray ScorePlot::imageData(const QString &format, int width, int height) const
{
    return detail::renderPlot(m_plot, format, width, height);
}

}  // namespace terse::widgets
