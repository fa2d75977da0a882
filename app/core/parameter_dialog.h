#pragma once
// ParameterDialog: edits one method's parameters with the typed controls of a ParameterPanel (spin
// boxes with ranges, check boxes, choice combos, tooltips from the OptionSpecs), for places that
// keep the parameters as text (the Compare window's rows). Only the method's own parameters: mode,
// seed and target tokens are edited elsewhere. GUI thread only.

#include "terse/compressor.h"

#include <QDialog>

#include <map>
#include <string>
#include <vector>

namespace terse::app {

class ParameterPanel;

class ParameterDialog : public QDialog {
    Q_OBJECT
public:
    // The controls are built from `specs` and set to `values` (defaults where absent).
    ParameterDialog(const QString &title, const std::vector<terse::OptionSpec> &specs,
                    const std::map<std::string, std::string> &values, QWidget *parent = nullptr);

    // The values that differ from the defaults (what a Compare row keeps).
    std::map<std::string, std::string> changedValues() const;
    ParameterPanel *panel() const { return m_panel; }

private:
    ParameterPanel *m_panel;
};

} // namespace terse::app
