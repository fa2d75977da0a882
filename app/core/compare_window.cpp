#include "compare_window.h"

#include "engine_terms.h"

#include "answer_panel.h"
#include "cost_model.h"
#include "export_dialog.h"
#include "result_adapter.h"

#include "terse/text_units.h"
#include "terse_widgets/sweep_chart.h"
#include "terse_widgets/word_diff_view.h"

#include <QApplication>
#include <QClipboard>
#include <QDir>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QEvent>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPointer>
#include <QProgressBar>
#include <QPushButton>
#include <QRegularExpression>
#include <QSplitter>
#include <QGuiApplication>
#include <QScreen>
#include <QSettings>
#include <QScrollArea>
#include <QTabWidget>
#include <QTableWidget>
#include <QThreadPool>
#include <QVBoxLayout>

#include <cmath>

namespace terse::app {

namespace {
enum RowColumn { kMethodCol, kRateCol, kModeCol, kParamsCol, kModelCol, kRowColumns };
enum MetricColumn {
    kSettingsCol,
    kUnitsInCol,
    kUnitsOutCol,
    kTargetInCol,
    kTargetOutCol,
    kRateOutCol,
    kRouge1Col,
    kRougeLCol,
    kBleuCol,
    kTotalMsCol,
    kForwardMsCol,
    kAnswerCol,
    kMetricColumns
};
constexpr double kRateEpsilon = 1e-9;

QTableWidgetItem *numberItem(double value, int decimals)
{
    auto *item = new QTableWidgetItem(std::isfinite(value) ? QString::number(value, 'f', decimals)
                                                           : QStringLiteral("—"));
    item->setData(Qt::UserRole, value);
    item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    return item;
}

// A run time shown for people ("3.2 s"); the milliseconds stay in Qt::UserRole like numberItem's value.
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

CompareWindow::CompareWindow(CompressorFactory factory, QWidget *parent)
    : QWidget(parent, Qt::Window), m_factory(factory),
      m_worker(new EngineWorker(std::move(factory), this)), m_pool(new QThreadPool(this))
{
    setObjectName(QStringLiteral("compareWindow"));
    m_pool->setMaxThreadCount(1);
    buildUi();
    retranslate();
    connect(m_worker, &EngineWorker::finished, this,
            [this](quint64 id, ResultHandle r, bool) { onFinished(id, r); });
    connect(m_worker, &EngineWorker::failed, this,
            [this](quint64 id, int code, const QString &message) {
                onFailed(id, EngineTerms::errorText(static_cast<terse::ErrorCode>(code), message));
            });
    connect(m_worker, &EngineWorker::cancelled, this, [this](quint64 id) {
        if (id != m_activeId)
            return;
        m_activeId = 0;
        m_queue.clear();
        m_next = 0;
        m_status->setText(tr("Cancelled; finished runs are kept."));
        maybeFinish();
    });
    connect(m_worker, &EngineWorker::progress, this,
            [this](quint64 id, qint64 done, qint64 total, const QString &stage) {
                if (id != m_activeId || total <= 0 || m_queue.empty())
                    return;
                // Overall progress: finished jobs plus the running job's fraction.
                const double part = static_cast<double>(done) / static_cast<double>(total);
                m_progress->setValue(
                    static_cast<int>(1000.0 * (static_cast<double>(m_next - 1) + part) /
                                     static_cast<double>(m_queue.size())));
                // Row, the engine's stage with its step, and the time left once the pace is known (issue 20).
                QString text = tr("Run %1 of %2: %3 (%4 of %5)")
                                   .arg(m_next)
                                   .arg(m_queue.size())
                                   .arg(EngineTerms::progressStage(stage))
                                   .arg(done)
                                   .arg(total);
                const double overall = (static_cast<double>(m_next - 1) + part) / static_cast<double>(m_queue.size());
                const double elapsed = static_cast<double>(m_batchTimer.elapsed());
                if (overall > 0 && overall < 1 && elapsed > 1500)
                    text += QStringLiteral(" · ") + tr("about %1 left").arg(formatDuration(elapsed * (1 - overall) / overall));
                m_status->setText(text);
            });
    fitToScreen(QSize(1300, 820));
}

void CompareWindow::fitToScreen(QSize wanted)
{
    // Within the available screen (a 1,600 px laptop screen, or the 800 px offscreen test screen).
    const QScreen *scr = screen() ? screen() : QGuiApplication::primaryScreen();
    if (!scr)
        return resize(wanted);
    const QRect avail = scr->availableGeometry();
    resize(std::min(wanted.width(), avail.width() * 95 / 100), std::min(wanted.height(), avail.height() * 9 / 10));
}

CompareWindow::~CompareWindow()
{
    ++m_generation;
    m_pool->clear();
    m_pool->waitForDone(); // the tasks post back to this object: they must end before it does
}

void CompareWindow::buildUi()
{
    auto *outer = new QVBoxLayout(this);

    // Settings rows.
    m_rows = new QTableWidget(0, kRowColumns, this);
    m_rows->setObjectName(QStringLiteral("settingsTable"));
    m_rows->verticalHeader()->setVisible(true);
    m_rows->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_rows->horizontalHeader()->setSectionResizeMode(kMethodCol, QHeaderView::ResizeToContents);
    m_rows->horizontalHeader()->setSectionResizeMode(kRateCol, QHeaderView::ResizeToContents);
    m_rows->horizontalHeader()->setSectionResizeMode(kModeCol, QHeaderView::ResizeToContents);
    m_rows->horizontalHeader()->setSectionResizeMode(kParamsCol, QHeaderView::Stretch);
    m_rows->horizontalHeader()->setSectionResizeMode(kModelCol, QHeaderView::Stretch);
    m_rows->setMinimumHeight(110);
    m_addCurrent = new QPushButton(this);
    m_addCurrent->setObjectName(QStringLiteral("addCurrentButton"));
    m_addRow = new QPushButton(this);
    m_remove = new QPushButton(this);
    m_compare = new QPushButton(this);
    m_compare->setObjectName(QStringLiteral("compareButton"));
    m_compare->setDefault(true);
    m_cancel = new QPushButton(this);
    m_cancel->setObjectName(QStringLiteral("compareCancelButton"));
    m_cancel->setEnabled(false);
    auto *rowButtons = new QHBoxLayout;
    rowButtons->addWidget(m_addCurrent);
    rowButtons->addWidget(m_addRow);
    rowButtons->addWidget(m_remove);
    rowButtons->addStretch(1);
    rowButtons->addWidget(m_compare);
    rowButtons->addWidget(m_cancel);

    m_error = new QLabel(this);
    m_error->setObjectName(QStringLiteral("compareError"));
    m_error->setWordWrap(true);
    m_error->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_error->setStyleSheet(
        QStringLiteral("QLabel { background: #fde2e1; color: #7a1212; border: 1px solid #e7a3a0;"
                       " border-radius: 4px; padding: 6px; }"));
    m_error->hide();

    // Side by side: output columns over the metrics table.
    auto *sideBySide = new QWidget(this);
    auto *sideLayout = new QVBoxLayout(sideBySide);
    sideLayout->setContentsMargins(4, 4, 4, 4);
    m_legend = new QLabel(sideBySide);
    m_legend->setWordWrap(true);
    m_legend->setTextFormat(Qt::RichText);
    m_export = new QPushButton(sideBySide);
    m_export->setObjectName(QStringLiteral("exportComparisonButton"));
    m_ask = new QPushButton(sideBySide);
    m_ask->setObjectName(QStringLiteral("compareAskButton"));
    m_chat = new ChatClient(this);
    auto *legendRow = new QHBoxLayout;
    legendRow->addWidget(m_legend, 1);
    legendRow->addWidget(m_ask);
    legendRow->addWidget(m_export);
    sideLayout->addLayout(legendRow);
    auto *vsplit = new QSplitter(Qt::Vertical, sideBySide);
    // Many outputs scroll sideways instead of widening the window past the screen (issue 20).
    auto *columnsScroll = new QScrollArea(vsplit);
    columnsScroll->setWidgetResizable(true);
    columnsScroll->setFrameShape(QFrame::NoFrame);
    columnsScroll->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_columns = new QSplitter(Qt::Horizontal);
    m_columns->setObjectName(QStringLiteral("outputColumns"));
    m_columns->setChildrenCollapsible(false);
    columnsScroll->setWidget(m_columns);
    m_metrics = new QTableWidget(0, kMetricColumns, vsplit);
    m_metrics->setObjectName(QStringLiteral("metricsTable"));
    m_metrics->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_metrics->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_metrics->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_metrics->horizontalHeader()->setSectionResizeMode(kSettingsCol, QHeaderView::Stretch);
    // Answers can be long: a column of fixed width (full text in the tooltip) keeps the window on screen.
    m_metrics->horizontalHeader()->setSectionResizeMode(kAnswerCol, QHeaderView::Interactive);
    m_metrics->setColumnWidth(kAnswerCol, 240);
    m_metrics->verticalHeader()->setVisible(false);
    m_metrics->setWordWrap(false);
    vsplit->addWidget(columnsScroll);
    vsplit->addWidget(m_metrics);
    vsplit->setStretchFactor(0, 4);
    vsplit->setStretchFactor(1, 1);
    vsplit->setSizes({560, 150}); // the outputs get the room; the table needs a few rows
    m_metrics->setMinimumHeight(90);
    sideLayout->addWidget(vsplit, 1);

    // Rate sweep.
    auto *sweep = new QWidget(this);
    auto *sweepLayout = new QVBoxLayout(sweep);
    sweepLayout->setContentsMargins(4, 4, 4, 4);
    auto *sweepControls = new QHBoxLayout;
    m_ratesLabel = new QLabel(sweep);
    m_rates = new QLineEdit(QStringLiteral("0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9"), sweep);
    m_rates->setObjectName(QStringLiteral("sweepRates"));
    m_ratesLabel->setBuddy(m_rates);
    m_metricLabel = new QLabel(sweep);
    m_metricCombo = new QComboBox(sweep);
    m_metricCombo->setObjectName(QStringLiteral("sweepMetric"));
    m_metricCombo->addItem(QStringLiteral("ROUGE-L"), static_cast<int>(FidelityMetric::RougeL));
    m_metricCombo->addItem(QStringLiteral("ROUGE-1"), static_cast<int>(FidelityMetric::Rouge1));
    m_metricCombo->addItem(QStringLiteral("BLEU"), static_cast<int>(FidelityMetric::Bleu));
    m_metricLabel->setBuddy(m_metricCombo);
    m_sweep = new QPushButton(sweep);
    m_sweep->setObjectName(QStringLiteral("sweepButton"));
    m_exportChart = new QPushButton(sweep);
    m_exportChart->setObjectName(QStringLiteral("exportChartButton"));
    sweepControls->addWidget(m_ratesLabel);
    sweepControls->addWidget(m_rates, 1);
    sweepControls->addSpacing(12);
    sweepControls->addWidget(m_metricLabel);
    sweepControls->addWidget(m_metricCombo);
    m_axisCombo = new QComboBox(sweep);
    m_axisCombo->setObjectName(QStringLiteral("sweepAxis"));
    m_axisCombo->addItem(QString(), static_cast<int>(SweepAxis::Rate));
    m_axisCombo->addItem(QString(), static_cast<int>(SweepAxis::Saving));
    sweepControls->addWidget(m_axisCombo);
    sweepControls->addSpacing(12);
    sweepControls->addWidget(m_sweep);
    sweepControls->addWidget(m_exportChart);
    sweepLayout->addLayout(sweepControls);
    m_chart = new terse::widgets::SweepChart(sweep);
    m_chart->setObjectName(QStringLiteral("sweepChart"));
    sweepLayout->addWidget(m_chart, 1);

    m_tabs = new QTabWidget(this);
    m_tabs->addTab(sideBySide, QString());
    m_tabs->addTab(sweep, QString());

    auto *split = new QSplitter(Qt::Vertical, this);
    auto *top = new QWidget(split);
    auto *topLayout = new QVBoxLayout(top);
    topLayout->setContentsMargins(0, 0, 0, 0);
    topLayout->addWidget(m_rows, 1);
    topLayout->addLayout(rowButtons);
    topLayout->addWidget(m_error);
    split->addWidget(top);
    split->addWidget(m_tabs);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 4);
    split->setSizes({170, 650});
    outer->addWidget(split, 1);

    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("compareStatus"));
    m_progress = new QProgressBar(this);
    m_progress->setRange(0, 1000);
    m_progress->setMaximumWidth(240);
    m_progress->setTextVisible(false);
    m_progress->hide();
    auto *statusRow = new QHBoxLayout;
    statusRow->addWidget(m_status, 1);
    statusRow->addWidget(m_progress);
    outer->addLayout(statusRow);

