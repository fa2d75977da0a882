#include "result_inspector.h"

#include "appearance.h"
#include "engine_terms.h"
#include "result_adapter.h"

#include "terse_widgets/attention_plot.h"
#include "terse_widgets/color_legend.h"
#include "terse_widgets/score_histogram.h"
#include "terse_widgets/score_plot.h"
#include "terse_widgets/stage_scrubber.h"
#include "terse_widgets/token_heatmap_view.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenu>
#include <QSpinBox>
#include <QSplitter>
#include <QStackedWidget>
#include <QTabWidget>
#include <QGraphicsOpacityEffect>
#include <QVBoxLayout>

#include <cmath>

namespace terse::app {

namespace {
enum Tab { kScoresTab, kHistogramTab, kShiftTab, kAttentionTab };

const terse::Stage *shiftStage(const terse::CompressionResult &r, int position)
{
    auto has = [](const terse::Stage &s) {
        bool before = false, after = false;
        for (const auto &x : s.scores) {
            before |= x.name == "entropy_before";
            after |= x.name == "entropy_after";
        }
        return before && after;
    };
    if (position >= 0 && position < static_cast<int>(r.stages.size()))
        return has(r.stages[static_cast<std::size_t>(position)])
                   ? &r.stages[static_cast<std::size_t>(position)]
                   : nullptr;
    for (auto it = r.stages.rbegin(); it != r.stages.rend(); ++it)
        if (has(*it))
            return &*it;
    return nullptr;
}
} // namespace

ResultInspector::ResultInspector(QWidget *parent) : QWidget(parent)
{
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    auto *split = new QSplitter(Qt::Vertical, this);
    split->setObjectName(QStringLiteral("resultSplitter"));
    outer->addWidget(split);

    auto *resultBox = new QWidget(split);
    auto *v = new QVBoxLayout(resultBox);
    v->setContentsMargins(0, 0, 0, 0);
    m_summary = new QLabel(tr("No result yet: paste a prompt and press Compress."), resultBox);
    m_summary->setObjectName(QStringLiteral("summaryLabel"));
    m_summary->setWordWrap(true); // a long summary wraps rather than squeezing the colour selector
    m_colorBy = new QComboBox(resultBox);
    m_colorBy->setObjectName(QStringLiteral("colorByCombo"));
    m_colorBy->setToolTip(tr("Colour tokens by this score"));
    m_colorBy->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_colorBy->setEnabled(false); // until there is a result to colour
    auto *colorLabel = new QLabel(tr("Colour &by:"), resultBox);
    colorLabel->setBuddy(m_colorBy);
    auto *header = new QHBoxLayout;
    header->addWidget(m_summary, 1);
    header->addWidget(colorLabel);
    header->addWidget(m_colorBy);
    v->addLayout(header);
    m_legend = new terse::widgets::ColorLegend(resultBox);
    m_legend->setObjectName(QStringLiteral("colorLegend"));
    v->addWidget(m_legend);
    m_legendHint = new QLabel(resultBox);
    m_legendHint->setObjectName(QStringLiteral("legendHint"));
    m_legendHint->setForegroundRole(QPalette::PlaceholderText);
    m_legendHint->hide();
    v->addWidget(m_legendHint);
    m_scrubber = new terse::widgets::StageScrubber(resultBox);
    m_scrubber->setObjectName(QStringLiteral("stageScrubber"));
    m_scrubber->hide();
    v->addWidget(m_scrubber);
    m_outdated = new QLabel(resultBox);
    m_outdated->setObjectName(QStringLiteral("outdatedLabel"));
    m_outdated->setWordWrap(true);
    m_outdated->setStyleSheet(QStringLiteral(
        "QLabel { background: palette(alternate-base); border: 1px solid palette(mid);"
        " border-radius: 3px; padding: 3px 6px; }"));
    m_outdated->hide();
    v->addWidget(m_outdated);
    m_heatmap = new terse::widgets::TokenHeatmapView(resultBox);
    m_heatmap->setObjectName(QStringLiteral("heatmapView"));
    m_heatmap->setToolTip(QString());
    v->addWidget(m_heatmap, 1);
    auto *hint = new QLabel(
        tr("Click a word to pin it (keep → drop → unpinned); Ctrl+click to see its attention; "
           "right-click for more."),
        resultBox);
    hint->setObjectName(QStringLiteral("heatmapHint"));
    hint->setWordWrap(true);
    QFont small = hint->font();
    small.setPointSizeF(small.pointSizeF() * 0.9);
    hint->setFont(small);
    hint->setForegroundRole(QPalette::PlaceholderText);
    v->addWidget(hint);
    m_legendHint->setFont(small);

    // Until there is a result the plot area says what will appear there instead of showing empty
    // axes.
    m_plotStack = new QStackedWidget(split);
    m_plotStack->setObjectName(QStringLiteral("plotStack"));
    m_emptyPlotNotice = new QLabel(
        tr("Nothing to plot yet. After you compress, this shows each token's score against the "
           "threshold, the distribution of the scores and the attention of a word you Ctrl+click."),
        m_plotStack);
    m_emptyPlotNotice->setObjectName(QStringLiteral("emptyPlotNotice"));
    m_emptyPlotNotice->setAlignment(Qt::AlignCenter);
    m_emptyPlotNotice->setWordWrap(true);
    m_emptyPlotNotice->setMargin(24);
    m_emptyPlotNotice->setForegroundRole(QPalette::PlaceholderText);
    m_emptyPlotNotice->setFrameShape(QFrame::StyledPanel);

    m_tabs = new QTabWidget(m_plotStack);
    m_tabs->setObjectName(QStringLiteral("plotTabs"));
    m_tabs->setDocumentMode(true);
    m_plot = new terse::widgets::ScorePlot(m_tabs);
    m_plot->setObjectName(QStringLiteral("scorePlot"));
    m_histogram = new terse::widgets::ScoreHistogram(m_tabs);
    m_histogram->setObjectName(QStringLiteral("scoreHistogram"));
    m_shift = new terse::widgets::ScorePlot(m_tabs);
    m_shift->setObjectName(QStringLiteral("entropyShiftPlot"));
    auto *attentionBox = new QWidget(m_tabs);
    auto *av = new QVBoxLayout(attentionBox);
    av->setContentsMargins(4, 4, 4, 0);
    auto *controls = new QHBoxLayout;
    m_layer = new QSpinBox(attentionBox);
    m_layer->setObjectName(QStringLiteral("attentionLayer"));
    m_layer->setRange(0, 0);
    m_layer->setToolTip(tr("Transformer layer (0 = first)"));
    m_head = new QSpinBox(attentionBox);
    m_head->setObjectName(QStringLiteral("attentionHead"));
    m_head->setRange(-1, 0);
    m_head->setValue(-1);
    m_head->setSpecialValueText(tr("all (sum)"));
    m_head->setToolTip(tr("Attention head; “all” sums the heads of the layer"));
    auto *layerLabel = new QLabel(tr("&Layer:"), attentionBox);
    layerLabel->setBuddy(m_layer);
    auto *headLabel = new QLabel(tr("&Head:"), attentionBox);
    headLabel->setBuddy(m_head);
    m_attentionStatus =
        new QLabel(tr("Ctrl+click a word in the result to see where it attends."), attentionBox);
    m_attentionStatus->setObjectName(QStringLiteral("attentionStatus"));
    m_attentionStatus->setWordWrap(true);
    controls->addWidget(layerLabel);
    controls->addWidget(m_layer);
    controls->addWidget(headLabel);
    controls->addWidget(m_head);
    controls->addWidget(m_attentionStatus, 1);
    av->addLayout(controls);
    m_attention = new terse::widgets::AttentionPlot(attentionBox);
    m_attention->setObjectName(QStringLiteral("attentionPlot"));
    av->addWidget(m_attention, 1);
    m_tabs->addTab(m_plot, tr("Scores"));
    m_tabs->addTab(m_histogram, tr("Histogram"));
    m_tabs->addTab(m_shift, tr("Entropy Shift"));
    m_tabs->addTab(attentionBox, tr("Attention"));
    m_tabs->setTabToolTip(
        kScoresTab, tr("The colouring score per token, kept tokens marked, with the threshold and "
                       "window boundaries"));
    m_tabs->setTabToolTip(
        kHistogramTab,
        tr("Distribution of the colouring score, kept and dropped, with the threshold"));
    m_tabs->setTabToolTip(kShiftTab,
                          tr("Per-token entropy before and after a stage of dynamic DAC"));
    m_tabs->setTabToolTip(kAttentionTab,
                          tr("One layer/head's attention row from the selected word"));
    m_plotStack->addWidget(m_emptyPlotNotice);
    m_plotStack->addWidget(m_tabs);
    split->addWidget(resultBox);
    split->addWidget(m_plotStack);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);

