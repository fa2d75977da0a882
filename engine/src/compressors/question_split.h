#pragma once
// A plain prompt read as the parts of a structured one, in corrected mode: its trailing question
// (terse::trailingQuestionStart) becomes the Question part, for every method; for the methods that
// rank contexts against the question (LLMLingua, LongLLMLingua, LLMLingua-2) its paragraphs also
// become the contexts, and a short first paragraph the instruction (unless it starts as most of
// the others do). The method sees the parts; the
// caller gets a result over the prompt it gave (one segment, the units' spans in its text).

#include "terse/compressor.h"

#include <memory>

namespace terse {

// Wraps `inner` so that compress, canRethreshold and rethreshold read a one-Context prompt as its
// parts (plainPromptParts) when options.mode is corrected and options.findQuestion is set, and
// merge the result back. Everything else passes through.
std::unique_ptr<Compressor> withQuestionSplit(std::unique_ptr<Compressor> inner, bool paragraphs);

} // namespace terse
