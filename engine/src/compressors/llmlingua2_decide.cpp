// LLMLingua-2's decision from the cached per-unit series (algorithms.md 1.5 steps 6-10): the
// context-level filter, the per-chunk (reference) or global (corrected) threshold, and the
// question-aware coarse ranking's series. Shared by compress() and rethreshold().
#include "compressors/llmlingua2_impl.h"

#include "compressors/budget.h"
#include "compressors/common.h"
#include "compressors/context_rank.h"
#include "models/model_context.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

namespace terse::detail::lingua2 {

using detail::kNaN;

namespace {

double percentile(std::vector<double> v, double q)
{
    return detail::numpyPercentile(std::move(v), q);
}

std::string pyStrip(const std::string &s)
{
    std::size_t b = 0, e = s.size();
    while (b < e && isPyspace(s[b]))
        ++b;
    while (e > b && isPyspace(s[e - 1]))
        --e;
    return s.substr(b, e - b);
}

} // namespace

std::string wordText(const CompressionResult &r, std::size_t i, const std::vector<float> &off,
                     const std::vector<float> &bytes)
{
    const Unit &u = r.units[i];
    return r.segments[u.segment].text.substr(u.span.begin + static_cast<std::size_t>(off[i]),
                                             static_cast<std::size_t>(bytes[i]));
}

Result<void> decide(CompressionResult &r, const CompressOptions &o, const Params &p)
{
    const auto *prob = detail::unitValues(r, kProb);
    const auto *probNf = detail::unitValues(r, kProbNoForce);
    const auto *force = detail::unitValues(r, kForce);
    const auto *chunk = detail::unitValues(r, kChunk);
    const auto *ttok = detail::unitValues(r, kTargetTokens);
    const auto *off = detail::unitValues(r, kWordOffset);
    const auto *bytes = detail::unitValues(r, kWordBytes);
    const auto *prot = detail::unitValues(r, kProtected);
    if (!prob || !probNf || !force || !chunk || !ttok || !off || !bytes || !prot)
        return fail(ErrorCode::InvalidArgument,
                    "the cached llmlingua2 result lacks its per-word scores");
    const bool reference = o.mode == CompressionMode::Reference;
    const std::size_t n = r.units.size();
    for (std::size_t i = 0; i < n; ++i) {
        Unit &u = r.units[i];
        const bool nonContext = r.segments[u.segment].role != SegmentRole::Context;
        u.kept = true;
        u.stage = -1;
        u.forced = nonContext; // protected spans: kept first by the corrected selection (priority)
    }
    if (!reference)
        detail::applyPins(r.units, o.pinned);
    r.stages.clear();
    r.thresholds.clear();
    r.warnings.erase(
        std::remove_if(r.warnings.begin(), r.warnings.end(),
                       [](const Warning &w) { return w.code == "context_filter_budget"; }),
        r.warnings.end());

    auto isModel = [&](std::size_t i) { return !std::isnan((*chunk)[i]); };
    std::vector<int> contexts; // segment indices compressed as contexts
    for (int s = 0; s < static_cast<int>(r.segments.size()); ++s)
        if (r.segments[s].role == SegmentRole::Context)
            contexts.push_back(s);
    std::vector<long> contextTokens(r.segments.size(), 0);
    long nOriginal = 0;
    for (int s : contexts) {
        contextTokens[s] = detail::countTargetTokens(o.targetTokenizer, r.segments[s].text);
        nOriginal += std::max(0L, contextTokens[s]);
    }

    double rate = o.rate;
    const long targetToken = o.targetTokens;
    std::vector<bool> contextKept(r.segments.size(), true);
    // Context-level filter (1.5 step 10); a single context never runs it.
    if (p.contextFilter && contexts.size() > 1) {
        double clr = p.contextLevelRate;
        long clt = p.contextLevelTargetToken;
        if (p.targetContext <= 0 && clr >= 1.0 && clt <= 0) {
            if (targetToken < 0 && rate < 1.0)
                clr = (rate + 1.0) / 2; // the default gotcha: rate 0.5 drops ~25% of the contexts
            if (targetToken >= 0)
                clt = targetToken * 2;
        }
        if (p.targetContext >= 0)
            clr = std::min(
                static_cast<double>(p.targetContext) / static_cast<double>(contexts.size()), 1.0);
        if (clt >= 0)
            clr = std::min(static_cast<double>(clt) / static_cast<double>(std::max(1L, nOriginal)),
                           1.0);
        // Context score: mean of the no-force word probabilities (first-subword quirk, 1.5 step
        // 11), or with coarse_rank LongLLMLingua's question-aware score (algorithms.md section 8,
        // LLMLingua issues #162/#203).
        const auto *rank = p.coarseRank() ? detail::unitValues(r, kContextRank) : nullptr;
        std::vector<double> scores;
        for (int s : contexts) {
            if (rank) {
                double v = -1e30;
                for (std::size_t i = 0; i < n; ++i)
                    if (r.units[i].segment == s && !std::isnan((*rank)[i]))
                        v = (*rank)[i];
                scores.push_back(v);
                continue;
            }
            double sum = 0;
            long cnt = 0;
            for (std::size_t i = 0; i < n; ++i)
                if (r.units[i].segment == s && isModel(i)) {
                    sum += (*probNf)[i];
                    ++cnt;
                }
            scores.push_back(cnt ? sum / static_cast<double>(cnt) : 0.0);
        }
        const double gamma = percentile(scores, std::floor(100.0 * (1.0 - clr)));
        Stage st;
        st.name = rank ? "coarse ranking" : "context filter";
        const char *scoreName = rank ? "context_rank_score" : "context_probability";
        st.thresholds.push_back({scoreName, gamma, "context-level percentile"});
        ScoreSeries cs{scoreName, std::vector<float>(n, kNaN)};
        for (std::size_t c = 0; c < contexts.size(); ++c) {
            const int s = contexts[c];
            const bool forced = std::find(p.forceContextIds.begin(), p.forceContextIds.end(),
                                          static_cast<int>(c)) != p.forceContextIds.end();
            contextKept[s] = scores[c] >= gamma || forced;
            for (std::size_t i = 0; i < n; ++i) {
                if (r.units[i].segment != s)
                    continue;
                cs.values[i] = static_cast<float>(scores[c]);
                if (!contextKept[s] && !(r.units[i].forced && r.units[i].kept && !reference)) {
                    r.units[i].kept = false;
                    r.units[i].forced = true;
                    r.units[i].stage = 0;
                    st.removedUnits.push_back(static_cast<int>(i));
                }
            }
        }
        st.scores.push_back(std::move(cs));
        r.stages.push_back(std::move(st));
        if (targetToken >= 0) {
            // n_reserved_token counts the chunk strings ([NEWi] spelled out) of the kept contexts.
            long reserved = 0;
            for (std::size_t i = 0; i < n; ++i)
                if (isModel(i) && contextKept[r.units[i].segment])
                    reserved +=
                        (*force)[i] >= 2.f
                            ? detail::countTargetTokens(
                                  o.targetTokenizer,
                                  "[NEW" + std::to_string(static_cast<int>((*force)[i]) - 2) + "]")
                            : static_cast<long>((*ttok)[i]);
            rate = std::min(static_cast<double>(targetToken) /
                                static_cast<double>(std::max(1L, reserved)),
                            1.0);
        }
    } else if (targetToken > 0) {
        rate = std::min(
            static_cast<double>(targetToken) / static_cast<double>(std::max(1L, nOriginal)), 1.0);
    }
    const double reduce = std::max(0.0, 1.0 - rate);
    const int tokenStage = static_cast<int>(r.stages.size());

    std::vector<float> probs(prob->begin(), prob->end());
    auto isForceWord = [&](std::size_t i) { return (*force)[i] >= 1.f; };
    // drop_consecutive (1.5 step 8): a force word repeating the previous one with no word above γ′
    // between.
    auto dropConsecutive = [&](const std::vector<std::size_t> &idx) {
        std::vector<double> wp;
        for (std::size_t i : idx)
            wp.push_back(probs[i]);
        const double g = percentile(wp, static_cast<double>(static_cast<int>(100 * reduce)));
        bool between = false;
        std::string prev;
        bool havePrev = false;
        for (std::size_t i : idx) {
            if (isForceWord(i)) {
                const std::string w = wordText(r, i, *off, *bytes);
                if (between)
                    between = false;
                else if (havePrev && w == prev)
                    probs[i] = 0.f;
                prev = w;
                havePrev = true;
            } else {
                between |= probs[i] > g;
            }
        }
    };

    if (reference) {
        // Group model words of kept contexts by chunk; everything else is dropped (skipped
        // specials).
        std::map<int, std::vector<std::size_t>> byChunk;
        for (std::size_t i = 0; i < n; ++i) {
            if (r.segments[r.units[i].segment].role != SegmentRole::Context)
                continue;
            if (!isModel(i)) {
                r.units[i].kept = false;
                continue;
            }
            if (contextKept[r.units[i].segment])
                byChunk[static_cast<int>((*chunk)[i])].push_back(i);
        }
        std::vector<std::string> compressed(r.segments.size());
        Stage st;
        st.name = "token filter (per chunk)";
        for (auto &[c, idx] : byChunk) {
            std::vector<std::string> keepWords;
            if (reduce <= 0) {
                for (std::size_t i : idx)
                    keepWords.push_back(wordText(r, i, *off, *bytes));
            } else {
                if (p.dropConsecutive)
                    dropConsecutive(idx);
                // γ = percentile of P_w repeated once per target token of the word, q =
                // int(100·reduce + 1).
                std::vector<double> expanded;
                for (std::size_t i : idx)
                    expanded.insert(expanded.end(), static_cast<std::size_t>((*ttok)[i]), probs[i]);
                const double gamma = expanded.empty()
                                         ? 1.0
                                         : percentile(expanded, static_cast<int>(100 * reduce + 1));
                st.thresholds.push_back({kProb, gamma, "chunk " + std::to_string(c)});
                for (std::size_t i : idx) {
                    const double pw = probs[i];
                    const bool keep = pw > gamma || (gamma == 1.0 && pw == gamma);
                    const std::string w = wordText(r, i, *off, *bytes);
                    if (keep && !(p.dropConsecutive && isForceWord(i) && !keepWords.empty() &&
                                  keepWords.back() == w)) {
                        keepWords.push_back(w);
                    } else {
                        r.units[i].kept = false;
                        r.units[i].stage = tokenStage;
                        st.removedUnits.push_back(static_cast<int>(i));
                    }
                }
            }
            // convert_tokens_to_string: space-joined, " ##" merged, stripped; chunks concatenate
            // with "".
            std::string joined;
            for (std::size_t k = 0; k < keepWords.size(); ++k)
                joined += (k ? " " : "") + keepWords[k];
            compressed[r.units[idx.front()].segment] += pyStrip(joined);
        }
        r.stages.push_back(std::move(st));
        r.thresholds = r.stages.back().thresholds;
        finalizeResult(r);
        std::string text;
        long outTokens = 0;
        bool anyPiece = false;
        r.segmentTexts.assign(r.segments.size(), std::string());
        for (int s = 0; s < static_cast<int>(r.segments.size()); ++s) {
            std::string piece;
            if (r.segments[s].role != SegmentRole::Context)
                piece = r.segments[s].text;
            else if (contextKept[s])
                piece = compressed[s];
            else
                continue;
            r.segmentTexts[static_cast<std::size_t>(s)] = piece;
            if (r.segments[s].role == SegmentRole::Context)
                outTokens += std::max(0L, detail::countTargetTokens(o.targetTokenizer, piece));
            text += (anyPiece ? "\n\n" : "") + piece; // contexts joined with "\n\n" (1.5 step 9)
            anyPiece = true;
        }
        r.compressedText = std::move(text);
        r.targetTokensIn = nOriginal;
        r.targetTokensOut = outTokens;
        updateAchievedRate(r);
    } else {
        std::vector<std::size_t> all;
        for (std::size_t i = 0; i < n; ++i)
            if (isModel(i) && contextKept[r.units[i].segment])
                all.push_back(i);
        if (p.dropConsecutive)
            dropConsecutive(all);
        CompressOptions budget = o;
        budget.rate = o.rate;
        std::vector<char> priority(n, 0);
        for (std::size_t i = 0; i < n; ++i)
            priority[i] = (*prot)[i] > 0.5f;
        // Words of dropped contexts come after every other word: the rate is met from the kept
        // contexts when they hold enough, and from the best of the dropped ones only when they do
        // not.
        std::vector<float> ranked = probs;
        const int coarseStage = tokenStage > 0 ? 0 : -1;
        for (std::size_t i = 0; i < n; ++i)
            if (coarseStage == 0 && r.units[i].stage == 0 && r.units[i].forced &&
                !r.units[i].kept && r.segments[r.units[i].segment].role == SegmentRole::Context) {
                r.units[i].forced = false;
                ranked[i] = std::isnan(ranked[i]) ? -2e6f : ranked[i] - 1e6f;
            }
        // Words of one atomic unit (an identifier or number the tagger split) take the strongest
        // probability.
        const double gamma =
            detail::keepToTargetBudget(r, ranked, budget, detail::WordAggregation::Max, &priority);
        if (coarseStage == 0) {
            auto &removed = r.stages[0].removedUnits;
            removed.erase(
                std::remove_if(removed.begin(), removed.end(),
                               [&](int u) { return r.units[static_cast<std::size_t>(u)].kept; }),
                removed.end());
            bool undone = false;
            for (std::size_t i = 0; i < n; ++i)
                if (r.units[i].stage == 0) {
                    if (r.units[i].kept) {
                        r.units[i].stage = -1;
                        undone = true;
                    } else {
                        r.units[i].forced = true; // still the context filter's decision
                    }
                }
            if (undone)
                r.warnings.push_back({"context_filter_undone",
                                      "the kept contexts hold less than the requested rate: "
                                      "the best words of dropped contexts were kept too"});
        }
        Stage st;
        st.name = "token filter (global)";
        for (std::size_t i = 0; i < n; ++i)
            if (!r.units[i].kept && !r.units[i].forced) {
                r.units[i].stage = tokenStage;
                st.removedUnits.push_back(static_cast<int>(i));
            }
        st.thresholds.push_back({kProb, gamma, "lowest kept probability"});
        r.thresholds = st.thresholds;
        r.stages.push_back(std::move(st));
        const long target = o.targetTokens >= 0
                                ? o.targetTokens
                                : std::lround(o.rate * static_cast<double>(r.targetTokensIn));
        if (std::abs(r.targetTokensOut - target) > std::max(2L, r.targetTokensIn / 100))
            r.warnings.push_back(
                {"context_filter_budget",
                 "the kept, protected and pinned text does not allow the requested budget (" +
                     std::to_string(r.targetTokensOut) + " of " + std::to_string(target) +
                     " tokens)"});
    }
    ScoreSeries *ps = nullptr;
    for (auto &s : r.scores)
        if (s.name == "probability_final")
            ps = &s;
    if (!ps) {
        r.scores.push_back({"probability_final", {}});
        ps = &r.scores.back();
    }
    ps->values = probs;
    r.requestedRate = o.rate;
    r.mode = o.mode;
    return {};
}

Result<std::vector<float>> contextRankSeries(const CompressionResult &r, const Params &p,
                                             bool reference, const std::string &device,
                                             const JobContext &job, double &forwardMs)
{
    std::string question;
    std::vector<int> contexts;
    for (int s = 0; s < static_cast<int>(r.segments.size()); ++s) {
        if (r.segments[s].role == SegmentRole::Question)
            question += r.segments[s].text;
        else if (r.segments[s].role == SegmentRole::Context)
            contexts.push_back(s);
    }
    if (contexts.size() < 2)
        return std::vector<float>{};
    const bool noQuestion = question.find_first_not_of(" \t\r\n") == std::string::npos;
    std::string method = p.coarseMethod;
    if (method == "auto") {
        // auto: the reference's default (no ranking) in reference mode and without a question; BM25
        // otherwise (model-free, and the bundled LM is too small for LongLLMLingua's perplexity
        // ranking).
        if (reference || noQuestion)
            return std::vector<float>{};
        method = "bm25";
    }
    if (noQuestion)
        return fail(ErrorCode::InvalidArgument, "coarse_rank " + method +
                                                    " needs a question segment to rank the "
                                                    "contexts against");
    std::vector<float> out(r.units.size(), std::numeric_limits<float>::quiet_NaN());
    if (method == "bm25" || method == "gzip") {
        // get_distance_bm25 / get_distance_gzip (prompt_compressor.py 1826-1846); higher = better
        // here, so the gzip distance is negated.
        std::vector<std::string> texts;
        for (int c : contexts)
            texts.push_back(r.segments[static_cast<std::size_t>(c)].text);
        std::vector<double> sc = method == "bm25"
                                     ? detail::bm25Scores(texts, question,
                                                          reference ? detail::TermSplit::Reference
                                                                    : detail::TermSplit::Words)
                                     : detail::gzipDistances(texts, question);
        for (std::size_t c = 0; c < contexts.size(); ++c) {
            const float v = static_cast<float>(method == "bm25" ? sc[c] : -sc[c]);
            for (std::size_t i = 0; i < r.units.size(); ++i)
                if (r.units[i].segment == contexts[c])
                    out[i] = v;
        }
        return out;
    }
    auto lm = detail::loadModelWithTokenizer(p.rankModel, DefaultModel::CausalLM,
                                             ComputeDtype::Float32, device);
    if (!lm)
        return lm.error();
    if ((*lm)->model.info().kind != ModelKind::CausalLM)
        return fail(ErrorCode::Unsupported, "rank_model '" + (*lm)->path + "' is not a causal LM");
    const Tokenizer &tok = (*lm)->tokenizer;
    const auto q = tok.encodeIds(question + detail::kRankQuestionSuffix);
    if (!q)
        return q.error();
    const int maxPos =
        (*lm)->model.info().maxPositions > 0 ? (*lm)->model.info().maxPositions : 1 << 20;
    const int bos = tok.specialIds().bos;
    for (std::size_t c = 0; c < contexts.size(); ++c) {
        if (job.isCancelled())
            return fail(ErrorCode::Cancelled, "compression cancelled");
        job.report(static_cast<long long>(c), static_cast<long long>(contexts.size()),
                   "context ranking");
        auto ctx = tok.encodeIds(r.segments[contexts[c]].text);
        if (!ctx)
            return ctx.error();
        std::vector<int> ids;
        if (bos >= 0)
            ids.push_back(bos);
        ids.insert(ids.end(), ctx->begin(), ctx->end());
        const std::size_t qStart = ids.size();
        ids.insert(ids.end(), q->begin(), q->end());
        // Too long: keep the end of the context next to the question.
        const std::size_t drop = static_cast<int>(ids.size()) > maxPos
                                     ? ids.size() - static_cast<std::size_t>(maxPos)
                                     : 0;
        std::vector<int> window(ids.begin() + static_cast<std::ptrdiff_t>(drop), ids.end());
        ScoreRequest req;
        req.wantEntropy = false;
        auto scored = (*lm)->model.score({window}, req, job);
        if (!scored)
            return scored.error();
        forwardMs += scored->seconds * 1000.0;
        const auto &sur = scored->sequences[0].surprisal;
        double sum = 0;
        long cnt = 0;
        for (std::size_t t = std::max<std::size_t>(qStart > drop ? qStart - drop : 1, 1);
             t < window.size(); ++t) {
            sum += sur[t];
            ++cnt;
        }
        const float score = cnt ? static_cast<float>(-sum / static_cast<double>(cnt)) : -1e30f;
        for (std::size_t i = 0; i < r.units.size(); ++i)
            if (r.units[i].segment == contexts[c])
                out[i] = score;
    }
    return out;
}

} // namespace terse::detail::lingua2
