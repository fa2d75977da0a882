#pragma once
// UTF-8 coding and the White_Space property: the part of Unicode that the core layer needs (text
// units). The one implementation: text/unicode.h re-exports it next to the generated tables
// (general categories, normalization, lowercase) that only the text layer uses.

#include <cstddef>
#include <string>
#include <string_view>

namespace terse::detail {

// Decodes the UTF-8 sequence at s[i]; returns its byte length (1-4), or 0 if it is invalid
// (truncated, overlong, surrogate, beyond U+10FFFF). `cp` receives the code point.
std::size_t decodeUtf8(std::string_view s, std::size_t i, char32_t &cp);

// Like decodeUtf8, but an invalid byte decodes as U+FFFD of length 1 (never 0).
inline std::size_t decodeUtf8Lenient(std::string_view s, std::size_t i, char32_t &cp)
{
    if (static_cast<unsigned char>(s[i]) < 0x80) {
        cp = static_cast<unsigned char>(s[i]);
        return 1;
    }
    std::size_t n = decodeUtf8(s, i, cp);
    if (n == 0) {
        cp = 0xFFFD;
        n = 1;
    }
    return n;
}

// Length of the UTF-8 sequence that a lead byte announces (1 for continuation/invalid bytes).
inline std::size_t utf8Length(unsigned char lead)
{
    return lead < 0xC0 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
}

// `t` with each invalid sequence replaced by U+FFFD, one per maximal subpart (Unicode 3.9), as
// Python's decode(errors="replace") and Rust's String::from_utf8_lossy (HF tokenizers' decode) do:
// "\xE6\x9D" (a cut character) is one U+FFFD, each stray continuation byte one.
std::string toValidUtf8(std::string_view t);

// Appends the UTF-8 encoding of `cp` to `out`.
void appendUtf8(std::string &out, char32_t cp);

// Unicode White_Space (what Rust's char::is_whitespace and PCRE2's \s with UCP accept).
bool isWhiteSpace(char32_t cp);

// ASCII whitespace, as C's isspace in the "C" locale: space, \t, \n, \v, \f, \r.
inline bool isAsciiSpace(char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

} // namespace terse::detail
