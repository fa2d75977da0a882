#pragma once
// LLMLingua-2 (Pan et al. 2024): a token classifier (BERT / XLM-R) gives each token a keep
// probability; words are kept above a percentile threshold. Reference mode reproduces
// microsoft/LLMLingua compress_prompt_llmlingua2 (algorithms.md 1.5) including per-chunk
// thresholds; corrected mode meets the rate globally in target-tokenizer tokens and keeps protected
// structure.

#include "terse/compressor.h"

namespace terse {

class LlmLingua2Compressor : public Compressor {
public:
    std::string name() const override { return "llmlingua2"; }
    std::string displayName() const override { return "LLMLingua-2"; }
    std::string description() const override;
    std::vector<OptionSpec> options() const override;
    Result<CompressionResult> compress(const Prompt &prompt, const CompressOptions &options,
                                       const JobContext &job) override;
    bool canRethreshold(const CompressionResult &previous, const CompressOptions &prevOptions,
                        const CompressOptions &next) const override;
    Result<CompressionResult> rethreshold(const CompressionResult &previous,
                                          const CompressOptions &next) const override;
};

// The reference's fn_labeled_original_prompt: every model word as "word{labelSep}{0|1}", joined
// with `wordSep` (words of dropped contexts get 0). Empty when `result` is not an llmlingua2
// result.
std::string llmlingua2WordLabels(const CompressionResult &result,
                                 const std::string &wordSep = "\t\t|\t\t",
                                 const std::string &labelSep = " ");

} // namespace terse