    connect(m_addCurrent, &QPushButton::clicked, this, &CompareWindow::addCurrentSettings);
    connect(m_addRow, &QPushButton::clicked, this, [this] {
        terse::CompressOptions o = m_optionsSource ? m_optionsSource() : terse::CompressOptions{};
        o.method = "random";
        o.params.clear();
        addSettings(o);
    });
    connect(m_remove, &QPushButton::clicked, this, [this] {
        const auto rows = m_rows->selectionModel()->selectedRows();
        int row = rows.isEmpty() ? m_rows->currentRow() : rows.first().row();
        if (row < 0)
            row = m_rows->rowCount() - 1;
        removeSettings(row);
    });
    connect(m_compare, &QPushButton::clicked, this, &CompareWindow::runComparison);
    connect(m_sweep, &QPushButton::clicked, this, [this] { runSweep(); });
    connect(m_cancel, &QPushButton::clicked, this, &CompareWindow::cancel);
    connect(m_export, &QPushButton::clicked, this, &CompareWindow::exportComparison);
    connect(m_ask, &QPushButton::clicked, this, &CompareWindow::askTargetModel);
    connect(m_chat, &ChatClient::answered, this, [this](quint64 id, const ChatReply &reply) {
        if (id == m_originalRequest) {
            m_originalRequest = 0;
            m_originalAnswer = reply;
        }
        for (std::size_t i = 0; i < m_slots.size(); ++i)
            if (m_slots[i].answerRequest == id) {
                m_slots[i].answerRequest = 0;
                m_slots[i].answer = reply;
                m_slots[i].answered = true;
                updateMetricsRow(static_cast<int>(i));
            }
        if (m_chat->inFlight() == 0) {
            m_ask->setEnabled(true);
            m_status->setText(m_originalAnswer.error.isEmpty()
                                  ? tr("The original prompt's answer: %1").arg(m_originalAnswer.text.simplified())
                                  : tr("The original prompt got no answer: %1").arg(m_originalAnswer.error));
            emit answersFinished();
        }
    });
    connect(m_exportChart, &QPushButton::clicked, this, &CompareWindow::exportChart);
    connect(m_metricCombo, &QComboBox::currentIndexChanged, this, &CompareWindow::updateChart);
    connect(m_axisCombo, &QComboBox::currentIndexChanged, this, &CompareWindow::updateChart);
}

