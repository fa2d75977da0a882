#include "pin_list.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QVBoxLayout>

namespace terse::app {

PinList::PinList(QWidget *parent) : QWidget(parent)
{
    auto *v = new QVBoxLayout(this);
    v->setContentsMargins(0, 0, 0, 0);
    auto *title = new QLabel(tr("<b>Pinned words</b>"), this);
    title->setToolTip(tr("Click a word in the result to pin it: keep → drop → unpinned. Every "
                         "method honours pins."));
    m_list = new QListWidget(this);
    m_list->setObjectName(QStringLiteral("pinList"));
    m_list->setMaximumHeight(140);
    // Long words and the hint wrap at the dock's width instead of running past it.
    m_list->setWordWrap(true);
    m_list->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_list->setResizeMode(QListView::Adjust);
    m_remove = new QPushButton(tr("Unpin"), this);
    m_clear = new QPushButton(tr("Unpin All"), this);
    auto *row = new QHBoxLayout;
    row->addWidget(m_remove);
    row->addWidget(m_clear);
    row->addStretch(1);
    v->addWidget(title);
    v->addWidget(m_list);
    v->addLayout(row);
    connect(m_remove, &QPushButton::clicked, this, [this] {
        if (m_list->currentRow() >= 0)
            emit removeRequested(m_list->currentRow());
    });
    connect(m_clear, &QPushButton::clicked, this, &PinList::clearRequested);
    setPins({});
}

void PinList::setPins(const QList<QPair<QString, bool>> &pins)
{
    m_list->clear();
    for (const auto &[text, keep] : pins) {
        auto *item = new QListWidgetItem(
            (keep ? tr("keep: %1") : tr("drop: %1")).arg(text.trimmed()), m_list);
        item->setForeground(keep ? QColor(30, 150, 60) : QColor(210, 40, 40));
    }
    if (pins.isEmpty()) {
        auto *hint = new QListWidgetItem(tr("None: click a word in the result to pin it."), m_list);
        hint->setFlags(Qt::NoItemFlags);
    }
    m_remove->setEnabled(!pins.isEmpty());
    m_clear->setEnabled(!pins.isEmpty());
}

int PinList::count() const
{
    return m_clear->isEnabled() ? m_list->count() : 0;
}

} // namespace terse::app
