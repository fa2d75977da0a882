// `terse eval tagger`: word-level keep precision/recall/F1 of a token classifier on held-out human
// compressions, next to two baselines on the same words: keep-by-LM-surprisal at the tagger's rate
// and keep-all-but-stopwords.
#include "terse/model.h"
#include "terse/resources.h"
#include "terse/train.h"

#include "train/tagger_data.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <optional>

namespace terse {

namespace {

struct Counts {
    long long tp = 0, fp = 0, fn = 0, kept = 0, words = 0;
    void add(bool pred, bool gold)
    {
        tp += pred && gold;
        fp += pred && !gold;
        fn += !pred && gold;
        kept += pred;
        ++words;
    }
    TaggerMetrics metrics() const
    {
        TaggerMetrics m;
        m.words = words;
        m.precision = tp + fp ? double(tp) / double(tp + fp) : 0;
        m.recall = tp + fn ? double(tp) / double(tp + fn) : 0;
        m.f1 =
            m.precision + m.recall > 0 ? 2 * m.precision * m.recall / (m.precision + m.recall) : 0;
        m.rate = words ? double(kept) / double(words) : 0;
        return m;
    }
};

ScoreRequest noEntropy()
{
    ScoreRequest r;
    r.wantEntropy = false;
    return r;
}

// Indices of the k largest values (ties: earlier first).
std::vector<bool> topK(const std::vector<double> &v, std::size_t k)
{
    std::vector<std::size_t> idx(v.size());
    std::iota(idx.begin(), idx.end(), 0);
    std::stable_sort(idx.begin(), idx.end(), [&](auto a, auto b) { return v[a] > v[b]; });
    std::vector<bool> keep(v.size(), false);
    for (std::size_t i = 0; i < std::min(k, idx.size()); ++i)
        keep[idx[i]] = true;
    return keep;
}

std::string lowerWord(const LabeledSentence &s, std::size_t w)
{
    std::string out = s.text.substr(s.words[w].begin, s.words[w].size());
    for (auto &c : out)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

} // namespace

Result<TaggerEvalReport> evalTagger(const std::string &taggerPath,
                                    const std::vector<std::string> &files,
                                    const std::string &lmPath, int heldoutEvery,
                                    const JobContext &job)
{
    const auto t0 = std::chrono::steady_clock::now();
    auto pairs = loadCompressionPairs(files, heldoutEvery);
    if (!pairs)
        return pairs.error();
    const auto &sents = pairs->heldout.empty() ? pairs->train : pairs->heldout;
    auto model = Model::load(taggerPath);
    if (!model)
        return model.error();
    if (model->info().kind != ModelKind::TokenClassifier || model->info().numLabels != 2)
        return fail(ErrorCode::Unsupported,
                    "'" + taggerPath + "' is not a 2-label token classifier");
    auto tok = Tokenizer::load(taggerPath);
    if (!tok)
        return tok.error();
    const SpecialIds sid = tok->specialIds();
    const int cls = sid.cls >= 0 ? sid.cls : sid.bos, sep = sid.sep >= 0 ? sid.sep : sid.eos;
    if (cls < 0 || sep < 0)
        return fail(ErrorCode::InvalidInput,
                    "the tagger's tokenizer has no [CLS]/[SEP] or BOS/EOS token");
    const int maxLen = model->info().maxPositions > 0 ? model->info().maxPositions : 512;

    std::string lm = lmPath;
    if (lm.empty())
        if (auto d = defaultModelPath(DefaultModel::CausalLM))
            lm = *d;
    std::optional<Model> lmModel;
    std::optional<Tokenizer> lmTok;
    if (!lm.empty()) {
        auto m = Model::load(lm);
        if (!m)
            return m.error();
        if (m->info().kind != ModelKind::CausalLM)
            return fail(ErrorCode::Unsupported,
                        "'" + lm + "' is not a causal LM (needed for the surprisal baseline)");
        auto t = Tokenizer::load(lm);
        if (!t)
            return t.error();
        lmModel = std::move(*m);
        lmTok = std::move(*t);
    }

    // Mean p(keep) of each word of `s` (its tokens as [CLS] tokens [SEP]); words cut off by
    // maxLen get 0 (dropped).
    const auto keepProbs = [&](const LabeledSentence &s) -> Result<std::vector<double>> {
        auto tt = train::tagTokens(*tok, s, cls, sep, maxLen);
        if (!tt)
            return tt.error();
        auto scored = model->score({tt->ids}, noEntropy());
        if (!scored)
            return scored.error();
        const auto &cp = scored->sequences[0].classProbs;
        std::vector<double> p(s.words.size(), 0.0);
        std::vector<int> cnt(s.words.size(), 0);
        for (std::size_t t = 0; t < tt->ids.size(); ++t)
            if (tt->word[t] >= 0) {
                p[static_cast<std::size_t>(tt->word[t])] += cp[t * 2 + 1];
                ++cnt[static_cast<std::size_t>(tt->word[t])];
            }
        for (std::size_t w = 0; w < p.size(); ++w)
            p[w] = cnt[w] ? p[w] / cnt[w] : 0.0;
        return p;
    };

    TaggerEvalReport rep;
    rep.sentences = static_cast<int>(sents.size());
    rep.lm = lmModel ? lm : "";
    Counts tagger, atHuman, surprisal, surprisalHuman, stop, all, passages;
    long long humanKept = 0, humanWords = 0;
    for (std::size_t i = 0; i < sents.size(); ++i) {
        if (job.isCancelled())
            return fail(ErrorCode::Cancelled, "tagger evaluation cancelled");
        job.report(static_cast<long long>(i), static_cast<long long>(sents.size()), "sentences");
        const LabeledSentence &s = sents[i];
        const std::size_t W = s.words.size();
        auto probs = keepProbs(s);
        if (!probs)
            return probs.error();
        const std::vector<double> &p = *probs;
        std::size_t taggerKept = 0, gold = 0;
        for (std::size_t w = 0; w < W; ++w) {
            taggerKept += p[w] >= 0.5;
            gold += s.keep[w];
        }
        const auto human = topK(p, gold);
        for (std::size_t w = 0; w < W; ++w) {
            tagger.add(p[w] >= 0.5, s.keep[w]);
            atHuman.add(human[w], s.keep[w]);
            stop.add(!train::isStopword(lowerWord(s, w)), s.keep[w]);
            all.add(true, s.keep[w]);
        }
        humanKept += static_cast<long long>(gold);
        humanWords += static_cast<long long>(W);
        if (lmModel) {
            // Word surprisal = sum of its tokens' -log p given BOS and the preceding text.
            LabeledSentence copy = s;
            const int bos = lmTok->specialIds().bos >= 0 ? lmTok->specialIds().bos : 0;
            auto lt = train::tagTokens(
                *lmTok, copy, bos, bos,
                lmModel->info().maxPositions > 0 ? lmModel->info().maxPositions : 1 << 20);
            if (!lt)
                return lt.error();
            lt->ids.pop_back(); // no trailing separator for the LM
            lt->word.pop_back();
            auto ls = lmModel->score({lt->ids}, noEntropy());
            if (!ls)
                return ls.error();
            std::vector<double> sur(W, 0.0);
            const auto &su = ls->sequences[0].surprisal;
            for (std::size_t t = 1; t < lt->ids.size(); ++t)
                if (lt->word[t] >= 0 && std::isfinite(su[t]))
                    sur[static_cast<std::size_t>(lt->word[t])] += su[t];
            const auto keep = topK(sur, taggerKept), keepHuman = topK(sur, gold);
            for (std::size_t w = 0; w < W; ++w) {
                surprisal.add(keep[w], s.keep[w]);
                surprisalHuman.add(keepHuman[w], s.keep[w]);
            }
        }
    }
    // Running text: consecutive held-out sentences joined into passages of the tagger's context.
    auto joined = train::joinIntoPassages(*tok, sents, maxLen);
    if (!joined)
        return joined.error();
    for (const LabeledSentence &passage : *joined) {
        if (job.isCancelled())
            return fail(ErrorCode::Cancelled, "tagger evaluation cancelled");
        job.report(rep.passages, static_cast<long long>(joined->size()), "passages");
        auto p = keepProbs(passage);
        if (!p)
            return p.error();
        for (std::size_t w = 0; w < passage.words.size(); ++w)
            passages.add((*p)[w] >= 0.5, passage.keep[w]);
        ++rep.passages;
    }
    rep.inPassages = passages.metrics();
    rep.humanRate = humanWords ? double(humanKept) / double(humanWords) : 0;
    rep.tagger = tagger.metrics();
    rep.taggerAtHumanRate = atHuman.metrics();
    rep.stopwords = stop.metrics();
    rep.keepAll = all.metrics();
    if (lmModel) {
        rep.surprisal = surprisal.metrics();
        rep.surprisalAtHumanRate = surprisalHuman.metrics();
    }
    rep.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return rep;
}

} // namespace terse