    connect(m_colorBy, &QComboBox::currentIndexChanged, this, [this](int i) {
        m_heatmap->setColorSeries(i - 1);
        updateLegend();
        updatePlots();
        emit colorSeriesChanged();
    });
    connect(m_scrubber, &terse::widgets::StageScrubber::stageChanged, this, [this] { display(); });
    // The views count cells (words of a token-level corrected result); the owner is told units.
    connect(m_heatmap, &terse::widgets::TokenHeatmapView::tokenClicked, this,
            [this](int cell) { emit unitClicked(firstUnitOf(cell)); });
    connect(m_heatmap, &terse::widgets::TokenHeatmapView::tokenSelected, this,
            &ResultInspector::selectCell);
    connect(m_heatmap, &terse::widgets::TokenHeatmapView::tokenContextMenuRequested, this,
            [this](int cell, const QPoint &at) { showContextMenu(firstUnitOf(cell), at); });
    connect(m_plot, &terse::widgets::ScorePlot::tokenClicked, this, &ResultInspector::selectCell);
    auto spins = [this] {
        if (m_selected >= 0)
            emit attentionRequested(m_selected, m_layer->value(), m_head->value());
    };
    connect(m_layer, &QSpinBox::valueChanged, this, spins);
    connect(m_head, &QSpinBox::valueChanged, this, spins);
    m_tabs->setTabEnabled(kShiftTab, false);
}

