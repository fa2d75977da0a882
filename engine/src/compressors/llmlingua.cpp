// LLMLingua / LongLLMLingua. Line numbers cite microsoft/LLMLingua llmlingua/prompt_compressor.py
// (algorithms.md section 1). Reference mode ports the reference step by step (Python slice semantics
// included); corrected mode keeps the pipeline but scores each token by its own surprisal, compresses
// short prompts, and ends with a budgeted top-k so that the achieved rate is the requested one.
#include "compressors/llmlingua.h"
#include "compressors/llmlingua_itpc.h"
#include "core/engine_error.h"
#include "text/regex.h"

#include "compressors/common.h"
#include "compressors/params.h"
#include "compressors/context_rank.h"
#include "compressors/word_layer.h"
#include "models/model_context.h"
#include "terse/recover.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>
#include <optional>
#include <set>

namespace terse {
namespace {

using detail::kNaN;
using namespace detail::lingua;  // Lm, the ITPCs, stop/unwrap, pyIdx/pyLen (llmlingua_itpc.h)
const char *kQuestionSuffix = " We can get the answer to this question in the given documents.";  // line 2036

// First `n` code points of UTF-8 text (Python text[:n]).
std::string pyHead(const std::string &s, long n)
{
    std::size_t i = 0;
    long seen = 0;
    while (i < s.size()) {
        if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
            if (seen == n)
                break;
            ++seen;
        }
        ++i;
    }
    return s.substr(0, i);
}

// ---------------------------------------------------------------------------------------------------------
// Parameters

struct Params {
    int iterativeSize = 200;
    std::string contextBudget = "+100";
    double tokenBudgetRatio = 1.4;
    std::string conditionInQuestion = "none";
    std::string reorderContext = "original";
    double dynamicRatio = 0.0;
    bool conditionCompare = false;
    bool sentenceFilter = false;
    bool contextFilter = true;
    bool tokenFilter = true;
    bool keepSplit = false;
    int keepFirstSentence = 0;
    int keepLastSentence = 0;
    int keepSentenceNumber = 0;
    double highPriorityBonus = 100;
    std::vector<int> forceContextIds;
    std::string rankMethod = "llmlingua";
    bool concateQuestion = true;
    bool addInstruction = false;
    bool strictPreserveUncompressed = true;
    std::string structured = "auto";
    std::string sentenceRank = "auto";  // corrected: keep the question's best sentences whole (auto, bm25, none)
};

// LLMLingua's defaults are Params' initializers; LongLLMLingua's documented configuration
// (tests/test_longllmlingua.py, algorithms.md 1.6) changes five of them. The ranking is resolved per run
// ("auto": see the rank_method help).
Params defaultParams(bool longVariant)
{
    Params p;
    if (longVariant) {
        p.rankMethod = "auto";
        p.conditionInQuestion = "after_condition";
        p.reorderContext = "sort";
        p.dynamicRatio = 0.3;
        p.conditionCompare = true;
    }
    return p;
}

// The parameter table (params.h) of one variant.
detail::ParamTable<Params> makeParams(bool lg)
{
    return detail::ParamTable<Params>(lg ? "longllmlingua" : "llmlingua")
        .number("iterative_size", &Params::iterativeSize, "Window (tokens)",
                "ITPC window length in small-LM tokens (reference default 200).", 2, 4096, 1)
        .text("context_budget", &Params::contextBudget, "Context budget",
              "Arithmetic suffix applied to the token budget for the context filter, e.g. \"+100\" or \"*1.5\" (the "
              "paper's k).")
        .number("token_budget_ratio", &Params::tokenBudgetRatio, "Sentence budget ratio",
                "Sentence filter budget = target x this ratio.", 1, 5, 0.1)
        .choice("condition_in_question", &Params::conditionInQuestion, "Question conditioning",
                "How the question conditions the context ranking; \"_condition\" also prefixes the question in the "
                "token stage.",
                {"none", "before", "after", "none_condition", "before_condition", "after_condition"})
        .choice("reorder_context", &Params::reorderContext, "Context order",
                "Order of the kept contexts: original, sort (rank order) or two_stage (interleaved).",
                {"original", "sort", "two_stage"})
        .number("dynamic_context_compression_ratio", &Params::dynamicRatio, "Dynamic ratio δ",
                "Per-context keep-ratio offsets from +δ (best ranked) to -δ (worst).", 0, 1, 0.05)
        .flag("condition_compare", &Params::conditionCompare, "Contrastive perplexity",
              "Score tokens by the drop in surprisal the question causes (LongLLMLingua).")
        .flag("use_context_level_filter", &Params::contextFilter, "Context filter",
              "Rank contexts and keep them up to the budget.")
        .flag("use_sentence_level_filter", &Params::sentenceFilter, "Sentence filter",
              "Rank sentences and keep them up to budget x ratio.")
        .flag("use_token_level_filter", &Params::tokenFilter, "Token filter", "Iterative token-level compression (ITPC).")
        .number("keep_first_sentence", &Params::keepFirstSentence, "Keep first sentences",
                "Adds the priority bonus to the first N sentences.", 0, 100, 1)
        .number("keep_last_sentence", &Params::keepLastSentence, "Keep last sentences",
                "Adds the priority bonus to the last N sentences.", 0, 100, 1)
        .number("keep_sentence_number", &Params::keepSentenceNumber, "Keep sentences per context",
                "Adds the bonus to N sentences per context.", 0, 100, 1)
        .number("high_priority_bonus", &Params::highPriorityBonus, "Priority bonus",
                "Score bonus of prioritised sentences (reference 100).", 0, 1000, 1)
        .flag("keep_split", &Params::keepSplit, "Keep blank lines",
              "Keep runs of newline tokens (reference: Llama id 13).")
        .parsed<std::vector<int>>("force_context_ids", &Params::forceContextIds, "Forced contexts",
                                  "Comma-separated context indices always kept.", detail::readIndexList,
                                  detail::indexListText)
        .choice("sentence_rank", &Params::sentenceRank, "Question sentences first",
                "Corrected mode: rank the contexts' sentences by BM25 against the question and keep the best ones "
                "whole before the model's scores compress the rest (answers are phrases: a small LM's per-word "
                "scores break them). auto: on for LongLLMLingua with the bundled model when the prompt has a "
                "question; off in reference mode.",
                {"auto", "bm25", "none"})
        .choice("rank_method", &Params::rankMethod, "Rank method",
                lg ? "Context scorer: longllmlingua (question-conditioned perplexity), bm25 (Okapi BM25, question as "
                     "the query), gzip (compression distance to the question) or llmlingua (perplexity). auto: "
                     "longllmlingua in reference mode and with a model you chose; bm25 with the bundled small model, "
                     "whose perplexities do not rank documents."
                   : "Context scorer: llmlingua (perplexity), longllmlingua (question-conditioned perplexity), bm25 "
                     "(Okapi BM25, question as the query) or gzip (compression distance to the question).",
                lg ? std::vector<std::string>{"auto", "longllmlingua", "bm25", "gzip", "llmlingua"}
                   : std::vector<std::string>{"llmlingua", "longllmlingua", "bm25", "gzip"})
        .flag("concate_question", &Params::concateQuestion, "Append question",
              "Append the question to the compressed prompt.")
        .flag("add_instruction", &Params::addInstruction, "Instruction in prefix",
              "Put the instruction into the conditioning prefix.")
        .flag("strict_preserve_uncompressed", &Params::strictPreserveUncompressed, "Keep compress=False contexts",
              "Contexts with a compress=False segment are always kept.")
        .choice("structured", &Params::structured, "Structured tags",
                "Parse <llmlingua, rate=..., compress=...> tags: auto detects them.", {"auto", "on", "off"});
}

const detail::ParamTable<Params> &paramTable(bool longVariant)
{
    static const auto lingua = makeParams(false);
    static const auto longLingua = makeParams(true);
    return longVariant ? longLingua : lingua;
}

double parseNumber(const std::string &key, const std::string &v)
{
    try {
        std::size_t used = 0;
        const double d = std::stod(v, &used);
        if (used == v.size() && std::isfinite(d))
            return d;
    } catch (...) {
    }
    stop(ErrorCode::InvalidArgument, "option '" + key + "': expected a number, got '" + v + "'");
}

// eval(str(target) + context_budget) (line 1192) for the forms the reference documents: "+100", "*1.5".
double applyContextBudget(double target, const std::string &budget)
{
    std::string s;
    for (char c : budget)
        if (c != ' ')
            s += c;
    if (s.size() < 2 || std::string("+-*/").find(s[0]) == std::string::npos)
        stop(ErrorCode::InvalidArgument, "option 'context_budget': expected an operator and a number, e.g. \"+100\"");
    const double x = parseNumber("context_budget", s.substr(1));
    switch (s[0]) {
    case '+': return target + x;
    case '-': return target - x;
    case '*': return target * x;
    default:
        if (x == 0)
            stop(ErrorCode::InvalidArgument, "option 'context_budget': division by zero");
        return target / x;
    }
}

// ---------------------------------------------------------------------------------------------------------
// Structured prompts (segment_structured_context, lines 2072-2129).

struct StructSeg {
    Span span;  // content bytes in the segment text
    double rate = 1.0;
    bool compress = true;
};

std::vector<StructSeg> parseStructured(const std::string &text, double globalRate, std::vector<Span> &tags)
{
    std::string wrapped = text;
    std::size_t shift = 0;
    if (wrapped.rfind("<llmlingua", 0) != 0) {
        wrapped = "<llmlingua>" + wrapped;
        shift = 11;
    }
    if (wrapped.size() < 12 || wrapped.compare(wrapped.size() - 12, 12, "</llmlingua>") != 0)
        wrapped += "</llmlingua>";
    static const text::Regex re(
        R"(<llmlingua\s*(?:,\s*rate\s*=\s*([\d\.]+))?\s*(?:,\s*compress\s*=\s*(True|False))?\s*(?:,\s*rate\s*=\s*([\d\.]+))?\s*(?:,\s*compress\s*=\s*(True|False))?\s*>([^<]+)</llmlingua>)");
    std::vector<StructSeg> out;
    std::size_t covered = 0;
    auto addTag = [&](std::size_t b, std::size_t e) {
        // Tag text (and anything the regex skips) maps to original bytes minus the added wrapper.
        const long ob = std::clamp(static_cast<long>(b) - static_cast<long>(shift), 0L, static_cast<long>(text.size()));
        const long oe = std::clamp(static_cast<long>(e) - static_cast<long>(shift), 0L, static_cast<long>(text.size()));
        if (oe > ob)
            tags.push_back({static_cast<std::size_t>(ob), static_cast<std::size_t>(oe)});
    };
    re.forEachMatchGroups(wrapped, [&](const text::Regex::Groups &m) {
        auto matched = [&](std::size_t g) { return g < m.size() && m[g].first != text::Regex::npos; };
        auto str = [&](std::size_t g) { return wrapped.substr(m[g].first, m[g].second - m[g].first); };
        StructSeg s;
        const std::size_t cb = m[5].first, ce = m[5].second;
        addTag(covered, cb);
        s.span = {cb - shift, ce - shift};
        covered = m[0].second;
        addTag(ce, covered);
        std::optional<bool> compress;
        if (matched(2))
            compress = str(2) == "True";
        else if (matched(4))
            compress = str(4) == "True";
        s.compress = compress.value_or(true);
        double rate = 0;
        if (matched(1))
            rate = parseNumber("rate", str(1));
        else if (matched(3))
            rate = parseNumber("rate", str(3));
        // `rate if rate else (global_rate if compress else 1.0)` (line 2118)
        s.rate = rate != 0 ? rate : (s.compress ? globalRate : 1.0);
        if (s.rate > 1.0)
            stop(ErrorCode::InvalidArgument, "a <llmlingua> segment's rate must not exceed 1.0");
        out.push_back(s);
    });
    addTag(covered, wrapped.size());
    return out;
}

// ---------------------------------------------------------------------------------------------------------
// The token stream the ITPC runs on: pieces of segments joined by separators, tokenised once.

struct Piece {
    int segment = -1;            // -1: separator or conditioning prefix (not part of the output)
    std::size_t segBegin = 0;    // byte offset of the piece in its segment
    std::size_t flatBegin = 0, flatEnd = 0;
};

struct Stream {
    std::string flat;
    std::vector<Piece> pieces;
    std::vector<int> ids;
    std::vector<int> tokSegment;  // owner segment per token (-1: separator/prefix)
    std::vector<Span> tokSpan;    // span in that segment
    std::vector<double> tokRate;  // structured per-token rate (or -1)
    std::vector<char> tokCompress;

