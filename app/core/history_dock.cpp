#include "history_dock.h"

#include "session_manager.h"

#include "terse/session_store.h"

#include <QAction>
#include <QEvent>
#include <QComboBox>
#include <QDateTime>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMenu>
#include <QTimer>
#include <QToolBar>
#include <QTreeWidget>
#include <QUndoCommand>
#include <QUndoStack>
#include <QVBoxLayout>

namespace terse::app {

namespace {

constexpr int kIdRole = Qt::UserRole;
constexpr int kIsRunRole = Qt::UserRole + 1;
constexpr int kNameRole = Qt::UserRole + 2;
constexpr int kListLimit = 1000; // sessions listed at most; search narrows the rest

// Compact: the time for today, else day and month (the year only when it is not this year).
QString when(std::int64_t ms)
{
    const QDateTime t = QDateTime::fromMSecsSinceEpoch(ms);
    const QDate today = QDate::currentDate();
    if (t.date() == today)
        return QLocale().toString(t.time(), QLocale::ShortFormat);
    return QLocale().toString(t.date(), t.date().year() == today.year()
                                            ? QStringLiteral("d MMM")
                                            : QStringLiteral("d MMM yyyy"));
}

// Base of the undoable session edits: reports failures through the dock.
class StoreCommand : public QUndoCommand {
public:
    StoreCommand(SessionManager *sessions, HistoryDock *dock, const QString &text)
        : QUndoCommand(text), m_sessions(sessions), m_dock(dock)
    {
    }

protected:
    bool check(const terse::Result<void> &r)
    {
        if (!r)
            emit m_dock->errorOccurred(HistoryDock::tr("%1 failed: %2")
                                           .arg(text(), QString::fromStdString(r.error().detail)));
        emit m_sessions->sessionsChanged();
        return r.ok();
    }
    terse::SessionStore *store() const { return m_sessions->store(); }

    SessionManager *m_sessions;
    HistoryDock *m_dock;
};

class RenameCommand : public StoreCommand {
public:
    RenameCommand(SessionManager *s, HistoryDock *d, std::int64_t id, QString from, QString to)
        : StoreCommand(s, d, HistoryDock::tr("Rename Session")), m_id(id), m_from(std::move(from)),
          m_to(std::move(to))
    {
    }
    void redo() override
    {
        if (store())
            check(store()->renameSession(m_id, m_to.toStdString()));
    }
    void undo() override
    {
        if (store())
            check(store()->renameSession(m_id, m_from.toStdString()));
    }

private:
    std::int64_t m_id;
    QString m_from, m_to;
};

class DeleteCommand : public StoreCommand {
public:
    DeleteCommand(SessionManager *s, HistoryDock *d, std::int64_t id)
        : StoreCommand(s, d, HistoryDock::tr("Delete Session")), m_id(id)
    {
    }
    // Soft delete: the store keeps the session until purged, so undo restores it exactly.
    void redo() override
    {
        if (store())
            check(store()->deleteSession(m_id));
    }
    void undo() override
    {
        if (store())
            check(store()->undoDelete(m_id));
    }

private:
    std::int64_t m_id;
};

class DuplicateCommand : public StoreCommand {
public:
    DuplicateCommand(SessionManager *s, HistoryDock *d, std::int64_t id)
        : StoreCommand(s, d, HistoryDock::tr("Branch Session")), m_id(id)
    {
    }
    void redo() override
    {
        if (!store())
            return;
        if (m_copy == 0) {
            auto r = store()->duplicateSession(m_id);
            if (!r) {
                check(r.error());
                return;
            }
            m_copy = *r;
            emit m_sessions->sessionsChanged();
        } else {
            check(store()->undoDelete(m_copy));
        }
        m_sessions->setCurrentSession(m_copy);
        m_dock->refresh(); // pushed from an action, not from inside a tree signal
        m_dock->selectSession(m_copy);
    }
    void undo() override
    {
        if (store() && m_copy)
            check(store()->deleteSession(m_copy));
    }

private:
    std::int64_t m_id;
    std::int64_t m_copy = 0;
};

} // namespace

void HistoryDock::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange && m_renameAction) {
        setWindowTitle(tr("History"));
        m_renameAction->setText(tr("Rename"));
        m_renameAction->setToolTip(tr("Rename the selected session (F2)"));
        m_duplicateAction->setText(tr("Branch"));
        m_duplicateAction->setToolTip(tr("Duplicate the selected session to branch an experiment"));
        m_deleteAction->setText(tr("Delete"));
        m_deleteAction->setToolTip(tr("Delete the selected session (Del); can be undone"));
    }
    QDockWidget::changeEvent(event);
}

