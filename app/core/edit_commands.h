#pragma once
// Undo commands of the workbench's edit history (Edit → Undo/Redo): prompt text edits and pin
// toggles. GUI thread only.

#include "terse/compressor.h"

#include <QElapsedTimer>
#include <QString>
#include <QUndoCommand>

#include <functional>
#include <vector>

class QPlainTextEdit;

namespace terse::app {

// A prompt edit already made in `editor`: `removed` at character `pos` was replaced by `inserted`.
// The first redo() does nothing; undo()/redo() replay the edit while `*applying` is true so the
// owner does not record it again. Consecutive typing (or deleting) of single characters within 2 s
// merges into one step; pastes, file loads and other larger edits stay steps of their own.
class PromptEditCommand : public QUndoCommand {
public:
    PromptEditCommand(QPlainTextEdit *editor, int pos, QString removed, QString inserted,
                      bool *applying);
    void undo() override;
    void redo() override;
    int id() const override { return 1; }
    bool mergeWith(const QUndoCommand *other) override;

private:
    void replace(const QString &from, const QString &to);

    QPlainTextEdit *m_editor;
    int m_pos;
    QString m_removed;
    QString m_inserted;
    bool *m_applying;
    bool m_first = true;
    bool m_typing =
        false; // made of single-character edits (typing, backspace): merges with more of them
    QElapsedTimer m_age;
};

// A change of the pinned spans: `apply` installs the given list (and re-runs as the owner sees
// fit).
class PinCommand : public QUndoCommand {
public:
    using Apply = std::function<void(const std::vector<terse::PinnedSpan> &)>;
    PinCommand(Apply apply, std::vector<terse::PinnedSpan> before,
               std::vector<terse::PinnedSpan> after, const QString &text);
    void undo() override { m_apply(m_before); }
    void redo() override { m_apply(m_after); }

private:
    Apply m_apply;
    std::vector<terse::PinnedSpan> m_before;
    std::vector<terse::PinnedSpan> m_after;
};

} // namespace terse::app
