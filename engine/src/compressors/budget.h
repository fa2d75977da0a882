#pragma once
// Shared by the corrected modes of the model-based compressors: spans protected by structure
// (fenced code, JSON keys and punctuation) or a user regex, and top-k selection that meets a budget
// counted in the target tokenizer (the rate is a fraction of target-LLM tokens, met within 1% or 2
// tokens).

#include "compressors/word_layer.h"
#include "terse/compressor.h"

#include <string>
#include <vector>

namespace terse::detail {

// Byte spans of `text` to keep verbatim: matches of `protectRegex` (PCRE2, "" = none), and with
// `keepStructure` fenced code blocks (``` ... ```) whole plus JSON keys ("key":) and JSON
// punctuation. Errors: InvalidArgument naming the regex when it does not compile.
Result<std::vector<Span>> protectedSpans(const std::string &text, const std::string &protectRegex,
                                         bool keepStructure);

// True when the byte range [begin, end) overlaps one of `spans` (sorted by begin).
bool overlapsAny(const std::vector<Span> &spans, std::size_t begin, std::size_t end);

// Corrected mode's selection for unit-scored methods: the units' scores are aggregated to whole
// words
// (`how`), and words are kept best first until the compressed text measures rate x the prompt's
// target tokens (or options.targetTokens) within max(1%, 2 tokens) where the forced text allows it
// (see word_layer.h). Units flagged in `priority` (protected structure) are kept before free words.
// Finalises `result` and fills targetTokensIn/Out. Returns the word score threshold (+inf when none
// kept).
// With `questionFocus`, corrected mode's question focus (question_focus.h); `format`: the prompt's
// demonstration format first (prompt_format.h; false for the baselines).
double keepToTargetBudget(CompressionResult &result, const std::vector<float> &scores,
                          const CompressOptions &options, WordAggregation how,
                          const std::vector<char> *priority = nullptr, bool questionFocus = false,
                          bool format = true);

} // namespace terse::detail
