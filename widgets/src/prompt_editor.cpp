#include "terse_widgets/prompt_editor.h"

#include <QFontDatabase>
#include <QMimeData>
#include <QUrl>

namespace terse::widgets {

PromptEditor::PromptEditor(QWidget *parent) : QPlainTextEdit(parent)
{
    setPlaceholderText(tr("Paste a prompt here, open a .txt or .md file, or drop one on this editor."));
    setAccessibleName(tr("Prompt"));
    setTabChangesFocus(false);
    setLineWrapMode(QPlainTextEdit::WidgetWidth);
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

}  // namespace terse::widgets
