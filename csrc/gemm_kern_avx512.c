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

/* The kernels are written over the vector type VT (VL lanes of type ET,
 * mask type VMASK) and its intrinsics V(op), defined for float before the
 * fp32 kernels and for double before the fp64 one.  The 12-row body serves fp32 12 x 32 and fp64 12 x 16. */

/* V(op): the AVX-512 intrinsic for op of the current vector type, e.g.
 * V(fmadd) = _mm512_fmadd_ps for SFX = ps */
#define V(op) TL_PASTE4(_mm512_, op, _, SFX)
#define V_MSTORE(p, m, v) V(mask_storeu)(p, m, v)
#define V_MLOAD(p, m) V(maskz_loadu)(m, p)

/* ---------------- 12 x (2 vectors): 24 accumulators ---------------- */

#define K12_ROW(i, AX)                                         \
    do {                                                       \
        VT ai = V(set1)(AX(i));                                \
        c##i##_0 = V(fmadd)(ai, b0, c##i##_0);                 \
        c##i##_1 = V(fmadd)(ai, b1, c##i##_1);                 \
    } while (0)

#define K12_STEP(AX, NEXT)                                                    \
    do {                                                                      \
        VT b0 = V(load)(b);                                                   \
        VT b1 = V(load)(b + VL);                                              \
        K12_ROW(0, AX); K12_ROW(1, AX); K12_ROW(2, AX); K12_ROW(3, AX);       \
        K12_ROW(4, AX); K12_ROW(5, AX); K12_ROW(6, AX); K12_ROW(7, AX);       \
        K12_ROW(8, AX); K12_ROW(9, AX); K12_ROW(10, AX); K12_ROW(11, AX);     \
        NEXT;                                                                 \
        b += 2 * VL;                                                          \
    } while (0)

#define K12_ST(i)                                                             \
    do {                                                                      \
        ET *ci = c + (i) * rsc;                                               \
        TL_KERN_ST(ci, c##i##_0);                                             \
        TL_KERN_ST(ci + VL, c##i##_1);                                        \
    } while (0)

#define K12_STM(i)                                                            \
    do {                                                                      \
        if ((i) < mm) {                                                       \
            ET *ci = c + (i) * rsc;                                           \
            TL_KERN_STM(ci, c##i##_0, m0);                                    \
            TL_KERN_STM(ci + VL, c##i##_1, m1);                               \
        }                                                                     \
    } while (0)

#define K12_Z(i) VT c##i##_0 = V(setzero)(), c##i##_1 = V(setzero)()

/* AX(i): A element of row i at the current k step; NEXT: advance A by one
 * step; APF: prefetch of A, once per 2 steps (packed form only). */
#define K12_BODY(AX, NEXT, APF)                                               \
    K12_Z(0); K12_Z(1); K12_Z(2); K12_Z(3); K12_Z(4); K12_Z(5);               \
    K12_Z(6); K12_Z(7); K12_Z(8); K12_Z(9); K12_Z(10); K12_Z(11);             \
    for (int i = 0; i < 12; ++i) {                                            \
        _mm_prefetch((const char *)(c + i * rsc), _MM_HINT_T0);               \
        _mm_prefetch((const char *)(c + i * rsc + (2 * VL - 1)), _MM_HINT_T0); \
    }                                                                         \
    int64_t p = 0;                                                            \
    for (; p + 2 <= k; p += 2) {                                              \
        _mm_prefetch((const char *)(b + 32 * VL), _MM_HINT_T0);               \
        _mm_prefetch((const char *)(b + 33 * VL), _MM_HINT_T0);               \
        K12_STEP(AX, NEXT);                                                   \
        APF;                                                                  \
        K12_STEP(AX, NEXT);                                                   \
    }                                                                         \
    for (; p < k; ++p)                                                        \
        K12_STEP(AX, NEXT);                                                   \
    const VT va = V(set1)(alpha);                                             \
    const VT vb = V(set1)(beta);                                              \
    if (mm == 12 && nn == 2 * VL) {                                           \
        K12_ST(0); K12_ST(1); K12_ST(2); K12_ST(3); K12_ST(4); K12_ST(5);     \
        K12_ST(6); K12_ST(7); K12_ST(8); K12_ST(9); K12_ST(10); K12_ST(11);   \
    } else {                                                                  \
        const VMASK m0 = V_MASK(nn, 0), m1 = V_MASK(nn, 1);                   \
        K12_STM(0); K12_STM(1); K12_STM(2); K12_STM(3);                       \
        K12_STM(4); K12_STM(5); K12_STM(6); K12_STM(7);                       \
        K12_STM(8); K12_STM(9); K12_STM(10); K12_STM(11);                     \
    }

/* ---------------- fp32 ---------------- */
#define VT __m512
#define VL 16
#define ET float
#define SFX ps
#define VMASK __mmask16
#define V_MASK tl_mask16

/* 12 x 32 */
TL_KERN_PAIR(TL_AVX512, tl_skern_avx512_12x32, float, K12_BODY, 12, 192)

/* 24 x 16: 24 accumulators
 * One vector per row: for N = 16 products no lane is wasted. */

#define S24_ROW(i, AX) c##i = V(fmadd)(V(set1)(AX(i)), b0, c##i)

#define S24_STEP(AX, NEXT)                                                    \
    do {                                                                      \
        VT b0 = V(load)(b);                                                   \
        S24_ROW(0, AX); S24_ROW(1, AX); S24_ROW(2, AX); S24_ROW(3, AX);       \
        S24_ROW(4, AX); S24_ROW(5, AX); S24_ROW(6, AX); S24_ROW(7, AX);       \
        S24_ROW(8, AX); S24_ROW(9, AX); S24_ROW(10, AX); S24_ROW(11, AX);     \
        S24_ROW(12, AX); S24_ROW(13, AX); S24_ROW(14, AX); S24_ROW(15, AX);   \
        S24_ROW(16, AX); S24_ROW(17, AX); S24_ROW(18, AX); S24_ROW(19, AX);   \
        S24_ROW(20, AX); S24_ROW(21, AX); S24_ROW(22, AX); S24_ROW(23, AX);   \
        NEXT;                                                                 \
        b += 16;                                                              \
    } while (0)

#define S24_ST(i) TL_KERN_ST(c + (i) * rsc, c##i)
#define S24_STM(i)                                                            \
    do {                                                                      \
        if ((i) < mm)                                                         \
            TL_KERN_STM(c + (i) * rsc, c##i, m0);                             \
    } while (0)

#define S24_Z(i) VT c##i = V(setzero)()

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
    const VT va = V(set1)(alpha);                                             \
    const VT vb = V(set1)(beta);                                              \
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

/* 24 x 16 */
TL_KERN_PAIR(TL_AVX512, tl_skern_avx512_24x16, float, S24_BODY, 24, 384)

#undef VT
#undef VL
#undef ET
#undef SFX
#undef VMASK
#undef V_MASK

/* ---------------- fp64 ---------------- */
#define VT __m512d
#define VL 8
#define ET double
#define SFX pd
#define VMASK __mmask8
#define V_MASK tl_mask8

/* 12 x 16 */
TL_KERN_PAIR(TL_AVX512, tl_dkern_avx512_12x16, double, K12_BODY, 12, 96)

#endif /* TL_X86 */
