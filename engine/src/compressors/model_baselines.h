#pragma once
// Single-signal model baselines: keep the tokens with the highest self-information (entropy_only,
// DAC's "ppl" ablation) or the most causally normalised attention received (attention_only), at the
// requested rate. They show what each half of DAC's fused metric buys on its own.
#include "terse/compressor.h"

namespace terse {

class ModelSignalCompressor : public Compressor {
public:
    enum class Signal { Entropy, Attention };
    explicit ModelSignalCompressor(Signal signal) : m_signal(signal) {}
    std::string name() const override;
    std::string displayName() const override;
    std::string description() const override;
    std::vector<OptionSpec> options() const override;
    // Token units; one forward of the model; corrected mode keeps whole words to the target-token
    // budget. Errors: model loading, Cancelled.
    Result<CompressionResult> compress(const Prompt &prompt, const CompressOptions &options,
                                       const JobContext &job) override;
    bool canRethreshold(const CompressionResult &previous, const CompressOptions &prevOptions,
                        const CompressOptions &next) const override;
    Result<CompressionResult> rethreshold(const CompressionResult &previous,
                                          const CompressOptions &next) const override;

private:
    Signal m_signal;
};

} // namespace terse
