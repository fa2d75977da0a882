#include "compressors/baselines.h"

#include "compressors/budget.h"
#include "compressors/common.h"
#include "models/model_context.h"

#include <chrono>
#include <random>

namespace terse {

std::string BaselineCompressor::name() const
{
    switch (m_kind) {
    case Kind::Random:
        return "random";
    case Kind::Head:
        return "head";
    case Kind::Tail:
        return "tail";
    case Kind::HeadTail:
        return "head_tail";
    }
    return "random";
}

std::string BaselineCompressor::displayName() const
{
    switch (m_kind) {
    case Kind::Random:
        return "Random (baseline)";
    case Kind::Head:
        return "Keep head (baseline)";
    case Kind::Tail:
        return "Keep tail (baseline)";
    case Kind::HeadTail:
        return "Keep head and tail (baseline)";
    }
    return {};
}

std::string BaselineCompressor::description() const
{
    switch (m_kind) {
    case Kind::Random:
        return "Keeps a seeded random subset of the words at the requested rate.";
    case Kind::Head:
        return "Keeps the first words up to the requested rate (truncation).";
    case Kind::Tail:
        return "Keeps the last words up to the requested rate.";
    case Kind::HeadTail:
        return "Keeps the first and last words, half of the budget each.";
    }
    return {};
}

Result<CompressionResult> BaselineCompressor::compress(const Prompt &prompt,
                                                       const CompressOptions &options,
                                                       const JobContext &job)
{
    const auto t0 = std::chrono::steady_clock::now();
    if (auto v = validateOptions(prompt, options); !v)
        return v.error();
    CompressionResult r = detail::newResult(name(), prompt, options, "word");
    r.units = detail::wordUnits(prompt, true);
    detail::applyPins(r.units, options.pinned);
    const std::size_t n = r.units.size();
    std::vector<float> score(n);
    std::mt19937_64 rng(options.seed);
    std::uniform_real_distribution<float> uni(0.f, 1.f);
    for (std::size_t i = 0; i < n; ++i) {
        if ((i & 1023) == 0) {
            if (job.isCancelled())
                return fail(ErrorCode::Cancelled, "compression cancelled");
            job.report(static_cast<long long>(i), static_cast<long long>(n), "scoring");
        }
        const float pos = n > 1 ? static_cast<float>(i) / static_cast<float>(n - 1) : 0.f;
        switch (m_kind) {
        case Kind::Random:
            score[i] = uni(rng);
            break;
        case Kind::Head:
            score[i] = 1.f - pos;
            break;
        case Kind::Tail:
            score[i] = pos;
            break;
        case Kind::HeadTail:
            score[i] = std::max(1.f - pos, pos);
            break;
        }
    }
    r.scores.push_back({"score", score});
    auto out = rethreshold(r, options);
    if (!out)
        return out;
    out->totalMs = detail::msSince(t0);
    job.report(static_cast<long long>(n), static_cast<long long>(n), "done");
    return out;
}

bool BaselineCompressor::canRethreshold(const CompressionResult &previous,
                                        const CompressOptions &prevOptions,
                                        const CompressOptions &next) const
{
    // Only the budget may change; the seed decides the random scores.
    return previous.method == name() && prevOptions.method == next.method &&
           prevOptions.seed == next.seed && prevOptions.params == next.params;
}

Result<CompressionResult> BaselineCompressor::rethreshold(const CompressionResult &previous,
                                                          const CompressOptions &next) const
{
    const auto t0 = std::chrono::steady_clock::now();
    CompressionResult r = previous;
    Prompt prompt{r.segments};
    if (auto v = validateOptions(prompt, next); !v)
        return v.error();
    const ScoreSeries *s = r.series("score");
    if (!s || s->values.size() != r.units.size())
        return fail(ErrorCode::InvalidArgument,
                    "the cached result has no per-word scores to re-decide from");
    // Reset decisions, then re-apply instruction/question and pins from scratch.
    for (auto &u : r.units) {
        u.kept = true;
        u.forced = r.segments[u.segment].role != SegmentRole::Context;
    }
    detail::applyPins(r.units, next.pinned);
    double thr;
    if (next.mode == CompressionMode::Corrected) {
        // Whole atomic words, budget in target tokens (a word's score: its best unit's, e.g. its
        // first for head). Baselines keep no demonstration format: they are what the methods are
        // measured against.
        thr = detail::keepToTargetBudget(r, s->values, next, detail::WordAggregation::Max, nullptr,
                                         false, false);
    } else {
        thr = detail::keepTopK(r.units, s->values, detail::keepBudget(r.units, next));
        finalizeResult(r);
        detail::countTargetTokens(r, prompt, next.targetTokenizer);
    }
    r.thresholds = {{"score", thr, "lowest kept score"}};
    r.requestedRate = next.rate;
    r.mode = next.mode;
    r.totalMs = detail::msSince(t0);
    return r;
}

} // namespace terse
