#pragma once
// LongLLMLingua (Jiang et al., ACL 2024; microsoft/LLMLingua, algorithms.md 1.6): LLMLingua's
// pipeline with its documented question-aware configuration: contexts ranked by how well they
// predict the question, contrastive perplexity in the token stage, contexts sorted by rank and
// dynamic per-context ratios. The stages are LLMLingua's (llmlingua_run.h); this file pair holds
// the method's identity and defaults.

#include "compressors/llmlingua.h"

namespace terse {

class LongLLMLinguaCompressor : public LLMLinguaCompressor {
public:
    LongLLMLinguaCompressor() : LLMLinguaCompressor(Variant::LongLLMLingua) {}

    std::string name() const override;
    std::string displayName() const override;
    std::string description() const override;
};

} // namespace terse
