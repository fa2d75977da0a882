#include "compressors/longllmlingua.h"

#include "compressors/llmlingua_run.h"

namespace terse {

namespace detail::lingua {

// tests/test_longllmlingua.py and the README's LongLLMLingua call (algorithms.md 1.6); the ranking
// is resolved per run ("auto": longllmlingua in reference mode and with a chosen model, bm25 with
// the bundled small LM).
Params longLLMLinguaDefaults()
{
    Params p;
    p.rankMethod = "auto";
    p.conditionInQuestion = "after_condition";
    p.reorderContext = "sort";
    p.dynamicRatio = 0.3;
    p.conditionCompare = true;
    return p;
}

} // namespace detail::lingua

std::string LongLLMLinguaCompressor::name() const
{
    return "longllmlingua";
}

std::string LongLLMLinguaCompressor::displayName() const
{
    return "LongLLMLingua";
}

std::string LongLLMLinguaCompressor::description() const
{
    return "Question-aware LLMLingua: contexts ranked by how well they predict the question, "
           "dynamic "
           "per-context ratios and contrastive perplexity (Jiang et al., ACL 2024).";
}

} // namespace terse
