#include "compressors/dac.h"

#include "compressors/context_rank.h"
#include "compressors/question_focus.h"

#include "compressors/common.h"
#include "compressors/params.h"
#include "models/model_context.h"
#include "compressors/token_sequence.h"
#include "compressors/word_layer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <numeric>
#include <optional>
#include <functional>

namespace terse {

namespace {

enum class Variant { Ppl, AttnPpl, DynamicPpl, DynamicAttnPpl, DynamicAttnPplWosucce };

struct Settings {
    Variant variant = Variant::DynamicAttnPpl;
    bool multiplicative = false; // fusion "multiplicative": raw I_t * s_t (compressor.py 156-168)
    double alpha = 0.8;          // attention weight of the additive fusion
    int stages = 0;              // dyn_time; 0 = min(max(1, n // 100), 15) (compressor.py 347)
    bool preservePunct = false;  // +1e5 on punctuation tokens (-1e5 in the _wosucce reference)
    // Corrected mode: a word's score from its tokens' fused scores (mean: long words are not
    // favoured).
    detail::WordAggregation wordScore = detail::WordAggregation::Mean;
    bool questionFocus = true; // corrected mode (question_focus.h)
    // Corrected mode: the attention term's baseline. Per query: each token's received attention
    // averaged over the queries that see it (the last tokens of a prompt, seen only by nearby
    // queries, score high). By distance: over what a token seen by the same queries receives at
    // those distances on average (ScoreRequest::wantAttentionLift).
    bool distanceBaseline = true;

