#pragma once
// How corrected mode joins two kept words that stood with no whitespace between them
// (compressors/word_layer.cpp's render). Defined in core/text_units.cpp beside splitAtomicWords.

#include <cstddef>
#include <string_view>

namespace terse::detail {

// Whether two texts written with nothing between them still split into their own atomic words
// (splitAtomicWords of the two, one after the other): CJK characters ("作" "二"), a word and a
// punctuation mark ("Heidi" ","); not two runs of letters or digits ("Alice" "Bob"), nor marks that
// join a word ("5" "%", "-" "5").
bool staysApart(std::string_view left, std::string_view right);

// Whether the code point that starts at byte `at` of `text`, or the one that ends there, is an
// ideograph or kana, words of their own in splitAtomicWords: a word boundary in CJK text, which has
// no spaces (false inside a code point).
bool cjkBoundary(std::string_view text, std::size_t at);

} // namespace terse::detail
