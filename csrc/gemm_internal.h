/* Internal declarations shared by the GEMM driver and its micro-kernels.
 * Not part of the public C API (that is api/gemm.h). */
#ifndef TL_GEMM_INTERNAL_H
#define TL_GEMM_INTERNAL_H

#include <stdint.h>

#ifdef TL_DEBUG
#include <stdio.h>
#include <stdlib.h>
#define TL_CHECK(cond)                                                        \
    do {                                                                      \
        if (!(cond)) {                                                        \
            fprintf(stderr, "tensorlite: precondition failed: %s (%s:%d)\n",  \
                    #cond, __FILE__, __LINE__);                               \
            abort();                                                          \
        }                                                                     \
    } while (0)
#else
#define TL_CHECK(cond) ((void)0)
#endif

/* x86 SIMD kernels are built on x86 with GCC/clang (define TL_NO_X86 to
 * build the portable kernels only, e.g. to test them alone). */
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__)) && !defined(TL_NO_X86)
#define TL_X86 1
#else
#define TL_X86 0
#endif

/* Largest micro-tile of any kernel (elements); bounds the edge scratch tile. */
#define TL_GEMM_MAX_MR 24
#define TL_GEMM_MAX_NR 32

/* A micro-kernel computes one MR x NR tile and writes its top-left mm x nn
 * part (1 <= mm <= MR, 1 <= nn <= NR):
 *   c[i*rsc + j] = alpha * sum_p a[p*MR + i] * b[p*NR + j] + beta * c[i*rsc + j]
 * for i < mm, j < nn, where a / b are packed panels (b 64-byte aligned,
 * zero-padded).  beta == 0 must not read c. */
typedef void (*tl_skernel_fn)(int64_t k, const float *a, const float *b, float *c,
                              int64_t rsc, float alpha, float beta, int64_t mm, int64_t nn);
typedef void (*tl_dkernel_fn)(int64_t k, const double *a, const double *b, double *c,
                              int64_t rsc, double alpha, double beta, int64_t mm,
                              int64_t nn);

/* "ua" form: the same tile, but A read in place from a row-major block,
 * A(i, p) = a[i*rsa + p] (no packing of A). */
typedef void (*tl_skernel_ua_fn)(int64_t k, const float *a, int64_t rsa, const float *b,
                                 float *c, int64_t rsc, float alpha, float beta,
                                 int64_t mm, int64_t nn);
typedef void (*tl_dkernel_ua_fn)(int64_t k, const double *a, int64_t rsa, const double *b,
                                 double *c, int64_t rsc, double alpha, double beta,
                                 int64_t mm, int64_t nn);

typedef struct {
    int mr, nr;            /* micro-tile */
    int lanes;             /* SIMD lanes of one vector FMA */
    int64_t mc, kc, nc;    /* cache blocking (mc % mr == 0, nc % nr == 0) */
    tl_skernel_fn kern;
    tl_skernel_ua_fn kern_ua;  /* may be NULL */
    const char *name;
} tl_sgemm_cfg;

typedef struct {
    int mr, nr;
    int lanes;
    int64_t mc, kc, nc;
    tl_dkernel_fn kern;
    tl_dkernel_ua_fn kern_ua;
    const char *name;
} tl_dgemm_cfg;

/* Portable kernels (gemm_kern_generic.c). */
void tl_skern_generic_4x8(int64_t k, const float *a, const float *b, float *c,
                          int64_t rsc, float alpha, float beta, int64_t mm, int64_t nn);
void tl_dkern_generic_4x4(int64_t k, const double *a, const double *b, double *c,
                          int64_t rsc, double alpha, double beta, int64_t mm, int64_t nn);

#if TL_X86
/* AVX2 + FMA kernels (gemm_kern_avx2.c); call only if tl_cpu_has_avx2_fma(). */
void tl_skern_avx2_6x16(int64_t k, const float *a, const float *b, float *c,
                        int64_t rsc, float alpha, float beta, int64_t mm, int64_t nn);
void tl_dkern_avx2_6x8(int64_t k, const double *a, const double *b, double *c,
                       int64_t rsc, double alpha, double beta, int64_t mm, int64_t nn);
void tl_skern_avx2_6x16_ua(int64_t k, const float *a, int64_t rsa, const float *b,
                           float *c, int64_t rsc, float alpha, float beta, int64_t mm, int64_t nn);