    void add(int segment, std::size_t segBegin, std::string_view text)
    {
        Piece p{segment, segBegin, flat.size(), flat.size() + text.size()};
        flat.append(text);
        if (p.flatEnd > p.flatBegin)
            pieces.push_back(p);
    }

    void tokenize(const Lm &lm)
    {
        auto enc = unwrap(lm.tok.encode(flat, EncodeOptions{false, SpecialText::Auto}));
        ids.assign(enc.ids.begin(), enc.ids.end());
        const auto tiles = tileSpans(enc, flat.size());
        tokSegment.assign(ids.size(), -1);
        tokSpan.assign(ids.size(), Span{});
        for (std::size_t t = 0; t < ids.size(); ++t) {
            const Span s = tiles[t];
            for (const auto &p : pieces) {
                if (p.segment < 0 || p.flatEnd <= s.begin || p.flatBegin >= std::max(s.end, s.begin + 1))
                    continue;
                const std::size_t b = std::max(s.begin, p.flatBegin), e = std::min(s.end, p.flatEnd);
                tokSegment[t] = p.segment;
                tokSpan[t] = {p.segBegin + (b - p.flatBegin), p.segBegin + (e - p.flatBegin)};
                break;
            }
        }
    }
};

// ---------------------------------------------------------------------------------------------------------
// Units: every segment byte range becomes a unit (character-aligned token groups).

struct Entry {
    int segment;
    Span span;
    bool kept;
    bool forced;
    int stage;
    float score;
};

void addEncodedEntries(const Lm &lm, std::vector<Entry> &out, int segment, std::size_t base, std::string_view text,
                       bool kept, bool forced, int stage)
{
    if (text.empty())
        return;
    auto enc = unwrap(lm.tok.encode(text, EncodeOptions{false, SpecialText::Auto}));
    const auto tiles = tileSpans(enc, text.size());
    for (const auto &t : tiles)
        out.push_back({segment, {base + t.begin, base + t.end}, kept, forced, stage, kNaN});
}

std::vector<Unit> buildUnits(std::vector<Entry> entries, const std::vector<PromptSegment> &segments,
                             std::vector<float> &scoreOut)
{
    std::stable_sort(entries.begin(), entries.end(), [](const Entry &a, const Entry &b) {
        return a.segment != b.segment ? a.segment < b.segment : a.span.begin < b.span.begin;
    });
    std::vector<Unit> units;
    scoreOut.clear();
    std::vector<std::size_t> covered(segments.size(), 0);
    auto pushGap = [&](int seg, std::size_t b, std::size_t e) {
        if (e <= b)
            return;
        const std::string &t = segments[seg].text;
        const bool space = std::all_of(t.begin() + b, t.begin() + e, [](char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r'; });
        if (space && !units.empty() && units.back().segment == seg && units.back().span.end == b) {
            units.back().span.end = e;
            return;
        }
        Unit u;
        u.segment = seg;
        u.span = {b, e};
        u.kept = false;
        u.forced = true;  // text the method never sees (structured tags)
        units.push_back(u);
        scoreOut.push_back(kNaN);
    };
    for (const auto &en : entries) {
        if (en.span.end <= covered[en.segment]) {
            continue;  // an empty continuation piece of a split character: it goes with its first token
        }
        const std::size_t b = std::max(en.span.begin, covered[en.segment]);
        pushGap(en.segment, covered[en.segment], b);
        Unit u;
        u.segment = en.segment;
        u.span = {b, en.span.end};
        u.kept = en.kept;
        u.forced = en.forced;
        u.stage = en.kept ? -1 : en.stage;
        units.push_back(u);
        scoreOut.push_back(en.score);
        covered[en.segment] = en.span.end;
    }
    for (std::size_t s = 0; s < segments.size(); ++s)
        pushGap(static_cast<int>(s), covered[s], segments[s].text.size());
    return units;
}

}  // namespace

// ---------------------------------------------------------------------------------------------------------

std::string LLMLinguaCompressor::name() const { return m_variant == Variant::LLMLingua ? "llmlingua" : "longllmlingua"; }

std::string LLMLinguaCompressor::displayName() const
{
    return m_variant == Variant::LLMLingua ? "LLMLingua" : "LongLLMLingua";
}

std::string LLMLinguaCompressor::description() const
{
    return m_variant == Variant::LLMLingua
               ? "Coarse-to-fine compression by small-LM perplexity: context ranking, budget controller and "
                 "iterative token-level compression (Jiang et al., EMNLP 2023)."
               : "Question-aware LLMLingua: contexts ranked by how well they predict the question, dynamic "
                 "per-context ratios and contrastive perplexity (Jiang et al., ACL 2024).";
}

std::vector<OptionSpec> LLMLinguaCompressor::options() const
{
    const bool lg = m_variant == Variant::LongLLMLingua;
    return paramTable(lg).specs(defaultParams(lg));
}

Result<CompressionResult> LLMLinguaCompressor::compress(const Prompt &prompt, const CompressOptions &options,
                                                        const JobContext &job)
{
    const auto t0 = std::chrono::steady_clock::now();
    if (auto v = validateOptions(prompt, options); !v)
        return v.error();
    try {
        const bool lg = m_variant == Variant::LongLLMLingua;
        Params p = unwrap(paramTable(lg).parse(options.params, defaultParams(lg)));
        const bool ref = options.mode == CompressionMode::Reference;
        auto loaded = unwrap(detail::loadModelWithTokenizer(options.model, DefaultModel::CausalLM, detail::methodDtype(options), options.device));
        if (loaded->model.info().kind != ModelKind::CausalLM)
            stop(ErrorCode::Unsupported, "LLMLingua needs a causal language model, not '" + loaded->path + "'");
        Lm lm{loaded->model, loaded->tokenizer, job, loaded->model.info().maxPositions, 0.0};
        if (lm.maxPos <= 0)
            lm.maxPos = 2048;

        CompressionResult r = detail::newResult(name(), prompt, options, "token", loaded->path);

        // Roles: instruction / contexts / question (algorithms.md 1.2).
        std::string instruction, question;
        std::vector<int> ctxSeg;
        for (std::size_t i = 0; i < prompt.segments.size(); ++i) {
            const auto &s = prompt.segments[i];
            if (s.role == SegmentRole::Context)
                ctxSeg.push_back(static_cast<int>(i));
            else {
                std::string &dst = s.role == SegmentRole::Instruction ? instruction : question;
                if (!s.text.empty())
                    dst += (dst.empty() ? "" : "\n\n") + s.text;
            }
        }
        if (ctxSeg.empty()) {
            r.segments.push_back({SegmentRole::Context, " "});  // `if not context: context = [" "]` (line 545)
            ctxSeg.push_back(static_cast<int>(r.segments.size()) - 1);
        }
        if (p.rankMethod == "auto")
            p.rankMethod = ref || !options.model.empty() ? "longllmlingua" : "bm25";
        if ((p.rankMethod == "longllmlingua" || (!ref && (p.rankMethod == "bm25" || p.rankMethod == "gzip"))) &&
            question.empty()) {
            if (ref)
                stop(ErrorCode::InvalidArgument, "LongLLMLingua ranking needs a question segment (line 549)");
            // Corrected: nothing to condition on, so rank and compress by plain perplexity (LLMLingua's way)
            // instead of refusing a plain-text prompt.
            r.warnings.push_back({"no_question", "no question segment: contexts are ranked by perplexity and the "
                                                 "token stage is not question-conditioned"});
            p.rankMethod = "llmlingua";
            p.conditionCompare = false;
        }
        const bool retrieval = p.rankMethod == "bm25" || p.rankMethod == "gzip";

        // Step 0: mode normalisation (lines 556-599).
        std::string cond = p.conditionInQuestion;
        if (p.conditionCompare && cond.find("_condition") == std::string::npos)
            cond += "_condition";
        if (p.rankMethod == "longllmlingua") {
            if (cond == "none")
                cond = "after";
        } else if (p.rankMethod == "llmlingua") {
            cond = cond.find("_condition") == std::string::npos ? "none" : "none_condition";
        }  // bm25 / gzip: the condition stays as given (lines 569-575)
        const bool conditionFlag = cond.find("_condition") != std::string::npos;
        if (conditionFlag)
            cond = cond.substr(0, cond.find("_condition"));

        // Structured contexts (structured_compress_prompt, lines 274-424).
        bool structured = p.structured == "on";
        if (p.structured == "auto")
            for (int s : ctxSeg)
                structured |= r.segments[s].text.find("<llmlingua") != std::string::npos;
        const long lI = lm.length(instruction), lQ = lm.length(question);
        double rate = options.rate;
        double target = options.targetTokens >= 0 ? static_cast<double>(options.targetTokens) : -1.0;
        bool haveTarget = options.targetTokens >= 0;
        std::vector<std::vector<StructSeg>> segs(ctxSeg.size());
        std::vector<Span> tagSpans;
        std::vector<std::vector<Span>> tagPerCtx(ctxSeg.size());
        std::vector<std::string> ctxText(ctxSeg.size());
        if (structured) {
            long sumTagged = 0;
            for (int s : ctxSeg)
                sumTagged += lm.length(r.segments[s].text);
            if (!haveTarget)
                target = (lI + lQ + sumTagged) * rate - lI - (p.concateQuestion ? lQ : 0);
            else
                rate = target / static_cast<double>(std::max(1L, sumTagged));
            haveTarget = true;
            for (std::size_t k = 0; k < ctxSeg.size(); ++k) {
                segs[k] = parseStructured(r.segments[ctxSeg[k]].text, rate, tagPerCtx[k]);
                for (const auto &sg : segs[k])
                    ctxText[k] += r.segments[ctxSeg[k]].text.substr(sg.span.begin, sg.span.size());
            }
        } else {
            for (std::size_t k = 0; k < ctxSeg.size(); ++k) {
                ctxText[k] = r.segments[ctxSeg[k]].text;
                segs[k] = {{{0, ctxText[k].size()}, rate, true}};
            }
        }
        std::vector<long> ctxLen;
        for (const auto &c : ctxText)
            ctxLen.push_back(lm.length(c));
        // Step 1: the token budget of the contexts (lines 587-597).
        if (!haveTarget)
            target = (lI + lQ + std::accumulate(ctxLen.begin(), ctxLen.end(), 0L)) * rate - lI -
                     (p.concateQuestion ? lQ : 0);

        // Pins: contexts holding a keep pin are forced into the coarse stage.
        std::vector<char> ctxPinned(ctxSeg.size(), 0);
        for (const auto &pin : options.pinned)
            for (std::size_t k = 0; k < ctxSeg.size(); ++k)
                if (pin.segment == ctxSeg[k] && pin.keep)
                    ctxPinned[k] = 1;

        std::vector<Entry> entries;
        // Step 2-3: coarse ranking and the budget controller (control_context_budget, lines 1173-1241).
        std::vector<int> used(ctxSeg.size());
        std::iota(used.begin(), used.end(), 0);
        std::vector<double> dyn(ctxSeg.size(), 0.0);
        std::vector<float> ctxScore(ctxSeg.size(), kNaN);
        if (ctxSeg.size() > 1 && p.contextFilter) {
            const int stageIdx = static_cast<int>(r.stages.size());
            Stage st;
            st.name = "coarse ranking";
            std::vector<std::pair<int, double>> ranked;
            std::string scoreSeries = "context perplexity";
            if (retrieval) {
                // get_distance_bm25 / get_distance_gzip (lines 1826-1846): model-free, the question as the query.
                // Reference splits terms at single spaces; corrected mode uses lower-cased words.
                const bool bm25 = p.rankMethod == "bm25";
                const std::vector<double> sc =
                    bm25 ? detail::bm25Scores(ctxText, question, ref ? detail::TermSplit::Reference : detail::TermSplit::Words)
                         : detail::gzipDistances(ctxText, question);
                for (int k : detail::rankOrder(sc, bm25))
                    ranked.push_back({k, sc[static_cast<std::size_t>(k)]});
                for (std::size_t k = 0; k < sc.size(); ++k)
                    ctxScore[k] = static_cast<float>(sc[k]);
                scoreSeries = bm25 ? "context_bm25" : "context_gzip_distance";
            } else {
                for (std::size_t k = 0; k < ctxText.size(); ++k) {
                    lm.check();
                    job.report(static_cast<long long>(k), static_cast<long long>(ctxText.size()), "context ranking");
                    // get_distance_longllmlingua: the length penalty is multiplied by 0 (line 2041).
                    ranked.push_back({static_cast<int>(k), lm.conditionPpl(ctxText[k], question + kQuestionSuffix, cond)});
                    ctxScore[k] = static_cast<float>(ranked.back().second);
                }
                const int dir = cond == "none" ? -1 : 1;
                std::stable_sort(ranked.begin(), ranked.end(),
                                 [&](const auto &a, const auto &b) { return dir * a.second < dir * b.second; });
            }
            double budget = applyContextBudget(target < 0 ? 100 : target, p.contextBudget);
            std::vector<int> u;
            for (int f : p.forceContextIds)
                if (f >= 0 && f < static_cast<int>(ctxSeg.size()) && std::find(u.begin(), u.end(), f) == u.end())
                    u.push_back(f);
            for (std::size_t k = 0; k < ctxSeg.size(); ++k)
                if (ctxPinned[k] && std::find(u.begin(), u.end(), static_cast<int>(k)) == u.end())
                    u.push_back(static_cast<int>(k));
            if (structured && p.strictPreserveUncompressed)
                for (std::size_t k = 0; k < ctxSeg.size(); ++k)
                    for (const auto &sg : segs[k])
                        if (!sg.compress) {
                            u.push_back(static_cast<int>(k));  // appended even when already present (line 1199)
                            break;
                        }
            for (const auto &[k, score] : ranked) {
                budget -= static_cast<double>(ctxLen[k]);
                if (std::find(u.begin(), u.end(), k) == u.end())
                    u.push_back(k);
                if (budget < 0)
                    break;  // the context that overflows the budget is kept (line 1212)
            }
            const std::vector<int> originalUsed = u;
            if (p.reorderContext == "original") {
                std::sort(u.begin(), u.end());
            } else if (p.reorderContext == "two_stage") {
                std::vector<int> l, rr;
                for (std::size_t i = 0; i < u.size(); ++i)
                    (i % 2 == 0 ? l : rr).push_back(u[i]);
                std::reverse(rr.begin(), rr.end());
                u = l;
                u.insert(u.end(), rr.begin(), rr.end());
            }  // any other value keeps the rank order (the documented "sort" falls through, algorithms.md 1.2)
            std::map<int, double> dynMap;
            if (p.dynamicRatio > 0) {
                // Linear ramp from +delta (best ranked) to -delta (lines 1226-1232).
                const long N = static_cast<long>(u.size());
                std::vector<double> ramp;
                for (long i = -(N - 1); i < N; i += 2)
                    ramp.push_back(N > 1 ? static_cast<double>(i) * (std::abs(p.dynamicRatio) / static_cast<double>(N - 1)) : 0.0);
                std::reverse(ramp.begin(), ramp.end());
                for (std::size_t i = 0; i < originalUsed.size() && i < ramp.size(); ++i)
                    dynMap[originalUsed[i]] = ramp[i];
            }
            used.clear();
            for (int k : u)
                if (std::find(used.begin(), used.end(), k) == used.end())
                    used.push_back(k);
            dyn.clear();
            for (int k : used)
                dyn.push_back(dynMap.count(k) ? dynMap[k] : 0.0);
            for (std::size_t k = 0; k < ctxSeg.size(); ++k) {
                if (std::find(used.begin(), used.end(), static_cast<int>(k)) != used.end())
                    continue;
                addEncodedEntries(lm, entries, ctxSeg[k], 0, r.segments[ctxSeg[k]].text, false, false, stageIdx);
            }
            st.scores.push_back({scoreSeries, {}});
            r.stages.push_back(st);
        }

        // Step 4: sentence filter (control_sentence_budget, lines 1243-1400) over the kept contexts.
        struct CtxPart {
            int k;
            std::vector<StructSeg> parts;  // kept content byte ranges of the segment, with their rates
        };
        std::vector<CtxPart> kept;
        for (int k : used)
            kept.push_back({k, segs[k]});
        if (p.sentenceFilter) {
            const int stageIdx = static_cast<int>(r.stages.size());
            Stage st;
            st.name = "sentence filter";
            struct Sent {
                int ci;  // index into kept
                std::vector<StructSeg> parts;
                std::string text;
                double ppl = 0;
            };
            std::vector<Sent> sents;
            for (std::size_t ci = 0; ci < kept.size(); ++ci) {
                const std::string &segText = r.segments[ctxSeg[kept[ci].k]].text;
                std::string joined;
                std::vector<std::pair<std::size_t, StructSeg>> map;  // joined offset -> part
                for (const auto &pt : kept[ci].parts) {
                    map.push_back({joined.size(), pt});
                    joined += segText.substr(pt.span.begin, pt.span.size());
                }
                auto sp = splitSentences(joined);
                // Re-synchronise so the sentences tile the text (sync_sentence, line 1260).
                for (std::size_t si = 0; si < sp.size(); ++si) {
                    const std::size_t b = si == 0 ? 0 : sp[si].begin;
                    const std::size_t e = si + 1 < sp.size() ? sp[si + 1].begin : joined.size();
                    Sent s{static_cast<int>(ci), {}, joined.substr(b, e - b), 0};
                    for (const auto &[off, pt] : map) {
                        const std::size_t pb = std::max(b, off), pe = std::min(e, off + pt.span.size());
                        if (pe > pb)
                            s.parts.push_back({{pt.span.begin + (pb - off), pt.span.begin + (pe - off)}, pt.rate, pt.compress});
                    }
                    sents.push_back(std::move(s));
                }
            }
            if (sents.size() > 1 && retrieval) {
                // get_rank_results over the sentences (lines 1330-1336): BM25 or gzip, no priority bonus.
                std::vector<std::string> texts;
                for (const auto &s : sents)
                    texts.push_back(s.text);
                const bool bm25 = p.rankMethod == "bm25";
                const std::vector<double> sc =
                    bm25 ? detail::bm25Scores(texts, question, ref ? detail::TermSplit::Reference : detail::TermSplit::Words)
                         : detail::gzipDistances(texts, question);
                // Expressed in the perplexity loop's terms below: sorted ascending when cond != "none".
                for (std::size_t i = 0; i < sents.size(); ++i)
                    sents[i].ppl = (cond == "none") == bm25 ? sc[i] : -sc[i];
            } else if (sents.size() > 1) {
                for (auto &s : sents) {
                    lm.check();
                    // longllmlingua: raw question; llmlingua: get_rank_results with the restrictive suffix.
                    s.ppl = p.rankMethod == "longllmlingua" ? lm.conditionPpl(s.text, question, cond)
                                                           : lm.conditionPpl(s.text, question + kQuestionSuffix, cond);
                }
            }
            if (sents.size() > 1) {
                const long N = static_cast<long>(sents.size());
                for (long i = 0; i < std::min<long>(retrieval ? 0 : p.keepFirstSentence, N); ++i)
                    sents[i].ppl += p.highPriorityBonus;
                for (long i = std::max(0L, N - p.keepLastSentence); i < N && p.keepLastSentence > 0 && !retrieval; ++i)
                    sents[i].ppl += p.highPriorityBonus;
                if (p.keepSentenceNumber > 0 && !retrieval) {
                    for (std::size_t ci = 0; ci < kept.size(); ++ci) {
                        std::vector<int> idx;
                        for (int i = 0; i < N; ++i)
                            if (sents[i].ci == static_cast<int>(ci))
                                idx.push_back(i);
                        std::stable_sort(idx.begin(), idx.end(), [&](int a, int b) { return sents[a].ppl < sents[b].ppl; });
                        for (int j = 0; j < std::min<int>(p.keepSentenceNumber, idx.size()); ++j)
                            sents[idx[j]].ppl += p.highPriorityBonus;
                    }
                }
                std::vector<int> order(N);
                std::iota(order.begin(), order.end(), 0);
                const int dir = cond == "none" ? -1 : 1;
                std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return dir * sents[a].ppl < dir * sents[b].ppl; });
                std::vector<char> flag(N, 0);
                double budget = (target < 0 ? 100 : target) * p.tokenBudgetRatio;
                for (int i : order) {
                    budget -= static_cast<double>(lm.length(sents[i].text));
                    flag[i] = 1;
                    if (budget < 0)
                        break;
                }
                for (int i = 0; i < N; ++i)
                    for (const auto &pt : sents[i].parts)
                        if (!pt.compress)
                            flag[i] = 1;
                for (auto &kc : kept)
                    kc.parts.clear();
                for (int i = 0; i < N; ++i) {
                    auto &kc = kept[sents[i].ci];
                    if (flag[i]) {
                        kc.parts.insert(kc.parts.end(), sents[i].parts.begin(), sents[i].parts.end());
                    } else {
                        for (const auto &pt : sents[i].parts)
                            addEncodedEntries(lm, entries, ctxSeg[kc.k], pt.span.begin,
                                              std::string_view(r.segments[ctxSeg[kc.k]].text).substr(pt.span.begin, pt.span.size()),
                                              false, false, stageIdx);
                    }
                }
            }
            r.stages.push_back(st);
        }
        // concate_segment_info (line 2131): merge neighbouring parts of equal rate/compress.
        std::vector<std::string> keptText;
        for (auto &kc : kept) {
            std::vector<StructSeg> merged;
            for (const auto &pt : kc.parts) {
                if (!merged.empty() && merged.back().rate == pt.rate && merged.back().compress == pt.compress &&
                    merged.back().span.end == pt.span.begin)
                    merged.back().span.end = pt.span.end;
                else
                    merged.push_back(pt);
            }
            kc.parts = merged;
            std::string t;
            for (const auto &pt : kc.parts)
                t += r.segments[ctxSeg[kc.k]].text.substr(pt.span.begin, pt.span.size());
            keptText.push_back(t);
        }

        // Step 5: the conditioning prefix (lines 661-681).
        std::string prefix;
        int start = 0;
        if (conditionFlag) {
            prefix = p.addInstruction ? question + "\n\n" + instruction : question;
            if (lm.length(prefix + "\n\n") + p.iterativeSize * 2 > lm.maxPos) {
                auto t = lm.encode(prefix, false);
                const long tailFrom = static_cast<long>(t.size()) - lm.maxPos + 2 + kPrefixBosNum + 2 * p.iterativeSize;
                std::vector<int> keepIds(t.begin(), t.begin() + std::min<std::size_t>(kPrefixBosNum, t.size()));
                const long from = pyIdx(tailFrom, static_cast<long>(t.size()));
                keepIds.insert(keepIds.end(), t.begin() + from, t.end());
                prefix = lm.decode(keepIds);
            }
            // get_prefix_length (line 988).
            const std::string pre = prefix + "\n\n";
            const std::string first = keptText.empty() ? std::string() : keptText[0];
            const auto full = lm.encode(pre + pyHead(first, 100), false);
            long i = std::max<long>(lm.length(pre, false) - 3, 1);
            bool found = false;
            for (; i < static_cast<long>(full.size()); ++i)
                if (lm.decode(std::vector<int>(full.begin(), full.begin() + i)) == pre) {
                    found = true;
                    break;
                }
            if (!found)
                stop(ErrorCode::Unsupported, "the question prefix does not end on a token boundary");
            start = static_cast<int>(i);
        }

        // The stream: "\n\n".join([prefix] + contexts).
        Stream stream;
        if (conditionFlag) {
            stream.add(-1, 0, prefix);
            stream.add(-1, 0, "\n\n");
        }
        for (std::size_t ci = 0; ci < kept.size(); ++ci) {
            if (ci)
                stream.add(-1, 0, "\n\n");
            for (const auto &pt : kept[ci].parts)
                stream.add(ctxSeg[kept[ci].k], pt.span.begin,
                           std::string_view(r.segments[ctxSeg[kept[ci].k]].text).substr(pt.span.begin, pt.span.size()));
        }
        stream.tokenize(lm);
        const long nTok = static_cast<long>(stream.ids.size());
        std::vector<char> pinKeep(nTok, 0), pinDrop(nTok, 0);
        for (long t = 0; t < nTok; ++t) {
            if (stream.tokSegment[t] < 0)
                continue;
            for (const auto &pin : options.pinned)
                if (pin.segment == stream.tokSegment[t] && stream.tokSpan[t].begin < pin.span.end &&
                    pin.span.begin < std::max(stream.tokSpan[t].end, stream.tokSpan[t].begin + 1))
                    (pin.keep ? pinKeep : pinDrop)[t] = 1;
        }
        // Per-token rate and compress flag (structured, or the context's tau + delta in corrected mode).
        std::vector<double> tokRate(nTok, 1.0);
        std::vector<char> tokCompress(nTok, 1);
        std::vector<int> tokCtx(nTok, -1);
        {
            std::map<int, int> segToKept;
            for (std::size_t ci = 0; ci < kept.size(); ++ci)
                segToKept[ctxSeg[kept[ci].k]] = static_cast<int>(ci);
            for (long t = 0; t < nTok; ++t) {
                if (stream.tokSegment[t] < 0)
                    continue;
                const int ci = segToKept[stream.tokSegment[t]];
                tokCtx[t] = ci;
                for (const auto &pt : kept[ci].parts)
                    if (stream.tokSpan[t].begin >= pt.span.begin && stream.tokSpan[t].begin < std::max(pt.span.end, pt.span.begin + 1)) {
                        tokRate[t] = pt.rate;
                        tokCompress[t] = pt.compress;
                    }
            }
        }

        std::string scoreName = p.conditionCompare ? "contrastive" : "surprisal";
        std::vector<char> tokKept(nTok, 1);
        std::vector<float> tokScore(nTok, kNaN);
        std::vector<int> tokStage(nTok, -1);
        std::string refCompressed;
        const int firstWindowStage = static_cast<int>(r.stages.size());
        if (p.tokenFilter) {
            std::vector<std::string> planCtx;
            if (conditionFlag)
                planCtx.push_back(prefix);
            planCtx.insert(planCtx.end(), keptText.begin(), keptText.end());
            if (ref) {
                std::vector<Window> plan;
                if (structured) {
                    std::vector<std::string> segTexts;
                    std::vector<double> rates;
                    std::vector<char> comp;
                    for (std::size_t ci = 0; ci < kept.size(); ++ci)
                        for (std::size_t j = 0; j < kept[ci].parts.size(); ++j) {
                            const auto &pt = kept[ci].parts[j];
                            std::string t = r.segments[ctxSeg[kept[ci].k]].text.substr(pt.span.begin, pt.span.size());
                            if (j + 1 == kept[ci].parts.size() && ci + 1 != kept.size())
                                t += "\n\n";
                            segTexts.push_back(t);
                            rates.push_back(pt.compress ? pt.rate : 1.0);
                            comp.push_back(pt.compress);
                        }
                    plan = structuredPlan(lm, std::vector<int>(stream.ids.begin() + std::min<long>(start, nTok), stream.ids.end()),
                                          p.iterativeSize, segTexts, rates, comp);
                } else {
                    plan = dynamicPlan(lm, planCtx, target, p.iterativeSize, dyn, start);
                }
                std::vector<int> keepFlag;
                // split_token_id = 13 is Llama's "\n", hard-coded in the reference (quirk 6).
                const int splitId = 13;
                if (p.keepSplit) {
                    for (long i = 0; i < nTok; ++i) {
                        const int id = stream.ids[i];
                        keepFlag.push_back((i > 0 && id == splitId && stream.ids[i - 1] == splitId) ||
                                           (i < nTok - 1 && id == splitId && stream.ids[i + 1] == splitId));
                    }
                }
                RefItpc itpc(lm, p.iterativeSize, start, p.conditionCompare, splitId, pinKeep, pinDrop);
                itpc.run(stream.ids, plan, keepFlag);
                for (long t = 0; t < nTok; ++t) {
                    tokKept[t] = itpc.out.kept[t];
                    tokScore[t] = itpc.out.value[t];
                    tokStage[t] = itpc.out.stage[t] >= 0 ? firstWindowStage + itpc.out.stage[t] : -1;
                }
                std::vector<int> keptIds;
                for (int t : itpc.keptOrder)
                    keptIds.push_back(stream.ids[t]);
                refCompressed = lm.decode(keptIds);
                for (std::size_t w = 0; w < itpc.out.windows.size(); ++w) {
                    Stage st;
                    st.name = "window " + std::to_string(w + 1);
                    for (double th : itpc.out.windows[w].thresholds)
                        st.thresholds.push_back({scoreName, th, "window threshold"});
                    r.stages.push_back(st);
                }
                if (nTok - start < p.iterativeSize)
                    r.warnings.push_back({"short_prompt", "the prompt is shorter than one window (" +
                                                              std::to_string(p.iterativeSize) +
                                                              " tokens): the reference leaves most of it uncompressed"});
                job.report(nTok, nTok, "done");
            } else {
                // Corrected: per-token keep ratio tau + delta (or the segment's rate), prefix excluded.
                long sumLen = 0;
                for (const auto &c : keptText)
                    sumLen += lm.length(c, false);
                const double tau = sumLen > 0 ? std::clamp(target / static_cast<double>(sumLen), 0.0, 1.0) : 1.0;
                CorrItpc itpc(lm, p.iterativeSize, start, p.conditionCompare);
                itpc.forceKeep.assign(nTok, 0);
                itpc.forceDrop.assign(nTok, 0);
                itpc.ratio.assign(nTok, 1.0);
                const int nl = static_cast<int>(lm.encode("\n", false).empty() ? -1 : lm.encode("\n", false).back());
                for (long t = 0; t < nTok; ++t) {
                    const bool sep = stream.tokSegment[t] < 0;
                    const bool splitRun = p.keepSplit && stream.ids[t] == nl &&
                                          ((t > 0 && stream.ids[t - 1] == nl) || (t + 1 < nTok && stream.ids[t + 1] == nl));
                    itpc.forceKeep[t] = sep || pinKeep[t] || !tokCompress[t] || splitRun;
                    itpc.forceDrop[t] = pinDrop[t];
                    if (tokCtx[t] >= 0)
                        itpc.ratio[t] = structured ? tokRate[t] : std::clamp(tau + dyn[tokCtx[t]], 0.0, 1.0);
                }
                // Atomic word of each stream token (the first word its text overlaps).
                {
                    itpc.wordOf.assign(nTok, -1);
                    std::map<int, std::pair<long, std::vector<Span>>> cores;  // segment -> (first word id, cores)
                    long base = 0;
                    for (long t = 0; t < nTok; ++t) {
                        const int sg = stream.tokSegment[t];
                        if (sg < 0)
                            continue;
                        auto found = cores.find(sg);
                        if (found == cores.end()) {
                            auto c = detail::atomicWordCores(r.segments[static_cast<std::size_t>(sg)].text);
                            const long n = static_cast<long>(c.size());
                            found = cores.emplace(sg, std::make_pair(base, std::move(c))).first;
                            base += n;
                        }
                        const auto &c = found->second.second;
                        const Span sp = stream.tokSpan[t];
                        auto it = std::upper_bound(c.begin(), c.end(), sp.begin,
                                                   [](std::size_t v, const Span &x) { return v < x.end; });
                        if (it != c.end() && it->begin < sp.end)
                            itpc.wordOf[t] = found->second.first + static_cast<long>(it - c.begin());
                    }
                }
                itpc.run(stream.ids);
                for (long t = 0; t < nTok; ++t) {
                    tokScore[t] = itpc.score[t];
                    tokKept[t] = itpc.forceKeep[t] ? 1 : 0;  // decided below by the final top-k
                }
                for (std::size_t w = 0; w < itpc.windows.size(); ++w) {
                    Stage st;
                    st.name = "window " + std::to_string(w + 1);
                    for (double th : itpc.windows[w].thresholds)
                        st.thresholds.push_back({scoreName, th, "provisional window threshold"});
                    r.stages.push_back(st);
                }
                // Window of each token, for the replay.
                for (long t = start; t < nTok; ++t)
                    tokStage[t] = firstWindowStage + static_cast<int>((t - start) / std::max(1, itpc.it));
                // Keep-ratio group of each token (for the final per-group budgets).
                for (long t = 0; t < nTok; ++t)
                    tokRate[t] = itpc.ratio[t];
            }
        } else {
            refCompressed.clear();
            for (std::size_t ci = 0; ci < keptText.size(); ++ci)
                refCompressed += (ci ? "\n\n" : "") + keptText[ci];
        }

        // Units.
        for (long t = 0; t < nTok; ++t) {
            if (stream.tokSegment[t] < 0)
                continue;
            const bool forced = pinKeep[t] || pinDrop[t] || !tokCompress[t];
            entries.push_back({stream.tokSegment[t], stream.tokSpan[t], tokKept[t] != 0, forced, tokStage[t], tokScore[t]});
        }
        for (std::size_t i = 0; i < r.segments.size(); ++i) {
            const auto role = r.segments[i].role;
            if (role == SegmentRole::Context)
                continue;
            const bool keptSeg = role == SegmentRole::Instruction || p.concateQuestion;
            addEncodedEntries(lm, entries, static_cast<int>(i), 0, r.segments[i].text, keptSeg, true, -1);
        }
        for (std::size_t k = 0; k < ctxSeg.size(); ++k)
            for (const auto &tg : tagPerCtx[k])
                entries.push_back({ctxSeg[k], tg, false, true, -1, kNaN});
        std::vector<float> unitScore;
        r.units = buildUnits(entries, r.segments, unitScore);
        // Window boundaries for the replay: the units each window decided on (before the final top-k
        // resets the stage of kept units).
        for (std::size_t i = 0; i < r.units.size(); ++i) {
            const int st = r.units[i].stage;
            if (st < firstWindowStage || st >= static_cast<int>(r.stages.size()))
                continue;
            Stage &w = r.stages[static_cast<std::size_t>(st)];
            if (w.firstUnit < 0)
                w.firstUnit = static_cast<int>(i);
            w.endUnit = static_cast<int>(i) + 1;
        }

        // Corrected: the final decision on whole words (issue 14). Each word's score is the sum of its tokens'
        // (conditional) self-information; words compete within their keep-ratio group (LongLLMLingua's
        // per-context tau + delta, or a structured segment's rate) by the share of the group's cost ranked
        // above them divided by the group's ratio, so one global budget in target tokens honours the ratios.
        std::optional<detail::WordLayer> wordLayer;
        std::vector<char> wordKeep;
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
                        states[static_cast<std::size_t>(g)] = detail::Decision::Drop;  // coarse or sentence stage
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
                            r.segments[static_cast<std::size_t>(r.units[static_cast<std::size_t>(u)].segment)].role ==
                                SegmentRole::Context &&
                            std::isnan(unitScore[static_cast<std::size_t>(u)]))
                            wordScore[static_cast<std::size_t>(g)] = std::numeric_limits<float>::infinity();
                const std::vector<int> costs = layer.costs(r, options.targetTokenizer);
                std::map<double, std::vector<int>> classes;
                long forcedCost = 0;
                for (int g = 0; g < layer.size(); ++g) {
                    if (states[static_cast<std::size_t>(g)] == detail::Decision::Keep)
                        forcedCost += costs[static_cast<std::size_t>(g)];
                    if (states[static_cast<std::size_t>(g)] != detail::Decision::Free)
                        continue;
                    const Unit &first = r.units[static_cast<std::size_t>(layer.groups()[static_cast<std::size_t>(g)].units.front())];
                    auto &m = startRate[first.segment];
                    auto it = m.upper_bound(first.span.begin);
                    if (it == m.begin()) {
                        states[static_cast<std::size_t>(g)] = detail::Decision::Keep;  // outside the token stage
                        forcedCost += costs[static_cast<std::size_t>(g)];
                        continue;
                    }
                    classes[std::prev(it)->second].push_back(g);
                }
                std::vector<float> key(static_cast<std::size_t>(layer.size()), kNaN);
                double want = static_cast<double>(forcedCost);
                for (auto &[rho, members] : classes)
                    want += rho * detail::assignClassKeys(members, wordScore, costs, rho, 0.0, key);
                // Words the coarse or sentence stage dropped come after every other word: used only when the
                // kept contexts hold less than the rate (corrected mode meets the rate; the trace says so).
                {
                    std::vector<int> late;
                    for (int g = 0; g < layer.size(); ++g)
                        if (coarseDropped[static_cast<std::size_t>(g)]) {
                            late.push_back(g);
                            states[static_cast<std::size_t>(g)] = detail::Decision::Free;
                        }
                    detail::assignClassKeys(late, wordScore, costs, 1.0, -1e6, key);
                }
                // Question sentences first (corrected mode, sentence_rank): words of the sentences that share
                // terms with the question come before every other word, best BM25 sentence first and whole; the
                // model's scores order the rest (and the words of the last sentence the budget reaches).
                const bool sentenceRank = !question.empty() &&
                                          (p.sentenceRank == "bm25" ||
                                           (p.sentenceRank == "auto" && m_variant == Variant::LongLLMLingua &&
                                            options.model.empty()));
                if (sentenceRank) {
                    std::vector<std::string> sentText;
                    std::vector<std::pair<int, Span>> sentAt;
                    for (int sg : ctxSeg)
                        for (const Span &sp : splitSentences(r.segments[static_cast<std::size_t>(sg)].text)) {
                            sentText.push_back(r.segments[static_cast<std::size_t>(sg)].text.substr(sp.begin, sp.size()));
                            sentAt.push_back({sg, sp});
                        }
                    const std::vector<double> sc = detail::bm25Scores(sentText, question, detail::TermSplit::Words);
                    const std::vector<int> order = detail::rankOrder(sc, true);
                    std::vector<int> rankPos(sc.size());
                    for (std::size_t j = 0; j < order.size(); ++j)
                        rankPos[static_cast<std::size_t>(order[j])] = static_cast<int>(j);
                    // The sentence holding a byte of a segment: sentences tile each segment in order.
                    std::map<int, std::pair<std::size_t, std::size_t>> sentRange;  // segment -> [first, end)
                    for (std::size_t j = 0; j < sentAt.size(); ++j) {
                        auto &rg = sentRange.try_emplace(sentAt[j].first, j, j).first->second;
                        rg.second = j + 1;
                    }
                    auto sentenceOf = [&](int segment, std::size_t byte) -> long {
                        auto rg = sentRange.find(segment);
                        if (rg == sentRange.end())
                            return -1;
                        auto first = sentAt.begin() + static_cast<long>(rg->second.first);
                        auto last = sentAt.begin() + static_cast<long>(rg->second.second);
                        auto it = std::upper_bound(first, last, byte,
                                                   [](std::size_t v, const auto &x) { return v < x.second.end; });
                        return it != last && it->second.begin <= byte ? static_cast<long>(it - sentAt.begin()) : -1;
                    };
                    std::map<int, std::vector<int>> bySentence;
                    for (int g = 0; g < layer.size(); ++g) {
                        if (states[static_cast<std::size_t>(g)] != detail::Decision::Free || coarseDropped[static_cast<std::size_t>(g)])
                            continue;
                        const auto &grp = layer.groups()[static_cast<std::size_t>(g)];
                        if (const long j = sentenceOf(grp.segment, grp.core.begin); j >= 0 && sc[static_cast<std::size_t>(j)] > 0)
                            bySentence[static_cast<int>(j)].push_back(g);
                    }
                    const double S = static_cast<double>(sc.size());
                    for (auto &[j, members] : bySentence)  // best sentence first, each above every other word
                        detail::assignClassKeys(members, wordScore, costs, 1.0 / 0.999,
                                                1.0 + (S - rankPos[static_cast<std::size_t>(j)]), key);
                    Stage st;
                    st.name = "question sentences";
                    std::vector<float> series(r.units.size(), kNaN);
                    for (std::size_t i = 0; i < r.units.size(); ++i)
                        if (const long j = sentenceOf(r.units[i].segment, r.units[i].span.begin); j >= 0)
                            series[i] = static_cast<float>(sc[static_cast<std::size_t>(j)]);
                    st.scores.push_back({"sentence_bm25", std::move(series)});
                    r.stages.push_back(std::move(st));
                }
                const long targetOverride = structured && options.targetTokens < 0 ? std::lround(want) : -1;
                detail::decideWordsByKey(r, layer, key, states, options, targetOverride);
                double minKept = std::numeric_limits<double>::infinity();
                for (int g = 0; g < layer.size(); ++g)
                    if (r.units[static_cast<std::size_t>(layer.groups()[static_cast<std::size_t>(g)].units.front())].kept &&
                        states[static_cast<std::size_t>(g)] == detail::Decision::Free && !std::isnan(wordScore[static_cast<std::size_t>(g)]))
                        minKept = std::min<double>(minKept, wordScore[static_cast<std::size_t>(g)]);
                if (std::isfinite(minKept))
                    r.thresholds.push_back({scoreName, minKept, "lowest kept word score (sum over its tokens)"});
            }
            wordKeep.assign(static_cast<std::size_t>(layer.size()), 0);
            for (int g = 0; g < layer.size(); ++g) {
                bool any = false;
                for (int u : layer.groups()[static_cast<std::size_t>(g)].units)
                    any = any || r.units[static_cast<std::size_t>(u)].kept;
                wordKeep[static_cast<std::size_t>(g)] = any && states[static_cast<std::size_t>(g)] != detail::Decision::Drop;
            }
            bool undone = false;
            for (auto &u : r.units)
                if (u.kept) {
                    undone = undone || (u.stage >= 0 && u.stage < firstWindowStage);
                    u.stage = -1;
                }
            if (undone)
                r.warnings.push_back({"coarse_filter_undone", "the contexts kept by the coarse stage hold less than the "
                                                              "requested rate: the best words of dropped ones were kept too"});
        }
        for (std::size_t i = 0; i < r.units.size(); ++i)
            if (!r.units[i].kept && r.units[i].stage >= 0 && r.units[i].stage < static_cast<int>(r.stages.size()))
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
            if (!isBlank(refCompressed))
                parts.push_back(refCompressed);
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
        r.forwardMs = lm.forwardMs;
        r.totalMs = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        return r;
    } catch (const Stop &s) {
        return s.error();
    } catch (const std::exception &e) {
        return fail(ErrorCode::Internal, std::string("llmlingua: ") + e.what());
    }
}

}  // namespace terse
