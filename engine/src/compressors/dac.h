#pragma once
// DAC (Dynamic Attention-aware Compression, QQQ-yi/DAC compressor.py; algorithms.md 2.1): token
// importance fuses accumulated attention with per-token self-information, and the dynamic variants
// re-run the model after every removal stage so that each survivor's information is recomputed.
#include "terse/compressor.h"

namespace terse {

class DacCompressor : public Compressor {
public:
    std::string name() const override { return "dac"; }
    std::string displayName() const override { return "DAC"; }
    std::string description() const override;
    std::vector<OptionSpec> options() const override;
    // Token units. Reference mode reproduces compressor.py (L*H-1 divisor, raw causal column sums,
    // per-stage floor(k), the _wosucce restore and punctuation sign); Corrected mode uses causally
    // normalised attention and meets the requested rate exactly. Errors: model loading, Cancelled.
    Result<CompressionResult> compress(const Prompt &prompt, const CompressOptions &options,
                                       const JobContext &job) override;
};

} // namespace terse
