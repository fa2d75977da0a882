#include "main_window.h"

#include "history_dock.h"
#include "language.h"
#include "model_picker.h"
#include "parameter_panel.h"
#include "result_adapter.h"
#include "session_manager.h"
#include "workbench_actions.h"

#include "terse/runtime.h"
#include "terse/session_store.h"
#include "terse/text_units.h"
#include "terse_widgets/prompt_editor.h"
#include "terse_widgets/score_plot.h"
#include "terse_widgets/token_heatmap_view.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QClipboard>
#include <QCloseEvent>
#include <QComboBox>
#include <QDockWidget>
#include <QJsonDocument>
#include <QJsonObject>
#include <QDoubleSpinBox>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QDateTime>
#include <QDir>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QScrollArea>
#include <QPushButton>
#include <QSaveFile>
#include <QSettings>
#include <QSlider>
#include <QSplitter>
#include <QStatusBar>
#include <QTimer>
#include <QUndoStack>
#include <QVBoxLayout>

#include <cmath>

namespace terse::app {

namespace {
constexpr qint64 kMaxFileBytes = 64ll << 20;  // prompts larger than this are refused with a message
constexpr int kRateSteps = 1000;              // slider resolution: 0.001
constexpr int kMaxRecent = 8;
constexpr int kAutosaveDelayMs = 1000;   // working state saved ~1 s after the last change
constexpr int kRethresholdSaveMs = 1500; // slider drags save the result the user settles on, not every step
const char *kInstance = "main";          // the autosave slot of this window
const QString kDatabaseKey = QStringLiteral("sessions/databasePath");
const QString kMissingModel = QStringLiteral("\x01missing");  // ModelPicker's "not installed" entries
}  // namespace

MainWindow::MainWindow(CompressorFactory factory, QWidget *parent, const QString &databasePath)
    : QMainWindow(parent),
      m_factory(factory),
      m_methods(terse::availableMethods()),
      m_worker(new EngineWorker(std::move(factory), this)),
      m_sessions(new SessionManager(this))
{
    m_restoring = true;  // setting up the controls is not a user change
    translated([this] {
        setWindowTitle(m_currentFile.isEmpty() ? tr("Terse Studio")
                                               : tr("%1 — Terse Studio").arg(QFileInfo(m_currentFile).fileName()));
    });
    buildUi();
    buildDocks();
    buildMenus();
    new WorkbenchActions(this);  // Run → Compare Methods…, File → Export Result… / Export Score Plot…
    restoreSettings();
    onMethodChanged();

    connect(m_worker, &EngineWorker::progress, this, [this](quint64 id, qint64 done, qint64 total, const QString &stage) {
        if (id != m_activeId)
            return;
        m_progress->setRange(0, total > 0 ? 1000 : 0);
        if (total > 0)
            m_progress->setValue(static_cast<int>(1000.0 * static_cast<double>(done) / static_cast<double>(total)));
        m_status->setText(tr("Compressing: %1…").arg(stage));
    });
    connect(m_worker, &EngineWorker::finished, this, [this](quint64 id, ResultHandle r, bool rethresholded) {
        if (id != m_activeId)
            return;  // a newer request is on its way
        setBusy(false);
        m_shownRunId = 0;
        showResult(r);
        m_status->setText(rethresholded ? tr("Re-decided from cached scores.") : tr("Done."));
        if (rethresholded) {
            m_pendingSave = PendingSave{m_activePrompt, m_activeOptions, r};
            m_saveDelay->start();
        } else {
            flushPendingSave();
            saveRun(m_activePrompt, m_activeOptions, r);
        }
    });
    connect(m_worker, &EngineWorker::failed, this, [this](quint64 id, int, const QString &message) {
        if (id != m_activeId)
            return;
        setBusy(false);
        showError(tr("Compression failed: %1").arg(message));
        m_status->setText(tr("Failed."));
        emit jobEnded();
    });
    connect(m_worker, &EngineWorker::cancelled, this, [this](quint64 id) {
        if (id != m_activeId)
            return;
        setBusy(false);
        m_status->setText(tr("Cancelled."));
        emit jobEnded();
    });
    connect(m_worker, &EngineWorker::modelDescribed, this, [this](const QString &path, bool ok, const QString &text) {
        m_models->setModelInfo(path, ok ? text : tr("Cannot load this model: %1").arg(text));
    });

    connect(m_sessions, &SessionManager::opened, this, [this] {
        if (m_sessions->store()->schemaIsNewer())
            showError(m_sessions->stateText());  // read-only: say so where errors are shown
        restoreWorkingState();
        // Runs that finished while the database was still opening.
        auto unsaved = std::move(m_unsaved);
        m_unsaved.clear();
        for (const auto &p : unsaved)
            saveRun(p.prompt, p.options, p.result);
    });
    connect(m_sessions, &SessionManager::openFailed, this, [this](const QString &message) {
        m_unsaved.clear();
        showError(message);
        if (!m_stateRestored) {
            m_stateRestored = true;
            emit workingStateRestored();
        }
    });
    QString path = databasePath;
    if (path.isEmpty())
        path = QSettings().value(kDatabaseKey).toString();
    if (path.isEmpty()) {
        if (auto d = terse::defaultDatabasePath())
            path = QString::fromStdString(*d);
        else
            showError(tr("Sessions are not saved: %1").arg(QString::fromStdString(d.error().detail)));
    }
    if (!path.isEmpty())
        m_sessions->openAsync(path);
    m_restoring = false;
}

MainWindow::~MainWindow() = default;

void MainWindow::buildUi()
{
    auto *central = new QWidget(this);
    auto *outer = new QVBoxLayout(central);

    // Controls row: method, rate, run/cancel.
    auto *controls = new QHBoxLayout;
    m_method = new QComboBox(central);
    m_method->setObjectName(QStringLiteral("methodCombo"));
    for (const auto &m : m_methods) {
        m_method->addItem(QString::fromStdString(m.displayName), QString::fromStdString(m.name));
        m_method->setItemData(m_method->count() - 1, QString::fromStdString(m.description), Qt::ToolTipRole);
    }
    auto *methodLabel = new QLabel(central);
    translated([this, methodLabel] {
        m_method->setToolTip(tr("Compression method"));
        methodLabel->setText(tr("&Method:"));
    });
    methodLabel->setBuddy(m_method);

    m_rateSlider = new QSlider(Qt::Horizontal, central);
    m_rateSlider->setObjectName(QStringLiteral("rateSlider"));
    m_rateSlider->setRange(1, kRateSteps);
    m_rateSlider->setValue(kRateSteps / 2);
    m_rateSlider->setMinimumWidth(120);
    m_rateSpin = new QDoubleSpinBox(central);
    m_rateSpin->setRange(0.001, 1.0);
    m_rateSpin->setDecimals(3);
    m_rateSpin->setSingleStep(0.05);
    m_rateSpin->setValue(0.5);
    auto *rateLabel = new QLabel(central);
    translated([this, rateLabel] {
        m_rateSlider->setToolTip(tr("Rate: the fraction of tokens to keep (compressed / original). Default 0.5."));
        m_rateSpin->setToolTip(m_rateSlider->toolTip());
        rateLabel->setText(tr("&Rate:"));
    });
    rateLabel->setBuddy(m_rateSlider);

    m_run = new QPushButton(central);
    m_run->setObjectName(QStringLiteral("runButton"));
    m_run->setDefault(true);
    m_cancel = new QPushButton(central);
    m_cancel->setObjectName(QStringLiteral("cancelButton"));
    translated([this] {
        m_run->setText(tr("Compress"));
        m_run->setToolTip(tr("Compress the prompt (Ctrl+Return)"));
        m_cancel->setText(tr("Cancel"));
        m_cancel->setToolTip(tr("Stop the running job (Esc)"));
    });
    m_cancel->setEnabled(false);

    m_colorBy = new QComboBox(central);
    auto *colorLabel = new QLabel(central);
    translated([this, colorLabel] {
        m_colorBy->setToolTip(tr("Colour tokens by this score"));
        colorLabel->setText(tr("Colour &by:"));
    });
    colorLabel->setBuddy(m_colorBy);

    controls->addWidget(methodLabel);
    controls->addWidget(m_method, 1);
    controls->addSpacing(12);
    controls->addWidget(rateLabel);
    controls->addWidget(m_rateSlider, 2);
    controls->addWidget(m_rateSpin);
    controls->addSpacing(12);
    controls->addWidget(m_run);
    controls->addWidget(m_cancel);
    outer->addLayout(controls);

    m_error = new QLabel(central);
    m_error->setObjectName(QStringLiteral("errorBanner"));
    m_error->setWordWrap(true);
    m_error->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_error->setStyleSheet(QStringLiteral("QLabel { background: #fde2e1; color: #7a1212; border: 1px solid #e7a3a0;"
                                          " border-radius: 4px; padding: 6px; }"));
    m_error->hide();
    outer->addWidget(m_error);

    auto *split = new QSplitter(Qt::Horizontal, central);
    split->setObjectName(QStringLiteral("mainSplitter"));
    m_editor = new terse::widgets::PromptEditor(split);
    m_editor->setObjectName(QStringLiteral("promptEditor"));
    auto *right = new QSplitter(Qt::Vertical, split);
    right->setObjectName(QStringLiteral("resultSplitter"));
    auto *resultBox = new QWidget(right);
    auto *resultLayout = new QVBoxLayout(resultBox);
    resultLayout->setContentsMargins(0, 0, 0, 0);
    m_summary = new QLabel(tr("No result yet: paste a prompt and press Compress."), resultBox);
    m_summary->setObjectName(QStringLiteral("summaryLabel"));
    m_heatmap = new terse::widgets::TokenHeatmapView(resultBox);
    m_heatmap->setObjectName(QStringLiteral("heatmapView"));
    // The colouring is a view setting: it sits with the result, not with the compression controls.
    auto *resultHeader = new QHBoxLayout;
    resultHeader->addWidget(m_summary, 1);
    resultHeader->addWidget(colorLabel);
    resultHeader->addWidget(m_colorBy);
    resultLayout->addLayout(resultHeader);
    resultLayout->addWidget(m_heatmap, 1);
    m_plot = new terse::widgets::ScorePlot(right);
    m_plot->setObjectName(QStringLiteral("scorePlot"));
    right->addWidget(resultBox);
    right->addWidget(m_plot);
    right->setStretchFactor(0, 3);
    right->setStretchFactor(1, 1);
    split->addWidget(m_editor);
    split->addWidget(right);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 1);
    outer->addWidget(split, 1);
    setCentralWidget(central);

