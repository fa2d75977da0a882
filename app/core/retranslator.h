#pragma once
// Retranslator: the one retranslation scheme of the app's windows. add() runs a function that sets
// translated texts now and again on every QEvent::LanguageChange of the watched widget (before the
// widget's own changeEvent sees it). GUI thread only.

#include <QObject>

#include <functional>
#include <vector>

class QWidget;

namespace terse::app {

class Retranslator : public QObject {
    Q_OBJECT
public:
    // Watches `widget` (also the parent) for language changes.
    explicit Retranslator(QWidget *widget);

    // Runs `apply` now and after every language change, in the order added.
    void add(std::function<void()> apply);
    // Runs every function added, in order.
    void retranslate();

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    QWidget *m_widget;
    std::vector<std::function<void()>> m_apply;
};

} // namespace terse::app
