#pragma once
// AppearanceController: the workbench's theme and interface language: View → Theme and View →
// Language, the stored theme applied at start, and the retranslation of every text the window
// registers with translated(). GUI thread only.

#include <QList>
#include <QObject>

#include <functional>

class QAction;
class QMenu;
class QWidget;

namespace terse::app {

class Retranslator;

class AppearanceController : public QObject {
    Q_OBJECT
public:
    // Applies the stored theme (unless System) and watches `window` for language changes.
    explicit AppearanceController(QWidget *window);

    // Runs `apply` now and again on every language change (apply sets translated texts).
    void translated(std::function<void()> apply);
    // Adds View → Theme (system, light, dark) / View → Language to `parent`.
    void buildThemeMenu(QMenu *parent);
    void buildLanguageMenu(QMenu *parent);
    // The View → Theme actions (system, light, dark).
    QList<QAction *> themeActions() const { return m_themeActions; }

signals:
    // A theme was chosen and applied: palette() colours in style sheets need setting again.
    void themeChanged();
    // A language could not be loaded; `message` says which.
    void errorOccurred(const QString &message);

private:
    Retranslator *m_retranslator;
    QList<QAction *> m_themeActions;
};

} // namespace terse::app
