#pragma once
// The progress line of long single jobs (training, evaluation) on standard error: the stage,
// percent done, elapsed time and ETA, redrawn in place at most ~4 times a second; and the
// SIGINT/SIGTERM handling that cancels such a job cleanly (a trainer keeps its last checkpoint).

#include "terse/job.h"

#include <cstdio>
#include <utility>

namespace terse::cli {

// A job context that draws the progress line when `enabled` (--quiet turns it off).
JobContext progressLineJob(bool enabled = true);

// While alive, SIGINT and SIGTERM cancel `job` instead of killing the process; the previous
// handlers come back on destruction.
class CancelOnSignal {
public:
    explicit CancelOnSignal(JobContext &job);
    ~CancelOnSignal();
    CancelOnSignal(const CancelOnSignal &) = delete;
    CancelOnSignal &operator=(const CancelOnSignal &) = delete;

private:
    void (*m_oldInt)(int);
    void (*m_oldTerm)(int);
};

// Runs `work(job)` with the progress line (unless `quiet`) and cancellation on SIGINT/SIGTERM;
// ends the progress line.
template <class Work> auto runCancellable(Work &&work, bool quiet = false)
{
    JobContext job = progressLineJob(!quiet);
    CancelOnSignal cancel(job);
    auto r = std::forward<Work>(work)(job);
    if (!quiet)
        std::fprintf(stderr, "\n");
    return r;
}

} // namespace terse::cli
