#include "main_window.h"

#include "answer_panel.h"
#include "appearance.h"
#include "appearance_controller.h"
#include "cost_panel.h"
#include "document_controller.h"
#include "engine_host.h"
#include "history_dock.h"
#include "model_picker.h"
#include "parameter_panel.h"
#include "pin_list.h"
#include "result_adapter.h"
#include "result_inspector.h"
#include "run_controller.h"
#include "session_controller.h"
#include "session_manager.h"
#include "workbench_actions.h"

#include "terse_widgets/prompt_editor.h"
#include "terse_widgets/score_plot.h"
#include "terse_widgets/structured_prompt_editor.h"
#include "terse_widgets/token_heatmap_view.h"

#include <QAction>
#include <QCloseEvent>
#include <QComboBox>
#include <QDockWidget>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QSettings>
#include <QShowEvent>
#include <QSlider>
#include <QSplitter>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTimer>
#include <QUndoStack>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace terse::app {

namespace {
constexpr int kRateSteps = 1000; // slider resolution: 0.001
const QString kMissingModel =
    QStringLiteral("\x01missing"); // ModelPicker's "not installed" entries
// Preselected on a first run: the method the bundled tagger serves, fast and good at any rate.
const QString kFirstRunMethod = QStringLiteral("llmlingua2");
// The registry's methods when the engine has loaded, else none yet (issue 16: the window does not
// wait for libtorch).
std::vector<terse::MethodInfo> loadedMethods()
{
    const terse::EngineApi *engine = EngineHost::api();
    return engine ? engine->availableMethods() : std::vector<terse::MethodInfo>{};
}
} // namespace

MainWindow::MainWindow(CompressorFactory factory, QWidget *parent, const QString &databasePath)
    : QMainWindow(parent), m_factory(factory), m_engineReady(EngineHost::api() != nullptr),
      m_methods(loadedMethods()), m_worker(new EngineWorker(std::move(factory), this)),
      m_sessions(new SessionManager(this))
{
    m_restoring = true; // setting up the controls is not a user change
    m_appearance = new AppearanceController(this);
    buildUi();
    buildDocks();
    m_document = new DocumentController(
        this, {m_editor, m_structuredEditor, m_promptStack, m_pinList, m_inspector});
    m_runs = new RunController(this, m_worker,
                               {m_inspector, m_run, m_cancel, m_progress, m_notes, m_warnings});
    m_sessionControl = new SessionController(this, m_sessions, m_history);
    translated([this] { m_document->updateWindowTitle(); });
    buildMenus();
    wireControllers();
    new WorkbenchActions(
        this); // Run → Compare Methods…, File → Export Result… / Export Score Plot…
    restoreSettings();
    onMethodChanged();
    m_sessionControl->openInitialDatabase(databasePath);
    m_restoring = false;
    if (!m_engineReady) {
        // Loaded once the window is shown (showEvent); the method controls wait for it.
        m_method->setEnabled(false);
        m_method->setPlaceholderText(tr("Loading the engine…"));
        setStatusText(tr("Loading the model engine…"));
        connect(EngineHost::instance(), &EngineHost::ready, this, &MainWindow::onEngineReady);
        connect(EngineHost::instance(), &EngineHost::failed, this, &MainWindow::onEngineFailed);
    }
}

void MainWindow::showEvent(QShowEvent *event)
{
    QMainWindow::showEvent(event);
    // After the window is up: the load runs on a background thread, the window stays responsive.
    if (!m_engineReady)
        QTimer::singleShot(0, EngineHost::instance(), &EngineHost::loadInBackground);
}

void MainWindow::fillMethods()
{
    const QSignalBlocker block(m_method);
    const QVariant current = m_method->currentData(); // kept when the language changes
    m_method->clear();
    for (const auto &m : m_methods) {
        m_method->addItem(engineText(m.displayName), QString::fromStdString(m.name));
        m_method->setItemData(m_method->count() - 1, engineText(m.description), Qt::ToolTipRole);
    }
    if (const int i = m_method->findData(current); i >= 0)
        m_method->setCurrentIndex(i);
    QList<QPair<QString, QString>> methods;
    for (const auto &m : m_methods)
        methods.append({QString::fromStdString(m.name), engineText(m.displayName)});
    m_history->setMethods(methods);
}

