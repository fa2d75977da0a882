#pragma once
// The schedule of a timed training run (`--max-seconds`): how many steps the learning-rate schedule
// spans. The first fit takes the speed of steps 5..25; after it, when the recent steps' speed (the
// median of the last 40) projects past the deadline (another process took a core: a 2-core run
// beside a compile or a bench runs its steps 2x or more slower), the schedule is refitted to what
// the time left holds, so the cosine still reaches its floor before the run stops. A refit only
// shortens the schedule: a longer one would raise the learning rate under a run already on its way
// down. Pure logic: tested with made-up timings.

#include <algorithm>
#include <deque>
#include <vector>

namespace terse::train {

class TimeBudget {
public:
    // `startStep`: the first step of this process (a resumed run's checkpoint step); `fitted`: a
    // resumed run whose schedule was fitted before (no first fit, refits only).
    TimeBudget(double maxSeconds, long long startStep, bool fitted)
        : m_max(maxSeconds), m_markFrom(startStep + 5), m_markTo(startStep + 25), m_fitted(fitted)
    {
    }

    // Called before step `step` runs, `used` seconds after this process began training; returns the
    // schedule's step count, at most `scheduled`.
    long long fit(long long step, double used, long long scheduled)
    {
        if (m_max <= 0)
            return scheduled;
        if (m_lastUsed >= 0 && step == m_lastStep + 1) {
            m_recent.push_back(used - m_lastUsed);
            if (m_recent.size() > kWindow)
                m_recent.pop_front();
        }
        m_lastStep = step;
        m_lastUsed = used;
        if (step == m_markFrom)
            m_usedAtMark = used;
        const double target = kTarget * m_max - used;
        auto stepsIn = [&](double perStep) {
            return step + std::max<long long>(1, static_cast<long long>(target / perStep));
        };
        if (!m_fitted) {
            if (step == m_markTo && m_usedAtMark >= 0) {
                m_fitted = true;
                const double perStep =
                    (used - m_usedAtMark) / static_cast<double>(m_markTo - m_markFrom);
                if (perStep > 0)
                    return std::min(scheduled, stepsIn(perStep));
            }
            return scheduled;
        }
        if (m_recent.size() < kMinRecent)
            return scheduled;
        // The median step of the window: a burst of slow steps shorter than half of it (a
        // checkpoint, a minute of other work) does not move it; a lasting slowdown does.
        std::vector<double> sorted(m_recent.begin(), m_recent.end());
        std::nth_element(sorted.begin(), sorted.begin() + static_cast<long>(sorted.size() / 2),
                         sorted.end());
        const double perStep = sorted[sorted.size() / 2];
        if (!(perStep > 0))
            return scheduled;
        const double projected = used + static_cast<double>(scheduled - step) * perStep;
        if (projected <= kRefitAbove * m_max)
            return scheduled; // a short slowdown the slack absorbs
        ++m_refits;
        return std::min(scheduled, stepsIn(perStep));
    }

    int refits() const { return m_refits; }

    static constexpr double kTarget = 0.93;     // evaluations and checkpoints take the rest
    static constexpr double kRefitAbove = 0.97; // refit when the schedule would end past this
    static constexpr std::size_t kWindow = 40;  // steps whose median is the recent speed
    static constexpr std::size_t kMinRecent = 10;

private:
    double m_max;
    long long m_markFrom, m_markTo;
    bool m_fitted;
    double m_usedAtMark = -1;
    long long m_lastStep = -2;
    double m_lastUsed = -1;
    std::deque<double> m_recent;
    int m_refits = 0;
};

} // namespace terse::train
