#include "compare_window.h"

#include "engine_host.h"
#include "engine_terms.h"

#include "answer_panel.h"
#include "cost_model.h"
#include "export_dialog.h"
#include "parameter_dialog.h"
#include "result_adapter.h"
#include "retranslator.h"

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
#include <QTableView>
#include <QVBoxLayout>

#include <cmath>

namespace terse::app {

CompareWindow::CompareWindow(CompressorFactory factory, QWidget *parent)
    : QWidget(parent, Qt::Window), m_factory(factory),
      m_runner(new CompareRunner(std::move(factory), this))
{
    setObjectName(QStringLiteral("compareWindow"));
    buildUi();
    (new Retranslator(this))->add([this] { retranslate(); });
    connect(m_runner, &CompareRunner::jobStarted, this,
            [this](int number, int count, const terse::CompressOptions &options) {
                m_progress->setValue(static_cast<int>(1000.0 * (number - 1) / count));
                m_status->setText(
                    tr("Run %1 of %2: %3…").arg(number).arg(count).arg(settingsLabel(options)));
            });
    connect(m_runner, &CompareRunner::progress, this,
            [this](int number, int count, double overall, const QString &stage, qint64 done,
                   qint64 total) {
                m_progress->setValue(static_cast<int>(1000.0 * overall));
                // Row, the engine's stage with its step, and the time left once the pace is known
                // (issue 20).
                QString text = tr("Run %1 of %2: %3 (%4 of %5)")
                                   .arg(number)
                                   .arg(count)
                                   .arg(EngineTerms::progressStage(stage))
                                   .arg(done)
                                   .arg(total);
                const double elapsed = static_cast<double>(m_batchTimer.elapsed());
                if (overall > 0 && overall < 1 && elapsed > 1500)
                    text +=
                        QStringLiteral(" · ") +
                        tr("about %1 left").arg(formatDuration(elapsed * (1 - overall) / overall));
                m_status->setText(text);
            });
    connect(m_runner, &CompareRunner::jobFinished, this, &CompareWindow::onFinished);
    connect(m_runner, &CompareRunner::jobFailed, this, &CompareWindow::onFailed);
    connect(m_runner, &CompareRunner::measured, this, &CompareWindow::onMeasured);
    connect(m_runner, &CompareRunner::cancelled, this,
            [this] { m_status->setText(tr("Cancelled; finished runs are kept.")); });
    connect(m_runner, &CompareRunner::finished, this, &CompareWindow::onRunnerFinished);
    fitToScreen(QSize(1300, 820));
}

void CompareWindow::fitToScreen(QSize wanted)
{
    // Within the available screen (a 1,600 px laptop screen, or the 800 px offscreen test screen).
    const QScreen *scr = screen() ? screen() : QGuiApplication::primaryScreen();
    if (!scr)
        return resize(wanted);
    const QRect avail = scr->availableGeometry();
    resize(std::min(wanted.width(), avail.width() * 95 / 100),
           std::min(wanted.height(), avail.height() * 9 / 10));
}

CompareWindow::~CompareWindow() = default;

void CompareWindow::buildUi()
{
    auto *outer = new QVBoxLayout(this);

    // Settings rows.
    m_settings = new CompareSettingsModel(this);
    m_rows = new QTableView(this);
    m_rows->setObjectName(QStringLiteral("settingsTable"));
    m_rows->setModel(m_settings);
    // Methods outside the registry (injected through the factory) describe themselves.
    m_settings->setSpecSource([factory = m_factory](const std::string &method)
                                  -> std::optional<std::vector<terse::OptionSpec>> {
        for (const auto &m : engineMethods())
            if (m.name == method)
                return m.options;
        if (factory)
            if (auto c = factory(method))
                return (*c)->options();
        return std::nullopt;
    });
    auto *delegate = new CompareSettingsDelegate(m_rows);
    m_rows->setItemDelegate(delegate);
    connect(delegate, &CompareSettingsDelegate::parametersRequested, this,
            [this](const QModelIndex &index) { editParameters(index.row()); });
    m_rows->verticalHeader()->setVisible(true);
    m_rows->setSelectionBehavior(QAbstractItemView::SelectRows);
    for (int c : {CompareSettingsModel::MethodColumn, CompareSettingsModel::RateColumn,
                  CompareSettingsModel::ModeColumn})
        m_rows->horizontalHeader()->setSectionResizeMode(c, QHeaderView::ResizeToContents);
    m_rows->horizontalHeader()->setSectionResizeMode(CompareSettingsModel::ParamsColumn,
                                                     QHeaderView::Stretch);
    m_rows->horizontalHeader()->setSectionResizeMode(CompareSettingsModel::ModelColumn,
                                                     QHeaderView::Stretch);
    m_rows->setMinimumHeight(110);
    // Every cell shows its editor, as a form row would.
    connect(m_settings, &QAbstractItemModel::rowsInserted, this,
            [this](const QModelIndex &, int first, int last) {
                for (int r = first; r <= last; ++r)
                    for (int c = 0; c < CompareSettingsModel::ColumnCount; ++c)
                        m_rows->openPersistentEditor(m_settings->index(r, c));
            });
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
    m_sideBySide = new CompareSideBySide(this);
    m_chat = new ChatClient(this);

    // Rate sweep.
    m_sweepPanel = new CompareSweepPanel(this);

    m_tabs = new QTabWidget(this);
    m_tabs->addTab(m_sideBySide, QString());
    m_tabs->addTab(m_sweepPanel, QString());

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
        int row = rows.isEmpty() ? m_rows->currentIndex().row() : rows.first().row();
        if (row < 0)
            row = m_settings->rowCount() - 1;
        removeSettings(row);
    });
    connect(m_compare, &QPushButton::clicked, this, &CompareWindow::runComparison);
    connect(m_sweepPanel->sweepButton(), &QPushButton::clicked, this, [this] { runSweep(); });
    connect(m_cancel, &QPushButton::clicked, this, &CompareWindow::cancel);
    connect(m_sideBySide->exportButton(), &QPushButton::clicked, this,
            &CompareWindow::exportComparison);
    connect(m_sideBySide->askButton(), &QPushButton::clicked, this, &CompareWindow::askTargetModel);
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
            m_sideBySide->askButton()->setEnabled(true);
            m_status->setText(
                m_originalAnswer.error.isEmpty()
                    ? tr("The original prompt's answer: %1").arg(m_originalAnswer.text.simplified())
                    : tr("The original prompt got no answer: %1").arg(m_originalAnswer.error));
            emit answersFinished();
        }
    });
    connect(m_sideBySide->outputs(), &CompareOutputColumns::copyRequested, this,
            &CompareWindow::copyOutput);
    connect(m_sweepPanel->exportChartButton(), &QPushButton::clicked, this,
            &CompareWindow::exportChart);
}

