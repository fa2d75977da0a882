#pragma once
// How corrected mode joins two kept words that stood with no whitespace between them
// (compressors/word_layer.cpp's render). Defined in core/text_units.cpp beside splitAtomicWords.

#include <cstddef>
#include <string_view>
#include <vector>

namespace terse::detail {

// Whether two texts written with nothing between them still read as two words: words of scripts
// written without spaces (CJK "作" "二", Thai), a word and a punctuation mark ("Heidi" ","); not
// two runs of letters or digits ("Alice" "Bob"), nor marks that join a word ("5" "%", "-" "5")
// (splitAtomicWords of the two, one after the other, against that of the joined text).
bool staysApart(std::string_view left, std::string_view right);

// Per byte of `text` (plus one for its end): 1 where a word of a script written without spaces
// (CJK, Thai, Lao, Myanmar, Khmer; ICU's dictionary words, as splitAtomicWords has them) begins or
// ends: the word boundaries of text that has no spaces to show them. Empty when the text holds none
// of these scripts.
std::vector<char> dictionaryWordEdges(std::string_view text);

} // namespace terse::detail
