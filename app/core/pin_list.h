#pragma once
// PinList: the words the user pinned (force keep / force drop), listed in the Parameters dock with
// buttons to remove one or all. Plain strings in; the owner keeps the pins. GUI thread only.

#include <QWidget>

class QListWidget;
class QPushButton;

namespace terse::app {

class PinList : public QWidget {
    Q_OBJECT
public:
    explicit PinList(QWidget *parent = nullptr);

    // One entry per pin: the pinned text and its direction (true: keep).
    void setPins(const QList<QPair<QString, bool>> &pins);
    int count() const;
    QListWidget *list() const { return m_list; }

signals:
    // The user asked to remove pin `index` / every pin.
    void removeRequested(int index);
    void clearRequested();

private:
    QListWidget *m_list = nullptr;
    QPushButton *m_remove = nullptr;
    QPushButton *m_clear = nullptr;
};

} // namespace terse::app
