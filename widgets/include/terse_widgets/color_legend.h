#pragma once
// ColorLegend: a horizontal colour bar explaining the heatmap: the series name, the ramp of
// heatColor() and the score values at its two ends. GUI thread only.

#include <QWidget>

namespace terse::widgets {

class ColorLegend : public QWidget {
    Q_OBJECT
public:
    explicit ColorLegend(QWidget *parent = nullptr);

    // Shows the ramp for series `name` from `low` to `high`; an empty name hides the bar ("decision
    // only").
    void setRange(const QString &name, double low, double high);
    QString seriesName() const { return m_name; }
    double low() const { return m_low; }
    double high() const { return m_high; }

    QSize sizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    QString m_name;
    double m_low = 0, m_high = 1;
};

} // namespace terse::widgets
