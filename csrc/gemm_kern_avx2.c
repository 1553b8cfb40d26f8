/* AVX2 + FMA GEMM micro-kernels. Only these functions are built for
 * AVX2/FMA (target attribute); the driver calls them only after checking the
 * CPU at run time.  Packed and "ua" (unpacked, row-major A read in place)
 * forms share one body, as in gemm_kern_avx512.c; the first mm rows and nn
 * columns of the tile are written (AVX masked stores at the edges).
 *
 * fp32 (6 x 16) and fp64 (6 x 8) are the same kernel: 6 rows x 2 vectors =
 * 12 ymm accumulators, 2 B vectors and 1 broadcast per step.  The body below
 * is written once over the vector type VT (VL lanes) and its intrinsics
 * V(op), defined for float before the fp32 kernels and for double before
 * the fp64 ones. */
#include "gemm_internal.h"

#if TL_X86
#include <immintrin.h>

#define TL_AVX2 __attribute__((target("avx2,fma")))


#define K6_ROW(i, AX)                                          \
    do {                                                       \
        VT ai = V(set1)(AX(i));                                \
        c##i##0 = V(fmadd)(ai, b0, c##i##0);                   \
        c##i##1 = V(fmadd)(ai, b1, c##i##1);                   \
    } while (0)

#define K6_STEP(AX, NEXT)                                      \
    do {                                                       \
        VT b0 = V(load)(b);                                    \
        VT b1 = V(load)(b + VL);                               \
        K6_ROW(0, AX); K6_ROW(1, AX); K6_ROW(2, AX);           \
        K6_ROW(3, AX); K6_ROW(4, AX); K6_ROW(5, AX);           \
        NEXT;                                                  \
        b += 2 * VL;                                           \
    } while (0)

#define K6_ST(i)                                                             \
    do {                                                                     \
        TL_KERN_ST(c + (i) * rsc, c##i##0);                                  \
        TL_KERN_ST(c + (i) * rsc + VL, c##i##1);                             \
    } while (0)

#define K6_STM(i)                                                            \
    do {                                                                     \
        if ((i) < mm) {                                                      \
            TL_KERN_STM(c + (i) * rsc, c##i##0, m0);                         \
            TL_KERN_STM(c + (i) * rsc + VL, c##i##1, m1);                    \
        }                                                                    \
    } while (0)

#define K6_Z(i) VT c##i##0 = V(setzero)(), c##i##1 = V(setzero)()

/* AX(i): A element of row i at the current k step; NEXT: advance A by one
 * step; APF: prefetch of A, once per 4 steps (packed form only). */
#define K6_BODY(AX, NEXT, APF)                                               \
    K6_Z(0); K6_Z(1); K6_Z(2); K6_Z(3); K6_Z(4); K6_Z(5);                    \
    for (int i = 0; i < 6; ++i) {                                            \
        _mm_prefetch((const char *)(c + i * rsc), _MM_HINT_T0);              \
        _mm_prefetch((const char *)(c + i * rsc + (2 * VL - 1)), _MM_HINT_T0); \
    }                                                                        \
    int64_t p = 0;                                                           \
    for (; p + 4 <= k; p += 4) {                                             \
        _mm_prefetch((const char *)(b + 32 * VL), _MM_HINT_T0);              \
        K6_STEP(AX, NEXT);                                                   \
        K6_STEP(AX, NEXT);                                                   \
        APF;                                                                 \
        K6_STEP(AX, NEXT);                                                   \
        K6_STEP(AX, NEXT);                                                   \
    }                                                                        \
    for (; p < k; ++p)                                                       \
        K6_STEP(AX, NEXT);                                                   \
    const VT va = V(set1)(alpha);                                            \
    const VT vb = V(set1)(beta);                                             \
    if (mm == 6 && nn == 2 * VL) {                                           \
        K6_ST(0); K6_ST(1); K6_ST(2); K6_ST(3); K6_ST(4); K6_ST(5);          \
    } else {                                                                 \
        V_EDGE_MASKS(m0, m1);                                                \
        K6_STM(0); K6_STM(1); K6_STM(2); K6_STM(3); K6_STM(4); K6_STM(5);    \
    }

/* V(op): the AVX intrinsic for op of the current vector type, e.g.
 * V(fmadd) = _mm256_fmadd_ps for SFX = ps */
#define V(op) TL_PASTE4(_mm256_, op, _, SFX)
#define V_MSTORE(p, m, v) V(maskstore)(p, m, v)
#define V_MLOAD(p, m) V(maskload)(p, m)

/* ---- fp32, 6 x 16 ---- */
#define VT __m256
#define VL 8
#define SFX ps
/* m0, m1: lanes of the two vectors of a row that hold one of the nn columns */
#define V_EDGE_MASKS(m0, m1)                                                 \
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);          \
    const __m256i vn = _mm256_set1_epi32((int)nn);                           \
    const __m256i m0 = _mm256_cmpgt_epi32(vn, lane);                         \
    const __m256i m1 = _mm256_cmpgt_epi32(vn, _mm256_add_epi32(lane, _mm256_set1_epi32(8)))

/* 6 x 16 */
TL_KERN_PAIR(TL_AVX2, tl_skern_avx2_6x16, float, K6_BODY, 6, 96)

#undef VT
#undef VL
#undef SFX
#undef V_EDGE_MASKS

/* ---- fp64, 6 x 8 ---- */
#define VT __m256d
#define VL 4
#define SFX pd
#define V_EDGE_MASKS(m0, m1)                                                 \
    const __m256i lane = _mm256_setr_epi64x(0, 1, 2, 3);                     \
    const __m256i vn = _mm256_set1_epi64x(nn);                               \
    const __m256i m0 = _mm256_cmpgt_epi64(vn, lane);                         \
    const __m256i m1 = _mm256_cmpgt_epi64(vn, _mm256_add_epi64(lane, _mm256_set1_epi64x(4)))

/* 6 x 8 */
TL_KERN_PAIR(TL_AVX2, tl_dkern_avx2_6x8, double, K6_BODY, 6, 96)

#endif /* TL_X86 */
