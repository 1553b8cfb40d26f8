/* AVX-512F GEMM micro-kernels (32 zmm registers). Only these functions are
 * compiled for AVX-512 (target attribute); the driver calls them only after
 * checking the CPU at run time.
 *
 * Each kernel comes in two forms sharing one body:
 *   packed: A is a packed MR-row panel, a[p*MR + i];
 *   "ua" (unpacked A): A is read in place, row-major, a[i*rsa + p]
 *        (used for skinny products where packing A would cost as much as
 *        the arithmetic).
 * Only the first mm rows and nn columns of the tile are written (masked
 * stores), so edge tiles need no scratch copy. */
#include "gemm_internal.h"

#if TL_X86
#include <immintrin.h>

#define TL_AVX512 __attribute__((target("avx512f,avx2,fma")))

/* A element (row i) of the current k step, and the per-step advance. */
#define PK_A(i) a[(i)]
#define UA_S(i) TL_UA_LOAD(float, i)
#define UA_D(i) TL_UA_LOAD(double, i)

/* column masks for an nn-wide edge: lanes [0, nn) of vector v (L lanes) */
static inline TL_AVX512 __mmask16 tl_mask16(int64_t nn, int v)
{
    int64_t r = nn - 16 * v;
    return r >= 16 ? (__mmask16)0xFFFF : r <= 0 ? (__mmask16)0 : (__mmask16)((1u << r) - 1u);
}

static inline TL_AVX512 __mmask8 tl_mask8(int64_t nn, int v)
{
    int64_t r = nn - 8 * v;
    return r >= 8 ? (__mmask8)0xFF : r <= 0 ? (__mmask8)0 : (__mmask8)((1u << r) - 1u);
}

/* C row update, vector acc at ci (L lanes of type ps/pd), full or masked */
#define ST_FULL(PS, ci, acc)                                                   \
    do {                                                                       \
        if (beta == 0)                                                         \
            _mm512_storeu_##PS(ci, _mm512_mul_##PS(va, acc));                  \
        else                                                                   \
            _mm512_storeu_##PS(ci, _mm512_fmadd_##PS(va, acc,                  \
                               _mm512_mul_##PS(vb, _mm512_loadu_##PS(ci))));   \
    } while (0)

#define ST_MASK(PS, ci, acc, m)                                                \
    do {                                                                       \
        if (beta == 0)                                                         \
            _mm512_mask_storeu_##PS(ci, m, _mm512_mul_##PS(va, acc));          \
        else                                                                   \
            _mm512_mask_storeu_##PS(ci, m, _mm512_fmadd_##PS(va, acc,          \
                               _mm512_mul_##PS(vb, _mm512_maskz_loadu_##PS(m, ci)))); \
    } while (0)

/* ---------------- fp32, 12 x 32: 24 accumulators ---------------- */

#define S12_ROW(i, AX)                                         \
    do {                                                       \
        __m512 ai = _mm512_set1_ps(AX(i));                     \
        c##i##_0 = _mm512_fmadd_ps(ai, b0, c##i##_0);          \
        c##i##_1 = _mm512_fmadd_ps(ai, b1, c##i##_1);          \
    } while (0)

#define S12_STEP(AX, NEXT)                                                    \
    do {                                                                      \
        __m512 b0 = _mm512_load_ps(b);                                        \
        __m512 b1 = _mm512_load_ps(b + 16);                                   \
        S12_ROW(0, AX); S12_ROW(1, AX); S12_ROW(2, AX); S12_ROW(3, AX);       \
        S12_ROW(4, AX); S12_ROW(5, AX); S12_ROW(6, AX); S12_ROW(7, AX);       \
        S12_ROW(8, AX); S12_ROW(9, AX); S12_ROW(10, AX); S12_ROW(11, AX);     \
        NEXT;                                                                 \
        b += 32;                                                              \
    } while (0)

