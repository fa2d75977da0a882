#pragma once
// Text units: spans of the user's text that compressors keep or drop. Offsets are UTF-8 byte
// offsets into the segment text they came from; a span never splits a UTF-8 character.

#include "terse/result.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace terse {

// A half-open byte range [begin, end) of a text.
struct Span {
    std::size_t begin = 0;
    std::size_t end = 0;
    std::size_t size() const { return end - begin; }
    bool operator==(const Span &) const = default;
};

// Checks that `text` is valid UTF-8 (no overlongs, surrogates or code points above U+10FFFF).
// On failure, `badOffset` (if given) receives the byte offset of the first invalid sequence.
bool isValidUtf8(std::string_view text, std::size_t *badOffset = nullptr);

// Validates a user's prompt text: non-empty after trimming, valid UTF-8, no NUL bytes (binary),
// at most `maxBytes`. The error names the problem and its byte offset.
Result<void> validatePromptText(std::string_view text, std::size_t maxBytes = 64u << 20);

// Splits text into words and punctuation marks, each unit including the whitespace that follows it,
// so the units concatenate back to the input exactly. Leading whitespace joins the first unit.
// Words are maximal runs of letters/digits/marks (plus apostrophes and joiners inside words); each
// other non-space character is its own unit.
std::vector<Span> splitWords(std::string_view text);

}  // namespace terse
