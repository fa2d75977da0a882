#pragma once
// WeightStore: the name -> tensor map every loader fills (design.md rule 4). Internal: holds torch
// tensors.

#include "core/engine_error.h"
#include "terse/weights.h"

#include <torch/types.h>

#include <map>
#include <string>
#include <vector>

namespace terse {

// Thrown by loaders and model builders; converted to terse::Error at the public edge.
using WeightError =
    detail::EngineError; // the engine's one internal exception type (core/engine_error.h)

[[noreturn]] inline void throwWeightError(ErrorCode code, std::string detail)
{
    throw WeightError{code, std::move(detail)};
}

// Tensors by HF-style name plus the file's own metadata. Tensors may view read-only mapped
// memory: never modify them in place (copy first).
class WeightStore {
public:
    // Adds or replaces a tensor; `storedDtype` is the file's dtype name ("F16", "Q4_K", ...).
    void add(const std::string &name, torch::Tensor tensor, const std::string &storedDtype);
    bool has(const std::string &name) const { return m_tensors.count(name) > 0; }
    // The tensor, or a FormatError naming the tensor and the file.
    const torch::Tensor &get(const std::string &name) const;
    // The tensor when present, else an undefined tensor.
    torch::Tensor find(const std::string &name) const;
    // Removes and returns a tensor (undefined when absent).
    torch::Tensor take(const std::string &name);
    std::vector<std::string> names() const;
    std::size_t size() const { return m_tensors.size(); }

    std::string source;                        // file or folder the weights came from
    std::string format;                        // "safetensors", "gguf", "llama2c"
    std::map<std::string, MetaValue> metadata; // GGUF key/values, safetensors __metadata__
    std::map<std::string, std::string> storedDtypes;
    std::string configJson; // config.json text (may be synthesised by a loader)

private:
    std::map<std::string, torch::Tensor> m_tensors;
};

// Loaders (each throws WeightError on malformed input, naming the file and tensor).
WeightStore loadSafetensors(const std::string &path); // one file or index.json (sharded)
// With decode = false, GGUF tensors are shape-only meta tensors (no data read, nothing
// dequantised).
WeightStore loadGguf(const std::string &path, bool decode = true);
WeightStore loadLlama2c(const std::string &path);

// Any supported weight file or model folder; refuses pickle checkpoints. `decode` as for loadGguf.
WeightStore loadWeights(const std::string &path, bool decode = true);

// Whether every element of a weight is finite (no NaN or infinity), read without temporaries the
// tensor's size.
bool allFinite(const torch::Tensor &t);

// A tensor shape as "[8192, 512]", for messages.
std::string shapeText(c10::IntArrayRef sizes);

// Undoes llama.cpp's / Meta's interleaved q/k layout: [heads*hd, in] to HF rotate_half order.
torch::Tensor unpermuteRope(const torch::Tensor &w, int64_t heads);
// The inverse (convert_hf_to_gguf.py's permute): HF rotate-half rows to interleaved pairs per head.
torch::Tensor permuteRope(const torch::Tensor &w, int64_t heads);

} // namespace terse
