/* AVX2 + FMA GEMM micro-kernels. Only these functions are built for
 * AVX2/FMA (target attribute); the driver calls them only after checking the
 * CPU at run time.  Packed and "ua" (unpacked, row-major A read in place)
 * forms share one body, as in gemm_kern_avx512.c; the first mm rows and nn
 * columns of the tile are written (AVX masked stores at the edges). */
#include "gemm_internal.h"

#if TL_X86
#include <immintrin.h>

#define TL_AVX2 __attribute__((target("avx2,fma")))

#define PK_A(i) a[(i)]
#define UA_S(i) TL_UA_LOAD(float, i)
#define UA_D(i) TL_UA_LOAD(double, i)

/* ---- fp32, 6 x 16: 12 ymm accumulators, 2 B vectors, 1 broadcast ---- */

#define S_ROW(i, AX)                                           \
    do {                                                       \
        __m256 ai = _mm256_set1_ps(AX(i));                     \
        c##i##0 = _mm256_fmadd_ps(ai, b0, c##i##0);            \
        c##i##1 = _mm256_fmadd_ps(ai, b1, c##i##1);            \
    } while (0)

#define S_STEP(AX, NEXT)                                       \
    do {                                                       \
        __m256 b0 = _mm256_load_ps(b);                         \
        __m256 b1 = _mm256_load_ps(b + 8);                     \
        S_ROW(0, AX); S_ROW(1, AX); S_ROW(2, AX);              \
        S_ROW(3, AX); S_ROW(4, AX); S_ROW(5, AX);              \
        NEXT;                                                  \
        b += 16;                                               \
    } while (0)

#define S_ST1(ci, acc)                                                       \
    do {                                                                     \
        if (beta == 0.0f)                                                    \
            _mm256_storeu_ps(ci, _mm256_mul_ps(va, acc));                    \
        else                                                                 \
            _mm256_storeu_ps(ci, _mm256_fmadd_ps(va, acc,                    \
                             _mm256_mul_ps(vb, _mm256_loadu_ps(ci))));       \
    } while (0)

#define S_STM1(ci, acc, m)                                                   \
    do {                                                                     \
        if (beta == 0.0f)                                                    \
            _mm256_maskstore_ps(ci, m, _mm256_mul_ps(va, acc));              \
        else                                                                 \
            _mm256_maskstore_ps(ci, m, _mm256_fmadd_ps(va, acc,              \
                                _mm256_mul_ps(vb, _mm256_maskload_ps(ci, m)))); \
    } while (0)

