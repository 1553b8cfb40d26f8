/* Portable GEMM micro-kernels: plain C the compiler can auto-vectorize with
 * whatever the baseline ISA offers (SSE2 on x86-64, NEON on aarch64).
 * They write the first mm rows and nn columns of the tile. */
#include "gemm_internal.h"

#define GEN_KERNEL(NAME, T, GMR, GNR)                                          \
    void NAME(int64_t k, const T *a, const T *b, T *c, int64_t rsc, T alpha,    \
              T beta, int64_t mm, int64_t nn)                                  \
    {                                                                          \
        T acc[GMR][GNR];                                                       \
        for (int i = 0; i < GMR; ++i)                                          \
            for (int j = 0; j < GNR; ++j)                                      \
                acc[i][j] = (T)0;                                              \
        for (int64_t p = 0; p < k; ++p) {                                      \
            for (int i = 0; i < GMR; ++i) {                                    \
                const T ai = a[i];                                             \
                for (int j = 0; j < GNR; ++j)                                  \
                    acc[i][j] += ai * b[j];                                    \
            }                                                                  \
            a += GMR;                                                          \
            b += GNR;                                                          \
        }                                                                      \
        for (int64_t i = 0; i < mm; ++i) {                                     \
            T *ci = c + i * rsc;                                               \
            if (beta == (T)0) {                                                \
                for (int64_t j = 0; j < nn; ++j)                               \
                    ci[j] = alpha * acc[i][j];                                 \
            } else {                                                           \
                for (int64_t j = 0; j < nn; ++j)                               \
                    ci[j] = alpha * acc[i][j] + beta * ci[j];                  \
            }                                                                  \
        }                                                                      \
    }

GEN_KERNEL(tl_skern_generic_4x8, float, 4, 8)
GEN_KERNEL(tl_dkern_generic_4x4, double, 4, 4)
