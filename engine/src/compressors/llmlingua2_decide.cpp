// LLMLingua-2's decision from the cached per-unit series (algorithms.md 1.5 steps 6-10): the
// context-level filter and the per-chunk (reference) or global (corrected) threshold. Shared by
// compress() and rethreshold().
#include "compressors/llmlingua2_impl.h"

#include "compressors/budget.h"
#include "compressors/common.h"
#include "compressors/context_rank.h"
#include "models/model_context.h"

#include <algorithm>
#include <cmath>
#include <map>

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

namespace {

// One decision over the cached series, with one member function per stage of the trace:
//   reset                every unit kept (instruction and question forced), pins; the trace cleared
//   contextFilter        "context filter" / "coarse ranking" (step 10) and the token stage's rate
//   tokenFilterPerChunk  reference: "token filter (per chunk)" (steps 7-8)
//   referenceText        reference: the kept words detokenised, contexts joined (step 9)
//   tokenFilterGlobal    corrected: "token filter (global)", the rate met in target tokens
//   finalProbabilities   the probability_final series (after drop_consecutive)
class Decision {
public:
    Decision(CompressionResult &r, const CompressOptions &o, const Params &p)
        : r(r), o(o), p(p), reference(o.mode == CompressionMode::Reference), n(r.units.size())
    {
    }

    // The cached series; false when one is missing.
    bool readSeries();
    void reset();
    void contextFilter();
    void tokenFilterPerChunk();
    void referenceText();
    void tokenFilterGlobal();
    void finalProbabilities();

private:
    bool isModel(std::size_t i) const { return !std::isnan((*chunk)[i]); }
    bool isForceWord(std::size_t i) const { return (*force)[i] >= 1.f; }
    std::string word(std::size_t i) const { return wordText(r, i, *off, *bytes); }
    // The context filter's score of each context, and the rate of the token stage after it.
    std::vector<double> contextScores(const std::vector<float> *rank) const;
    void rateAfterContextFilter();
    // drop_consecutive (1.5 step 8): a force word repeating the previous one with no word above
    // γ′ between gets P = 0.
    void dropConsecutive(const std::vector<std::size_t> &idx);
    // Corrected: words of dropped contexts the budget kept leave the context filter's stage.
    void undoContextFilter();
    // Corrected, sentence_rank: the words of the kept contexts' question sentences rank above
    // every other word (best sentence first; P_w orders the words within one); adds the stage.
    void questionSentences(std::vector<float> &ranked);
    double lowestKeptProbability() const;

    CompressionResult &r;
    const CompressOptions &o;
    const Params &p;
    const bool reference;
    const std::size_t n;
    const std::vector<float> *prob = nullptr, *probNf = nullptr, *force = nullptr, *chunk = nullptr,
                             *ttok = nullptr, *off = nullptr, *bytes = nullptr, *prot = nullptr;

