// PIS, the stages of one compression (pis_run.h; algorithms.md 2.2).
#include "compressors/pis_run.h"

#include "compressors/common.h"
#include "compressors/context_rank.h"
#include "compressors/pis_agent.h"
#include "compressors/word_layer.h"
#include "core/engine_error.h"
#include "models/model_context.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <random>

namespace terse::detail::pis {

namespace {

float cosine(const std::vector<float> &a, const std::vector<float> &b)
{
    double ab = 0, aa = 0, bb = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        ab += static_cast<double>(a[i]) * b[i];
        aa += static_cast<double>(a[i]) * a[i];
        bb += static_cast<double>(b[i]) * b[i];
    }
    return aa > 0 && bb > 0 ? static_cast<float>(ab / std::sqrt(aa * bb)) : 0.0f;
}

} // namespace

CompressionResult Run::run()
{
    tokenize();
    splitSentences();
    scoreTokens();
    sentenceFilter();
    ratioAgent();
    job.report(2, 3, "PIS allocation");
    if (options.mode == CompressionMode::Corrected) {
        decideWords();
        traceWords();
    } else {
        allocateTokens();
        keepTopTokens();
    }
    finish();
    return std::move(r);
}

void Run::checkCancelled() const
{
    if (job.isCancelled())
        raise(ErrorCode::Cancelled, "compression cancelled");
}

std::vector<float> Run::perUnit(const std::vector<float> &perPos) const
{
    std::vector<float> out(r.units.size(), kNaN);
    for (std::size_t u = 0; u < r.units.size(); ++u)
        out[u] = perPos[static_cast<std::size_t>(seq.positionOf[u])];
    return out;
}

void Run::tokenize()
{
    seq = unwrap(buildTokenSequence(prompt, tokenizer, r.units));
    applyPins(r.units, options.pinned);
    n = static_cast<int>(seq.ids.size());
}

void Run::splitSentences()
{
    tokens = unwrap(pisTokens(prompt, tokenizer, r.units, seq));
}

void Run::scoreTokens()
{
    checkCancelled();
    job.report(0, 3, "PIS scoring");
    a = unwrap(analysePis(model, seq.ids, tokens.text, tokens.sentences, tokens.wordKeys,
                          tokens.wordOf, settings.gamma, job,
                          options.mode == CompressionMode::Corrected));
    r.forwardMs = a.forwardMs;
    S = static_cast<int>(a.sentences.size());
    r.scores = {{"attention", perUnit(a.attention)},
                {"tfidf", perUnit(a.tfidf)},
                {"weight", perUnit(a.weight)}};
}

void Run::sentenceFilter()
{
    // SIS (algorithms.md 2.2): a sentence as similar as tau to a kept earlier one (cosine of the
    // mean embeddings) is redundant; a run of c redundant sentences deletes each with probability
    // 1 - q^c, drawn from a generator seeded with the run's seed. Separator sentences reset the
    // run.
    checkCancelled();
    job.report(1, 3, "PIS sentence filter");
    std::mt19937_64 rng(options.seed);
    std::uniform_real_distribution<double> uni(0.0, 1.0);
    sentenceAlive.assign(static_cast<std::size_t>(S), true);
    similarity.assign(seq.unitOf.size(), kNaN);
    int consecutive = 0;
    for (int s = 0; s < S; ++s) {
        const auto [b, e] = a.sentences[static_cast<std::size_t>(s)];
        const bool separator = seq.unitOf[static_cast<std::size_t>(b)] < 0;
        float best = 0.0f;
        for (int k = 0; k < s && !separator; ++k)
            if (sentenceAlive[static_cast<std::size_t>(k)])
                best = std::max(best, cosine(a.embeddings[static_cast<std::size_t>(s)],
                                             a.embeddings[static_cast<std::size_t>(k)]));
        for (int t = b; t < e; ++t)
            similarity[static_cast<std::size_t>(t)] = best;
        if (separator || !settings.sis || best < settings.tau) {
            consecutive = 0;
            continue;
        }
        ++consecutive;
        const double p = 1.0 - std::pow(settings.survival, consecutive);
        const double draw = uni(rng);
        if (draw < p)
            sentenceAlive[static_cast<std::size_t>(s)] = false;
    }
}

