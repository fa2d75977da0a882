#pragma once
// One attention row over a text, for the app's attention view: the text is tokenised with the
// model's own tokenizer and the row of the token at a byte position is read from one layer and
// head.

#include "terse/job.h"
#include "terse/result.h"
#include "terse/text_units.h"

#include <cstddef>
#include <string>
#include <vector>

namespace terse {

struct TextAttention {
    std::string model;          // the resolved model path
    std::vector<Span> spans;    // byte range of each model token in the text
    std::vector<float> weights; // attention of the query token to each token (0 after the query)
    int query = -1;             // index of the query token
    int windowStart =
        0; // first token the model saw with the query (> 0 for texts longer than its
           // window: the row covers the window ending at the query, earlier keys are 0)
    int layer = 0;
    int head = -1;  // -1: summed over heads
    int layers = 0; // the model's layer and head counts (for the view's ranges)
    int heads = 0;
};

// Loads `modelPath` ("" = the bundled default LM; cached) and returns the attention row of the
// token holding byte `queryByte` of `text` in `layer`/`head`. A text longer than the model's window
// is read in the window that ends at the query (windowStart). Errors: NotFound (model),
// InvalidArgument (empty text, byte past the end, layer/head out of range).
Result<TextAttention> textAttentionRow(const std::string &modelPath, const std::string &text,
                                       std::size_t queryByte, int layer, int head,
                                       const JobContext &job = JobContext::none());

} // namespace terse
