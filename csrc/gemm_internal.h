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
            fprintf(stderr, "tensorlite: precondition failed: %s (%s:%d)\n", \
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

#endif /* TL_GEMM_INTERNAL_H */
