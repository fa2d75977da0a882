#pragma once
// PromptEditor: a plain-text editor for prompts. Dropping local files on it emits filesDropped
// instead of inserting their paths; dropping text inserts the text. While it is empty it can offer
// sample prompts as one-click buttons under its hint text (placeholderText). GUI thread only.

#include <QPlainTextEdit>
#include <QStringList>

class QLabel;
class QPushButton;

namespace terse::widgets {

class PromptEditor : public QPlainTextEdit {
    Q_OBJECT
public:
    explicit PromptEditor(QWidget *parent = nullptr);

    // Drop/paste hooks (public so that tests can feed mime data directly).
    bool canInsertFromMimeData(const QMimeData *source) const override;
    void insertFromMimeData(const QMimeData *source) override;

    // Offers one button per title while the editor is empty; a click emits sampleRequested(index).
    // An empty list removes the offer.
    void setSamples(const QStringList &titles);
    // The panel of sample buttons (a child of the viewport); visible only while the editor is
    // empty.
    QWidget *samplesPanel() const { return m_samples; }
    QList<QPushButton *> sampleButtons() const { return m_sampleButtons; }

signals:
    // Local files dropped on the editor (the owner decides how to load them).
    void filesDropped(const QStringList &paths);
    // The user clicked the sample button `index` (of setSamples()' titles).
    void sampleRequested(int index);

protected:
    void resizeEvent(QResizeEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    void retranslate();
    void placeSamples();

    QWidget *m_samples = nullptr;
    QLabel *m_samplesLabel = nullptr;
    QList<QPushButton *> m_sampleButtons;
};

} // namespace terse::widgets