void ResultInspector::setResult(const ResultHandle &result,
                                const std::vector<terse::PinnedSpan> &pins, int stagesTotal)
{
    const bool sameUnits = m_result && result && m_result->units.size() == result->units.size() &&
                           m_result->segments.size() == result->segments.size();
    // A stage the user is looking at while a run fills the scrubber stays in view.
    const int keepPosition = sameUnits && m_scrubber->isRunning() && !m_scrubber->isFinal()
                                 ? m_scrubber->position()
                                 : -1;
    m_result = result;
    m_pins = pins;
    m_cells = result ? heatmapCells(*result) : HeatmapCells{};
    if (!sameUnits)
        m_selected = -1;
    m_summary->setText(result ? resultSummary(*result)
                              : tr("No result yet: paste a prompt and press Compress."));
    QStringList names;
    if (result)
        for (const auto &s : result->stages)
            names << EngineTerms::stageName(s.name);
    const bool running = stagesTotal > names.size();
    m_scrubber->setStages(names.size() > 1 || running ? names : QStringList(), stagesTotal);
    m_scrubber->setVisible(names.size() > 1 || running);
    if (keepPosition >= 0) {
        const QSignalBlocker block(m_scrubber);
        m_scrubber->setPosition(keepPosition);
    }
    m_colorBy->setEnabled(result != nullptr);
    m_plotStack->setCurrentWidget(result ? static_cast<QWidget *>(m_tabs) : m_emptyPlotNotice);
    display();
    if (m_selected >= 0)
        emit attentionRequested(m_selected, m_layer->value(), m_head->value());
}

void ResultInspector::setPins(const std::vector<terse::PinnedSpan> &pins)
{
    m_pins = pins;
    display();
}

void ResultInspector::refresh()
{
    reapplyStyleSheet(m_outdated);
    display();
    m_legend->update();
}

void ResultInspector::display()
{
    if (!m_result) {
        m_heatmap->setData({});
        m_plot->clear();
        m_histogram->clear();
        m_shift->clear();
        m_legendHint->hide();
        return;
    }
    const int position = m_scrubber->isFinal() ? -1 : m_scrubber->position();
    m_heatmap->setData(position < 0 ? toHeatmapData(*m_result, m_pins, &m_cells)
                                    : toStageHeatmapData(*m_result, position, m_pins, &m_cells));
    m_heatmap->setSelectedToken(m_cells.cellOfUnit(m_selected));
    updateColorChoices();
    updatePlots();
    updateShiftPlot();
}