    m_status = new QLabel(tr("Ready."), this);
    m_status->setObjectName(QStringLiteral("statusLabel"));
    m_progress = new QProgressBar(this);
    m_progress->setMaximumWidth(220);
    m_progress->setTextVisible(false);
    m_progress->hide();
    statusBar()->addWidget(m_status, 1);
    statusBar()->addPermanentWidget(m_progress);

    m_debounce = new QTimer(this);
    m_debounce->setSingleShot(true);
    m_debounce->setInterval(120);  // design.md rule 7: slider changes debounced ~120 ms
    connect(m_debounce, &QTimer::timeout, this, &MainWindow::runCompression);
    m_progressDelay = new QTimer(this);
    m_progressDelay->setSingleShot(true);
    m_progressDelay->setInterval(300);  // show progress only for work longer than ~300 ms
    connect(m_progressDelay, &QTimer::timeout, this, [this] {
        if (isBusy())
            m_progress->show();
    });

    connect(m_run, &QPushButton::clicked, this, &MainWindow::runCompression);
    connect(m_cancel, &QPushButton::clicked, this, &MainWindow::cancelCompression);
    connect(m_rateSlider, &QSlider::valueChanged, this, [this](int v) {
        const QSignalBlocker block(m_rateSpin);
        m_rateSpin->setValue(static_cast<double>(v) / kRateSteps);
        scheduleRerun();
    });
    connect(m_rateSpin, &QDoubleSpinBox::valueChanged, this, [this](double v) {
        const QSignalBlocker block(m_rateSlider);
        m_rateSlider->setValue(static_cast<int>(std::lround(v * kRateSteps)));
        scheduleRerun();
    });
    connect(m_method, &QComboBox::currentIndexChanged, this, [this] {
        onMethodChanged();
        scheduleRerun();
    });
    connect(m_colorBy, &QComboBox::currentIndexChanged, this, [this](int i) {
        m_heatmap->setColorSeries(i - 1);
        updatePlot();
        markDirty();
    });
    connect(m_editor, &terse::widgets::PromptEditor::filesDropped, this, [this](const QStringList &files) {
        openFile(files.first());
    });
    connect(m_editor, &QPlainTextEdit::textChanged, this, [this] {
        m_worker->invalidateCache();
        markDirty();
    });

