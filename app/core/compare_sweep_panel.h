#pragma once
// CompareSweepPanel: the Compare window's Rate Sweep tab: the rates to sweep, the fidelity metric,
// the x axis (achieved rate or money saved), Run Sweep / Export Chart and the chart of one curve
// per settings row. The window runs the sweep and adds the points as they are measured. GUI thread
// only.

#include "comparison.h"

#include <QVector>
#include <QWidget>

#include <vector>

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;

namespace terse::widgets {
class SweepChart;
} // namespace terse::widgets

namespace terse::app {

class CompareSweepPanel : public QWidget {
    Q_OBJECT
public:
    // The x axis: the achieved rate, or the money saved per 1,000 calls on the Cost panel's target.
    enum class Axis { Rate, Saving };
    struct Point {
        double requested = 0;
        double achieved = 0;
        RunMetrics metrics;
    };
    struct Series {
        QString label;
        std::vector<Point> points;
    };

    explicit CompareSweepPanel(QWidget *parent = nullptr);

    // Parses "0.1, 0.2, 0.5" or "0.1:0.9:0.1" (start:stop:step); false on anything outside (0, 1].
    static bool parseRates(const QString &text, QVector<double> *rates);

    // Replaces the curves (one per settings row, no points yet) / adds a measured point to curve
    // `series`.
    void setSeries(std::vector<Series> series);
    void addPoint(int series, const Point &point);

    void setMetric(FidelityMetric metric);
    FidelityMetric metric() const;
    void setAxis(Axis axis);
    // Sets the texts in the current language.
    void retranslate();

    terse::widgets::SweepChart *chart() const { return m_chart; }
    QLineEdit *ratesEdit() const { return m_rates; }
    QComboBox *metricCombo() const { return m_metricCombo; }
    QComboBox *axisCombo() const { return m_axisCombo; }
    QPushButton *sweepButton() const { return m_sweep; }
    QPushButton *exportChartButton() const { return m_exportChart; }

private:
    void updateChart();

    std::vector<Series> m_series;
    QLabel *m_ratesLabel = nullptr;
    QLineEdit *m_rates = nullptr;
    QLabel *m_metricLabel = nullptr;
    QComboBox *m_metricCombo = nullptr;
    QComboBox *m_axisCombo = nullptr;
    QPushButton *m_sweep = nullptr;
    QPushButton *m_exportChart = nullptr;
    terse::widgets::SweepChart *m_chart = nullptr;
};

} // namespace terse::app
