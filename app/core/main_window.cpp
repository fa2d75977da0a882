#include "main_window.h"

#include "answer_panel.h"
#include "cost_panel.h"

#include "appearance.h"
#include "engine_terms.h"
#include "edit_commands.h"
#include "history_dock.h"
#include "language.h"
#include "model_picker.h"
#include "parameter_panel.h"
#include "pin_list.h"
#include "result_adapter.h"
#include "result_inspector.h"
#include "session_manager.h"
#include "workbench_actions.h"

#include "terse/resources.h"
#include "terse/runtime.h"
#include "terse/session_store.h"
#include "terse/text_units.h"
#include "terse_widgets/prompt_editor.h"
#include "terse_widgets/score_plot.h"
#include "terse_widgets/structured_prompt_editor.h"
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
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QScrollArea>
#include <QScrollBar>
#include <QPushButton>
#include <QSaveFile>
#include <QSettings>
#include <QSlider>
#include <QSplitter>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTimer>
#include <QUndoStack>
#include <QVBoxLayout>

#include <algorithm>
#include <cctype>
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
// Preselected on a first run: the method the bundled tagger serves, fast and good at any rate.
const QString kFirstRunMethod = QStringLiteral("llmlingua2");
}  // namespace

MainWindow::MainWindow(CompressorFactory factory, QWidget *parent, const QString &databasePath)
    : QMainWindow(parent),
      m_factory(factory),
      m_methods(terse::availableMethods()),
      m_worker(new EngineWorker(std::move(factory), this)),
      m_sessions(new SessionManager(this))
{
    m_restoring = true;  // setting up the controls is not a user change
    if (const Theme theme = storedTheme(); theme != Theme::System)
        applyTheme(theme);
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

    connect(m_worker, &EngineWorker::progress, this, [this](quint64 id, qint64 done, qint64 total, const QString &engineStage) {
        if (id != m_activeId)
            return;
        const QString stage = EngineTerms::progressStage(engineStage);
        m_progress->setRange(0, total > 0 ? 1000 : 0);
        if (total > 0)
            m_progress->setValue(static_cast<int>(1000.0 * static_cast<double>(done) / static_cast<double>(total)));
        // Stage, step and, once the pace is known, the time left (issue 20).
        QString text = total > 0 ? tr("Compressing: %1 (%2 of %3)").arg(stage).arg(done).arg(total)
                                 : tr("Compressing: %1…").arg(stage);
        const double elapsed = static_cast<double>(m_jobTimer.elapsed());
        if (total > 0 && done > 0 && done < total && elapsed > 1500)
            text += QStringLiteral(" · ") +
                    tr("about %1 left").arg(formatDuration(elapsed * static_cast<double>(total - done) / static_cast<double>(done)));
        m_status->setText(text);
    });
    // A long iterative run shows each stage's result as it completes (issue 20); the last complete result stays
    // what Copy, Export, the answer check and the cost panel use until the run ends.
    connect(m_worker, &EngineWorker::partialResult, this, [this](quint64 id, ResultHandle r, int done, int total) {
        if (id != m_activeId || !r)
            return;
        m_partial = r;
        m_partialDone = done;
        m_partialTotal = total;
        m_inspector->setResult(r, m_pins, total);
        updateOutdated();
        emit partialShown(done, total);
    });
    connect(m_worker, &EngineWorker::finished, this, [this](quint64 id, ResultHandle r, bool rethresholded) {
        if (id != m_activeId)
            return;  // a newer request is on its way
        m_partial.reset();
        setBusy(false);
        m_shownRunId = 0;
        m_shownOptions = m_activeOptions;
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
    connect(m_worker, &EngineWorker::failed, this, [this](quint64 id, int code, const QString &message) {
        if (id != m_activeId)
            return;
        setBusy(false);
        dropPartial();
        showError(tr("Compression failed: %1").arg(EngineTerms::errorText(static_cast<terse::ErrorCode>(code), message)));
        m_status->setText(tr("Failed."));
        emit jobEnded();
    });
    connect(m_worker, &EngineWorker::cancelled, this, [this](quint64 id) {
        if (id != m_activeId)
            return;
        setBusy(false);
        dropPartial();
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
    // Result warnings are not errors: notes say how the method met the request, warnings that it did not.
    m_warnings = new QLabel(central);
    m_warnings->setObjectName(QStringLiteral("warningBanner"));
    m_warnings->setWordWrap(true);
    m_warnings->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_warnings->setStyleSheet(QStringLiteral("QLabel { background: #fff4d6; color: #5c4200; border: 1px solid #e3c26b;"
                                             " border-radius: 4px; padding: 6px; }"));
    m_warnings->hide();
    outer->addWidget(m_warnings);
    m_notes = new QLabel(central);
    m_notes->setObjectName(QStringLiteral("noteBanner"));
    m_notes->setWordWrap(true);
    m_notes->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_notes->setStyleSheet(QStringLiteral("QLabel { background: palette(alternate-base); color: palette(window-text);"
                                          " border: 1px solid palette(mid); border-radius: 4px; padding: 6px; }"));
    m_notes->hide();
    outer->addWidget(m_notes);

    auto *split = new QSplitter(Qt::Horizontal, central);
    split->setObjectName(QStringLiteral("mainSplitter"));
    // The prompt: a plain editor or the structured one (instruction / contexts / question).
    m_promptStack = new QStackedWidget(split);
    m_promptStack->setObjectName(QStringLiteral("promptStack"));
    m_editor = new terse::widgets::PromptEditor(m_promptStack);
    m_editor->setObjectName(QStringLiteral("promptEditor"));
    m_editor->setUndoRedoEnabled(false);  // Edit → Undo covers prompt edits and pins together
    m_editor->installEventFilter(this);
    // Issue 20: the rate box took Ctrl+E (its line edit's "end of line" in the X11 key scheme) from
    // File → Export Result.
    m_rateSpin->installEventFilter(this);
    m_structuredEditor = new terse::widgets::StructuredPromptEditor(m_promptStack);
    m_structuredEditor->setObjectName(QStringLiteral("structuredEditor"));
    m_promptStack->addWidget(m_editor);
    m_promptStack->addWidget(m_structuredEditor);
    // The result: heatmap, colouring, legend, stage scrubber and plot tabs.
    m_inspector = new ResultInspector(split);
    m_inspector->setObjectName(QStringLiteral("resultInspector"));
    m_heatmap = m_inspector->heatmap();
    m_plot = m_inspector->plot();
    split->addWidget(m_promptStack);
    split->addWidget(m_inspector);
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
    connect(m_inspector, &ResultInspector::colorSeriesChanged, this, &MainWindow::markDirty);
    connect(m_inspector, &ResultInspector::unitClicked, this, &MainWindow::cyclePin);
    connect(m_inspector, &ResultInspector::pinRequested, this, &MainWindow::setPin);
    connect(m_inspector, &ResultInspector::attentionRequested, this, &MainWindow::requestAttention);
    connect(m_worker, &EngineWorker::attentionReady, this,
            [this](quint64 id, AttentionHandle row, const QString &error) {
                if (id == m_attentionId)
                    m_inspector->setAttention(row, error);
            });
    connect(m_editor, &terse::widgets::PromptEditor::filesDropped, this, [this](const QStringList &files) {
        openFile(files.first());
    });
    connect(m_editor, &QPlainTextEdit::textChanged, this, &MainWindow::onPromptTextChanged);
    connect(m_structuredEditor, &terse::widgets::StructuredPromptEditor::changed, this,
            &MainWindow::onStructuredChanged);

    m_undo = new QUndoStack(this);
    m_undo->setObjectName(QStringLiteral("editUndoStack"));
    m_editDebounce = new QTimer(this);
    m_editDebounce->setSingleShot(true);
    m_editDebounce->setInterval(400);  // prompt edits re-run once the user pauses typing
    connect(m_editDebounce, &QTimer::timeout, this, [this] {
        if (m_result || isBusy())
            runCompression();
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
    m_pinList = new PinList(body);
    m_pinList->setObjectName(QStringLiteral("pinListPanel"));
    v->addWidget(m_pinList);
    connect(m_pinList, &PinList::removeRequested, this, [this](int index) {
        if (index < 0 || index >= static_cast<int>(m_pins.size()))
            return;
        auto pins = m_pins;
        pins.erase(pins.begin() + index);
        pushPins(std::move(pins), tr("Unpin"));
    });
    connect(m_pinList, &PinList::clearRequested, this, [this] { pushPins({}, tr("Unpin All")); });
    scroll->setWidget(body);
    scroll->setMinimumWidth(270);  // room for "Label (default x):" rows next to their controls
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    // Issue 20: the dock is as wide as its widest row needs in the current language (German labels and
    // buttons are longer), so nothing hides behind a scroll bar; re-measured after a language change and when
    // the method's options change.
    m_fitParameters = [scroll, body] {
        const int needed = body->minimumSizeHint().width() + scroll->verticalScrollBar()->sizeHint().width() + 4;
        scroll->setMinimumWidth(std::max(270, needed));
    };
    translated([this] { QTimer::singleShot(0, this, m_fitParameters); });
    dock->setWidget(scroll);
    addDockWidget(Qt::RightDockWidgetArea, dock);
    resizeDocks({m_history, dock}, {300, 300}, Qt::Horizontal);

    // The answer check: below the views, hidden until asked for (Run → Ask the Target Model).
    m_answerDock = new QDockWidget(this);
    m_answerDock->setObjectName(QStringLiteral("answerDock"));
    translated([this] { m_answerDock->setWindowTitle(tr("Answer Check")); });
    m_answers = new AnswerPanel(m_sessions, m_answerDock);
    m_answerDock->setWidget(m_answers);
    addDockWidget(Qt::BottomDockWidgetArea, m_answerDock);
    m_answerDock->hide();
    // After showResult() the shown run's id is set (restore, save), so update on the next turn.
    connect(this, &MainWindow::resultShown, this, [this] {
        QTimer::singleShot(0, this, [this] {
            if (!m_result)
                return;
            QStringList parts;
            for (const auto &seg : m_result->segments)
                parts << QString::fromStdString(seg.text);
            m_answers->setResult(parts.join(QStringLiteral("\n\n")), QString::fromStdString(m_result->compressedText),
                                 m_shownRunId);
        });
    });
    connect(this, &MainWindow::runSaved, this, [this](qint64 id) {
        if (id == m_shownRunId)
            m_answers->setRunId(id);
    });
    // Is it worth it: money and time saved on the target model, beside the answer check.
    m_costDock = new QDockWidget(this);
    m_costDock->setObjectName(QStringLiteral("costDock"));
    translated([this] { m_costDock->setWindowTitle(tr("Cost")); });
    m_cost = new CostPanel(m_costDock);
    m_costDock->setWidget(m_cost);
    addDockWidget(Qt::BottomDockWidgetArea, m_costDock);
    tabifyDockWidget(m_answerDock, m_costDock);
    m_costDock->hide();
    connect(this, &MainWindow::resultShown, this, [this] {
        if (m_result)
            m_cost->setResult(m_result->targetTokensIn, m_result->targetTokensOut, m_result->totalMs);
    });

    connect(m_params, &ParameterPanel::changed, this, &MainWindow::scheduleRerun);
    connect(m_models, &ModelPicker::errorOccurred, this, &MainWindow::showError);
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
    if (m_fitParameters)
        QTimer::singleShot(0, this, m_fitParameters);
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
    opts.pinned = m_pins;
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
    m_pins = options.pinned;
    refreshPinViews();
    m_restoring = was;
}

void MainWindow::markDirty()
{
    if (m_restoring)
        return;
    updateOutdated();
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
    ws.prompt = currentPrompt();
    ws.options = currentOptions();
    m_paramsByMethod[ws.options.method] = ws.options.params;
    QJsonObject ui;
    ui[QStringLiteral("colorBy")] = m_inspector->colorSeriesName();
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
            setPromptContent(ws->prompt);
            applyOptions(ws->options);
            // Show the run the user was looking at, from the store: nothing is recomputed.
            const qint64 runId = ui.value(QStringLiteral("runId")).toInteger();
            if (runId > 0)
                if (auto run = store->loadRun(runId); run && run->prompt.joined() == ws->prompt.joined()) {
                    m_shownOptions = run->options;
                    showResult(std::make_shared<const terse::CompressionResult>(std::move(run->result)));
                    m_shownRunId = runId;
                    m_inspector->setColorSeries(ui.value(QStringLiteral("colorBy")).toString());
                }
            m_restoring = false;
            m_status->setText(tr("Restored your last working state."));
        }
    }
    emit workingStateRestored();
}

namespace {

// Every option, as one comparable string.
std::string optionsKey(const terse::CompressOptions &o)
{
    std::string k;
    auto add = [&k](const std::string &field) {
        k += std::to_string(field.size());
        k += ':';
        k += field;
    };
    add(o.method);
    add(std::to_string(o.rate));
    add(std::to_string(o.targetTokens));
    add(terse::modeName(o.mode));
    add(std::to_string(o.seed));
    add(o.model);
    add(o.device);
    add(o.targetTokenizer);
    for (const auto &[name, value] : o.params) {
        add(name);
        add(value);
    }
    for (const auto &p : o.pinned)
        add(std::to_string(p.segment) + "," + std::to_string(p.span.begin) + "," + std::to_string(p.span.end) +
            (p.keep ? "+" : "-"));
    return k;
}

// What makes two runs the same for saving: the prompt, every option and the output.
std::string savedRunKey(const terse::Prompt &prompt, const terse::CompressOptions &o, const terse::CompressionResult &r)
{
    std::string k;
    for (const auto &seg : prompt.segments) {
        k += std::to_string(static_cast<int>(seg.role)) + ":" + std::to_string(seg.text.size()) + ":" + seg.text;
    }
    k += "|" + optionsKey(o) + "|" + std::to_string(r.compressedText.size()) + ":" + r.compressedText;
    return k;
}

}  // namespace

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
    // Issue 20: Compress after a run that already has these settings (a method switch runs at once) gives
    // the same result; it is shown as that saved run instead of being saved again.
    const std::string key = savedRunKey(prompt, options, *result);
    if (m_lastSaved.id != 0 && m_lastSaved.session == session && m_lastSaved.key == key &&
        m_sessions->store()->loadRun(m_lastSaved.id).ok()) {
        if (m_result == result)
            m_shownRunId = m_lastSaved.id;
        emit runSaved(m_lastSaved.id);
        return;
    }
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
    m_lastSaved = {key, *id, session};
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
    setPromptContent(run->prompt);
    applyOptions(run->options);
    m_restoring = false;
    m_shownOptions = run->options;
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
    buildSamplesMenu(file);
    file->addSeparator();
    QAction *savePromptAction = file->addAction(tr("Save &Prompt"), this, [this] { savePrompt(false); });
    savePromptAction->setShortcut(QKeySequence::Save);
    file->addAction(tr("Save Prompt &As…"), this, [this] { savePrompt(true); });
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
    QAction *undo = m_undo->createUndoAction(this, tr("&Undo"));
    undo->setObjectName(QStringLiteral("undoAction"));
    undo->setShortcuts({QKeySequence::Undo});
    QAction *redo = m_undo->createRedoAction(this, tr("&Redo"));
    redo->setObjectName(QStringLiteral("redoAction"));
    redo->setShortcuts({QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z), QKeySequence(Qt::CTRL | Qt::Key_Y)});
    edit->addAction(undo);
    edit->addAction(redo);
    edit->addSeparator();
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
    m_structuredAction = view->addAction(tr("&Structured Prompt Editor"));
    m_structuredAction->setObjectName(QStringLiteral("structuredAction"));
    m_structuredAction->setCheckable(true);
    m_structuredAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E));
    m_structuredAction->setToolTip(tr("Edit the prompt as instruction, contexts and question"));
    connect(m_structuredAction, &QAction::toggled, this, &MainWindow::setStructured);
    view->addSeparator();
    buildThemeMenu(view);
    buildLanguageMenu(view);

    QMenu *run = menuBar()->addMenu(QString());
    QAction *go = run->addAction(QString(), this, &MainWindow::runCompression);
    go->setShortcuts({QKeySequence(Qt::CTRL | Qt::Key_Return), QKeySequence(Qt::CTRL | Qt::Key_Enter)});
    QAction *stop = run->addAction(QString(), this, &MainWindow::cancelCompression);
    run->addSeparator();
    QAction *askAction = run->addAction(QString(), this, [this] {
        if (!m_answerDock->isVisible()) {
            m_answerDock->show();
            resizeDocks({m_answerDock}, {260}, Qt::Vertical);  // the views keep most of the height
        }
        m_answerDock->raise();
        m_answers->ask();
    });
    askAction->setObjectName(QStringLiteral("askTargetAction"));
    askAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_A));
    translated([run, go, stop, askAction] {
        run->setTitle(tr("&Run"));
        go->setText(tr("&Compress"));
        stop->setText(tr("C&ancel"));
        askAction->setText(tr("Ask the &Target Model"));
        askAction->setToolTip(tr("Send the original and the compressed prompt to the target model and compare the answers"));
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
    setStructured(false);
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
    m_editDebounce->stop();
    clearError();
    terse::Prompt prompt = currentPrompt();
    const std::string joined = prompt.joined();
    if (auto v = terse::validatePromptText(joined); !v) {
        showError(QString::fromStdString(joined).trimmed().isEmpty()
                      ? tr("The prompt is empty: paste or open some text first.")
                      : tr("The prompt cannot be compressed: %1").arg(QString::fromStdString(v.error().detail)));
        return;
    }
    m_activeOptions = currentOptions();
    m_activePrompt = std::move(prompt);
    m_activeId = m_worker->submit(m_activePrompt, m_activeOptions);
    m_jobTimer.start();
    setBusy(true);
    dropPartial();  // the superseded run's stages are not this run's
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
    updateOutdated();
}

void MainWindow::showResult(const ResultHandle &r)
{
    m_result = r;
    m_inspector->setResult(r, m_pins);
    showWarnings(r->warnings);
    updateOutdated();
    emit resultShown();
}

void MainWindow::showWarnings(const std::vector<terse::Warning> &warnings)
{
    QStringList notes, problems;
    for (const auto &w : warnings) {
        const QString detail = EngineTerms::warningText(w);
        if (warningKind(w.code) == NoteKind::Info)
            notes << tr("Note: %1.").arg(detail);
        else
            problems << tr("Warning: %1.").arg(detail);
    }
    m_notes->setText(notes.join(QLatin1Char('\n')));
    m_notes->setVisible(!notes.isEmpty());
    m_warnings->setText(problems.join(QLatin1Char('\n')));
    m_warnings->setVisible(!problems.isEmpty());
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
QString MainWindow::noteText() const { return m_notes->isHidden() ? QString() : m_notes->text(); }
QString MainWindow::warningText() const { return m_warnings->isHidden() ? QString() : m_warnings->text(); }
QString MainWindow::summaryText() const { return m_inspector->summaryLabel()->text(); }

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
    // A first run (nothing stored yet) starts on a real method rather than the first listed baseline.
    int m = m_method->findData(s.value(QStringLiteral("method")).toString());
    if (m < 0 && !s.contains(QStringLiteral("method")))
        m = m_method->findData(kFirstRunMethod);
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

bool MainWindow::eventFilter(QObject *watched, QEvent *event)
{
    // The plain editor would take Ctrl+Z for its own (disabled) history: let the window's actions have it.
    if (watched == m_editor && event->type() == QEvent::ShortcutOverride) {
        auto *key = static_cast<QKeyEvent *>(event);
        if (key->matches(QKeySequence::Undo) || key->matches(QKeySequence::Redo) ||
            key->keyCombination() == QKeyCombination(Qt::CTRL | Qt::SHIFT, Qt::Key_Z)) {
            event->ignore();
            return true;
        }
    }
    // Window shortcuts with Ctrl + a letter win over the spin box's text editing (Ctrl+A/C/V/X/Z stay its own).
    if (event->type() == QEvent::ShortcutOverride && watched == m_rateSpin) {
        auto *key = static_cast<QKeyEvent *>(event);
        if (key->keyCombination() == QKeyCombination(Qt::CTRL, Qt::Key_E)) {
            event->ignore();
            return true;
        }
    }
    return QMainWindow::eventFilter(watched, event);
}

terse::Prompt MainWindow::currentPrompt() const
{
    if (!isStructured())
        return terse::Prompt::fromText(m_editor->toPlainText().toUtf8().toStdString());
    terse::Prompt p;
    for (const auto &part : m_structuredEditor->parts()) {
        terse::PromptSegment seg;
        seg.role = part.role == terse::widgets::PromptPart::Role::Instruction ? terse::SegmentRole::Instruction
                   : part.role == terse::widgets::PromptPart::Role::Question  ? terse::SegmentRole::Question
                                                                               : terse::SegmentRole::Context;
        seg.text = part.text.toUtf8().toStdString();
        p.segments.push_back(std::move(seg));
    }
    if (p.segments.empty())
        p = terse::Prompt::fromText({});
    return p;
}

bool MainWindow::isStructured() const { return m_promptStack->currentWidget() == m_structuredEditor; }

void MainWindow::setPromptContent(const terse::Prompt &prompt)
{
    const bool plain = prompt.segments.size() <= 1 &&
                       (prompt.segments.empty() || prompt.segments.front().role == terse::SegmentRole::Context);
    const bool was = m_restoring;
    m_restoring = true;
    if (plain) {
        setStructured(false);
        const QString text = QString::fromStdString(prompt.joined());
        if (m_editor->toPlainText() != text)
            m_editor->setPlainText(text);
    } else {
        QVector<terse::widgets::PromptPart> parts;
        for (const auto &seg : prompt.segments) {
            terse::widgets::PromptPart part;
            part.role = seg.role == terse::SegmentRole::Instruction ? terse::widgets::PromptPart::Role::Instruction
                        : seg.role == terse::SegmentRole::Question  ? terse::widgets::PromptPart::Role::Question
                                                                     : terse::widgets::PromptPart::Role::Context;
            part.text = QString::fromStdString(seg.text);
            parts.push_back(part);
        }
        m_structuredEditor->setParts(parts);
        m_promptStack->setCurrentWidget(m_structuredEditor);
        const QSignalBlocker block(m_structuredAction);
        m_structuredAction->setChecked(true);
    }
    m_restoring = was;
}

void MainWindow::setStructured(bool structured)
{
    if (structured == isStructured())
        return;
    const terse::Prompt before = currentPrompt();
    const bool was = m_restoring;
    m_restoring = true;  // a conversion, not an edit: no undo entry, no re-run
    std::vector<terse::PinnedSpan> pins;
    if (structured) {
        // The plain text becomes the first context; pins keep their spans in it (segment 0).
        const QString text = m_editor->toPlainText();
        QVector<terse::widgets::PromptPart> parts;
        if (!text.trimmed().isEmpty())
            parts.push_back({terse::widgets::PromptPart::Role::Context, text});
        m_structuredEditor->setParts(parts);
        m_promptStack->setCurrentWidget(m_structuredEditor);
        if (!text.trimmed().isEmpty())
            pins = m_pins;
    } else {
        // The parts join into one text ("\n\n" between them, as Prompt::joined); pins move with them.
        std::vector<std::size_t> offsets;
        std::size_t at = 0;
        for (const auto &seg : before.segments) {
            offsets.push_back(at);
            at += seg.text.size() + 2;
        }
        for (auto p : m_pins)
            if (p.segment >= 0 && p.segment < static_cast<int>(offsets.size())) {
                p.span.begin += offsets[static_cast<std::size_t>(p.segment)];
                p.span.end += offsets[static_cast<std::size_t>(p.segment)];
                p.segment = 0;
                pins.push_back(p);
            }
        m_promptStack->setCurrentWidget(m_editor);
        m_editor->setPlainText(QString::fromStdString(before.joined()));
    }
    m_restoring = was;
    {
        const QSignalBlocker block(m_structuredAction);
        m_structuredAction->setChecked(structured);
    }
    m_undo->clear();  // text edits recorded in one editor do not apply to the other
    m_pins = std::move(pins);
    refreshPinViews();
    m_worker->invalidateCache();
    markDirty();
}

void MainWindow::onPromptTextChanged()
{
    const QString now = m_editor->toPlainText();
    // The edit as one replacement: common prefix and suffix of the old and new text.
    const qsizetype a = m_lastText.size(), b = now.size();
    qsizetype prefix = 0;
    while (prefix < a && prefix < b && m_lastText[prefix] == now[prefix])
        ++prefix;
    qsizetype suffix = 0;
    while (suffix < a - prefix && suffix < b - prefix && m_lastText[a - 1 - suffix] == now[b - 1 - suffix])
        ++suffix;
    const QString removed = m_lastText.mid(prefix, a - prefix - suffix);
    const QString inserted = now.mid(prefix, b - prefix - suffix);
    if (!m_pins.empty() && !isStructured()) {
        // Pins after the edit move with their words; a pin inside the edited text is dropped.
        const std::size_t at = static_cast<std::size_t>(m_lastText.left(prefix).toUtf8().size());
        const std::size_t gone = static_cast<std::size_t>(removed.toUtf8().size());
        const std::size_t added = static_cast<std::size_t>(inserted.toUtf8().size());
        std::vector<terse::PinnedSpan> moved;
        for (auto p : m_pins) {
            if (p.span.end <= at) {
                moved.push_back(p);
            } else if (p.span.begin >= at + gone) {
                p.span.begin = p.span.begin - gone + added;
                p.span.end = p.span.end - gone + added;
                moved.push_back(p);
            }
        }
        const bool changed = moved.size() != m_pins.size() ||
                             !std::equal(moved.begin(), moved.end(), m_pins.begin(), [](const auto &x, const auto &y) {
                                 return x.span == y.span && x.keep == y.keep && x.segment == y.segment;
                             });
        if (changed) {
            m_pins = std::move(moved);
            refreshPinViews();
        }
    }
    m_lastText = now;
    m_worker->invalidateCache();
    if (m_restoring) {
        m_undo->clear();  // programmatic text (restore, conversion): earlier edits no longer apply
        return;
    }
    if (!m_applyingUndo && (!removed.isEmpty() || !inserted.isEmpty()))
        m_undo->push(new PromptEditCommand(m_editor, static_cast<int>(prefix), removed, inserted, &m_applyingUndo));
    markDirty();
    scheduleEditRerun();
}

void MainWindow::onStructuredChanged()
{
    if (m_restoring)
        return;
    // Pins whose part no longer holds their span are dropped.
    const terse::Prompt p = currentPrompt();
    std::vector<terse::PinnedSpan> kept;
    for (const auto &pin : m_pins)
        if (pin.segment < static_cast<int>(p.segments.size()) &&
            pin.span.end <= p.segments[static_cast<std::size_t>(pin.segment)].text.size())
            kept.push_back(pin);
    if (kept.size() != m_pins.size()) {
        m_pins = std::move(kept);
        refreshPinViews();
    }
    m_worker->invalidateCache();
    markDirty();
    scheduleEditRerun();
}

void MainWindow::scheduleEditRerun()
{
    if (m_restoring)
        return;
    if (m_result || isBusy())
        m_editDebounce->start();
}

void MainWindow::updateOutdated()
{
    if (!m_inspector)
        return;
    if (m_partial) {
        m_inspector->setOutdated(tr("Partial result: %1 of %2 stages done, the run goes on. The stage slider fills as "
                                    "stages finish; Cancel keeps the last complete result.")
                                     .arg(m_partialDone)
                                     .arg(m_partialTotal),
                                 false);
        return;
    }
    QString why;
    if (m_result) {
        if (isBusy())
            why = tr("Outdated: a new result is being computed.");
        else if (!resultMatchesPrompt())
            why = tr("Outdated: the prompt changed after this result. Compress to update it.");
        else if (optionsKey(m_shownOptions) != optionsKey(currentOptions()))
            why = tr("Outdated: this result was computed with other settings (%1 at rate %2). Compress to update it.")
                      .arg(QString::fromStdString(m_shownOptions.method))
                      .arg(m_shownOptions.rate, 0, 'f', 2);
    }
    m_inspector->setOutdated(why);
}

ResultHandle MainWindow::shownResult() const { return m_partial ? m_partial : m_result; }

void MainWindow::dropPartial()
{
    if (!m_partial)
        return;
    // A run that did not finish leaves the last complete result (or none) on screen.
    m_partial.reset();
    m_inspector->setResult(m_result, m_pins);
    updateOutdated();
}

bool MainWindow::resultMatchesPrompt() const
{
    const ResultHandle shown = shownResult();
    if (!shown)
        return false;
    const terse::Prompt p = currentPrompt();
    if (p.segments.size() != shown->segments.size())
        return false;
    for (std::size_t i = 0; i < p.segments.size(); ++i)
        if (p.segments[i].text != shown->segments[i].text || p.segments[i].role != shown->segments[i].role)
            return false;
    return true;
}

bool MainWindow::cyclePin(int unit)
{
    const ResultHandle shown = shownResult();
    if (!shown || unit < 0 || unit >= static_cast<int>(shown->units.size()))
        return false;
    const int now = pinOf(shown->units[static_cast<std::size_t>(unit)], m_pins);
    return setPin(unit, now == 0 ? 1 : (now > 0 ? -1 : 0));
}

bool MainWindow::setPin(int unit, int direction)
{
    const ResultHandle shown = shownResult();
    if (!shown || unit < 0 || unit >= static_cast<int>(shown->units.size()))
        return false;
    if (!resultMatchesPrompt()) {
        m_status->setText(tr("The prompt changed since this result: compress again before pinning."));
        return false;
    }
    const terse::Unit &u = shown->units[static_cast<std::size_t>(unit)];
    // The pin covers the whole word the unit is part of, without its trailing whitespace: the word is the
    // unit a person sees (issue 20: clicking "Ticket" of a token-level method pinned only "et").
    const std::string &text = shown->segments[static_cast<std::size_t>(u.segment)].text;
    auto trimmed = [&text](terse::Span s) {
        while (s.end > s.begin + 1 && std::isspace(static_cast<unsigned char>(text[s.end - 1])))
            --s.end;
        return s;
    };
    terse::Span span = trimmed(u.span);
    for (const terse::Span &w : terse::splitAtomicWords(text))
        if (w.begin <= span.begin && span.begin < w.end) {
            const terse::Span word = trimmed(w);
            span = {std::min(span.begin, word.begin), std::max(span.end, word.end)};
            break;
        }
    std::vector<terse::PinnedSpan> pins;
    for (const auto &p : m_pins)
        if (!(p.segment == u.segment && span.begin < p.span.end && p.span.begin < span.end))
            pins.push_back(p);
    if (direction != 0)
        pins.push_back({u.segment, span, direction > 0});
    const QString word = QString::fromUtf8(text.data() + span.begin, static_cast<qsizetype>(span.size())).trimmed();
    pushPins(std::move(pins), direction > 0   ? tr("Pin “%1” (keep)").arg(word)
                              : direction < 0 ? tr("Pin “%1” (drop)").arg(word)
                                              : tr("Unpin “%1”").arg(word));
    return true;
}

void MainWindow::pushPins(std::vector<terse::PinnedSpan> pins, const QString &text)
{
    m_undo->push(new PinCommand([this](const std::vector<terse::PinnedSpan> &p) { installPins(p); }, m_pins,
                                std::move(pins), text));
}

void MainWindow::installPins(const std::vector<terse::PinnedSpan> &pins)
{
    m_pins = pins;
    refreshPinViews();
    markDirty();
    if (m_result || isBusy())
        m_debounce->start();  // latest request wins; rapid clicks are batched
}

void MainWindow::refreshPinViews()
{
    if (!m_pinList)
        return;
    const terse::Prompt p = currentPrompt();
    QList<QPair<QString, bool>> list;
    for (const auto &pin : m_pins) {
        QString text;
        if (pin.segment >= 0 && pin.segment < static_cast<int>(p.segments.size())) {
            const std::string &t = p.segments[static_cast<std::size_t>(pin.segment)].text;
            if (pin.span.end <= t.size())
                text = QString::fromUtf8(t.data() + pin.span.begin, static_cast<qsizetype>(pin.span.size()));
        }
        list.append({text, pin.keep});
    }
    m_pinList->setPins(list);
    if (m_result)
        m_inspector->setPins(m_pins);
}

void MainWindow::requestAttention(int unit, int layer, int head)
{
    const ResultHandle shown = shownResult();
    if (!shown || unit < 0 || unit >= static_cast<int>(shown->units.size()))
        return;
    std::string joined;
    for (std::size_t i = 0; i < shown->segments.size(); ++i)
        joined += (i ? "\n\n" : "") + shown->segments[i].text;
    const std::size_t byte = joinedOffset(*shown, shown->units[static_cast<std::size_t>(unit)]);
    QString model = QString::fromStdString(shown->model);
    if (model.isEmpty())
        model = QString::fromStdString(currentOptions().model);
    m_attentionId = m_worker->requestAttention(model, QString::fromStdString(joined), static_cast<qint64>(byte), layer,
                                               head);
}

QStringList MainWindow::samplePaths()
{
    const QString dir = QString::fromStdString(terse::resourcesDir()) + QStringLiteral("/samples");
    QStringList out;
    for (const QFileInfo &f : QDir(dir).entryInfoList({QStringLiteral("*.txt"), QStringLiteral("*.md")}, QDir::Files,
                                                     QDir::Name))
        out << f.absoluteFilePath();
    return out;
}

void MainWindow::buildSamplesMenu(QMenu *parent)
{
    m_samplesMenu = parent->addMenu(QString());
    m_samplesMenu->setObjectName(QStringLiteral("samplesMenu"));
    translated([this] { m_samplesMenu->setTitle(tr("S&amples")); });
    const QStringList samples = samplePaths();
    QStringList titles;
    for (const QString &path : samples) {
        QString name = QFileInfo(path).completeBaseName().replace(QLatin1Char('_'), QLatin1Char(' '));
        if (!name.isEmpty())
            name[0] = name[0].toUpper();
        titles << name;
        m_samplesMenu->addAction(name, this, [this, path] { openFile(path); })->setToolTip(path);
    }
    m_samplesMenu->setEnabled(!samples.isEmpty());
    // The same samples, one click away in the empty editor.
    m_editor->setSamples(titles);
    connect(m_editor, &terse::widgets::PromptEditor::sampleRequested, this, [this, samples](int i) {
        if (i >= 0 && i < samples.size())
            openFile(samples[i]);
    });
}

void MainWindow::buildThemeMenu(QMenu *parent)
{
    QMenu *menu = parent->addMenu(QString());
    menu->setObjectName(QStringLiteral("themeMenu"));
    auto *group = new QActionGroup(menu);
    const Theme stored = storedTheme();
    for (Theme theme : {Theme::System, Theme::Light, Theme::Dark}) {
        QAction *a = menu->addAction(QString());
        a->setObjectName(QStringLiteral("theme_") + themeName(theme));
        a->setCheckable(true);
        a->setChecked(theme == stored);
        group->addAction(a);
        m_themeActions.append(a);
        connect(a, &QAction::triggered, this, [this, theme] {
            applyTheme(theme);
            storeTheme(theme);
            reapplyStyleSheet(m_notes);  // palette() colours in a style sheet are resolved when it is set
            m_inspector->refresh();
        });
        translated([a, theme] {
            a->setText(theme == Theme::Light  ? tr("&Light")
                       : theme == Theme::Dark ? tr("&Dark")
                                              : tr("&System"));
        });
    }
    translated([menu] { menu->setTitle(tr("&Theme")); });
}

void MainWindow::savePrompt(bool askPath)
{
    QString path = m_currentFile;
    if (askPath || path.isEmpty())
        path = QFileDialog::getSaveFileName(this, tr("Save prompt"), m_currentFile,
                                            tr("Text files (*.txt *.md);;All files (*)"));
    if (!path.isEmpty())
        savePromptTo(path);
}

bool MainWindow::savePromptTo(const QString &path)
{
    QSaveFile f(path);
    const std::string text = currentPrompt().joined();
    if (!f.open(QIODevice::WriteOnly) || f.write(text.data(), static_cast<qint64>(text.size())) < 0 || !f.commit()) {
        showError(tr("Cannot save “%1”: %2").arg(QFileInfo(path).fileName(), f.errorString()));
        return false;
    }
    m_currentFile = path;
    addRecentFile(path);
    setWindowTitle(tr("%1 — Terse Studio").arg(QFileInfo(path).fileName()));
    m_status->setText(tr("Saved the prompt to %1.").arg(QDir::toNativeSeparators(path)));
    return true;
}

}  // namespace terse::app
