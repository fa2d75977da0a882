#pragma once
// WorkbenchActions: adds the comparison window and the export actions to a MainWindow: Run →
// Compare Methods…, File → Export Result… (JSON, Markdown, HTML, CSV) and File → Export Score Plot…
// (PNG, SVG). Owned by the window; GUI thread only.

#include "exporter.h"

#include <QObject>
#include <QPointer>

class QAction;
class QMenu;

namespace terse::app {

class CompareWindow;
class MainWindow;

class WorkbenchActions : public QObject {
    Q_OBJECT
public:
    explicit WorkbenchActions(MainWindow *window);

    // The comparison window (created on first use, pre-filled with the current settings).
    CompareWindow *compareWindow();
    // Shows and raises the comparison window.
    void showCompareWindow();

    // Exports the main window's result (format by suffix: json, md, html, csv) / its score plot
    // (png, svg). False with `error` set (naming the file and the reason) when nothing is shown or
    // the write fails; an existing file is then left as it was.
    bool exportResultTo(const QString &path, QString *error = nullptr);
    bool exportScorePlotTo(const QString &path, QString *error = nullptr);

    QAction *compareAction() const { return m_compare; }
    QAction *exportResultAction() const { return m_exportResult; }
    QAction *exportPlotAction() const { return m_exportPlot; }

private:
    // Sets the actions' texts; registered with the window's Retranslator (AppearanceController).
    void retranslate();
    void exportResult();
    void exportPlot();

    MainWindow *m_window;
    QPointer<CompareWindow> m_compareWindow;
    QAction *m_compare = nullptr;
    QAction *m_exportResult = nullptr;
    QAction *m_exportPlot = nullptr;
};

} // namespace terse::app