void tl_dkern_avx2_6x8_ua(int64_t k, const double *a, int64_t rsa, const double *b,
                          double *c, int64_t rsc, double alpha, double beta, int64_t mm, int64_t nn);

/* AVX-512F kernels (gemm_kern_avx512.c); call only if tl_cpu_has_avx512f(). */
void tl_skern_avx512_12x32(int64_t k, const float *a, const float *b, float *c,
                           int64_t rsc, float alpha, float beta, int64_t mm, int64_t nn);
void tl_skern_avx512_24x16(int64_t k, const float *a, const float *b, float *c,
                           int64_t rsc, float alpha, float beta, int64_t mm, int64_t nn);
void tl_dkern_avx512_12x16(int64_t k, const double *a, const double *b, double *c,
                           int64_t rsc, double alpha, double beta, int64_t mm, int64_t nn);
void tl_skern_avx512_12x32_ua(int64_t k, const float *a, int64_t rsa, const float *b,
                              float *c, int64_t rsc, float alpha, float beta, int64_t mm, int64_t nn);
void tl_skern_avx512_24x16_ua(int64_t k, const float *a, int64_t rsa, const float *b,
                              float *c, int64_t rsc, float alpha, float beta, int64_t mm, int64_t nn);
void tl_dkern_avx512_12x16_ua(int64_t k, const double *a, int64_t rsa, const double *b,
                              double *c, int64_t rsc, double alpha, double beta, int64_t mm, int64_t nn);
#endif

/* ---- helpers for kernel files: "ua" (unpacked-A) row addressing ----
 * Row i of an in-place row-major A (row stride rsa elements) is reached as
 * base g[i/8] + offset, with the 8 offsets of a group formed from 5 index
 * values and x86 scales 1/2, so that no per-row pointer needs a register. */
#define TL_UA_SETUP(a, rsa)                                                  \
    const int64_t ua_r1 = (rsa) * (int64_t)sizeof(*(a));                     \
    const int64_t ua_r2 = 2 * ua_r1, ua_r3 = 3 * ua_r1;                      \
    const int64_t ua_r5 = 5 * ua_r1, ua_r7 = 7 * ua_r1;                      \
    const char *ua_g0 = (const char *)(a);                                   \
    const char *ua_g1 = ua_g0 + 8 * ua_r1;                                   \
    const char *ua_g2 = ua_g0 + 16 * ua_r1;                                  \
    (void)ua_r2; (void)ua_r3; (void)ua_r5; (void)ua_r7; (void)ua_g1; (void)ua_g2

#define TL_UA_OFF_0 0
#define TL_UA_OFF_1 ua_r1
#define TL_UA_OFF_2 ua_r2
#define TL_UA_OFF_3 ua_r3
#define TL_UA_OFF_4 (2 * ua_r2)
#define TL_UA_OFF_5 ua_r5
#define TL_UA_OFF_6 (2 * ua_r3)
#define TL_UA_OFF_7 ua_r7
#define TL_UA_ADDR_0 (ua_g0 + TL_UA_OFF_0)
#define TL_UA_ADDR_1 (ua_g0 + TL_UA_OFF_1)
#define TL_UA_ADDR_2 (ua_g0 + TL_UA_OFF_2)
#define TL_UA_ADDR_3 (ua_g0 + TL_UA_OFF_3)
#define TL_UA_ADDR_4 (ua_g0 + TL_UA_OFF_4)
#define TL_UA_ADDR_5 (ua_g0 + TL_UA_OFF_5)
#define TL_UA_ADDR_6 (ua_g0 + TL_UA_OFF_6)
#define TL_UA_ADDR_7 (ua_g0 + TL_UA_OFF_7)
#define TL_UA_ADDR_8 (ua_g1 + TL_UA_OFF_0)
#define TL_UA_ADDR_9 (ua_g1 + TL_UA_OFF_1)
#define TL_UA_ADDR_10 (ua_g1 + TL_UA_OFF_2)
#define TL_UA_ADDR_11 (ua_g1 + TL_UA_OFF_3)
#define TL_UA_ADDR_12 (ua_g1 + TL_UA_OFF_4)
#define TL_UA_ADDR_13 (ua_g1 + TL_UA_OFF_5)
#define TL_UA_ADDR_14 (ua_g1 + TL_UA_OFF_6)
#define TL_UA_ADDR_15 (ua_g1 + TL_UA_OFF_7)
#define TL_UA_ADDR_16 (ua_g2 + TL_UA_OFF_0)
#define TL_UA_ADDR_17 (ua_g2 + TL_UA_OFF_1)
#define TL_UA_ADDR_18 (ua_g2 + TL_UA_OFF_2)
#define TL_UA_ADDR_19 (ua_g2 + TL_UA_OFF_3)
#define TL_UA_ADDR_20 (ua_g2 + TL_UA_OFF_4)
#define TL_UA_ADDR_21 (ua_g2 + TL_UA_OFF_5)
#define TL_UA_ADDR_22 (ua_g2 + TL_UA_OFF_6)
#define TL_UA_ADDR_23 (ua_g2 + TL_UA_OFF_7)
/* element of row i at the current k step, as type T */
#define TL_UA_LOAD(T, i) (*(const T *)(TL_UA_ADDR_##i))
/* advance every row by one k step */
#define TL_UA_ADVANCE(T)                                                     \
    do {                                                                     \
        ua_g0 += sizeof(T);                                                  \
        ua_g1 += sizeof(T);                                                  \
        ua_g2 += sizeof(T);                                                  \
    } while (0)

