#pragma once
// Weight files without torch types: inspect safetensors / GGUF / llama2.c files, read one tensor as
// floats (dequantised), and list the models in a HuggingFace cache.

#include "terse/result.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace terse {

// One metadata value (GGUF key/value or safetensors __metadata__ entry), kept as plain data.
// Arrays of strings (tokenizer vocabularies) land in `strings`, numeric arrays in `numbers`.
struct MetaValue {
    enum class Kind { Integer, Float, Bool, String, StringArray, NumberArray };
    Kind kind = Kind::Integer;
    std::int64_t integer = 0;         // Integer and Bool (0/1)
    double number = 0.0;              // Float
    std::string text;                 // String
    std::vector<std::string> strings; // StringArray
    std::vector<double> numbers;      // NumberArray (integers are exact up to 2^53)
};

// Name, stored dtype and shape of one tensor (names as the model code sees them, e.g. HF names
// for GGUF files of a known architecture).
struct TensorInfo {
    std::string name;
    std::string dtype;               // file dtype: "F32", "F16", "BF16", "Q4_K", ...
    std::vector<std::int64_t> shape; // row-major, outermost first
};

// What a weight file holds.
struct WeightFileInfo {
    std::string format;              // "safetensors", "gguf", "llama2c"
    std::vector<TensorInfo> tensors; // sorted by name
    std::map<std::string, MetaValue> metadata;
};

// Reads and validates a weight file or model folder: metadata (GGUF tokenizer arrays included),
// tensor names, dtypes and shapes. With decodeTensors = false GGUF tensors are not dequantised
// (fast on big files; their byte ranges are still checked). Errors: NotFound, FormatError (naming
// file and tensor), Unsupported (pickle checkpoints, unknown dtypes).
Result<WeightFileInfo> inspectWeights(const std::string &path, bool decodeTensors = true);

// One tensor as row-major float32 (dequantised for GGUF). Errors as inspectWeights, NotFound for
// the name.
Result<std::vector<float>> readTensorAsFloat(const std::string &path, const std::string &name);

// A model folder found in a HuggingFace hub cache.
struct CachedModel {
    std::string repoId;          // "org/name"
    std::string revision;        // snapshot folder name (commit hash)
    std::string path;            // the snapshot folder
    std::string modelType;       // config.json model_type ("" when unreadable)
    bool hasSafetensors = false; // loadable by Model::load
    bool hasPickleOnly = false;  // only pytorch_model.bin / .pt: refused, convert to safetensors
};

// Lists models under a hub cache (`root` empty: $HF_HUB_CACHE, else $HF_HOME/hub, else
// ~/.cache/huggingface/hub). Snapshots without config.json are skipped. A missing root gives an
// empty list.
Result<std::vector<CachedModel>> scanHuggingFaceCache(const std::string &root = {});

} // namespace terse