void CompareWindow::retranslate()
{
    setWindowTitle(tr("Compare Methods — Terse Studio"));
    m_rows->setHorizontalHeaderLabels({tr("Method"), tr("Rate"), tr("Mode"),
                                       tr("Parameters (name=value; …)"),
                                       tr("Model (empty: the method's default)")});
    m_addCurrent->setText(tr("Add &Current Settings"));
    m_addCurrent->setToolTip(
        tr("Add a row with the main window's method, rate, parameters and model"));
    m_addRow->setText(tr("&Add Method"));
    m_remove->setText(tr("&Remove"));
    m_remove->setToolTip(tr("Remove the selected row"));
    m_compare->setText(tr("Co&mpare"));
    m_compare->setToolTip(tr("Run every row on the main window's prompt and compare the outputs"));
    m_cancel->setText(tr("Cancel"));
    m_cancel->setToolTip(tr("Stop the running job; finished runs are kept"));
    m_export->setText(tr("&Export Comparison…"));
    m_ask->setText(tr("Ask the &Target Model"));
    m_ask->setToolTip(tr("Send the original prompt and every row's compressed prompt to the endpoint of the Answer "
                         "Check panel; the answers fill the last column"));
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
    m_axisCombo->setToolTip(tr("Money saved per 1,000 calls uses the input price of the Cost panel's target model"));
    m_tabs->setTabText(0, tr("Side by Side"));
    m_tabs->setTabText(1, tr("Rate Sweep"));
    const bool dark = palette().color(QPalette::Base).lightness() < 128;
    m_legend->setText(
        tr("Compared with the original: <s>struck</s> = dropped, <u>dotted underline</u> = partly "
           "kept, "
           "<span style=\"background:%1\">&nbsp;kept here, dropped by another&nbsp;</span>, "
           "<span style=\"background:%2\">&nbsp;dropped here, kept by another&nbsp;</span>.")
            .arg(terse::widgets::WordDiffView::keptElsewhereDroppedColor(dark).name(),
                 terse::widgets::WordDiffView::droppedElsewhereKeptColor(dark).name()));
    m_metrics->setHorizontalHeaderLabels({tr("Settings"), tr("Units in"), tr("Units out"),
                                          tr("Target tokens in"), tr("Target tokens out"),
                                          tr("Achieved rate"), tr("ROUGE-1"), tr("ROUGE-L"),
                                          tr("BLEU"), tr("Total time"), tr("Model time"), tr("Target answer")});
    m_metrics->horizontalHeaderItem(kUnitsInCol)
        ->setToolTip(tr("Units the method decided on (tokens, words, …) before compression"));
    m_metrics->horizontalHeaderItem(kRateOutCol)
        ->setToolTip(tr("Kept units / original units, in the method's own unit"));
    m_metrics->horizontalHeaderItem(kTargetInCol)
        ->setToolTip(tr("Length in the target LLM's tokenizer (cl100k_base unless set)"));
    m_metrics->horizontalHeaderItem(kRouge1Col)
        ->setToolTip(tr("ROUGE-1 F1 of the compressed text against the original prompt"));
    m_metrics->horizontalHeaderItem(kRougeLCol)
        ->setToolTip(tr("ROUGE-L F1 of the compressed text against the original prompt"));
    m_metrics->horizontalHeaderItem(kBleuCol)->setToolTip(
        tr("Sentence BLEU-4 of the compressed text against the original prompt"));
    m_metrics->horizontalHeaderItem(kForwardMsCol)
        ->setToolTip(tr("Time spent in model forward passes"));
    for (auto &o : m_outputs)
        o.copy->setText(tr("Copy"));
    if (m_status->text().isEmpty() || m_mode == Mode::Idle)
        m_status->setText(tr("Add methods or settings, then press Compare or Run Sweep."));
    updateChart();
}

