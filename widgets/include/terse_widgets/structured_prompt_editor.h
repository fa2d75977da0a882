#pragma once
// StructuredPromptEditor: a prompt as an instruction, any number of contexts (retrieved passages or
// demonstrations) and a question, each in its own editor; contexts can be added and removed.
// Plain data in and out (PromptPart); the app maps parts to engine prompt segments. GUI thread
// only.

#include <QString>
#include <QVector>
#include <QWidget>

class QPlainTextEdit;
class QVBoxLayout;

namespace terse::widgets {

struct PromptPart {
    enum class Role { Instruction, Context, Question };
    Role role = Role::Context;
    QString text;
    bool operator==(const PromptPart &) const = default;
};

class StructuredPromptEditor : public QWidget {
    Q_OBJECT
public:
    explicit StructuredPromptEditor(QWidget *parent = nullptr);

    // Replaces the content: the first instruction and question parts fill their editors, every
    // context part gets an editor (at least one, possibly empty). Does not emit changed().
    void setParts(const QVector<PromptPart> &parts);
    // The non-empty parts in order: instruction, contexts, question.
    QVector<PromptPart> parts() const;

    int contextCount() const { return m_contexts.size(); }
    // Appends an empty context editor / removes context `index` (the last one is only cleared).
    void addContext(const QString &text = {});
    void removeContext(int index);
    QPlainTextEdit *instructionEditor() const { return m_instruction; }
    QPlainTextEdit *questionEditor() const { return m_question; }
    QPlainTextEdit *contextEditor(int index) const { return m_contexts.value(index); }

signals:
    // Any part was edited, added or removed.
    void changed();

private:
    void renumber();

    QPlainTextEdit *m_instruction = nullptr;
    QPlainTextEdit *m_question = nullptr;
    QVBoxLayout *m_contextLayout = nullptr;
    QVector<QPlainTextEdit *> m_contexts;
    QVector<QWidget *> m_contextBoxes;
    bool m_setting = false;
};

} // namespace terse::widgets
