#pragma once
// Shared by the corrected modes of the model-based compressors: spans protected by structure (fenced
// code, JSON keys and punctuation) or a user regex, and top-k selection that meets a budget counted in the
// target tokenizer (the rate is a fraction of target-LLM tokens, met within 1% or 2 tokens).

#include "terse/compressor.h"

#include <string>
#include <vector>

namespace terse::detail {

// Byte spans of `text` to keep verbatim: matches of `protectRegex` (PCRE2, "" = none), and with
// `keepStructure` fenced code blocks (``` ... ```) whole plus JSON keys ("key":) and JSON punctuation.
// Errors: InvalidArgument naming the regex when it does not compile.
Result<std::vector<Span>> protectedSpans(const std::string &text, const std::string &protectRegex, bool keepStructure);

// True when the byte range [begin, end) overlaps one of `spans` (sorted by begin).
bool overlapsAny(const std::vector<Span> &spans, std::size_t begin, std::size_t end);

// Target-tokenizer cost of each unit: the token count of its text without surrounding whitespace.
std::vector<int> unitTargetCosts(const CompressionResult &result, const std::string &targetTokenizer);

// Keeps the forced-kept units, then the free units with the highest `scores` (NaN last; ties: earlier
// first) until the compressed text measures rate x the prompt's target tokens (or options.targetTokens)
// within max(1%, 2 tokens) where the units allow it. Finalises `result` and fills targetTokensIn/Out.
// Returns the score threshold (lowest kept free score; +inf when none kept).
double keepToTargetBudget(CompressionResult &result, const std::vector<float> &scores,
                          const CompressOptions &options);

}  // namespace terse::detail
