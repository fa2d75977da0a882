#pragma once
// ScoreHistogram: the distribution of one score series as bars (kept and dropped tokens stacked in
// two colours) with the decision threshold as a vertical line. Hides QCustomPlot. GUI thread only.

#include <QVector>
#include <QWidget>

class QCustomPlot;

namespace terse::widgets {

class ScoreHistogram : public QWidget {
    Q_OBJECT
public:
    explicit ScoreHistogram(QWidget *parent = nullptr);

    // Bins the finite `values` into `bins` equal-width bins; kept[i] splits each bar into
    // kept/dropped; threshold NaN hides the line.
    void setValues(const QString &name, const QVector<double> &values, const QVector<bool> &kept,
                   double threshold, int bins = 40);
    void clear();

    // Counts per bin of the last setValues (kept + dropped), for tests.
    QVector<int> binCounts() const { return m_counts; }
    bool hasThreshold() const { return m_hasThreshold; }
    bool save(const QString &path, int width = 800, int height = 400);

protected:
    // Follows palette changes (light/dark theme).
    void changeEvent(QEvent *event) override;

private:
    QCustomPlot *m_plot = nullptr;
    QVector<int> m_counts;
    bool m_hasThreshold = false;
};

} // namespace terse::widgets