HistoryDock::HistoryDock(SessionManager *sessions, QWidget *parent)
    : QDockWidget(tr("History"), parent), m_sessions(sessions), m_undo(new QUndoStack(this))
{
    setObjectName(QStringLiteral("historyDock"));
    auto *body = new QWidget(this);
    auto *v = new QVBoxLayout(body);
    v->setContentsMargins(4, 4, 4, 4);

    m_search = new QLineEdit(body);
    m_search->setObjectName(QStringLiteral("historySearch"));
    m_search->setPlaceholderText(tr("Search names and prompts…"));
    m_search->setClearButtonEnabled(true);
    v->addWidget(m_search);

    auto *filters = new QHBoxLayout;
    m_methodFilter = new QComboBox(body);
    m_methodFilter->setToolTip(tr("Only sessions with a run of this method"));
    m_methodFilter->addItem(tr("Any method"), QString());
    m_tag = new QLineEdit(body);
    m_tag->setPlaceholderText(tr("Tag"));
    m_tag->setToolTip(tr("Only sessions with this tag"));
    m_date = new QComboBox(body);
    m_date->setToolTip(tr("Only sessions changed in this period"));
    m_date->addItem(tr("Any time"), 0);
    m_date->addItem(tr("Today"), 1);
    m_date->addItem(tr("Last 7 days"), 7);
    m_date->addItem(tr("Last 30 days"), 30);
    m_sort = new QComboBox(body);
    m_sort->setToolTip(tr("Sort order"));
    m_sort->addItem(tr("Newest first"), static_cast<int>(terse::SessionSort::UpdatedDesc));
    m_sort->addItem(tr("Oldest first"), static_cast<int>(terse::SessionSort::UpdatedAsc));
    m_sort->addItem(tr("Created, newest"), static_cast<int>(terse::SessionSort::CreatedDesc));
    m_sort->addItem(tr("Name A–Z"), static_cast<int>(terse::SessionSort::NameAsc));
    m_sort->addItem(tr("Name Z–A"), static_cast<int>(terse::SessionSort::NameDesc));
    filters->addWidget(m_methodFilter, 1);
    filters->addWidget(m_tag, 1);
    v->addLayout(filters);
    auto *order = new QHBoxLayout;
    order->addWidget(m_date, 1);
    order->addWidget(m_sort, 1);
    v->addLayout(order);

    auto *bar = new QToolBar(body);
    bar->setIconSize(QSize(16, 16));
    bar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    m_renameAction = bar->addAction(tr("Rename"), this, [this] {
        if (auto *item = m_tree->currentItem(); item && !item->data(0, kIsRunRole).toBool())
            m_tree->editItem(item, 0);
    });
    m_renameAction->setShortcut(QKeySequence(Qt::Key_F2));
    m_renameAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_renameAction->setToolTip(tr("Rename the selected session (F2)"));
    m_duplicateAction = bar->addAction(tr("Branch"), this, &HistoryDock::duplicateSelected);
    m_duplicateAction->setToolTip(tr("Duplicate the selected session to branch an experiment"));
    m_deleteAction = bar->addAction(tr("Delete"), this, &HistoryDock::deleteSelected);
    m_deleteAction->setShortcut(QKeySequence::Delete);
    m_deleteAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_deleteAction->setToolTip(tr("Delete the selected session (Del); can be undone"));
    m_undoAction = m_undo->createUndoAction(this, tr("Undo"));
    m_undoAction->setShortcut(QKeySequence::Undo);
    m_undoAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    bar->addAction(m_undoAction);
    QAction *redo = m_undo->createRedoAction(this, tr("Redo"));
    redo->setShortcut(QKeySequence::Redo);
    redo->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    bar->addAction(redo);
    v->addWidget(bar);
    // Shortcuts of WidgetWithChildrenShortcut actions work only when the actions belong to a
    // widget.
    body->addActions({m_renameAction, m_deleteAction, m_undoAction, redo});

    m_tree = new QTreeWidget(body);
    m_tree->setObjectName(QStringLiteral("historyTree"));
    m_tree->setColumnCount(2);
    m_tree->setHeaderLabels({tr("Session / run"), tr("Updated")});
    m_tree->header()->setStretchLastSection(false);
    m_tree->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_tree->header()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    m_tree->setEditTriggers(QAbstractItemView::EditKeyPressed);
    m_tree->setContextMenuPolicy(Qt::ActionsContextMenu);
    m_tree->addActions({m_renameAction, m_duplicateAction, m_deleteAction, m_undoAction});
    v->addWidget(m_tree, 1);

    m_state = new QLabel(body);
    m_state->setObjectName(QStringLiteral("databaseState"));
    m_state->setWordWrap(true);
    m_state->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QFont small = m_state->font();
    small.setPointSizeF(small.pointSizeF() * 0.9);
    m_state->setFont(small);
    v->addWidget(m_state);
    body->setMinimumWidth(270);
    setWidget(body);

    m_searchDelay = new QTimer(this);
    m_searchDelay->setSingleShot(true);
    m_searchDelay->setInterval(200);
    connect(m_searchDelay, &QTimer::timeout, this, &HistoryDock::refresh);
    connect(m_search, &QLineEdit::textChanged, m_searchDelay, qOverload<>(&QTimer::start));
    connect(m_tag, &QLineEdit::textChanged, m_searchDelay, qOverload<>(&QTimer::start));
    connect(m_methodFilter, &QComboBox::currentIndexChanged, this, &HistoryDock::refresh);
    connect(m_date, &QComboBox::currentIndexChanged, this, &HistoryDock::refresh);
    connect(m_sort, &QComboBox::currentIndexChanged, this, &HistoryDock::refresh);
    connect(m_tree, &QTreeWidget::currentItemChanged, this,
            [this](QTreeWidgetItem *item) { onCurrentItemChanged(item); });
    connect(m_tree, &QTreeWidget::itemChanged, this, [this](QTreeWidgetItem *item, int column) {
        if (m_rebuilding || column != 0 || item->data(0, kIsRunRole).toBool())
            return;
        const QString name = item->text(0).trimmed();
        if (name.isEmpty() || name == item->data(0, kNameRole).toString()) {
            const QSignalBlocker block(m_tree);
            item->setText(0, item->data(0, kNameRole).toString());
            return;
        }
        // Not from inside the tree's signal: the rename refreshes (rebuilds) the tree.
        const qint64 id = item->data(0, kIdRole).toLongLong();
        QMetaObject::invokeMethod(
            this, [this, id, name] { renameSession(id, name); }, Qt::QueuedConnection);
    });
    // Store changes often happen inside a tree signal (selecting a run restores it): rebuild the
    // tree afterwards, once per burst of changes.
    m_refreshLater = new QTimer(this);
    m_refreshLater->setSingleShot(true);
    m_refreshLater->setInterval(0);
    connect(m_refreshLater, &QTimer::timeout, this, &HistoryDock::refresh);
    auto later = [this] { m_refreshLater->start(); };
    connect(m_sessions, &SessionManager::sessionsChanged, this, later);
    connect(m_sessions, &SessionManager::opened, m_undo, &QUndoStack::clear);
    connect(m_sessions, &SessionManager::openFailed, this, later);
    connect(m_sessions, &SessionManager::currentSessionChanged, this, later);
    refresh();
}

