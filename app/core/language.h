#pragma once
// Interface language: loads Terse's embedded translations (:/i18n/terse_<code>.qm, built from
// translations/*.ts) and Qt's own qtbase translations when installed. GUI thread only.

#include <QString>
#include <QStringList>

class QCoreApplication;

namespace terse::app {

// The QSettings key that stores the chosen language code ("" = follow the system).
inline constexpr char kLanguageKey[] = "language";

// The codes installLanguage() accepts besides "" (system): "en", "de", "zh_CN".
QStringList availableLanguages();

// Replaces the translators Terse installed before with those for `code`: "en" (the source language:
// no translator), "de", "zh_CN", or "" / "system" (the best match of the system's UI languages,
// else English). Posts QEvent::LanguageChange to every widget. Returns false, changing nothing, for
// an unknown code or a translation that cannot be loaded.
bool installLanguage(QCoreApplication &app, const QString &code);

// The language code in effect after the last successful installLanguage() ("en" before any).
QString currentLanguage(const QCoreApplication &app);

} // namespace terse::app
