#pragma once
// DocumentController: the prompt being edited. Owns the plain and structured editors' content (and
// the conversion between them), the pins with their undo history (Edit → Undo covers text edits and
// pins together), opening and saving prompt files, the sample prompts and File → Open Recent. GUI
// thread only.

#include "terse/compressor.h"

#include <QObject>
#include <QString>
#include <QStringList>

#include <string>
#include <vector>

class QAction;
class QMenu;
class QStackedWidget;
class QTimer;
class QUndoStack;

namespace terse::widgets {
class PromptEditor;
class StructuredPromptEditor;
} // namespace terse::widgets

namespace terse::app {

class MainWindow;
class PinList;
class ResultInspector;

class DocumentController : public QObject {
    Q_OBJECT
public:
    // The widgets it drives; all built by the window.
    struct Widgets {
        terse::widgets::PromptEditor *editor = nullptr;
        terse::widgets::StructuredPromptEditor *structuredEditor = nullptr;
        QStackedWidget *promptStack = nullptr; // holds the two editors
        PinList *pinList = nullptr;
        ResultInspector *inspector = nullptr;
    };
    DocumentController(MainWindow *window, const Widgets &widgets);

    // Adds File → Samples to `file` (and the same samples to the empty editor); sets the menu File
    // → Open Recent lists and the View → Structured Prompt Editor action it keeps checked.
    void buildSamplesMenu(QMenu *file);
    void setRecentMenu(QMenu *menu);
    void setStructuredAction(QAction *action);
    QMenu *samplesMenu() const { return m_samplesMenu; }

    // Loads a text file into the editor. On failure shows the reason and leaves the editor
    // unchanged.
    bool openFile(const QString &path);
    // Saves the prompt (plain text) to `path` / to the current file or one asked for.
    bool savePromptTo(const QString &path);
    void savePrompt(bool askPath);
    // The sample prompts shipped in resources/samples (absolute paths).
    static QStringList samplePaths();
    // Sets the window title from the current file.
    void updateWindowTitle();

    // The prompt the editors describe: the plain text as one context, or the structured parts as
    // segments.
    terse::Prompt currentPrompt() const;
    // Shows `prompt`: in the plain editor when it is one context, else in the structured editor.
    void setPromptContent(const terse::Prompt &prompt);
    void setStructured(bool structured);
    bool isStructured() const;

    // Pins, in the coordinates of currentPrompt(). cyclePin/setPin are undoable; false (with a
    // status message) when the shown result is stale. setPins replaces them without an undo step.
    const std::vector<terse::PinnedSpan> &pins() const { return m_pins; }
    void setPins(const std::vector<terse::PinnedSpan> &pins);
    bool cyclePin(int unit);
    bool setPin(int unit, int direction);
    // Shows the pins in the pin list and the result views.
    void refreshPinViews();

    QUndoStack *undoStack() const { return m_undo; }
    // Prompt edits re-run once the user pauses typing (when there is a result to update).
    QTimer *editDebounce() const { return m_editDebounce; }

protected:
    // Routes Undo/Redo keys in the prompt editor to the window's edit history.
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void onPromptTextChanged();
    void onStructuredChanged();
    void scheduleEditRerun();
    void pushPins(std::vector<terse::PinnedSpan> pins, const QString &text);
    void installPins(const std::vector<terse::PinnedSpan> &pins);
    void addRecentFile(const QString &path);
    void rebuildRecentMenu();

    MainWindow *m_window;
    Widgets m_w;
    QAction *m_structuredAction = nullptr;
    QMenu *m_recentMenu = nullptr;
    QMenu *m_samplesMenu = nullptr;
    QUndoStack *m_undo = nullptr;
    QTimer *m_editDebounce = nullptr;
    std::vector<terse::PinnedSpan> m_pins;
    QString m_lastText;          // the plain editor's text before the latest change
    bool m_applyingUndo = false; // an undo/redo is changing the editor: not a new edit
    QString m_currentFile;
};

} // namespace terse::app