void Run::ratioAgent()
{
    // The trained Double-DQN agent (the `agent` option, else pis_agent.safetensors beside the
    // model), or 1.0 for every sentence.
    fraction.assign(static_cast<std::size_t>(S), 1.0);
    std::string agentPath = settings.agent;
    if (agentPath.empty()) {
        namespace fs = std::filesystem;
        const fs::path mp(modelPath);
        const fs::path dir = fs::is_directory(mp) ? mp : mp.parent_path();
        if (fs::exists(dir / "pis_agent.safetensors"))
            agentPath = (dir / "pis_agent.safetensors").string();
    }
    if (agentPath.empty()) {
        r.warnings.push_back(
            {"no_agent", "no trained PIS agent (params 'agent' or pis_agent.safetensors beside the "
                         "model): every sentence gets the same keep fraction"});
        return;
    }
    const PisAgent agent = unwrap(PisAgent::loadShared(agentPath));
    if (agent.stateDim() != 3 * a.hidden + 2)
        raise(ErrorCode::InvalidArgument,
              "the PIS agent '" + agentPath + "' expects states of " +
                  std::to_string(agent.stateDim()) + " floats; this model gives " +
                  std::to_string(3 * a.hidden + 2) + " (trained for another model)");
    std::vector<std::vector<float>> states;
    for (int s = 0; s < S; ++s)
        states.push_back(pisState(a, s));
    const std::vector<int> actions = agent.greedyActions(states); // one forward for all sentences
    for (int s = 0; s < S; ++s)
        fraction[static_cast<std::size_t>(s)] =
            pisKeepFraction(actions[static_cast<std::size_t>(s)]);
}

void Run::decideWords()
{
    // Whole words (issue 14): a word weighs what its heaviest token weighs; within a sentence words
    // rank by weight, across sentences by the share of the sentence's cost ranked above them over
    // the agent's keep fraction, so one budget in target tokens follows the allocations. Words of
    // sentences removed by SIS come after every surviving word (kept only when the rate needs more
    // than survivors hold); with the question focus, a question sentence is never removed.
    layer = WordLayer::build(r);
    std::vector<Decision> states = layer->states(r);
    const std::vector<float> wordWeight = layer->aggregate(perUnit(a.weight), WordAggregation::Max);
    const std::vector<int> costs = layer->costs(r, options.targetTokenizer);
    std::vector<int> sentenceOfPos(static_cast<std::size_t>(n), -1);
    for (int s = 0; s < S; ++s)
        for (int t = a.sentences[static_cast<std::size_t>(s)].first;
             t < a.sentences[static_cast<std::size_t>(s)].second; ++t)
            sentenceOfPos[static_cast<std::size_t>(t)] = s;
    std::vector<std::vector<int>> members(static_cast<std::size_t>(S));
    sentenceOfWord.assign(static_cast<std::size_t>(layer->size()), -1);
    for (int g = 0; g < layer->size(); ++g) {
        const int u = layer->groups()[static_cast<std::size_t>(g)].units.front();
        const int s =
            sentenceOfPos[static_cast<std::size_t>(seq.positionOf[static_cast<std::size_t>(u)])];
        sentenceOfWord[static_cast<std::size_t>(g)] = s;
        if (s >= 0 && states[static_cast<std::size_t>(g)] == Decision::Free)
            members[static_cast<std::size_t>(s)].push_back(g);
    }
    const WordBudget budget = wordBudget(r, costs, options);
    if (settings.questionFocus) {
        focus = QuestionFocus::plan(r, *layer, states, costs, budget.target, options.rate,
                                    rankingVectors(options).get());
        // A sentence the question asks for is not redundant: SIS's removal of it is undone.
        for (int g = 0; g < layer->size(); ++g)
            if (const int s = sentenceOfWord[static_cast<std::size_t>(g)];
                s >= 0 && focus.isPriority(g))
                sentenceAlive[static_cast<std::size_t>(s)] = true;
        focus.applyStates(states);
    }
    std::vector<float> key(static_cast<std::size_t>(layer->size()), kNaN);
    for (int s = 0; s < S; ++s)
        assignClassKeys(members[static_cast<std::size_t>(s)], wordWeight, costs,
                        fraction[static_cast<std::size_t>(s)],
                        sentenceAlive[static_cast<std::size_t>(s)] ? 0.0 : -1e6, key);
    focus.applyKeys(key);
    decideWordsByKey(r, *layer, key, states, options, -1, &costs, &budget);
}

