#pragma once
// Shared by the tagger trainer and evaluator: a labelled sentence as [CLS] tokens [SEP] with each
// token's word. Torch-free.

#include "terse/tokenizer.h"
#include "terse/train.h"

#include <vector>

namespace terse::train {

struct TaggedTokens {
    std::vector<int> ids; // [CLS] tokens [SEP], cut to maxLen
    std::vector<int>
        word; // word index of each token, -1 for [CLS]/[SEP] and whitespace-only tokens
};

// A token belongs to the word holding its first non-space byte (byte-level BPE carries the
// preceding space in the token).
Result<TaggedTokens> tagTokens(const Tokenizer &tok, const LabeledSentence &s, int cls, int sep,
                               int maxLen);

// Running text from labelled sentences: consecutive sentences joined by a space while the
// passage's tokens (counted sentence by sentence, plus [CLS] and [SEP]) fit `maxTokens`; a sentence
// longer than that is a passage of its own. Word spans and labels follow the joined text.
Result<std::vector<LabeledSentence>> joinIntoPassages(const Tokenizer &tok,
                                                      const std::vector<LabeledSentence> &sentences,
                                                      int maxTokens);

// English stopwords (lowercase), for the keep-all-but-stopwords baseline.
bool isStopword(std::string_view lowercaseWord);

} // namespace terse::train