#define S_ST(i)                                                              \
    do {                                                                     \
        S_ST1(c + (i) * rsc, c##i##0);                                       \
        S_ST1(c + (i) * rsc + 8, c##i##1);                                   \
    } while (0)

#define S_STM(i)                                                             \
    do {                                                                     \
        if ((i) < mm) {                                                      \
            S_STM1(c + (i) * rsc, c##i##0, m0);                              \
            S_STM1(c + (i) * rsc + 8, c##i##1, m1);                          \
        }                                                                    \
    } while (0)

#define S_Z(i) __m256 c##i##0 = _mm256_setzero_ps(), c##i##1 = _mm256_setzero_ps()

#define S_BODY(AX, NEXT, APF)                                                \
    S_Z(0); S_Z(1); S_Z(2); S_Z(3); S_Z(4); S_Z(5);                          \
    for (int i = 0; i < 6; ++i) {                                            \
        _mm_prefetch((const char *)(c + i * rsc), _MM_HINT_T0);              \
        _mm_prefetch((const char *)(c + i * rsc + 15), _MM_HINT_T0);         \
    }                                                                        \
    int64_t p = 0;                                                           \
    for (; p + 4 <= k; p += 4) {                                             \
        _mm_prefetch((const char *)(b + 256), _MM_HINT_T0);                  \
        S_STEP(AX, NEXT);                                                    \
        S_STEP(AX, NEXT);                                                    \
        APF;                                                                 \
        S_STEP(AX, NEXT);                                                    \
        S_STEP(AX, NEXT);                                                    \
    }                                                                        \
    for (; p < k; ++p)                                                       \
        S_STEP(AX, NEXT);                                                    \
    const __m256 va = _mm256_set1_ps(alpha);                                 \
    const __m256 vb = _mm256_set1_ps(beta);                                  \
    if (mm == 6 && nn == 16) {                                               \
        S_ST(0); S_ST(1); S_ST(2); S_ST(3); S_ST(4); S_ST(5);                \
    } else {                                                                 \
        const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);      \
        const __m256i vn = _mm256_set1_epi32((int)nn);                       \
        const __m256i m0 = _mm256_cmpgt_epi32(vn, lane);                     \
        const __m256i m1 = _mm256_cmpgt_epi32(vn, _mm256_add_epi32(lane,     \
                                              _mm256_set1_epi32(8)));        \
        S_STM(0); S_STM(1); S_STM(2); S_STM(3); S_STM(4); S_STM(5);          \
    }

TL_AVX2 void tl_skern_avx2_6x16(int64_t k, const float *a, const float *b, float *c,
                                int64_t rsc, float alpha, float beta, int64_t mm, int64_t nn)
{
    S_BODY(PK_A, a += 6, _mm_prefetch((const char *)(a + 96), _MM_HINT_T0));
}

TL_AVX2 void tl_skern_avx2_6x16_ua(int64_t k, const float *a, int64_t rsa, const float *b,
                                   float *c, int64_t rsc, float alpha, float beta,
                                   int64_t mm, int64_t nn)
{
    TL_UA_SETUP(a, rsa);
    S_BODY(UA_S, TL_UA_ADVANCE(float), (void)0);
}

/* ---- fp64, 6 x 8: 12 ymm accumulators ---- */

#define D_ROW(i, AX)                                           \
    do {                                                       \
        __m256d ai = _mm256_set1_pd(AX(i));                    \
        c##i##0 = _mm256_fmadd_pd(ai, b0, c##i##0);            \
        c##i##1 = _mm256_fmadd_pd(ai, b1, c##i##1);            \
    } while (0)

#define D_STEP(AX, NEXT)                                       \
    do {                                                       \
        __m256d b0 = _mm256_load_pd(b);                        \
        __m256d b1 = _mm256_load_pd(b + 4);                    \
        D_ROW(0, AX); D_ROW(1, AX); D_ROW(2, AX);              \
        D_ROW(3, AX); D_ROW(4, AX); D_ROW(5, AX);              \
        NEXT;                                                  \
        b += 8;                                                \
    } while (0)

#define D_ST1(ci, acc)                                                       \
    do {                                                                     \
        if (beta == 0.0)                                                     \
            _mm256_storeu_pd(ci, _mm256_mul_pd(va, acc));                    \
        else                                                                 \
            _mm256_storeu_pd(ci, _mm256_fmadd_pd(va, acc,                    \
                             _mm256_mul_pd(vb, _mm256_loadu_pd(ci))));       \
    } while (0)

#define D_STM1(ci, acc, m)                                                   \
    do {                                                                     \
        if (beta == 0.0)                                                     \
            _mm256_maskstore_pd(ci, m, _mm256_mul_pd(va, acc));              \
        else                                                                 \
            _mm256_maskstore_pd(ci, m, _mm256_fmadd_pd(va, acc,              \
                                _mm256_mul_pd(vb, _mm256_maskload_pd(ci, m)))); \
    } while (0)

#define D_ST(i)                                                              \
    do {                                                                     \
        D_ST1(c + (i) * rsc, c##i##0);                                       \
        D_ST1(c + (i) * rsc + 4, c##i##1);                                   \
    } while (0)

#define D_STM(i)                                                             \
    do {                                                                     \
        if ((i) < mm) {                                                      \
            D_STM1(c + (i) * rsc, c##i##0, m0);                              \
            D_STM1(c + (i) * rsc + 4, c##i##1, m1);                          \
        }                                                                    \
    } while (0)

#define D_Z(i) __m256d c##i##0 = _mm256_setzero_pd(), c##i##1 = _mm256_setzero_pd()

#define D_BODY(AX, NEXT, APF)                                                \
    D_Z(0); D_Z(1); D_Z(2); D_Z(3); D_Z(4); D_Z(5);                          \
    for (int i = 0; i < 6; ++i) {                                            \
        _mm_prefetch((const char *)(c + i * rsc), _MM_HINT_T0);              \
        _mm_prefetch((const char *)(c + i * rsc + 7), _MM_HINT_T0);          \
    }                                                                        \
    int64_t p = 0;                                                           \
    for (; p + 4 <= k; p += 4) {                                             \
        _mm_prefetch((const char *)(b + 128), _MM_HINT_T0);                  \
        D_STEP(AX, NEXT);                                                    \
        D_STEP(AX, NEXT);                                                    \
        APF;                                                                 \
        D_STEP(AX, NEXT);                                                    \
        D_STEP(AX, NEXT);                                                    \
    }                                                                        \
    for (; p < k; ++p)                                                       \
        D_STEP(AX, NEXT);                                                    \
    const __m256d va = _mm256_set1_pd(alpha);                                \
    const __m256d vb = _mm256_set1_pd(beta);                                 \
    if (mm == 6 && nn == 8) {                                                \
        D_ST(0); D_ST(1); D_ST(2); D_ST(3); D_ST(4); D_ST(5);                \
    } else {                                                                 \
        const __m256i lane = _mm256_setr_epi64x(0, 1, 2, 3);                 \
        const __m256i vn = _mm256_set1_epi64x(nn);                           \
        const __m256i m0 = _mm256_cmpgt_epi64(vn, lane);                     \
        const __m256i m1 = _mm256_cmpgt_epi64(vn, _mm256_add_epi64(lane,     \
                                              _mm256_set1_epi64x(4)));       \
        D_STM(0); D_STM(1); D_STM(2); D_STM(3); D_STM(4); D_STM(5);          \
    }

TL_AVX2 void tl_dkern_avx2_6x8(int64_t k, const double *a, const double *b, double *c,
                               int64_t rsc, double alpha, double beta, int64_t mm, int64_t nn)
{
    D_BODY(PK_A, a += 6, _mm_prefetch((const char *)(a + 96), _MM_HINT_T0));
}

TL_AVX2 void tl_dkern_avx2_6x8_ua(int64_t k, const double *a, int64_t rsa, const double *b,
                                  double *c, int64_t rsc, double alpha, double beta,
                                  int64_t mm, int64_t nn)
{
    TL_UA_SETUP(a, rsa);
    D_BODY(UA_D, TL_UA_ADVANCE(double), (void)0);
}

#endif /* TL_X86 */
