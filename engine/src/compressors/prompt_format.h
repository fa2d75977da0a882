#pragma once
// Corrected mode keeps the format of few-shot prompts (issue 15). In a prompt of several
// demonstrations (its contexts, or the blank-line-separated blocks of its contexts), the text the
// demonstrations share is their format:
//  - a line of plain words found once in each of most of them ("Let's think step by step");
//  - the lead of a line that starts most of them alike: a label ("Question:", "A:") or the plain
//    words before the line's first number or symbol ("The answer is");
//  - a demonstration's last sentence when the last sentences of most of them start alike and it
//    adds at most kFormatAnswerWords words to that lead: its answer ("The answer is 6.", "A: 42",
//    or "So the answer is (B)." at the end of BIG-Bench Hard's last reasoning line).
// Code, tables and chats are not demonstrations: their repeated lines hold symbols or repeat inside
// one block, and a chat turn is one long line after its label (only the label is format).
// A language model finds this text predictable and drops it first, yet the target LLM needs it to
// follow the demonstrations: the reference's GSM8K setting forces "The answer is" and "\n" for the
// same reason (algorithms.md 1.5, step 13). The word layer keeps these words before any free word
// while the budget allows (Decision::Priority); pins and forced decisions still win.

#include "terse/compressor.h"

#include <string_view>
#include <vector>

namespace terse::detail {

// Demonstrations needed before any format is looked for, and the share of them a line or lead must
// start to count as format.
inline constexpr int kFormatMinBlocks = 3;
inline constexpr double kFormatShare = 0.5;
// A lead is at most this many words; one word only when it ends with ':' (a label).
inline constexpr int kFormatLeadWords = 4;
// The words an answer line may add to its lead.
inline constexpr int kFormatAnswerWords = 3;
// When the format found would exceed this share of the demonstrations' bytes, the prompt is not
// read as demonstrations with a format (a list or a table whose lines all start alike): none.
inline constexpr double kFormatMaxShare = 1.0 / 3.0;

// A word of prose: letters (any non-ASCII byte counts as one), apostrophes and hyphens inside,
// trailing punctuation among : , . ? ! ; — no digit, no symbol.
bool plainWord(std::string_view word);

// The lead of one line (no line break inside): its first plain words, ending after a word that
// ends with ':', at most kFormatLeadWords words. The byte length of
// the lead within `line` (from its first byte, leading spaces included), 0 when it has no lead (one
// word without ':', or a number first).
std::size_t lineLead(std::string_view line);

struct DemonstrationFormat {
    // The format spans of each segment (byte ranges into segments[s].text, sorted; empty for
    // segments that are not contexts, or when the prompt has no format).
    std::vector<std::vector<Span>> spans;
    int demonstrations = 0; // the blocks read as demonstrations (0 when there is no format)
};
DemonstrationFormat demonstrationFormat(const std::vector<PromptSegment> &segments);

} // namespace terse::detail
