/* tensorlite GEMM: C = alpha * A @ B + beta * C for fp32 / fp64 with
 * arbitrary (signed, element) strides.
 *
 * Design (after Goto & van de Geijn and BLIS):
 *   for jc in N by NC:            B block  (KC x NC) packed into NR-wide panels
 *     for pc in K by KC:
 *       for ic in M by MC:        A block  (MC x KC) packed into MR-tall panels
 *         for jr in NC by NR:     one B micro-panel stays in L1
 *           for ir in MC by MR:   register-blocked micro-kernel MR x NR
 * Packing reads any strides, so transposed / sliced / reversed views cost
 * nothing extra; edge tiles are zero-padded in the packed panels and the
 * kernels write only the valid mm x nn part (masked stores), a scratch tile
 * being used only when C's rows are not contiguous.  For skinny products
 * (few B panels, row-major A) A is not packed at all: "ua" kernels read it in
 * place.  When C is column-major (or the shape suits it better) the product
 * is computed as C^T = B^T A^T.  A small cost model (micro-kernel steps,
 * stores, packing) picks kernel, orientation and packing per shape.
 *
 * Threads (OpenMP, count from tl_get_num_threads()): the C matrix is cut into
 * a grid of thread tiles along micro-tile boundaries; each thread packs its
 * own panels, so no synchronisation is needed.  If there are too few tiles,
 * K is split and the partial products are summed.  Batched calls run whole
 * products per thread when that balances.  Tiny problems take an unpacked
 * loop on one thread.  No global state besides the thread count: buffers are
 * allocated (aligned_alloc) and freed per call and per thread.
 *
 * Micro-kernels are chosen at run time from what the CPU offers: AVX-512F
 * (12x32 and 24x16 fp32, 12x16 fp64), AVX2+FMA (6x16 fp32, 6x8 fp64), else
 * portable C (4x8 / 4x4).  TENSORLITE_GEMM_ARCH = generic | avx2 | avx512
 * caps the level (testing / comparisons). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/gemm.h"
#include "api/threads.h"
#include "cpu.h"
#include "gemm_internal.h"

#ifdef _OPENMP
#include <omp.h>
#endif

/* Problems with at most this many multiply-adds use the unpacked loop. */
#ifndef TL_SMALL_WORK
#define TL_SMALL_WORK 1024.0
#endif
/* Columns of the unpacked loop's row accumulator (stack). */
#define TL_SMALL_MAX_N 64
/* Each extra thread needs at least this many multiply-adds of work. */
#define TL_MIN_WORK_PER_THREAD (64.0 * 64.0 * 64.0)
/* Rough cycles to pack one element (thread-partition cost model). */
#define TL_PACK_CYCLES 1.0
/* Read A in place only when it feeds at most this many B panels. */
#define TL_UA_MAX_PANELS 4

static inline int64_t tl_cdiv(int64_t a, int64_t b) { return (a + b - 1) / b; }
static inline int64_t tl_roundup(int64_t a, int64_t b) { return tl_cdiv(a, b) * b; }
static inline int64_t tl_min64(int64_t a, int64_t b) { return a < b ? a : b; }

static inline int tl_thread_id(void)
{
#ifdef _OPENMP
    return omp_get_thread_num();
#else
    return 0;
#endif
}

static inline int tl_thread_count(void)
{
#ifdef _OPENMP
    return omp_get_num_threads();
#else
    return 1;
#endif
}

/* ------------------------------------------------------------------ */
/* kernel selection                                                     */

/* Cache blocking of the fast kernels (overridable at build time for tuning). */
#ifndef TL_S512_MC
#define TL_S512_MC 144
#endif
#ifndef TL_S512_KC
#define TL_S512_KC 256
#endif
#ifndef TL_S512_NC
#define TL_S512_NC 4096
#endif
#ifndef TL_S2_MC
#define TL_S2_MC 144
#endif
#ifndef TL_S2_KC
#define TL_S2_KC 256
#endif
#ifndef TL_S2_NC
#define TL_S2_NC 4080
#endif

/*                                   mr  nr lanes  mc   kc    nc */
static const tl_sgemm_cfg tl_scfg_generic = {4, 8, 4, 128, 256, 4096, tl_skern_generic_4x8, NULL, "generic"};
static const tl_dgemm_cfg tl_dcfg_generic = {4, 4, 2, 128, 256, 2048, tl_dkern_generic_4x4, NULL, "generic"};
#if TL_X86
static const tl_sgemm_cfg tl_scfg_avx2 = {6, 16, 8, TL_S2_MC, TL_S2_KC, TL_S2_NC, tl_skern_avx2_6x16, tl_skern_avx2_6x16_ua, "avx2"};
static const tl_dgemm_cfg tl_dcfg_avx2 = {6, 8, 4, 96, 256, 2040, tl_dkern_avx2_6x8, tl_dkern_avx2_6x8_ua, "avx2"};
static const tl_sgemm_cfg tl_scfg_avx512 = {12, 32, 16, TL_S512_MC, TL_S512_KC, TL_S512_NC, tl_skern_avx512_12x32, tl_skern_avx512_12x32_ua, "avx512"};
static const tl_sgemm_cfg tl_scfg_avx512n16 = {24, 16, 16, 144, 256, 4096, tl_skern_avx512_24x16, tl_skern_avx512_24x16_ua, "avx512"};
static const tl_dgemm_cfg tl_dcfg_avx512 = {12, 16, 8, 96, 256, 2048, tl_dkern_avx512_12x16, tl_dkern_avx512_12x16_ua, "avx512"};
#endif

