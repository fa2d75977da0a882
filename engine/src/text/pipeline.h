#pragma once
// Helpers shared by the tokenizer pipeline's stages (normalizers.cpp, pre_tokenizers.cpp): edits of
// a Normalized text that keep its alignment, and BERT's character classes.

#include "text/tokenizer_impl.h"

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace terse::text {

// Inserts `s` at byte `at`; the inserted bytes get the empty range at the neighbouring character.
void insertText(Normalized &n, std::size_t at, const std::string &s);

// Replaces every range in `ranges` (sorted, disjoint) with `content`, which takes the range's
// alignment.
void replaceRanges(Normalized &n, const std::vector<std::pair<std::size_t, std::size_t>> &ranges,
                   const std::string &content);

// Byte ranges of every non-overlapping occurrence of `needle` in `text`, left to right (none when
// `needle` is empty).
std::vector<std::pair<std::size_t, std::size_t>> findAll(std::string_view text,
                                                         std::string_view needle);

// BERT's character classes (BasicTokenizer): a control character other than \t \n \r; White_Space
// or \t \n \r; an ASCII symbol or Unicode punctuation.
bool isBertControl(char32_t c);
bool isBertWhitespace(char32_t c);
bool isBertPunct(char32_t c);

} // namespace terse::text
