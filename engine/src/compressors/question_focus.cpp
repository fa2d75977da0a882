#include "compressors/question_focus.h"

#include "compressors/common.h"
#include "compressors/context_rank.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>

namespace terse::detail {

namespace {
constexpr const char *kStageName = "question focus";
} // namespace

std::string questionText(const CompressionResult &result)
{
    std::string question;
    for (const auto &seg : result.segments)
        if (seg.role == SegmentRole::Question)
            question += seg.text;
    return question.find_first_not_of(" \t\r\n") == std::string::npos ? std::string() : question;
}

WordBudget wordBudget(const CompressionResult &result, const std::vector<int> &costs,
                      const CompressOptions &options, long targetOverride)
{
    WordBudget b;
    b.totalIn = options.targetTokenizer.empty()
                    ? -1
                    : countTargetTokens(options.targetTokenizer, Prompt{result.segments}.joined());
    b.counted = b.totalIn >= 0;
    if (!b.counted)
        b.totalIn = std::accumulate(costs.begin(), costs.end(), 0L);
    b.target = targetOverride >= 0 ? targetOverride
               : options.targetTokens >= 0
                   ? options.targetTokens
                   : std::lround(options.rate * static_cast<double>(b.totalIn));
    return b;
}

QuestionFocus QuestionFocus::plan(const CompressionResult &result, const WordLayer &layer,
                                  const std::vector<Decision> &states,
                                  const std::vector<int> &costs, long target, double rate,
                                  const WordVectors *vectors)
{
    QuestionFocus f;
    const std::string question = questionText(result);
    std::vector<int> contexts;
    for (int s = 0; s < static_cast<int>(result.segments.size()); ++s)
        if (result.segments[static_cast<std::size_t>(s)].role == SegmentRole::Context)
            contexts.push_back(s);
    if (question.empty() || contexts.empty() || layer.size() == 0)
        return f;
    f.m_active = true;
    const std::size_t nWords = static_cast<std::size_t>(layer.size());
    const std::size_t nUnits = result.units.size();
    f.m_low.assign(nWords, 0);
    f.m_priority.assign(nWords, 0);
    f.m_stage.name = kStageName;

    // Contexts: BM25 against the question (LongLLMLingua's coarse stage, rank_method bm25), the
    // best round((rate + 1) / 2 x N) first, as LLMLingua-2's context filter keeps by default.
    std::vector<char> contextKept(result.segments.size(), 1);
    std::map<int, double> contextScore;
    if (contexts.size() >= 2) {
        std::vector<std::string> texts;
        for (int c : contexts)
            texts.push_back(result.segments[static_cast<std::size_t>(c)].text);
        const std::vector<double> bm25 = bm25Scores(texts, question, TermSplit::Search, vectors);
        const double share = std::clamp((rate + 1.0) / 2.0, 0.0, 1.0);
        const auto keep = static_cast<std::size_t>(
            std::clamp<long>(std::lround(share * static_cast<double>(contexts.size())), 1,
                             static_cast<long>(contexts.size())));
        const std::vector<int> order = rankOrder(bm25, true);
        for (std::size_t k = keep; k < order.size(); ++k)
            contextKept[static_cast<std::size_t>(contexts[static_cast<std::size_t>(order[k])])] = 0;
        std::vector<float> series(nUnits, std::numeric_limits<float>::quiet_NaN());
        for (std::size_t c = 0; c < contexts.size(); ++c) {
            contextScore[contexts[c]] = bm25[c];
            for (std::size_t i = 0; i < nUnits; ++i)
                if (result.units[i].segment == contexts[c])
                    series[i] = static_cast<float>(bm25[c]);
        }
        f.m_stage.scores.push_back({"context_rank_score", std::move(series)});
        f.m_stage.thresholds.push_back({"context_rank_score",
                                        bm25[static_cast<std::size_t>(order[keep - 1])],
                                        "contexts ranked first"});
    }
    for (std::size_t g = 0; g < nWords; ++g)
        f.m_low[g] = !contextKept[static_cast<std::size_t>(layer.groups()[g].segment)];

    // Question sentences of the contexts ranked first, best first, whole, up to kQuestionShare of
    // the free budget (the first one may take all of it: the best match is the likeliest answer).
    std::vector<std::pair<int, std::string>> texts;
    for (int c : contexts)
        if (contextKept[static_cast<std::size_t>(c)])
            texts.emplace_back(c, result.segments[static_cast<std::size_t>(c)].text);
    std::map<int, double> keptScore;
    for (const auto &[s, v] : contextScore)
        if (contextKept[static_cast<std::size_t>(s)])
            keptScore[s] = v;
    const QuestionSentences qs = rankQuestionSentences(texts, question, keptScore, vectors);
    std::vector<std::vector<int>> wordsOf(static_cast<std::size_t>(qs.matched));
    for (std::size_t g = 0; g < nWords; ++g) {
        const auto &grp = layer.groups()[g];
        if (states[g] != Decision::Free || grp.core.end <= grp.core.begin)
            continue;
        const long j = qs.find(grp.segment, grp.core.end - 1);
        if (j < 0)
            continue;
        const int k = qs.rank[static_cast<std::size_t>(j)];
        if (k >= 0)
            wordsOf[static_cast<std::size_t>(k)].push_back(static_cast<int>(g));
    }
    // The room left after what is kept anyway and what is kept first (a demonstration format).
    long forced = 0;
    for (std::size_t g = 0; g < nWords; ++g)
        if (states[g] == Decision::Keep || states[g] == Decision::Priority)
            forced += costs[g];
    const long room = std::max(0L, target - forced);
    const double cap = kQuestionShare * static_cast<double>(room);
    long taken = 0;
    for (std::size_t k = 0; k < wordsOf.size(); ++k) {
        long c = 0;
        for (int g : wordsOf[k])
            c += costs[static_cast<std::size_t>(g)];
        if (c == 0)
            continue;
        const bool fits = static_cast<double>(taken + c) <= cap || (taken == 0 && c <= room);
        if (!fits)
            continue;
        taken += c;
        for (int g : wordsOf[k])
            f.m_priority[static_cast<std::size_t>(g)] = 1;
    }
    std::vector<float> sentence(nUnits, std::numeric_limits<float>::quiet_NaN());
    for (std::size_t i = 0; i < nUnits; ++i) {
        const Span &sp = result.units[i].span;
        const long j = qs.find(result.units[i].segment, sp.end > sp.begin ? sp.end - 1 : sp.begin);
        if (j >= 0)
            sentence[i] = static_cast<float>(qs.bm25[static_cast<std::size_t>(j)]);
    }
    f.m_stage.scores.push_back({"sentence_bm25", std::move(sentence)});
    return f;
}

void QuestionFocus::applyStates(std::vector<Decision> &states) const
{
    if (!m_active)
        return;
    for (std::size_t g = 0; g < states.size() && g < m_priority.size(); ++g)
        if (m_priority[g] && states[g] == Decision::Free)
            states[g] = Decision::Priority;
}

void QuestionFocus::applyKeys(std::vector<float> &keys) const
{
    if (!m_active)
        return;
    float lo = std::numeric_limits<float>::infinity(), hi = -lo;
    for (float k : keys)
        if (std::isfinite(k)) {
            lo = std::min(lo, k);
            hi = std::max(hi, k);
        }
    if (!std::isfinite(lo))
        return;
    // Below the lowest key of any word, order kept: key - (hi - lo) - 1.
    const float shift = hi - lo + 1.f;
    for (std::size_t g = 0; g < keys.size() && g < m_low.size(); ++g)
        if (m_low[g] && !std::isnan(keys[g]))
            keys[g] =
                std::isfinite(keys[g]) ? keys[g] - shift : (keys[g] > 0 ? lo - 0.5f : keys[g]);
}

bool QuestionFocus::addStage(CompressionResult &result, std::size_t at) const
{
    result.stages.erase(std::remove_if(result.stages.begin(), result.stages.end(),
                                       [](const Stage &s) { return s.name == kStageName; }),
                        result.stages.end());
    if (!m_active)
        return false;
    at = std::min(at, result.stages.size());
    result.stages.insert(result.stages.begin() + static_cast<std::ptrdiff_t>(at), m_stage);
    return true;
}

} // namespace terse::detail
