#pragma once
// Shared by the model-based compressors: loading a model with its tokenizer (cached process-wide,
// so switching methods does not reload), and the target tokenizer used for token accounting.

#include "terse/compressor.h"
#include "terse/model.h"
#include "terse/resources.h"
#include "terse/tokenizer.h"

#include <memory>
#include <string>

namespace terse::detail {

struct LoadedModel {
    Model model;
    Tokenizer tokenizer;
    std::string path; // the resolved model path
};

// Models kept loaded after their last user lets go (TERSE_MODEL_CACHE overrides; 0 = only while
// held).
inline constexpr std::size_t kModelCacheSize = 2;

// Loads the model at `path` ("" = the bundled default of `fallback`) and its tokenizer: tokenizer
// files in the model folder (or beside a model file: tokenizer.json, tokenizer.bin, tok*.bin). The
// last kModelCacheSize models used stay loaded, keyed by path, dtype and the files' size and time.
// Errors name the path.
Result<std::shared_ptr<const LoadedModel>>
loadModelWithTokenizer(const std::string &path, DefaultModel fallback,
                       ComputeDtype dtype = ComputeDtype::Float32,
                       const std::string &device = "cpu");

// Name, size and modification time of the file at `path`, or of each file in the folder: a cache
// key part that changes when a model or agent is rewritten in place. Empty when nothing is there.
std::string fileStamp(const std::string &path);

// Drops the cache's own references (models still held by callers stay alive until released).
void releaseCachedModels();

// The target LLM's tokenizer by tiktoken name (bundled resources) or tokenizer path; cached.
Result<std::shared_ptr<const Tokenizer>> targetTokenizer(const std::string &nameOrPath);

// Counts `text` in the target tokenizer (special-token text counted as text); -1 if it cannot be
// loaded.
long countTargetTokens(const std::string &nameOrPath, std::string_view text);

// Fills result.targetTokensIn/Out from the prompt and the compressed text (no-op when unavailable).
void countTargetTokens(CompressionResult &result, const Prompt &prompt,
                       const std::string &nameOrPath);

} // namespace terse::detail
