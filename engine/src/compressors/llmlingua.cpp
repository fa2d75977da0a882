// LLMLingua / LongLLMLingua: the options and compress(), which runs the stages of llmlingua_run.h.
// Line numbers cite microsoft/LLMLingua llmlingua/prompt_compressor.py (algorithms.md section 1).
// Reference mode ports the reference step by step (Python slice semantics included); corrected mode
// keeps the pipeline but scores each token by its own surprisal, compresses short prompts, and ends
// with a budgeted top-k so that the achieved rate is the requested one.
#include "compressors/llmlingua.h"

#include "compressors/common.h"
#include "compressors/llmlingua_run.h"
#include "compressors/params.h"
#include "core/engine_error.h"
#include "models/model_context.h"

#include <chrono>

namespace terse {
namespace {

using namespace detail::lingua; // Params, Run, Lm, stop/unwrap (llmlingua_run.h, llmlingua_itpc.h)

// ---------------------------------------------------------------------------------------------------------
// Parameters

// LLMLingua's defaults are Params' initializers; LongLLMLingua's are its documented configuration.
Params defaultParams(bool longVariant)
{
    return longVariant ? longLLMLinguaDefaults() : Params{};
}

// The parameter table (params.h) of one variant.
detail::ParamTable<Params> makeParams(bool lg)
{
    return detail::ParamTable<Params>(lg ? "longllmlingua" : "llmlingua")
        .number("iterative_size", &Params::iterativeSize, "Window (tokens)",
                "ITPC window length in small-LM tokens (reference default 200).", 2, 4096, 1)
        .text("context_budget", &Params::contextBudget, "Context budget",
              "Arithmetic suffix applied to the token budget for the context filter, e.g. \"+100\" "
              "or \"*1.5\" (the paper's k). auto: \"*2\" in corrected mode when contexts are "
              "ranked by bm25 or gzip (a model-free ranking misses more answer contexts, so twice "
              "the target's worth is kept and compressed harder), \"+100\" (the reference "
              "default) otherwise.")
        .number("token_budget_ratio", &Params::tokenBudgetRatio, "Sentence budget ratio",
                "Sentence filter budget = target x this ratio.", 1, 5, 0.1)
        .choice(
            "condition_in_question", &Params::conditionInQuestion, "Question conditioning",
            "How the question conditions the context ranking; \"_condition\" also prefixes the "
            "question in the token stage.",
            {"none", "before", "after", "none_condition", "before_condition", "after_condition"})
        .choice(
            "reorder_context", &Params::reorderContext, "Context order",
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
        .flag("use_token_level_filter", &Params::tokenFilter, "Token filter",
              "Iterative token-level compression (ITPC).")
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
                                  "Comma-separated context indices always kept.",
                                  detail::readIndexList, detail::indexListText)
        .choice(
            "sentence_rank", &Params::sentenceRank, "Question sentences first",
            "Corrected mode: rank the contexts' sentences by BM25 against the question and "
            "keep the best ones whole before the model's scores compress the rest (answers are "
            "phrases: a small LM's per-word scores break them). auto: on with a model under 100M "
            "parameters, such as the bundled one, when the prompt has a question; off in "
            "reference mode.",
            {"auto", "bm25", "none"})
        .choice("rank_method", &Params::rankMethod, "Rank method",
                lg ? "Context scorer: longllmlingua (question-conditioned perplexity), bm25 (Okapi "
                     "BM25, question as the query), gzip (compression distance to the question) or "
                     "llmlingua (perplexity). auto: longllmlingua in reference mode and with a "
                     "model of 100M parameters or more; bm25 with smaller ones such as the "
                     "bundled model, whose perplexities do not rank documents."
                   : "Context scorer: llmlingua (perplexity), longllmlingua (question-conditioned "
                     "perplexity), bm25 (Okapi BM25, question as the query) or gzip (compression "
                     "distance to the question). auto: llmlingua in reference mode, with a model "
                     "of 100M parameters or more and without a question; bm25 with smaller ones "
                     "such as the bundled model when the prompt has a question (keeps the answer "
                     "document).",
                lg ? std::vector<std::string>{"auto", "longllmlingua", "bm25", "gzip", "llmlingua"}
                   : std::vector<std::string>{"auto", "llmlingua", "longllmlingua", "bm25", "gzip"})
        .flag("concate_question", &Params::concateQuestion, "Append question",
              "Append the question to the compressed prompt.")
        .flag("add_instruction", &Params::addInstruction, "Instruction in prefix",
              "Put the instruction into the conditioning prefix.")
        .flag("strict_preserve_uncompressed", &Params::strictPreserveUncompressed,
              "Keep compress=False contexts",
              "Contexts with a compress=False segment are always kept.")
        .choice("structured", &Params::structured, "Structured tags",
                "Parse <llmlingua, rate=..., compress=...> tags: auto detects them.",
                {"auto", "on", "off"});
}

const detail::ParamTable<Params> &paramTable(bool longVariant)
{
    static const auto lingua = makeParams(false);
    static const auto longLingua = makeParams(true);
    return longVariant ? longLingua : lingua;
}

} // namespace

// ---------------------------------------------------------------------------------------------------------

std::string LLMLinguaCompressor::name() const
{
    return "llmlingua";
}

std::string LLMLinguaCompressor::displayName() const
{
    return "LLMLingua";
}

std::string LLMLinguaCompressor::description() const
{
    return "Coarse-to-fine compression by small-LM perplexity: context ranking, budget controller "
           "and iterative token-level compression (Jiang et al., EMNLP 2023).";
}

std::vector<OptionSpec> LLMLinguaCompressor::options() const
{
    const bool lg = m_variant == Variant::LongLLMLingua;
    return paramTable(lg).specs(defaultParams(lg));
}

Result<CompressionResult> LLMLinguaCompressor::compress(const Prompt &prompt,
                                                        const CompressOptions &options,
                                                        const JobContext &job)
{
    const auto t0 = std::chrono::steady_clock::now();
    try {
        const bool lg = m_variant == Variant::LongLLMLingua;
        auto start = unwrap(detail::startModelMethod(name(), prompt, options, paramTable(lg),
                                                     DefaultModel::CausalLM, defaultParams(lg)));
        Params p = std::move(start.params);
        const auto &loaded = start.model;
        Lm lm{loaded->model, loaded->tokenizer, job, loaded->model.info().maxPositions, 0.0};
        if (lm.maxPos <= 0)
            lm.maxPos = 2048;

        Run run(prompt, options, job, std::move(p), lg, lm,
                detail::newResult(name(), prompt, options, "token", loaded->path));
        CompressionResult r = run.run();
        r.forwardMs = run.model().forwardMs;
        r.totalMs = detail::msSince(t0);
        return r;
    } catch (const Stop &s) {
        return s.error();
    } catch (const std::exception &e) {
        return fail(ErrorCode::Internal, std::string("llmlingua: ") + e.what());
    }
}

} // namespace terse