/* ---- helpers for the x86 kernel files: writing a C row ----
 * A kernel file defines V(op), the intrinsic for op of its current vector
 * type (e.g. V(storeu) = _mm512_storeu_ps), and V_MSTORE(p, m, v) /
 * V_MLOAD(p, m), the masked store / load (lanes in mask m only).  With va /
 * vb = alpha / beta in every lane, TL_KERN_ST sets the vector at ci to
 * alpha * acc + beta * ci, not reading ci when beta == 0 (NaN-safe);
 * TL_KERN_STM does the same for the lanes in m. */
#define TL_PASTE4_(a, b, c, d) a##b##c##d
#define TL_PASTE4(a, b, c, d) TL_PASTE4_(a, b, c, d)

#define TL_KERN_ST(ci, acc)                                                  \
    do {                                                                     \
        if (beta == 0)                                                       \
            V(storeu)(ci, V(mul)(va, acc));                                  \
        else                                                                 \
            V(storeu)(ci, V(fmadd)(va, acc, V(mul)(vb, V(loadu)(ci))));      \
    } while (0)

#define TL_KERN_STM(ci, acc, m)                                              \
    do {                                                                     \
        if (beta == 0)                                                       \
            V_MSTORE(ci, m, V(mul)(va, acc));                                \
        else                                                                 \
            V_MSTORE(ci, m, V(fmadd)(va, acc, V(mul)(vb, V_MLOAD(ci, m))));  \
    } while (0)

/* A kernel in its two forms, from one BODY(AX, NEXT, APF) macro of the
 * kernel file: NAME reads packed A (MR rows a step, prefetching APF elements
 * ahead), NAME_ua reads A in place (signatures of tl_skernel_fn /
 * tl_skernel_ua_fn for T = float, of the d forms for double). */
#define TL_KERN_PAIR(ATTR, NAME, T, BODY, MR, APF)                           \
    ATTR void NAME(int64_t k, const T *a, const T *b, T *c, int64_t rsc,     \
                   T alpha, T beta, int64_t mm, int64_t nn)                  \
    {                                                                        \
        BODY(TL_PK_A, a += MR, _mm_prefetch((const char *)(a + APF), _MM_HINT_T0)); \
    }                                                                        \
    ATTR void NAME##_ua(int64_t k, const T *a, int64_t rsa, const T *b,      \
                        T *c, int64_t rsc, T alpha, T beta,                  \
                        int64_t mm, int64_t nn)                              \
    {                                                                        \
        TL_UA_SETUP(a, rsa);                                                 \
        BODY(TL_UA_A_##T, TL_UA_ADVANCE(T), (void)0);                        \
    }
/* A element of row i at the current k step: packed panel, or in place
 * (T must be the literal float or double) */
#define TL_PK_A(i) a[(i)]
#define TL_UA_A_float(i) TL_UA_LOAD(float, i)
#define TL_UA_A_double(i) TL_UA_LOAD(double, i)

#endif /* TL_GEMM_INTERNAL_H */