    m_autosave = new QTimer(this);
    m_autosave->setSingleShot(true);
    m_autosave->setInterval(kAutosaveDelayMs);
    connect(m_autosave, &QTimer::timeout, this, &MainWindow::saveWorkingState);
    m_saveDelay = new QTimer(this);
    m_saveDelay->setSingleShot(true);
    m_saveDelay->setInterval(kRethresholdSaveMs);
    connect(m_saveDelay, &QTimer::timeout, this, &MainWindow::flushPendingSave);
    resize(1400, 860);
}

void MainWindow::buildDocks()
{
    setDockNestingEnabled(true);
    m_history = new HistoryDock(m_sessions, this);
    QList<QPair<QString, QString>> methods;
    for (const auto &m : m_methods)
        methods.append({QString::fromStdString(m.name), QString::fromStdString(m.displayName)});
    m_history->setMethods(methods);
    addDockWidget(Qt::LeftDockWidgetArea, m_history);
    connect(m_history, &HistoryDock::runSelected, this, [this](qint64 id) { restoreRun(id); });
    connect(m_history, &HistoryDock::sessionSelected, this, [this](qint64 id) {
        m_sessions->setCurrentSession(id);
        markDirty();
    });
    connect(m_history, &HistoryDock::errorOccurred, this, &MainWindow::showError);

    auto *dock = new QDockWidget(this);
    dock->setObjectName(QStringLiteral("parametersDock"));
    translated([dock] { dock->setWindowTitle(tr("Parameters")); });
    auto *scroll = new QScrollArea(dock);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    auto *body = new QWidget(scroll);
    auto *v = new QVBoxLayout(body);
    v->setContentsMargins(4, 4, 4, 4);
    auto *modelLabel = new QLabel(body);
    translated([modelLabel] { modelLabel->setText(tr("M&odel:")); });
    m_models = new ModelPicker(body);
    modelLabel->setBuddy(m_models->combo());
    v->addWidget(modelLabel);
    v->addWidget(m_models);
    m_params = new ParameterPanel(body);
    m_params->setObjectName(QStringLiteral("parameterPanel"));
    m_params->layout()->setContentsMargins(0, 0, 0, 0);
    v->addWidget(m_params, 1);
    scroll->setWidget(body);
    scroll->setMinimumWidth(270);  // room for "Label (default x):" rows next to their controls
    dock->setWidget(scroll);
    addDockWidget(Qt::RightDockWidgetArea, dock);
    resizeDocks({m_history, dock}, {300, 300}, Qt::Horizontal);

    connect(m_params, &ParameterPanel::changed, this, &MainWindow::scheduleRerun);
    connect(m_models, &ModelPicker::modelChanged, this, [this](const QString &path) {
        if (!path.isEmpty() && path != kMissingModel)
            m_worker->describeModel(path);  // loads on the worker thread; the tooltip follows
        m_worker->invalidateCache();
        scheduleRerun();
    });
}

