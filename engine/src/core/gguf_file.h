#pragma once
// The GGUF container without torch (gguf.md, v2/v3): header, metadata and tensor table, read and
// bounds-checked from a mapped file. The tensor loader (weights/gguf_loader.cpp) and the tokenizer
// reader (text/gguf_vocab.cpp, in the torch-free core) share it. Errors are detail::EngineError
// naming the file and the key or tensor.

#include "core/mapped_file.h"
#include "terse/weights.h"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace terse {

// Metadata of one GGUF file and the file's name for messages.
struct GgufMetadata {
    std::string source;
    std::map<std::string, MetaValue> values;
};

// One entry of the tensor table: ggml's axes (ne[0] innermost), type and offset in the data
// section.
struct GgufTensorEntry {
    std::string name;
    std::vector<std::uint64_t> ne;
    std::uint32_t type = 0;
    std::uint64_t offset = 0;
};

struct GgufFile {
    std::shared_ptr<MappedFile> file;
    GgufMetadata metadata;
    std::vector<GgufTensorEntry> tensors; // in file order
    std::uint64_t alignment = 32;
    std::uint64_t dataStart = 0; // byte of the data section
};

// Reads the header, every metadata value and the tensor table. Checks counts and lengths against
// the file size, duplicate keys and names, 1-4 dimensions, the alignment and that the data section
// starts inside the file; the tensors' types and byte ranges are the loader's to check.
GgufFile readGgufFile(const std::string &path);

// Metadata access that never falls back on a value of the wrong type: nullptr when absent; a
// number (integers and bools accepted) or `fallback`; an integer in [lo, hi] or `fallback`.
// A present value of another type is a FormatError naming the key.
const MetaValue *meta(const GgufMetadata &s, const std::string &key);
double metaNumber(const GgufMetadata &s, const std::string &key, double fallback);
std::int64_t metaInt(const GgufMetadata &s, const std::string &key, std::int64_t fallback,
                     std::int64_t lo, std::int64_t hi);

// GGUF value types (gguf.md), for writers.
enum GgufValueType : std::uint32_t {
    kGgufU8 = 0,
    kGgufI8 = 1,
    kGgufU16 = 2,
    kGgufI16 = 3,
    kGgufU32 = 4,
    kGgufI32 = 5,
    kGgufF32 = 6,
    kGgufBool = 7,
    kGgufString = 8,
    kGgufArray = 9,
    kGgufU64 = 10,
    kGgufI64 = 11,
    kGgufF64 = 12,
};

// GGUF limits (gguf.md): keys are at most 65535 bytes, tensor names 64 (allowed up to 256 here for
// converters that overrun it), at most 4 dimensions. Alignment is a power of two; ggml writes 32.
constexpr std::uint64_t kGgufMaxKeyBytes = 65535;
constexpr std::uint64_t kGgufMaxTensorNameBytes = 256;
constexpr std::uint64_t kGgufMaxAlignment = 1u << 20;

} // namespace terse
