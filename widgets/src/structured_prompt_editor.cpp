#include "terse_widgets/structured_prompt_editor.h"

#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QToolButton>
#include <QVBoxLayout>

namespace terse::widgets {

namespace {
QPlainTextEdit *makeEditor(QWidget *parent, const QString &placeholder, int lines)
{
    auto *e = new QPlainTextEdit(parent);
    e->setPlaceholderText(placeholder);
    e->setTabChangesFocus(true);
    e->setMinimumHeight(e->fontMetrics().lineSpacing() * lines + 12);
    return e;
}

QLabel *wrapped(const QString &text, QWidget *parent)
{
    auto *l = new QLabel(text, parent);
    l->setWordWrap(true);
    return l;
}
} // namespace

StructuredPromptEditor::StructuredPromptEditor(QWidget *parent) : QWidget(parent)
{
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    auto *scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    auto *body = new QWidget(scroll);
    auto *v = new QVBoxLayout(body);

    v->addWidget(wrapped(tr("<b>Instruction</b> (kept verbatim by the LLMLingua family)"), body));
    m_instruction = makeEditor(body, tr("e.g. Answer the question using the passages below."), 2);
    m_instruction->setObjectName(QStringLiteral("instructionEditor"));
    v->addWidget(m_instruction);

    v->addWidget(
        wrapped(tr("<b>Contexts</b> (passages or demonstrations; these are compressed)"), body));
    m_contextLayout = new QVBoxLayout;
    v->addLayout(m_contextLayout);
    auto *add = new QPushButton(tr("&Add Context"), body);
    add->setObjectName(QStringLiteral("addContextButton"));
    add->setToolTip(tr("Add another context or demonstration"));
    auto *addRow = new QHBoxLayout;
    addRow->addWidget(add);
    addRow->addStretch(1);
    v->addLayout(addRow);

    v->addWidget(
        wrapped(tr("<b>Question</b> (kept verbatim; LongLLMLingua ranks contexts by it)"), body));
    m_question = makeEditor(body, tr("e.g. Which ship arrives first?"), 2);
    m_question->setObjectName(QStringLiteral("questionEditor"));
    v->addWidget(m_question);
    v->addStretch(1);
    scroll->setWidget(body);
    outer->addWidget(scroll);

    connect(add, &QPushButton::clicked, this, [this] {
        addContext();
        m_contexts.last()->setFocus();
    });
    for (QPlainTextEdit *e : {m_instruction, m_question})
        connect(e, &QPlainTextEdit::textChanged, this, [this] {
            if (!m_setting)
                emit changed();
        });
    addContext();
}

void StructuredPromptEditor::addContext(const QString &text)
{
    auto *box = new QWidget(this);
    auto *row = new QHBoxLayout(box);
    row->setContentsMargins(0, 0, 0, 0);
    auto *editor = makeEditor(box, tr("A retrieved passage or a demonstration."), 4);
    editor->setPlainText(text);
    auto *remove = new QToolButton(box);
    remove->setText(QStringLiteral("✕"));
    remove->setToolTip(tr("Remove this context"));
    row->addWidget(editor, 1);
    row->addWidget(remove, 0, Qt::AlignTop);
    m_contextLayout->addWidget(box);
    m_contexts.push_back(editor);
    m_contextBoxes.push_back(box);
    connect(editor, &QPlainTextEdit::textChanged, this, [this] {
        if (!m_setting)
            emit changed();
    });
    connect(remove, &QToolButton::clicked, this,
            [this, box] { removeContext(m_contextBoxes.indexOf(box)); });
    renumber();
    if (!m_setting)
        emit changed();
}

void StructuredPromptEditor::removeContext(int index)
{
    if (index < 0 || index >= m_contexts.size())
        return;
    if (m_contexts.size() == 1) {
        m_contexts.first()->clear();
        return;
    }
    QWidget *box = m_contextBoxes.takeAt(index);
    m_contexts.removeAt(index);
    box->deleteLater();
    box->hide();
    renumber();
    if (!m_setting)
        emit changed();
}

void StructuredPromptEditor::renumber()
{
    for (int i = 0; i < m_contexts.size(); ++i) {
        m_contexts[i]->setObjectName(QStringLiteral("contextEditor%1").arg(i));
        m_contexts[i]->setAccessibleName(tr("Context %1").arg(i + 1));
    }
}

void StructuredPromptEditor::setParts(const QVector<PromptPart> &parts)
{
    m_setting = true;
    QString instruction, question;
    QStringList contexts;
    for (const auto &p : parts) {
        if (p.role == PromptPart::Role::Instruction && instruction.isEmpty())
            instruction = p.text;
        else if (p.role == PromptPart::Role::Question && question.isEmpty())
            question = p.text;
        else
            contexts << p.text;
    }
    if (contexts.isEmpty())
        contexts << QString();
    while (m_contexts.size() > contexts.size()) {
        QWidget *box = m_contextBoxes.takeLast();
        m_contexts.removeLast();
        box->hide();
        box->deleteLater();
    }
    while (m_contexts.size() < contexts.size())
        addContext();
    for (int i = 0; i < contexts.size(); ++i)
        m_contexts[i]->setPlainText(contexts[i]);
    m_instruction->setPlainText(instruction);
    m_question->setPlainText(question);
    m_setting = false;
}

QVector<PromptPart> StructuredPromptEditor::parts() const
{
    QVector<PromptPart> out;
    if (!m_instruction->toPlainText().trimmed().isEmpty())
        out.push_back({PromptPart::Role::Instruction, m_instruction->toPlainText()});
    for (const QPlainTextEdit *e : m_contexts)
        if (!e->toPlainText().trimmed().isEmpty())
            out.push_back({PromptPart::Role::Context, e->toPlainText()});
    if (!m_question->toPlainText().trimmed().isEmpty())
        out.push_back({PromptPart::Role::Question, m_question->toPlainText()});
    return out;
}

} // namespace terse::widgets
