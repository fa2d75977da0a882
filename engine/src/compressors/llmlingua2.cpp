#include "compressors/llmlingua2.h"
#include "compressors/llmlingua2_impl.h"

#include "compressors/budget.h"
#include "compressors/common.h"
#include "compressors/params.h"
#include "compressors/context_rank.h"
#include "models/model_context.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <chrono>
#include <cmath>
#include <limits>
#include <set>
namespace terse {

namespace {

using detail::kNaN;
using namespace detail::lingua2;

// Force-token lists are whitespace-separated with C escapes: "\n . ? !" (\s is a space).
std::vector<std::string> parseTokenList(const std::string &s)
{
    std::vector<std::string> out;
    std::string cur;
    bool have = false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (c == ' ' || c == '\t' || c == '\n') {
            if (have)
                out.push_back(cur);
            cur.clear();
            have = false;
            continue;
        }
        have = true;
        if (c == '\\' && i + 1 < s.size()) {
            const char e = s[++i];
            cur += e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : e == 's' ? ' ' : e;
        } else {
            cur += c;
        }
    }
    if (have)
        out.push_back(cur);
    return out;
}

// A token list as its option text: the inverse of parseTokenList.
std::string tokenListText(const std::vector<std::string> &tokens)
{
    std::string out;
    for (const auto &t : tokens) {
        if (!out.empty())
            out += ' ';
        for (char c : t)
            out += c == '\n'   ? "\\n"
                   : c == '\t' ? "\\t"
                   : c == '\r' ? "\\r"
                   : c == ' '  ? "\\s"
                   : c == '\\' ? "\\\\"
                               : std::string(1, c);
    }
    return out;
}

Result<std::vector<std::string>> readForceTokens(const std::string &text)
{
    auto tokens = parseTokenList(text);
    if (tokens.size() > 100)
        return fail(ErrorCode::InvalidArgument, "at most 100 force tokens ([NEW0]..[NEW99])");
    return tokens;
}

// The parameter table (params.h): Params' initializers are the defaults.
const detail::ParamTable<Params> &lingua2Params()
{
    using Tokens = std::vector<std::string>;
    static const auto table =
        detail::ParamTable<Params>("llmlingua2")
            .parsed<Tokens>(
                "force_tokens", &Params::forceTokens, "Force tokens",
                "Always kept (p = 1); whitespace-separated with escapes (\\n, \\s); tokens that "
                "are not one subword map to [NEWi] (LLMLingua-2 force_tokens).",
                readForceTokens, tokenListText)
            .parsed<Tokens>(
                "chunk_end_tokens", &Params::chunkEndTokens, "Chunk end tokens",
                "512-token chunks end after one of these (reference chunk_end_tokens).",
                [](const std::string &t) -> Result<Tokens> { return parseTokenList(t); },
                tokenListText)
            .flag("drop_consecutive", &Params::dropConsecutive, "Drop consecutive force tokens",
                  "Drops a force token repeating the previous one with nothing important between "
                  "(reference drop_consecutive).")
            .flag("force_reserve_digit", &Params::forceReserveDigit, "Keep digits",
                  "Words with a digit get p = 1 (reference force_reserve_digit).")
            .choice<bool>("token_to_word", &Params::firstSubword, "Word probability",
                          "Mean or first subword probability per word (reference token_to_word).",
                          {{"mean", false}, {"first", true}})
            .flag("use_context_level_filter", &Params::contextFilter, "Context filter",
                  "With several contexts, first drops whole contexts by mean word probability; "
                  "default rate (rate+1)/2 (compress_prompt passes True).")
            .number("context_level_rate", &Params::contextLevelRate, "Context keep rate",
                    "Fraction of contexts kept by the context filter (1 = derive from rate).", 0, 1,
                    0.01)
            .number("target_context", &Params::targetContext, "Target contexts",
                    "Number of contexts to keep (-1 = off).", -1, 1000, 1)
            .number("context_level_target_token", &Params::contextLevelTargetToken,
                    "Context token budget", "Target tokens for the context filter (-1 = off).", -1,
                    1e9, 1)
            .parsed<std::vector<int>>(
                "force_context_ids", &Params::forceContextIds, "Forced contexts",
                "Comma- or space-separated indices of contexts the filter always keeps.",
                detail::readIndexList, detail::indexListText)
            .protection(&Params::protectRegex, &Params::keepStructure)
            .choice("coarse_rank", &Params::coarseMethod, "Coarse ranking",
                    "Context filter score for a list of contexts: none (LLMLingua-2's mean word "
                    "probability), bm25 (Okapi BM25 with the question as the query), gzip "
                    "(compression distance to the question) or longllmlingua (question likelihood "
                    "under a causal LM). auto: bm25 in corrected mode when the prompt has a "
                    "question (keeps the answer document), none otherwise and in reference mode.",
                    {"auto", "none", "bm25", "gzip", "longllmlingua"})
            .text("rank_model", &Params::rankModel, "Ranking model",
                  "Causal LM for coarse_rank (empty = the bundled LM).")
            .flag("keep_identifiers", &Params::keepIdentifiers, "Keep identifiers whole",
                  "Corrected mode: numbers and identifiers split by the tokenizer (ABC-123, 3.14, "
                  "user_id) are one unit.");
    return table;
}

Result<Params> parseParams(const CompressOptions &o)
{
    return lingua2Params().parse(o.params);
}

// One model token of a context, with the [NEWi] mapping of force tokens applied (1.5 step 1).
struct Tok {
    int id = 0;
    std::string str;
    Span span;
    int mapped = -1; // index i of [NEWi], or -1
    bool special = false;
};

// A word as __merge_token_to_word builds it.
struct Word {
    Span core;
    std::vector<float> probs; // per token, forced/digit already applied
    float firstRaw = 0;       // the first token's raw probability (no-force list)
    int force = 0;            // kForce encoding
    int chunk = -1;
    bool modelWord = true; // false: a skipped special token ([UNK]) in reference mode
};

struct UnitCache {
    std::vector<float> prob, probNoForce, force, chunk, targetTokens, wordOffset, wordBytes,
        protect;
};

bool identifierJoin(std::string_view text, const Span &a, const Span &b)
{
    // Words touching with no whitespace form one identifier/number when either side has a digit,
    // or they meet at a connector (ABC-123, user_id, 3.14, a/b, x@y).
    if (a.end != b.begin || a.size() == 0 || b.size() == 0)
        return false;
    const std::string_view sa = text.substr(a.begin, a.size()), sb = text.substr(b.begin, b.size());
    auto alnum = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || (c & 0x80); };
    const bool connA = std::string_view("-_./:@#").find(sa.back()) != std::string_view::npos;
    const bool connB =
        sb.size() == 1 && std::string_view("-_./:@#").find(sb[0]) != std::string_view::npos;
    if (connB)
        return alnum(sa.back()) && b.end < text.size() && alnum(text[b.end]) &&
               !isPyspace(text[b.end]);
    if (connA)
        return alnum(sb.front());
    return alnum(sa.back()) && alnum(sb.front()) && (hasDigit(sa) || hasDigit(sb));
}

} // namespace

