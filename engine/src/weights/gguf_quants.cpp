// ggml's block layouts dequantised to float32, following ggml-common.h / ggml-quants.c
// dequantize_row_* (q4_0, q4_1, q5_0, q5_1, q8_0, q4_K, q5_K, q6_K; f16 and bf16 per element).
#include "weights/gguf_quants.h"

#include <cstring>

namespace terse::gguf {

namespace {

constexpr TypeSpec kTypes[] = {
    {kF32, "F32", 1, 4},       {kF16, "F16", 1, 2},       {kBF16, "BF16", 1, 2},
    {kQ8_0, "Q8_0", 32, 34},   {kQ4_0, "Q4_0", 32, 18},   {kQ4_1, "Q4_1", 32, 20},
    {kQ5_0, "Q5_0", 32, 22},   {kQ5_1, "Q5_1", 32, 24},   {kQ4_K, "Q4_K", 256, 144},
    {kQ5_K, "Q5_K", 256, 176}, {kQ6_K, "Q6_K", 256, 210},
};

std::uint16_t rd16(const std::uint8_t *p)
{
    std::uint16_t v;
    std::memcpy(&v, p, 2);
    return v;
}

void getScaleMinK4(int j, const std::uint8_t *q, std::uint8_t &d, std::uint8_t &m)
{
    if (j < 4) {
        d = q[j] & 63;
        m = q[j + 4] & 63;
    } else {
        d = (q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4);
        m = (q[j + 4] >> 4) | ((q[j - 0] >> 6) << 4);
    }
}

// Scale and min of the two 32-value sub-blocks `is` and `is + 1` of a Q4_K / Q5_K super-block
// (dequantize_row_q4_K / q5_K: d * scale, min * m).
struct SubScales {
    float d1, m1, d2, m2;
};

SubScales subBlockScales(int is, const std::uint8_t *scales, float d, float min)
{
    std::uint8_t sc, m;
    getScaleMinK4(is, scales, sc, m);
    const float d1 = d * sc, m1 = min * m;
    getScaleMinK4(is + 1, scales, sc, m);
    return {d1, m1, d * sc, min * m};
}

} // namespace

float halfToFloat(std::uint16_t h)
{
    const std::uint32_t sign = (h & 0x8000u) << 16;
    std::uint32_t exp = (h >> 10) & 0x1f;
    std::uint32_t mant = h & 0x3ffu;
    std::uint32_t bits;
    if (exp == 0) {
        if (mant == 0) {
            bits = sign;
        } else { // subnormal: renormalise
            exp = 127 - 15 + 1;
            while ((mant & 0x400u) == 0) {
                mant <<= 1;
                --exp;
            }
            bits = sign | (exp << 23) | ((mant & 0x3ffu) << 13);
        }
    } else if (exp == 31) {
        bits = sign | 0x7f800000u | (mant << 13);
    } else {
        bits = sign | ((exp + 127 - 15) << 23) | (mant << 13);
    }
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
}

const TypeSpec *typeSpec(std::uint32_t id)
{
    for (const auto &t : kTypes)
        if (t.id == id)
            return &t;
    return nullptr;
}

// Dequantises `blocks` blocks of type `type` from `src` into `y`.
void dequantise(std::uint32_t type, const std::uint8_t *src, std::int64_t blocks, float *y)
{
    for (std::int64_t b = 0; b < blocks; ++b) {
        switch (type) {
        case kQ8_0: {
            const std::uint8_t *x = src + b * 34;
            const float d = halfToFloat(rd16(x));
            for (int j = 0; j < 32; ++j)
                *y++ = d * static_cast<float>(static_cast<std::int8_t>(x[2 + j]));
            break;
        }
        case kQ4_0: {
            const std::uint8_t *x = src + b * 18;
            const float d = halfToFloat(rd16(x));
            const std::uint8_t *qs = x + 2;
            for (int j = 0; j < 16; ++j) {
                y[j] = static_cast<float>((qs[j] & 0x0F) - 8) * d;
                y[j + 16] = static_cast<float>((qs[j] >> 4) - 8) * d;
            }
            y += 32;
            break;
        }
        case kQ4_1: {
            const std::uint8_t *x = src + b * 20;
            const float d = halfToFloat(rd16(x)), m = halfToFloat(rd16(x + 2));
            const std::uint8_t *qs = x + 4;
            for (int j = 0; j < 16; ++j) {
                y[j] = static_cast<float>(qs[j] & 0x0F) * d + m;
                y[j + 16] = static_cast<float>(qs[j] >> 4) * d + m;
            }
            y += 32;
            break;
        }
        case kQ5_0:
        case kQ5_1: {
            const bool hasMin = type == kQ5_1;
            const std::uint8_t *x = src + b * (hasMin ? 24 : 22);
            const float d = halfToFloat(rd16(x));
            const float m = hasMin ? halfToFloat(rd16(x + 2)) : 0.0f;
            std::uint32_t qh;
            std::memcpy(&qh, x + (hasMin ? 4 : 2), 4);
            const std::uint8_t *qs = x + (hasMin ? 8 : 6);
            for (int j = 0; j < 16; ++j) {
                const std::uint8_t xh0 = ((qh >> (j + 0)) << 4) & 0x10;
                const std::uint8_t xh1 = ((qh >> (j + 12))) & 0x10;
                const int x0 = (qs[j] & 0x0F) | xh0;
                const int x1 = (qs[j] >> 4) | xh1;
                if (hasMin) {
                    y[j] = static_cast<float>(x0) * d + m;
                    y[j + 16] = static_cast<float>(x1) * d + m;
                } else {
                    y[j] = static_cast<float>(x0 - 16) * d;
                    y[j + 16] = static_cast<float>(x1 - 16) * d;
                }
            }
            y += 32;
            break;
        }
        case kQ4_K: {
            const std::uint8_t *x = src + b * 144;
            const float d = halfToFloat(rd16(x)), min = halfToFloat(rd16(x + 2));
            const std::uint8_t *scales = x + 4;
            const std::uint8_t *q = x + 16;
            int is = 0;
            for (int j = 0; j < 256; j += 64) {
                const auto [d1, m1, d2, m2] = subBlockScales(is, scales, d, min);
                for (int l = 0; l < 32; ++l)
                    *y++ = d1 * (q[l] & 0xF) - m1;
                for (int l = 0; l < 32; ++l)
                    *y++ = d2 * (q[l] >> 4) - m2;
                q += 32;
                is += 2;
            }
            break;
        }
        case kQ5_K: {
            const std::uint8_t *x = src + b * 176;
            const float d = halfToFloat(rd16(x)), min = halfToFloat(rd16(x + 2));
            const std::uint8_t *scales = x + 4;
            const std::uint8_t *qh = x + 16;
            const std::uint8_t *ql = x + 48;
            int is = 0;
            std::uint8_t u1 = 1, u2 = 2;
            for (int j = 0; j < 256; j += 64) {
                const auto [d1, m1, d2, m2] = subBlockScales(is, scales, d, min);
                for (int l = 0; l < 32; ++l)
                    *y++ = d1 * ((ql[l] & 0xF) + (qh[l] & u1 ? 16 : 0)) - m1;
                for (int l = 0; l < 32; ++l)
                    *y++ = d2 * ((ql[l] >> 4) + (qh[l] & u2 ? 16 : 0)) - m2;
                ql += 32;
                is += 2;
                u1 <<= 2;
                u2 <<= 2;
            }
            break;
        }
        case kQ6_K: {
            const std::uint8_t *x = src + b * 210;
            const std::uint8_t *ql = x;
            const std::uint8_t *qh = x + 128;
            const std::int8_t *sc = reinterpret_cast<const std::int8_t *>(x + 192);
            const float d = halfToFloat(rd16(x + 208));
            for (int n = 0; n < 256; n += 128) {
                for (int l = 0; l < 32; ++l) {
                    const int is = l / 16;
                    const int q1 =
                        static_cast<std::int8_t>((ql[l + 0] & 0xF) | (((qh[l] >> 0) & 3) << 4)) -
                        32;
                    const int q2 =
                        static_cast<std::int8_t>((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) -
                        32;
                    const int q3 =
                        static_cast<std::int8_t>((ql[l + 0] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
                    const int q4 =
                        static_cast<std::int8_t>((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) -
                        32;
                    y[l + 0] = d * sc[is + 0] * q1;
                    y[l + 32] = d * sc[is + 2] * q2;
                    y[l + 64] = d * sc[is + 4] * q3;
                    y[l + 96] = d * sc[is + 6] * q4;
                }
                y += 128;
                ql += 64;
                qh += 32;
                sc += 8;
            }
            break;
        }
        default:
            break;
        }
    }
}

} // namespace terse::gguf
