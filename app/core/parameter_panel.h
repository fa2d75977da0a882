#pragma once
// ParameterPanel: a form generated from a method's OptionSpecs (Double: slider + spin box, Int:
// spin box, Bool: check box, Choice: combo box, String: line edit), each labelled with its default
// and carrying the spec's help as tooltip, plus the options common to all methods (mode, seed,
// target tokens, device, word vectors). Emits changed() on every user edit. Controls are named
// "param_<name>" for tests. GUI thread only.

#include "terse/compressor.h"

#include <QWidget>

#include <map>
#include <string>
#include <vector>

class QFormLayout;
class QComboBox;
class QGroupBox;
class QSpinBox;
class QLabel;

namespace terse::app {

class ParameterPanel : public QWidget {
    Q_OBJECT
public:
    explicit ParameterPanel(QWidget *parent = nullptr);

    // Rebuilds the method's controls from `specs`, set to `values` where given, else to the
    // defaults.
    void setOptionSpecs(const std::vector<terse::OptionSpec> &specs,
                        const std::map<std::string, std::string> &values = {});
    const std::vector<terse::OptionSpec> &optionSpecs() const { return m_specs; }

    // The method parameters as CompressOptions::params (every spec's current value, as text).
    std::map<std::string, std::string> values() const;
    // Sets the controls from `values` (unknown keys ignored) without emitting changed().
    void setValues(const std::map<std::string, std::string> &values);
    // Copies mode, seed, target tokens, device and word vectors into `options` / sets them from
    // `options` (a device or word-vector file this panel does not list, such as "cuda:1" from a
    // saved session, is added).
    void applyCommon(terse::CompressOptions &options) const;
    void setCommon(const terse::CompressOptions &options);
    // Shows or hides the options common to all methods (mode, seed, target tokens); hidden where
    // the caller edits them elsewhere (the Compare window's rows).
    void setCommonVisible(bool visible);
    // Sets every control (method and common) back to its default and emits changed().
    void resetToDefaults();

signals:
    void changed();

private:
    // Enables the GPU device entry when the engine sees a GPU (disabled until the engine has
    // loaded).
    void updateDevices();
    // The Word vectors entry "Choose a file…": a file dialog; the chosen file becomes an entry.
    void chooseWordVectors();
    // Selects the word-vector entry for `value` ("", "none" or a path), adding a path's entry.
    void selectWordVectors(const QString &value);
    struct Control {
        terse::OptionSpec spec;
        QWidget *editor =
            nullptr; // the value-holding widget (spin box, check box, combo, line edit)
    };
    void setControlValue(const Control &c, const std::string &value);
    std::string controlValue(const Control &c) const;

    QFormLayout *m_methodForm = nullptr;
    QLabel *m_noOptions = nullptr;
    QGroupBox *m_commonBox = nullptr;
    QComboBox *m_mode = nullptr;
    QSpinBox *m_seed = nullptr;
    QSpinBox *m_target = nullptr;
    QComboBox *m_device = nullptr;
    QComboBox *m_wordVectors = nullptr;
    int m_wordVectorsIndex = 0; // the entry chosen before "Choose a file…"
    std::vector<terse::OptionSpec> m_specs;
    std::vector<Control> m_controls;
};

} // namespace terse::app
