#pragma once
// ScorePlot: one per-token score series as a line over token positions, kept tokens marked, with
// the decision threshold as a horizontal line. Hides QCustomPlot behind a plain-data API. GUI
// thread only.

#include <QByteArray>
#include <QStringList>
#include <QVector>
#include <QWidget>

class QCustomPlot;

namespace terse::widgets {

class ScorePlot : public QWidget {
    Q_OBJECT
public:
    explicit ScorePlot(QWidget *parent = nullptr);

    // Shows `values` (NaN gaps allowed) named `name`; kept[i] marks tokens with a dot (named
    // `marksName` in the legend, "kept" when empty); threshold NaN hides the line.
    void setSeries(const QString &name, const QVector<double> &values, const QVector<bool> &kept,
                   double threshold, const QString &marksName = {});
    // Replaces the value axis label (the series name by default).
    void setAxisLabel(const QString &label);
    // Names the position axis after the unit the method decided on ("word", "phrase"; "token" by
    // default).
    void setPositionLabel(const QString &label);
    QString positionLabel() const;
    // The legend entries shown (line, marks, threshold, overlays), for tests.
    QStringList legendNames() const;
    // How many points lie above the value axis because one outlier would squash the rest (0: none).
    int clippedCount() const { return m_clipped; }
    void clear();
    // Adds a second line over the same token positions (e.g. entropy after a stage), with a legend
    // entry.
    void addOverlay(const QString &name, const QVector<double> &values, const QColor &color);
    // Draws vertical lines where ranges of tokens start (e.g. LLMLingua windows), labelled at the
    // top.
    void setBoundaries(const QVector<int> &starts, const QStringList &labels);
    int boundaryCount() const { return m_boundaries; }
    int overlayCount() const { return m_overlays; }

    // Number of points currently plotted (for tests).
    int pointCount() const;
    // Saves the plot as PNG or SVG (by suffix) atomically; false on failure (an existing file is
    // kept).
    bool save(const QString &path, int width = 1200, int height = 400);
    // The plot rendered as "png" or "svg" bytes; empty for another format or on failure.
    QByteArray imageData(const QString &format, int width = 1200, int height = 400) const;

signals:
    void tokenClicked(int tokenIndex);

protected:
    // Follows palette changes (light/dark theme).
    void changeEvent(QEvent *event) override;

private:
    QCustomPlot *m_plot = nullptr;
    int m_boundaries = 0;
    int m_overlays = 0;
    int m_clipped = 0;
};

} // namespace terse::widgets