void MainWindow::onEngineReady()
{
    if (m_engineReady)
        return;
    const bool was = setRestoring(true);
    m_methods = loadedMethods();
    fillMethods();
    m_engineReady = true;
    m_method->setEnabled(true);
    if (const int i = m_method->findData(m_pendingMethod); i >= 0) {
        const QSignalBlocker block(m_method);
        m_method->setCurrentIndex(i);
    }
    m_pendingMethod.clear();
    m_panelMethod.clear(); // the panel shows the method's options now
    onMethodChanged();
    m_restoring = was;
    if (statusText() == tr("Loading the model engine…"))
        setStatusText(tr("Ready."));
    for (auto &f : std::exchange(m_whenReady, {}))
        f();
}

void MainWindow::onEngineFailed(const QString &message)
{
    m_whenReady.clear();
    m_method->setPlaceholderText(tr("No engine"));
    setStatusText(tr("The model engine is not available."));
    showError(
        tr("The model engine could not be loaded, so nothing can be compressed: %1").arg(message));
}

void MainWindow::whenEngineReady(std::function<void()> f)
{
    if (m_engineReady)
        f();
    else
        m_whenReady.push_back(std::move(f));
}

QString MainWindow::currentMethod() const
{
    return m_engineReady ? m_method->currentData().toString() : m_pendingMethod;
}

MainWindow::~MainWindow() = default;

void MainWindow::translated(std::function<void()> apply)
{
    m_appearance->translated(std::move(apply));
}

void MainWindow::wireControllers()
{
    connect(m_runs, &RunController::resultShown, this, &MainWindow::resultShown);
    connect(m_runs, &RunController::partialShown, this, &MainWindow::partialShown);
    connect(m_runs, &RunController::jobEnded, this, &MainWindow::jobEnded);
    connect(m_runs, &RunController::completed, m_sessionControl,
            &SessionController::onRunCompleted);
    connect(m_sessionControl, &SessionController::workingStateRestored, this,
            &MainWindow::workingStateRestored);
    connect(m_sessionControl, &SessionController::runSaved, this, &MainWindow::runSaved);
    connect(m_appearance, &AppearanceController::errorOccurred, this, &MainWindow::showError);
    connect(m_appearance, &AppearanceController::themeChanged, this, [this] {
        reapplyStyleSheet(
            m_notes); // palette() colours in a style sheet are resolved when it is set
        m_inspector->refresh();
    });
    connect(m_inspector, &ResultInspector::colorSeriesChanged, m_sessionControl,
            &SessionController::markDirty);
    connect(m_params, &ParameterPanel::changed, m_runs, &RunController::scheduleRerun);
    connect(m_models, &ModelPicker::errorOccurred, this, &MainWindow::showError);
    connect(m_models, &ModelPicker::modelChanged, this, [this](const QString &path) {
        if (!path.isEmpty() && path != kMissingModel)
            m_worker->describeModel(path); // loads on the worker thread; the tooltip follows
        m_worker->invalidateCache();
        m_runs->scheduleRerun();
    });
    connect(m_worker, &EngineWorker::modelDescribed, this,
            [this](const QString &path, bool ok, const QString &text) {
                m_models->setModelInfo(path,
                                       ok ? text : tr("Cannot load this model: %1").arg(text));
            });
    connect(m_history, &HistoryDock::errorOccurred, this, &MainWindow::showError);
}