void CompareWindow::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange && m_rows)
        retranslate();
    QWidget::changeEvent(event);
}

// ---- settings rows ----------------------------------------------------------------------------

void CompareWindow::addSettings(const terse::CompressOptions &options)
{
    addRow(options);
}

void CompareWindow::addCurrentSettings()
{
    if (m_optionsSource)
        addRow(m_optionsSource());
}

void CompareWindow::addRow(const terse::CompressOptions &options)
{
    const int row = m_rows->rowCount();
    m_rows->insertRow(row);
    auto *method = new QComboBox(m_rows);
    for (const auto &m : terse::availableMethods()) {
        method->addItem(QString::fromStdString(m.displayName), QString::fromStdString(m.name));
        method->setItemData(method->count() - 1, QString::fromStdString(m.description),
                            Qt::ToolTipRole);
    }
    if (method->findData(QString::fromStdString(options.method)) <
        0) // a method the factory alone knows
        method->addItem(QString::fromStdString(options.method),
                        QString::fromStdString(options.method));
    method->setCurrentIndex(method->findData(QString::fromStdString(options.method)));
    auto *rate = new QDoubleSpinBox(m_rows);
    rate->setRange(0.001, 1.0);
    rate->setDecimals(3);
    rate->setSingleStep(0.05);
    rate->setValue(options.rate);
    auto *mode = new QComboBox(m_rows);
    mode->addItem(tr("corrected"), QStringLiteral("corrected"));
    mode->addItem(tr("reference"), QStringLiteral("reference"));
    mode->setCurrentIndex(options.mode == terse::CompressionMode::Reference ? 1 : 0);
    auto *params = new QLineEdit(formatParams(options.params), m_rows);
    params->setPlaceholderText(tr("defaults"));
    auto *model = new QLineEdit(QString::fromStdString(options.model), m_rows);
    model->setPlaceholderText(tr("method default"));
    m_rows->setCellWidget(row, kMethodCol, method);
    m_rows->setCellWidget(row, kRateCol, rate);
    m_rows->setCellWidget(row, kModeCol, mode);
    m_rows->setCellWidget(row, kParamsCol, params);
    m_rows->setCellWidget(row, kModelCol, model);
    terse::CompressOptions base = options;
    base.targetTokens = -1;
    m_rowBase.push_back(base);
}

void CompareWindow::removeSettings(int row)
{
    if (row < 0 || row >= m_rows->rowCount())
        return;
    m_rows->removeRow(row);
    m_rowBase.erase(m_rowBase.begin() + row);
}

void CompareWindow::clearSettings()
{
    m_rows->setRowCount(0);
    m_rowBase.clear();
}

int CompareWindow::settingsCount() const
{
    return m_rows->rowCount();
}

bool CompareWindow::settingsAt(int row, terse::CompressOptions *options, QString *error) const
{
    if (row < 0 || row >= m_rows->rowCount())
        return false;
    terse::CompressOptions o = m_rowBase[static_cast<std::size_t>(row)];
    o.method = qobject_cast<QComboBox *>(m_rows->cellWidget(row, kMethodCol))
                   ->currentData()
                   .toString()
                   .toStdString();
    o.rate = qobject_cast<QDoubleSpinBox *>(m_rows->cellWidget(row, kRateCol))->value();
    o.mode = qobject_cast<QComboBox *>(m_rows->cellWidget(row, kModeCol))->currentIndex() == 1
                 ? terse::CompressionMode::Reference
                 : terse::CompressionMode::Corrected;
    o.model = qobject_cast<QLineEdit *>(m_rows->cellWidget(row, kModelCol))
                  ->text()
                  .trimmed()
                  .toStdString();
    QString bad;
    if (!parseParams(qobject_cast<QLineEdit *>(m_rows->cellWidget(row, kParamsCol))->text(),
                     &o.params, &bad)) {
        if (error)
            *error = tr("Row %1: the parameter “%2” is not of the form name=value.")
                         .arg(row + 1)
                         .arg(bad);
        return false;
    }
    *options = std::move(o);
    return true;
}