std::vector<terse::OptionSpec> MainWindow::optionSpecsFor(const QString &method) const
{
    const std::string name = method.toStdString();
    for (const auto &m : m_methods)
        if (m.name == name)
            return m.options;
    // Methods outside the registry (injected through the factory) describe themselves.
    if (m_factory)
        if (auto c = m_factory(name))
            return (*c)->options();
    return {};
}

void MainWindow::onMethodChanged()
{
    const QString method = m_method->currentData().toString();
    if (method == m_panelMethod)
        return;
    if (!m_panelMethod.isEmpty())
        m_paramsByMethod[m_panelMethod.toStdString()] = m_params->values();
    m_panelMethod = method;
    const auto it = m_paramsByMethod.find(method.toStdString());
    m_params->setOptionSpecs(optionSpecsFor(method),
                             it != m_paramsByMethod.end() ? it->second : std::map<std::string, std::string>{});
}

terse::CompressOptions MainWindow::currentOptions() const
{
    terse::CompressOptions opts;
    opts.method = m_method->currentData().toString().toStdString();
    opts.rate = rate();
    const QString model = m_models->currentModelPath();
    if (model != kMissingModel)
        opts.model = model.toStdString();
    opts.params = m_params->values();
    m_params->applyCommon(opts);
    return opts;
}

void MainWindow::applyOptions(const terse::CompressOptions &options)
{
    const bool was = m_restoring;
    m_restoring = true;
    const QString method = QString::fromStdString(options.method);
    if (const int i = m_method->findData(method); i >= 0)
        m_method->setCurrentIndex(i);
    onMethodChanged();
    if (options.rate > 0 && options.rate <= 1)
        setRate(options.rate);
    m_params->setValues(options.params);
    m_paramsByMethod[options.method] = m_params->values();
    m_params->setCommon(options);
    m_models->setCurrentModelPath(QString::fromStdString(options.model));
    m_restoring = was;
}

void MainWindow::markDirty()
{
    if (m_restoring)
        return;
    if (!m_stateRestored)
        m_userTouched = true;  // the user's input wins over the autosaved state still loading
    m_autosave->start();
}

void MainWindow::saveWorkingState()
{
    m_autosave->stop();
    if (!m_sessions->isWritable())
        return;
    terse::WorkingState ws;
    ws.instance = kInstance;
    ws.sessionId = m_sessions->currentSession();
    ws.prompt = terse::Prompt::fromText(m_editor->toPlainText().toStdString());
    ws.options = currentOptions();
    m_paramsByMethod[ws.options.method] = ws.options.params;
    QJsonObject ui;
    ui[QStringLiteral("colorBy")] = m_colorBy->currentText();
    ui[QStringLiteral("runId")] = static_cast<qint64>(m_shownRunId);
    QJsonObject byMethod;
    for (const auto &[method, params] : m_paramsByMethod) {
        QJsonObject p;
        for (const auto &[k, v] : params)
            p[QString::fromStdString(k)] = QString::fromStdString(v);
        byMethod[QString::fromStdString(method)] = p;
    }
    ui[QStringLiteral("paramsByMethod")] = byMethod;
    ws.uiState = QJsonDocument(ui).toJson(QJsonDocument::Compact).toStdString();
    if (auto r = m_sessions->store()->saveWorkingState(ws); !r)
        m_status->setText(tr("Autosave failed: %1").arg(QString::fromStdString(r.error().detail)));
}

