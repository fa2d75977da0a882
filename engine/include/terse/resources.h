#pragma once
// Where Terse finds its bundled resources (default models, target tokenizers) and user model
// caches.

#include "terse/result.h"

#include <string>

namespace terse {

// The resources folder: $TERSE_RESOURCES_DIR if set, else <executable dir>/../share/terse
// (installed), else the source tree's resources/ (build tree). Empty if none exists.
std::string resourcesDir();

enum class DefaultModel {
    CausalLM, // the small Llama-architecture LM Terse trains (surprisal, entropy, attention)
    Tagger,   // the LLMLingua-2 style keep/drop token classifier
};

// Path of a bundled default model folder; NotFound names where it looked.
Result<std::string> defaultModelPath(DefaultModel which);

// Path of a bundled tiktoken rank file by encoding name ("cl100k_base"); NotFound if absent.
Result<std::string> targetTokenizerPath(const std::string &name);

} // namespace terse