bool CompareWindow::collectSettings(std::vector<terse::CompressOptions> *out)
{
    out->clear();
    if (m_rows->rowCount() == 0) {
        showError(tr("Nothing to compare: add a method or the current settings first."));
        return false;
    }
    for (int r = 0; r < m_rows->rowCount(); ++r) {
        terse::CompressOptions o;
        QString error;
        if (!settingsAt(r, &o, &error)) {
            showError(error);
            return false;
        }
        out->push_back(std::move(o));
    }
    return true;
}

bool CompareWindow::parseRates(const QString &text, QVector<double> *rates)
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

// ---- running ----------------------------------------------------------------------------------

bool CompareWindow::isBusy() const
{
    return m_mode != Mode::Idle;
}

bool CompareWindow::runComparison()
{
    if (isBusy()) {
        showError(tr("A comparison or sweep is running: wait for it or cancel it first."));
        return false;
    }
    std::vector<terse::CompressOptions> settings;
    if (!collectSettings(&settings))
        return false;
    std::vector<Job> jobs;
    std::vector<Slot> newSlots;
    for (std::size_t i = 0; i < settings.size(); ++i) {
        jobs.push_back(Job{static_cast<int>(i), settings[i]});
        Slot s;
        s.label = settingsLabel(settings[i]);
        s.options = settings[i];
        newSlots.push_back(std::move(s));
    }
    if (!startJobs(Mode::Compare, std::move(jobs)))
        return false;
    m_slots = std::move(newSlots);
    rebuildOutputs();
    m_tabs->setCurrentIndex(0);
    return true;
}

bool CompareWindow::runSweep(const QVector<double> &ratesIn)
{
    if (isBusy()) {
        showError(tr("A comparison or sweep is running: wait for it or cancel it first."));
        return false;
    }
    QVector<double> rates = ratesIn;
    if (rates.isEmpty() && !parseRates(m_rates->text(), &rates)) {
        showError(tr("The rates “%1” are not a list of numbers in (0, 1] such as “0.1, 0.5, 0.9” "
                     "or a range "
                     "such as “0.1:0.9:0.1”.")
                      .arg(m_rates->text()));
        return false;
    }
    std::vector<terse::CompressOptions> settings;
    if (!collectSettings(&settings))
        return false;
    std::vector<Job> jobs;
    std::vector<SweepSeries> series;
    // Row by row, so that a method that can re-decide from cached scores runs its model once.
    for (std::size_t i = 0; i < settings.size(); ++i) {
        terse::CompressOptions base = settings[i];
        SweepSeries s;
        QString label = QString::fromStdString(base.method);
        if (base.mode == terse::CompressionMode::Reference)
            label += QStringLiteral(" · ") + tr("reference");
        if (!base.params.empty())
            label += QStringLiteral(" · ") + formatParams(base.params);
        s.label = label;
        series.push_back(std::move(s));
        for (double r : rates) {
            terse::CompressOptions o = base;
            o.rate = std::min(1.0, r);
            jobs.push_back(Job{static_cast<int>(i), o});
        }
    }
    if (!startJobs(Mode::Sweep, std::move(jobs)))
        return false;
    m_series = std::move(series);
    updateChart();
    m_tabs->setCurrentIndex(1);
    return true;
}

bool CompareWindow::startJobs(Mode mode, std::vector<Job> jobs)
{
    clearError();
    const QString text = m_promptSource ? m_promptSource() : QString();
    const QByteArray utf8 = text.toUtf8();
    if (auto v = terse::validatePromptText(
            std::string_view(utf8.constData(), static_cast<std::size_t>(utf8.size())));
        !v) {
        showError(text.trimmed().isEmpty()
                      ? tr("The prompt is empty: paste or open some text in the main window first.")
                      : tr("The prompt cannot be compressed: %1")
                            .arg(QString::fromStdString(v.error().detail)));
        return false;
    }
    ++m_generation; // metrics still being computed for an earlier run are ignored
    m_pendingMeasures = 0;
    m_prompt = terse::Prompt::fromText(utf8.toStdString());
    m_worker->invalidateCache(); // the prompt may have changed since the last run
    m_mode = mode;
    m_queue = std::move(jobs);
    m_next = 0;
    m_batchTimer.start();
    setBusy(true);
    submitNext();
    return true;
}

void CompareWindow::submitNext()
{
    if (m_next >= m_queue.size()) {
        m_activeId = 0;
        maybeFinish();
        return;
    }
    const Job &job = m_queue[m_next++];
    m_activeSlot = job.slot;
    m_progress->setValue(static_cast<int>(1000.0 * static_cast<double>(m_next - 1) /
                                          static_cast<double>(m_queue.size())));
    m_status->setText(
        tr("Run %1 of %2: %3…").arg(m_next).arg(m_queue.size()).arg(settingsLabel(job.options)));
    // A comparison reports each row's own time, so no row re-decides from another row's cached scores;
    // a sweep may (its rates differ only in the threshold) and so runs each model once per row.
    if (m_mode == Mode::Compare)
        m_worker->invalidateCache();
    m_activeId = m_worker->submit(m_prompt, job.options);
}

void CompareWindow::onFinished(quint64 id, const ResultHandle &result)
{
    if (id != m_activeId)
        return;
    const Job &job = m_queue[m_next - 1];
    if (m_mode == Mode::Compare) {
        Slot &s = m_slots[static_cast<std::size_t>(job.slot)];
        s.result = result;
        updateOutput(job.slot);
        updateDiffs();
        updateMetricsRow(job.slot);
    }
    measure(job.slot, result, job.options.rate);
    submitNext();
}

