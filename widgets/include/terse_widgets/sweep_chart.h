#pragma once
// SweepChart: a rate sweep as one curve per method: achieved rate on x, a fidelity metric on y,
// with a legend and axis labels. Hides QCustomPlot behind a plain-data API. GUI thread only.

#include <QByteArray>
#include <QString>
#include <QVector>
#include <QWidget>

class QCustomPlot;

namespace terse::widgets {

// One method's points; x and y have the same length (points need not be sorted).
struct SweepCurve {
    QString name;
    QVector<double> x;
    QVector<double> y;
};

class SweepChart : public QWidget {
    Q_OBJECT
public:
    explicit SweepChart(QWidget *parent = nullptr);

    // Replaces the curves and the axis labels; the axes cover [0, 1] (and more when a point lies
    // outside).
    void setCurves(const QVector<SweepCurve> &curves, const QString &xLabel, const QString &yLabel);
    void clear();

    // What is plotted (for tests): curves, the points of curve `i`, its legend name, the axis
    // labels.
    int graphCount() const;
    int pointCount(int graph) const;
    QString graphName(int graph) const;
    // The x value of point `i` of curve `graph` (NaN when out of range).
    double pointX(int graph, int i) const;
    QString xLabel() const;
    QString yLabel() const;
    // True when the legend and the plotted area overlap (for tests: it never should).
    bool legendCoversPlot() const;

    // Saves the chart as PNG or SVG (by suffix) atomically; false on failure (an existing file is
    // kept).
    bool save(const QString &path, int width = 1000, int height = 600);
    // The chart rendered as "png" or "svg" bytes; empty for another format or on failure.
    QByteArray imageData(const QString &format, int width = 1000, int height = 600) const;

    // The colour of curve `index` (a fixed palette distinguishable for colour-blind readers).
    static QColor curveColor(int index);

protected:
    void changeEvent(QEvent *event) override;

private:
    void applyPalette();

    QCustomPlot *m_plot = nullptr;
};

} // namespace terse::widgets
