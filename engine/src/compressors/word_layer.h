#pragma once
// Corrected mode decides on whole words (issue 14): the atomic words of the prompt
// (splitAtomicWords), grouped with the method's units so that a unit straddling two words ties them
// together, and one selection core that turns per-word scores, pins, protected spans and a budget
// counted in the target tokenizer into keep decisions. Every corrected method keeps its own units
// (tokens, phrases) for the heatmap and the stage trace; only the decision is made here.

#include "terse/compressor.h"

#include <functional>
#include <string>
#include <vector>

namespace terse::detail {

// How a word's score is made from the scores of the units inside it (NaN units are left out; a word
// with no finite unit score is NaN). Sum: total self-information (a word costs what all its tokens
// say); Mean: the average; Max: the strongest unit (attention: a word matters if any piece is
// attended); First: the first unit's score (LLMLingua-2's "first" word probability).
enum class WordAggregation { Sum, Mean, Max, First };

// "sum", "mean", "max", "first"; InvalidArgument naming the option otherwise.
Result<WordAggregation> parseAggregation(const std::string &option, const std::string &value);
const char *aggregationName(WordAggregation a);

// The decision state of an item: Free items compete on score; Keep/Drop are forced (pins,
// instruction and question, earlier stages); Priority items are kept before any free item while the
// budget allows (protected structure, the first token DAC never scores).
enum class Decision : signed char { Drop = -1, Free = 0, Keep = 1, Priority = 2 };

struct Selection {
    std::vector<char> keep; // per item
    double threshold = 0;   // the lowest kept free score (+inf when no free item is kept)
    long cost = 0; // the kept cost: measured when a measure was given, else the sum of costs
    bool reachable = true; // false when the forced items alone exceed the budget's tolerance
};

// The one selection core: keeps Keep items, drops Drop items, then Priority items in order, then
// Free items by score (higher first; NaN after every number; ties: the earlier item first) until
// the kept cost reaches `target`. Costs are estimates; with `measure` (the true cost of a keep
// vector, e.g. the compressed text counted in the target tokenizer) the count of kept items is
// corrected until the measured cost is within `tolerance` of the target, or the closest reachable.
Selection selectToBudget(const std::vector<float> &scores, const std::vector<Decision> &state,
                         const std::vector<int> &cost, long target, long tolerance,
                         const std::function<long(const std::vector<char> &)> &measure = {});

// The tolerance corrected mode promises: max(2 tokens, 1% of the prompt's target tokens).
long rateTolerance(long targetTokensIn);

// The atomic words of a text (splitAtomicWords) without the whitespace around them, in text order.
std::vector<Span> atomicWordCores(std::string_view text);

// The words of a result: contiguous runs of atomic words tied together by the result's units.
class WordLayer {
public:
    struct Group {
        int segment = 0;
        Span core; // the word's bytes without surrounding whitespace
        std::vector<int>
            units; // units whose text lies in the word (whitespace-only units go to the next word)
        bool format = false; // part of the prompt's demonstration format (prompt_format.h)
    };

    // Builds the words of `result.segments` and ties them to `result.units`; with `format`, marks
    // the words of the prompt's demonstration format (prompt_format.h; the baselines go without).
    static WordLayer build(const CompressionResult &result, bool format = true);

    const std::vector<Group> &groups() const { return m_groups; }
    int size() const { return static_cast<int>(m_groups.size()); }
    // The word a unit belongs to (-1 for a unit in a segment without words).
    int groupOf(int unit) const { return m_groupOf[static_cast<std::size_t>(unit)]; }

    // Per-word scores from per-unit scores; `alive` (per unit, optional) limits the units that
    // count.
    std::vector<float> aggregate(const std::vector<float> &unitScores, WordAggregation how,
                                 const std::vector<char> *alive = nullptr) const;
    // Per-word states from the units' forced/kept flags: any forced-kept unit keeps the word, else
    // any forced-dropped unit drops it; a word without units is dropped; a free word of the
    // prompt's demonstration format (prompt_format.h) is kept before the other free words
    // (Priority).
    std::vector<Decision> states(const CompressionResult &result) const;
    // Per-word cost in the target tokenizer (the word's text alone); 1 per word when it is
    // unavailable.
    std::vector<int> costs(const CompressionResult &result,
                           const std::string &targetTokenizer) const;
    // The compressed text of a keep vector: kept words in order; two kept words that were adjacent
    // keep the text between them, others are joined by the whitespace before the later one (a
    // newline when a newline was dropped between them, a space when no whitespace was); segments
    // joined with "\n\n". `perSegment` (optional) receives each segment's piece of the text (""
    // when nothing is kept).
    std::string render(const CompressionResult &result, const std::vector<char> &keep,
                       std::vector<std::string> *perSegment = nullptr) const;
    // Applies a keep vector: every unit of a word takes its decision; text, unit counts and rates
    // follow. Target token counts are the caller's (decideWords fills them). When the prompt has a
    // demonstration format, the result gets the series "format" (1 on its words' units, 0 on other
    // words') and the note "demonstration_format".
    void apply(CompressionResult &result, const std::vector<char> &keep) const;

private:
    std::vector<Group> m_groups;
    std::vector<int> m_groupOf;
    int m_demonstrations = 0; // the demonstrations of the prompt's format (0: none)
};

// Keys for the words of one class that share a keep ratio (a context's LongLLMLingua ratio, a PIS
// sentence's agent fraction, a question sentence): the class's words are ranked by `scores` (higher
// first, NaN last, ties: the earlier word), and each gets key = offset - q / ratio, where q is the
// share of the class's cost ranked above it. One global selection by key then keeps about ratio x
// each class's cost. Returns the class's total cost.
double assignClassKeys(std::vector<int> members, const std::vector<float> &scores,
                       const std::vector<int> &cost, double ratio, double offset,
                       std::vector<float> &keys);

// Corrected mode's decision for a single-pass method: aggregates `unitScores` to words, keeps the
// best words until the compressed text measures the requested rate of the prompt's target tokens
// (or options.targetTokens) within rateTolerance, honouring forced units and `priority` (per unit,
// optional: protected spans). Fills the units' kept flags, the text, the counts and the rates; adds
// a `rate_unreachable` warning when forced text exceeds the budget. With `questionFocus`, a prompt
// with a question gets corrected mode's question focus (question_focus.h) and its trace stage.
// `format`: the prompt's demonstration format is kept first (WordLayer::build). Returns the word
// score threshold.
double decideWords(CompressionResult &result, const std::vector<float> &unitScores,
                   WordAggregation how, const CompressOptions &options,
                   const std::vector<char> *priority = nullptr, bool questionFocus = false,
                   bool format = true);

struct WordBudget;
// Same, with the per-word keys given (higher kept first) and the states prepared by the caller.
// `costs` and `budget` (optional) are the layer's word costs and wordBudget() when the caller has
// them already (targetOverride is then ignored: the budget's target is used).
double decideWordsByKey(CompressionResult &result, const WordLayer &layer,
                        const std::vector<float> &wordKeys, std::vector<Decision> states,
                        const CompressOptions &options, long targetOverride = -1,
                        const std::vector<int> *costs = nullptr,
                        const WordBudget *budget = nullptr);

} // namespace terse::detail
