#include "terse_widgets/stage_scrubber.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QSlider>
#include <QToolButton>

namespace terse::widgets {

StageScrubber::StageScrubber(QWidget *parent) : QWidget(parent)
{
    auto *row = new QHBoxLayout(this);
    row->setContentsMargins(0, 0, 0, 0);
    auto *title = new QLabel(tr("Stages:"), this);
    m_prev = new QToolButton(this);
    m_prev->setArrowType(Qt::LeftArrow);
    m_prev->setToolTip(tr("Previous stage"));
    m_prev->setObjectName(QStringLiteral("stagePrev"));
    m_next = new QToolButton(this);
    m_next->setArrowType(Qt::RightArrow);
    m_next->setToolTip(tr("Next stage"));
    m_next->setObjectName(QStringLiteral("stageNext"));
    m_slider = new QSlider(Qt::Horizontal, this);
    m_slider->setObjectName(QStringLiteral("stageSlider"));
    m_slider->setPageStep(1);
    m_slider->setTickPosition(QSlider::TicksBelow);
    m_slider->setToolTip(
        tr("Replay the method stage by stage: the view shows what was removed up to this stage."));
    m_label = new QLabel(this);
    m_label->setMinimumWidth(180);
    row->addWidget(title);
    row->addWidget(m_prev);
    row->addWidget(m_slider, 1);
    row->addWidget(m_next);
    row->addWidget(m_label);
    connect(m_prev, &QToolButton::clicked, this, [this] { setPosition(position() - 1); });
    connect(m_next, &QToolButton::clicked, this, [this] { setPosition(position() + 1); });
    connect(m_slider, &QSlider::valueChanged, this, [this](int v) {
        if (v > m_names.size()) { // stages still running cannot be shown yet
            m_slider->setValue(static_cast<int>(m_names.size()));
            return;
        }
        updateLabel();
        emit stageChanged(v);
    });
    setStages({});
}

void StageScrubber::setStages(const QStringList &names, int total)
{
    m_names = names;
    m_total = total > names.size() ? total : -1;
    const QSignalBlocker block(m_slider);
    m_slider->setRange(0, isRunning() ? m_total : static_cast<int>(names.size()));
    m_slider->setValue(static_cast<int>(names.size()));
    updateLabel();
}

int StageScrubber::position() const
{
    return m_slider->value();
}

void StageScrubber::setPosition(int p)
{
    m_slider->setValue(std::clamp(p, 0, static_cast<int>(m_names.size())));
}

void StageScrubber::updateLabel()
{
    const int p = position();
    m_prev->setEnabled(p > 0);
    m_next->setEnabled(p < m_names.size());
    if (p < m_names.size())
        m_label->setText(tr("%1 (%2 of %3)")
                             .arg(m_names[p])
                             .arg(p + 1)
                             .arg(isRunning() ? m_total : m_names.size()));
    else if (isRunning())
        m_label->setText(tr("%1 of %2 stages done, running…").arg(m_names.size()).arg(m_total));
    else
        m_label->setText(tr("final result"));
}

} // namespace terse::widgets
