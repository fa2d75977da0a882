#pragma once
// LLMLingua-2's parts shared by compress() (llmlingua2.cpp) and the decision from cached series
// (llmlingua2_decide.cpp): the option struct, the series the result caches per unit, and the
// decision. Private to the compressors. Line numbers and steps cite algorithms.md 1.5.

#include "compressors/question_focus.h"
#include "terse/compressor.h"
#include "terse/job.h"

#include <string>
#include <string_view>
#include <vector>

namespace terse::detail::lingua2 {

// Series names of the per-unit cache that rethreshold() re-decides from.
constexpr const char *kProb = "probability"; // P_w, forced words 1.0 (1.5 step 5-6)
constexpr const char *kContextRank =
    "context_rank"; // coarse_rank: -mean loss of the question after the context
constexpr const char *kProbNoForce =
    "probability_no_force";                   // first-subword probability (the no-force quirk)
constexpr const char *kForce = "force_token"; // 0: no; 1: force token; 2 + i: mapped to [NEWi]
constexpr const char *kChunk = "chunk";       // global chunk index; NaN: not a model word
constexpr const char *kTargetTokens = "target_tokens"; // target-tokenizer tokens of the word text
constexpr const char *kWordOffset = "word_offset";     // word text = span.begin + offset ...
constexpr const char *kWordBytes = "word_bytes";       // ... for this many bytes
constexpr const char *kProtected = "protected";        // 1: protected by structure or protect_regex

// The options; the initializers are the defaults (params.h).
struct Params {
    std::vector<std::string> forceTokens;
    std::vector<std::string> chunkEndTokens = {".", "\n"};
    bool dropConsecutive = false;
    bool forceReserveDigit = false;
    bool firstSubword = false; // token_to_word "first"
    bool contextFilter = true;
    double contextLevelRate = 1.0;
    long targetContext = -1;
    long contextLevelTargetToken = -1;
    std::vector<int> forceContextIds;
    std::string protectRegex;
    bool keepStructure = true;
    bool keepIdentifiers = true;
    std::string coarseMethod = "auto"; // auto, none, longllmlingua, bm25, gzip
    std::string rankModel;             // causal LM for the ranking ("" = the bundled LM)
    std::string sentenceRank = "auto"; // auto, bm25, none: question sentences first (corrected)

    // A question-aware context ranking replaces the context score.
    bool coarseRank() const { return coarseMethod != "none"; }
};

// The text of word unit `i` (its span plus the cached word offset and length).
std::string wordText(const CompressionResult &r, std::size_t i, const std::vector<float> &off,
                     const std::vector<float> &bytes);

// Re-decides every unit from the cached series (both modes); the single decision path of compress()
// and rethreshold().
Result<void> decide(CompressionResult &r, const CompressOptions &o, const Params &p);

// LongLLMLingua's coarse ranking (llmlingua2_run.cpp; get_rank_results with rank_method
// "longllmlingua", lines 2032-2045): each context is scored by how well it predicts the question
// followed by the restrictive suffix, condition "after": score = -mean loss of the question tokens
// given the context (higher = better). Returns one value per unit (the unit's context score, NaN
// outside contexts); empty when the prompt has fewer than two contexts (no ranking to do).
Result<std::vector<float>> contextRankSeries(const CompressionResult &r, const Params &p,
                                             const WordVectors *vectors, bool reference,
                                             const std::string &device, const JobContext &job,
                                             double &forwardMs);

} // namespace terse::detail::lingua2