void ResultInspector::updateColorChoices()
{
    const QString current =
        m_colorBy->currentIndex() > 0 ? m_colorBy->currentData().toString() : QString();
    const bool hadDecisionOnly = m_colorBy->count() > 0 && m_colorBy->currentIndex() == 0;
    {
        const QSignalBlocker block(m_colorBy);
        m_colorBy->clear();
        m_colorBy->addItem(tr("decision only"), QString());
        m_colorBy->setItemData(
            0, tr("No colours: only whether each unit was kept (struck through = dropped)."),
            Qt::ToolTipRole);
        const QString method = m_result ? QString::fromStdString(m_result->method) : QString();
        for (const QString &name : m_heatmap->data().seriesNames) {
            m_colorBy->addItem(EngineTerms::scoreName(name.toStdString()),
                               name); // shown translated, chosen by identifier
            m_colorBy->setItemData(m_colorBy->count() - 1, seriesExplanation(name, method),
                                   Qt::ToolTipRole);
        }
        int idx = current.isEmpty() ? -1 : m_colorBy->findData(current);
        if (idx < 0)
            idx = hadDecisionOnly ? 0 : (m_colorBy->count() > 1 ? 1 : 0);
        m_colorBy->setCurrentIndex(idx);
    }
    m_heatmap->setColorSeries(m_colorBy->currentIndex() - 1);
    m_colorBy->setToolTip(
        m_colorBy->itemData(m_colorBy->currentIndex(), Qt::ToolTipRole).toString());
    updateLegend();
}

QString ResultInspector::seriesExplanation(const QString &name, const QString &method) const
{
    // What each score means and which method computed it (issue 20: "Colour by" explains its
    // choices).
    if (name == QLatin1String("score")) {
        if (method == QLatin1String("random"))
            return tr("score: a random number per unit (Random baseline); the highest are kept.");
        if (method == QLatin1String("entropy_only") || method == QLatin1String("attention_only"))
            return tr("score: the value this ablation ranks units by; the highest are kept.");
        return tr("score: the unit's position as the baseline ranks it (head, tail); the highest "
                  "are kept.");
    }
    static const struct {
        const char *name;
        const char *text;
    } kExplained[] = {
        {"self_information",
         QT_TR_NOOP("self_information: −log p of the unit under the language model, summed over "
                    "its tokens (Selective-Context); surprising units carry information and are "
                    "kept.")},
        {"surprisal",
         QT_TR_NOOP("surprisal: −log p(token | what precedes it) under the small language model "
                    "(LLMLingua's perplexity); the most surprising tokens are kept.")},
        {"probability",
         QT_TR_NOOP(
             "probability: the tagger's probability that a word should be kept (LLMLingua-2).")},
        {"probability_no_force",
         QT_TR_NOOP("probability_no_force: the tagger's keep probability before force tokens "
                    "are set to 1 (LLMLingua-2's context score).")},
        {"probability_final",
         QT_TR_NOOP("probability_final: the keep probability the decision used, after force "
                    "tokens, digits and protected text (LLMLingua-2).")},
        {"entropy",
         QT_TR_NOOP(
             "entropy: how uncertain the language model is at the token, in nats (DAC, entropy "
             "ablation).")},
        {"attention",
         QT_TR_NOOP(
             "attention: how much attention the token receives from later tokens, averaged over "
             "layers and heads (DAC, PIS, attention ablation).")},
        {"fused", QT_TR_NOOP("fused: DAC's combination of entropy and attention, weighted by α; "
                             "the highest are kept.")},
        {"tfidf",
         QT_TR_NOOP("tfidf: how distinctive the token is for this prompt (PIS's term weighting).")},
        {"weight",
         QT_TR_NOOP(
             "weight: PIS's final token weight from attention and TF-IDF; the highest are kept.")},
        {"restored", QT_TR_NOOP("restored: 1 where recovery put back original text.")},
    };
    for (const auto &e : kExplained)
        if (name == QLatin1String(e.name))
            return tr(e.text);
    return tr("%1: a score computed by %2.")
        .arg(name, method.isEmpty() ? tr("the method") : method);
}

