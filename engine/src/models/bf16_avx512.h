#pragma once
// AVX-512 helpers of the bf16 kernels (attention, its packing, SiLU, log-sum-exp, RoPE, RMSNorm),
// for CPUs with AVX512-BF16. Included only where such code is compiled (x86-64, GCC); each is
// always inlined into callers whose target includes these features.

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

#include <cstdint>

#define TERSE_BF16_HELPER                                                                          \
    __attribute__((target("avx512f,avx512bw,avx512vl,avx512bf16"), always_inline)) inline

namespace terse::detail {

// 2^t: 2^n by scalef times 2^f, f = t - round(t) in [-1/2, 1/2], by the polynomial of least
// maximum relative error with p(0) = 1 (scripts/fit_exp2_poly.py --one DEGREE; 2^0 = 1 exactly).
// Degree 3: 1.01e-4 evaluated in fp32, for values rounded to bf16 next (2^-9); degree 5:
// 1.62e-7, as precise as fp32 needs. t finite, at least -150 (the callers clamp): 0 below
// 2^-149, inf above 2^128.
template <int Degree> TERSE_BF16_HELPER __m512 exp2Avx512(__m512 t)
{
    static_assert(Degree == 3 || Degree == 5, "fitted for degrees 3 and 5");
    const __m512 n = _mm512_roundscale_ps(t, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    const __m512 f = _mm512_sub_ps(t, n);
    __m512 p;
    if constexpr (Degree == 3) {
        p = _mm512_set1_ps(5.5008284748e-02f);
        p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(2.4221050739e-01f));
        p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(6.9328296185e-01f));
    } else {
        p = _mm512_set1_ps(1.3264692388e-03f);
        p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(9.6715167165e-03f));
        p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(5.5507339537e-02f));
        p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(2.4022242427e-01f));
        p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(6.9314700365e-01f));
    }
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(1.0f));
    return _mm512_scalef_ps(p, n);
}

// The first n lanes (all 16 from n = 16 on, none for n <= 0).
TERSE_BF16_HELPER __mmask16 lanesLeft(std::int64_t n)
{
    return n >= 16 ? __mmask16(0xffff) : n > 0 ? __mmask16((1u << n) - 1) : __mmask16(0);
}

// 16 bf16 widened to floats, exactly; under a mask, 0 in the other lanes (nothing read there).
TERSE_BF16_HELPER __m512 loadBf16Avx512(const std::uint16_t *p)
{
    return _mm512_castsi512_ps(_mm512_slli_epi32(
        _mm512_cvtepu16_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i *>(p))), 16));
}
TERSE_BF16_HELPER __m512 loadBf16Avx512(__mmask16 m, const std::uint16_t *p)
{
    return _mm512_castsi512_ps(
        _mm512_slli_epi32(_mm512_cvtepu16_epi32(_mm256_maskz_loadu_epi16(m, p)), 16));
}

// roundBf16 lane by lane: vcvtneps2bf16 (round to nearest even, as toBf16), widened back.
TERSE_BF16_HELPER __m512 roundBf16Avx512(__m512 x)
{
    return _mm512_castsi512_ps(
        _mm512_slli_epi32(_mm512_cvtepu16_epi32((__m256i)_mm512_cvtneps_pbh(x)), 16));
}

// toBf16 of the lanes of `m`, stored at p: vcvtneps2bf16 keeps a NaN's payload, toBf16 (and
// torch) give the quiet NaN 0x7fc0.
TERSE_BF16_HELPER void storeBf16Avx512(__mmask16 m, std::uint16_t *p, __m512 x)
{
    const __m256i b = (__m256i)_mm512_cvtneps_pbh(x);
    _mm256_mask_storeu_epi16(
        p, m, _mm256_mask_set1_epi16(b, _mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q), 0x7fc0));
}

} // namespace terse::detail
#endif
