#include "terse_widgets/color_legend.h"

#include "terse_widgets/token_heatmap_view.h"

#include <QLinearGradient>
#include <QPainter>

namespace terse::widgets {

namespace {

// What the marks of the text mean, shown before a colour scale is chosen.
QString marksText()
{
    return ColorLegend::tr(
        "Struck through: dropped · green underline: pinned keep · red underline: pinned drop");
}

} // namespace

ColorLegend::ColorLegend(QWidget *parent) : QWidget(parent)
{
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
    setAccessibleName(tr("Colour legend"));
    setToolTip(marksText());
}

void ColorLegend::setRange(const QString &name, double low, double high)
{
    m_name = name;
    m_low = low;
    m_high = high;
    setToolTip(
        name.isEmpty()
            ? marksText()
            : tr("Background colour: %1 from %2 (pale) to %3 (strong); values outside are clamped.")
                  .arg(name)
                  .arg(low, 0, 'g', 4)
                  .arg(high, 0, 'g', 4));
    update();
}

QSize ColorLegend::sizeHint() const
{
    return {320, fontMetrics().height() + 10};
}

void ColorLegend::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    const QFontMetrics fm = fontMetrics();
    const QColor text = palette().color(QPalette::WindowText);
    p.setPen(text);
    if (m_name.isEmpty()) {
        // Elided where the view is narrower than the line (the tooltip has all of it).
        p.drawText(rect(), Qt::AlignVCenter | Qt::AlignLeft,
                   fm.elidedText(marksText(), Qt::ElideRight, width()));
        return;
    }
    const QString lo = QString::number(m_low, 'g', 3);
    const QString hi = QString::number(m_high, 'g', 3);
    int x = 0;
    const int h = height();
    p.drawText(QRect(x, 0, fm.horizontalAdvance(m_name) + 4, h), Qt::AlignVCenter, m_name);
    x += fm.horizontalAdvance(m_name) + 10;
    p.drawText(QRect(x, 0, fm.horizontalAdvance(lo) + 2, h), Qt::AlignVCenter, lo);
    x += fm.horizontalAdvance(lo) + 6;
    const int barW = std::max(40, width() - x - fm.horizontalAdvance(hi) - 10);
    const bool dark = palette().color(QPalette::Base).lightness() < 128;
    QLinearGradient g(x, 0, x + barW, 0);
    for (int i = 0; i <= 10; ++i)
        g.setColorAt(i / 10.0, heatColor(i / 10.0, dark));
    const QRect bar(x, 3, barW, h - 6);
    p.fillRect(bar, g);
    p.setPen(palette().color(QPalette::Mid));
    p.drawRect(bar.adjusted(0, 0, -1, -1));
    p.setPen(text);
    p.drawText(QRect(x + barW + 6, 0, fm.horizontalAdvance(hi) + 4, h), Qt::AlignVCenter, hi);
}

} // namespace terse::widgets
