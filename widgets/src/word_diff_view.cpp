#include "terse_widgets/word_diff_view.h"

#include <QEvent>
#include <QScrollBar>
#include <QTextCursor>

#include <algorithm>

namespace terse::widgets {

namespace {
bool isDark(const QPalette &p)
{
    return p.color(QPalette::Base).lightness() < 128;
}
} // namespace

WordDiffView::WordDiffView(QWidget *parent) : QTextBrowser(parent)
{
    setReadOnly(true);
    setOpenLinks(false);
    setAccessibleName(tr("Compressed output compared with the original"));
}

QColor WordDiffView::keptElsewhereDroppedColor(bool dark)
{
    return dark ? QColor(40, 95, 50) : QColor(198, 239, 200);
}

QColor WordDiffView::droppedElsewhereKeptColor(bool dark)
{
    return dark ? QColor(110, 40, 40) : QColor(250, 212, 208);
}

void WordDiffView::setWords(const QVector<DiffWord> &words)
{
    m_words = words;
    m_message.clear();
    rebuild();
}

void WordDiffView::setMessage(const QString &message)
{
    m_words.clear();
    m_message = message;
    rebuild();
}

int WordDiffView::count(DiffWord::Mark mark) const
{
    return static_cast<int>(std::count_if(m_words.begin(), m_words.end(),
                                          [mark](const DiffWord &w) { return w.mark == mark; }));
}

int WordDiffView::disputedCount() const
{
    return static_cast<int>(std::count_if(m_words.begin(), m_words.end(),
                                          [](const DiffWord &w) { return w.disputed; }));
}

void WordDiffView::changeEvent(QEvent *event)
{
    QTextBrowser::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        rebuild();
}

void WordDiffView::rebuild()
{
    const int scroll = verticalScrollBar()->value();
    clear();
    QTextCursor cursor(document());
    const bool dark = isDark(palette());
    const QColor textColor = palette().color(QPalette::Text);
    QColor grey = textColor;
    grey.setAlphaF(0.45);
    cursor.beginEditBlock();
    if (!m_message.isEmpty()) {
        QTextCharFormat f;
        f.setFontItalic(true);
        f.setForeground(grey);
        cursor.insertText(m_message, f);
    }
    const int n = std::min<int>(m_words.size(), maxWords());
    for (int i = 0; i < n; ++i) {
        const DiffWord &w = m_words[i];
        QTextCharFormat f;
        f.setForeground(textColor);
        switch (w.mark) {
        case DiffWord::Mark::Kept:
            break;
        case DiffWord::Mark::Partial:
            f.setFontUnderline(true);
            f.setUnderlineStyle(QTextCharFormat::DotLine);
            break;
        case DiffWord::Mark::Dropped:
            f.setFontStrikeOut(true);
            f.setForeground(grey);
            break;
        }
        if (w.disputed)
            f.setBackground(w.mark == DiffWord::Mark::Dropped ? droppedElsewhereKeptColor(dark)
                                                              : keptElsewhereDroppedColor(dark));
        // The trailing whitespace is never highlighted, so neighbouring marks stay apart.
        const QString word = w.text.trimmed();
        const qsizetype lead = w.text.indexOf(word);
        if (lead > 0)
            cursor.insertText(w.text.left(lead), QTextCharFormat());
        cursor.insertText(word, f);
        const QString tail = w.text.mid(lead + word.size());
        if (!tail.isEmpty())
            cursor.insertText(tail, QTextCharFormat());
    }
    if (m_words.size() > n) {
        QTextCharFormat note;
        note.setFontItalic(true);
        note.setForeground(grey);
        cursor.insertText(tr("\n\n… %1 more words not shown (the view shows the first %2).")
                              .arg(m_words.size() - n)
                              .arg(n),
                          note);
    }
    cursor.endEditBlock();
    verticalScrollBar()->setValue(scroll);
}

} // namespace terse::widgets
