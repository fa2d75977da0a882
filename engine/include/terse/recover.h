#pragma once
// LongLLMLingua's response recovery (reference `recover`, prompt_compressor.py 1751-1816): words of
// an LLM response that were copied from the compressed prompt are replaced by the shortest span of
// the original prompt's tokens that contains them in order (gaps of at most 10 tokens).

#include "terse/result.h"

#include <string>

namespace terse {

class Tokenizer;

// Recovers `response` against the original and compressed prompts with the compressor's tokenizer.
// Pure function; thread-safe. Errors: InvalidInput when a text is not valid UTF-8.
Result<std::string> recoverResponse(const Tokenizer &tokenizer, const std::string &originalPrompt,
                                    const std::string &compressedPrompt,
                                    const std::string &response);

} // namespace terse
