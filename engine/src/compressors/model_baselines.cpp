#include "compressors/model_baselines.h"

#include "compressors/budget.h"
#include "compressors/common.h"
#include "compressors/params.h"
#include "models/model_context.h"
#include "compressors/token_sequence.h"

#include <chrono>
#include <cmath>
#include <limits>

namespace terse {

std::string ModelSignalCompressor::name() const
{
    return m_signal == Signal::Entropy ? "entropy_only" : "attention_only";
}

std::string ModelSignalCompressor::displayName() const
{
    return m_signal == Signal::Entropy ? "Entropy only (baseline)" : "Attention only (baseline)";
}

namespace {

struct SignalParams {
    // Whole words: surprisal sums over a word's tokens (its self-information), attention takes the
    // strongest token (a word matters if any of its pieces is attended).
    detail::WordAggregation wordScore = detail::WordAggregation::Sum;
    bool questionFocus = true;    // corrected mode (question_focus.h)
    bool distanceBaseline = true; // attention_only, corrected mode (params.h attentionBaseline)
};

// The parameter table (params.h) of one signal; its default word score is the signal's.
const detail::ParamTable<SignalParams> &signalParams(ModelSignalCompressor::Signal signal)
{
    using detail::WordAggregation;
    auto make = [](const char *method, const char *help) {
        return detail::ParamTable<SignalParams>(method)
            .choice<WordAggregation>("word_score", &SignalParams::wordScore, "Word score", help,
                                     {{"sum", WordAggregation::Sum},
                                      {"mean", WordAggregation::Mean},
                                      {"max", WordAggregation::Max},
                                      {"first", WordAggregation::First}})
            .questionFocus(&SignalParams::questionFocus);
    };
    static const auto entropy =
        make("entropy_only", "Corrected mode: a word's score from its tokens' self-information: "
                             "sum (the word's total information), mean, max or first");
    static const auto attention =
        make("attention_only", "Corrected mode: a word's score from its tokens' attention: max "
                               "(any piece attended), mean, sum or first")
            .attentionBaseline(&SignalParams::distanceBaseline);
    return signal == ModelSignalCompressor::Signal::Entropy ? entropy : attention;
}

SignalParams signalDefaults(ModelSignalCompressor::Signal signal)
{
    SignalParams p;
    if (signal == ModelSignalCompressor::Signal::Attention)
        p.wordScore = detail::WordAggregation::Max;
    return p;
}

} // namespace

std::vector<OptionSpec> ModelSignalCompressor::options() const
{
    return signalParams(m_signal).specs(signalDefaults(m_signal));
}

std::string ModelSignalCompressor::description() const
{
    return m_signal == Signal::Entropy
               ? "Keeps the tokens the model finds most surprising (self-information), in one pass."
               : "Keeps the tokens that receive the most attention, over what a token at their "
                 "distances from the queries receives (per query that can see them in reference "
                 "mode), in one pass.";
}

Result<CompressionResult> ModelSignalCompressor::compress(const Prompt &prompt,
                                                          const CompressOptions &options,
                                                          const JobContext &job)
{
    const auto t0 = std::chrono::steady_clock::now();
    auto start = detail::startModelMethod(name(), prompt, options, signalParams(m_signal),
                                          DefaultModel::CausalLM, signalDefaults(m_signal));
    if (!start)
        return start.error();
    const Model &model = start->model->model;
    CompressionResult r = detail::newResult(name(), prompt, options, "token", start->model->path);
    auto seq = detail::buildTokenSequence(prompt, start->model->tokenizer, r.units);
    if (!seq)
        return seq.error();
    if (job.isCancelled())
        return fail(ErrorCode::Cancelled, "compression cancelled");
    const SignalParams &params = start->params;
    // Reference mode has no baseline of its own here: it keeps the per-query means.
    const bool lift = m_signal == Signal::Attention && params.distanceBaseline &&
                      options.mode == CompressionMode::Corrected;
    ScoreRequest req;
    req.wantEntropy = false;
    req.wantCausalColumnMeans = m_signal == Signal::Attention && !lift;
    req.wantAttentionLift = lift;
    auto scored = model.score({seq->ids}, req, job);
    if (!scored)
        return scored.error();
    r.forwardMs = scored->seconds * 1000.0;
    const auto &s = scored->sequences[0];
    const std::size_t n = seq->ids.size();
    std::vector<float> perPos(n, 0.0f);
    if (m_signal == Signal::Entropy) {
        perPos = s.surprisal;
        // The first token has no context: keep it as the reference methods do.
        perPos[0] = std::numeric_limits<float>::infinity();
    } else {
        const auto &perLayer = lift ? s.attentionLift : s.causalColumnMeans;
        for (int l = 0; l < scored->layers; ++l)
            for (std::size_t k = 0; k < n; ++k)
                perPos[k] += perLayer[static_cast<std::size_t>(l) * n + k] /
                             static_cast<float>(scored->layers);
    }
    std::vector<float> score(r.units.size());
    for (std::size_t u = 0; u < r.units.size(); ++u)
        score[u] = perPos[static_cast<std::size_t>(seq->positionOf[u])];
    r.scores.push_back({"score", score});
    r.scores.push_back({m_signal == Signal::Entropy ? "entropy" : "attention", score});
    auto out = rethreshold(r, options);
    if (!out)
        return out;
    out->forwardMs = r.forwardMs;
    out->totalMs = detail::msSince(t0);
    return out;
}

bool ModelSignalCompressor::canRethreshold(const CompressionResult &previous,
                                           const CompressOptions &prevOptions,
                                           const CompressOptions &next) const
{
    // One forward decides the scores; only the budget and the pins may change (the mode chooses
    // the attention baseline and the question focus).
    return detail::onlyThresholdsChanged(previous, name(), prevOptions, next);
}

Result<CompressionResult> ModelSignalCompressor::rethreshold(const CompressionResult &previous,
                                                             const CompressOptions &next) const
{
    CompressionResult r = previous;
    if (auto v = validateOptions(Prompt{r.segments}, next); !v)
        return v.error();
    const ScoreSeries *s = r.series("score");
    if (!s || s->values.size() != r.units.size())
        return fail(ErrorCode::InvalidArgument,
                    "the cached result has no per-token scores to re-decide from");
    for (auto &u : r.units) {
        u.kept = true;
        u.forced = r.segments[static_cast<std::size_t>(u.segment)].role != SegmentRole::Context;
    }
    detail::applyPins(r.units, next.pinned);
    double thr;
    if (next.mode == CompressionMode::Corrected) {
        auto params = signalParams(m_signal).parse(next.params, signalDefaults(m_signal));
        if (!params)
            return params.error();
        thr = detail::keepToTargetBudget(r, s->values, next, params->wordScore, nullptr,
                                         params->questionFocus);
    } else {
        thr = detail::keepTopK(r.units, s->values, detail::keepBudget(r.units, next));
        finalizeResult(r);
        r.compressedText = detail::keptTokenText(r); // token units: the decode of the kept ids
        detail::countTargetTokens(r, Prompt{r.segments}, next.targetTokenizer);
    }
    r.thresholds = {{"score", thr, "lowest kept score"}};
    r.requestedRate = next.rate;
    r.mode = next.mode;
    return r;
}

} // namespace terse
