#pragma once
// 2^t on AVX-512 for the bf16 kernels (attention probabilities, SiLU, log-sum-exp): 2^n by
// scalef times 2^f, f = t - round(t) in [-1/2, 1/2], by the polynomial of least maximum relative
// error with p(0) = 1 (scripts/fit_exp2_poly.py --one DEGREE; 2^0 = 1 exactly). Degree 3: 1.01e-4
// evaluated in fp32, for values rounded to bf16 next (2^-9); degree 5: 1.62e-7, as precise as
// fp32 needs. Included only where AVX-512 code is compiled for x86-64 with GCC.

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

namespace terse::detail {

// t finite, at least -150 (the callers clamp): 0 below 2^-149, inf above 2^128.
template <int Degree>
__attribute__((target("avx512f"), always_inline)) inline __m512 exp2Avx512(__m512 t)
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

} // namespace terse::detail
#endif
