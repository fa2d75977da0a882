#pragma once
// ModelPicker: a combo box of models (the method's default, Terse's bundled default models, models
// the user added, models found in the HuggingFace cache) and an "Add model…" button for a file or
// folder. Added models are remembered in QSettings ("models/added"). Model details arrive later
// through setModelInfo() (the window loads them on the worker thread) and show as the item's
// tooltip. GUI thread only.

#include <QHash>
#include <QWidget>

class QComboBox;
class QToolButton;

namespace terse::app {

class ModelPicker : public QWidget {
    Q_OBJECT
public:
    explicit ModelPicker(QWidget *parent = nullptr);

    // The chosen model path for CompressOptions::model ("" = the method's default model).
    QString currentModelPath() const;
    // Selects `path`, adding it to the list (not to the settings) when unknown. "" selects the
    // default.
    void setCurrentModelPath(const QString &path);
    // Adds a model file or folder, remembers it in the settings and selects it. False (with
    // lastError() and errorOccurred()) when `path` does not exist or holds no model (its weight
    // headers are checked).
    bool addModelPath(const QString &path);
    QString lastError() const { return m_lastError; }
    // Re-reads defaults, added models and the HuggingFace cache (`hfRoot` empty: the usual places).
    void rebuild(const QString &hfRoot = {});
    // Sets the tooltip of the item for `path` (model architecture, parameters, or the load error).
    void setModelInfo(const QString &path, const QString &info);

    QComboBox *combo() const { return m_combo; }
    QToolButton *addButton() const { return m_add; }

signals:
    // The user chose another model (also after addModelPath()).
    void modelChanged(const QString &path);
    // A model path the user chose was refused (the message says why).
    void errorOccurred(const QString &message);

private:
    void addItem(const QString &text, const QString &path, const QString &tooltip,
                 bool enabled = true);

    QComboBox *m_combo = nullptr;
    QToolButton *m_add = nullptr;
    QHash<QString, QString> m_info; // path -> tooltip, kept across rebuilds
    QString m_hfRoot;
    QString m_lastError;
};

} // namespace terse::app
