#pragma once
// Token-level units over a prompt for the methods that decide per model token (DAC, PIS and the
// entropy/attention baselines): one model input sequence, one unit per token.
#include "terse/compressor.h"
#include "terse/model.h"
#include "terse/tokenizer.h"

#include <string>
#include <vector>

namespace terse::detail {

// The model input of a prompt: every segment's tokens in order with the "\n\n" join's tokens
// between segments (the reference tokenises the joined text; a single segment gives exactly its
// encoding).
struct TokenSequence {
    std::vector<int> ids;        // model input ids
    std::vector<int> unitOf;     // per position: index into the units, -1 for separator tokens
    std::vector<int> positionOf; // per unit: position in ids
};

// Encodes the prompt without special tokens, appends one token unit per token to `units` (spans
// tile each segment; instruction/question tokens are forced kept) and returns the sequence. Errors:
// the tokenizer's (invalid UTF-8), InvalidInput for a prompt with no tokens.
Result<TokenSequence> buildTokenSequence(const Prompt &prompt, const Tokenizer &tokenizer,
                                         std::vector<Unit> &units);

// Min-max normalisation to [0, 1], all zeros when the range is below 1e-8 (DAC compressor.py
// 71-82). Non-finite values are left out of the range and map to 0.
std::vector<float> minMaxNormalise(const std::vector<float> &values);

// The text of the kept token units, segments joined with "\n\n": a subsequence of the input.
std::string keptTokenText(const CompressionResult &result);

} // namespace terse::detail
