#include "edit_commands.h"

#include <QCoreApplication>
#include <QPlainTextEdit>
#include <QTextCursor>

namespace terse::app {

namespace {
constexpr int kMergeMs = 2000; // typing bursts closer than this undo as one step
}

PromptEditCommand::PromptEditCommand(QPlainTextEdit *editor, int pos, QString removed,
                                     QString inserted, bool *applying)
    : m_editor(editor), m_pos(pos), m_removed(std::move(removed)), m_inserted(std::move(inserted)),
      m_applying(applying)
{
    setText(QCoreApplication::translate("terse::app::MainWindow", "Edit Prompt"));
    m_typing = m_removed.size() + m_inserted.size() == 1;
    m_age.start();
}

void PromptEditCommand::replace(const QString &from, const QString &to)
{
    *m_applying = true;
    QTextCursor c(m_editor->document());
    c.setPosition(m_pos);
    c.setPosition(m_pos + static_cast<int>(from.size()), QTextCursor::KeepAnchor);
    c.insertText(to);
    m_editor->setTextCursor(c);
    *m_applying = false;
}

void PromptEditCommand::undo()
{
    replace(m_inserted, m_removed);
}

void PromptEditCommand::redo()
{
    if (m_first) { // the edit is already in the editor
        m_first = false;
        return;
    }
    replace(m_removed, m_inserted);
}

bool PromptEditCommand::mergeWith(const QUndoCommand *other)
{
    const auto *o = static_cast<const PromptEditCommand *>(other);
    if (m_age.elapsed() > kMergeMs || !m_typing || !o->m_typing)
        return false;
    // Typing: the new insertion continues right after this one.
    if (m_removed.isEmpty() && o->m_removed.isEmpty() && o->m_pos == m_pos + m_inserted.size()) {
        m_inserted += o->m_inserted;
        m_age.restart();
        return true;
    }
    // Backspacing: the new deletion ends where this one starts.
    if (m_inserted.isEmpty() && o->m_inserted.isEmpty() &&
        o->m_pos + o->m_removed.size() == m_pos) {
        m_removed.prepend(o->m_removed);
        m_pos = o->m_pos;
        m_age.restart();
        return true;
    }
    return false;
}

PinCommand::PinCommand(Apply apply, std::vector<terse::PinnedSpan> before,
                       std::vector<terse::PinnedSpan> after, const QString &text)
    : m_apply(std::move(apply)), m_before(std::move(before)), m_after(std::move(after))
{
    setText(text);
}

} // namespace terse::app