void ResultInspector::updateLegend()
{
    const int series = m_colorBy->currentIndex() - 1;
    const QString name = series >= 0 ? m_colorBy->currentText() : QString();
    m_legend->setRange(name, m_heatmap->colorLow(), m_heatmap->colorHigh());
    // The legend bar alone does not say which end matters; "decision only" explains itself.
    if (name.isEmpty()) {
        m_legendHint->hide();
        return;
    }
    const auto &thresholds = m_heatmap->data().thresholds;
    const double th = series < thresholds.size() ? thresholds[series] : std::nan("");
    m_legendHint->setText(
        std::isfinite(th)
            ? tr("Stronger colour = higher %1 · threshold %2: at or above is kept · struck through "
                 "= dropped")
                  .arg(name)
                  .arg(th, 0, 'g', 4)
            : tr("Stronger colour = higher %1 · struck through = dropped").arg(name));
    m_legendHint->show();
}

bool ResultInspector::setColorSeries(const QString &name)
{
    const int i = m_colorBy->findData(name);
    if (i < 0)
        return false;
    m_colorBy->setCurrentIndex(i);
    return true;
}

QString ResultInspector::colorSeriesName() const
{
    return m_colorBy->currentData().toString(); // the series' identifier; "" for "decision only"
}

void ResultInspector::updatePlots()
{
    const auto &d = m_heatmap->data();
    if (d.series.isEmpty()) {
        m_plot->clear();
        m_histogram->clear();
        return;
    }
    const int idx =
        std::clamp(m_colorBy->currentIndex() - 1, 0, static_cast<int>(d.series.size()) - 1);
    QVector<bool> kept;
    kept.reserve(d.tokens.size());
    for (const auto &t : d.tokens)
        kept.push_back(t.kept);
    const double th = idx < d.thresholds.size() ? d.thresholds[idx] : std::nan("");
    const QString label = EngineTerms::scoreName(d.seriesNames[idx].toStdString());
    m_plot->setSeries(label, d.series[idx], kept, th);
    m_plot->setPositionLabel(positionLabel());
    m_histogram->setValues(label, d.series[idx], kept, th);
    // LLMLingua windows: where each stage's units start.
    QVector<int> starts;
    QStringList labels;
    if (m_result)
        for (const auto &s : m_result->stages)
            if (s.firstUnit >= 0) {
                starts << std::max(0, m_cells.cellOfUnit(s.firstUnit));
                labels << QString::fromStdString(s.name).replace(QStringLiteral("window "),
                                                                 QStringLiteral("w"));
            }
    if (!starts.isEmpty())
        m_plot->setBoundaries(starts, labels);
}

void ResultInspector::updateShiftPlot()
{
    const terse::Stage *st =
        m_result ? shiftStage(*m_result, m_scrubber->isFinal() ? -1 : m_scrubber->position())
                 : nullptr;
    m_tabs->setTabEnabled(kShiftTab, st != nullptr);
    if (!st) {
        m_shift->clear();
        return;
    }
    const terse::ScoreSeries *before = nullptr, *after = nullptr;
    for (const auto &s : st->scores) {
        if (s.name == "entropy_before")
            before = &s;
        if (s.name == "entropy_after")
            after = &s;
    }
    const QString stage = EngineTerms::stageName(st->name);
    // Dots mark the units this stage removed: their neighbours' entropy shifts most.
    // Positions are the heatmap's cells (words of a token-level corrected result, their tokens'
    // mean entropy).
    const QVector<double> beforeCells = m_cells.pool(before->values, before->name),
                          afterCells = m_cells.pool(after->values, after->name);
    QVector<bool> removed(beforeCells.size(), false);
    for (int u : st->removedUnits)
        if (const int c = m_cells.cellOfUnit(u); c >= 0 && c < removed.size())
            removed[c] = true;
    m_shift->setSeries(tr("entropy before %1").arg(stage), beforeCells, removed, std::nan(""),
                       tr("removed in %1").arg(stage));
    m_shift->addOverlay(tr("entropy after %1").arg(stage), afterCells, QColor(40, 160, 90));
    m_shift->setAxisLabel(tr("entropy (nats)"));
    m_shift->setPositionLabel(positionLabel());
}

void ResultInspector::setOutdated(const QString &why, bool greyed)
{
    if (why == m_outdated->text() && m_outdated->isVisible() == !why.isEmpty() &&
        (m_heatmap->graphicsEffect() != nullptr) == (greyed && !why.isEmpty()))
        return;
    m_outdated->setText(why);
    m_outdated->setVisible(!why.isEmpty());
    // Greyed: the result stays readable but is clearly not the one the controls describe (issue
    // 20).
    if (why.isEmpty() || !greyed) {
        m_heatmap->setGraphicsEffect(nullptr);
    } else if (!m_heatmap->graphicsEffect()) {
        auto *fade = new QGraphicsOpacityEffect(m_heatmap);
        fade->setOpacity(0.45);
        m_heatmap->setGraphicsEffect(fade);
    }
}

