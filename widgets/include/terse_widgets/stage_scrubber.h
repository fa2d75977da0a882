#pragma once
// StageScrubber: replays an iterative method stage by stage: a slider with step buttons over the
// stage names plus a final position ("final result"). GUI thread only.

#include <QStringList>
#include <QWidget>

class QLabel;
class QSlider;
class QToolButton;

namespace terse::widgets {

class StageScrubber : public QWidget {
    Q_OBJECT
public:
    explicit StageScrubber(QWidget *parent = nullptr);

    // Sets the stages (in order) and moves to the final position without emitting stageChanged.
    // With `total` above names.size() the run is still going (issue 20): the slider spans all
    // `total` stages, filled up to the stages done, and the last position is the partial result.
    void setStages(const QStringList &names, int total = -1);
    bool isRunning() const { return m_total > m_names.size(); }
    int stageCount() const { return m_names.size(); }
    // The position: 0..stageCount()-1 for a stage, stageCount() for the final result.
    int position() const;
    void setPosition(int position);
    bool isFinal() const { return position() >= stageCount(); }
    QSlider *slider() const { return m_slider; }

signals:
    // The user (or setPosition) moved to `position`.
    void stageChanged(int position);

private:
    void updateLabel();

    QStringList m_names;
    int m_total = -1;
    QSlider *m_slider = nullptr;
    QToolButton *m_prev = nullptr;
    QToolButton *m_next = nullptr;
    QLabel *m_label = nullptr;
};

} // namespace terse::widgets
