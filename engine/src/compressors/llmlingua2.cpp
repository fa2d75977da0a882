// LLMLingua-2: the options, compress(), which runs the stages of llmlingua2_run.h, the re-decision
// from cached scores and the reference's word labels (algorithms.md 1.5).
#include "compressors/llmlingua2.h"

#include "compressors/common.h"
#include "compressors/llmlingua2_run.h"
#include "compressors/params.h"
#include "core/engine_error.h"

#include <chrono>
#include <cmath>

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
            .choice(
                "sentence_rank", &Params::sentenceRank, "Question sentences first",
                "Corrected mode: rank the kept contexts' sentences by BM25 against the "
                "question (earlier sentences first among equals) and keep the best ones whole "
                "before the classifier's probabilities compress the rest; an answer is a phrase "
                "the small bundled tagger would cut. auto: on in corrected mode when the prompt "
                "has a question; off in reference mode.",
                {"auto", "bm25", "none"})
            .flag("keep_identifiers", &Params::keepIdentifiers, "Keep identifiers whole",
                  "Corrected mode: numbers and identifiers split by the tokenizer (ABC-123, 3.14, "
                  "user_id) are one unit.");
    return table;
}

Result<Params> parseParams(const CompressOptions &o)
{
    return lingua2Params().parse(o.params);
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
    auto start =
        detail::startModelMethod(name(), prompt, options, lingua2Params(), DefaultModel::Tagger);
    if (!start)
        return start.error();
    const detail::LoadedModel &loaded = *start->model;
    try {
        Run run(prompt, options, job, start->params, loaded.model, loaded.tokenizer, name(),
                loaded.path);
        CompressionResult r = run.run();
        r.totalMs = detail::msSince(t0);
        job.report(1, 1, "done");
        return r;
    } catch (const detail::EngineError &e) {
        return e.error();
    }
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
