#pragma once
// PromptEditor: a plain-text editor for prompts. Dropping local files on it emits filesDropped instead
// of inserting their paths; dropping text inserts the text. GUI thread only.

#include <QPlainTextEdit>
#include <QStringList>

namespace terse::widgets {

class PromptEditor : public QPlainTextEdit {
    Q_OBJECT
public:
    explicit PromptEditor(QWidget *parent = nullptr);

    // Drop/paste hooks (public so that tests can feed mime data directly).
    bool canInsertFromMimeData(const QMimeData *source) const override;
    void insertFromMimeData(const QMimeData *source) override;

signals:
    // Local files dropped on the editor (the owner decides how to load them).
    void filesDropped(const QStringList &paths);
};

}  // namespace terse::widgets
