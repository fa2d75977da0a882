#pragma once
// Corrected mode's question focus for the methods that do not read the question themselves
// (selective_context, DAC, PIS, entropy_only, attention_only; issue 15). Their scores say which
// tokens are informative, not which answer the question: on multi-document QA prompts at rate 0.33
// they kept the answer less often than random deletion. With a question in the prompt:
//  - the contexts are ranked by BM25 against the question (as LongLLMLingua's coarse stage with
//    rank_method bm25), and the words of those below the best round((rate + 1) / 2 x N) come after
//    every word of a better context (ranked last, not removed: kept only when the rate needs them);
//  - the sentences that best match the question (rankQuestionSentences, the sentence_rank of
//    LongLLMLingua's and LLMLingua-2's corrected mode) are kept whole first, best first, up to
//    kQuestionShare of the budget left after the instruction and question;
//  - the method's own scores decide everything else (PIS: a question sentence survives its
//    sentence filter, which removes sentences similar to earlier ones).
// Reference mode never runs it (the reference implementations are question-agnostic).

#include "compressors/word_layer.h"
#include "terse/compressor.h"
#include "terse/word_vectors.h"

#include <string>
#include <vector>

namespace terse::detail {

// The prompt's question: its Question segments' text, "" when blank.
std::string questionText(const CompressionResult &result);

// The share of the free budget (target minus forced-kept text) that question sentences may take.
inline constexpr double kQuestionShare = 0.5;

// The target a corrected-mode word selection aims at: options.targetTokens, or rate x the prompt's
// target tokens (the word costs' sum when no target tokenizer is set).
struct WordBudget {
    long totalIn = 0;
    bool counted = false; // totalIn was measured in the target tokenizer
    long target = 0;
};
WordBudget wordBudget(const CompressionResult &result, const std::vector<int> &costs,
                      const CompressOptions &options, long targetOverride = -1);

class QuestionFocus {
public:
    // Plans the focus for `result`'s words (states as the method prepared them, costs in the
    // target tokenizer, the selection's target). Inactive (no-op) without a question or without
    // a context word.
    static QuestionFocus plan(const CompressionResult &result, const WordLayer &layer,
                              const std::vector<Decision> &states, const std::vector<int> &costs,
                              long target, double rate, const WordVectors *vectors);

    bool active() const { return m_active; }
    // Word `g` is in a chosen question sentence.
    bool isPriority(int g) const
    {
        return m_active && g >= 0 && static_cast<std::size_t>(g) < m_priority.size() &&
               m_priority[static_cast<std::size_t>(g)];
    }
    // Question-sentence words become Priority.
    void applyStates(std::vector<Decision> &states) const;
    // Words of lower-ranked contexts move below every other word, keeping their order.
    void applyKeys(std::vector<float> &keys) const;
    // The trace stage "question focus" (context_rank_score and sentence_bm25 per unit, the
    // context cut as a threshold), inserted at `at` in result.stages after removing any earlier
    // one (a re-decision); returns true when one was inserted.
    bool addStage(CompressionResult &result, std::size_t at) const;

private:
    bool m_active = false;
    std::vector<char> m_low;      // per word: in a context below the cut
    std::vector<char> m_priority; // per word: in a chosen question sentence
    Stage m_stage;
};

} // namespace terse::detail