void MainWindow::restoreWorkingState()
{
    if (m_stateRestored)
        return;
    m_stateRestored = true;
    terse::SessionStore *store = m_sessions->store();
    auto ws = store ? store->loadWorkingState(kInstance) : terse::Result<terse::WorkingState>(
                                                               terse::fail(terse::ErrorCode::NotFound, "no store"));
    if (ws) {
        if (ws->sessionId > 0)
            if (auto s = store->session(ws->sessionId); s && s->deletedAt == 0)
                m_sessions->setCurrentSession(ws->sessionId);
        if (!m_userTouched) {
            const QJsonObject ui = QJsonDocument::fromJson(QByteArray::fromStdString(ws->uiState)).object();
            const QJsonObject byMethod = ui.value(QStringLiteral("paramsByMethod")).toObject();
            for (auto it = byMethod.begin(); it != byMethod.end(); ++it) {
                std::map<std::string, std::string> params;
                const QJsonObject p = it.value().toObject();
                for (auto jt = p.begin(); jt != p.end(); ++jt)
                    params[jt.key().toStdString()] = jt.value().toString().toStdString();
                m_paramsByMethod[it.key().toStdString()] = params;
            }
            m_restoring = true;
            m_panelMethod.clear();  // rebuild the panel from the restored values
            m_editor->setPlainText(QString::fromStdString(ws->prompt.joined()));
            applyOptions(ws->options);
            // Show the run the user was looking at, from the store: nothing is recomputed.
            const qint64 runId = ui.value(QStringLiteral("runId")).toInteger();
            if (runId > 0)
                if (auto run = store->loadRun(runId); run && run->prompt.joined() == ws->prompt.joined()) {
                    showResult(std::make_shared<const terse::CompressionResult>(std::move(run->result)));
                    m_shownRunId = runId;
                    if (const int i = m_colorBy->findText(ui.value(QStringLiteral("colorBy")).toString()); i >= 0)
                        m_colorBy->setCurrentIndex(i);
                }
            m_restoring = false;
            m_status->setText(tr("Restored your last working state."));
        }
    }
    emit workingStateRestored();
}

void MainWindow::saveRun(const terse::Prompt &prompt, const terse::CompressOptions &options,
                         const ResultHandle &result)
{
    if (!result)
        return;
    if (m_sessions->isOpening() && !m_sessions->store()) {
        m_unsaved.push_back(PendingSave{prompt, options, result});  // saved once the database is open
        return;
    }
    if (!m_sessions->isWritable())
        return;
    const std::int64_t session = m_sessions->ensureCurrentSession();
    if (session == 0)
        return;
    terse::ModelIdentity model;
    const std::string &used = !result->model.empty() ? result->model : options.model;
    if (!used.empty()) {
        model.path = options.model.empty() ? used : options.model;
        model.name = QFileInfo(QString::fromStdString(used)).fileName().toStdString();
    }
    auto id = m_sessions->store()->saveRun(session, prompt, options, model, *result);
    if (!id) {
        showError(tr("The run was not saved: %1").arg(QString::fromStdString(id.error().detail)));
        return;
    }
    if (m_result == result)
        m_shownRunId = *id;
    emit m_sessions->sessionsChanged();
    emit runSaved(*id);
    markDirty();
}

void MainWindow::flushPendingSave()
{
    m_saveDelay->stop();
    if (!m_pendingSave)
        return;
    PendingSave p = std::move(*m_pendingSave);
    m_pendingSave.reset();
    saveRun(p.prompt, p.options, p.result);
}

bool MainWindow::restoreRun(std::int64_t runId)
{
    terse::SessionStore *store = m_sessions->store();
    if (!store)
        return false;
    auto run = store->loadRun(runId);
    if (!run) {
        showError(tr("Cannot load the saved run: %1").arg(QString::fromStdString(run.error().detail)));
        return false;
    }
    flushPendingSave();
    m_debounce->stop();
    if (isBusy()) {
        m_worker->cancel();
        setBusy(false);  // its result, if any, is ignored
    }
    clearError();
    m_restoring = true;
    const QString text = QString::fromStdString(run->prompt.joined());
    if (m_editor->toPlainText() != text)
        m_editor->setPlainText(text);
    applyOptions(run->options);
    m_restoring = false;
    showResult(std::make_shared<const terse::CompressionResult>(std::move(run->result)));
    m_shownRunId = runId;
    m_sessions->setCurrentSession(run->info.sessionId);
    m_status->setText(tr("Showing a saved %1 run from %2 (not recomputed).")
                          .arg(QString::fromStdString(run->info.method),
                               QLocale().toString(QDateTime::fromMSecsSinceEpoch(run->info.created),
                                                  QLocale::ShortFormat)));
    markDirty();
    return true;
}

void MainWindow::openDatabase(const QString &path)
{
    flushPendingSave();
    saveWorkingState();
    QSettings().setValue(kDatabaseKey, path);
    clearError();
    m_sessions->openAsync(path);
}

void MainWindow::exportSessions()
{
    terse::SessionStore *store = m_sessions->store();
    if (!store) {
        showError(tr("No session database is open."));
        return;
    }
    const QString path = QFileDialog::getSaveFileName(this, tr("Export sessions"), QStringLiteral("sessions.json"),
                                                      tr("JSON files (*.json);;All files (*)"));
    if (path.isEmpty())
        return;
    std::vector<std::int64_t> ids;
    if (const std::int64_t id = m_history->selectedSession())
        if (QMessageBox::question(this, tr("Export sessions"), tr("Export only the selected session?"),
                                  QMessageBox::Yes | QMessageBox::No) == QMessageBox::Yes)
            ids.push_back(id);
    exportSessionsTo(path, ids);
}

bool MainWindow::exportSessionsTo(const QString &path, const std::vector<std::int64_t> &ids)
{
    terse::SessionStore *store = m_sessions->store();
    if (!store) {
        showError(tr("No session database is open."));
        return false;
    }
    if (auto r = store->exportSessionsToFile(path.toStdString(), ids); !r) {
        showError(tr("Cannot export sessions to “%1”: %2")
                      .arg(QFileInfo(path).fileName(), QString::fromStdString(r.error().detail)));
        return false;
    }
    m_status->setText(tr("Exported to %1.").arg(QDir::toNativeSeparators(path)));
    return true;
}

