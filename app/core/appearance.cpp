#include "appearance.h"

#include <QApplication>
#include <QPalette>
#include <QSettings>
#include <QStyle>
#include <QStyleFactory>
#include <QWidget>

namespace terse::app {

namespace {
QString g_platformStyle; // the style before the first theme change, restored by System
QPalette g_platformPalette;
bool g_saved = false;

void rememberPlatform()
{
    if (g_saved)
        return;
    g_saved = true;
    g_platformStyle = QApplication::style()->name();
    g_platformPalette = QApplication::palette();
}

QPalette darkPalette()
{
    QPalette p;
    const QColor window(45, 45, 48), base(30, 30, 32), text(225, 225, 225), disabled(130, 130, 130);
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, base);
    p.setColor(QPalette::AlternateBase, window);
    p.setColor(QPalette::ToolTipBase, QColor(60, 60, 64));
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, window);
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::BrightText, QColor(255, 90, 90));
    p.setColor(QPalette::Link, QColor(100, 160, 240));
    p.setColor(QPalette::Highlight, QColor(60, 120, 210));
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::PlaceholderText, disabled);
    p.setColor(QPalette::Mid, QColor(80, 80, 84));
    p.setColor(QPalette::Dark, QColor(20, 20, 22));
    for (auto role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText})
        p.setColor(QPalette::Disabled, role, disabled);
    return p;
}
} // namespace

void applyTheme(Theme theme)
{
    rememberPlatform();
    switch (theme) {
    case Theme::System:
        QApplication::setStyle(QStyleFactory::create(g_platformStyle));
        QApplication::setPalette(g_platformPalette);
        break;
    case Theme::Light:
        QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
        QApplication::setPalette(QApplication::style()->standardPalette());
        break;
    case Theme::Dark:
        QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
        QApplication::setPalette(darkPalette());
        break;
    }
}

void reapplyStyleSheet(QWidget *widget)
{
    if (!widget)
        return;
    const QString sheet = widget->styleSheet();
    widget->setStyleSheet(QString());
    widget->setStyleSheet(sheet);
}

QString themeName(Theme theme)
{
    switch (theme) {
    case Theme::Light:
        return QStringLiteral("light");
    case Theme::Dark:
        return QStringLiteral("dark");
    case Theme::System:
        break;
    }
    return QStringLiteral("system");
}

Theme storedTheme()
{
    const QString v = QSettings().value(QLatin1String(kThemeKey)).toString();
    if (v == QLatin1String("light"))
        return Theme::Light;
    if (v == QLatin1String("dark"))
        return Theme::Dark;
    return Theme::System;
}

void storeTheme(Theme theme)
{
    QSettings().setValue(QLatin1String(kThemeKey), themeName(theme));
}

bool paletteIsDark()
{
    return QApplication::palette().color(QPalette::Base).lightness() < 128;
}

} // namespace terse::app
