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

// `terse export`: a Llama-family causal LM (llama, mistral, qwen2; an HF folder or .safetensors,
// a GGUF, a llama2.c checkpoint) written as one GGUF v3 file that llama.cpp and Terse read.
struct GgufExportOptions {
    std::string model;         // the model to convert
    std::string out;           // the .gguf to write (replaced at the end, never left half-written)
    std::string type = "q8_0"; // matrices as "q8_0", "bf16", "f16" or "f32"; vectors stay F32
    std::string tokenizer;     // "" = the model's own (Tokenizer::pathForModel)
    bool withTokenizer = true; // false: no tokenizer.ggml.* keys (a tokenizer.json must lie beside)
    std::string name;          // general.name ("" = the model's folder or file name)
};

struct GgufExportReport {
    std::string out, architecture;            // "llama" or "qwen2"
    std::string tokenizerModel, tokenizerPre; // "gpt2"/"llama" and the pre-tokenizer name
    std::uint64_t bytes = 0;                  // file size
    std::int64_t parameters = 0;
    int tensors = 0;
    std::map<std::string, int> tensorsByType; // "Q8_0" -> count, ...
    std::vector<std::string> notes; // e.g. a matrix kept in F16 (rows not a multiple of 32)
    double seconds = 0;
};

// Errors: NotFound (model, output folder), Unsupported (another architecture, a token classifier,
// rope_scaling, a tokenizer a GGUF cannot describe: pass withTokenizer = false), FormatError
// (config fields, tensor shapes, NaN weights), InvalidArgument (type), IoError.
Result<GgufExportReport> exportGguf(const GgufExportOptions &options);

// A model folder found in a HuggingFace hub cache.
struct CachedModel {
    std::string repoId;          // "org/name"
    std::string revision;        // snapshot folder name (commit hash)
    std::string path;            // the snapshot folder
    std::string modelType;       // config.json model_type ("" when unreadable)
    bool hasSafetensors = false; // loadable by Model::load
    bool gguf = false; // `path` is one .gguf file of a GGUF repository (one entry per file)
    bool hasPickleOnly = false; // only pytorch_model.bin / .pt: refused, convert to safetensors
};

// Lists models under a hub cache (`root` empty: $HF_HUB_CACHE, else $HF_HOME/hub, else
// ~/.cache/huggingface/hub). A snapshot without config.json lists its .gguf files, each as a model
// (modelType from its general.architecture); others without config.json are skipped. A missing root
// gives an empty list.
Result<std::vector<CachedModel>> scanHuggingFaceCache(const std::string &root = {});

} // namespace terse