    std::vector<int> contexts; // segment indices compressed as contexts
    long nOriginal = 0;        // target tokens of the contexts
    double rate = 0;
    std::vector<bool> contextKept;
    double reduce = 0;
    int tokenStage = 0;
    std::vector<float> probs;            // P_w after drop_consecutive
    std::vector<std::string> compressed; // reference: the compressed text per segment
};

bool Decision::readSeries()
{
    prob = unitValues(r, kProb);
    probNf = unitValues(r, kProbNoForce);
    force = unitValues(r, kForce);
    chunk = unitValues(r, kChunk);
    ttok = unitValues(r, kTargetTokens);
    off = unitValues(r, kWordOffset);
    bytes = unitValues(r, kWordBytes);
    prot = unitValues(r, kProtected);
    return prob && probNf && force && chunk && ttok && off && bytes && prot;
}

// Every unit kept, non-context segments forced, pins (corrected mode); the previous trace cleared.
void Decision::reset()
{
    for (std::size_t i = 0; i < n; ++i) {
        Unit &u = r.units[i];
        const bool nonContext = r.segments[u.segment].role != SegmentRole::Context;
        u.kept = true;
        u.stage = -1;
        u.forced = nonContext; // protected spans: kept first by the corrected selection (priority)
    }
    if (!reference)
        applyPins(r.units, o.pinned);
    r.stages.clear();
    r.thresholds.clear();
    r.warnings.erase(
        std::remove_if(r.warnings.begin(), r.warnings.end(),
                       [](const Warning &w) { return w.code == "context_filter_budget"; }),
        r.warnings.end());
    for (int s = 0; s < static_cast<int>(r.segments.size()); ++s)
        if (r.segments[s].role == SegmentRole::Context)
            contexts.push_back(s);
    for (int s : contexts)
        nOriginal += std::max(0L, countTargetTokens(o.targetTokenizer, r.segments[s].text));
    rate = o.rate;
    contextKept.assign(r.segments.size(), true);
}

std::vector<double> Decision::contextScores(const std::vector<float> *rank) const
{
    // Mean of the no-force word probabilities (first-subword quirk, 1.5 step 11), or with
    // coarse_rank LongLLMLingua's question-aware score (algorithms.md section 8, LLMLingua issues
    // #162/#203).
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
    return scores;
}

// use_context_level_filter (1.5 step 10, prompt_compressor.py 818-922); without it a target_token
// sets the rate alone (step 11).
void Decision::contextFilter()
{
    // Context-level filter (1.5 step 10); a single context never runs it.
    const long targetToken = o.targetTokens;
    if (!p.contextFilter || contexts.size() <= 1) {
        if (targetToken > 0)
            rate = std::min(static_cast<double>(targetToken) /
                                static_cast<double>(std::max(1L, nOriginal)),
                            1.0);
        return;
    }
    double clr = p.contextLevelRate;
    long clt = p.contextLevelTargetToken;
    if (p.targetContext <= 0 && clr >= 1.0 && clt <= 0) {
        if (targetToken < 0 && rate < 1.0)
            clr = (rate + 1.0) / 2; // the default gotcha: rate 0.5 drops ~25% of the contexts
        if (targetToken >= 0)
            clt = targetToken * 2;
    }
    if (p.targetContext >= 0)
        clr = std::min(static_cast<double>(p.targetContext) / static_cast<double>(contexts.size()),
                       1.0);
    if (clt >= 0)
        clr =
            std::min(static_cast<double>(clt) / static_cast<double>(std::max(1L, nOriginal)), 1.0);
    const auto *rank = p.coarseRank() ? unitValues(r, kContextRank) : nullptr;
    const std::vector<double> scores = contextScores(rank);
    double gamma = percentile(scores, std::floor(100.0 * (1.0 - clr)));
    // Corrected mode, question-aware ranking: the best round(clr x N) contexts, ties in prompt
    // order (the percentile keeps every context tied at the threshold: with BM25, all those
    // sharing no term with the question).
    std::vector<char> topK;
    if (rank && !reference && !scores.empty()) {
        const auto keep = static_cast<std::size_t>(
            std::clamp<long>(std::lround(clr * static_cast<double>(scores.size())), 1,
                             static_cast<long>(scores.size())));
        const std::vector<int> order = rankOrder(scores, true);
        topK.assign(scores.size(), 0);
        for (std::size_t k = 0; k < keep; ++k)
            topK[static_cast<std::size_t>(order[k])] = 1;
        gamma = scores[static_cast<std::size_t>(order[keep - 1])];
    }
    Stage st;
    st.name = rank ? "coarse ranking" : "context filter";
    const char *scoreName = rank ? "context_rank_score" : "context_probability";
    st.thresholds.push_back({scoreName, gamma, "context-level percentile"});
    ScoreSeries cs{scoreName, std::vector<float>(n, kNaN)};
    for (std::size_t c = 0; c < contexts.size(); ++c) {
        const int s = contexts[c];
        const bool forced = std::find(p.forceContextIds.begin(), p.forceContextIds.end(),
                                      static_cast<int>(c)) != p.forceContextIds.end();
        contextKept[s] = (topK.empty() ? scores[c] >= gamma : topK[c] != 0) || forced;
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
    if (targetToken >= 0)
        rateAfterContextFilter();
}

// The token stage's rate after the context filter: min(target_token / n_reserved_token, 1).
void Decision::rateAfterContextFilter()
{
    // n_reserved_token counts the chunk strings ([NEWi] spelled out) of the kept contexts.
    long reserved = 0;
    for (std::size_t i = 0; i < n; ++i)
        if (isModel(i) && contextKept[r.units[i].segment])
            reserved += (*force)[i] >= 2.f
                            ? countTargetTokens(
                                  o.targetTokenizer,
                                  "[NEW" + std::to_string(static_cast<int>((*force)[i]) - 2) + "]")
                            : static_cast<long>((*ttok)[i]);
    rate = std::min(
        static_cast<double>(o.targetTokens) / static_cast<double>(std::max(1L, reserved)), 1.0);
}

void Decision::dropConsecutive(const std::vector<std::size_t> &idx)
{
    std::vector<double> wp;
    for (std::size_t i : idx)
        wp.push_back(probs[i]);
    const double g = percentile(wp, static_cast<double>(static_cast<int>(100 * reduce)));
    bool between = false;
    std::string prev;
    bool havePrev = false;
    for (std::size_t i : idx) {
        if (isForceWord(i)) {
            const std::string w = word(i);
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
}

// The reference threshold, chunk by chunk (1.5 steps 7-8): γ per 512-token chunk on P_w expanded
// by the tiktoken count of each word.
void Decision::tokenFilterPerChunk()
{
    reduce = std::max(0.0, 1.0 - rate);
    tokenStage = static_cast<int>(r.stages.size());
    probs.assign(prob->begin(), prob->end());
    // Group model words of kept contexts by chunk; everything else is dropped (skipped specials).
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
    compressed.assign(r.segments.size(), std::string());
    Stage st;
    st.name = "token filter (per chunk)";
    for (auto &[c, idx] : byChunk) {
        std::vector<std::string> keepWords;
        if (reduce <= 0) {
            for (std::size_t i : idx)
                keepWords.push_back(word(i));
        } else {
            if (p.dropConsecutive)
                dropConsecutive(idx);
            // γ = percentile of P_w repeated once per target token of the word, q =
            // int(100·reduce + 1).
            std::vector<double> expanded;
            for (std::size_t i : idx)
                expanded.insert(expanded.end(), static_cast<std::size_t>((*ttok)[i]), probs[i]);
            const double gamma =
                expanded.empty() ? 1.0 : percentile(expanded, static_cast<int>(100 * reduce + 1));
            st.thresholds.push_back({kProb, gamma, "chunk " + std::to_string(c)});
            for (std::size_t i : idx) {
                const double pw = probs[i];
                const bool keep = pw > gamma || (gamma == 1.0 && pw == gamma);
                const std::string w = word(i);
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
}

// The reference output (1.5 steps 9 and 12): kept words detokenised per chunk, contexts joined
// with "\n\n", origin and compressed tokens counted per context.
void Decision::referenceText()
{
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
            outTokens += std::max(0L, countTargetTokens(o.targetTokenizer, piece));
        text += (anyPiece ? "\n\n" : "") + piece; // contexts joined with "\n\n" (1.5 step 9)
        anyPiece = true;
    }
    r.compressedText = std::move(text);
    r.targetTokensIn = nOriginal;
    r.targetTokensOut = outTokens;
    updateAchievedRate(r);
}

void Decision::questionSentences(std::vector<float> &ranked)
{
    // auto and bm25 alike need a question to rank against.
    const std::string question = questionText(r);
    if (p.sentenceRank == "none" || question.empty())
        return;
    std::vector<std::pair<int, std::string>> texts;
    for (int s : contexts)
        if (contextKept[static_cast<std::size_t>(s)])
            texts.emplace_back(s, r.segments[static_cast<std::size_t>(s)].text);
    std::map<int, double> contextScore; // the coarse ranking's, when it ran: one value per context
    if (const auto *rank = p.coarseRank() ? unitValues(r, kContextRank) : nullptr)
        for (std::size_t i = 0; i < n; ++i)
            if (!std::isnan((*rank)[i]) && contextKept[r.units[i].segment])
                contextScore.try_emplace(r.units[i].segment, (*rank)[i]);
    const QuestionSentences qs =
        rankQuestionSentences(texts, question, contextScore, rankingVectors(o).get());
    Stage st;
    st.name = "question sentences";
    std::vector<float> series(n, std::numeric_limits<float>::quiet_NaN());
    const float top = 2.f + 2.f * static_cast<float>(qs.matched);
    for (std::size_t i = 0; i < n; ++i) {
        // A word's last byte (its span may start with the space before a sentence).
        const Span &sp = r.units[i].span;
        const long j = qs.find(r.units[i].segment, sp.end > sp.begin ? sp.end - 1 : sp.begin);
        if (j < 0)
            continue;
        series[i] = static_cast<float>(qs.bm25[static_cast<std::size_t>(j)]);
        const int k = qs.rank[static_cast<std::size_t>(j)];
        // Above every probability (<= 1) and every later sentence; P_w breaks ties inside one.
        if (k >= 0 && isModel(i) && !std::isnan(ranked[i]) && ranked[i] > -1.f)
            ranked[i] = top - 2.f * static_cast<float>(k) + std::clamp(ranked[i], 0.f, 1.f);
    }
    st.scores.push_back({"sentence_bm25", std::move(series)});
    r.stages.push_back(std::move(st));
}

double Decision::lowestKeptProbability() const
{
    double low = 1.0;
    for (std::size_t i = 0; i < n; ++i)
        if (r.units[i].kept && isModel(i) && !r.units[i].forced && !std::isnan(probs[i]))
            low = std::min<double>(low, probs[i]);
    return low;
}

// Corrected: one threshold over the whole prompt in place of the per-chunk γ, the rate met in
// target tokens over whole words (issue 14), protected spans first.
void Decision::tokenFilterGlobal()
{
    reduce = std::max(0.0, 1.0 - rate);
    const bool filtered = !r.stages.empty(); // the context filter ran (stage 0)
    probs.assign(prob->begin(), prob->end());
    std::vector<std::size_t> all;
    for (std::size_t i = 0; i < n; ++i)
        if (isModel(i) && contextKept[r.units[i].segment])
            all.push_back(i);
    if (p.dropConsecutive)
        dropConsecutive(all);
    std::vector<char> priority(n, 0);
    for (std::size_t i = 0; i < n; ++i)
        priority[i] = (*prot)[i] > 0.5f;
    // Words of dropped contexts come after every other word: the rate is met from the kept
    // contexts when they hold enough, and from the best of the dropped ones only when they do
    // not.
    std::vector<float> ranked = probs;
    for (std::size_t i = 0; i < n; ++i)
        if (filtered && r.units[i].stage == 0 && r.units[i].forced && !r.units[i].kept &&
            r.segments[r.units[i].segment].role == SegmentRole::Context) {
            r.units[i].forced = false;
            ranked[i] = std::isnan(ranked[i]) ? -2e6f : ranked[i] - 1e6f;
        }
    questionSentences(ranked);
    // Words of one atomic unit (an identifier or number the tagger split) take the strongest
    // probability.
    double gamma = keepToTargetBudget(r, ranked, o, WordAggregation::Max, &priority);
    if (gamma > 1.0) // the budget ended inside the question sentences: the lowest kept P_w
        gamma = lowestKeptProbability();
    if (filtered)
        undoContextFilter();
    tokenStage = static_cast<int>(r.stages.size());
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
                 std::to_string(r.targetTokensOut) + " of " + std::to_string(target) + " tokens)"});
}

void Decision::undoContextFilter()
{
    auto &removed = r.stages[0].removedUnits;
    removed.erase(std::remove_if(removed.begin(), removed.end(),
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

// The probability_final series: P_w after drop_consecutive; the result's rate and mode.
void Decision::finalProbabilities()
{
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
}

} // namespace

Result<void> decide(CompressionResult &r, const CompressOptions &o, const Params &p)
{
    Decision d(r, o, p);
    if (!d.readSeries())
        return fail(ErrorCode::InvalidArgument,
                    "the cached llmlingua2 result lacks its per-word scores");
    d.reset();
    d.contextFilter();
    if (o.mode == CompressionMode::Reference) {
        d.tokenFilterPerChunk();
        d.referenceText();
    } else {
        d.tokenFilterGlobal();
    }
    d.finalProbabilities();
    return {};
}

} // namespace terse::detail::lingua2