void MainWindow::importSessions()
{
    if (!m_sessions->isWritable()) {
        showError(tr("No writable session database is open."));
        return;
    }
    const QString path = QFileDialog::getOpenFileName(this, tr("Import sessions"), QString(),
                                                      tr("JSON files (*.json);;All files (*)"));
    if (!path.isEmpty())
        importSessionsFrom(path);
}

bool MainWindow::importSessionsFrom(const QString &path)
{
    if (!m_sessions->isWritable()) {
        showError(tr("No writable session database is open."));
        return false;
    }
    auto r = m_sessions->store()->importSessionsFromFile(path.toStdString());
    if (!r) {
        showError(tr("Cannot import “%1”: %2").arg(QFileInfo(path).fileName(),
                                                   QString::fromStdString(r.error().detail)));
        return false;
    }
    m_status->setText(tr("Imported %n session(s).", nullptr, static_cast<int>(r->imported.size())));
    if (!r->skipped.empty()) {
        QStringList lines;
        for (const auto &s : r->skipped)
            lines << tr("“%1” skipped: %2").arg(QString::fromStdString(s.name), QString::fromStdString(s.reason));
        showError(lines.join(QLatin1Char('\n')));
    }
    emit m_sessions->sessionsChanged();
    return true;
}

void MainWindow::buildMenus()
{
    QMenu *file = menuBar()->addMenu(QString());
    translated([file] { file->setTitle(tr("&File")); });
    QAction *open = file->addAction(tr("&Open…"), this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Open prompt"), QString(),
                                                          tr("Text files (*.txt *.md *.markdown);;All files (*)"));
        if (!path.isEmpty())
            openFile(path);
    });
    open->setShortcut(QKeySequence::Open);
    m_recentMenu = file->addMenu(tr("Open &Recent"));
    QAction *save = file->addAction(tr("&Save Compressed Text As…"), this, &MainWindow::saveCompressed);
    save->setShortcut(QKeySequence::SaveAs);
    file->addSeparator();
    QAction *newSession = file->addAction(tr("&New Session"), this, [this] {
        flushPendingSave();
        m_sessions->setCurrentSession(0);
        if (m_sessions->ensureCurrentSession())
            m_status->setText(tr("New session started: the next runs are saved into it."));
    });
    newSession->setShortcut(QKeySequence::New);
    file->addAction(tr("Open Session &Database…"), this, [this] {
        const QString path = QFileDialog::getSaveFileName(
            this, tr("Open or create a session database"), m_sessions->path(),
            tr("Terse sessions (*.sqlite3 *.sqlite *.db);;All files (*)"), nullptr, QFileDialog::DontConfirmOverwrite);
        if (!path.isEmpty())
            openDatabase(path);
    });
    file->addAction(tr("&Export Sessions…"), this, &MainWindow::exportSessions);
    file->addAction(tr("&Import Sessions…"), this, &MainWindow::importSessions);
    file->addSeparator();
    QAction *quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QMenu *edit = menuBar()->addMenu(QString());
    translated([edit] { edit->setTitle(tr("&Edit")); });
    QAction *copy = edit->addAction(tr("&Copy Compressed Text"), this, &MainWindow::copyCompressed);
    copy->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C));
    edit->addSeparator();
    edit->addAction(m_history->undoStack()->createUndoAction(this, tr("Undo Session Change")));
    edit->addAction(m_history->undoStack()->createRedoAction(this, tr("Redo Session Change")));

    QMenu *view = menuBar()->addMenu(QString());
    translated([view] { view->setTitle(tr("&View")); });
    view->addAction(m_history->toggleViewAction());
    for (auto *dock : findChildren<QDockWidget *>())
        if (dock != m_history)
            view->addAction(dock->toggleViewAction());
    view->addSeparator();
    buildLanguageMenu(view);

    QMenu *run = menuBar()->addMenu(QString());
    QAction *go = run->addAction(QString(), this, &MainWindow::runCompression);
    go->setShortcuts({QKeySequence(Qt::CTRL | Qt::Key_Return), QKeySequence(Qt::CTRL | Qt::Key_Enter)});
    QAction *stop = run->addAction(QString(), this, &MainWindow::cancelCompression);
    translated([run, go, stop] {
        run->setTitle(tr("&Run"));
        go->setText(tr("&Compress"));
        stop->setText(tr("C&ancel"));
    });
    stop->setShortcut(QKeySequence(Qt::Key_Escape));

    QMenu *help = menuBar()->addMenu(QString());
    translated([help] { help->setTitle(tr("&Help")); });
    help->addAction(tr("&About Terse Studio"), this, [this] {
        const auto info = terse::initRuntime();
        QMessageBox::about(this, tr("About Terse Studio"),
                           tr("<b>Terse Studio %1</b><p>A workbench for LLM prompt compression.</p>"
                              "<p>libtorch %2, %3 threads.</p><p>Licensed under the GNU GPL v3 or later.</p>")
                               .arg(QString::fromUtf8(terse::engineVersion()),
                                    QString::fromStdString(info.torchVersion))
                               .arg(info.threads));
    });
}

