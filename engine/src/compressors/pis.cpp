#include "compressors/pis.h"

#include "compressors/common.h"
#include "compressors/params.h"
#include "models/model_context.h"
#include "compressors/pis_agent.h"
#include "compressors/token_sequence.h"
#include "compressors/word_layer.h"
#include "terse/metrics.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <limits>
#include <map>
#include <numeric>
#include <random>

namespace terse {

namespace detail {

namespace {

std::string lowerAscii(std::string s)
{
    for (auto &c : s)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

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

// Token indices of sentence s ranked by weight, highest first (earlier first on ties).
std::vector<int> rankedTokens(const PisAnalysis &a, int s)
{
    const auto [b, e] = a.sentences[static_cast<std::size_t>(s)];
    std::vector<int> order(static_cast<std::size_t>(e - b));
    std::iota(order.begin(), order.end(), b);
    std::stable_sort(order.begin(), order.end(),
                     [&](int x, int y) { return a.weight[x] > a.weight[y]; });
    return order;
}

} // namespace

Result<PisAnalysis> analysePis(const Model &model, std::vector<int> ids,
                               std::vector<std::string> tokenText,
                               std::vector<std::pair<int, int>> sentences,
                               const std::vector<std::string> &wordKeys,
                               const std::vector<int> &wordOf, double gamma, const JobContext &job)
{
    PisAnalysis a;
    a.ids = std::move(ids);
    a.tokenText = std::move(tokenText);
    a.sentences = std::move(sentences);
    const int n = static_cast<int>(a.ids.size());
    const int W = std::max(1, model.info().maxPositions);
    // Chunks of whole sentences up to the window (a longer sentence is cut into window-sized
    // parts).
    std::vector<std::pair<int, int>> chunks;
    for (const auto &[b, e] : a.sentences) {
        for (int p = b; p < e; p += W) {
            const int q = std::min(e, p + W);
            if (!chunks.empty() && chunks.back().second == p && q - chunks.back().first <= W)
                chunks.back().second = q;
            else
                chunks.push_back({p, q});
        }
    }
    std::vector<std::vector<int>> batch;
    for (const auto &[b, e] : chunks)
        batch.emplace_back(a.ids.begin() + b, a.ids.begin() + e);
    ScoreRequest req;
    req.wantEntropy = false;
    req.wantCausalColumnMeans = true;
    req.wantHidden = true;
    auto scored = model.score(batch, req, job);
    if (!scored)
        return scored.error();
    a.forwardMs = scored->seconds * 1000.0;
    const int L = scored->layers;
    const int H = model.info().hidden;
    a.hidden = H;
    std::vector<float> attention(static_cast<std::size_t>(n), 0.0f);
    std::vector<float> lastHidden(static_cast<std::size_t>(n) * H, 0.0f);
    for (std::size_t c = 0; c < chunks.size(); ++c) {
        const auto &s = scored->sequences[c];
        const int b = chunks[c].first, len = chunks[c].second - chunks[c].first;
        for (int l = 0; l < L; ++l)
            for (int k = 0; k < len; ++k)
                attention[static_cast<std::size_t>(b + k)] +=
                    s.causalColumnMeans[static_cast<std::size_t>(l) * len + k] /
                    static_cast<float>(L);
        const std::size_t last = static_cast<std::size_t>(L) * len * H;
        std::copy(s.hidden.begin() + static_cast<std::ptrdiff_t>(last),
                  s.hidden.begin() +
                      static_cast<std::ptrdiff_t>(last + static_cast<std::size_t>(len) * H),
                  lastHidden.begin() +
                      static_cast<std::ptrdiff_t>(static_cast<std::size_t>(b) * H));
    }
    a.attention = minMaxNormalise(attention);
    // TF over the whole prompt; IDF with the sentences as documents, idf = ln((1+S)/(1+df)) + 1.
    std::map<std::string, int> tf;
    std::map<std::string, int> df;
    int words = 0;
    std::vector<int> sentenceOf(static_cast<std::size_t>(n), 0);
    for (std::size_t s = 0; s < a.sentences.size(); ++s)
        for (int t = a.sentences[s].first; t < a.sentences[s].second; ++t)
            sentenceOf[static_cast<std::size_t>(t)] = static_cast<int>(s);
    std::map<std::string, std::vector<bool>> seenIn;
    std::vector<int> lastWord(a.sentences.size(), -1);
    for (int t = 0; t < n; ++t) {
        const int w = wordOf[static_cast<std::size_t>(t)];
        if (w < 0 || lastWord[static_cast<std::size_t>(sentenceOf[t])] == w)
            continue;
        lastWord[static_cast<std::size_t>(sentenceOf[t])] = w;
        const std::string &key = wordKeys[static_cast<std::size_t>(w)];
        ++tf[key];
        ++words;
        auto &seen = seenIn[key];
        seen.resize(a.sentences.size(), false);
        if (!seen[static_cast<std::size_t>(sentenceOf[t])]) {
            seen[static_cast<std::size_t>(sentenceOf[t])] = true;
            ++df[key];
        }
    }
    const double S = static_cast<double>(a.sentences.size());
    std::vector<float> tfidf(static_cast<std::size_t>(n), 0.0f);
    for (int t = 0; t < n; ++t) {
        const int w = wordOf[static_cast<std::size_t>(t)];
        if (w < 0)
            continue;
        const std::string &key = wordKeys[static_cast<std::size_t>(w)];
        const double idf = std::log((1.0 + S) / (1.0 + df[key])) + 1.0;
        tfidf[static_cast<std::size_t>(t)] =
            static_cast<float>(tf[key] / std::max(1.0, static_cast<double>(words)) * idf);
    }
    a.tfidf = minMaxNormalise(tfidf);
    a.weight.resize(static_cast<std::size_t>(n));
    for (int t = 0; t < n; ++t)
        a.weight[static_cast<std::size_t>(t)] =
            static_cast<float>(std::pow(a.attention[static_cast<std::size_t>(t)], 1.0 - gamma) *
                               std::pow(a.tfidf[static_cast<std::size_t>(t)], gamma));
    for (const auto &[b, e] : a.sentences) {
        std::vector<float> emb(static_cast<std::size_t>(H), 0.0f);
        for (int t = b; t < e; ++t)
            for (int h = 0; h < H; ++h)
                emb[static_cast<std::size_t>(h)] +=
                    lastHidden[static_cast<std::size_t>(t) * H + h] / static_cast<float>(e - b);
        a.embeddings.push_back(std::move(emb));
    }
    return a;
}

Result<PisAnalysis> analysePisText(const Model &model, const Tokenizer &tokenizer,
                                   const std::string &text, double gamma, const JobContext &job)
{
    std::vector<Unit> units;
    auto seq = buildTokenSequence(Prompt::fromText(text), tokenizer, units);
    if (!seq)
        return seq.error();
    auto enc = tokenizer.encode(text, false);
    if (!enc)
        return enc.error();
    std::vector<std::string> tokenText;
    for (const auto &u : units)
        tokenText.push_back(text.substr(u.span.begin, u.span.size()));
    std::vector<std::pair<int, int>> sentences;
    std::size_t t = 0;
    for (const Span &s : splitSentences(text)) {
        const std::size_t b = t;
        while (t < units.size() && units[t].span.begin < s.end)
            ++t;
        if (t > b)
            sentences.push_back({static_cast<int>(b), static_cast<int>(t)});
    }
    if (t < units.size())
        sentences.push_back({static_cast<int>(t), static_cast<int>(units.size())});
    std::vector<std::string> keys;
    std::vector<int> wordOf(units.size(), -1);
    for (const WordGroup &g : groupWords(*enc, text)) {
        if (g.span.size() == 0)
            continue;
        keys.push_back(lowerAscii(text.substr(g.span.begin, g.span.size())));
        for (std::size_t k = g.firstToken; k < g.endToken; ++k)
            wordOf[k] = static_cast<int>(keys.size()) - 1;
    }
    return analysePis(model, seq->ids, std::move(tokenText), std::move(sentences), keys, wordOf,
                      gamma, job);
}

std::vector<float> pisState(const PisAnalysis &a, int s)
{
    const int S = static_cast<int>(a.sentences.size());
    std::vector<float> state;
    state.reserve(static_cast<std::size_t>(3 * a.hidden + 2));
    for (int k : {s - 1, s, s + 1}) {
        if (k >= 0 && k < S)
            state.insert(state.end(), a.embeddings[static_cast<std::size_t>(k)].begin(),
                         a.embeddings[static_cast<std::size_t>(k)].end());
        else
            state.insert(state.end(), static_cast<std::size_t>(a.hidden), 0.0f);
    }
    state.push_back(S > 1 ? static_cast<float>(s) / static_cast<float>(S - 1) : 0.0f);
    const auto [b, e] = a.sentences[static_cast<std::size_t>(s)];
    state.push_back(static_cast<float>(e - b) /
                    static_cast<float>(std::max<std::size_t>(1, a.ids.size())));
    return state;
}

double pisReward(const PisAnalysis &a, int s, double fraction)
{
    const auto [b, e] = a.sentences[static_cast<std::size_t>(s)];
    const int len = e - b;
    const int k = std::clamp(static_cast<int>(std::ceil(fraction * len - 1e-9)), 1, len);
    auto order = rankedTokens(a, s);
    std::vector<bool> keep(static_cast<std::size_t>(len), false);
    for (int j = 0; j < k; ++j)
        keep[static_cast<std::size_t>(order[static_cast<std::size_t>(j)] - b)] = true;
    std::string orig, kept;
    for (int t = b; t < e; ++t) {
        orig += a.tokenText[static_cast<std::size_t>(t)];
        if (keep[static_cast<std::size_t>(t - b)])
            kept += a.tokenText[static_cast<std::size_t>(t)];
    }
    // algorithms.md 2.2 item 6: R = 0.3·R_comp + 0.5·ROUGE-1 + 0.2·BLEU for the sentence.
    return 0.3 * (1.0 - static_cast<double>(k) / len) + 0.5 * rougeN(kept, orig, 1).f1 +
           0.2 * bleu(kept, orig);
}

} // namespace detail

namespace {

struct PisSettings {
    double gamma = 0.5;    // TF-IDF weight γ (0 = attention only, 1 = TF-IDF only)
    double tau = 0.9;      // cosine similarity for "redundant"
    double survival = 0.5; // q: a run of c similar sentences deletes with probability 1 - q^c
    bool sis = true;       // sentence-level Russian roulette on/off
    std::string agent;     // agent file; "" = pis_agent.safetensors beside the model
};

// The parameter table (params.h): PisSettings' initializers are the defaults.
const detail::ParamTable<PisSettings> &pisParams()
{
    static const auto table =
        detail::ParamTable<PisSettings>("pis")
            .number("gamma", &PisSettings::gamma, "TF-IDF weight γ",
                    "w = attention^(1−γ) · tfidf^γ", 0, 1, 0.05)
            .number("tau", &PisSettings::tau, "Similarity τ",
                    "a sentence this similar (cosine) to a kept earlier one is redundant", 0, 1,
                    0.01)
            .number("survival", &PisSettings::survival, "Survival q",
                    "c consecutive redundant sentences: delete with probability 1 − q^c", 0, 1,
                    0.05)
            .flag("sentence_filter", &PisSettings::sis, "Sentence filter",
                  "Russian-roulette removal of redundant sentences")
            .text("agent", &PisSettings::agent, "Ratio agent",
                  "safetensors file of a trained agent (default: pis_agent.safetensors beside the "
                  "model)");
    return table;
}

using detail::kNaN;

// SIS (algorithms.md 2.2): a sentence as similar as tau to a kept earlier one (cosine of the mean
// embeddings) is redundant; a run of c redundant sentences deletes each with probability 1 - q^c,
// drawn from a generator seeded with the run's seed. Separator sentences reset the run.
// `similarity` receives each position's best cosine. Returns which sentences survive.
std::vector<bool> sentenceRoulette(const detail::PisAnalysis &a, const std::vector<int> &unitOf,
                                   const PisSettings &settings, std::uint64_t seed,
                                   std::vector<float> &similarity)
{
    const int S = static_cast<int>(a.sentences.size());
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> uni(0.0, 1.0);
    std::vector<bool> sentenceAlive(static_cast<std::size_t>(S), true);
    similarity.assign(unitOf.size(), kNaN);
    int consecutive = 0;
    for (int s = 0; s < S; ++s) {
        bool separator =
            unitOf[static_cast<std::size_t>(a.sentences[static_cast<std::size_t>(s)].first)] < 0;
        float best = 0.0f;
        for (int k = 0; k < s && !separator; ++k)
            if (sentenceAlive[static_cast<std::size_t>(k)])
                best = std::max(best, detail::cosine(a.embeddings[static_cast<std::size_t>(s)],
                                                     a.embeddings[static_cast<std::size_t>(k)]));
        for (int t = a.sentences[static_cast<std::size_t>(s)].first;
             t < a.sentences[static_cast<std::size_t>(s)].second; ++t)
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
    return sentenceAlive;
}

// Per-sentence keep fractions from the trained Double-DQN agent (the `agent` option, else
// pis_agent.safetensors beside the model), or 1.0 for every sentence with a no_agent warning.
Result<std::vector<double>> agentFractions(const detail::PisAnalysis &a,
                                           const PisSettings &settings,
                                           const std::string &modelPath,
                                           std::vector<Warning> &warnings)
{
    const int S = static_cast<int>(a.sentences.size());
    std::vector<double> fraction(static_cast<std::size_t>(S), 1.0);
    std::string agentPath = settings.agent;
    if (agentPath.empty()) {
        namespace fs = std::filesystem;
        const fs::path mp(modelPath);
        const fs::path dir = fs::is_directory(mp) ? mp : mp.parent_path();
        if (fs::exists(dir / "pis_agent.safetensors"))
            agentPath = (dir / "pis_agent.safetensors").string();
    }
    if (!agentPath.empty()) {
        auto agent = detail::PisAgent::load(agentPath);
        if (!agent)
            return agent.error();
        if (agent->stateDim() != 3 * a.hidden + 2)
            return fail(ErrorCode::InvalidArgument,
                        "the PIS agent '" + agentPath + "' expects states of " +
                            std::to_string(agent->stateDim()) + " floats; this model gives " +
                            std::to_string(3 * a.hidden + 2) + " (trained for another model)");
        for (int s = 0; s < S; ++s)
            fraction[static_cast<std::size_t>(s)] =
                detail::pisKeepFraction(agent->greedyAction(detail::pisState(a, s)));
    } else {
        warnings.push_back(
            {"no_agent", "no trained PIS agent (params 'agent' or pis_agent.safetensors beside the "
                         "model): every sentence gets the same keep fraction"});
    }
    return fraction;
}

} // namespace

std::string PisCompressor::description() const
{
    return "Token weights from attention and TF-IDF, redundant sentences removed by seeded Russian "
           "roulette, per-sentence ratios from a Double-DQN agent (PIS, as defined in "
           "algorithms.md 2.2).";
}

std::vector<OptionSpec> PisCompressor::options() const
{
    return pisParams().specs();
}

Result<CompressionResult>
PisCompressor::compress(const Prompt &prompt, const CompressOptions &options, const JobContext &job)
{
    const auto t0 = std::chrono::steady_clock::now();
    if (auto v = validateOptions(prompt, options); !v)
        return v.error();
    auto settings = pisParams().parse(options.params);
    if (!settings)
        return settings.error();
    auto loaded = detail::methodModel(name(), options, DefaultModel::CausalLM);
    if (!loaded)
        return loaded.error();
    const Model &model = (*loaded)->model;
    const Tokenizer &tokenizer = (*loaded)->tokenizer;

    CompressionResult r = detail::newResult(name(), prompt, options, "token", (*loaded)->path);
    auto seq = detail::buildTokenSequence(prompt, tokenizer, r.units);
    if (!seq)
        return seq.error();
    detail::applyPins(r.units, options.pinned);
    const int n = static_cast<int>(seq->ids.size());
    // Token texts, sentences and words per segment (separator tokens form their own sentence).
    std::vector<std::string> tokenText(static_cast<std::size_t>(n));
    std::vector<std::pair<int, int>> sentences;
    std::vector<std::string> keys;
    std::vector<int> wordOf(static_cast<std::size_t>(n), -1);
    int pos = 0;
    while (pos < n) {
        if (seq->unitOf[static_cast<std::size_t>(pos)] < 0) {
            const int b = pos;
            while (pos < n && seq->unitOf[static_cast<std::size_t>(pos)] < 0)
                tokenText[static_cast<std::size_t>(pos++)] = "\n\n";
            sentences.push_back({b, pos});
            continue;
        }
        const int segment =
            r.units[static_cast<std::size_t>(seq->unitOf[static_cast<std::size_t>(pos)])].segment;
        const std::string &text = prompt.segments[static_cast<std::size_t>(segment)].text;
        const int first = pos;
        while (
            pos < n && seq->unitOf[static_cast<std::size_t>(pos)] >= 0 &&
            r.units[static_cast<std::size_t>(seq->unitOf[static_cast<std::size_t>(pos)])].segment ==
                segment) {
            const Unit &u =
                r.units[static_cast<std::size_t>(seq->unitOf[static_cast<std::size_t>(pos)])];
            tokenText[static_cast<std::size_t>(pos++)] = text.substr(u.span.begin, u.span.size());
        }
        int t = first;
        for (const Span &s : splitSentences(text)) {
            const int b = t;
            while (t < pos &&
                   r.units[static_cast<std::size_t>(seq->unitOf[static_cast<std::size_t>(t)])]
                           .span.begin < s.end)
                ++t;
            if (t > b)
                sentences.push_back({b, t});
        }
        if (t < pos)
            sentences.push_back({t, pos});
        auto enc = tokenizer.encode(text, false);
        if (!enc)
            return enc.error();
        for (const WordGroup &g : groupWords(*enc, text)) {
            if (g.span.size() == 0)
                continue;
            keys.push_back(detail::lowerAscii(text.substr(g.span.begin, g.span.size())));
            for (std::size_t k = g.firstToken; k < g.endToken; ++k)
                wordOf[static_cast<std::size_t>(first) + k] = static_cast<int>(keys.size()) - 1;
        }
    }
    if (job.isCancelled())
        return fail(ErrorCode::Cancelled, "compression cancelled");
    job.report(0, 3, "PIS scoring");
    auto analysis = detail::analysePis(model, seq->ids, tokenText, sentences, keys, wordOf,
                                       settings->gamma, job);
    if (!analysis)
        return analysis.error();
    const detail::PisAnalysis &a = *analysis;
    r.forwardMs = a.forwardMs;
    const int S = static_cast<int>(a.sentences.size());
    auto perUnit = [&](const std::vector<float> &perPos) {
        std::vector<float> out(r.units.size(), kNaN);
        for (std::size_t u = 0; u < r.units.size(); ++u)
            out[u] = perPos[static_cast<std::size_t>(seq->positionOf[u])];
        return out;
    };
    r.scores = {{"attention", perUnit(a.attention)},
                {"tfidf", perUnit(a.tfidf)},
                {"weight", perUnit(a.weight)}};

    // SIS: Russian roulette over redundant sentences with a seeded generator.
    if (job.isCancelled())
        return fail(ErrorCode::Cancelled, "compression cancelled");
    job.report(1, 3, "PIS sentence filter");
    std::vector<float> similarity;
    const std::vector<bool> sentenceAlive =
        sentenceRoulette(a, seq->unitOf, *settings, options.seed, similarity);

    // Agent allocations (keep fractions), or uniform.
    auto fractions = agentFractions(a, *settings, (*loaded)->path, r.warnings);
    if (!fractions)
        return fractions.error();
    const std::vector<double> &fraction = *fractions;

    job.report(2, 3, "PIS allocation");
    if (options.mode == CompressionMode::Corrected) {
        // Whole words (issue 14): a word weighs what its heaviest token weighs; within a sentence
        // words rank by weight, across sentences by the share of the sentence's cost ranked above
        // them over the agent's keep fraction, so one budget in target tokens follows the
        // allocations. Words of sentences removed by SIS come after every surviving word (kept only
        // when the rate needs more than survivors hold).
        const detail::WordLayer layer = detail::WordLayer::build(r);
        std::vector<detail::Decision> states = layer.states(r);
        const std::vector<float> wordWeight =
            layer.aggregate(perUnit(a.weight), detail::WordAggregation::Max);
        const std::vector<int> costs = layer.costs(r, options.targetTokenizer);
        std::vector<int> sentenceOfPos(static_cast<std::size_t>(n), -1);
        for (int s = 0; s < S; ++s)
            for (int t = a.sentences[static_cast<std::size_t>(s)].first;
                 t < a.sentences[static_cast<std::size_t>(s)].second; ++t)
                sentenceOfPos[static_cast<std::size_t>(t)] = s;
        std::vector<std::vector<int>> members(static_cast<std::size_t>(S));
        std::vector<int> sentenceOfWord(static_cast<std::size_t>(layer.size()), -1);
        for (int g = 0; g < layer.size(); ++g) {
            const int u = layer.groups()[static_cast<std::size_t>(g)].units.front();
            const int s = sentenceOfPos[static_cast<std::size_t>(
                seq->positionOf[static_cast<std::size_t>(u)])];
            sentenceOfWord[static_cast<std::size_t>(g)] = s;
            if (s >= 0 && states[static_cast<std::size_t>(g)] == detail::Decision::Free)
                members[static_cast<std::size_t>(s)].push_back(g);
        }
        std::vector<float> key(static_cast<std::size_t>(layer.size()), kNaN);
        for (int s = 0; s < S; ++s)
            detail::assignClassKeys(members[static_cast<std::size_t>(s)], wordWeight, costs,
                                    fraction[static_cast<std::size_t>(s)],
                                    sentenceAlive[static_cast<std::size_t>(s)] ? 0.0 : -1e6, key);
        detail::decideWordsByKey(r, layer, key, states, options);
        Stage sis{"sentence filter",
                  {},
                  {{"similarity", perUnit(similarity)}},
                  {{"similarity", settings->tau, "τ"}}};
        Stage tis{"token budget", {}, {}, {}};
        std::vector<float> allocation(static_cast<std::size_t>(n), kNaN);
        bool undone = false;
        for (int g = 0; g < layer.size(); ++g) {
            const int s = sentenceOfWord[static_cast<std::size_t>(g)];
            for (int u : layer.groups()[static_cast<std::size_t>(g)].units) {
                Unit &x = r.units[static_cast<std::size_t>(u)];
                if (s >= 0)
                    allocation[static_cast<std::size_t>(
                        seq->positionOf[static_cast<std::size_t>(u)])] =
                        static_cast<float>(fraction[static_cast<std::size_t>(s)]);
                if (x.kept) {
                    undone = undone ||
                             (s >= 0 && !sentenceAlive[static_cast<std::size_t>(s)] && !x.forced);
                    continue;
                }
                const bool bySis = s >= 0 && !sentenceAlive[static_cast<std::size_t>(s)];
                x.stage = bySis ? 0 : 1;
                (bySis ? sis : tis).removedUnits.push_back(u);
            }
        }
        if (undone)
            r.warnings.push_back({"sentence_filter_undone",
                                  "the requested rate keeps more tokens than the surviving "
                                  "sentences hold: words of removed sentences were kept"});
        tis.scores = {{"weight", perUnit(a.weight)}, {"allocation", perUnit(allocation)}};
        r.stages = {std::move(sis), std::move(tis)};
        r.totalMs = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
                        .count();
        job.report(3, 3, "done");
        return r;
    }
    // Reference: fractions are relative allocations, scaled so the kept tokens meet the rate
    // exactly.

    const long budget = detail::keepBudget(r.units, options);
    std::vector<int> state(static_cast<std::size_t>(n),
                           0); // 1 forced keep, -1 forced drop / separator
    long forcedKept = 0;
    for (int t = 0; t < n; ++t) {
        const int u = seq->unitOf[static_cast<std::size_t>(t)];
        if (u < 0)
            state[static_cast<std::size_t>(t)] = -1;
        else if (r.units[static_cast<std::size_t>(u)].forced) {
            state[static_cast<std::size_t>(t)] = r.units[static_cast<std::size_t>(u)].kept ? 1 : -1;
            forcedKept += r.units[static_cast<std::size_t>(u)].kept ? 1 : 0;
        }
    }
    std::vector<int> freeCount(static_cast<std::size_t>(S), 0);
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
    std::vector<long> take(static_cast<std::size_t>(S), 0);
    auto allocate = [&](const std::vector<bool> &eligible, long want) {
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
            const double x = std::min(cap[static_cast<std::size_t>(s)],
                                      hi * desire[static_cast<std::size_t>(s)]);
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
    };
    long placed = allocate(sentenceAlive, std::min(room, freeAlive));
    if (placed < room) {
        std::vector<bool> removed(static_cast<std::size_t>(S));
        for (int s = 0; s < S; ++s)
            removed[static_cast<std::size_t>(s)] = !sentenceAlive[static_cast<std::size_t>(s)];
        placed += allocate(removed, room - placed);
        r.warnings.push_back({"sentence_filter_undone",
                              "the requested rate keeps more tokens than the surviving "
                              "sentences hold: tokens of removed sentences were kept"});
    }

    Stage sis{"sentence filter",
              {},
              {{"similarity", perUnit(similarity)}},
              {{"similarity", settings->tau, "τ"}}};
    Stage tis{"token budget", {}, {}, {}};
    std::vector<float> allocation(static_cast<std::size_t>(n), kNaN);
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
            Unit &u = r.units[static_cast<std::size_t>(seq->unitOf[static_cast<std::size_t>(t)])];
            u.kept = static_cast<long>(j) < take[static_cast<std::size_t>(s)];
            if (!u.kept) {
                const bool bySis = !sentenceAlive[static_cast<std::size_t>(s)] &&
                                   take[static_cast<std::size_t>(s)] == 0;
                u.stage = bySis ? 0 : 1;
                (bySis ? sis : tis)
                    .removedUnits.push_back(seq->unitOf[static_cast<std::size_t>(t)]);
            }
        }
    }
    for (int u = 0; u < static_cast<int>(r.units.size()); ++u)
        if (r.units[static_cast<std::size_t>(u)].forced &&
            !r.units[static_cast<std::size_t>(u)].kept) {
            r.units[static_cast<std::size_t>(u)].stage = 1;
            tis.removedUnits.push_back(u);
        }
    tis.scores = {{"weight", perUnit(a.weight)}, {"allocation", perUnit(allocation)}};
    r.stages = {std::move(sis), std::move(tis)};
    finalizeResult(r);
    r.compressedText = detail::keptTokenText(r); // token units: the decode of the kept ids
    detail::countTargetTokens(r, prompt, options.targetTokenizer);
    r.totalMs =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    job.report(3, 3, "done");
    return r;
}

} // namespace terse
