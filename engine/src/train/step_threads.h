#pragma once
// The intra-op thread count of each training step, chosen from the steps' measured speed (issue
// 16). A step is hundreds of parallel ops, each ending at a barrier: when another process takes a
// core, every op waits for its descheduled thread, and 2 threads ran a 16-s step in 35-230 s beside
// a nice-19 compile or a one-thread `terse bench` (whose load a CPU-time measure counts as less
// than a core). So the trainers measure instead of guessing: now and then a step runs at half or
// double the current count, and the count whose steps are fastest per token runs the rest. A probe
// that lost waits until the steps since took 10x its time, so probing costs at most ~10%. Pure
// logic: tested with made-up timings.

#include <algorithm>
#include <vector>

namespace terse::train {

class StepThreads {
public:
    // `maxThreads`: the most a step may use (the caller's --threads); a probe every `probeEvery`
    // steps, sooner when a step is much slower than the count's average.
    explicit StepThreads(int maxThreads, int probeEvery = 20)
        : m_max(std::max(1, maxThreads)), m_probeEvery(std::max(2, probeEvery)),
          m_time(static_cast<std::size_t>(m_max) + 1, -1.0), m_current(m_max),
          m_lastProbe(2 - m_probeEvery)
    {
    }

    // The count for the next step.
    int next()
    {
        m_running = m_current;
        // Alternate between halving and doubling; the one that exists when only one does.
        const int down = std::max(1, m_current / 2), up = std::min(m_max, m_current * 2);
        const bool tryDown = (m_downNext && down != m_current) || up == m_current;
        const int probe = tryDown ? down : up;
        // A probe that lost costs its step: the next one waits until the steps since the last probe
        // took 10x what it took (under load a 2-thread probe took 13x a 1-thread step).
        const double last = m_time[static_cast<std::size_t>(probe)];
        bool due =
            (m_step - m_lastProbe >= m_probeEvery && !(last > 0 && m_sinceProbe < 10 * last)) ||
            m_slowed;
        // More threads than the cores other processes leave free would wait at every barrier for a
        // core another process holds: no such probe while they hold it, and one at once when they
        // let go.
        if (probe > m_current && m_free >= 0) {
            if (m_free < probe - 0.5) {
                due = false;
                m_held = true;
            } else if (m_held) {
                due = true;
                m_held = false;
            }
        }
        if (m_step > 0 && due && m_step - m_lastProbe >= 2) {
            if (probe != m_current) {
                m_running = probe;
                m_lastProbe = m_step;
                m_sinceProbe = 0;
                m_downNext = !tryDown;
            }
        }
        m_slowed = false;
        return m_running;
    }

    // The time the step just run (at next()'s count) took per unit of work (seconds per token).
    // The first step is not counted: it allocates what the others reuse.
    void done(double secondsPerUnit)
    {
        const int n = m_running;
        if (m_step++ == 0 || !(secondsPerUnit > 0))
            return;
        double &t = m_time[static_cast<std::size_t>(n)];
        if (n == m_current) {
            m_sinceProbe += secondsPerUnit;
            m_slowed = t > 0 && secondsPerUnit > 1.5 * t; // the load changed: measure again soon
            t = t > 0 ? 0.7 * t + 0.3 * secondsPerUnit : secondsPerUnit;
        } else {
            t = secondsPerUnit; // a probe: its latest measure (the load may have changed since)
        }
        for (int c = 1; c <= m_max; ++c)
            if (m_time[static_cast<std::size_t>(c)] > 0 &&
                m_time[static_cast<std::size_t>(c)] < m_time[static_cast<std::size_t>(m_current)])
                m_current = c;
    }

    // The cores other processes left free during the step just run (detail::freeCoresSince), or
    // -1 when unknown. Under a one-thread `terse bench` a 2-thread probe step took 18x a 1-thread
    // step (7 minutes for the bundled LM's), and with the 10x back-off one came every ~75 minutes.
    void freeCores(double cores) { m_free = cores; }

    int current() const { return m_current; }
    int most() const { return m_max; }

private:
    int m_max;
    int m_probeEvery;
    std::vector<double> m_time; // per count: seconds per unit (-1: not measured)
    int m_current;              // the count with the fastest steps so far
    int m_running = 0;          // the count of the step in flight
    long long m_step = 0;
    long long m_lastProbe; // the first probe comes at step 2, right after the first step counted
    bool m_downNext = true;
    bool m_slowed = false;
    double m_sinceProbe = 0; // the steps' time since the last probe (seconds per unit, summed)
    double m_free = -1;      // cores other processes left free in the last step (-1: unknown)
    bool m_held = false;     // a probe up was held back for want of free cores
};

} // namespace terse::train
