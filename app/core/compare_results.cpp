#include "compare_results.h"

#include "engine_terms.h"
#include "result_adapter.h"

#include "terse_widgets/word_diff_view.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QScrollArea>
#include <QVBoxLayout>

#include <cmath>

namespace terse::app {

namespace {
QTableWidgetItem *numberItem(double value, int decimals)
{
    auto *item = new QTableWidgetItem(std::isfinite(value) ? QString::number(value, 'f', decimals)
                                                           : QStringLiteral("—"));
    item->setData(Qt::UserRole, value);
    item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    return item;
}

// A run time shown for people ("3.2 s"); the milliseconds stay in Qt::UserRole like numberItem's
// value.
QTableWidgetItem *durationItem(double ms)
{
    auto *item = new QTableWidgetItem(terse::app::formatDuration(ms));
    item->setData(Qt::UserRole, ms);
    item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    return item;
}

QTableWidgetItem *countItem(long value)
{
    auto *item = new QTableWidgetItem(value >= 0 ? QString::number(value) : QStringLiteral("—"));
    item->setData(Qt::UserRole, static_cast<qlonglong>(value));
    item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    return item;
}
} // namespace

// ---- the metrics table
// ------------------------------------------------------------------------------

CompareMetricsTable::CompareMetricsTable(QWidget *parent) : QTableWidget(0, ColumnCount, parent)
{
    setObjectName(QStringLiteral("metricsTable"));
    setEditTriggers(QAbstractItemView::NoEditTriggers);
    setSelectionBehavior(QAbstractItemView::SelectRows);
    horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    horizontalHeader()->setSectionResizeMode(SettingsColumn, QHeaderView::Stretch);
    // Answers can be long: a column of fixed width (full text in the tooltip) keeps the window on
    // screen.
    horizontalHeader()->setSectionResizeMode(AnswerColumn, QHeaderView::Interactive);
    setColumnWidth(AnswerColumn, 240);
    verticalHeader()->setVisible(false);
    setWordWrap(false);
}

void CompareMetricsTable::retranslate()
{
    setHorizontalHeaderLabels({tr("Settings"), tr("Units in"), tr("Units out"),
                               tr("Target tokens in"), tr("Target tokens out"), tr("Achieved rate"),
                               tr("ROUGE-1"), tr("ROUGE-L"), tr("BLEU"), tr("Total time"),
                               tr("Model time"), tr("Target answer")});
    horizontalHeaderItem(UnitsInColumn)
        ->setToolTip(tr("Units the method decided on (tokens, words, …) before compression"));
    horizontalHeaderItem(RateOutColumn)
        ->setToolTip(tr("Kept units / original units, in the method's own unit"));
    horizontalHeaderItem(TargetInColumn)
        ->setToolTip(tr("Length in the target LLM's tokenizer (cl100k_base unless set)"));
    horizontalHeaderItem(Rouge1Column)
        ->setToolTip(tr("ROUGE-1 F1 of the compressed text against the original prompt"));
    horizontalHeaderItem(RougeLColumn)
        ->setToolTip(tr("ROUGE-L F1 of the compressed text against the original prompt"));
    horizontalHeaderItem(BleuColumn)
        ->setToolTip(tr("Sentence BLEU-4 of the compressed text against the original prompt"));
    horizontalHeaderItem(ForwardMsColumn)->setToolTip(tr("Time spent in model forward passes"));
}

void CompareMetricsTable::setRun(int row, const CompareRun &s, bool busy)
{
    if (row < 0 || row >= rowCount())
        return;
    auto *label = new QTableWidgetItem(s.label);
    label->setToolTip(s.label);
    setItem(row, SettingsColumn, label);
    if (!s.result) {
        const QString text = !s.error.isEmpty() ? tr("failed")
                             : busy             ? tr("waiting")
                                                : tr("not run");
        for (int c = UnitsInColumn; c < ColumnCount; ++c) {
            auto *item = new QTableWidgetItem(c == UnitsInColumn ? text : QString());
            if (!s.error.isEmpty())
                item->setToolTip(s.error);
            setItem(row, c, item);
        }
        return;
    }
    const auto &r = *s.result;
    auto *in = countItem(r.tokensIn);
    in->setText(QStringLiteral("%1 %2").arg(r.tokensIn).arg(EngineTerms::unitsName(r.unitName)));
    setItem(row, UnitsInColumn, in);
    setItem(row, UnitsOutColumn, countItem(r.tokensOut));
    setItem(row, RateOutColumn, numberItem(r.achievedRate, 3));
    setItem(row, TotalMsColumn, durationItem(r.totalMs));
    setItem(row, ForwardMsColumn, durationItem(r.forwardMs));
    if (s.measured) {
        setItem(row, TargetInColumn, countItem(s.metrics.targetTokensIn));
        setItem(row, TargetOutColumn, countItem(s.metrics.targetTokensOut));
        setItem(row, Rouge1Column, numberItem(s.metrics.rouge1, 3));
        setItem(row, RougeLColumn, numberItem(s.metrics.rougeL, 3));
        setItem(row, BleuColumn, numberItem(s.metrics.bleu, 3));
    } else {
        for (int c : {TargetInColumn, TargetOutColumn, Rouge1Column, RougeLColumn, BleuColumn})
            setItem(row, c, new QTableWidgetItem(QStringLiteral("…")));
    }
    auto *answer = new QTableWidgetItem;
    if (s.answerRequest != 0) {
        answer->setText(tr("asking…"));
    } else if (s.answered && s.answer.error.isEmpty()) {
        answer->setText(s.answer.text.simplified());
        answer->setToolTip(s.answer.text + QStringLiteral("\n\n") +
                           tr("%1 ms").arg(qRound(s.answer.latencyMs)));
    } else if (s.answered) {
        answer->setText(tr("no answer"));
        answer->setToolTip(s.answer.error);
    }
    setItem(row, AnswerColumn, answer);
}

// ---- the output columns
// -----------------------------------------------------------------------------

CompareOutputColumns::CompareOutputColumns(QWidget *parent) : QSplitter(Qt::Horizontal, parent)
{
    setObjectName(QStringLiteral("outputColumns"));
    setChildrenCollapsible(false);
}

void CompareOutputColumns::rebuild(const std::vector<CompareRun> &runs, bool busy)
{
    for (auto &c : m_columns)
        delete c.box;
    m_columns.clear();
    for (std::size_t i = 0; i < runs.size(); ++i) {
        Column c;
        c.box = new QWidget(this);
        auto *v = new QVBoxLayout(c.box);
        v->setContentsMargins(2, 2, 2, 2);
        auto *header = new QHBoxLayout;
        c.title = new QLabel(c.box);
        c.title->setWordWrap(true);
        c.title->setTextFormat(Qt::PlainText);
        QFont bold = c.title->font();
        bold.setBold(true);
        c.title->setFont(bold);
        c.copy = new QPushButton(tr("Copy"), c.box);
        c.copy->setToolTip(tr("Copy this compressed text to the clipboard"));
        c.copy->setEnabled(false);
        header->addWidget(c.title, 1);
        header->addWidget(c.copy);
        c.summary = new QLabel(c.box);
        c.summary->setWordWrap(true);
        c.view = new terse::widgets::WordDiffView(c.box);
        c.view->setObjectName(QStringLiteral("outputView%1").arg(i));
        c.view->setMinimumWidth(150);
        v->addLayout(header);
        v->addWidget(c.summary);
        v->addWidget(c.view, 1);
        addWidget(c.box);
        const int index = static_cast<int>(i);
        connect(c.copy, &QPushButton::clicked, this, [this, index] { emit copyRequested(index); });
        m_columns.push_back(c);
        setRun(index, runs[i], busy);
    }
    QList<int> sizes;
    for (std::size_t i = 0; i < m_columns.size(); ++i)
        sizes << 1000;
    setSizes(sizes);
}

void CompareOutputColumns::setRun(int index, const CompareRun &s, bool busy)
{
    if (index < 0 || index >= count())
        return;
    Column &c = m_columns[static_cast<std::size_t>(index)];
    c.title->setText(s.label);
    c.copy->setEnabled(static_cast<bool>(s.result));
    if (!s.error.isEmpty()) {
        c.summary->setText(tr("Failed."));
        c.view->setMessage(s.error);
    } else if (!s.result) {
        c.summary->setText(busy ? tr("Waiting…") : tr("Not run."));
        c.view->setMessage(busy ? tr("Waiting for its turn…")
                                : tr("Not run: the comparison was cancelled."));
    } else {
        const auto &r = *s.result;
        QString summary = tr("%1 → %2 %3 (%4% kept)")
                              .arg(r.tokensIn)
                              .arg(r.tokensOut)
                              .arg(EngineTerms::unitsName(r.unitName))
                              .arg(100.0 * r.achievedRate, 0, 'f', 1);
        if (s.measured)
            summary += QStringLiteral(" · ") + tr("ROUGE-L %1").arg(s.metrics.rougeL, 0, 'f', 3);
        c.summary->setText(summary);
    }
}

void CompareOutputColumns::updateDiffs(const std::vector<CompareRun> &runs)
{
    QVector<QVector<terse::widgets::DiffWord>> words;
    std::vector<int> index;
    for (std::size_t i = 0; i < runs.size(); ++i)
        if (runs[i].result) {
            words.push_back(wordMarks(*runs[i].result));
            index.push_back(static_cast<int>(i));
        }
    markDisputes(words);
    for (std::size_t k = 0; k < index.size(); ++k)
        if (index[k] < count())
            m_columns[static_cast<std::size_t>(index[k])].view->setWords(
                words[static_cast<qsizetype>(k)]);
}

terse::widgets::WordDiffView *CompareOutputColumns::view(int index) const
{
    return index >= 0 && index < count() ? m_columns[static_cast<std::size_t>(index)].view
                                         : nullptr;
}

QString CompareOutputColumns::title(int index) const
{
    return index >= 0 && index < count() ? m_columns[static_cast<std::size_t>(index)].title->text()
                                         : QString();
}

void CompareOutputColumns::retranslate()
{
    for (auto &c : m_columns)
        c.copy->setText(tr("Copy"));
}

// ---- the Side by Side tab
// ---------------------------------------------------------------------------

CompareSideBySide::CompareSideBySide(QWidget *parent) : QWidget(parent)
{
    auto *sideLayout = new QVBoxLayout(this);
    sideLayout->setContentsMargins(4, 4, 4, 4);
    m_legend = new QLabel(this);
    m_legend->setWordWrap(true);
    m_legend->setTextFormat(Qt::RichText);
    m_export = new QPushButton(this);
    m_export->setObjectName(QStringLiteral("exportComparisonButton"));
    m_ask = new QPushButton(this);
    m_ask->setObjectName(QStringLiteral("compareAskButton"));
    auto *legendRow = new QHBoxLayout;
    legendRow->addWidget(m_legend, 1);
    legendRow->addWidget(m_ask);
    legendRow->addWidget(m_export);
    sideLayout->addLayout(legendRow);
    auto *vsplit = new QSplitter(Qt::Vertical, this);
    // Many outputs scroll sideways instead of widening the window past the screen (issue 20).
    auto *columnsScroll = new QScrollArea(vsplit);
    columnsScroll->setWidgetResizable(true);
    columnsScroll->setFrameShape(QFrame::NoFrame);
    columnsScroll->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_columns = new CompareOutputColumns;
    columnsScroll->setWidget(m_columns);
    m_metrics = new CompareMetricsTable(vsplit);
    vsplit->addWidget(columnsScroll);
    vsplit->addWidget(m_metrics);
    vsplit->setStretchFactor(0, 4);
    vsplit->setStretchFactor(1, 1);
    vsplit->setSizes({560, 150}); // the outputs get the room; the table needs a few rows
    m_metrics->setMinimumHeight(90);
    sideLayout->addWidget(vsplit, 1);
}

void CompareSideBySide::retranslate()
{
    m_export->setText(tr("&Export Comparison…"));
    m_ask->setText(tr("Ask the &Target Model"));
    m_ask->setToolTip(tr(
        "Send the original prompt and every row's compressed prompt to the endpoint of the Answer "
        "Check panel; the answers fill the last column"));
    const bool dark = palette().color(QPalette::Base).lightness() < 128;
    m_legend->setText(
        tr("Compared with the original: <s>struck</s> = dropped, <u>dotted underline</u> = partly "
           "kept, "
           "<span style=\"background:%1\">&nbsp;kept here, dropped by another&nbsp;</span>, "
           "<span style=\"background:%2\">&nbsp;dropped here, kept by another&nbsp;</span>.")
            .arg(terse::widgets::WordDiffView::keptElsewhereDroppedColor(dark).name(),
                 terse::widgets::WordDiffView::droppedElsewhereKeptColor(dark).name()));
    m_metrics->retranslate();
    m_columns->retranslate();
}

} // namespace terse::app
