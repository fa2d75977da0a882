#pragma once
// JobContext: progress reporting and cooperative cancellation for long synchronous engine calls
// (design.md rule 6). Long calls check isCancelled() between windows, layers, iterations and
// batches and then return ErrorCode::Cancelled.

#include <algorithm>
#include <atomic>
#include <functional>
#include <memory>
#include <string>

namespace terse {

struct CompressionResult;

class JobContext {
public:
    // Called from the thread running the job; must be cheap and must not block.
    using ProgressFn =
        std::function<void(long long done, long long total, const std::string &stage)>;

    // Called from the thread running the job with a result that is complete as far as it goes:
    // `stagesDone` of `stagesTotal` stages decided (an iterative method's intermediate text, units
    // and trace). Optional.
    using PartialFn =
        std::function<void(const CompressionResult &partial, int stagesDone, int stagesTotal)>;

    JobContext() = default;
    explicit JobContext(ProgressFn progress) : m_progress(std::move(progress)) {}

    // Thread-safe: any thread may cancel; the job notices at its next check.
    void cancel() { m_cancelled->store(true, std::memory_order_relaxed); }
    bool isCancelled() const { return m_cancelled->load(std::memory_order_relaxed); }

    // Reports progress (done of total units of the named stage). Safe to call with no callback.
    void report(long long done, long long total, const std::string &stage) const
    {
        if (m_progress)
            m_progress(done, total, stage);
    }

    // Asks for partial results (issue 20: the stage scrubber fills while a long run goes). Set
    // before the job starts; building a partial result costs a copy, so methods build one only when
    // wantsPartial().
    void onPartial(PartialFn partial)
    {
        m_partial = std::make_shared<PartialFn>(std::move(partial));
    }
    bool wantsPartial() const { return m_partial && *m_partial; }
    void reportPartial(const CompressionResult &partial, int stagesDone, int stagesTotal) const
    {
        if (wantsPartial())
            (*m_partial)(partial, stagesDone, stagesTotal);
    }

    // Shares the cancellation flag (and the partial-result listener) with another context (e.g. a
    // nested job with its own progress).
    JobContext child(ProgressFn progress) const
    {
        JobContext c(std::move(progress));
        c.m_cancelled = m_cancelled;
        c.m_partial = m_partial;
        return c;
    }

    // A nested call's progress as part of this job's: the nested (done, total) maps linearly onto
    // [from, from + span] of `total`, reported under `stage`; cancellation is shared. Loops that
    // report their own progress pass this to the calls they make, so the caller sees one steady
    // count (issue 20: a model's "scoring 50/50" alternated with "classifying chunks 300/4840" and
    // the bar sat full).
    JobContext scaled(long long from, long long span, long long total, std::string stage) const
    {
        ProgressFn outer = m_progress;
        return child([outer, from, span, total, stage = std::move(stage)](
                         long long done, long long inner, const std::string &) {
            if (outer && inner > 0 && total > 0)
                outer(from + span * std::min(std::max(done, 0LL), inner) / inner, total, stage);
        });
    }

    // A context nobody cancels and nobody listens to.
    static const JobContext &none();

private:
    ProgressFn m_progress;
    std::shared_ptr<PartialFn> m_partial;
    std::shared_ptr<std::atomic<bool>> m_cancelled = std::make_shared<std::atomic<bool>>(false);
};

// Thrown inside the engine when a job notices cancellation; converted to ErrorCode::Cancelled at
// the edge.
struct CancelledException {};

// Throws CancelledException when the job was cancelled. For use inside engine implementations.
inline void throwIfCancelled(const JobContext &job)
{
    if (job.isCancelled())
        throw CancelledException{};
}

} // namespace terse