void HistoryDock::setMethods(const QList<QPair<QString, QString>> &methods)
{
    const QSignalBlocker block(m_methodFilter);
    while (m_methodFilter->count() > 1)
        m_methodFilter->removeItem(1);
    for (const auto &[name, display] : methods)
        m_methodFilter->addItem(display, name);
}

void HistoryDock::refresh()
{
    m_refreshLater->stop();
    m_state->setText(m_sessions->stateText());
    m_state->setToolTip(m_sessions->path());
    const bool wasRun =
        m_tree->currentItem() && m_tree->currentItem()->data(0, kIsRunRole).toBool();
    const std::int64_t wasId =
        m_tree->currentItem() ? m_tree->currentItem()->data(0, kIdRole).toLongLong() : 0;
    m_rebuilding = true;
    {
        const QSignalBlocker block(m_tree);
        m_tree->clear();
        if (terse::SessionStore *store = m_sessions->store()) {
            terse::SessionQuery q;
            q.text = m_search->text().trimmed().toStdString();
            q.method = m_methodFilter->currentData().toString().toStdString();
            q.tag = m_tag->text().trimmed().toStdString();
            if (const int days = m_date->currentData().toInt(); days > 0) {
                QDateTime from(QDate::currentDate().addDays(1 - days), QTime(0, 0));
                q.updatedFrom = from.toMSecsSinceEpoch();
            }
            q.sort = static_cast<terse::SessionSort>(m_sort->currentData().toInt());
            q.limit = kListLimit;
            auto sessions = store->listSessions(q);
            if (!sessions) {
                m_state->setText(tr("Cannot list sessions: %1")
                                     .arg(QString::fromStdString(sessions.error().detail)));
            } else {
                const bool writable = m_sessions->isWritable();
                for (const auto &s : *sessions) {
                    auto *item = new QTreeWidgetItem(m_tree);
                    const QString name = QString::fromStdString(s.name);
                    item->setText(0, name);
                    item->setText(1, when(s.updated));
                    item->setData(0, kIdRole, QVariant::fromValue<qlonglong>(s.id));
                    item->setData(0, kIsRunRole, false);
                    item->setData(0, kNameRole, name);
                    QStringList tip{name, tr("%n run(s)", nullptr, static_cast<int>(s.runCount))};
                    if (!s.tags.empty()) {
                        QStringList tags;
                        for (const auto &t : s.tags)
                            tags << QString::fromStdString(t);
                        tip << tr("Tags: %1").arg(tags.join(QStringLiteral(", ")));
                    }
                    if (!s.notes.empty())
                        tip << QString::fromStdString(s.notes);
                    tip << tr("Created %1, updated %2")
                               .arg(QLocale().toString(QDateTime::fromMSecsSinceEpoch(s.created),
                                                       QLocale::ShortFormat),
                                    QLocale().toString(QDateTime::fromMSecsSinceEpoch(s.updated),
                                                       QLocale::ShortFormat));
                    item->setToolTip(0, tip.join(QLatin1Char('\n')));
                    if (writable)
                        item->setFlags(item->flags() | Qt::ItemIsEditable);
                    if (s.id == m_sessions->currentSession()) {
                        QFont f = item->font(0);
                        f.setBold(true);
                        item->setFont(0, f);
                    }
                    auto runs = store->listRuns(s.id);
                    if (!runs)
                        continue;
                    for (auto it = runs->rbegin(); it != runs->rend(); ++it) { // newest first
                        auto *child = new QTreeWidgetItem(item);
                        child->setText(0, tr("%1 · %2 → %3 (%4%)")
                                              .arg(QString::fromStdString(it->method))
                                              .arg(it->tokensIn)
                                              .arg(it->tokensOut)
                                              .arg(100.0 * it->achievedRate, 0, 'f', 0));
                        child->setText(1, when(it->created));
                        child->setData(0, kIdRole, QVariant::fromValue<qlonglong>(it->id));
                        child->setData(0, kIsRunRole, true);
                        QString runTip = tr("%1, %2 mode")
                                             .arg(QString::fromStdString(it->method),
                                                  QString::fromUtf8(terse::modeName(it->mode)));
                        if (!it->model.name.empty())
                            runTip += QLatin1Char('\n') +
                                      tr("Model: %1").arg(QString::fromStdString(it->model.name));
                        child->setToolTip(0, runTip);
                    }
                    if (s.id == m_sessions->currentSession())
                        item->setExpanded(true); // the session runs are being saved into
                }
            }
        }
        if (QTreeWidgetItem *again = wasId ? findItem(wasId, wasRun) : nullptr) {
            m_tree->setCurrentItem(again);
            if (again->parent())
                again->parent()->setExpanded(true);
        }
    }
    m_rebuilding = false;
    updateActions();
}

