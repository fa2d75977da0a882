#include "terse_widgets/prompt_editor.h"

#include <QEvent>
#include <QFontDatabase>
#include <QLabel>
#include <QMimeData>
#include <QPushButton>
#include <QUrl>
#include <QVBoxLayout>

#include <algorithm>

namespace terse::widgets {

PromptEditor::PromptEditor(QWidget *parent) : QPlainTextEdit(parent)
{
    setAccessibleName(tr("Prompt"));
    setTabChangesFocus(false);
    setLineWrapMode(QPlainTextEdit::WidgetWidth);

    m_samples = new QWidget(viewport());
    m_samples->setObjectName(QStringLiteral("samplesPanel"));
    auto *v = new QVBoxLayout(m_samples);
    v->setContentsMargins(0, 0, 0, 0);
    m_samplesLabel = new QLabel(m_samples);
    m_samplesLabel->setWordWrap(true);
    m_samplesLabel->setForegroundRole(QPalette::PlaceholderText);
    v->addWidget(m_samplesLabel);
    m_samples->hide();
    retranslate();
    connect(this, &QPlainTextEdit::textChanged, this, &PromptEditor::placeSamples);
}

void PromptEditor::retranslate()
{
    setPlaceholderText(
        tr("Paste a prompt here, open a .txt or .md file, or drop one on this editor."));
    m_samplesLabel->setText(tr("Or start from a sample prompt:"));
}

bool PromptEditor::canInsertFromMimeData(const QMimeData *source) const
{
    return source->hasUrls() || QPlainTextEdit::canInsertFromMimeData(source);
}

void PromptEditor::insertFromMimeData(const QMimeData *source)
{
    if (source->hasUrls()) {
        QStringList files;
        for (const QUrl &url : source->urls())
            if (url.isLocalFile())
                files << url.toLocalFile();
        if (!files.isEmpty()) {
            emit filesDropped(files);
            return;
        }
    }
    QPlainTextEdit::insertFromMimeData(source);
}

void PromptEditor::setSamples(const QStringList &titles)
{
    qDeleteAll(m_sampleButtons);
    m_sampleButtons.clear();
    for (int i = 0; i < titles.size(); ++i) {
        auto *b = new QPushButton(titles[i], m_samples);
        b->setObjectName(QStringLiteral("sample_%1").arg(i));
        b->setCursor(Qt::PointingHandCursor);
        connect(b, &QPushButton::clicked, this, [this, i] { emit sampleRequested(i); });
        static_cast<QVBoxLayout *>(m_samples->layout())->addWidget(b, 0, Qt::AlignLeft);
        m_sampleButtons.append(b);
    }
    placeSamples();
}

void PromptEditor::resizeEvent(QResizeEvent *event)
{
    QPlainTextEdit::resizeEvent(event);
    placeSamples();
}

void PromptEditor::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslate();
    QPlainTextEdit::changeEvent(event);
    if (event->type() == QEvent::LanguageChange || event->type() == QEvent::FontChange)
        placeSamples();
}

void PromptEditor::placeSamples()
{
    const bool show = !m_sampleButtons.isEmpty() && document()->isEmpty();
    m_samples->setVisible(show);
    if (!show)
        return;
    // Under the empty editor's hint (placeholderText), which Qt draws word-wrapped from the
    // document margin.
    const int margin = static_cast<int>(document()->documentMargin());
    const int width = std::max(0, viewport()->width() - 2 * margin);
    const QFontMetrics fm(font());
    const int hintHeight = fm.boundingRect(QRect(0, 0, width, 1 << 20),
                                           Qt::AlignTop | Qt::TextWordWrap, placeholderText())
                               .height();
    const int height = m_samples->hasHeightForWidth() ? m_samples->heightForWidth(width)
                                                      : m_samples->sizeHint().height();
    m_samples->setGeometry(margin, margin + hintHeight + fm.lineSpacing(), width, height);
}

} // namespace terse::widgets