void Run::startTrace()
{
    sis = Stage{"sentence filter",
                {},
                {{"similarity", perUnit(similarity)}},
                {{"similarity", settings.tau, "τ"}}};
    tis = Stage{"token budget", {}, {}, {}};
    allocation.assign(static_cast<std::size_t>(n), kNaN);
}

void Run::traceWords()
{
    // A dropped word of a sentence SIS removed is the sentence filter's; every other one the
    // token budget's.
    startTrace();
    bool undone = false;
    for (int g = 0; g < layer->size(); ++g) {
        const int s = sentenceOfWord[static_cast<std::size_t>(g)];
        for (int u : layer->groups()[static_cast<std::size_t>(g)].units) {
            Unit &x = r.units[static_cast<std::size_t>(u)];
            if (s >= 0)
                allocation[static_cast<std::size_t>(seq.positionOf[static_cast<std::size_t>(u)])] =
                    static_cast<float>(fraction[static_cast<std::size_t>(s)]);
            if (x.kept) {
                undone =
                    undone || (s >= 0 && !sentenceAlive[static_cast<std::size_t>(s)] && !x.forced);
                continue;
            }
            const bool bySis = s >= 0 && !sentenceAlive[static_cast<std::size_t>(s)];
            // The question focus, when active, is stage 0 (finish).
            x.stage = (bySis ? 0 : 1) + (focus.active() ? 1 : 0);
            (bySis ? sis : tis).removedUnits.push_back(u);
        }
    }
    if (undone)
        r.warnings.push_back({"sentence_filter_undone",
                              "the requested rate keeps more tokens than the surviving "
                              "sentences hold: words of removed sentences were kept"});
}

void Run::allocateTokens()
{
    // Reference: fractions are relative allocations, scaled so the kept tokens meet the rate
    // exactly.
    const long budget = keepBudget(r.units, options);
    state.assign(static_cast<std::size_t>(n), 0);
    long forcedKept = 0;
    for (int t = 0; t < n; ++t) {
        const int u = seq.unitOf[static_cast<std::size_t>(t)];
        if (u < 0)
            state[static_cast<std::size_t>(t)] = -1;
        else if (r.units[static_cast<std::size_t>(u)].forced) {
            state[static_cast<std::size_t>(t)] = r.units[static_cast<std::size_t>(u)].kept ? 1 : -1;
            forcedKept += r.units[static_cast<std::size_t>(u)].kept ? 1 : 0;
        }
    }
    freeCount.assign(static_cast<std::size_t>(S), 0);
    long freeAlive = 0, freeAll = 0;
    for (int s = 0; s < S; ++s) {
        for (int t = a.sentences[static_cast<std::size_t>(s)].first;
             t < a.sentences[static_cast<std::size_t>(s)].second; ++t)
            freeCount[static_cast<std::size_t>(s)] +=
                state[static_cast<std::size_t>(t)] == 0 ? 1 : 0;
        freeAll += freeCount[static_cast<std::size_t>(s)];
        freeAlive +=
            sentenceAlive[static_cast<std::size_t>(s)] ? freeCount[static_cast<std::size_t>(s)] : 0;
    }
    const long room = std::clamp(budget - forcedKept, 0L, freeAll);
    // Surviving sentences share min(room, their tokens) by λ·f_s·len_s (capped at len_s); when the
    // rate needs more than they hold, removed sentences give tokens back in the same way.
    take.assign(static_cast<std::size_t>(S), 0);
    long placed = shareTokens(sentenceAlive, std::min(room, freeAlive));
    if (placed < room) {
        std::vector<bool> removed(static_cast<std::size_t>(S));
        for (int s = 0; s < S; ++s)
            removed[static_cast<std::size_t>(s)] = !sentenceAlive[static_cast<std::size_t>(s)];
        placed += shareTokens(removed, room - placed);
        r.warnings.push_back({"sentence_filter_undone",
                              "the requested rate keeps more tokens than the surviving "
                              "sentences hold: tokens of removed sentences were kept"});
    }
}