QTreeWidgetItem *HistoryDock::findItem(std::int64_t id, bool run) const
{
    for (int i = 0; i < m_tree->topLevelItemCount(); ++i) {
        QTreeWidgetItem *s = m_tree->topLevelItem(i);
        if (!run && s->data(0, kIdRole).toLongLong() == id)
            return s;
        if (run)
            for (int j = 0; j < s->childCount(); ++j)
                if (s->child(j)->data(0, kIdRole).toLongLong() == id)
                    return s->child(j);
    }
    return nullptr;
}

bool HistoryDock::selectSession(std::int64_t id)
{
    QTreeWidgetItem *item = findItem(id, false);
    if (item)
        m_tree->setCurrentItem(item);
    return item != nullptr;
}

bool HistoryDock::selectRun(std::int64_t runId)
{
    QTreeWidgetItem *item = findItem(runId, true);
    if (item) {
        item->parent()->setExpanded(true);
        m_tree->setCurrentItem(item);
    }
    return item != nullptr;
}

std::int64_t HistoryDock::selectedSession() const
{
    QTreeWidgetItem *item = m_tree->currentItem();
    if (!item)
        return 0;
    if (item->parent())
        item = item->parent();
    return item->data(0, kIdRole).toLongLong();
}

void HistoryDock::onCurrentItemChanged(QTreeWidgetItem *item)
{
    updateActions();
    if (m_rebuilding || !item)
        return;
    const qint64 id = item->data(0, kIdRole).toLongLong();
    if (item->data(0, kIsRunRole).toBool())
        emit runSelected(id);
    else
        emit sessionSelected(id);
}

