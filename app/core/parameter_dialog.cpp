#include "parameter_dialog.h"

#include "comparison.h"
#include "parameter_panel.h"

#include <QDialogButtonBox>
#include <QScrollArea>
#include <QStyle>
#include <QVBoxLayout>

#include <algorithm>

namespace terse::app {

ParameterDialog::ParameterDialog(const QString &title, const std::vector<terse::OptionSpec> &specs,
                                 const std::map<std::string, std::string> &values, QWidget *parent)
    : QDialog(parent), m_panel(new ParameterPanel)
{
    setObjectName(QStringLiteral("parameterDialog"));
    setWindowTitle(title);
    m_panel->setCommonVisible(false);
    m_panel->setOptionSpecs(specs, values);
    // Methods with many parameters (LLMLingua) scroll rather than outgrow the screen.
    auto *scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidget(m_panel);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(scroll, 1);
    layout->addWidget(buttons);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff); // the labels wrap instead
    // Never narrower than the panel (plus a vertical scroll bar); as tall as the panel is at that
    // width, within the screen's reach; taller methods scroll.
    const int bar = style()->pixelMetric(QStyle::PM_ScrollBarExtent);
    const int width = std::max(480, m_panel->minimumSizeHint().width()) + bar + 4;
    scroll->setMinimumWidth(width);
    const int panelHeight = m_panel->hasHeightForWidth() ? m_panel->heightForWidth(width - bar - 4)
                                                         : m_panel->sizeHint().height();
    const QMargins margins = layout->contentsMargins();
    resize(width + margins.left() + margins.right(),
           std::clamp(panelHeight + buttons->sizeHint().height() + layout->spacing() +
                          margins.top() + margins.bottom() + 8,
                      240, 720));
}

std::map<std::string, std::string> ParameterDialog::changedValues() const
{
    return nonDefaultParams(m_panel->optionSpecs(), m_panel->values());
}

} // namespace terse::app