void MainWindow::buildLanguageMenu(QMenu *parent)
{
    QMenu *menu = parent->addMenu(QString());
    menu->setObjectName(QStringLiteral("languageMenu"));
    auto *group = new QActionGroup(menu);
    const QString stored = QSettings().value(QLatin1String(kLanguageKey)).toString();
    // Language names in their own language, so a user can find theirs in any UI language.
    const std::pair<QString, QString> choices[] = {
        {QString(), QString()},
        {QStringLiteral("en"), QStringLiteral("English")},
        {QStringLiteral("de"), QStringLiteral("Deutsch")},
        {QStringLiteral("zh_CN"), QString::fromUtf8("简体中文")},
    };
    for (const auto &[code, name] : choices) {
        QAction *a = menu->addAction(name);
        a->setCheckable(true);
        a->setData(code);
        a->setChecked(code == stored);
        group->addAction(a);
        connect(a, &QAction::triggered, this, [this, code = code] {
            QSettings().setValue(QLatin1String(kLanguageKey), code);
            if (!installLanguage(*QCoreApplication::instance(), code))
                showError(tr("Cannot load the language “%1”.").arg(code));
        });
        if (code.isEmpty())
            translated([a] { a->setText(tr("System")); });
    }
    translated([menu] { menu->setTitle(tr("&Language")); });
}

void MainWindow::translated(std::function<void()> apply)
{
    apply();
    m_retranslate.push_back(std::move(apply));
}

void MainWindow::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange) {
        for (const auto &apply : m_retranslate)
            apply();
        // Texts built from data (combo entries, the summary, the history) follow at the next update.
        if (m_status)
            m_status->setText(tr("Language changed; some texts change after a restart."));
    }
    QMainWindow::changeEvent(event);
}

bool MainWindow::openFile(const QString &path)
{
    clearError();
    QFile f(path);
    const QString name = QFileInfo(path).fileName();
    if (!f.open(QIODevice::ReadOnly)) {
        showError(tr("Cannot open “%1”: %2").arg(name, f.errorString()));
        return false;
    }
    if (f.size() > kMaxFileBytes) {
        showError(tr("“%1” is %2 MB; Terse opens prompts up to %3 MB.")
                      .arg(name)
                      .arg(static_cast<double>(f.size()) / (1 << 20), 0, 'f', 1)
                      .arg(kMaxFileBytes >> 20));
        return false;
    }
    const QByteArray bytes = f.readAll();
    if (f.error() != QFileDevice::NoError) {
        showError(tr("Cannot read “%1”: %2").arg(name, f.errorString()));
        return false;
    }
    const std::string_view view(bytes.constData(), static_cast<std::size_t>(bytes.size()));
    if (auto nul = view.find('\0'); nul != std::string_view::npos) {
        showError(tr("“%1” looks like a binary file (NUL byte at offset %2); open a text file.").arg(name).arg(nul));
        return false;
    }
    std::size_t bad = 0;
    if (!terse::isValidUtf8(view, &bad)) {
        showError(tr("“%1” is not valid UTF-8 text (first invalid byte at offset %2). Convert it to UTF-8 and try again.")
                      .arg(name)
                      .arg(bad));
        return false;
    }
    m_editor->setPlainText(QString::fromUtf8(bytes));
    m_currentFile = path;
    addRecentFile(path);
    m_status->setText(tr("Opened %1 (%2 KB).").arg(name).arg(bytes.size() / 1024.0, 0, 'f', 1));
    setWindowTitle(tr("%1 — Terse Studio").arg(name));
    return true;
}

void MainWindow::runCompression()
{
    m_debounce->stop();
    clearError();
    const QString text = m_editor->toPlainText();
    const QByteArray utf8 = text.toUtf8();
    if (auto v = terse::validatePromptText(std::string_view(utf8.constData(), static_cast<std::size_t>(utf8.size())));
        !v) {
        showError(text.trimmed().isEmpty() ? tr("The prompt is empty: paste or open some text first.")
                                           : tr("The prompt cannot be compressed: %1")
                                                 .arg(QString::fromStdString(v.error().detail)));
        return;
    }
    m_activeOptions = currentOptions();
    m_activePrompt = terse::Prompt::fromText(utf8.toStdString());
    m_activeId = m_worker->submit(m_activePrompt, m_activeOptions);
    setBusy(true);
    m_status->setText(tr("Compressing…"));
}

void MainWindow::cancelCompression()
{
    if (!isBusy())
        return;
    m_worker->cancel();
    m_status->setText(tr("Cancelling…"));
}

void MainWindow::scheduleRerun()
{
    if (m_restoring)
        return;
    markDirty();
    // Only re-run automatically once the user has a result to update.
    if (m_result || isBusy())
        m_debounce->start();
}

double MainWindow::rate() const { return m_rateSpin->value(); }

void MainWindow::setRate(double r) { m_rateSpin->setValue(r); }

