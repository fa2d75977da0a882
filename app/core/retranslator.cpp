#include "retranslator.h"

#include <QEvent>
#include <QWidget>

namespace terse::app {

Retranslator::Retranslator(QWidget *widget) : QObject(widget), m_widget(widget)
{
    widget->installEventFilter(this);
}

void Retranslator::add(std::function<void()> apply)
{
    apply();
    m_apply.push_back(std::move(apply));
}

void Retranslator::retranslate()
{
    for (const auto &apply : m_apply)
        apply();
}

bool Retranslator::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_widget && event->type() == QEvent::LanguageChange)
        retranslate();
    return QObject::eventFilter(watched, event);
}

} // namespace terse::app
