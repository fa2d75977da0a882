// LLMLingua / LongLLMLingua, the decision: corrected mode's whole words to the target-token budget,
// then the stage lists, score series and output text (llmlingua_run.h; lines cite
// prompt_compressor.py).
#include "compressors/llmlingua_run.h"

#include "compressors/common.h"
#include "core/engine_error.h"
#include "core/utf8.h"
#include "compressors/context_rank.h"
#include "models/model_context.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

namespace terse::detail::lingua {

CompressionResult Run::run()
{
    assignRoles();
    normaliseCondition();
    prepareContexts();
    coarseRanking();
    sentenceFilter();
    conditioningPrefix();
    buildStream();
    tokenStage();
    collectUnits();
    decideWords();
    finish();
    return std::move(r);
}

void Run::decideWords()
{
    // Corrected: the final decision on whole words (issue 14). Each word's score is the sum of its
    // tokens' (conditional) self-information; words compete within their keep-ratio group
    // (LongLLMLingua's per-context tau + delta, or a structured segment's rate) by the share of the
    // group's cost ranked above them divided by the group's ratio, so one global budget in target
    // tokens honours the ratios.
    if (!ref) {
        wordLayer = detail::WordLayer::build(r);
        const detail::WordLayer &layer = *wordLayer;
        std::vector<detail::Decision> states = layer.states(r);
        std::vector<char> coarseDropped(static_cast<std::size_t>(layer.size()), 0);
        for (int g = 0; g < layer.size(); ++g)
            for (int u : layer.groups()[static_cast<std::size_t>(g)].units) {
                const Unit &x = r.units[static_cast<std::size_t>(u)];
                if (!x.forced && !x.kept && x.stage >= 0 && x.stage < firstWindowStage &&
                    states[static_cast<std::size_t>(g)] == detail::Decision::Free) {
                    states[static_cast<std::size_t>(g)] =
                        detail::Decision::Drop; // coarse or sentence stage
                    coarseDropped[static_cast<std::size_t>(g)] = 1;
                }
            }
        if (p.tokenFilter) {
            std::map<int, std::map<std::size_t, double>> startRate;
            for (long t = 0; t < nTok; ++t)
                if (stream.tokSegment[t] >= 0)
                    startRate[stream.tokSegment[t]][stream.tokSpan[t].begin] = tokRate[t];
            std::vector<float> wordScore = layer.aggregate(unitScore, detail::WordAggregation::Sum);
            // A word with an unscored token (the first token has no context) ranks first, as the
            // reference keeps that token.
            for (int g = 0; g < layer.size(); ++g)
                for (int u : layer.groups()[static_cast<std::size_t>(g)].units)
                    if (r.units[static_cast<std::size_t>(u)].segment >= 0 &&
                        r.segments[static_cast<std::size_t>(
                                       r.units[static_cast<std::size_t>(u)].segment)]
                                .role == SegmentRole::Context &&
                        std::isnan(unitScore[static_cast<std::size_t>(u)]))
                        wordScore[static_cast<std::size_t>(g)] =
                            std::numeric_limits<float>::infinity();
            const std::vector<int> costs = layer.costs(r, options.targetTokenizer);
            std::map<double, std::vector<int>> classes;
            long forcedCost = 0;
            for (int g = 0; g < layer.size(); ++g) {
                if (states[static_cast<std::size_t>(g)] == detail::Decision::Keep)
                    forcedCost += costs[static_cast<std::size_t>(g)];
                if (states[static_cast<std::size_t>(g)] != detail::Decision::Free)
                    continue;
                const Unit &first = r.units[static_cast<std::size_t>(
                    layer.groups()[static_cast<std::size_t>(g)].units.front())];
                auto &m = startRate[first.segment];
                auto it = m.upper_bound(first.span.begin);
                if (it == m.begin()) {
                    states[static_cast<std::size_t>(g)] =
                        detail::Decision::Keep; // outside the token stage
                    forcedCost += costs[static_cast<std::size_t>(g)];
                    continue;
                }
                classes[std::prev(it)->second].push_back(g);
            }
            std::vector<float> key(static_cast<std::size_t>(layer.size()), kNaN);
            double want = static_cast<double>(forcedCost);
            for (auto &[rho, members] : classes)
                want += rho * detail::assignClassKeys(members, wordScore, costs, rho, 0.0, key);
            // Words the coarse or sentence stage dropped come after every other word: used only
            // when the kept contexts hold less than the rate (corrected mode meets the rate; the
            // trace says so).
            {
                std::vector<int> late;
                for (int g = 0; g < layer.size(); ++g)
                    if (coarseDropped[static_cast<std::size_t>(g)]) {
                        late.push_back(g);
                        states[static_cast<std::size_t>(g)] = detail::Decision::Free;
                    }
                detail::assignClassKeys(late, wordScore, costs, 1.0, -1e6, key);
            }
            // Question sentences first (corrected mode, sentence_rank): words of the sentences that
            // share terms with the question come before every other word, best BM25 sentence first
            // and whole; the model's scores order the rest (and the words of the last sentence the
            // budget reaches).
            // auto: with a small LM such as the bundled one, for LLMLingua as for LongLLMLingua
            // (nq_multidoc, 101 prompts at rate 0.33: llmlingua keeps the answer in 66 without, 80
            // with).
            const bool sentenceRank =
                !question.empty() &&
                (p.sentenceRank == "bm25" ||
                 (p.sentenceRank == "auto" && detail::runsSmallLm(options, lm.model)));
            if (sentenceRank) {
                std::vector<std::pair<int, std::string>> texts;
                std::map<int, double> contextScore; // BM25 of the coarse ranking, when it ran
                // The sentences of the contexts the coarse stage kept (as LLMLingua-2's): the
                // dropped ones' sentences weighed on BM25's idf, the best score and the context
                // prior although none of their words competes (issue 15: nq_multidoc,
                // longllmlingua at rate 0.33 with context_budget *2, answer kept 0.871 -> 0.901).
                for (std::size_t k = 0; k < ctxSeg.size(); ++k) {
                    if (std::find(used.begin(), used.end(), static_cast<int>(k)) == used.end())
                        continue;
                    texts.emplace_back(ctxSeg[k],
                                       r.segments[static_cast<std::size_t>(ctxSeg[k])].text);
                    if (p.rankMethod == "bm25" && k < ctxScore.size() && !std::isnan(ctxScore[k]))
                        contextScore[ctxSeg[k]] = ctxScore[k];
                }
                const detail::QuestionSentences qs = detail::rankQuestionSentences(
                    texts, question, contextScore, detail::rankingVectors(options).get());
                std::map<int, std::vector<int>> bySentence;
                for (int g = 0; g < layer.size(); ++g) {
                    if (states[static_cast<std::size_t>(g)] != detail::Decision::Free ||
                        coarseDropped[static_cast<std::size_t>(g)])
                        continue;
                    const auto &grp = layer.groups()[static_cast<std::size_t>(g)];
                    if (const long j = qs.find(grp.segment, grp.core.begin);
                        j >= 0 && qs.rank[static_cast<std::size_t>(j)] >= 0)
                        bySentence[static_cast<int>(j)].push_back(g);
                }
                const double S = static_cast<double>(qs.matched);
                for (auto &[j, members] :
                     bySentence) // best sentence first, each above every other word
                    detail::assignClassKeys(members, wordScore, costs, 1.0 / 0.999,
                                            1.0 + (S - qs.rank[static_cast<std::size_t>(j)]), key);
                Stage st;
                st.name = "question sentences";
                std::vector<float> series(r.units.size(), kNaN);
                for (std::size_t i = 0; i < r.units.size(); ++i)
                    if (const long j = qs.find(r.units[i].segment, r.units[i].span.begin); j >= 0)
                        series[i] = static_cast<float>(qs.bm25[static_cast<std::size_t>(j)]);
                st.scores.push_back({"sentence_bm25", std::move(series)});
                r.stages.push_back(std::move(st));
            }
            const long targetOverride =
                structured && options.targetTokens < 0 ? std::lround(want) : -1;
            detail::decideWordsByKey(r, layer, key, states, options, targetOverride);
            double minKept = std::numeric_limits<double>::infinity();
            for (int g = 0; g < layer.size(); ++g)
                if (r.units[static_cast<std::size_t>(
                                layer.groups()[static_cast<std::size_t>(g)].units.front())]
                        .kept &&
                    states[static_cast<std::size_t>(g)] == detail::Decision::Free &&
                    !std::isnan(wordScore[static_cast<std::size_t>(g)]))
                    minKept = std::min<double>(minKept, wordScore[static_cast<std::size_t>(g)]);
            if (std::isfinite(minKept))
                r.thresholds.push_back(
                    {scoreName, minKept, "lowest kept word score (sum over its tokens)"});
        }
        wordKeep.assign(static_cast<std::size_t>(layer.size()), 0);
        for (int g = 0; g < layer.size(); ++g) {
            bool any = false;
            for (int u : layer.groups()[static_cast<std::size_t>(g)].units)
                any = any || r.units[static_cast<std::size_t>(u)].kept;
            wordKeep[static_cast<std::size_t>(g)] =
                any && states[static_cast<std::size_t>(g)] != detail::Decision::Drop;
        }
        bool undone = false;
        for (auto &u : r.units)
            if (u.kept) {
                undone = undone || (u.stage >= 0 && u.stage < firstWindowStage);
                u.stage = -1;
            }
        if (undone)
            r.warnings.push_back({"coarse_filter_undone",
                                  "the contexts kept by the coarse stage hold less than the "
                                  "requested rate: the best words of dropped ones were kept too"});
    }
}

void Run::finish()
{
    for (std::size_t i = 0; i < r.units.size(); ++i)
        if (!r.units[i].kept && r.units[i].stage >= 0 &&
            r.units[i].stage < static_cast<int>(r.stages.size()))
            r.stages[r.units[i].stage].removedUnits.push_back(static_cast<int>(i));
    std::vector<float> ctxSeries(r.units.size(), kNaN);
    for (std::size_t i = 0; i < r.units.size(); ++i)
        for (std::size_t k = 0; k < ctxSeg.size(); ++k)
            if (r.units[i].segment == ctxSeg[k])
                ctxSeries[i] = ctxScore[k];
    if (!r.stages.empty() && r.stages[0].name == "coarse ranking")
        r.stages[0].scores[0].values = ctxSeries;
    r.scores.push_back({scoreName, unitScore});
    finalizeResult(r);

    if (ref) {
        // Output (lines 697-725): "\n\n".join([I, compressed, Q]), counted in cl100k.
        std::vector<std::string> parts;
        if (!instruction.empty())
            parts.push_back(instruction);
        auto isBlank = [](const std::string &s) {
            return std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isspace(c); });
        };
        // The reference decodes the kept ids with the tokenizer (batch_decode), which replaces a
        // character whose bytes were partly dropped by U+FFFD.
        if (!isBlank(refCompressed))
            parts.push_back(detail::toValidUtf8(refCompressed));
        if (!question.empty() && p.concateQuestion)
            parts.push_back(question);
        std::string out;
        for (std::size_t i = 0; i < parts.size(); ++i)
            out += (i ? "\n\n" : "") + parts[i];
        r.compressedText = out;
        std::string origin = instruction;
        for (const auto &c : ctxText)
            origin += "\n\n" + c;
        origin += "\n\n" + question;
        const auto b = origin.find_first_not_of(" \t\n\r\f\v");
        const auto e = origin.find_last_not_of(" \t\n\r\f\v");
        origin = b == std::string::npos ? std::string() : origin.substr(b, e - b + 1);
        r.targetTokensIn = detail::countTargetTokens(options.targetTokenizer, origin);
        r.targetTokensOut = detail::countTargetTokens(options.targetTokenizer, r.compressedText);
        updateAchievedRate(r);
    } else {
        // Whole words, joined by the whitespace before each kept word (word_layer.h).
        wordLayer->apply(r, wordKeep);
        detail::countTargetTokens(r, prompt, options.targetTokenizer);
    }
}

} // namespace terse::detail::lingua