QString ResultInspector::outdatedText() const
{
    return m_outdated->isVisible() ? m_outdated->text() : QString();
}

QString ResultInspector::positionLabel() const
{
    // The unit the method decided on, which is what the plots' positions count (issue 20).
    return EngineTerms::unitName(m_cells.words ? std::string("word")
                                 : m_result    ? m_result->unitName
                                               : std::string("token"));
}

int ResultInspector::firstUnitOf(int cell) const
{
    return cell >= 0 && cell < static_cast<int>(m_cells.first.size())
               ? m_cells.first[static_cast<std::size_t>(cell)]
               : -1;
}

void ResultInspector::selectCell(int cell)
{
    // A word's attention row is read from its last token: the model has seen the whole word there.
    selectUnit(m_cells.lastUnit(cell));
}

void ResultInspector::selectUnit(int unit)
{
    if (!m_result || unit < 0 || unit >= static_cast<int>(m_result->units.size()))
        return;
    m_selected = unit;
    m_heatmap->setSelectedToken(m_cells.cellOfUnit(unit));
    m_tabs->setCurrentIndex(kAttentionTab);
    m_attentionStatus->setText(
        tr("Computing the attention row of “%1”…")
            .arg(spanText(*m_result, m_result->units[static_cast<std::size_t>(unit)]).trimmed()));
    emit attentionRequested(unit, m_layer->value(), m_head->value());
}

void ResultInspector::setAttention(const AttentionHandle &row, const QString &error)
{
    if (!row) {
        m_attention->clear();
        m_attentionStatus->setText(tr("No attention row: %1").arg(error));
        return;
    }
    {
        const QSignalBlocker b1(m_layer), b2(m_head);
        m_layer->setRange(0, std::max(0, row->layers - 1));
        m_head->setRange(-1, std::max(0, row->heads - 1));
    }
    std::string joined;
    if (m_result)
        for (std::size_t i = 0; i < m_result->segments.size(); ++i)
            joined += (i ? "\n\n" : "") + m_result->segments[i].text;
    QStringList tokens;
    QVector<double> weights;
    for (std::size_t i = 0; i < row->spans.size(); ++i) {
        const auto &s = row->spans[i];
        tokens << (s.end <= joined.size() ? QString::fromUtf8(joined.data() + s.begin,
                                                              static_cast<qsizetype>(s.size()))
                                          : QString());
        weights << (i < row->weights.size() ? row->weights[i] : 0.0);
    }
    const QString query =
        row->query >= 0 && row->query < tokens.size() ? tokens[row->query].trimmed() : QString();
    const QString head = row->head < 0 ? tr("all heads") : tr("head %1").arg(row->head);
    const QString title =
        tr("attention from “%1” · layer %2 · %3").arg(query).arg(row->layer).arg(head);
    m_attention->setRow(tokens, weights, row->query, title);
    QString status = tr("%1 model tokens · %2").arg(tokens.size()).arg(title);
    if (row->windowStart >
        0) // a prompt longer than the model's window: what the model saw at that word
        status += QStringLiteral(" · ") + tr("the model's window ending at the word (tokens "
                                             "%1–%2); earlier tokens are outside it")
                                              .arg(row->windowStart)
                                              .arg(row->query);
    m_attentionStatus->setText(status);
}

void ResultInspector::showContextMenu(int unit, const QPoint &globalPos)
{
    QMenu menu(this);
    menu.addAction(tr("Pin: Always &Keep"), this, [this, unit] { emit pinRequested(unit, 1); });
    menu.addAction(tr("Pin: Always &Drop"), this, [this, unit] { emit pinRequested(unit, -1); });
    menu.addAction(tr("&Unpin"), this, [this, unit] { emit pinRequested(unit, 0); });
    menu.addSeparator();
    menu.addAction(tr("Show &Attention from Here"), this, [this, unit] { selectUnit(unit); });
    menu.exec(globalPos);
}

} // namespace terse::app
