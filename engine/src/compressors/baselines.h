#pragma once
// Baseline compressors: random (seeded), head, tail and head+tail truncation over words.
// They answer "what does a method's machinery buy?" in comparisons and benchmarks.

#include "terse/compressor.h"

namespace terse {

class BaselineCompressor : public Compressor {
public:
    enum class Kind { Random, Head, Tail, HeadTail };
    explicit BaselineCompressor(Kind kind) : m_kind(kind) {}

    std::string name() const override;
    std::string displayName() const override;
    std::string description() const override;
    std::vector<OptionSpec> options() const override { return {}; }
    Result<CompressionResult> compress(const Prompt &prompt, const CompressOptions &options,
                                       const JobContext &job) override;
    bool canRethreshold(const CompressionResult &previous, const CompressOptions &prevOptions,
                        const CompressOptions &next) const override;
    Result<CompressionResult> rethreshold(const CompressionResult &previous,
                                          const CompressOptions &next) const override;

private:
    Kind m_kind;
};

} // namespace terse
