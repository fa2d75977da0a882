#pragma once
// Light and dark palettes for the whole application (View → Theme), persisted in QSettings.

#include <QString>

class QWidget;

class QApplication;

namespace terse::app {

enum class Theme { System, Light, Dark };

// QSettings key of the stored theme ("system", "light", "dark").
inline constexpr const char *kThemeKey = "view/theme";

// Applies `theme` to the application (Fusion style with a light or dark palette; System restores
// the platform's style and palette). GUI thread only.
void applyTheme(Theme theme);
// The stored theme (System when none or unknown) / stores it.
Theme storedTheme();
void storeTheme(Theme theme);
QString themeName(Theme theme);
// True when the application palette is dark (the Base colour is dark).
bool paletteIsDark();
// Sets `widget`'s style sheet again after a theme change: palette(...) colours in a style sheet are
// resolved when it is set, so a banner styled on the dark palette stays dark on the light one
// otherwise.
void reapplyStyleSheet(QWidget *widget);

} // namespace terse::app
