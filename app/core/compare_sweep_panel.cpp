#include "compare_sweep_panel.h"

#include "cost_model.h"

#include "terse_widgets/sweep_chart.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QLocale>
#include <QVBoxLayout>

#include <cmath>

namespace terse::app {

namespace {
constexpr double kRateEpsilon = 1e-9;
} // namespace

CompareSweepPanel::CompareSweepPanel(QWidget *parent) : QWidget(parent)
{
    auto *sweepLayout = new QVBoxLayout(this);
    sweepLayout->setContentsMargins(4, 4, 4, 4);
    auto *sweepControls = new QHBoxLayout;
    m_ratesLabel = new QLabel(this);
    m_rates = new QLineEdit(QStringLiteral("0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9"), this);
    m_rates->setObjectName(QStringLiteral("sweepRates"));
    m_ratesLabel->setBuddy(m_rates);
    m_metricLabel = new QLabel(this);
    m_metricCombo = new QComboBox(this);
    m_metricCombo->setObjectName(QStringLiteral("sweepMetric"));
    m_metricCombo->addItem(QStringLiteral("ROUGE-L"), static_cast<int>(FidelityMetric::RougeL));
    m_metricCombo->addItem(QStringLiteral("ROUGE-1"), static_cast<int>(FidelityMetric::Rouge1));
    m_metricCombo->addItem(QStringLiteral("BLEU"), static_cast<int>(FidelityMetric::Bleu));
    m_metricLabel->setBuddy(m_metricCombo);
    m_sweep = new QPushButton(this);
    m_sweep->setObjectName(QStringLiteral("sweepButton"));
    m_exportChart = new QPushButton(this);
    m_exportChart->setObjectName(QStringLiteral("exportChartButton"));
    sweepControls->addWidget(m_ratesLabel);
    sweepControls->addWidget(m_rates, 1);
    sweepControls->addSpacing(12);
    sweepControls->addWidget(m_metricLabel);
    sweepControls->addWidget(m_metricCombo);
    m_axisCombo = new QComboBox(this);
    m_axisCombo->setObjectName(QStringLiteral("sweepAxis"));
    m_axisCombo->addItem(QString(), static_cast<int>(Axis::Rate));
    m_axisCombo->addItem(QString(), static_cast<int>(Axis::Saving));
    sweepControls->addWidget(m_axisCombo);
    sweepControls->addSpacing(12);
    sweepControls->addWidget(m_sweep);
    sweepControls->addWidget(m_exportChart);
    sweepLayout->addLayout(sweepControls);
    m_chart = new terse::widgets::SweepChart(this);
    m_chart->setObjectName(QStringLiteral("sweepChart"));
    sweepLayout->addWidget(m_chart, 1);

    connect(m_metricCombo, &QComboBox::currentIndexChanged, this, &CompareSweepPanel::updateChart);
    connect(m_axisCombo, &QComboBox::currentIndexChanged, this, &CompareSweepPanel::updateChart);
}

void CompareSweepPanel::retranslate()
{
    m_exportChart->setText(tr("Export &Chart…"));
    m_sweep->setText(tr("Run &Sweep"));
    m_sweep->setToolTip(tr("Run every row at each rate and plot achieved rate against fidelity"));
    m_ratesLabel->setText(tr("Ra&tes:"));
    m_rates->setToolTip(
        tr("Kept fractions to sweep: a list (0.1, 0.3, 0.5) or start:stop:step (0.1:0.9:0.1)"));
    m_metricLabel->setText(tr("Fi&delity:"));
    m_metricCombo->setToolTip(tr("Fidelity of the compressed text against the original prompt"));
    m_axisCombo->setItemText(0, tr("against the achieved rate"));
    m_axisCombo->setItemText(1, tr("against the money saved"));
    m_axisCombo->setToolTip(
        tr("Money saved per 1,000 calls uses the input price of the Cost panel's target model"));
    updateChart();
}

bool CompareSweepPanel::parseRates(const QString &text, QVector<double> *rates)
{
    QVector<double> out;
    const QString t = text.trimmed();
    if (t.count(QLatin1Char(':')) == 2) {
        const QStringList p = t.split(QLatin1Char(':'));
        bool ok1 = false, ok2 = false, ok3 = false;
        const double start = p[0].trimmed().toDouble(&ok1), stop = p[1].trimmed().toDouble(&ok2),
                     step = p[2].trimmed().toDouble(&ok3);
        if (!ok1 || !ok2 || !ok3 || step <= 0 || stop < start)
            return false;
        for (int i = 0; start + i * step <= stop + 1e-9 && i < 1000; ++i)
            out.push_back(std::round((start + i * step) * 1e6) / 1e6);
    } else {
        for (const QString &piece :
             t.split(QRegularExpression(QStringLiteral("[,;\\s]+")), Qt::SkipEmptyParts)) {
            bool ok = false;
            const double v = QLocale::c().toDouble(piece, &ok);
            if (!ok)
                return false;
            out.push_back(v);
        }
    }
    if (out.isEmpty())
        return false;
    for (double v : out)
        if (!(v > 0 && v <= 1 + kRateEpsilon))
            return false;
    *rates = out;
    return true;
}

void CompareSweepPanel::setSeries(std::vector<Series> series)
{
    m_series = std::move(series);
    updateChart();
}

void CompareSweepPanel::addPoint(int series, const Point &point)
{
    if (series < 0 || series >= static_cast<int>(m_series.size()))
        return;
    m_series[static_cast<std::size_t>(series)].points.push_back(point);
    updateChart();
}

void CompareSweepPanel::setMetric(FidelityMetric metric)
{
    m_metricCombo->setCurrentIndex(m_metricCombo->findData(static_cast<int>(metric)));
}

FidelityMetric CompareSweepPanel::metric() const
{
    return static_cast<FidelityMetric>(m_metricCombo->currentData().toInt());
}

void CompareSweepPanel::setAxis(Axis axis)
{
    m_axisCombo->setCurrentIndex(m_axisCombo->findData(static_cast<int>(axis)));
}

void CompareSweepPanel::updateChart()
{
    const FidelityMetric which = metric();
    const bool saving = static_cast<Axis>(m_axisCombo->currentData().toInt()) == Axis::Saving;
    // Saving: the Cost panel's target model (its price per 1M input tokens), as the user set it.
    const TargetPreset target = storedTargetPresets().value(storedTargetPresetIndex());
    QVector<terse::widgets::SweepCurve> curves;
    for (const auto &s : m_series) {
        terse::widgets::SweepCurve c;
        c.name = s.label;
        for (const auto &p : s.points) {
            // Methods decide on different units (tokens, words, phrases): the target tokenizer's
            // counts put every method on the same axis.
            const bool counted = p.metrics.targetTokensIn > 0 && p.metrics.targetTokensOut >= 0;
            if (saving) {
                if (!counted)
                    continue;
                c.x.push_back(
                    estimateCost(p.metrics.targetTokensIn, p.metrics.targetTokensOut, 0, target)
                        .savedPer1kCalls);
            } else {
                c.x.push_back(counted ? static_cast<double>(p.metrics.targetTokensOut) /
                                            static_cast<double>(p.metrics.targetTokensIn)
                                      : p.achieved);
            }
            c.y.push_back(metricValue(p.metrics, which));
        }
        curves.push_back(c);
    }
    m_chart->setCurves(curves,
                       saving ? tr("$ saved per 1,000 calls on %1 ($%2 per 1M input tokens)")
                                    .arg(target.name)
                                    .arg(target.dollarsPerMillionInput, 0, 'f', 2)
                              : tr("achieved rate (target-LLM tokens kept / original)"),
                       tr("%1 vs the original").arg(m_metricCombo->currentText()));
}

} // namespace terse::app
