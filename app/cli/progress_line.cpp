// The progress line of training and evaluation jobs (progress_line.h).
#include "progress_line.h"

#include <chrono>
#include <csignal>
#include <memory>

namespace terse::cli {

namespace {
JobContext *g_cancelJob = nullptr;
extern "C" void onCancelSignal(int)
{
    if (g_cancelJob)
        g_cancelJob->cancel();
}
} // namespace

CancelOnSignal::CancelOnSignal(JobContext &job)
{
    g_cancelJob = &job;
    m_oldInt = std::signal(SIGINT, onCancelSignal);
    m_oldTerm = std::signal(SIGTERM, onCancelSignal);
}

CancelOnSignal::~CancelOnSignal()
{
    std::signal(SIGINT, m_oldInt == SIG_ERR ? SIG_DFL : m_oldInt);
    std::signal(SIGTERM, m_oldTerm == SIG_ERR ? SIG_DFL : m_oldTerm);
    g_cancelJob = nullptr;
}

JobContext progressLineJob(bool enabled)
{
    if (!enabled)
        return JobContext(); // its own cancellation flag (none() is shared)
    auto start =
        std::make_shared<std::chrono::steady_clock::time_point>(std::chrono::steady_clock::now());
    auto last = std::make_shared<std::chrono::steady_clock::time_point>();
    auto lastDone = std::make_shared<long long>(-1);
    auto lastTotal = std::make_shared<long long>(-1);
    auto firstDone = std::make_shared<long long>(0);
    return JobContext([=](long long done, long long total, const std::string &stage) {
        const auto now = std::chrono::steady_clock::now();
        // A new phase (the count restarts, or the total changes after the last phase completed)
        // restarts the clock on a new line; a total that changes under a running count (a timed
        // run refitting its schedule) keeps it. The stage text itself may change every step
        // (trainers put the running loss in it).
        if (*lastTotal < 0 || done < *lastDone ||
            (total != *lastTotal && *lastDone >= *lastTotal)) {
            *start = now;
            *firstDone = done; // a resumed run starts part-way: the ETA counts only this run's rate
            if (*lastTotal >= 0)
                std::fprintf(stderr, "\n");
        } else if (now - *last < std::chrono::milliseconds(250) && done != total) {
            *lastDone = done;
            *lastTotal = total;
            return; // throttled
        }
        *lastTotal = total;
        *lastDone = done;
        *last = now;
        const double secs = std::chrono::duration<double>(now - *start).count();
        const double frac = total > 0 ? static_cast<double>(done) / static_cast<double>(total) : 0;
        const double runFrac = total > *firstDone ? static_cast<double>(done - *firstDone) /
                                                        static_cast<double>(total - *firstDone)
                                                  : 0;
        const double eta = runFrac > 0 ? secs * (1 - runFrac) / runFrac : 0;
        if (total <= 0) // a total the input does not tell (a stream without its size)
            std::fprintf(stderr, "\r%s %lld  %7.0fs elapsed ", stage.c_str(), done, secs);
        else
            std::fprintf(stderr, "\r%s %6.1f%%  %7.0fs elapsed  ETA %6.0fs ", stage.c_str(),
                         100 * frac, secs, eta);
        std::fflush(stderr);
    });
}

} // namespace terse::cli
