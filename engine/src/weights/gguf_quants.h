#pragma once
// GGUF tensor types and ggml's block dequantisation (ggml-common.h / ggml-quants.c
// dequantize_row_*), for the GGUF reader (gguf_loader.cpp) and writer (models/gguf_export.cpp).

#include <cstdint>

namespace terse::gguf {

enum GgmlType : std::uint32_t {
    kF32 = 0,
    kF16 = 1,
    kQ4_0 = 2,
    kQ4_1 = 3,
    kQ5_0 = 6,
    kQ5_1 = 7,
    kQ8_0 = 8,
    kQ4_K = 12,
    kQ5_K = 13,
    kQ6_K = 14,
    kBF16 = 30,
};

struct TypeSpec {
    std::uint32_t id;
    const char *name;
    int blockElems;
    int blockBytes;
};

// The block layout of a type; nullptr for types Terse does not read.
const TypeSpec *typeSpec(std::uint32_t id);

// IEEE half to float.
float halfToFloat(std::uint16_t h);

// Dequantises `blocks` blocks of type `type` from `src` into `y` (blocks x TypeSpec::blockElems
// floats).
void dequantise(std::uint32_t type, const std::uint8_t *src, std::int64_t blocks, float *y);

} // namespace terse::gguf
