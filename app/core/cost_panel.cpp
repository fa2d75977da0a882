#include "cost_panel.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QEvent>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QSettings>
#include <QTextDocument>
#include <QVBoxLayout>

#include <cmath>

namespace terse::app {

namespace {

QString money(double dollars)
{
    // Enough digits to see a difference: cents for large sums, significant digits for fractions of
    // one.
    const double a = std::abs(dollars);
    const int decimals =
        a == 0 || a >= 0.1
            ? 2
            : std::min(8, 1 - static_cast<int>(std::floor(std::log10(a)))); // 2 significant digits
    return QStringLiteral("$") + QLocale().toString(dollars, 'f', decimals);
}

QString seconds(double s)
{
    if (std::abs(s) >= 60)
        return CostPanel::tr("%1 min").arg(QLocale().toString(s / 60.0, 'f', 1));
    if (std::abs(s) >= 1)
        return CostPanel::tr("%1 s").arg(QLocale().toString(s, 'f', 2));
    return CostPanel::tr("%1 ms").arg(QLocale().toString(s * 1000.0, 'f', 0));
}

} // namespace

CostPanel::CostPanel(QWidget *parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("costPanel"));
    m_presets = storedTargetPresets();

    auto *v = new QVBoxLayout(this);
    v->setContentsMargins(4, 4, 4, 4);
    auto *grid = new QGridLayout;
    m_presetLabel = new QLabel(this);
    m_preset = new QComboBox(this);
    m_preset->setObjectName(QStringLiteral("costPreset"));
    m_add = new QPushButton(this);
    m_remove = new QPushButton(this);
    m_priceLabel = new QLabel(this);
    m_price = new QDoubleSpinBox(this);
    m_price->setRange(0, 1000);
    m_price->setDecimals(3);
    m_price->setSingleStep(0.05);
    m_price->setPrefix(QStringLiteral("$"));
    m_throughputLabel = new QLabel(this);
    m_throughput = new QDoubleSpinBox(this);
    m_throughput->setRange(1, 1e7);
    m_throughput->setDecimals(0);
    m_throughput->setSingleStep(100);
    // Two compact rows: the preset with its buttons, then its price and speed.
    auto *row0 = new QHBoxLayout;
    row0->addWidget(m_presetLabel);
    row0->addWidget(m_preset, 1);
    row0->addWidget(m_add);
    row0->addWidget(m_remove);
    auto *row1 = new QHBoxLayout;
    row1->addWidget(m_priceLabel);
    row1->addWidget(m_price);
    row1->addSpacing(12);
    row1->addWidget(m_throughputLabel);
    row1->addWidget(m_throughput);
    row1->addStretch(1);
    m_preset->setMinimumContentsLength(18);
    m_preset->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    grid->addLayout(row0, 0, 0);
    grid->addLayout(row1, 1, 0);
    v->addLayout(grid);
    m_figures = new QLabel(this);
    m_figures->setTextInteractionFlags(Qt::TextSelectableByMouse);
    v->addWidget(m_figures);
    m_verdict = new QLabel(this);
    m_verdict->setWordWrap(true);
    m_verdict->setObjectName(QStringLiteral("noteLabel"));
    v->addWidget(m_verdict);
    v->addStretch(1);

    for (const auto &p : m_presets)
        m_preset->addItem(p.name);
    m_preset->setCurrentIndex(storedTargetPresetIndex());
    connect(m_preset, &QComboBox::currentIndexChanged, this, [this] {
        storePresets();
        showPreset();
    });
    connect(m_price, &QDoubleSpinBox::valueChanged, this, [this](double v) {
        if (!m_updating)
            setPrice(v);
    });
    connect(m_throughput, &QDoubleSpinBox::valueChanged, this, [this](double v) {
        if (!m_updating)
            setThroughput(v);
    });
    connect(m_add, &QPushButton::clicked, this, [this] {
        bool ok = false;
        const QString name = QInputDialog::getText(this, tr("New Target Model"), tr("Name:"),
                                                   QLineEdit::Normal, QString(), &ok);
        if (ok && !addPreset(name))
            m_verdict->setText(tr("A preset needs a name that is not taken."));
    });
    connect(m_remove, &QPushButton::clicked, this, &CostPanel::removeCurrentPreset);
    retranslate();
    showPreset();
}

void CostPanel::retranslate()
{
    m_presetLabel->setText(tr("Target model:"));
    m_preset->setToolTip(tr("Presets are examples: set the price and speed of the model you use."));
    m_add->setText(tr("New…"));
    m_remove->setText(tr("Delete"));
    m_priceLabel->setText(tr("Input price per 1M tokens:"));
    m_throughputLabel->setText(tr("Prefill speed:"));
    m_throughput->setSuffix(tr(" tokens/s"));
    m_throughput->setToolTip(
        tr("How fast the target model reads a prompt before it answers (prefill)."));
    refresh();
}

void CostPanel::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslate();
    QWidget::changeEvent(event);
}

int CostPanel::currentPreset() const
{
    return m_preset->currentIndex();
}

void CostPanel::selectPreset(int index)
{
    m_preset->setCurrentIndex(index);
}