void HistoryDock::updateActions()
{
    const bool session = selectedSession() != 0 && m_sessions->isWritable();
    m_renameAction->setEnabled(session);
    m_deleteAction->setEnabled(session);
    m_duplicateAction->setEnabled(session);
}

void HistoryDock::renameSession(std::int64_t id, const QString &name)
{
    if (!m_sessions->isWritable())
        return;
    auto s = m_sessions->store()->session(id);
    if (!s) {
        emit errorOccurred(
            tr("Cannot rename the session: %1").arg(QString::fromStdString(s.error().detail)));
        return;
    }
    m_undo->push(new RenameCommand(m_sessions, this, id, QString::fromStdString(s->name), name));
}

void HistoryDock::deleteSelected()
{
    const std::int64_t id = selectedSession();
    if (id == 0 || !m_sessions->isWritable())
        return;
    if (id == m_sessions->currentSession())
        m_sessions->setCurrentSession(0); // the next run starts a new session
    m_undo->push(new DeleteCommand(m_sessions, this, id));
}

void HistoryDock::duplicateSelected()
{
    const std::int64_t id = selectedSession();
    if (id == 0 || !m_sessions->isWritable())
        return;
    m_undo->push(new DuplicateCommand(m_sessions, this, id));
}

} // namespace terse::app