void MainWindow::setBusy(bool busy)
{
    if (!busy)
        m_activeId = 0;
    m_cancel->setEnabled(busy);
    if (busy) {
        m_progress->setRange(0, 0);
        m_progressDelay->start();
    } else {
        m_progressDelay->stop();
        m_progress->hide();
    }
}

void MainWindow::showResult(const ResultHandle &r)
{
    m_result = r;
    m_heatmap->setData(toHeatmapData(*r));
    m_summary->setText(resultSummary(*r));
    for (const auto &w : r->warnings)
        showError(QString::fromStdString(w.detail));
    updateColorChoices();
    updatePlot();
    emit resultShown();
}

void MainWindow::updateColorChoices()
{
    const QString current = m_colorBy->currentText();
    const QSignalBlocker block(m_colorBy);
    m_colorBy->clear();
    m_colorBy->addItem(tr("decision only"));
    for (const auto &s : m_result->scores)
        m_colorBy->addItem(QString::fromStdString(s.name));
    int idx = m_colorBy->findText(current);
    if (idx < 0)
        idx = m_colorBy->count() > 1 ? 1 : 0;
    m_colorBy->setCurrentIndex(idx);
    m_heatmap->setColorSeries(idx - 1);
}

void MainWindow::updatePlot()
{
    if (!m_result || m_result->scores.empty()) {
        m_plot->clear();
        return;
    }
    const int idx = std::max(0, m_colorBy->currentIndex() - 1);
    const auto &s = m_result->scores[static_cast<std::size_t>(std::min<int>(idx, m_result->scores.size() - 1))];
    QVector<double> v;
    QVector<bool> kept;
    v.reserve(static_cast<qsizetype>(s.values.size()));
    for (std::size_t i = 0; i < s.values.size(); ++i) {
        v.push_back(s.values[i]);
        kept.push_back(i < m_result->units.size() && m_result->units[i].kept);
    }
    double th = std::nan("");
    for (const auto &t : m_result->thresholds)
        if (t.series == s.name)
            th = t.value;
    m_plot->setSeries(QString::fromStdString(s.name), v, kept, th);
}

void MainWindow::showError(const QString &message)
{
    m_error->setText(message);
    m_error->show();
}

void MainWindow::clearError()
{
    m_error->clear();
    m_error->hide();
}

QString MainWindow::statusText() const { return m_status->text(); }
QString MainWindow::errorText() const { return m_error->isHidden() ? QString() : m_error->text(); }
QString MainWindow::summaryText() const { return m_summary->text(); }

void MainWindow::copyCompressed()
{
    if (m_result)
        QApplication::clipboard()->setText(QString::fromStdString(m_result->compressedText));
}

void MainWindow::saveCompressed()
{
    if (!m_result) {
        showError(tr("Nothing to save yet: compress a prompt first."));
        return;
    }
    const QString path = QFileDialog::getSaveFileName(this, tr("Save compressed text"), QString(),
                                                      tr("Text files (*.txt);;All files (*)"));
    if (path.isEmpty())
        return;
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(QByteArray::fromStdString(m_result->compressedText)) < 0 ||
        !f.commit())
        showError(tr("Cannot save “%1”: %2").arg(QFileInfo(path).fileName(), f.errorString()));
}

void MainWindow::addRecentFile(const QString &path)
{
    QSettings s;
    QStringList recent = s.value(QStringLiteral("recentFiles")).toStringList();
    recent.removeAll(path);
    recent.prepend(path);
    while (recent.size() > kMaxRecent)
        recent.removeLast();
    s.setValue(QStringLiteral("recentFiles"), recent);
    rebuildRecentMenu();
}

void MainWindow::rebuildRecentMenu()
{
    m_recentMenu->clear();
    const QStringList recent = QSettings().value(QStringLiteral("recentFiles")).toStringList();
    for (const QString &p : recent)
        m_recentMenu->addAction(QFileInfo(p).fileName(), this, [this, p] { openFile(p); })->setToolTip(p);
    m_recentMenu->setEnabled(!recent.isEmpty());
}

void MainWindow::restoreSettings()
{
    QSettings s;
    restoreGeometry(s.value(QStringLiteral("window/geometry")).toByteArray());
    restoreState(s.value(QStringLiteral("window/state")).toByteArray());
    const int m = m_method->findData(s.value(QStringLiteral("method")).toString());
    if (m >= 0)
        m_method->setCurrentIndex(m);
    const double r = s.value(QStringLiteral("rate"), 0.5).toDouble();
    if (r > 0 && r <= 1)
        setRate(r);
    rebuildRecentMenu();
}

void MainWindow::saveSettings() const
{
    QSettings s;
    s.setValue(QStringLiteral("window/geometry"), saveGeometry());
    s.setValue(QStringLiteral("window/state"), saveState());
    s.setValue(QStringLiteral("method"), m_method->currentData());
    s.setValue(QStringLiteral("rate"), rate());
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    flushPendingSave();
    saveWorkingState();
    saveSettings();
    m_worker->cancel();
    event->accept();
}

}  // namespace terse::app
