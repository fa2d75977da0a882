#pragma once
// bf16 as raw 16-bit patterns, for the torch-free CPU kernels (attention_kernel.cpp,
// pointwise_kernel.cpp): widening to float, and c10::BFloat16's rounding back.

#include <cstdint>
#include <cstring>

namespace terse::detail {

inline __attribute__((always_inline)) float fromBf16(std::uint16_t b)
{
    const std::uint32_t u = static_cast<std::uint32_t>(b) << 16;
    float f;
    std::memcpy(&f, &u, sizeof f);
    return f;
}

// Nearest, ties to even; NaN becomes the quiet NaN 0x7fc0.
inline __attribute__((always_inline)) std::uint16_t toBf16(float f)
{
    std::uint32_t u;
    std::memcpy(&u, &f, sizeof u);
    const std::uint32_t rounded = (u + 0x7fffu + ((u >> 16) & 1u)) >> 16;
    // NaN tested on the bits (exponent all ones, mantissa nonzero): a float compare made GCC
    // branch per element and left the callers' loops scalar.
    return (u & 0x7fffffffu) > 0x7f800000u ? std::uint16_t{0x7fc0}
                                           : static_cast<std::uint16_t>(rounded);
}

} // namespace terse::detail
