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
        updateLabel();
        emit stageChanged(v);
    });
    setStages({});
}

void StageScrubber::setStages(const QStringList &names)
{
    m_names = names;
    const QSignalBlocker block(m_slider);
    m_slider->setRange(0, static_cast<int>(names.size()));
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
    m_label->setText(p >= m_names.size()
                         ? tr("final result")
                         : tr("%1 (%2 of %3)").arg(m_names[p]).arg(p + 1).arg(m_names.size()));
}

} // namespace terse::widgets
