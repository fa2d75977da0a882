#pragma once
// Selective-Context (Li et al. 2023): drops the lexical units (tokens, phrases or sentences) with
// the lowest self-information under a causal LM. Reference mode reproduces
// liyucheng09/Selective_Context (algorithms.md 1.7): whitespace collapsed, sentences scored
// independently after <|endoftext|>, unit score = mean token self-information, percentile threshold
// at 100 x reduce_ratio (reduce = 1 - rate). Corrected mode keeps the units with the most
// self-information until the rate is met in target tokens.

#include "terse/compressor.h"

namespace terse {

class SelectiveContextCompressor : public Compressor {
public:
    std::string name() const override { return "selective_context"; }
    std::string displayName() const override { return "Selective-Context"; }
    std::string description() const override;
    std::vector<OptionSpec> options() const override;
    Result<CompressionResult> compress(const Prompt &prompt, const CompressOptions &options,
                                       const JobContext &job) override;
    bool canRethreshold(const CompressionResult &previous, const CompressOptions &prevOptions,
                        const CompressOptions &next) const override;
    Result<CompressionResult> rethreshold(const CompressionResult &previous,
                                          const CompressOptions &next) const override;
};

} // namespace terse