void CompareWindow::onFailed(quint64 id, const QString &message)
{
    if (id != m_activeId)
        return;
    const Job &job = m_queue[m_next - 1];
    const QString text = tr("%1 failed: %2").arg(settingsLabel(job.options), message);
    if (m_mode == Mode::Compare) {
        m_slots[static_cast<std::size_t>(job.slot)].error = message;
        updateOutput(job.slot);
        updateMetricsRow(job.slot);
        emit runShown(job.slot);
    }
    showError(m_error->isHidden() ? text : m_error->text() + QLatin1Char('\n') + text);
    submitNext();
}

void CompareWindow::measure(int slot, const ResultHandle &result, double requestedRate)
{
    ++m_pendingMeasures;
    const int generation = m_generation;
    const std::string tokenizer =
        m_queue.empty() ? std::string("cl100k_base") : m_queue[m_next - 1].options.targetTokenizer;
    QPointer<CompareWindow> self(this);
    m_pool->start([self, generation, slot, result, requestedRate, tokenizer] {
        const RunMetrics m = measureResult(*result, tokenizer);
        // The destructor waits for this task, so `self` cannot go away between the check and the
        // post.
        if (self)
            QMetaObject::invokeMethod(
                self.data(),
                [self, generation, slot, result, requestedRate, m] {
                    if (self)
                        self->onMeasured(generation, slot, requestedRate, result, m);
                },
                Qt::QueuedConnection);
    });
}

void CompareWindow::onMeasured(int generation, int slot, double requestedRate,
                               const ResultHandle &result, const RunMetrics &m)
{
    if (generation != m_generation)
        return;
    --m_pendingMeasures;
    if (m_mode == Mode::Compare) {
        if (slot >= 0 && slot < static_cast<int>(m_slots.size())) {
            m_slots[static_cast<std::size_t>(slot)].metrics = m;
            m_slots[static_cast<std::size_t>(slot)].measured = true;
            updateMetricsRow(slot);
            updateOutput(slot);
            emit runShown(slot);
        }
    } else if (slot >= 0 && slot < static_cast<int>(m_series.size())) {
        m_series[static_cast<std::size_t>(slot)].points.push_back(
            SweepPoint{requestedRate, result->achievedRate, m});
        updateChart();
    }
    maybeFinish();
}

void CompareWindow::maybeFinish()
{
    if (m_mode == Mode::Idle || m_activeId != 0 || m_next < m_queue.size() || m_pendingMeasures > 0)
        return;
    const Mode mode = m_mode;
    m_mode = Mode::Idle;
    setBusy(false);
    if (mode == Mode::Compare)
        for (std::size_t i = 0; i < m_slots.size(); ++i)
            if (!m_slots[i].result) { // cancelled before its turn
                updateOutput(static_cast<int>(i));
                updateMetricsRow(static_cast<int>(i));
            }
    if (!m_queue.empty())
        m_status->setText(
            mode == Mode::Compare
                ? tr("Compared %n run(s).", nullptr, static_cast<int>(m_slots.size()))
                : tr("Sweep finished: %n run(s).", nullptr, static_cast<int>(m_queue.size())));
    if (mode == Mode::Compare)
        emit comparisonFinished();
    else
        emit sweepFinished();
}

void CompareWindow::cancel()
{
    if (!isBusy())
        return;
    m_queue.resize(m_next); // drop the queued jobs; the running one ends with cancelled()
    if (m_activeId != 0) {
        m_worker->cancel();
        m_status->setText(tr("Cancelling…"));
    } else {
        maybeFinish();
    }
}

void CompareWindow::setBusy(bool busy)
{
    m_cancel->setEnabled(busy);
    m_compare->setEnabled(!busy);
    m_sweep->setEnabled(!busy);
    m_addCurrent->setEnabled(!busy);
    m_addRow->setEnabled(!busy);
    m_remove->setEnabled(!busy);
    m_progress->setVisible(busy);
    if (busy)
        m_progress->setValue(0);
}

// ---- showing results --------------------------------------------------------------------------

void CompareWindow::rebuildOutputs()
{
    for (auto &o : m_outputs)
        delete o.box;
    m_outputs.clear();
    for (std::size_t i = 0; i < m_slots.size(); ++i) {
        Output o;
        o.box = new QWidget(m_columns);
        auto *v = new QVBoxLayout(o.box);
        v->setContentsMargins(2, 2, 2, 2);
        auto *header = new QHBoxLayout;
        o.title = new QLabel(o.box);
        o.title->setWordWrap(true);
        o.title->setTextFormat(Qt::PlainText);
        QFont bold = o.title->font();
        bold.setBold(true);
        o.title->setFont(bold);
        o.copy = new QPushButton(tr("Copy"), o.box);
        o.copy->setToolTip(tr("Copy this compressed text to the clipboard"));
        o.copy->setEnabled(false);
        header->addWidget(o.title, 1);
        header->addWidget(o.copy);
        o.summary = new QLabel(o.box);
        o.summary->setWordWrap(true);
        o.view = new terse::widgets::WordDiffView(o.box);
        o.view->setObjectName(QStringLiteral("outputView%1").arg(i));
        o.view->setMinimumWidth(150);
        v->addLayout(header);
        v->addWidget(o.summary);
        v->addWidget(o.view, 1);
        m_columns->addWidget(o.box);
        const int index = static_cast<int>(i);
        connect(o.copy, &QPushButton::clicked, this, [this, index] { copyOutput(index); });
        m_outputs.push_back(o);
        updateOutput(index);
    }
    QList<int> sizes;
    for (std::size_t i = 0; i < m_outputs.size(); ++i)
        sizes << 1000;
    m_columns->setSizes(sizes);
    m_metrics->setRowCount(static_cast<int>(m_slots.size()));
    for (std::size_t i = 0; i < m_slots.size(); ++i)
        updateMetricsRow(static_cast<int>(i));
}

