#include "workbench_actions.h"

#include "appearance_controller.h"
#include "compare_window.h"
#include "export_dialog.h"
#include "main_window.h"

#include "terse_widgets/prompt_editor.h"
#include "terse_widgets/score_plot.h"

#include <QAction>
#include <QFileInfo>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>

namespace terse::app {

namespace {
// The main window's menus, found by an action they hold (their titles are translated).
QMenu *menuWith(QMenuBar *bar, const std::function<bool(QAction *)> &match)
{
    for (QAction *top : bar->actions())
        if (QMenu *menu = top->menu())
            for (QAction *a : menu->actions())
                if (match(a))
                    return menu;
    return nullptr;
}
} // namespace

WorkbenchActions::WorkbenchActions(MainWindow *window) : QObject(window), m_window(window)
{
    setObjectName(QStringLiteral("workbenchActions"));
    QMenuBar *bar = window->menuBar();
    m_compare = new QAction(this);
    m_compare->setObjectName(QStringLiteral("compareAction"));
    m_compare->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_M));
    connect(m_compare, &QAction::triggered, this, &WorkbenchActions::showCompareWindow);
    m_exportResult = new QAction(this);
    m_exportResult->setObjectName(QStringLiteral("exportResultAction"));
    m_exportResult->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    connect(m_exportResult, &QAction::triggered, this, &WorkbenchActions::exportResult);
    m_exportPlot = new QAction(this);
    m_exportPlot->setObjectName(QStringLiteral("exportPlotAction"));
    connect(m_exportPlot, &QAction::triggered, this, &WorkbenchActions::exportPlot);

    QMenu *run = menuWith(
        bar, [](QAction *a) { return a->shortcut() == QKeySequence(Qt::CTRL | Qt::Key_Return); });
    if (!run)
        run = bar->addMenu(tr("&Run"));
    run->addSeparator();
    run->addAction(m_compare);

    QMenu *file = menuWith(
        bar, [](QAction *a) { return a->shortcut() == QKeySequence(QKeySequence::SaveAs); });
    if (file) {
        // Right after "Save Compressed Text As…".
        const auto actions = file->actions();
        QAction *before = nullptr;
        for (int i = 0; i < actions.size(); ++i)
            if (actions[i]->shortcut() == QKeySequence(QKeySequence::SaveAs))
                before = actions.value(i + 1);
        file->insertAction(before, m_exportResult);
        file->insertAction(before, m_exportPlot);
    } else {
        run->addAction(m_exportResult);
        run->addAction(m_exportPlot);
    }
    window->addAction(m_compare); // shortcuts work while the menus are hidden too
    window->appearanceController()->translated([this] { retranslate(); });
}

void WorkbenchActions::retranslate()
{
    m_compare->setText(tr("Compare &Methods…"));
    m_compare->setToolTip(
        tr("Run several methods or settings on this prompt and compare them side by side"));
    m_exportResult->setText(tr("&Export Result…"));
    m_exportResult->setToolTip(
        tr("Save the shown result as JSON, Markdown, HTML (with the heatmap) or CSV"));
    m_exportPlot->setText(tr("Export Score &Plot…"));
    m_exportPlot->setToolTip(tr("Save the score plot as a PNG or SVG image"));
}

CompareWindow *WorkbenchActions::compareWindow()
{
    if (!m_compareWindow) {
        m_compareWindow = new CompareWindow(m_window->compressorFactory(), m_window);
        m_compareWindow->setPromptSource(
            [w = m_window] { return w->promptEditor()->toPlainText(); });
        m_compareWindow->setOptionsSource([w = m_window] { return w->currentOptions(); });
        m_compareWindow->addCurrentSettings();
    }
    return m_compareWindow;
}

void WorkbenchActions::showCompareWindow()
{
    CompareWindow *w = compareWindow();
    w->show();
    w->raise();
    w->activateWindow();
}

bool WorkbenchActions::exportResultTo(const QString &path, QString *error)
{
    const ResultHandle result = m_window->lastResult();
    if (!result) {
        if (error)
            *error = tr("Nothing to export yet: compress a prompt first.");
        return false;
    }
    Exporter::Format format;
    if (!Exporter::formatForPath(path, &format) || format == Exporter::Format::Png ||
        format == Exporter::Format::Svg) {
        if (error)
            *error = tr("Cannot export to “%1”: use a .json, .md, .html or .csv file name.")
                         .arg(QFileInfo(path).fileName());
        return false;
    }
    return Exporter::writeFile(path, Exporter::format({Exporter::entryFor(result)}, format), error);
}

bool WorkbenchActions::exportScorePlotTo(const QString &path, QString *error)
{
    if (!m_window->lastResult() || m_window->scorePlot()->pointCount() == 0) {
        if (error)
            *error = tr("Nothing to export yet: the score plot is empty.");
        return false;
    }
    Exporter::Format format;
    if (!Exporter::formatForPath(path, &format) ||
        (format != Exporter::Format::Png && format != Exporter::Format::Svg)) {
        if (error)
            *error = tr("Cannot export the plot to “%1”: use a .png or .svg file name.")
                         .arg(QFileInfo(path).fileName());
        return false;
    }
    return Exporter::writeFile(path, m_window->scorePlot()->imageData(Exporter::suffixFor(format)),
                               error);
}

void WorkbenchActions::exportResult()
{
    if (!m_window->lastResult()) {
        QMessageBox::information(m_window, tr("Export result"),
                                 tr("Nothing to export yet: compress a prompt first."));
        return;
    }
    const QString path = ExportDialog::getSavePath(
        m_window, tr("Export result"), QString::fromStdString(m_window->lastResult()->method),
        {Exporter::Format::Html, Exporter::Format::Markdown, Exporter::Format::Json,
         Exporter::Format::Csv});
    QString error;
    if (!path.isEmpty() && !exportResultTo(path, &error))
        QMessageBox::critical(
            m_window, tr("Export failed"),
            error + QLatin1Char('\n') +
                tr("Nothing was lost: the result is still open; try another place."));
}

void WorkbenchActions::exportPlot()
{
    if (!m_window->lastResult() || m_window->scorePlot()->pointCount() == 0) {
        QMessageBox::information(m_window, tr("Export score plot"),
                                 tr("Nothing to export yet: the score plot is empty."));
        return;
    }
    const QString path =
        ExportDialog::getSavePath(m_window, tr("Export score plot"), QStringLiteral("scores"),
                                  {Exporter::Format::Png, Exporter::Format::Svg});
    QString error;
    if (!path.isEmpty() && !exportScorePlotTo(path, &error))
        QMessageBox::critical(
            m_window, tr("Export failed"),
            error + QLatin1Char('\n') +
                tr("Nothing was lost: the result is still open; try another place."));
}

} // namespace terse::app