/* Kernels usable at the current level, preferred first. */
static int tl_sgemm_cands(const tl_sgemm_cfg **c)
{
    int n = 0;
#if TL_X86
    const int level = tl_isa_level("TENSORLITE_GEMM_ARCH");
    if (level >= TL_ISA_AVX512) {
        c[n++] = &tl_scfg_avx512;
        c[n++] = &tl_scfg_avx512n16;
    }
    if (level >= TL_ISA_AVX2)
        c[n++] = &tl_scfg_avx2;
#endif
    if (n == 0)
        c[n++] = &tl_scfg_generic;
    return n;
}

static int tl_dgemm_cands(const tl_dgemm_cfg **c)
{
    int n = 0;
#if TL_X86
    const int level = tl_isa_level("TENSORLITE_GEMM_ARCH");
    if (level >= TL_ISA_AVX512)
        c[n++] = &tl_dcfg_avx512;
    if (level >= TL_ISA_AVX2)
        c[n++] = &tl_dcfg_avx2;
#endif
    if (n == 0)
        c[n++] = &tl_dcfg_generic;
    return n;
}

const char *tl_gemm_arch(void)
{
    const tl_sgemm_cfg *c[4];
    tl_sgemm_cands(c);
    return c[0]->name;
}

/* ------------------------------------------------------------------ */
/* drivers, instantiated per type                                      */

#define T float
#define CFG tl_sgemm_cfg
#define FN(x) tl_s_##x
#include "gemm_impl.h"
#undef T
#undef CFG
#undef FN

#define T double
#define CFG tl_dgemm_cfg
#define FN(x) tl_d_##x
#include "gemm_impl.h"
#undef T
#undef CFG
#undef FN

/* ------------------------------------------------------------------ */
/* public API                                                           */

#define TL_GEMM_PRECONDITIONS(M, N, K, A, B, C)                               \
    do {                                                                      \
        TL_CHECK((M) >= 0);                                                   \
        TL_CHECK((N) >= 0);                                                   \
        TL_CHECK((K) >= 0);                                                   \
        TL_CHECK((M) == 0 || (N) == 0 || (C) != NULL);                        \
        TL_CHECK((M) == 0 || (N) == 0 || (K) == 0 || ((A) != NULL && (B) != NULL)); \
    } while (0)

void tl_sgemm(int64_t M, int64_t N, int64_t K, float alpha,
              const float *A, int64_t rsa, int64_t csa,
              const float *B, int64_t rsb, int64_t csb,
              float beta, float *C, int64_t rsc, int64_t csc)
{
    TL_GEMM_PRECONDITIONS(M, N, K, A, B, C);
    const tl_sgemm_cfg *c[4];
    const int nc = tl_sgemm_cands(c);
    tl_s_gemm(c, nc, tl_get_num_threads(), M, N, K, alpha,
              A, rsa, csa, B, rsb, csb, beta, C, rsc, csc);
}

void tl_dgemm(int64_t M, int64_t N, int64_t K, double alpha,
              const double *A, int64_t rsa, int64_t csa,
              const double *B, int64_t rsb, int64_t csb,
              double beta, double *C, int64_t rsc, int64_t csc)
{
    TL_GEMM_PRECONDITIONS(M, N, K, A, B, C);
    const tl_dgemm_cfg *c[4];
    const int nc = tl_dgemm_cands(c);
    tl_d_gemm(c, nc, tl_get_num_threads(), M, N, K, alpha,
              A, rsa, csa, B, rsb, csb, beta, C, rsc, csc);
}

void tl_sgemm_batched(int64_t batch, int64_t M, int64_t N, int64_t K, float alpha,
                      const float *A, int64_t bsa, int64_t rsa, int64_t csa,
                      const float *B, int64_t bsb, int64_t rsb, int64_t csb,
                      float beta, float *C, int64_t bsc, int64_t rsc, int64_t csc)
{
    TL_CHECK(batch >= 0);
    TL_GEMM_PRECONDITIONS(M, N, K, A, B, C);
    const tl_sgemm_cfg *c[4];
    const int nc = tl_sgemm_cands(c);
    tl_s_gemm_batched(c, nc, tl_get_num_threads(), batch, M, N, K, alpha,
                      A, bsa, rsa, csa, B, bsb, rsb, csb, beta, C, bsc, rsc, csc);
}

void tl_dgemm_batched(int64_t batch, int64_t M, int64_t N, int64_t K, double alpha,
                      const double *A, int64_t bsa, int64_t rsa, int64_t csa,
                      const double *B, int64_t bsb, int64_t rsb, int64_t csb,
                      double beta, double *C, int64_t bsc, int64_t rsc, int64_t csc)
{
    TL_CHECK(batch >= 0);
    TL_GEMM_PRECONDITIONS(M, N, K, A, B, C);
    const tl_dgemm_cfg *c[4];
    const int nc = tl_dgemm_cands(c);
    tl_d_gemm_batched(c, nc, tl_get_num_threads(), batch, M, N, K, alpha,
                      A, bsa, rsa, csa, B, bsb, rsb, csb, beta, C, bsc, rsc, csc);
}