void CostPanel::showPreset()
{
    const int i = currentPreset();
    if (i < 0 || i >= m_presets.size())
        return;
    m_updating = true;
    m_price->setValue(m_presets[i].dollarsPerMillionInput);
    m_throughput->setValue(m_presets[i].prefillTokensPerSecond);
    m_updating = false;
    m_remove->setEnabled(m_presets.size() > 1);
    refresh();
}

void CostPanel::setPrice(double dollarsPerMillionInput)
{
    const int i = currentPreset();
    if (i < 0 || !(dollarsPerMillionInput >= 0))
        return;
    m_presets[i].dollarsPerMillionInput = dollarsPerMillionInput;
    storePresets();
    showPreset();
}

void CostPanel::setThroughput(double prefillTokensPerSecond)
{
    const int i = currentPreset();
    if (i < 0 || !(prefillTokensPerSecond > 0))
        return;
    m_presets[i].prefillTokensPerSecond = prefillTokensPerSecond;
    storePresets();
    showPreset();
}

bool CostPanel::addPreset(const QString &name)
{
    const QString n = name.trimmed();
    if (n.isEmpty())
        return false;
    for (const auto &p : m_presets)
        if (p.name == n)
            return false;
    m_presets.append({n, m_price->value(), m_throughput->value()});
    storePresets();
    m_preset->addItem(n);
    m_preset->setCurrentIndex(int(m_presets.size()) - 1);
    return true;
}

void CostPanel::removeCurrentPreset()
{
    const int i = currentPreset();
    if (m_presets.size() <= 1 || i < 0)
        return;
    m_presets.removeAt(i);
    storePresets();
    m_preset->removeItem(i);
}

void CostPanel::storePresets() const
{
    storeTargetPresets(m_presets, std::max(0, currentPreset()));
}

void CostPanel::setResult(long targetTokensIn, long targetTokensOut, double compressionMs)
{
    m_tokensIn = targetTokensIn;
    m_tokensOut = targetTokensOut;
    m_compressionMs = compressionMs;
    refresh();
}

void CostPanel::clear()
{
    setResult(-1, -1, 0);
}

CostEstimate CostPanel::estimate() const
{
    const int i = currentPreset();
    return estimateCost(m_tokensIn, m_tokensOut, m_compressionMs,
                        i >= 0 && i < m_presets.size() ? m_presets[i] : TargetPreset{});
}

void CostPanel::refresh()
{
    if (m_tokensIn < 0 || m_tokensOut < 0) {
        m_figures->setText(m_tokensIn == -1 && m_compressionMs == 0
                               ? tr("Compress a prompt to see what it saves.")
                               : tr("This result has no target-token counts (the target tokenizer "
                                    "was not available)."));
        m_verdict->clear();
        return;
    }
    const CostEstimate e = estimate();
    const QLocale loc;
    const double pct = e.tokensIn > 0 ? 100.0 * static_cast<double>(e.tokensSaved) /
                                            static_cast<double>(e.tokensIn)
                                      : 0;
    const QStringList rows{
        tr("Tokens: %1 → %2 (%3 saved, %4%)")
            .arg(loc.toString(qlonglong(e.tokensIn)), loc.toString(qlonglong(e.tokensOut)),
                 loc.toString(qlonglong(e.tokensSaved)), loc.toString(pct, 'f', 1)),
        estimate().savedPerCall > 0 || e.tokensSaved <= 0
            ? tr("Money: %1 per call, %2 per 1,000 calls")
                  .arg(money(e.savedPerCall), money(e.savedPer1kCalls))
            : tr("Money: no input price set for this target"),
        tr("Prefill: %1 → %2 per call (%3 saved)")
            .arg(seconds(e.prefillOriginalS), seconds(e.prefillCompressedS),
                 seconds(e.prefillSavedS)),
        tr("Compression: %1 on this machine").arg(seconds(e.compressionS)),
    };
    m_figures->setText(rows.join(QLatin1Char('\n')));
    const bool cheaper = e.savedPerCall > 0;
    QString verdict;
    if (e.tokensSaved <= 0)
        verdict = tr("Nothing saved: the compressed prompt is as long as the original.");
    else if (e.paysOffInLatency)
        verdict = cheaper
                      ? tr("Pays off: cheaper, and %1 faster per call.").arg(seconds(e.netLatencyS))
                      : tr("Pays off in time: %1 faster per call (no input price set).")
                            .arg(seconds(e.netLatencyS));
    else {
        const QString slower =
            tr("compressing takes %1 more than the prefill it saves; it pays off in time only when "
               "the target reads slower than %2 tokens/s")
                .arg(seconds(-e.netLatencyS), loc.toString(e.breakEvenTokensPerSecond, 'f', 0));
        verdict =
            cheaper
                ? tr("Cheaper, but slower: %1.").arg(slower)
                : tr("Does not pay off at this length and rate on this machine: %1.").arg(slower);
    }
    m_verdict->setText(verdict);
}

QString CostPanel::summaryText() const
{
    return m_figures->text() + QLatin1Char('\n') + m_verdict->text();
}

} // namespace terse::app