long Run::shareTokens(const std::vector<bool> &eligible, long want)
{
    std::vector<double> cap(static_cast<std::size_t>(S), 0.0),
        desire(static_cast<std::size_t>(S), 0.0);
    for (int s = 0; s < S; ++s)
        if (eligible[static_cast<std::size_t>(s)]) {
            cap[static_cast<std::size_t>(s)] = static_cast<double>(
                freeCount[static_cast<std::size_t>(s)] - take[static_cast<std::size_t>(s)]);
            desire[static_cast<std::size_t>(s)] =
                fraction[static_cast<std::size_t>(s)] * freeCount[static_cast<std::size_t>(s)];
        }
    auto total = [&](double lambda) {
        double sum = 0;
        for (int s = 0; s < S; ++s)
            sum += std::min(cap[static_cast<std::size_t>(s)],
                            lambda * desire[static_cast<std::size_t>(s)]);
        return sum;
    };
    double lo = 0, hi = 1;
    while (total(hi) < static_cast<double>(want) && hi < 1e12)
        hi *= 2;
    for (int it = 0; it < 100; ++it) {
        const double mid = 0.5 * (lo + hi);
        (total(mid) < static_cast<double>(want) ? lo : hi) = mid;
    }
    std::vector<std::pair<double, int>> remainders;
    long given = 0;
    for (int s = 0; s < S; ++s) {
        const double x =
            std::min(cap[static_cast<std::size_t>(s)], hi * desire[static_cast<std::size_t>(s)]);
        const long whole = static_cast<long>(std::floor(x));
        take[static_cast<std::size_t>(s)] += whole;
        given += whole;
        if (static_cast<double>(whole) < cap[static_cast<std::size_t>(s)])
            remainders.push_back({x - static_cast<double>(whole), s});
    }
    // Largest remainders first (earlier sentence on ties) until the count is exact.
    std::stable_sort(remainders.begin(), remainders.end(),
                     [](const auto &x, const auto &y) { return x.first > y.first; });
    for (std::size_t i = 0; i < remainders.size() && given < want; ++i, ++given)
        ++take[static_cast<std::size_t>(remainders[i].second)];
    return given;
}

void Run::keepTopTokens()
{
    // Within a sentence the top tokens by weight; a sentence that gets no token back from SIS is
    // the sentence filter's, every other dropped token the token budget's.
    startTrace();
    for (int s = 0; s < S; ++s) {
        const auto [b, e] = a.sentences[static_cast<std::size_t>(s)];
        std::vector<int> order;
        for (int t = b; t < e; ++t)
            if (state[static_cast<std::size_t>(t)] == 0)
                order.push_back(t);
        std::stable_sort(order.begin(), order.end(),
                         [&](int x, int y) { return a.weight[x] > a.weight[y]; });
        for (std::size_t j = 0; j < order.size(); ++j) {
            const int t = order[j];
            allocation[static_cast<std::size_t>(t)] =
                static_cast<float>(fraction[static_cast<std::size_t>(s)]);
            const int unit = seq.unitOf[static_cast<std::size_t>(t)];
            Unit &u = r.units[static_cast<std::size_t>(unit)];
            u.kept = static_cast<long>(j) < take[static_cast<std::size_t>(s)];
            if (!u.kept) {
                const bool bySis = !sentenceAlive[static_cast<std::size_t>(s)] &&
                                   take[static_cast<std::size_t>(s)] == 0;
                u.stage = bySis ? 0 : 1;
                (bySis ? sis : tis).removedUnits.push_back(unit);
            }
        }
    }
    for (int u = 0; u < static_cast<int>(r.units.size()); ++u)
        if (r.units[static_cast<std::size_t>(u)].forced &&
            !r.units[static_cast<std::size_t>(u)].kept) {
            r.units[static_cast<std::size_t>(u)].stage = 1;
            tis.removedUnits.push_back(u);
        }
}

void Run::finish()
{
    tis.scores = {{"weight", perUnit(a.weight)}, {"allocation", perUnit(allocation)}};
    r.stages = {std::move(sis), std::move(tis)};
    focus.addStage(r, 0);
    if (options.mode == CompressionMode::Corrected)
        return; // decideWordsByKey finalised the result
    finalizeResult(r);
    r.compressedText = keptTokenText(r); // token units: the decode of the kept ids
    countTargetTokens(r, prompt, options.targetTokenizer);
}

} // namespace terse::detail::pis