void CompareWindow::updateOutput(int slot)
{
    if (slot < 0 || slot >= static_cast<int>(m_outputs.size()))
        return;
    const Slot &s = m_slots[static_cast<std::size_t>(slot)];
    Output &o = m_outputs[static_cast<std::size_t>(slot)];
    o.title->setText(s.label);
    o.copy->setEnabled(static_cast<bool>(s.result));
    if (!s.error.isEmpty()) {
        o.summary->setText(tr("Failed."));
        o.view->setMessage(s.error);
    } else if (!s.result) {
        o.summary->setText(isBusy() ? tr("Waiting…") : tr("Not run."));
        o.view->setMessage(isBusy() ? tr("Waiting for its turn…")
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
        o.summary->setText(summary);
    }
}

void CompareWindow::updateDiffs()
{
    QVector<QVector<terse::widgets::DiffWord>> words;
    std::vector<int> index;
    for (std::size_t i = 0; i < m_slots.size(); ++i)
        if (m_slots[i].result) {
            words.push_back(wordMarks(*m_slots[i].result));
            index.push_back(static_cast<int>(i));
        }
    markDisputes(words);
    for (std::size_t k = 0; k < index.size(); ++k)
        m_outputs[static_cast<std::size_t>(index[k])].view->setWords(
            words[static_cast<qsizetype>(k)]);
}

void CompareWindow::updateMetricsRow(int slot)
{
    if (slot < 0 || slot >= m_metrics->rowCount())
        return;
    const Slot &s = m_slots[static_cast<std::size_t>(slot)];
    auto *label = new QTableWidgetItem(s.label);
    label->setToolTip(s.label);
    m_metrics->setItem(slot, kSettingsCol, label);
    if (!s.result) {
        const QString text = !s.error.isEmpty() ? tr("failed")
                             : isBusy()         ? tr("waiting")
                                                : tr("not run");
        for (int c = kUnitsInCol; c < kMetricColumns; ++c) {
            auto *item = new QTableWidgetItem(c == kUnitsInCol ? text : QString());
            if (!s.error.isEmpty())
                item->setToolTip(s.error);
            m_metrics->setItem(slot, c, item);
        }
        return;
    }
    const auto &r = *s.result;
    auto *in = countItem(r.tokensIn);
    in->setText(QStringLiteral("%1 %2s").arg(r.tokensIn).arg(QString::fromStdString(r.unitName)));
    m_metrics->setItem(slot, kUnitsInCol, in);
    m_metrics->setItem(slot, kUnitsOutCol, countItem(r.tokensOut));
    m_metrics->setItem(slot, kRateOutCol, numberItem(r.achievedRate, 3));
    m_metrics->setItem(slot, kTotalMsCol, durationItem(r.totalMs));
    m_metrics->setItem(slot, kForwardMsCol, durationItem(r.forwardMs));
    if (s.measured) {
        m_metrics->setItem(slot, kTargetInCol, countItem(s.metrics.targetTokensIn));
        m_metrics->setItem(slot, kTargetOutCol, countItem(s.metrics.targetTokensOut));
        m_metrics->setItem(slot, kRouge1Col, numberItem(s.metrics.rouge1, 3));
        m_metrics->setItem(slot, kRougeLCol, numberItem(s.metrics.rougeL, 3));
        m_metrics->setItem(slot, kBleuCol, numberItem(s.metrics.bleu, 3));
    } else {
        for (int c : {kTargetInCol, kTargetOutCol, kRouge1Col, kRougeLCol, kBleuCol})
            m_metrics->setItem(slot, c, new QTableWidgetItem(QStringLiteral("…")));
    }
    auto *answer = new QTableWidgetItem;
    if (s.answerRequest != 0)
        answer->setText(tr("asking…"));
    else if (s.answered && s.answer.error.isEmpty()) {
        answer->setText(s.answer.text.simplified());
        answer->setToolTip(s.answer.text + QStringLiteral("\n\n") +
                           tr("%1 ms").arg(qRound(s.answer.latencyMs)));
    } else if (s.answered) {
        answer->setText(tr("no answer"));
        answer->setToolTip(s.answer.error);
    }
    m_metrics->setItem(slot, kAnswerCol, answer);
}

bool CompareWindow::askTargetModel()
{
    const ChatSettings settings = storedChatSettings();
    const terse::CompressionResult *first = nullptr;
    for (const auto &s : m_slots)
        if (s.result) {
            first = s.result.get();
            break;
        }
    if (!first) {
        m_status->setText(tr("Compare first: the check asks the target model with every row's compressed prompt."));
        return false;
    }
    if (settings.endpoint.isEmpty()) {
        m_status->setText(tr("Set the endpoint and model in the Answer Check panel first (Run → Ask the Target Model)."));
        return false;
    }
    m_chat->cancelAll();
    QStringList parts;
    for (const auto &seg : first->segments)
        parts << QString::fromStdString(seg.text);
    m_originalAnswer = {};
    m_originalRequest = m_chat->ask(settings, parts.join(QStringLiteral("\n\n")));
    for (std::size_t i = 0; i < m_slots.size(); ++i) {
        Slot &s = m_slots[i];
        s.answered = false;
        s.answer = {};
        s.answerRequest = s.result ? m_chat->ask(settings, QString::fromStdString(s.result->compressedText)) : 0;
        updateMetricsRow(static_cast<int>(i));
    }
    m_ask->setEnabled(false);
    m_status->setText(tr("Asking %1 with the original and %n compressed prompt(s)…", nullptr,
                         static_cast<int>(m_slots.size()))
                          .arg(settings.model));
    return true;
}

void CompareWindow::setSweepMetric(FidelityMetric metric)
{
    m_metricCombo->setCurrentIndex(m_metricCombo->findData(static_cast<int>(metric)));
}

FidelityMetric CompareWindow::sweepMetric() const
{
    return static_cast<FidelityMetric>(m_metricCombo->currentData().toInt());
}

void CompareWindow::setSweepAxis(SweepAxis axis) { m_axisCombo->setCurrentIndex(m_axisCombo->findData(static_cast<int>(axis))); }

void CompareWindow::updateChart()
{
    const FidelityMetric metric = sweepMetric();
    const bool saving = static_cast<SweepAxis>(m_axisCombo->currentData().toInt()) == SweepAxis::Saving;
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
                c.x.push_back(estimateCost(p.metrics.targetTokensIn, p.metrics.targetTokensOut, 0, target).savedPer1kCalls);
            } else {
                c.x.push_back(counted ? static_cast<double>(p.metrics.targetTokensOut) /
                                            static_cast<double>(p.metrics.targetTokensIn)
                                      : p.achieved);
            }
            c.y.push_back(metricValue(p.metrics, metric));
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

// ---- output -----------------------------------------------------------------------------------

terse::widgets::WordDiffView *CompareWindow::outputView(int index) const
{
    return index >= 0 && index < outputCount() ? m_outputs[static_cast<std::size_t>(index)].view
                                               : nullptr;
}

QString CompareWindow::outputTitle(int index) const
{
    return index >= 0 && index < outputCount()
               ? m_outputs[static_cast<std::size_t>(index)].title->text()
               : QString();
}

std::vector<ExportEntry> CompareWindow::entries() const
{
    std::vector<ExportEntry> out;
    for (const auto &s : m_slots) {
        if (!s.result)
            continue;
        ExportEntry e;
        e.label = s.label;
        e.options = s.options;
        e.hasOptions = true;
        e.result = s.result;
        e.metrics = s.measured ? s.metrics : measureResult(*s.result, s.options.targetTokenizer);
        out.push_back(std::move(e));
    }
    return out;
}

bool CompareWindow::copyOutput(int index)
{
    if (index < 0 || index >= static_cast<int>(m_slots.size()) ||
        !m_slots[static_cast<std::size_t>(index)].result)
        return false;
    QApplication::clipboard()->setText(
        QString::fromStdString(m_slots[static_cast<std::size_t>(index)].result->compressedText));
    m_status->setText(tr("Copied the compressed text of “%1”.")
                          .arg(m_slots[static_cast<std::size_t>(index)].label));
    return true;
}

bool CompareWindow::exportComparisonTo(const QString &path)
{
    const auto list = entries();
    if (list.empty()) {
        showError(tr("Nothing to export yet: run a comparison first."));
        return false;
    }
    Exporter::Format format;
    if (!Exporter::formatForPath(path, &format) || format == Exporter::Format::Png ||
        format == Exporter::Format::Svg) {
        showError(tr("Cannot export to “%1”: use a .json, .md, .html or .csv file name.")
                      .arg(QFileInfo(path).fileName()));
        return false;
    }
    QString error;
    if (!Exporter::writeFile(path,
                             format == Exporter::Format::Json ? Exporter::comparisonJson(list)
                                                              : Exporter::format(list, format),
                             &error)) {
        showError(error);
        return false;
    }
    clearError();
    m_status->setText(tr("Exported the comparison to %1.").arg(QDir::toNativeSeparators(path)));
    return true;
}

bool CompareWindow::exportSweepChartTo(const QString &path)
{
    if (m_chart->graphCount() == 0) {
        showError(tr("Nothing to export yet: run a sweep first."));
        return false;
    }
    Exporter::Format format;
    if (!Exporter::formatForPath(path, &format) ||
        (format != Exporter::Format::Png && format != Exporter::Format::Svg)) {
        showError(tr("Cannot export the chart to “%1”: use a .png or .svg file name.")
                      .arg(QFileInfo(path).fileName()));
        return false;
    }
    QString error;
    if (!Exporter::writeFile(path, m_chart->imageData(Exporter::suffixFor(format)), &error)) {
        showError(error);
        return false;
    }
    clearError();
    m_status->setText(tr("Exported the chart to %1.").arg(QDir::toNativeSeparators(path)));
    return true;
}

void CompareWindow::exportComparison()
{
    if (entries().empty()) {
        showError(tr("Nothing to export yet: run a comparison first."));
        return;
    }
    const QString path =
        ExportDialog::getSavePath(this, tr("Export comparison"), QStringLiteral("comparison"),
                                  {Exporter::Format::Html, Exporter::Format::Markdown,
                                   Exporter::Format::Json, Exporter::Format::Csv});
    if (!path.isEmpty())
        exportComparisonTo(path); // a failure is shown in the error banner; the results stay open
}

void CompareWindow::exportChart()
{
    if (m_chart->graphCount() == 0) {
        showError(tr("Nothing to export yet: run a sweep first."));
        return;
    }
    const QString path =
        ExportDialog::getSavePath(this, tr("Export sweep chart"), QStringLiteral("sweep"),
                                  {Exporter::Format::Png, Exporter::Format::Svg});
    if (!path.isEmpty())
        exportSweepChartTo(path);
}

void CompareWindow::showError(const QString &message)
{
    m_error->setText(message);
    m_error->show();
}

void CompareWindow::clearError()
{
    m_error->clear();
    m_error->hide();
}

QString CompareWindow::statusText() const
{
    return m_status->text();
}
QString CompareWindow::errorText() const
{
    return m_error->isHidden() ? QString() : m_error->text();
}

} // namespace terse::app
