#pragma once
// HistoryDock: the sessions of the open database as a tree (sessions, their runs below), with
// search (text, method, tag, date), sort, rename (F2), delete with undo, duplicate ("branch") and a
// line saying where sessions are saved. Selecting a run emits runSelected(); the window restores it
// without recomputing. Edits go through an undo stack. GUI thread only.

#include <QDockWidget>

#include <cstdint>

class QAction;
class QComboBox;
class QLabel;
class QLineEdit;
class QTimer;
class QTreeWidget;
class QTreeWidgetItem;
class QUndoStack;

namespace terse::app {

class SessionManager;

class HistoryDock : public QDockWidget {
    Q_OBJECT
public:
    // `sessions` must outlive the dock.
    explicit HistoryDock(SessionManager *sessions, QWidget *parent = nullptr);

    // Method names (registry key, display name) offered by the method filter.
    void setMethods(const QList<QPair<QString, QString>> &methods);
    // Re-reads the list from the store (keeps the selection when it still exists). Store changes
    // refresh it on their own, from the event loop.
    void refresh();

    // Selects the session / run with this id (emitting the selection signals); false when not
    // listed.
    bool selectSession(std::int64_t id);
    bool selectRun(std::int64_t runId);
    // The id of the selected session (a run's session when a run is selected); 0 for none.
    std::int64_t selectedSession() const;

    // Undoable edits of the selected session (also on the toolbar and context menu).
    void renameSession(std::int64_t id, const QString &name);
    void deleteSelected();
    void duplicateSelected();

    QTreeWidget *tree() const { return m_tree; }
    QUndoStack *undoStack() const { return m_undo; }
    QLineEdit *searchEdit() const { return m_search; }
    QComboBox *methodFilter() const { return m_methodFilter; }
    QComboBox *sortCombo() const { return m_sort; }
    QLineEdit *tagEdit() const { return m_tag; }
    QComboBox *dateFilter() const { return m_date; }
    QLabel *stateLabel() const { return m_state; }
    QAction *renameAction() const { return m_renameAction; }
    QAction *deleteAction() const { return m_deleteAction; }
    QAction *duplicateAction() const { return m_duplicateAction; }
    QAction *undoAction() const { return m_undoAction; }

signals:
    void runSelected(qint64 runId);
    void sessionSelected(qint64 sessionId);
    // A store operation failed; the message is translated and names the session.
    void errorOccurred(const QString &message);

protected:
    // QEvent::LanguageChange: re-translates the title and the toolbar (the list follows at its next
    // refresh).
    void changeEvent(QEvent *event) override;

private:
    void onCurrentItemChanged(QTreeWidgetItem *item);
    void updateActions();
    QTreeWidgetItem *findItem(std::int64_t id, bool run) const;

    SessionManager *m_sessions;
    QTreeWidget *m_tree = nullptr;
    QLineEdit *m_search = nullptr;
    QComboBox *m_methodFilter = nullptr;
    QLineEdit *m_tag = nullptr;
    QComboBox *m_date = nullptr;
    QComboBox *m_sort = nullptr;
    QLabel *m_state = nullptr;
    QTimer *m_searchDelay = nullptr;
    QTimer *m_refreshLater = nullptr;
    QUndoStack *m_undo = nullptr;
    QAction *m_renameAction = nullptr;
    QAction *m_deleteAction = nullptr;
    QAction *m_duplicateAction = nullptr;
    QAction *m_undoAction = nullptr;
    bool m_rebuilding = false;
};

} // namespace terse::app
