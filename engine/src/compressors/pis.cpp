// PIS as implemented here (algorithms.md 2.2): the analysis shared with the agent trainer (one
// forward: attention, TF-IDF, weights and sentence embeddings; the agent's state and reward), the
// options and compress(), which runs the stages of pis_run.h.
#include "compressors/pis.h"

#include "compressors/common.h"
#include "compressors/params.h"
#include "compressors/pis_run.h"
#include "core/engine_error.h"
#include "models/model_context.h"
#include "terse/metrics.h"
#include "terse/text_units.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <numeric>

namespace terse {

namespace detail {

namespace {

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

Result<PisAnalysis>
analysePis(const Model &model, std::vector<int> ids, std::vector<std::string> tokenText,
           std::vector<std::pair<int, int>> sentences, const std::vector<std::string> &wordKeys,
           const std::vector<int> &wordOf, double gamma, const JobContext &job, bool sentenceTf)
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
    // TF over the whole prompt (or, sentenceTf, within the word's sentence); IDF with the sentences
    // as documents, idf = ln((1+S)/(1+df)) + 1.
    std::map<std::string, int> tf;
    std::map<std::pair<int, std::string>, int> sentenceCount; // sentenceTf: (sentence, word) -> n
    std::vector<int> sentenceWords(a.sentences.size(), 0);
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
        if (sentenceTf) {
            ++sentenceCount[{sentenceOf[t], key}];
            ++sentenceWords[static_cast<std::size_t>(sentenceOf[t])];
        }
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
        const double share =
            sentenceTf
                ? sentenceCount[{sentenceOf[t], key}] /
                      std::max(1.0, static_cast<double>(
                                        sentenceWords[static_cast<std::size_t>(sentenceOf[t])]))
                : tf[key] / std::max(1.0, static_cast<double>(words));
        tfidf[static_cast<std::size_t>(t)] = static_cast<float>(share * idf);
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
    const Prompt prompt = Prompt::fromText(text);
    std::vector<Unit> units;
    auto seq = buildTokenSequence(prompt, tokenizer, units);
    if (!seq)
        return seq.error();
    auto tokens = pis::pisTokens(prompt, tokenizer, units, *seq);
    if (!tokens)
        return tokens.error();
    return analysePis(model, seq->ids, std::move(tokens->text), std::move(tokens->sentences),
                      tokens->wordKeys, tokens->wordOf, gamma, job);
}

Result<pis::Tokens> pis::pisTokens(const Prompt &prompt, const Tokenizer &tokenizer,
                                   const std::vector<Unit> &units, const TokenSequence &seq)
{
    // Separator tokens form their own sentence; a segment's sentences are splitSentences' and its
    // words groupDictionaryWords' (CJK and Thai words are dictionary words, not clauses).
    const int n = static_cast<int>(seq.ids.size());
    Tokens out;
    out.text.resize(static_cast<std::size_t>(n));
    out.wordOf.assign(static_cast<std::size_t>(n), -1);
    auto unitAt = [&](int pos) -> const Unit & {
        return units[static_cast<std::size_t>(seq.unitOf[static_cast<std::size_t>(pos)])];
    };
    int pos = 0;
    while (pos < n) {
        if (seq.unitOf[static_cast<std::size_t>(pos)] < 0) {
            const int b = pos;
            while (pos < n && seq.unitOf[static_cast<std::size_t>(pos)] < 0)
                out.text[static_cast<std::size_t>(pos++)] = "\n\n";
            out.sentences.push_back({b, pos});
            continue;
        }
        const int segment = unitAt(pos).segment;
        const std::string &text = prompt.segments[static_cast<std::size_t>(segment)].text;
        const int first = pos;
        while (pos < n && seq.unitOf[static_cast<std::size_t>(pos)] >= 0 &&
               unitAt(pos).segment == segment) {
            const Unit &u = unitAt(pos);
            out.text[static_cast<std::size_t>(pos++)] = text.substr(u.span.begin, u.span.size());
        }
        int t = first;
        for (const Span &s : terse::splitSentences(text)) {
            const int b = t;
            // A token belongs to the sentence of its last byte (" Tom" after "sat. " starts with
            // the space that ends the previous sentence).
            auto lastByte = [&](int k) {
                const Span &sp = unitAt(k).span;
                return sp.end > sp.begin ? sp.end - 1 : sp.begin;
            };
            while (t < pos && lastByte(t) < s.end)
                ++t;
            if (t > b)
                out.sentences.push_back({b, t});
        }
        if (t < pos)
            out.sentences.push_back({t, pos});
        auto enc = tokenizer.encode(text, false);
        if (!enc)
            return enc.error();
        for (const WordGroup &g : groupDictionaryWords(*enc, text)) {
            if (g.span.size() == 0)
                continue;
            out.wordKeys.push_back(lowerAscii(text.substr(g.span.begin, g.span.size())));
            for (std::size_t k = g.firstToken; k < g.endToken; ++k)
                out.wordOf[static_cast<std::size_t>(first) + k] =
                    static_cast<int>(out.wordKeys.size()) - 1;
        }
    }
    return out;
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

using detail::pis::Settings;

// The parameter table (params.h): Settings' initializers are the defaults.
const detail::ParamTable<Settings> &pisParams()
{
    static const auto table =
        detail::ParamTable<Settings>("pis")
            .number("gamma", &Settings::gamma, "TF-IDF weight γ", "w = attention^(1−γ) · tfidf^γ",
                    0, 1, 0.05)
            .number("tau", &Settings::tau, "Similarity τ",
                    "a sentence this similar (cosine) to a kept earlier one is redundant", 0, 1,
                    0.01)
            .number("survival", &Settings::survival, "Survival q",
                    "c consecutive redundant sentences: delete with probability 1 − q^c", 0, 1,
                    0.05)
            .flag("sentence_filter", &Settings::sis, "Sentence filter",
                  "Russian-roulette removal of redundant sentences")
            .text("agent", &Settings::agent, "Ratio agent",
                  "safetensors file of a trained agent (default: pis_agent.safetensors beside the "
                  "model)")
            .questionFocus(&Settings::questionFocus);
    return table;
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
    auto start =
        detail::startModelMethod(name(), prompt, options, pisParams(), DefaultModel::CausalLM);
    if (!start)
        return start.error();
    const detail::LoadedModel &loaded = *start->model;
    try {
        detail::pis::Run run(prompt, options, job, std::move(start->params), loaded.model,
                             loaded.tokenizer, loaded.path,
                             detail::newResult(name(), prompt, options, "token", loaded.path));
        CompressionResult r = run.run();
        r.totalMs = detail::msSince(t0);
        job.report(3, 3, "done");
        return r;
    } catch (const detail::EngineError &e) {
        return e.error();
    }
}

} // namespace terse