void MainWindow::buildUi()
{
    auto *central = new QWidget(this);
    auto *outer = new QVBoxLayout(central);

    // Controls row: method, rate, run/cancel.
    auto *controls = new QHBoxLayout;
    m_method = new QComboBox(central);
    m_method->setObjectName(QStringLiteral("methodCombo"));
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
        m_rateSlider->setToolTip(
            tr("Rate: the fraction of tokens to keep (compressed / original). Default 0.5."));
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
    m_error->setStyleSheet(
        QStringLiteral("QLabel { background: #fde2e1; color: #7a1212; border: 1px solid #e7a3a0;"
                       " border-radius: 4px; padding: 6px; }"));
    m_error->hide();
    outer->addWidget(m_error);
    // Result warnings are not errors: notes say how the method met the request, warnings that it
    // did not.
    m_warnings = new QLabel(central);
    m_warnings->setObjectName(QStringLiteral("warningBanner"));
    m_warnings->setWordWrap(true);
    m_warnings->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_warnings->setStyleSheet(
        QStringLiteral("QLabel { background: #fff4d6; color: #5c4200; border: 1px solid #e3c26b;"
                       " border-radius: 4px; padding: 6px; }"));
    m_warnings->hide();
    outer->addWidget(m_warnings);
    m_notes = new QLabel(central);
    m_notes->setObjectName(QStringLiteral("noteBanner"));
    m_notes->setWordWrap(true);
    m_notes->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_notes->setStyleSheet(
        QStringLiteral("QLabel { background: palette(alternate-base); color: palette(window-text);"
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

    connect(m_rateSlider, &QSlider::valueChanged, this, [this](int v) {
        const QSignalBlocker block(m_rateSpin);
        m_rateSpin->setValue(static_cast<double>(v) / kRateSteps);
        m_runs->scheduleRerun();
    });
    connect(m_rateSpin, &QDoubleSpinBox::valueChanged, this, [this](double v) {
        const QSignalBlocker block(m_rateSlider);
        m_rateSlider->setValue(static_cast<int>(std::lround(v * kRateSteps)));
        m_runs->scheduleRerun();
    });
    connect(m_method, &QComboBox::currentIndexChanged, this, [this] {
        onMethodChanged();
        m_runs->scheduleRerun();
    });
    resize(1400, 860);
}

void MainWindow::buildDocks()
{
    setDockNestingEnabled(true);
    m_history = new HistoryDock(m_sessions, this);
    // The method combo too (empty until the engine has loaded), again in a new language.
    translated([this] { fillMethods(); });
    addDockWidget(Qt::LeftDockWidgetArea, m_history);
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
    scroll->setWidget(body);
    scroll->setMinimumWidth(270); // room for "Label (default x):" rows next to their controls
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    // Issue 20: the dock is as wide as its widest row needs in the current language (German labels
    // and buttons are longer), so nothing hides behind a scroll bar; re-measured after a language
    // change and when the method's options change.
    m_fitParameters = [scroll, body] {
        const int needed =
            body->minimumSizeHint().width() + scroll->verticalScrollBar()->sizeHint().width() + 4;
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
            const ResultHandle result = m_runs->lastResult();
            if (!result)
                return;
            QStringList parts;
            for (const auto &seg : result->segments)
                parts << QString::fromStdString(seg.text);
            m_answers->setResult(parts.join(QStringLiteral("\n\n")),
                                 QString::fromStdString(result->compressedText), m_shownRunId);
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
        if (const ResultHandle result = m_runs->lastResult())
            m_cost->setResult(result->targetTokensIn, result->targetTokensOut, result->totalMs);
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
    if (!m_engineReady)
        return; // the panel is built when the methods are known (onEngineReady)
    const QString method = m_method->currentData().toString();
    if (method == m_panelMethod)
        return;
    if (!m_panelMethod.isEmpty())
        m_paramsByMethod[m_panelMethod.toStdString()] = m_params->values();
    m_panelMethod = method;
    const auto it = m_paramsByMethod.find(method.toStdString());
    m_params->setOptionSpecs(optionSpecsFor(method), it != m_paramsByMethod.end()
                                                         ? it->second
                                                         : std::map<std::string, std::string>{});
    if (m_fitParameters)
        QTimer::singleShot(0, this, m_fitParameters);
}

terse::CompressOptions MainWindow::currentOptions() const
{
    terse::CompressOptions opts;
    opts.method = currentMethod().toStdString();
    opts.rate = rate();
    const QString model = m_models->currentModelPath();
    if (model != kMissingModel)
        opts.model = model.toStdString();
    opts.params = m_params->values();
    m_params->applyCommon(opts);
    opts.pinned = m_document->pins();
    // The structured editor's parts are the user's; a plain prompt's trailing question is found.
    opts.findQuestion = !m_document->isStructured();
    return opts;
}

void MainWindow::applyOptions(const terse::CompressOptions &options)
{
    const bool was = m_restoring;
    m_restoring = true;
    const QString method = QString::fromStdString(options.method);
    if (!m_engineReady)
        m_pendingMethod = method; // selected when the engine has loaded
    else if (const int i = m_method->findData(method); i >= 0)
        m_method->setCurrentIndex(i);
    onMethodChanged();
    if (options.rate > 0 && options.rate <= 1)
        setRate(options.rate);
    if (m_engineReady) {
        m_params->setValues(options.params);
        m_paramsByMethod[options.method] = m_params->values();
    } else {
        m_paramsByMethod[options.method] = options.params; // the panel shows them when ready
    }
    m_params->setCommon(options);
    m_models->setCurrentModelPath(QString::fromStdString(options.model));
    m_document->setPins(options.pinned);
    m_restoring = was;
}

const std::map<std::string, std::map<std::string, std::string>> &MainWindow::parametersByMethod()
{
    if (m_engineReady)
        m_paramsByMethod[m_method->currentData().toString().toStdString()] = m_params->values();
    return m_paramsByMethod;
}

void MainWindow::restoreParametersByMethod(
    const std::map<std::string, std::map<std::string, std::string>> &params)
{
    for (const auto &[method, values] : params)
        m_paramsByMethod[method] = values;
    m_panelMethod.clear(); // rebuild the panel from the restored values
}

void MainWindow::buildMenus()
{
    QMenu *file = menuBar()->addMenu(QString());
    translated([file] { file->setTitle(tr("&File")); });
    QAction *open = file->addAction(tr("&Open…"), this, [this] {
        const QString path =
            QFileDialog::getOpenFileName(this, tr("Open prompt"), QString(),
                                         tr("Text files (*.txt *.md *.markdown);;All files (*)"));
        if (!path.isEmpty())
            m_document->openFile(path);
    });
    open->setShortcut(QKeySequence::Open);
    m_document->setRecentMenu(file->addMenu(tr("Open &Recent")));
    m_document->buildSamplesMenu(file);
    file->addSeparator();
    QAction *savePromptAction =
        file->addAction(tr("Save &Prompt"), this, [this] { m_document->savePrompt(false); });
    savePromptAction->setShortcut(QKeySequence::Save);
    file->addAction(tr("Save Prompt &As…"), this, [this] { m_document->savePrompt(true); });
    QAction *save =
        file->addAction(tr("&Save Compressed Text As…"), m_runs, &RunController::saveCompressed);
    save->setShortcut(QKeySequence::SaveAs);
    file->addSeparator();
    QAction *newSession =
        file->addAction(tr("&New Session"), m_sessionControl, &SessionController::newSession);
    newSession->setShortcut(QKeySequence::New);
    file->addAction(tr("Open Session &Database…"), this, [this] {
        const QString path = QFileDialog::getSaveFileName(
            this, tr("Open or create a session database"), m_sessions->path(),
            tr("Terse sessions (*.sqlite3 *.sqlite *.db);;All files (*)"), nullptr,
            QFileDialog::DontConfirmOverwrite);
        if (!path.isEmpty())
            m_sessionControl->openDatabase(path);
    });
    file->addAction(tr("&Export Sessions…"), m_sessionControl, &SessionController::exportSessions);
    file->addAction(tr("&Import Sessions…"), m_sessionControl, &SessionController::importSessions);
    file->addSeparator();
    QAction *quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QMenu *edit = menuBar()->addMenu(QString());
    translated([edit] { edit->setTitle(tr("&Edit")); });
    QAction *undo = m_document->undoStack()->createUndoAction(this, tr("&Undo"));
    undo->setObjectName(QStringLiteral("undoAction"));
    undo->setShortcuts({QKeySequence::Undo});
    QAction *redo = m_document->undoStack()->createRedoAction(this, tr("&Redo"));
    redo->setObjectName(QStringLiteral("redoAction"));
    redo->setShortcuts(
        {QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z), QKeySequence(Qt::CTRL | Qt::Key_Y)});
    edit->addAction(undo);
    edit->addAction(redo);
    edit->addSeparator();
    QAction *copy =
        edit->addAction(tr("&Copy Compressed Text"), m_runs, &RunController::copyCompressed);
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
    QAction *structured = view->addAction(tr("&Structured Prompt Editor"));
    structured->setObjectName(QStringLiteral("structuredAction"));
    structured->setCheckable(true);
    structured->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E));
    structured->setToolTip(tr("Edit the prompt as instruction, contexts and question"));
    m_document->setStructuredAction(structured);
    view->addSeparator();
    m_appearance->buildThemeMenu(view);
    m_appearance->buildLanguageMenu(view);

    QMenu *run = menuBar()->addMenu(QString());
    QAction *go = run->addAction(QString(), m_runs, &RunController::runCompression);
    go->setShortcuts(
        {QKeySequence(Qt::CTRL | Qt::Key_Return), QKeySequence(Qt::CTRL | Qt::Key_Enter)});
    QAction *stop = run->addAction(QString(), m_runs, &RunController::cancelCompression);
    run->addSeparator();
    QAction *askAction = run->addAction(QString(), this, [this] {
        if (!m_answerDock->isVisible()) {
            m_answerDock->show();
            resizeDocks({m_answerDock}, {260}, Qt::Vertical); // the views keep most of the height
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
        askAction->setToolTip(tr("Send the original and the compressed prompt to the target model "
                                 "and compare the answers"));
    });
    stop->setShortcut(QKeySequence(Qt::Key_Escape));

    QMenu *help = menuBar()->addMenu(QString());
    translated([help] { help->setTitle(tr("&Help")); });
    help->addAction(tr("&About Terse Studio"), this, [this] {
        const terse::EngineApi *engine = EngineHost::require();
        const terse::RuntimeInfo info = engine ? engine->initRuntime(0) : terse::RuntimeInfo{};
        QMessageBox::about(
            this, tr("About Terse Studio"),
            tr("<b>Terse Studio %1</b><p>A workbench for LLM prompt compression.</p>"
               "<p>libtorch %2, %3 threads.</p><p>Licensed under the GNU GPL v3 or later.</p>")
                .arg(QString::fromUtf8(terse::engineVersion()),
                     engine ? QString::fromStdString(info.torchVersion) : tr("not loaded"))
                .arg(info.threads));
    });
}

void MainWindow::restoreSettings()
{
    QSettings s;
    restoreGeometry(s.value(QStringLiteral("window/geometry")).toByteArray());
    restoreState(s.value(QStringLiteral("window/state")).toByteArray());
    // A first run (nothing stored yet) starts on a real method rather than the first listed
    // baseline.
    const QString stored = s.contains(QStringLiteral("method"))
                               ? s.value(QStringLiteral("method")).toString()
                               : kFirstRunMethod;
    if (!m_engineReady)
        m_pendingMethod = stored; // selected when the engine has loaded
    else if (const int m = m_method->findData(stored); m >= 0)
        m_method->setCurrentIndex(m);
    const double r = s.value(QStringLiteral("rate"), 0.5).toDouble();
    if (r > 0 && r <= 1)
        setRate(r);
}

void MainWindow::saveSettings() const
{
    QSettings s;
    s.setValue(QStringLiteral("window/geometry"), saveGeometry());
    s.setValue(QStringLiteral("window/state"), saveState());
    if (const QString method = currentMethod(); !method.isEmpty())
        s.setValue(QStringLiteral("method"), method);
    s.setValue(QStringLiteral("rate"), rate());
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    m_sessionControl->waitForSaves(); // the working state names the shown run's id
    m_sessionControl->saveWorkingState();
    saveSettings();
    m_worker->cancel();
    event->accept();
}

bool MainWindow::eventFilter(QObject *watched, QEvent *event)
{
    // Window shortcuts with Ctrl + a letter win over the spin box's text editing (Ctrl+A/C/V/X/Z
    // stay its own).
    if (event->type() == QEvent::ShortcutOverride && watched == m_rateSpin) {
        auto *key = static_cast<QKeyEvent *>(event);
        if (key->keyCombination() == QKeyCombination(Qt::CTRL, Qt::Key_E)) {
            event->ignore();
            return true;
        }
    }
    return QMainWindow::eventFilter(watched, event);
}

void MainWindow::changeEvent(QEvent *event)
{
    // The Retranslator has re-set the registered texts; those built from data (combo entries, the
    // summary, the history) follow at the next update.
    if (event->type() == QEvent::LanguageChange && m_status)
        m_status->setText(tr("Language changed; some texts change after a restart."));
    QMainWindow::changeEvent(event);
}

double MainWindow::rate() const
{
    return m_rateSpin->value();
}
void MainWindow::setRate(double r)
{
    m_rateSpin->setValue(r);
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

void MainWindow::setStatusText(const QString &text)
{
    m_status->setText(text);
}

bool MainWindow::setRestoring(bool restoring)
{
    return std::exchange(m_restoring, restoring);
}

QString MainWindow::statusText() const
{
    return m_status->text();
}
QString MainWindow::errorText() const
{
    return m_error->isHidden() ? QString() : m_error->text();
}
QString MainWindow::noteText() const
{
    return m_notes->isHidden() ? QString() : m_notes->text();
}
QString MainWindow::warningText() const
{
    return m_warnings->isHidden() ? QString() : m_warnings->text();
}
QString MainWindow::summaryText() const
{
    return m_inspector->summaryLabel()->text();
}

} // namespace terse::app
