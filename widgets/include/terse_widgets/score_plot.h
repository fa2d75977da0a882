#pragma once
// ScorePlot: one per-token score series as a line over token positions, kept tokens marked, with the
// decision threshold as a horizontal line. Hides QCustomPlot behind a plain-data API. GUI thread only.

#include <QByteArray>
#include <QVector>
#include <QWidget>

class QCustomPlot;

namespace terse::widgets {

class ScorePlot : public QWidget {
    Q_OBJECT
public:
    explicit ScorePlot(QWidget *parent = nullptr);

    // Shows `values` (NaN gaps allowed) named `name`; kept[i] marks kept tokens; threshold NaN hides the line.
    void setSeries(const QString &name, const QVector<double> &values, const QVector<bool> &kept,
                   double threshold);
    void clear();

    // Number of points currently plotted (for tests).
    int pointCount() const;
    // Saves the plot as PNG or SVG (by suffix) atomically; false on failure (an existing file is kept).
    bool save(const QString &path, int width = 1200, int height = 400);
    // The plot rendered as "png" or "svg" bytes; empty for another format or on failure.
    QByteArray imageData(const QString &format, int width = 1200, int height = 400) const;

signals:
    void tokenClicked(int tokenIndex);

private:
    QCustomPlot *m_plot = nullptr;
};

}  // namespace terse::widgets