void CompareWindow::retranslate()
{
    setWindowTitle(tr("Compare Methods — Terse Studio"));
    m_settings->retranslate();
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
    m_tabs->setTabText(0, tr("Side by Side"));
    m_tabs->setTabText(1, tr("Rate Sweep"));
    m_sideBySide->retranslate();
    if (m_status->text().isEmpty() || m_mode == Mode::Idle)
        m_status->setText(tr("Add methods or settings, then press Compare or Run Sweep."));
    m_sweepPanel->retranslate();
}

// ---- settings rows ----------------------------------------------------------------------------

ParameterDialog *CompareWindow::editParameters(int row)
{
    if (row < 0 || row >= m_settings->rowCount())
        return nullptr;
    const QString method =
        m_settings->index(row, CompareSettingsModel::MethodColumn).data(Qt::EditRole).toString();
    const auto specs = m_settings->optionSpecs(method.toStdString());
    if (!specs) {
        showError(tr("Row %1: the method “%2” is unknown, so its parameters cannot be edited.")
                      .arg(row + 1)
                      .arg(method));
        return nullptr;
    }
    // Text that does not parse or check starts the dialog from the values that do parse.
    std::map<std::string, std::string> values;
    if (!m_settings->paramsAt(row, &values))
        parseParams(m_settings->index(row, CompareSettingsModel::ParamsColumn)
                        .data(Qt::EditRole)
                        .toString(),
                    &values, nullptr);
    const QString name =
        m_settings->index(row, CompareSettingsModel::MethodColumn).data(Qt::DisplayRole).toString();
    auto *dialog = new ParameterDialog(tr("Parameters of %1 (row %2)").arg(name).arg(row + 1),
                                       *specs, values, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(
        dialog, &QDialog::accepted, this,
        [this, dialog,
         cell = QPersistentModelIndex(m_settings->index(row, CompareSettingsModel::ParamsColumn))] {
            if (cell.isValid())
                m_settings->setData(cell, formatParams(dialog->changedValues()));
        });
    dialog->open();
    return dialog;
}

bool CompareWindow::collectSettings(std::vector<terse::CompressOptions> *out)
{
    out->clear();
    if (m_settings->rowCount() == 0) {
        showError(tr("Nothing to compare: add a method or the current settings first."));
        return false;
    }
    for (int r = 0; r < m_settings->rowCount(); ++r) {
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

// ---- running ----------------------------------------------------------------------------------

bool CompareWindow::runComparison()
{
    if (isBusy()) {
        showError(tr("A comparison or sweep is running: wait for it or cancel it first."));
        return false;
    }
    std::vector<terse::CompressOptions> settings;
    if (!collectSettings(&settings))
        return false;
    std::vector<CompareRunner::Job> jobs;
    std::vector<CompareRun> newSlots;
    for (std::size_t i = 0; i < settings.size(); ++i) {
        jobs.push_back({static_cast<int>(i), settings[i]});
        CompareRun s;
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
    if (rates.isEmpty() &&
        !CompareSweepPanel::parseRates(m_sweepPanel->ratesEdit()->text(), &rates)) {
        showError(tr("The rates “%1” are not a list of numbers in (0, 1] such as “0.1, 0.5, 0.9” "
                     "or a range "
                     "such as “0.1:0.9:0.1”.")
                      .arg(m_sweepPanel->ratesEdit()->text()));
        return false;
    }
    std::vector<terse::CompressOptions> settings;
    if (!collectSettings(&settings))
        return false;
    std::vector<CompareRunner::Job> jobs;
    std::vector<CompareSweepPanel::Series> series;
    // Row by row, so that a method that can re-decide from cached scores runs its model once.
    for (std::size_t i = 0; i < settings.size(); ++i) {
        terse::CompressOptions base = settings[i];
        CompareSweepPanel::Series s;
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
            jobs.push_back({static_cast<int>(i), o});
        }
    }
    if (!startJobs(Mode::Sweep, std::move(jobs)))
        return false;
    m_sweepPanel->setSeries(std::move(series));
    m_tabs->setCurrentIndex(1);
    return true;
}

bool CompareWindow::startJobs(Mode mode, std::vector<CompareRunner::Job> jobs)
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
    m_mode = mode;
    m_batchTimer.start();
    setBusy(true);
    // A comparison reports each row's own time, so no row re-decides from another row's cached
    // scores; a sweep may (its rates differ only in the threshold) and so runs each model once per
    // row.
    m_runner->start(terse::Prompt::fromText(utf8.toStdString()), std::move(jobs),
                    mode == Mode::Compare);
    return true;
}

void CompareWindow::onFinished(int slot, const ResultHandle &result)
{
    if (m_mode != Mode::Compare || slot < 0 || slot >= static_cast<int>(m_slots.size()))
        return;
    m_slots[static_cast<std::size_t>(slot)].result = result;
    updateOutput(slot);
    m_sideBySide->outputs()->updateDiffs(m_slots);
    updateMetricsRow(slot);
}

void CompareWindow::onFailed(int slot, const terse::CompressOptions &options,
                             const QString &message)
{
    const QString text = tr("%1 failed: %2").arg(settingsLabel(options), message);
    if (m_mode == Mode::Compare && slot >= 0 && slot < static_cast<int>(m_slots.size())) {
        m_slots[static_cast<std::size_t>(slot)].error = message;
        updateOutput(slot);
        updateMetricsRow(slot);
        emit runShown(slot);
    }
    showError(m_error->isHidden() ? text : m_error->text() + QLatin1Char('\n') + text);
}

void CompareWindow::onMeasured(int slot, double requestedRate, const ResultHandle &result,
                               const RunMetrics &m)
{
    if (m_mode == Mode::Compare) {
        if (slot >= 0 && slot < static_cast<int>(m_slots.size())) {
            m_slots[static_cast<std::size_t>(slot)].metrics = m;
            m_slots[static_cast<std::size_t>(slot)].measured = true;
            updateMetricsRow(slot);
            updateOutput(slot);
            emit runShown(slot);
        }
    } else {
        m_sweepPanel->addPoint(slot, {requestedRate, result->achievedRate, m});
    }
}

void CompareWindow::onRunnerFinished(int jobsRun)
{
    if (m_mode == Mode::Idle)
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
    if (jobsRun > 0)
        m_status->setText(mode == Mode::Compare
                              ? tr("Compared %n run(s).", nullptr, static_cast<int>(m_slots.size()))
                              : tr("Sweep finished: %n run(s).", nullptr, jobsRun));
    if (mode == Mode::Compare)
        emit comparisonFinished();
    else
        emit sweepFinished();
}

void CompareWindow::cancel()
{
    if (isBusy() && m_runner->cancel())
        m_status->setText(tr("Cancelling…"));
}

void CompareWindow::setBusy(bool busy)
{
    m_cancel->setEnabled(busy);
    m_compare->setEnabled(!busy);
    m_sweepPanel->sweepButton()->setEnabled(!busy);
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
    m_sideBySide->outputs()->rebuild(m_slots, isBusy());
    m_sideBySide->metrics()->setRowCount(static_cast<int>(m_slots.size()));
    for (std::size_t i = 0; i < m_slots.size(); ++i)
        updateMetricsRow(static_cast<int>(i));
}

void CompareWindow::updateOutput(int slot)
{
    if (slot >= 0 && slot < static_cast<int>(m_slots.size()))
        m_sideBySide->outputs()->setRun(slot, m_slots[static_cast<std::size_t>(slot)], isBusy());
}

void CompareWindow::updateMetricsRow(int slot)
{
    if (slot >= 0 && slot < static_cast<int>(m_slots.size()))
        m_sideBySide->metrics()->setRun(slot, m_slots[static_cast<std::size_t>(slot)], isBusy());
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
        m_status->setText(tr(
            "Compare first: the check asks the target model with every row's compressed prompt."));
        return false;
    }
    if (settings.endpoint.isEmpty()) {
        m_status->setText(tr("Set the endpoint and model in the Answer Check panel first (Run → "
                             "Ask the Target Model)."));
        return false;
    }
    m_chat->cancelAll();
    QStringList parts;
    for (const auto &seg : first->segments)
        parts << QString::fromStdString(seg.text);
    m_originalAnswer = {};
    m_originalRequest = m_chat->ask(settings, parts.join(QStringLiteral("\n\n")));
    for (std::size_t i = 0; i < m_slots.size(); ++i) {
        CompareRun &s = m_slots[i];
        s.answered = false;
        s.answer = {};
        s.answerRequest =
            s.result ? m_chat->ask(settings, QString::fromStdString(s.result->compressedText)) : 0;
        updateMetricsRow(static_cast<int>(i));
    }
    m_sideBySide->askButton()->setEnabled(false);
    m_status->setText(tr("Asking %1 with the original and %n compressed prompt(s)…", nullptr,
                         static_cast<int>(m_slots.size()))
                          .arg(settings.model));
    return true;
}

// ---- output -----------------------------------------------------------------------------------

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
    if (m_sweepPanel->chart()->graphCount() == 0) {
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
    if (!Exporter::writeFile(path, m_sweepPanel->chart()->imageData(Exporter::suffixFor(format)),
                             &error)) {
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
    if (m_sweepPanel->chart()->graphCount() == 0) {
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
