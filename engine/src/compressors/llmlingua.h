#pragma once
// LLMLingua and LongLLMLingua (microsoft/LLMLingua prompt_compressor.py, algorithms.md 1.2-1.4):
// coarse context ranking by (conditional) perplexity, a budget controller, an optional sentence
// filter and the iterative token-level compression (ITPC) over a KV cache of the compressed prefix.
// The stages are in llmlingua_run.h; LongLLMLingua (longllmlingua.h) runs them with its own
// defaults.

#include "terse/compressor.h"

namespace terse {

class LLMLinguaCompressor : public Compressor {
public:
    LLMLinguaCompressor() : LLMLinguaCompressor(Variant::LLMLingua) {}

    std::string name() const override;
    std::string displayName() const override;
    std::string description() const override;
    std::vector<OptionSpec> options() const override;
    // Reference mode reproduces compress_prompt / structured_compress_prompt (structured when a
    // context holds <llmlingua ...> tags); corrected mode (default) fixes the documented quirks and
    // meets the rate. Units are character-aligned small-LM tokens; one Stage per coarse ranking,
    // sentence filter and ITPC window. Keep pins always survive (their context is forced through
    // the coarse stage). Cancellable between contexts and windows. canRethreshold() stays false:
    // every window's scores are conditioned on the compressed prefix, which itself depends on the
    // rate, so cached scores cannot be re-decided exactly.
    Result<CompressionResult> compress(const Prompt &prompt, const CompressOptions &options,
                                       const JobContext &job) override;

protected:
    enum class Variant { LLMLingua, LongLLMLingua };
    explicit LLMLinguaCompressor(Variant variant) : m_variant(variant) {}

private:
    Variant m_variant;
};

} // namespace terse