#define S12_ST(i)                                                             \
    do {                                                                      \
        float *ci = c + (i) * rsc;                                            \
        ST_FULL(ps, ci, c##i##_0);                                            \
        ST_FULL(ps, ci + 16, c##i##_1);                                       \
    } while (0)

#define S12_STM(i)                                                            \
    do {                                                                      \
        if ((i) < mm) {                                                       \
            float *ci = c + (i) * rsc;                                        \
            ST_MASK(ps, ci, c##i##_0, m0);                                    \
            ST_MASK(ps, ci + 16, c##i##_1, m1);                               \
        }                                                                     \
    } while (0)

#define S12_Z(i) __m512 c##i##_0 = _mm512_setzero_ps(), c##i##_1 = _mm512_setzero_ps()

#define S12_BODY(AX, NEXT, APF)                                               \
    S12_Z(0); S12_Z(1); S12_Z(2); S12_Z(3); S12_Z(4); S12_Z(5);               \
    S12_Z(6); S12_Z(7); S12_Z(8); S12_Z(9); S12_Z(10); S12_Z(11);             \
    for (int i = 0; i < 12; ++i) {                                            \
        _mm_prefetch((const char *)(c + i * rsc), _MM_HINT_T0);               \
        _mm_prefetch((const char *)(c + i * rsc + 31), _MM_HINT_T0);          \
    }                                                                         \
    int64_t p = 0;                                                            \
    for (; p + 2 <= k; p += 2) {                                              \
        _mm_prefetch((const char *)(b + 512), _MM_HINT_T0);                   \
        _mm_prefetch((const char *)(b + 528), _MM_HINT_T0);                   \
        S12_STEP(AX, NEXT);                                                   \
        APF;                                                                  \
        S12_STEP(AX, NEXT);                                                   \
    }                                                                         \
    for (; p < k; ++p)                                                        \
        S12_STEP(AX, NEXT);                                                   \
    const __m512 va = _mm512_set1_ps(alpha);                                  \
    const __m512 vb = _mm512_set1_ps(beta);                                   \
    if (mm == 12 && nn == 32) {                                               \
        S12_ST(0); S12_ST(1); S12_ST(2); S12_ST(3); S12_ST(4); S12_ST(5);     \
        S12_ST(6); S12_ST(7); S12_ST(8); S12_ST(9); S12_ST(10); S12_ST(11);   \
    } else {                                                                  \
        const __mmask16 m0 = tl_mask16(nn, 0), m1 = tl_mask16(nn, 1);         \
        S12_STM(0); S12_STM(1); S12_STM(2); S12_STM(3);                       \
        S12_STM(4); S12_STM(5); S12_STM(6); S12_STM(7);                       \
        S12_STM(8); S12_STM(9); S12_STM(10); S12_STM(11);                     \
    }

TL_AVX512 void tl_skern_avx512_12x32(int64_t k, const float *a, const float *b, float *c,
                                     int64_t rsc, float alpha, float beta,
                                     int64_t mm, int64_t nn)
{
    S12_BODY(PK_A, a += 12, _mm_prefetch((const char *)(a + 192), _MM_HINT_T0));
}

TL_AVX512 void tl_skern_avx512_12x32_ua(int64_t k, const float *a, int64_t rsa,
                                        const float *b, float *c, int64_t rsc,
                                        float alpha, float beta, int64_t mm, int64_t nn)
{
    TL_UA_SETUP(a, rsa);
    S12_BODY(UA_S, TL_UA_ADVANCE(float), (void)0);
}

/* ---------------- fp32, 24 x 16: 24 accumulators ----------------
 * One vector per row: for N = 16 products no lane is wasted. */

#define S24_ROW(i, AX) c##i = _mm512_fmadd_ps(_mm512_set1_ps(AX(i)), b0, c##i)

#define S24_STEP(AX, NEXT)                                                    \
    do {                                                                      \
        __m512 b0 = _mm512_load_ps(b);                                        \
        S24_ROW(0, AX); S24_ROW(1, AX); S24_ROW(2, AX); S24_ROW(3, AX);       \
        S24_ROW(4, AX); S24_ROW(5, AX); S24_ROW(6, AX); S24_ROW(7, AX);       \
        S24_ROW(8, AX); S24_ROW(9, AX); S24_ROW(10, AX); S24_ROW(11, AX);     \
        S24_ROW(12, AX); S24_ROW(13, AX); S24_ROW(14, AX); S24_ROW(15, AX);   \
        S24_ROW(16, AX); S24_ROW(17, AX); S24_ROW(18, AX); S24_ROW(19, AX);   \
        S24_ROW(20, AX); S24_ROW(21, AX); S24_ROW(22, AX); S24_ROW(23, AX);   \
        NEXT;                                                                 \
        b += 16;                                                              \
    } while (0)

#define S24_ST(i) ST_FULL(ps, c + (i) * rsc, c##i)
#define S24_STM(i)                                                            \
    do {                                                                      \
        if ((i) < mm)                                                         \
            ST_MASK(ps, c + (i) * rsc, c##i, m0);                             \
    } while (0)

#define S24_Z(i) __m512 c##i = _mm512_setzero_ps()

#define S24_BODY(AX, NEXT, APF)                                               \
    S24_Z(0); S24_Z(1); S24_Z(2); S24_Z(3); S24_Z(4); S24_Z(5);               \
    S24_Z(6); S24_Z(7); S24_Z(8); S24_Z(9); S24_Z(10); S24_Z(11);             \
    S24_Z(12); S24_Z(13); S24_Z(14); S24_Z(15); S24_Z(16); S24_Z(17);         \
    S24_Z(18); S24_Z(19); S24_Z(20); S24_Z(21); S24_Z(22); S24_Z(23);         \
    for (int i = 0; i < 24; ++i)                                              \
        _mm_prefetch((const char *)(c + i * rsc), _MM_HINT_T0);               \
    int64_t p = 0;                                                            \
    for (; p + 2 <= k; p += 2) {                                              \
        _mm_prefetch((const char *)(b + 256), _MM_HINT_T0);                   \
        APF;                                                                  \
        S24_STEP(AX, NEXT);                                                   \
        S24_STEP(AX, NEXT);                                                   \
    }                                                                         \
    for (; p < k; ++p)                                                        \
        S24_STEP(AX, NEXT);                                                   \
    const __m512 va = _mm512_set1_ps(alpha);                                  \
    const __m512 vb = _mm512_set1_ps(beta);                                   \
    if (mm == 24 && nn == 16) {                                               \
        S24_ST(0); S24_ST(1); S24_ST(2); S24_ST(3); S24_ST(4); S24_ST(5);     \
        S24_ST(6); S24_ST(7); S24_ST(8); S24_ST(9); S24_ST(10); S24_ST(11);   \
        S24_ST(12); S24_ST(13); S24_ST(14); S24_ST(15); S24_ST(16);           \
        S24_ST(17); S24_ST(18); S24_ST(19); S24_ST(20); S24_ST(21);           \
        S24_ST(22); S24_ST(23);                                               \
    } else {                                                                  \
        const __mmask16 m0 = tl_mask16(nn, 0);                                \
        S24_STM(0); S24_STM(1); S24_STM(2); S24_STM(3); S24_STM(4);           \
        S24_STM(5); S24_STM(6); S24_STM(7); S24_STM(8); S24_STM(9);           \
        S24_STM(10); S24_STM(11); S24_STM(12); S24_STM(13); S24_STM(14);      \
        S24_STM(15); S24_STM(16); S24_STM(17); S24_STM(18); S24_STM(19);      \
        S24_STM(20); S24_STM(21); S24_STM(22); S24_STM(23);                   \
    }

TL_AVX512 void tl_skern_avx512_24x16(int64_t k, const float *a, const float *b, float *c,
                                     int64_t rsc, float alpha, float beta,
                                     int64_t mm, int64_t nn)
{
    S24_BODY(PK_A, a += 24, _mm_prefetch((const char *)(a + 384), _MM_HINT_T0));
}

TL_AVX512 void tl_skern_avx512_24x16_ua(int64_t k, const float *a, int64_t rsa,
                                        const float *b, float *c, int64_t rsc,
                                        float alpha, float beta, int64_t mm, int64_t nn)
{
    TL_UA_SETUP(a, rsa);
    S24_BODY(UA_S, TL_UA_ADVANCE(float), (void)0);
}

/* ---------------- fp64, 12 x 16: 24 accumulators ---------------- */

#define D12_ROW(i, AX)                                         \
    do {                                                       \
        __m512d ai = _mm512_set1_pd(AX(i));                    \
        c##i##_0 = _mm512_fmadd_pd(ai, b0, c##i##_0);          \
        c##i##_1 = _mm512_fmadd_pd(ai, b1, c##i##_1);          \
    } while (0)

#define D12_STEP(AX, NEXT)                                                    \
    do {                                                                      \
        __m512d b0 = _mm512_load_pd(b);                                       \
        __m512d b1 = _mm512_load_pd(b + 8);                                   \
        D12_ROW(0, AX); D12_ROW(1, AX); D12_ROW(2, AX); D12_ROW(3, AX);       \
        D12_ROW(4, AX); D12_ROW(5, AX); D12_ROW(6, AX); D12_ROW(7, AX);       \
        D12_ROW(8, AX); D12_ROW(9, AX); D12_ROW(10, AX); D12_ROW(11, AX);     \
        NEXT;                                                                 \
        b += 16;                                                              \
    } while (0)

#define D12_ST(i)                                                             \
    do {                                                                      \
        double *ci = c + (i) * rsc;                                           \
        ST_FULL(pd, ci, c##i##_0);                                            \
        ST_FULL(pd, ci + 8, c##i##_1);                                        \
    } while (0)

#define D12_STM(i)                                                            \
    do {                                                                      \
        if ((i) < mm) {                                                       \
            double *ci = c + (i) * rsc;                                       \
            ST_MASK(pd, ci, c##i##_0, m0);                                    \
            ST_MASK(pd, ci + 8, c##i##_1, m1);                                \
        }                                                                     \
    } while (0)

#define D12_Z(i) __m512d c##i##_0 = _mm512_setzero_pd(), c##i##_1 = _mm512_setzero_pd()

#define D12_BODY(AX, NEXT, APF)                                               \
    D12_Z(0); D12_Z(1); D12_Z(2); D12_Z(3); D12_Z(4); D12_Z(5);               \
    D12_Z(6); D12_Z(7); D12_Z(8); D12_Z(9); D12_Z(10); D12_Z(11);             \
    for (int i = 0; i < 12; ++i) {                                            \
        _mm_prefetch((const char *)(c + i * rsc), _MM_HINT_T0);               \
        _mm_prefetch((const char *)(c + i * rsc + 15), _MM_HINT_T0);          \
    }                                                                         \
    int64_t p = 0;                                                            \
    for (; p + 2 <= k; p += 2) {                                              \
        _mm_prefetch((const char *)(b + 256), _MM_HINT_T0);                   \
        _mm_prefetch((const char *)(b + 264), _MM_HINT_T0);                   \
        D12_STEP(AX, NEXT);                                                   \
        APF;                                                                  \
        D12_STEP(AX, NEXT);                                                   \
    }                                                                         \
    for (; p < k; ++p)                                                        \
        D12_STEP(AX, NEXT);                                                   \
    const __m512d va = _mm512_set1_pd(alpha);                                 \
    const __m512d vb = _mm512_set1_pd(beta);                                  \
    if (mm == 12 && nn == 16) {                                               \
        D12_ST(0); D12_ST(1); D12_ST(2); D12_ST(3); D12_ST(4); D12_ST(5);     \
        D12_ST(6); D12_ST(7); D12_ST(8); D12_ST(9); D12_ST(10); D12_ST(11);   \
    } else {                                                                  \
        const __mmask8 m0 = tl_mask8(nn, 0), m1 = tl_mask8(nn, 1);            \
        D12_STM(0); D12_STM(1); D12_STM(2); D12_STM(3);                       \
        D12_STM(4); D12_STM(5); D12_STM(6); D12_STM(7);                       \
        D12_STM(8); D12_STM(9); D12_STM(10); D12_STM(11);                     \
    }

TL_AVX512 void tl_dkern_avx512_12x16(int64_t k, const double *a, const double *b, double *c,
                                     int64_t rsc, double alpha, double beta,
                                     int64_t mm, int64_t nn)
{
    D12_BODY(PK_A, a += 12, _mm_prefetch((const char *)(a + 96), _MM_HINT_T0));
}

TL_AVX512 void tl_dkern_avx512_12x16_ua(int64_t k, const double *a, int64_t rsa,
                                        const double *b, double *c, int64_t rsc,
                                        double alpha, double beta, int64_t mm, int64_t nn)
{
    TL_UA_SETUP(a, rsa);
    D12_BODY(UA_D, TL_UA_ADVANCE(double), (void)0);
}

#endif /* TL_X86 */
