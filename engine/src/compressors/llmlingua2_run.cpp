// LLMLingua-2, the stages of one compression (llmlingua2_run.h; steps cite algorithms.md 1.5,
// microsoft/LLMLingua compress_prompt_llmlingua2).
#include "compressors/llmlingua2_run.h"

#include "compressors/budget.h"
#include "compressors/common.h"
#include "compressors/context_rank.h"
#include "core/engine_error.h"
#include "core/word_joins.h"
#include "models/model_context.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>

namespace terse::detail::lingua2 {

Run::Run(const Prompt &prompt, const CompressOptions &options, const JobContext &job,
         const Params &params, const Model &model, const Tokenizer &tokenizer, std::string method,
         std::string modelPath)
    : prompt(prompt), options(options), job(job), p(params), model(model), tok(tokenizer),
      method(std::move(method)), modelPath(std::move(modelPath)),
      reference(options.mode == CompressionMode::Reference),
      wordPiece(tokenizer.kind() == "wordpiece"), byteLevel(tokenizer.kind() == "bpe-bytelevel")
{
}

CompressionResult Run::run()
{
    mapForceTokens();
    chunkContexts();
    classifyChunks();
    mergeWords();
    buildUnits();
    coarseRanking();
    decideUnits();
    finish();
    return std::move(r);
}

void Run::mapForceTokens()
{
    // 1.5 step 1: force tokens that are not exactly one subword become [NEWi].
    for (std::size_t i = 0; i < p.forceTokens.size(); ++i) {
        auto enc = tok.encodeIds(p.forceTokens[i]);
        if (enc && enc->size() == 1)
            continue;
        const std::string name = "[NEW" + std::to_string(i) + "]";
        const int id = tok.tokenToId(name);
        if (id < 0)
            raise(ErrorCode::Unsupported,
                  "force token #" + std::to_string(i) +
                      " is not one subword and the model vocabulary has no " + name);
        mapped.push_back({p.forceTokens[i], static_cast<int>(i), id});
    }
    chunkEnd.insert(p.chunkEndTokens.begin(), p.chunkEndTokens.end());
    for (const auto &m : mapped)
        if (chunkEnd.count(m.text))
            chunkEnd.insert("[NEW" + std::to_string(m.index) + "]");
    sid = tok.specialIds();
    cls = sid.cls >= 0 ? sid.cls : sid.bos;
    sep = sid.sep >= 0 ? sid.sep : sid.eos;
    maxLen = std::min(512, model.info().maxPositions > 0 ? model.info().maxPositions : 512);
}

void Run::encodePiece(const std::string &text, std::size_t b, std::size_t e,
                      std::vector<Tok> &toks) const
{
    if (e <= b)
        return;
    const Encoding enc = unwrap(tok.encode(std::string_view(text).substr(b, e - b), false));
    for (std::size_t k = 0; k < enc.size(); ++k) {
        // Byte-level BPE: compare the token's text (" word", "\n"), not its byte-alphabet string.
        std::string str = enc.tokens[k];
        if (byteLevel && !enc.special[k])
            str = text.substr(enc.spans[k].begin + b, enc.spans[k].size());
        toks.push_back({enc.ids[k],
                        std::move(str),
                        {enc.spans[k].begin + b, enc.spans[k].end + b},
                        -1,
                        enc.special[k] != 0});
    }
}

std::vector<Tok> Run::mappedTokens(const std::string &text) const
{
    // The text between mapped force tokens is encoded as is; each force token is one [NEWi].
    std::vector<Tok> toks;
    std::size_t pos = 0;
    while (pos <= text.size()) {
        std::size_t best = std::string::npos;
        const MappedToken *bm = nullptr;
        for (const auto &m : mapped) {
            const std::size_t f = text.find(m.text, pos);
            if (f != std::string::npos && (f < best))
                best = f, bm = &m;
        }
        const std::size_t stop = best == std::string::npos ? text.size() : best;
        encodePiece(text, pos, stop, toks);
        if (!bm)
            break;
        toks.push_back({bm->id,
                        "[NEW" + std::to_string(bm->index) + "]",
                        {best, best + bm->text.size()},
                        bm->index,
                        false});
        pos = best + bm->text.size();
    }
    return toks;
}

void Run::chunkContexts()
{
    // __chunk_context (1.5 step 2): windows of maxLen-2, cut after the last chunk-end token
    // (inclusive scan from the end).
    const int maxChunk = maxLen - 2;
    for (int s = 0; s < static_cast<int>(prompt.segments.size()); ++s) {
        if (prompt.segments[s].role != SegmentRole::Context)
            continue;
        const std::vector<Tok> toks = mappedTokens(prompt.segments[s].text);
        const int nTok = static_cast<int>(toks.size());
        int st = 0;
        while (st < nTok) {
            int ed;
            if (st + maxChunk > nTok - 1) {
                ed = nTok - 1;
            } else {
                ed = st + maxChunk;
                for (int j = 0; j < ed - st; ++j)
                    if (chunkEnd.count(toks[ed - j].str)) {
                        ed = ed - j;
                        break;
                    }
            }
            chunks.push_back({s, std::vector<Tok>(toks.begin() + st, toks.begin() + ed + 1)});
            st = ed + 1;
        }
    }
}

void Run::classifyChunks()
{
    // [CLS] + tokens + [SEP], truncated to maxLen (a 511-token chunk loses its [SEP], as
    // TokenClfDataset), in batches of 50 (1.5 step 3).
    for (const auto &c : chunks) {
        std::vector<int> ids{cls};
        for (const auto &t : c.toks)
            ids.push_back(t.id);
        ids.push_back(sep);
        if (static_cast<int>(ids.size()) > maxLen)
            ids.resize(maxLen);
        inputs.push_back(std::move(ids));
    }
    keepProb.resize(chunks.size());
    ScoreRequest req;
    req.wantEntropy = false;
    constexpr std::size_t kBatch = 50;
    const auto total = static_cast<long long>(inputs.size());
    for (std::size_t b = 0; b < inputs.size(); b += kBatch) {
        if (job.isCancelled())
            raise(ErrorCode::Cancelled, "compression cancelled");
        job.report(static_cast<long long>(b), total, "classifying chunks");
        const std::size_t e = std::min(inputs.size(), b + kBatch);
        std::vector<std::vector<int>> batch(inputs.begin() + b, inputs.begin() + e);
        auto scored =
            unwrap(model.score(batch, req,
                               job.scaled(static_cast<long long>(b), static_cast<long long>(e - b),
                                          total, "classifying chunks")));
        forwardMs += scored.seconds * 1000.0;
        const int labels = model.info().numLabels;
        for (std::size_t k = b; k < e; ++k) {
            const auto &cp = scored.sequences[k - b].classProbs;
            auto &out = keepProb[k];
            // p_t = softmax(logits)[..., 1] of the tokens after [CLS] (1.5 step 4).
            for (std::size_t t = 1; t < inputs[k].size(); ++t)
                out.push_back(cp[t * labels + 1]);
        }
    }
}

bool Run::isForceText(const std::string &s) const
{
    return std::find(p.forceTokens.begin(), p.forceTokens.end(), s) != p.forceTokens.end();
}

bool Run::beginsWord(const Tok &tk, std::string &pure) const
{
    // is_begin_of_new_word: WordPiece continues a word with "##"; XLM-R starts one with "▁", a
    // single punctuation character or a (mapped) force token.
    if (wordPiece) {
        std::size_t k = 0;
        while (k < pure.size() && pure[k] == '#')
            ++k; // lstrip("##") strips every leading '#'
        const std::string stripped = pure.substr(k);
        const bool begins = tk.mapped >= 0 || isForceText(stripped) || pure.rfind("##", 0) != 0;
        if (!begins)
            pure = stripped;
        return begins;
    }
    const bool punct = pure.size() == 1 && std::ispunct(static_cast<unsigned char>(pure[0]));
    return tk.mapped >= 0 || punct || isForceText(pure) || pure.rfind("\xe2\x96\x81", 0) == 0 ||
           (byteLevel && !pure.empty() && std::isspace(static_cast<unsigned char>(pure[0])));
}

void Run::mergeWords()
{
    // __merge_token_to_word (1.5 step 5) per chunk: special tokens are skipped; a word whose pure
    // text is a force token gets p = 1, and with force_reserve_digit every token with a digit.
    words.resize(prompt.segments.size());
    // Corrected mode: each segment's dictionary word edges (empty for text without such scripts).
    std::vector<std::vector<char>> edgesOf(prompt.segments.size());
    if (!reference)
        for (std::size_t s = 0; s < prompt.segments.size(); ++s)
            edgesOf[s] = detail::dictionaryWordEdges(prompt.segments[s].text);
    for (std::size_t c = 0; c < chunks.size(); ++c) {
        const auto &toks = chunks[c].toks;
        auto &ws = words[chunks[c].segment];
        const std::vector<char> &edges = edgesOf[static_cast<std::size_t>(chunks[c].segment)];
        const std::size_t active = std::min(toks.size(), keepProb[c].size());
        bool open = false;
        for (std::size_t t = 0; t < active; ++t) {
            const Tok &tk = toks[t];
            const float prob = keepProb[c][t];
            const bool unk = tk.id == sid.unk;
            if ((tk.special || unk) && tk.mapped < 0 && (reference || !unk)) {
                if (unk) { // reference: special tokens are skipped; keep the span as an undecided
                           // unit
                    Word w;
                    w.core = tk.span;
                    w.modelWord = false;
                    w.chunk = static_cast<int>(c);
                    ws.push_back(w);
                    open = false;
                }
                continue;
            }
            std::string pure = tk.str;
            // Corrected mode: a word of CJK or Thai text begins where the dictionary's does (the
            // text has no spaces; a whole clause was one word).
            const bool cjk =
                tk.span.end > tk.span.begin && tk.span.begin < edges.size() && edges[tk.span.begin];
            const bool begins = beginsWord(tk, pure) || !open || cjk;
            const bool digit = p.forceReserveDigit && tk.mapped < 0 && hasDigit(tk.str);
            if (!begins) {
                Word &w = ws.back();
                w.core.end = std::max(w.core.end, tk.span.end);
                w.probs.push_back(digit ? 1.f : prob);
                continue;
            }
            Word w;
            w.core = tk.span;
            w.chunk = static_cast<int>(c);
            std::string pureText = tk.str;
            if (!wordPiece && pureText.rfind("\xe2\x96\x81", 0) == 0)
                pureText = pureText.substr(3);
            else if (byteLevel && pureText.size() > 1 && pureText[0] == ' ')
                pureText = pureText.substr(1);
            float pf = prob;
            if (tk.mapped >= 0) {
                w.force = 2 + tk.mapped;
                pf = 1.f;
            } else if (isForceText(pureText)) {
                w.force = 1;
                pf = 1.f;
            }
            w.probs.push_back(digit ? 1.f : pf);
            w.firstRaw = prob;
            ws.push_back(std::move(w));
            open = true;
        }
    }
}

float Run::countTarget(std::string_view s) const
{
    if (!target)
        return s.empty() ? 0.f : 1.f;
    EncodeOptions eo;
    eo.specialText = SpecialText::AsText;
    auto c = target->countTokens(s, eo);
    return c ? static_cast<float>(*c) : 1.f;
}

void Run::addUnit(int s, Span core, float pw, float pnf, float force, float chunk, float tt)
{
    Unit u;
    u.segment = s;
    u.span = core;
    r.units.push_back(u);
    cache.prob.push_back(pw);
    cache.probNoForce.push_back(pnf);
    cache.force.push_back(force);
    cache.chunk.push_back(chunk);
    cache.targetTokens.push_back(tt);
    cache.wordOffset.push_back(0.f);
    cache.wordBytes.push_back(static_cast<float>(core.size()));
    cache.protect.push_back(0.f);
}

void Run::buildUnits()
{
    // Units: one per word (or identifier run in corrected mode), spans tiling each segment.
    r.method = method;
    r.mode = options.mode;
    r.segments = prompt.segments;
    r.unitName = "word";
    r.model = modelPath;
    r.forwardMs = forwardMs;
    if (auto t = targetTokenizer(options.targetTokenizer))
        target = *t;
    for (int s = 0; s < static_cast<int>(r.segments.size()); ++s)
        segmentUnits(s);
    r.scores = {{kProb, cache.prob}, {kProbNoForce, cache.probNoForce}};
    r.internals = {{kForce, cache.force},
                   {kChunk, cache.chunk},
                   {kTargetTokens, cache.targetTokens},
                   {kWordOffset, cache.wordOffset},
                   {kWordBytes, cache.wordBytes},
                   {kProtected, cache.protect}};
}

void Run::segmentUnits(int s)
{
    const std::string &text = r.segments[s].text;
    const std::size_t first = r.units.size();
    if (r.segments[s].role != SegmentRole::Context || words[s].empty()) {
        addUnit(s, {0, text.size()}, kNaN, kNaN, 0.f, kNaN, 0.f);
        return;
    }
    for (const Word &wd : words[s]) {
        double pw = wd.probs.empty() ? 0.0 : wd.probs[0];
        if (!p.firstSubword && !wd.probs.empty()) {
            double sum = 0;
            for (float v : wd.probs)
                sum += v;
            pw = sum / static_cast<double>(wd.probs.size()); // 1.5 step 6: "mean"
        }
        const std::string_view core = std::string_view(text).substr(wd.core.begin, wd.core.size());
        if (!wd.modelWord) {
            addUnit(s, wd.core, kNaN, kNaN, 0.f, kNaN, 0.f);
            continue;
        }
        // Corrected mode: merge identifier/number runs into one unit (score: the max word
        // probability).
        if (!reference && p.keepIdentifiers && r.units.size() > first &&
            !std::isnan(cache.chunk.back()) &&
            identifierJoin(text, {r.units.back().span.begin, r.units.back().span.end}, wd.core)) {
            r.units.back().span.end = wd.core.end;
            cache.prob.back() = std::max(cache.prob.back(), static_cast<float>(pw));
            cache.probNoForce.back() = std::max(cache.probNoForce.back(), wd.firstRaw);
            cache.force.back() = 0.f;
            cache.wordBytes.back() = static_cast<float>(r.units.back().span.size());
            cache.targetTokens.back() = countTarget(std::string_view(text).substr(
                r.units.back().span.begin, r.units.back().span.size()));
            continue;
        }
        addUnit(s, wd.core, static_cast<float>(pw), wd.firstRaw, static_cast<float>(wd.force),
                static_cast<float>(wd.chunk), countTarget(core));
    }
    // Tile: each unit runs to the next unit's start; the first starts at 0 and the last ends at
    // the text end.
    const std::size_t last = r.units.size();
    for (std::size_t i = first; i < last; ++i) {
        const std::size_t begin = i == first ? 0 : r.units[i].span.begin;
        cache.wordOffset[i] = static_cast<float>(r.units[i].span.begin - begin);
        r.units[i].span.begin = begin;
        r.units[i].span.end = i + 1 < last ? r.units[i + 1].span.begin : text.size();
    }
    if (!reference)
        protectUnits(s, first, last);
}

void Run::protectUnits(int s, std::size_t first, std::size_t last)
{
    // Corrected mode: a word overlapping protected structure or protect_regex is kept first.
    const auto spans = unwrap(protectedSpans(r.segments[s].text, p.protectRegex, p.keepStructure));
    for (std::size_t i = first; i < last; ++i) {
        const std::size_t b = r.units[i].span.begin + static_cast<std::size_t>(cache.wordOffset[i]);
        if (overlapsAny(spans, b, b + static_cast<std::size_t>(cache.wordBytes[i])))
            cache.protect[i] = 1.f;
    }
}

void Run::coarseRanking()
{
    if (!p.coarseRank())
        return;
    auto rank = unwrap(contextRankSeries(r, p, detail::rankingVectors(options).get(), reference,
                                         options.device, job, forwardMs));
    if (!rank.empty())
        r.scores.push_back(ScoreSeries{kContextRank, std::move(rank)});
    r.forwardMs = forwardMs;
}

Result<std::vector<float>> contextRankSeries(const CompressionResult &r, const Params &p,
                                             const WordVectors *vectors, bool reference,
                                             const std::string &device, const JobContext &job,
                                             double &forwardMs)
{
    const std::string question = questionText(r);
    std::vector<int> contexts;
    for (int s = 0; s < static_cast<int>(r.segments.size()); ++s)
        if (r.segments[s].role == SegmentRole::Context)
            contexts.push_back(s);
    if (contexts.size() < 2)
        return std::vector<float>{};
    const bool noQuestion = question.empty();
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
                                                                    : detail::TermSplit::Search,
                                                          vectors)
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

void Run::decideUnits()
{
    unwrap(decide(r, options, p));
}

void Run::finish()
{
    if (!reference && chunks.size() > 1)
        r.warnings.push_back({"chunked", "the prompt was classified in " +
                                             std::to_string(chunks.size()) + " chunks of at most " +
                                             std::to_string(maxLen) + " tokens"});
}

} // namespace terse::detail::lingua2