    bool dynamic() const { return variant != Variant::Ppl && variant != Variant::AttnPpl; }
    bool attention() const { return variant != Variant::Ppl && variant != Variant::DynamicPpl; }
    bool consecutiveLimit() const { return variant == Variant::DynamicAttnPplWosucce; }
};

// The parameter table (params.h): Settings' initializers are the defaults.
const detail::ParamTable<Settings> &dacParams()
{
    using detail::WordAggregation;
    static const auto table =
        detail::ParamTable<Settings>("dac")
            .choice<Variant>("variant", &Settings::variant, "Variant",
                             "compressor.py methods: entropy only or fused, single pass or "
                             "dynamic, and the consecutive-deletion limit (_wosucce)",
                             {{"ppl", Variant::Ppl},
                              {"attn_ppl", Variant::AttnPpl},
                              {"dynamic_ppl", Variant::DynamicPpl},
                              {"dynamic_attn_ppl", Variant::DynamicAttnPpl},
                              {"dynamic_attn_ppl_wosucce", Variant::DynamicAttnPplWosucce}})
            .choice<bool>("fusion", &Settings::multiplicative, "Fusion",
                          "additive: α·attention + (1−α)·entropy after min-max normalisation; "
                          "multiplicative: raw product",
                          {{"additive", false}, {"multiplicative", true}})
            .number("alpha", &Settings::alpha, "Attention weight α",
                    "weight of the attention term in the additive fusion (default 0.8)", 0, 1, 0.05)
            .number("stages", &Settings::stages, "Stages T",
                    "removal stages of the dynamic variants; 0 = min(max(1, n/100), 15)", 0, 100, 1)
            .flag("preserve_punct", &Settings::preservePunct, "Preserve punctuation",
                  "never remove tokens that are pure punctuation")
            .choice<WordAggregation>("word_score", &Settings::wordScore, "Word score",
                                     "Corrected mode: a word's fused score from its tokens' (mean, "
                                     "max, sum or first); whole words are removed per stage",
                                     {{"mean", WordAggregation::Mean},
                                      {"max", WordAggregation::Max},
                                      {"sum", WordAggregation::Sum},
                                      {"first", WordAggregation::First}})
            .attentionBaseline(&Settings::distanceBaseline)
            .questionFocus(&Settings::questionFocus);
    return table;
}

// Per-position scores of one forward over the current sequence.
struct Forward {
    std::vector<float> info; // I_t: -log p(x_t | x_<t), NaN at t = 0
    std::vector<float>
        attention; // s_t (Reference: column sums / (L*H - 1); Corrected: causal means)
};

Result<Forward> runForward(const Model &model, const std::vector<int> &ids, bool wantAttention,
                           CompressionMode mode, bool distanceBaseline, const JobContext &job,
                           double &forwardMs)
{
    ScoreRequest req;
    req.wantEntropy = false;
    const bool corrected = wantAttention && mode == CompressionMode::Corrected;
    req.wantLayerColumnSums = wantAttention && mode == CompressionMode::Reference;
    req.wantCausalColumnMeans = corrected && !distanceBaseline;
    req.wantAttentionLift = corrected && distanceBaseline;
    auto r = model.score({ids}, req, job);
    if (!r)
        return r.error();
    forwardMs += r->seconds * 1000.0;
    const auto &seq = r->sequences[0];
    const std::size_t n = ids.size();
    Forward f;
    f.info = seq.surprisal;
    if (!wantAttention)
        return f;
    const int L = r->layers;
    f.attention.assign(n, 0.0f);
    if (mode == CompressionMode::Reference) {
        // compressor.py 122-133: column sums over every layer, head and query, divided by the
        // off-by-one matrix counter L*H - 1 (guarded against 0 for a 1-layer 1-head model).
        const float matrixNum = static_cast<float>(std::max(1, L * r->heads - 1));
        for (int l = 0; l < L; ++l)
            for (std::size_t k = 0; k < n; ++k)
                f.attention[k] += seq.layerColumnSums[static_cast<std::size_t>(l) * n + k];
        for (auto &v : f.attention)
            v /= matrixNum;
    } else {
        // Attention received per query that can see the key (or over its distance baseline),
        // averaged over layers.
        const auto &perLayer = distanceBaseline ? seq.attentionLift : seq.causalColumnMeans;
        for (int l = 0; l < L; ++l)
            for (std::size_t k = 0; k < n; ++k)
                f.attention[k] +=
                    perLayer[static_cast<std::size_t>(l) * n + k] / static_cast<float>(L);
    }
    return f;
}

// compressor.py 186-197: a token that decodes to pure punctuation (^\s*[^\w\s]+\s*$) or a special
// token.
bool isPunctuationToken(const Tokenizer &tokenizer, int id)
{
    if (tokenizer.isSpecial(id))
        return true;
    auto text = tokenizer.decode({id});
    if (!text)
        return false;
    std::size_t b = 0, e = text->size();
    while (b < e && std::isspace(static_cast<unsigned char>((*text)[b])))
        ++b;
    while (e > b && std::isspace(static_cast<unsigned char>((*text)[e - 1])))
        --e;
    if (b == e)
        return false;
    for (std::size_t i = b; i < e; ++i) {
        const unsigned char c = static_cast<unsigned char>((*text)[i]);
        // Non-ASCII bytes count as word characters (Python's \w matches letters of any script).
        if (c >= 0x80 || std::isalnum(c) || c == '_' || std::isspace(c))
            return false;
    }
    return true;
}

// compressor.py 272-284: inside each run of adjacent deleted positions, restore every second one.
std::vector<bool> consecutiveRestore(const std::vector<int> &deleted)
{
    std::vector<bool> mask(deleted.size(), false);
    for (std::size_t i = 1; i < deleted.size(); ++i)
        mask[i] = deleted[i] - deleted[i - 1] == 1;
    for (std::size_t i = 1; i < mask.size(); ++i)
        if (mask[i - 1])
            mask[i] = false;
    return mask;
}

using detail::kNaN;

// The fused score M per position of the current sequence (compressor.py 156-168): entropy only, or
// with the attention term added after min-max normalisation (alpha) or multiplied; position 0 is
// never scored (NaN). `attnSeries` receives the attention per position (NaN at 0) when the variant
// uses attention.
std::vector<float> fusedScores(const Settings &cfg, const Forward &f,
                               std::vector<float> &attnSeries)
{
    const std::size_t n = f.info.size();
    std::vector<float> fused(n, kNaN);
    if (n == 0)
        return fused;
    std::vector<float> info(f.info.begin() + 1, f.info.end());
    if (!cfg.attention()) {
        std::copy(info.begin(), info.end(), fused.begin() + 1);
        return fused;
    }
    std::vector<float> attn(f.attention.begin() + 1, f.attention.end());
    attnSeries = f.attention;
    attnSeries[0] = kNaN;
    if (cfg.multiplicative) {
        for (std::size_t i = 0; i < info.size(); ++i)
            fused[i + 1] = info[i] * attn[i];
    } else {
        const auto in = detail::minMaxNormalise(info), an = detail::minMaxNormalise(attn);
        const float a = static_cast<float>(cfg.alpha);
        for (std::size_t i = 0; i < info.size(); ++i)
            fused[i + 1] = a * an[i] + (1.0f - a) * in[i];
    }
    return fused;
}

// DAC's consecutive-deletion limit (_wosucce) on whole words within the stage's budget: removes the
// lowest-scored free words whose neighbouring words both stay; relaxes the limit only when the rate
// cannot be met otherwise. With `measure` the count applied is chosen on the measured text. Writes
// sel.keep; true when the limit was relaxed.
bool limitConsecutiveWords(const detail::WordLayer &layer,
                           const std::vector<detail::Decision> &state,
                           const std::vector<float> &wordScore, const std::vector<int> &wordCost,
                           long target,
                           const std::function<long(const std::vector<char> &)> &measure,
                           detail::Selection &sel)
{
    bool relaxed = false;
    // Consecutive-word limit within the budget: remove the lowest-scored free words whose
    // neighbouring words both stay; relax the limit only when the rate cannot be met otherwise.
    std::vector<int> freeWords;
    long keptCost = 0;
    for (int g = 0; g < layer.size(); ++g) {
        if (state[static_cast<std::size_t>(g)] == detail::Decision::Free)
            freeWords.push_back(g);
        if (state[static_cast<std::size_t>(g)] != detail::Decision::Drop)
            keptCost += wordCost[static_cast<std::size_t>(g)];
    }
    std::stable_sort(freeWords.begin(), freeWords.end(), [&](int a, int b) {
        const float x = wordScore[static_cast<std::size_t>(a)],
                    y = wordScore[static_cast<std::size_t>(b)];
        if (std::isnan(x) != std::isnan(y))
            return std::isnan(x);
        return !std::isnan(x) && x < y;
    });
    std::vector<char> keepW(static_cast<std::size_t>(layer.size()), 0);
    for (int g = 0; g < layer.size(); ++g)
        keepW[static_cast<std::size_t>(g)] =
            state[static_cast<std::size_t>(g)] != detail::Decision::Drop;
    auto gone = [&](int g) {
        return g >= 0 && g < layer.size() && !keepW[static_cast<std::size_t>(g)];
    };
    // The words' own costs can differ from the measured text: on the last stage, plan on their
    // scale (the measured count of the words still alive vs their cost sum).
    long planTarget = target;
    if (measure) {
        std::vector<char> aliveW(static_cast<std::size_t>(layer.size()), 0);
        for (int g = 0; g < layer.size(); ++g)
            aliveW[static_cast<std::size_t>(g)] =
                state[static_cast<std::size_t>(g)] != detail::Decision::Drop;
        const long m = measure(aliveW);
        if (m > 0)
            planTarget = std::lround(static_cast<double>(target) * static_cast<double>(keptCost) /
                                     static_cast<double>(m));
    }
    // The deletions in order; on the last stage they continue past the plan so that the count
    // applied can be chosen on the measured text.
    const long stopAt =
        measure ? std::max(0L, planTarget - std::max(2L, planTarget / 10)) : planTarget;
    std::vector<std::pair<int, bool>> deletions; // word, relaxes the limit
    for (int pass = 0; pass < 2 && keptCost > stopAt; ++pass)
        for (int g : freeWords) {
            if (keptCost <= stopAt)
                break;
            if (!keepW[static_cast<std::size_t>(g)])
                continue;
            if (pass == 0 && (gone(g - 1) || gone(g + 1)))
                continue;
            keepW[static_cast<std::size_t>(g)] = 0;
            keptCost -= wordCost[static_cast<std::size_t>(g)];
            deletions.push_back({g, pass == 1});
        }
    std::size_t applied = deletions.size();
    if (measure) {
        auto keepAfter = [&](std::size_t d) {
            std::vector<char> k = keepW;
            for (std::size_t j = d; j < deletions.size(); ++j)
                k[static_cast<std::size_t>(deletions[j].first)] = 1;
            return k;
        };
        // The measured text shrinks with each deletion: the first count at or below the target,
        // or the one before it when closer.
        std::size_t lo = 0, hi = deletions.size();
        while (lo < hi) {
            const std::size_t mid = lo + (hi - lo) / 2;
            if (measure(keepAfter(mid)) > target)
                lo = mid + 1;
            else
                hi = mid;
        }
        applied = lo;
        if (applied > 0 && std::abs(measure(keepAfter(applied - 1)) - target) <
                               std::abs(measure(keepAfter(applied)) - target))
            --applied;
        keepW = keepAfter(applied);
    }
    for (std::size_t j = 0; j < applied; ++j)
        relaxed = relaxed || deletions[j].second;
    sel.keep = keepW;
    return relaxed;
}

} // namespace

std::string DacCompressor::description() const
{
    return "Fuses accumulated attention with per-token information and removes tokens in stages, "
           "re-running the model after each stage (DAC, ACL 2025).";
}

std::vector<OptionSpec> DacCompressor::options() const
{
    return dacParams().specs();
}

Result<CompressionResult>
DacCompressor::compress(const Prompt &prompt, const CompressOptions &options, const JobContext &job)
{
    const auto t0 = std::chrono::steady_clock::now();
    auto start =
        detail::startModelMethod(name(), prompt, options, dacParams(), DefaultModel::CausalLM);
    if (!start)
        return start.error();
    const Settings &cfg = start->params;
    const Model &model = start->model->model;
    const Tokenizer &tokenizer = start->model->tokenizer;

    CompressionResult r = detail::newResult(name(), prompt, options, "token", start->model->path);
    auto seqOr = detail::buildTokenSequence(prompt, tokenizer, r.units);
    if (!seqOr)
        return seqOr.error();
    const detail::TokenSequence &seq = *seqOr;
    detail::applyPins(r.units, options.pinned);
    const bool reference = options.mode == CompressionMode::Reference;
    const int n0 = static_cast<int>(seq.ids.size());
    const int nUnits = static_cast<int>(r.units.size());

    const int T =
        cfg.dynamic() ? (cfg.stages > 0 ? cfg.stages : std::min(std::max(1, n0 / 100), 15)) : 1;
    // Reference: compress_ratio R is the removed fraction; the dynamic stages remove
    // r = 1 - (1 - R)^(1/T) each, flooring k every time (compressor.py 360).
    const double keepRate =
        options.targetTokens >= 0
            ? std::min(1.0, static_cast<double>(options.targetTokens) / std::max(1, nUnits))
            : options.rate;
    // The caller's keep rate is the reference's (1 - R), computed once, so the float operations
    // match.
    const double stageKeep = cfg.dynamic() ? 1.0 - (1.0 - std::pow(keepRate, 1.0 / T)) : keepRate;
    // Corrected: whole words; the budget is counted in the target tokenizer and compounded
    // geometrically over the stages, the last stage measured on the compressed text.
    std::optional<detail::WordLayer> layer;
    std::vector<int> wordCost;
    std::vector<detail::Decision> wordState;
    std::vector<char> wordAlive;
    long totalIn = 0, finalTarget = 0, finalCount = -1; // finalCount: the last stage's, measured
    bool counted = false, unreachable = false;
    detail::QuestionFocus focus; // corrected mode, a prompt with a question
    if (!reference) {
        layer = detail::WordLayer::build(r);
        wordCost = layer->costs(r, options.targetTokenizer);
        wordState = layer->states(r);
        wordAlive.assign(static_cast<std::size_t>(layer->size()), 1);
        totalIn = options.targetTokenizer.empty()
                      ? -1
                      : detail::countTargetTokens(options.targetTokenizer, prompt.joined());
        counted = totalIn >= 0;
        if (!counted)
            totalIn = std::accumulate(wordCost.begin(), wordCost.end(), 0L);
        finalTarget = options.targetTokens >= 0
                          ? options.targetTokens
                          : std::lround(options.rate * static_cast<double>(totalIn));
        // The first token has no surprisal and the reference always keeps it: its word comes first.
        if (int u0 = seq.unitOf.empty() ? -1 : seq.unitOf[0]; u0 >= 0)
            if (int g = layer->groupOf(u0);
                g >= 0 && wordState[static_cast<std::size_t>(g)] == detail::Decision::Free)
                wordState[static_cast<std::size_t>(g)] = detail::Decision::Priority;
        if (cfg.questionFocus) {
            focus = detail::QuestionFocus::plan(r, *layer, wordState, wordCost, finalTarget,
                                                keepRate, detail::rankingVectors(options).get());
            focus.applyStates(wordState);
        }
    }
    double wordThreshold = std::numeric_limits<double>::infinity();

    std::vector<bool> punct(static_cast<std::size_t>(n0), false);
    if (cfg.preservePunct)
        for (int p = 0; p < n0; ++p)
            punct[static_cast<std::size_t>(p)] =
                isPunctuationToken(tokenizer, seq.ids[static_cast<std::size_t>(p)]);

    std::vector<int> alive(static_cast<std::size_t>(n0)); // positions still in the sequence
    std::iota(alive.begin(), alive.end(), 0);
    std::vector<int> ids = seq.ids;
    // Progress counts T + 1 forwards: the first, then one per stage (a long prompt's windows fill
    // each step).
    auto fwd = runForward(model, ids, cfg.attention(), options.mode, cfg.distanceBaseline,
                          job.scaled(0, 1, T + 1, "DAC stage"), r.forwardMs);
    if (!fwd)
        return fwd.error();
    auto unitSeries = [&](const std::vector<int> &at, const std::vector<float> &values) {
        std::vector<float> out(static_cast<std::size_t>(nUnits), kNaN);
        for (std::size_t i = 0; i < at.size() && i < values.size(); ++i)
            if (int u = seq.unitOf[static_cast<std::size_t>(at[i])]; u >= 0)
                out[static_cast<std::size_t>(u)] = values[i];
        return out;
    };
    bool limitRelaxed = false;
    std::vector<bool> gone(static_cast<std::size_t>(n0),
                           false); // original positions deleted so far
    // The text, counts and rates of the units' current decisions (the final result, and each
    // partial one).
    auto finish = [&](CompressionResult &x) {
        if (reference) {
            finalizeResult(x);
            // Token units: the text is the decode of the kept ids (the reference's output), a
            // subsequence of the input.
            x.compressedText = detail::keptTokenText(x);
            detail::countTargetTokens(x, prompt, options.targetTokenizer);
        } else {
            layer->apply(x, wordAlive);
            x.targetTokensIn = counted ? totalIn : -1;
            x.targetTokensOut =
                counted ? detail::countTargetTokens(options.targetTokenizer, x.compressedText) : -1;
            updateAchievedRate(x);
        }
    };

    for (int stage = 0; stage < T; ++stage) {
        if (job.isCancelled())
            return fail(ErrorCode::Cancelled, "compression cancelled");
        job.report(stage + 1, T + 1, "DAC stage");
        const std::size_t n = alive.size();
        const Forward &f = *fwd;
        std::vector<float> attnSeries;
        const std::vector<float> fused = fusedScores(cfg, f, attnSeries);
        std::vector<float> ranked = fused; // fused plus the punctuation and pin adjustments
        std::vector<int> fixedState(n, 0); // 1 forced keep, -1 forced drop, 0 free
        fixedState[0] = 1;
        for (std::size_t i = 0; i < n; ++i) {
            const int pos = alive[i];
            const int u = seq.unitOf[static_cast<std::size_t>(pos)];
            if (u < 0)
                fixedState[i] = 1;
            else if (r.units[static_cast<std::size_t>(u)].forced)
                fixedState[i] = r.units[static_cast<std::size_t>(u)].kept ? 1 : -1;
            if (i > 0 && punct[static_cast<std::size_t>(pos)])
                ranked[i] +=
                    (reference && cfg.consecutiveLimit() ? -1e5f : 1e5f); // _wosucce's sign quirk
        }

        std::vector<bool> keep(n, false);
        std::vector<float> restored;
        if (reference) {
            const long m = static_cast<long>(n) - 1;
            keep.assign(n, true);
            if (stageKeep < 1.0 && m > 0) {
                const long k = std::max(1L, static_cast<long>(static_cast<double>(m) * stageKeep));
                std::vector<int> order(static_cast<std::size_t>(m));
                std::iota(order.begin(), order.end(), 1);
                std::stable_sort(order.begin(), order.end(),
                                 [&](int a, int b) { return ranked[a] > ranked[b]; });
                keep.assign(n, false);
                keep[0] = true;
                for (long j = 0; j < std::min(k, m); ++j)
                    keep[static_cast<std::size_t>(order[static_cast<std::size_t>(j)])] = true;
                if (cfg.consecutiveLimit()) {
                    std::vector<int> deleted;
                    for (std::size_t i = 1; i < n; ++i)
                        if (!keep[i])
                            deleted.push_back(static_cast<int>(i));
                    const auto back = consecutiveRestore(deleted);
                    restored.assign(static_cast<std::size_t>(nUnits), kNaN);
                    for (std::size_t j = 0; j < deleted.size(); ++j) {
                        if (back[j])
                            keep[static_cast<std::size_t>(deleted[j])] = true;
                        if (int u = seq.unitOf[static_cast<std::size_t>(
                                alive[static_cast<std::size_t>(deleted[j])])];
                            u >= 0)
                            restored[static_cast<std::size_t>(u)] = back[j] ? 1.0f : 0.0f;
                    }
                }
            }
            for (std::size_t i = 0; i < n; ++i)
                if (fixedState[i] != 0)
                    keep[i] = fixedState[i] > 0;
        } else {
            // Whole words per stage: stage j keeps ~totalIn * (K/totalIn)^((j+1)/T) target tokens.
            std::vector<float> unitRanked(static_cast<std::size_t>(nUnits), kNaN);
            for (std::size_t i = 1; i < n; ++i)
                if (int u = seq.unitOf[static_cast<std::size_t>(alive[i])]; u >= 0)
                    unitRanked[static_cast<std::size_t>(u)] = ranked[i];
            std::vector<float> wordScore = layer->aggregate(unitRanked, cfg.wordScore);
            focus.applyKeys(wordScore);
            std::vector<detail::Decision> state = wordState;
            for (std::size_t g = 0; g < state.size(); ++g)
                if (!wordAlive[g])
                    state[g] = detail::Decision::Drop;
            const bool last = stage == T - 1;
            // Every stage is measured on the text it leaves (word costs alone drift from the real
            // count).
            const double keepShare =
                std::min(1.0, static_cast<double>(finalTarget) / std::max(1L, totalIn));
            long target =
                last ? finalTarget
                     : std::lround(static_cast<double>(totalIn) *
                                   std::pow(keepShare, static_cast<double>(stage + 1) / T));
            target = std::max(target, 0L);
            std::function<long(const std::vector<char> &)> measure;
            if (counted)
                measure = [&](const std::vector<char> &k) {
                    return detail::countTargetTokens(options.targetTokenizer, layer->render(r, k));
                };
            detail::Selection sel =
                detail::selectToBudget(wordScore, state, wordCost, target,
                                       std::max(1L, detail::rateTolerance(totalIn) - 1), measure);
            if (cfg.consecutiveLimit())
                limitRelaxed |=
                    limitConsecutiveWords(*layer, state, wordScore, wordCost, target, measure, sel);
            if (last) {
                unreachable = !sel.reachable;
                if (measure)
                    finalCount = sel.cost = measure(sel.keep);
                wordThreshold = sel.threshold;
            }
            for (std::size_t g = 0; g < wordAlive.size(); ++g)
                wordAlive[g] = sel.keep[g];
            for (std::size_t i = 0; i < n; ++i) {
                const int u = seq.unitOf[static_cast<std::size_t>(alive[i])];
                const int g = u >= 0 ? layer->groupOf(u) : -1;
                keep[i] = g < 0 ? true : sel.keep[static_cast<std::size_t>(g)] != 0;
            }
        }

        Stage st;
        st.name = T > 1 ? "stage " + std::to_string(stage + 1) : "single pass";
        std::vector<int> next, nextIds;
        float lowestKept = std::numeric_limits<float>::infinity();
        for (std::size_t i = 0; i < n; ++i) {
            if (keep[i]) {
                next.push_back(alive[i]);
                nextIds.push_back(ids[i]);
                if (i > 0 && fixedState[i] == 0)
                    lowestKept = std::min(lowestKept, fused[i]);
            } else if (int u = seq.unitOf[static_cast<std::size_t>(alive[i])]; u >= 0) {
                st.removedUnits.push_back(u);
                r.units[static_cast<std::size_t>(u)].kept = false;
                r.units[static_cast<std::size_t>(u)].stage = T > 1 ? stage : -1;
            }
        }
        st.scores.push_back({"entropy_before", unitSeries(alive, f.info)});
        if (cfg.attention())
            st.scores.push_back({"attention", unitSeries(alive, attnSeries)});
        st.scores.push_back({"fused", unitSeries(alive, fused)});
        if (!restored.empty())
            st.scores.push_back({"restored", restored});
        if (reference && std::isfinite(lowestKept))
            st.thresholds.push_back({"fused", lowestKept, "lowest kept score"});
        if (stage == 0) {
            r.scores = st.scores;
            r.scores[0].name = "entropy";
            r.thresholds = st.thresholds;
        }
        // Re-forward the compressed sequence: the next stage's scores and this stage's entropy
        // shift.
        const bool needAttention = cfg.attention() && stage + 1 < T;
        fwd = runForward(model, nextIds, needAttention, options.mode, cfg.distanceBaseline,
                         job.scaled(stage + 1, 1, T + 1, "DAC stage"), r.forwardMs);
        if (!fwd)
            return fwd.error();
        st.scores.push_back({"entropy_after", unitSeries(next, fwd->info)});
        r.stages.push_back(std::move(st));
        alive = std::move(next);
        ids = std::move(nextIds);
        if (stage + 1 < T &&
            job.wantsPartial()) { // the stages so far, while the next ones run (issue 20)
            CompressionResult partial = r;
            finish(partial);
            partial.totalMs = detail::msSince(t0);
            job.reportPartial(partial, stage + 1, T);
        }
    }
    // Corrected: the stages compound the budget and a stage can only delete, so a stage that
    // dropped a long atom (a URL) could leave the text short of the target beyond the tolerance (71
    // of 74 target tokens at 0.8). Then words the stages dropped come back, the last stage's first
    // and shorter first, while the measured text fits the target.
    const long tolerance = std::max(1L, detail::rateTolerance(totalIn) - 1);
    if (!reference && finalCount >= 0 && finalTarget - finalCount > tolerance) {
        std::vector<int> droppedAt(static_cast<std::size_t>(layer->size()), -1);
        for (std::size_t u = 0; u < r.units.size(); ++u)
            if (const int g = layer->groupOf(static_cast<int>(u));
                g >= 0 && !r.units[u].kept &&
                wordState[static_cast<std::size_t>(g)] != detail::Decision::Drop)
                droppedAt[static_cast<std::size_t>(g)] =
                    std::max(droppedAt[static_cast<std::size_t>(g)],
                             std::max(0, r.units[u].stage)); // -1: the single pass
        std::vector<int> candidates;
        for (int g = 0; g < layer->size(); ++g)
            if (droppedAt[static_cast<std::size_t>(g)] >= 0)
                candidates.push_back(g);
        std::stable_sort(candidates.begin(), candidates.end(), [&](int a, int b) {
            const auto x = static_cast<std::size_t>(a), y = static_cast<std::size_t>(b);
            return droppedAt[x] != droppedAt[y] ? droppedAt[x] > droppedAt[y]
                                                : wordCost[x] < wordCost[y];
        });
        long now = finalCount;
        int tries = 0;
        for (int g : candidates) {
            if (finalTarget - now <= tolerance || ++tries > 64)
                break;
            wordAlive[static_cast<std::size_t>(g)] = 1; // what finish() applies
            const long m =
                detail::countTargetTokens(options.targetTokenizer, layer->render(r, wordAlive));
            if (m > finalTarget) {
                wordAlive[static_cast<std::size_t>(g)] = 0;
                continue;
            }
            now = m;
            for (int u : layer->groups()[static_cast<std::size_t>(g)].units) {
                Unit &unit = r.units[static_cast<std::size_t>(u)];
                const auto at = static_cast<std::size_t>(std::max(0, unit.stage));
                if (at < r.stages.size()) {
                    auto &removed = r.stages[at].removedUnits;
                    removed.erase(std::remove(removed.begin(), removed.end(), u), removed.end());
                }
                unit.stage = -1; // kept in the end (finish() sets `kept`)
            }
        }
    }
    if (limitRelaxed)
        r.warnings.push_back({"consecutive_limit_relaxed",
                              "the requested rate needs adjacent deletions: the consecutive-token "
                              "limit was relaxed for the lowest-scored tokens"});
    if (reference && !options.pinned.empty())
        r.warnings.push_back({"reference_with_pins",
                              "pinned spans are outside the reference algorithm: the pinned "
                              "decisions override its selection"});
    // The question focus comes first in the trace; the stages' indices move up by one.
    if (focus.addStage(r, 0))
        for (Unit &u : r.units)
            if (u.stage >= 0)
                ++u.stage;
    finish(r);
    if (!reference) {
        if (std::isfinite(wordThreshold))
            r.thresholds = {{"fused", wordThreshold, "lowest kept word score"}};
        if (unreachable)
            r.warnings.push_back({"rate_unreachable", "the pinned, instruction and question text "
                                                      "is longer than the requested rate allows"});
    }
    r.totalMs = detail::msSince(t0);
    job.report(T, T, "done");
    return r;
}

} // namespace terse
