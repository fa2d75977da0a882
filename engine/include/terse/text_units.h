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
// other non-space character is its own unit. Text in scripts written without spaces (Chinese,
// Japanese, Thai, Lao, Myanmar, Khmer) is cut into the words of ICU's dictionaries ("北京" "大学").
std::vector<Span> splitWords(std::string_view text);

// Splits text into the atomic words of corrected mode: the units a compressor keeps or drops whole,
// so that no output ever fuses or truncates a word. Each unit includes the whitespace that follows
// it (leading whitespace joins the first), so the units concatenate back to the input exactly.
// Within a run of non-space characters: everything from the first to the last letter/digit is one
// unit ("14-2=12", "high-quality", "v1.13.1", "user_id", "don't", "2023-11-05", "a@b.com"), split
// only at brackets and quotes
// ("print", "(", "x", ")"); a sign, currency or '#'/'@' directly before it and a '%' directly after
// a digit belong to it ("$1,200", "-5", "3.5%"); other leading and trailing punctuation marks are
// units of their own (",", ".", "**"); a URL (scheme:// or www.) is one unit up to its trailing
// sentence punctuation; text in scripts written without spaces (Chinese, Japanese, Thai, Lao,
// Myanmar, Khmer) is one unit per word of ICU's dictionaries ("我们" "今天" "去" "北京").
std::vector<Span> splitAtomicWords(std::string_view text);

// Splits text into sentences that concatenate back to the input exactly: each sentence keeps its
// terminator, closing quotes/brackets and the whitespace after it. Boundaries: . ! ? and … runs
// followed by whitespace and a character that is not lowercase (abbreviations such as "Mr.",
// "e.g.", "U.S." and single-letter initials excepted), CJK 。！？, and every newline.
std::vector<Span> splitSentences(std::string_view text);

struct Encoding;

// A word as a model sees it: tokens [firstToken, endToken) of an Encoding and the text they cover
// (leading whitespace excluded; empty for special tokens, which form groups of their own).
struct WordGroup {
    Span span;
    std::size_t firstToken = 0;
    std::size_t endToken = 0;
};

// Groups the tokens of `encoding` (made from `text`) into words, LLMLingua-2 style: WordPiece
// tokens starting with "##" continue a word; for the other kinds a token starts a word when it
// begins with whitespace (Ġ, ▁ or a space), follows whitespace, or follows a whitespace-only token.
// Tokens that share a character with the previous one (empty spans) never start a word.
std::vector<WordGroup> groupWords(const Encoding &encoding, std::string_view text);

// groupWords, with each group also cut where one of its tokens begins a word of a script written
// without spaces (Chinese, Japanese, Thai, Lao, Myanmar, Khmer: the words of splitAtomicWords),
// where groupWords sees one word from space to space.
std::vector<WordGroup> groupDictionaryWords(const Encoding &encoding, std::string_view text);

} // namespace terse