std::string LlmLingua2Compressor::description() const
{
    return "Token classification (LLMLingua-2): keeps the words a BERT/XLM-R tagger gives the "
           "highest keep probability.";
}

std::vector<OptionSpec> LlmLingua2Compressor::options() const
{
    return lingua2Params().specs();
}

Result<CompressionResult> LlmLingua2Compressor::compress(const Prompt &prompt,
                                                         const CompressOptions &options,
                                                         const JobContext &job)
{
    const auto t0 = std::chrono::steady_clock::now();
    if (auto v = validateOptions(prompt, options); !v)
        return v.error();
    auto params = parseParams(options);
    if (!params)
        return params.error();
    const Params &p = *params;
    const bool reference = options.mode == CompressionMode::Reference;
    auto loaded = detail::methodModel(name(), options, DefaultModel::Tagger);
    if (!loaded)
        return loaded.error();
    const Model &model = (*loaded)->model;
    const Tokenizer &tok = (*loaded)->tokenizer;
    const bool wordPiece = tok.kind() == "wordpiece";
    // Beyond the reference (BERT / XLM-R only): byte-level BPE taggers (Terse's own) start a word
    // at a token whose text begins with whitespace (the space travels with the following word).
    const bool byteLevel = tok.kind() == "bpe-bytelevel";

    // 1.5 step 1: force tokens that are not exactly one subword become [NEWi].
    struct Mapped {
        std::string text;
        int index;
        int id;
    };
    std::vector<Mapped> mapped;
    for (std::size_t i = 0; i < p.forceTokens.size(); ++i) {
        auto enc = tok.encodeIds(p.forceTokens[i]);
        if (enc && enc->size() == 1)
            continue;
        const std::string name = "[NEW" + std::to_string(i) + "]";
        const int id = tok.tokenToId(name);
        if (id < 0)
            return fail(ErrorCode::Unsupported,
                        "force token #" + std::to_string(i) +
                            " is not one subword and the model vocabulary has no " + name);
        mapped.push_back({p.forceTokens[i], static_cast<int>(i), id});
    }
    std::set<std::string> chunkEnd(p.chunkEndTokens.begin(), p.chunkEndTokens.end());
    for (const auto &m : mapped)
        if (chunkEnd.count(m.text))
            chunkEnd.insert("[NEW" + std::to_string(m.index) + "]");
    const SpecialIds sid = tok.specialIds();
    const int cls = sid.cls >= 0 ? sid.cls : sid.bos;
    const int sep = sid.sep >= 0 ? sid.sep : sid.eos;
    const int maxLen =
        std::min(512, model.info().maxPositions > 0 ? model.info().maxPositions : 512);

    // Tokenise each context with the mapping and chunk it (1.5 step 2).
    struct Chunk {
        int segment;
        std::vector<Tok> toks;
    };
    std::vector<Chunk> chunks;
    for (int s = 0; s < static_cast<int>(prompt.segments.size()); ++s) {
        if (prompt.segments[s].role != SegmentRole::Context)
            continue;
        const std::string &text = prompt.segments[s].text;
        std::vector<Tok> toks;
        std::size_t pos = 0;
        auto encodePiece = [&](std::size_t b, std::size_t e) -> Result<void> {
            if (e <= b)
                return {};
            auto enc = tok.encode(std::string_view(text).substr(b, e - b), false);
            if (!enc)
                return enc.error();
            for (std::size_t k = 0; k < enc->size(); ++k) {
                // Byte-level BPE: compare the token's text (" word", "\n"), not its byte-alphabet
                // string.
                std::string str = enc->tokens[k];
                if (byteLevel && !enc->special[k])
                    str = text.substr(enc->spans[k].begin + b, enc->spans[k].size());
                toks.push_back({enc->ids[k],
                                std::move(str),
                                {enc->spans[k].begin + b, enc->spans[k].end + b},
                                -1,
                                enc->special[k] != 0});
            }
            return {};
        };
        while (pos <= text.size()) {
            std::size_t best = std::string::npos;
            const Mapped *bm = nullptr;
            for (const auto &m : mapped) {
                const std::size_t f = text.find(m.text, pos);
                if (f != std::string::npos && (f < best))
                    best = f, bm = &m;
            }
            const std::size_t stop = best == std::string::npos ? text.size() : best;
            if (auto e = encodePiece(pos, stop); !e)
                return e.error();
            if (!bm)
                break;
            toks.push_back({bm->id,
                            "[NEW" + std::to_string(bm->index) + "]",
                            {best, best + bm->text.size()},
                            bm->index,
                            false});
            pos = best + bm->text.size();
        }
        // __chunk_context: windows of maxLen-2, cut after the last chunk-end token (inclusive scan
        // from the end).
        const int maxChunk = maxLen - 2;
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

    // [CLS] + tokens + [SEP], truncated to maxLen (a 511-token chunk loses its [SEP], as
    // TokenClfDataset).
    std::vector<std::vector<int>> inputs;
    for (const auto &c : chunks) {
        std::vector<int> ids{cls};
        for (const auto &t : c.toks)
            ids.push_back(t.id);
        ids.push_back(sep);
        if (static_cast<int>(ids.size()) > maxLen)
            ids.resize(maxLen);
        inputs.push_back(std::move(ids));
    }
    std::vector<std::vector<float>> keepProb(chunks.size());
    double forwardMs = 0;
    ScoreRequest req;
    req.wantEntropy = false;
    constexpr std::size_t kBatch = 50;
    for (std::size_t b = 0; b < inputs.size(); b += kBatch) {
        if (job.isCancelled())
            return fail(ErrorCode::Cancelled, "compression cancelled");
        job.report(static_cast<long long>(b), static_cast<long long>(inputs.size()),
                   "classifying chunks");
        const std::size_t e = std::min(inputs.size(), b + kBatch);
        std::vector<std::vector<int>> batch(inputs.begin() + b, inputs.begin() + e);
        auto scored =
            model.score(batch, req,
                        job.scaled(static_cast<long long>(b), static_cast<long long>(e - b),
                                   static_cast<long long>(inputs.size()), "classifying chunks"));
        if (!scored)
            return scored.error();
        forwardMs += scored->seconds * 1000.0;
        const int labels = model.info().numLabels;
        for (std::size_t k = b; k < e; ++k) {
            const auto &cp = scored->sequences[k - b].classProbs;
            auto &out = keepProb[k];
            // p_t = softmax(logits)[..., 1] of the tokens after [CLS] (1.5 step 4).
            for (std::size_t t = 1; t < inputs[k].size(); ++t)
                out.push_back(cp[t * labels + 1]);
        }
    }

    // Word merging (1.5 step 5) per chunk.
    std::vector<std::vector<Word>> words(prompt.segments.size());
    auto isForceText = [&](const std::string &s) {
        return std::find(p.forceTokens.begin(), p.forceTokens.end(), s) != p.forceTokens.end();
    };
    for (std::size_t c = 0; c < chunks.size(); ++c) {
        const auto &toks = chunks[c].toks;
        auto &ws = words[chunks[c].segment];
        const std::size_t active = std::min(toks.size(), keepProb[c].size());
        bool open = false;
        float prevRawFirst = 0;
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
            bool begins;
            if (wordPiece) {
                std::size_t k = 0;
                while (k < pure.size() && pure[k] == '#')
                    ++k; // lstrip("##") strips every leading '#'
                const std::string stripped = pure.substr(k);
                begins = tk.mapped >= 0 || isForceText(stripped) || pure.rfind("##", 0) != 0;
                if (!begins)
                    pure = stripped;
            } else {
                const bool punct =
                    pure.size() == 1 && std::ispunct(static_cast<unsigned char>(pure[0]));
                begins = tk.mapped >= 0 || punct || isForceText(pure) ||
                         pure.rfind("\xe2\x96\x81", 0) == 0 ||
                         (byteLevel && !pure.empty() &&
                          std::isspace(static_cast<unsigned char>(pure[0])));
            }
            if (!open)
                begins = true;
            const bool digit = p.forceReserveDigit && tk.mapped < 0 && hasDigit(tk.str);
            if (begins) {
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
                prevRawFirst = prob;
                ws.push_back(std::move(w));
                open = true;
            } else {
                Word &w = ws.back();
                w.core.end = std::max(w.core.end, tk.span.end);
                w.probs.push_back(digit ? 1.f : prob);
                (void)prevRawFirst;
            }
        }
    }

    // Units: one per word (or identifier run in corrected mode), spans tiling each segment.
    CompressionResult r;
    r.method = name();
    r.mode = options.mode;
    r.segments = prompt.segments;
    r.unitName = "word";
    r.model = (*loaded)->path;
    r.forwardMs = forwardMs;
    UnitCache cache;
    auto tgt = detail::targetTokenizer(options.targetTokenizer);
    EncodeOptions eo;
    eo.specialText = SpecialText::AsText;
    auto countTarget = [&](std::string_view s) -> float {
        if (!tgt)
            return s.empty() ? 0.f : 1.f;
        auto c = (*tgt)->countTokens(s, eo);
        return c ? static_cast<float>(*c) : 1.f;
    };
    for (int s = 0; s < static_cast<int>(r.segments.size()); ++s) {
        const std::string &text = r.segments[s].text;
        auto addUnit = [&](Span core, float pw, float pnf, float force, float chunk, float tt) {
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
        };
        const std::size_t first = r.units.size();
        if (r.segments[s].role != SegmentRole::Context || words[s].empty()) {
            addUnit({0, text.size()}, kNaN, kNaN, 0.f, kNaN, 0.f);
            continue;
        }
        auto &ws = words[s];
        for (std::size_t w = 0; w < ws.size(); ++w) {
            Word &wd = ws[w];
            double pw = wd.probs.empty() ? 0.0 : wd.probs[0];
            if (!p.firstSubword && !wd.probs.empty()) {
                double sum = 0;
                for (float v : wd.probs)
                    sum += v;
                pw = sum / static_cast<double>(wd.probs.size());
            }
            const std::string_view core =
                std::string_view(text).substr(wd.core.begin, wd.core.size());
            if (!wd.modelWord) {
                addUnit(wd.core, kNaN, kNaN, 0.f, kNaN, 0.f);
                continue;
            }
            // Corrected mode: merge identifier/number runs into one unit (score: the max word
            // probability).
            if (!reference && p.keepIdentifiers && r.units.size() > first &&
                !std::isnan(cache.chunk.back()) &&
                identifierJoin(text, {r.units.back().span.begin, r.units.back().span.end},
                               wd.core)) {
                r.units.back().span.end = wd.core.end;
                cache.prob.back() = std::max(cache.prob.back(), static_cast<float>(pw));
                cache.probNoForce.back() = std::max(cache.probNoForce.back(), wd.firstRaw);
                cache.force.back() = 0.f;
                cache.wordBytes.back() = static_cast<float>(r.units.back().span.size());
                cache.targetTokens.back() = countTarget(std::string_view(text).substr(
                    r.units.back().span.begin, r.units.back().span.size()));
                continue;
            }
            addUnit(wd.core, static_cast<float>(pw), wd.firstRaw, static_cast<float>(wd.force),
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
        if (!reference) {
            auto spans = detail::protectedSpans(text, p.protectRegex, p.keepStructure);
            if (!spans)
                return spans.error();
            for (std::size_t i = first; i < last; ++i) {
                const std::size_t b =
                    r.units[i].span.begin + static_cast<std::size_t>(cache.wordOffset[i]);
                if (detail::overlapsAny(*spans, b,
                                        b + static_cast<std::size_t>(cache.wordBytes[i])))
                    cache.protect[i] = 1.f;
            }
        }
    }
    r.scores = {{kProb, cache.prob}, {kProbNoForce, cache.probNoForce}};
    r.internals = {{kForce, cache.force},
                   {kChunk, cache.chunk},
                   {kTargetTokens, cache.targetTokens},
                   {kWordOffset, cache.wordOffset},
                   {kWordBytes, cache.wordBytes},
                   {kProtected, cache.protect}};
    if (p.coarseRank()) {
        auto rank = contextRankSeries(r, p, reference, options.device, job, forwardMs);
        if (!rank)
            return rank.error();
        if (!rank->empty())
            r.scores.push_back(ScoreSeries{kContextRank, std::move(*rank)});
        r.forwardMs = forwardMs;
    }
    if (auto d = decide(r, options, p); !d)
        return d.error();
    if (!reference && chunks.size() > 1)
        r.warnings.push_back({"chunked", "the prompt was classified in " +
                                             std::to_string(chunks.size()) + " chunks of at most " +
                                             std::to_string(maxLen) + " tokens"});
    r.totalMs =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    job.report(1, 1, "done");
    return r;
}

bool LlmLingua2Compressor::canRethreshold(const CompressionResult &previous,
                                          const CompressOptions &prevOptions,
                                          const CompressOptions &next) const
{
    return detail::onlyThresholdsChanged(previous, name(), prevOptions, next);
}

Result<CompressionResult> LlmLingua2Compressor::rethreshold(const CompressionResult &previous,
                                                            const CompressOptions &next) const
{
    return detail::redecide(previous, next, parseParams, decide);
}

std::string llmlingua2WordLabels(const CompressionResult &result, const std::string &wordSep,
                                 const std::string &labelSep)
{
    const auto *chunk = detail::unitValues(result, kChunk);
    const auto *off = detail::unitValues(result, kWordOffset);
    const auto *bytes = detail::unitValues(result, kWordBytes);
    if (result.method != "llmlingua2" || !chunk || !off || !bytes)
        return {};
    std::string out;
    bool first = true;
    for (std::size_t i = 0; i < result.units.size(); ++i) {
        if (std::isnan((*chunk)[i]))
            continue;
        if (!first)
            out += wordSep;
        first = false;
        out += wordText(result, i, *off, *bytes) + labelSep + (result.units[i].kept ? "1" : "0");
    }
    return out;
}

} // namespace terse
