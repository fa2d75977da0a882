#include "language.h"

#include <QCoreApplication>
#include <QLibraryInfo>
#include <QLocale>
#include <QTranslator>
#include <QVariant>

namespace terse::app {

namespace {
const QString kAppTranslator = QStringLiteral("terseAppTranslator");
const QString kQtTranslator = QStringLiteral("terseQtTranslator");
const char *kCurrentProperty = "terseLanguage";

// Maps a system UI language ("de-DE", "zh-Hans-CN", "zh-CN", "en-US") to one of ours, or "en".
QString matchSystemLanguage()
{
    for (QString ui : QLocale::system().uiLanguages()) {
        ui.replace(QLatin1Char('-'), QLatin1Char('_'));
        if (ui.startsWith(QLatin1String("de")))
            return QStringLiteral("de");
        // Simplified Chinese: zh_CN, zh_SG, zh_Hans*; zh_TW / zh_HK / zh_Hant stay English.
        if (ui.startsWith(QLatin1String("zh")) && !ui.contains(QLatin1String("Hant")) &&
            !ui.contains(QLatin1String("TW")) && !ui.contains(QLatin1String("HK")) &&
            !ui.contains(QLatin1String("MO")))
            return QStringLiteral("zh_CN");
        if (ui.startsWith(QLatin1String("en")))
            return QStringLiteral("en");
    }
    return QStringLiteral("en");
}

void removeOurTranslators(QCoreApplication &app)
{
    for (QTranslator *t : app.findChildren<QTranslator *>(Qt::FindDirectChildrenOnly)) {
        if (t->objectName() == kAppTranslator || t->objectName() == kQtTranslator) {
            QCoreApplication::removeTranslator(t);
            delete t;
        }
    }
}
} // namespace

QStringList availableLanguages()
{
    return {QStringLiteral("en"), QStringLiteral("de"), QStringLiteral("zh_CN")};
}

bool installLanguage(QCoreApplication &app, const QString &code)
{
    const QString lang =
        (code.isEmpty() || code == QLatin1String("system")) ? matchSystemLanguage() : code;
    if (!availableLanguages().contains(lang))
        return false;

    // Load first, so a failure leaves the current language in place; parented to the app only after
    // the old translators are gone (removeOurTranslators() finds them by parent and name).
    QTranslator *appTr = nullptr;
    QTranslator *qtTr = nullptr;
    if (lang != QLatin1String("en")) {
        appTr = new QTranslator;
        appTr->setObjectName(kAppTranslator);
        if (!appTr->load(QStringLiteral(":/i18n/terse_%1.qm").arg(lang))) {
            delete appTr;
            return false;
        }
        // Qt's own dialogs and context menus; optional (Debian ships them in
        // qt6-translations-l10n).
        qtTr = new QTranslator;
        qtTr->setObjectName(kQtTranslator);
        if (!qtTr->load(QLocale(lang), QStringLiteral("qtbase"), QStringLiteral("_"),
                        QLibraryInfo::path(QLibraryInfo::TranslationsPath))) {
            delete qtTr;
            qtTr = nullptr;
        }
    }
    removeOurTranslators(app);
    for (QTranslator *t : {qtTr, appTr}) {
        if (t) {
            t->setParent(&app);
            QCoreApplication::installTranslator(t);
        }
    }
    app.setProperty(kCurrentProperty, lang);
    // installTranslator() and removeTranslator() each send QEvent::LanguageChange, which reaches
    // every widget: MainWindow and the History dock re-translate their texts there.
    return true;
}

QString currentLanguage(const QCoreApplication &app)
{
    const QVariant v = app.property(kCurrentProperty);
    return v.isValid() ? v.toString() : QStringLiteral("en");
}

} // namespace terse::app
