#include "terse_widgets/token_heatmap_view.h"

#include <QApplication>
#include <QContextMenuEvent>
#include <QHelpEvent>
#include <QMouseEvent>
#include <QPalette>
#include <QScrollBar>
#include <QTextBlock>
#include <QTextCursor>
#include <QToolTip>

#include <algorithm>
#include <cmath>

namespace terse::widgets {

namespace {
constexpr int kTokenProperty = QTextFormat::UserProperty + 1;

bool isDark(const QPalette &p)
{
    return p.color(QPalette::Base).lightness() < 128;
}
} // namespace

QColor heatColor(double t, bool dark)
{
    t = std::clamp(std::isfinite(t) ? t : 0.0, 0.0, 1.0);
    // Orange ramp: low scores stay near the base colour, high scores get a strong tint.
    if (dark)
        return QColor::fromHsvF(0.07, 0.75, 0.18 + 0.62 * t);
    return QColor::fromHsvF(0.07, 0.05 + 0.75 * t, 1.0);
}

TokenHeatmapView::TokenHeatmapView(QWidget *parent) : QTextBrowser(parent)
{
    setReadOnly(true);
    setOpenLinks(false);
    setMouseTracking(true);
    viewport()->setMouseTracking(true);
    setAccessibleName(tr("Compressed prompt"));
}

void TokenHeatmapView::setData(const HeatmapData &data)
{
    m_data = data;
    if (m_colorSeries >= m_data.seriesNames.size())
        m_colorSeries = -1;
    rebuild();
}

void TokenHeatmapView::setColorSeries(int index)
{
    m_colorSeries = (index >= 0 && index < m_data.seriesNames.size()) ? index : -1;
    rebuild();
}

void TokenHeatmapView::rebuild()
{
    const int scroll = verticalScrollBar()->value();
    clear();
    QTextCursor cursor(document());
    const bool dark = isDark(palette());
    const QColor textColor = palette().color(QPalette::Text);
    QColor droppedColor = textColor;
    droppedColor.setAlphaF(0.45);

    // Normalise the colour series with robust bounds (5th-95th percentile) so outliers don't wash
    // it out.
    double lo = 0, hi = 1;
    const QColor keepPin(30, 150, 60), dropPin(210, 40, 40);
    const QVector<double> *values = nullptr;
    if (m_colorSeries >= 0 && m_colorSeries < m_data.series.size()) {
        values = &m_data.series[m_colorSeries];
        QVector<double> finite;
        for (double v : *values)
            if (std::isfinite(v))
                finite.push_back(v);
        if (!finite.isEmpty()) {
            std::sort(finite.begin(), finite.end());
            lo = finite[static_cast<int>(0.05 * (finite.size() - 1))];
            hi = finite[static_cast<int>(0.95 * (finite.size() - 1))];
            if (hi <= lo)
                hi = lo + 1;
        }
    }
    m_lo = lo;
    m_hi = hi;
    const int n = std::min<int>(m_data.tokens.size(), maxTokens());
    cursor.beginEditBlock();
    for (int i = 0; i < n; ++i) {
        const HeatmapToken &t = m_data.tokens[i];
        if (t.segmentStart && i > 0) {
            QTextCharFormat sep;
            cursor.insertText(QStringLiteral("\n\n"), sep);
        }
        QTextCharFormat f;
        f.setProperty(kTokenProperty, i);
        if (!t.kept) {
            f.setFontStrikeOut(true);
            f.setForeground(droppedColor);
        } else {
            f.setForeground(textColor);
        }
        if (t.pin != 0) {
            // The user's pins: green (keep) or red (drop) bold text, underlined in the same colour.
            f.setUnderlineStyle(QTextCharFormat::SingleUnderline);
            f.setUnderlineColor(t.pin > 0 ? keepPin : dropPin);
            f.setForeground(t.pin > 0 ? keepPin : dropPin);
            f.setFontWeight(QFont::Bold);
        } else if (t.forced) {
            f.setUnderlineStyle(QTextCharFormat::DotLine);
        }
        if (values && i < values->size() && std::isfinite((*values)[i]))
            f.setBackground(heatColor(((*values)[i] - lo) / (hi - lo), dark));
        if (i == m_selected) {
            // The attention query: highlighted text colours, whatever the score colour was.
            f.setBackground(QColor(50, 110, 200));
            f.setForeground(Qt::white);
            f.setFontWeight(QFont::Bold);
        }
        cursor.insertText(t.text, f);
    }
    if (m_data.tokens.size() > n) {
        QTextCharFormat note;
        note.setFontItalic(true);
        note.setForeground(droppedColor);
        cursor.insertText(tr("\n\n… %1 more tokens not shown (the view shows the first %2).")
                              .arg(m_data.tokens.size() - n)
                              .arg(n),
                          note);
    }
    cursor.endEditBlock();
    verticalScrollBar()->setValue(scroll);
}

QString TokenHeatmapView::displayedText() const
{
    return toPlainText();
}

void TokenHeatmapView::changeEvent(QEvent *event)
{
    QTextBrowser::changeEvent(event);
    // The colours and text of the document depend on the palette (issue 20: a theme switch left the
    // heatmap dark until the next run).
    if (event->type() == QEvent::PaletteChange)
        rebuild();
}

void TokenHeatmapView::setSelectedToken(int index)
{
    if (index == m_selected)
        return;
    m_selected = index;
    rebuild();
}

QRect TokenHeatmapView::tokenRect(int index) const
{
    QTextCursor c(document());
    // Tokens are laid out in order; find the first character whose format carries the index.
    for (QTextBlock b = document()->begin(); b.isValid(); b = b.next())
        for (auto it = b.begin(); !it.atEnd(); ++it) {
            const QTextFragment frag = it.fragment();
            if (frag.charFormat().property(kTokenProperty).toInt() == index &&
                frag.charFormat().property(kTokenProperty).isValid()) {
                c.setPosition(frag.position());
                QRect r = cursorRect(c);
                c.setPosition(frag.position() + 1);
                r = r.united(cursorRect(c));
                return r;
            }
        }
    return {};
}

int TokenHeatmapView::tokenAt(const QPoint &viewportPos) const
{
    QTextCursor c = cursorForPosition(viewportPos);
    // cursorForPosition returns the gap nearest the point; read the format of the character after
    // it.
    QTextCursor probe(c);
    probe.movePosition(QTextCursor::NextCharacter, QTextCursor::KeepAnchor);
    const QVariant v = probe.charFormat().property(kTokenProperty);
    if (!v.isValid())
        return -1;
    // Reject points far past the end of a line.
    const QRect r = cursorRect(probe);
    if (std::abs(viewportPos.y() - r.center().y()) > r.height())
        return -1;
    return v.toInt();
}

QString TokenHeatmapView::tooltipFor(int i) const
{
    if (i < 0 || i >= m_data.tokens.size())
        return {};
    const HeatmapToken &t = m_data.tokens[i];
    QString s = QStringLiteral("<b>%1</b> — %2")
                    .arg(t.text.trimmed().toHtmlEscaped(), t.kept ? tr("kept") : tr("dropped"));
    if (t.pin > 0)
        s += QStringLiteral(" (%1)").arg(tr("pinned: keep"));
    else if (t.pin < 0)
        s += QStringLiteral(" (%1)").arg(tr("pinned: drop"));
    else if (t.forced)
        s += QStringLiteral(" (%1)").arg(tr("forced"));
    for (int k = 0; k < m_data.seriesNames.size() && k < m_data.series.size(); ++k) {
        if (i < m_data.series[k].size() && std::isfinite(m_data.series[k][i]))
            s += QStringLiteral("<br>%1: %2")
                     .arg(k < m_data.seriesLabels.size() ? m_data.seriesLabels[k]
                                                         : m_data.seriesNames[k])
                     .arg(m_data.series[k][i], 0, 'g', 4);
    }
    if (!t.reason.isEmpty())
        s += QStringLiteral("<br><i>%1</i>").arg(t.reason.toHtmlEscaped());
    return s;
}

bool TokenHeatmapView::viewportEvent(QEvent *event)
{
    if (event->type() == QEvent::ToolTip) {
        auto *help = static_cast<QHelpEvent *>(event);
        const int i = tokenAt(help->pos());
        if (i >= 0)
            QToolTip::showText(help->globalPos(), tooltipFor(i), viewport());
        else
            QToolTip::hideText();
        return true;
    }
    return QTextBrowser::viewportEvent(event);
}

void TokenHeatmapView::mouseMoveEvent(QMouseEvent *event)
{
    const int i = tokenAt(event->position().toPoint());
    if (i != m_hovered) {
        m_hovered = i;
        emit tokenHovered(i);
    }
    QTextBrowser::mouseMoveEvent(event);
}

void TokenHeatmapView::mouseReleaseEvent(QMouseEvent *event)
{
    QTextBrowser::mouseReleaseEvent(event);
    if (event->button() == Qt::LeftButton && !textCursor().hasSelection()) {
        const int i = tokenAt(event->position().toPoint());
        if (i >= 0) {
            if (event->modifiers() & Qt::ControlModifier)
                emit tokenSelected(i);
            else
                emit tokenClicked(i);
        }
    }
}

void TokenHeatmapView::contextMenuEvent(QContextMenuEvent *event)
{
    const int i = tokenAt(viewport()->mapFrom(this, event->pos()));
    if (i >= 0 && receivers(SIGNAL(tokenContextMenuRequested(int, QPoint))) > 0) {
        emit tokenContextMenuRequested(i, event->globalPos());
        return;
    }
    QTextBrowser::contextMenuEvent(event);
}

} // namespace terse::widgets
