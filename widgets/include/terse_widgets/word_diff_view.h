#pragma once
// WordDiffView: one compressed output shown as a word-level diff against the original prompt: kept
// words plain, dropped words struck through and greyed, partly kept words underlined with dots, and
// words on which the compared outputs disagree highlighted (green: kept here but dropped by
// another; red: dropped here but kept by another). Takes plain data only. GUI thread only.

#include <QTextBrowser>
#include <QVector>

namespace terse::widgets {

// One word of the original prompt (with the whitespace that follows it) and what an output did to
// it.
struct DiffWord {
    enum class Mark { Kept, Partial, Dropped };
    QString text;
    Mark mark = Mark::Kept;
    bool disputed = false; // another compared output decided this word differently
};

class WordDiffView : public QTextBrowser {
    Q_OBJECT
public:
    explicit WordDiffView(QWidget *parent = nullptr);

    // Replaces the displayed words. At most maxWords() are laid out; the rest are summarised.
    void setWords(const QVector<DiffWord> &words);
    const QVector<DiffWord> &words() const { return m_words; }
    // Shows a message (waiting, failed) instead of words.
    void setMessage(const QString &message);

    // Number of words with `mark`, and of disputed words (for tests and summaries).
    int count(DiffWord::Mark mark) const;
    int disputedCount() const;

    static int maxWords() { return 20000; }

    // Background colours of disputed words: kept here / dropped here, readable in light and dark
    // palettes.
    static QColor keptElsewhereDroppedColor(bool dark);
    static QColor droppedElsewhereKeptColor(bool dark);

protected:
    void changeEvent(QEvent *event) override;

private:
    void rebuild();

    QVector<DiffWord> m_words;
    QString m_message;
};

} // namespace terse::widgets
