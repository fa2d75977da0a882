#include "appearance_controller.h"

#include "appearance.h"
#include "language.h"
#include "retranslator.h"

#include <QAction>
#include <QActionGroup>
#include <QCoreApplication>
#include <QMenu>
#include <QSettings>
#include <QWidget>

#include <utility>

namespace terse::app {

AppearanceController::AppearanceController(QWidget *window)
    : QObject(window), m_retranslator(new Retranslator(window))
{
    if (const Theme theme = storedTheme(); theme != Theme::System)
        applyTheme(theme);
}

void AppearanceController::translated(std::function<void()> apply)
{
    m_retranslator->add(std::move(apply));
}

void AppearanceController::buildLanguageMenu(QMenu *parent)
{
    QMenu *menu = parent->addMenu(QString());
    menu->setObjectName(QStringLiteral("languageMenu"));
    auto *group = new QActionGroup(menu);
    const QString stored = QSettings().value(QLatin1String(kLanguageKey)).toString();
    // Language names in their own language, so a user can find theirs in any UI language.
    const std::pair<QString, QString> choices[] = {
        {QString(), QString()},
        {QStringLiteral("en"), QStringLiteral("English")},
        {QStringLiteral("de"), QStringLiteral("Deutsch")},
        {QStringLiteral("zh_CN"), QString::fromUtf8("简体中文")},
    };
    for (const auto &[code, name] : choices) {
        QAction *a = menu->addAction(name);
        a->setCheckable(true);
        a->setData(code);
        a->setChecked(code == stored);
        group->addAction(a);
        connect(a, &QAction::triggered, this, [this, code = code] {
            QSettings().setValue(QLatin1String(kLanguageKey), code);
            if (!installLanguage(*QCoreApplication::instance(), code))
                emit errorOccurred(tr("Cannot load the language “%1”.").arg(code));
        });
        if (code.isEmpty())
            translated([a] { a->setText(tr("System")); });
    }
    translated([menu] { menu->setTitle(tr("&Language")); });
}

void AppearanceController::buildThemeMenu(QMenu *parent)
{
    QMenu *menu = parent->addMenu(QString());
    menu->setObjectName(QStringLiteral("themeMenu"));
    auto *group = new QActionGroup(menu);
    const Theme stored = storedTheme();
    for (Theme theme : {Theme::System, Theme::Light, Theme::Dark}) {
        QAction *a = menu->addAction(QString());
        a->setObjectName(QStringLiteral("theme_") + themeName(theme));
        a->setCheckable(true);
        a->setChecked(theme == stored);
        group->addAction(a);
        m_themeActions.append(a);
        connect(a, &QAction::triggered, this, [this, theme] {
            applyTheme(theme);
            storeTheme(theme);
            emit themeChanged();
        });
        translated([a, theme] {
            a->setText(theme == Theme::Light  ? tr("&Light")
                       : theme == Theme::Dark ? tr("&Dark")
                                              : tr("&System"));
        });
    }
    translated([menu] { menu->setTitle(tr("&Theme")); });
}

} // namespace terse::app
