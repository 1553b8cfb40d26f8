/* General matrix multiply, C = alpha * A @ B + beta * C.
 * Plain C declarations only: this file is parsed by cffi's cdef().
 *
 * A is M x K, B is K x N, C is M x N. Every operand is described by a row
 * stride and a column stride counted in ELEMENTS (signed), so transposed,
 * sliced and negative-stride views need no copy: element (i, j) of A lives at
 * A[i * rsa + j * csa].  beta == 0 ignores the old contents of C (NaN-safe);
 * alpha == 0 or K == 0 gives C = beta * C without reading A or B.
 * M == 0 or N == 0 returns immediately. C must not overlap A or B, and C's
 * strides must not make two different (i, j) alias the same element.
 *
 * Batched variants: matrix b of A starts at A + b * bsa (likewise B, C);
 * bsa / bsb may be 0 to broadcast one matrix over the batch. */

void tl_sgemm(int64_t M, int64_t N, int64_t K, float alpha,
              const float *A, int64_t rsa, int64_t csa,
              const float *B, int64_t rsb, int64_t csb,
              float beta, float *C, int64_t rsc, int64_t csc);

void tl_dgemm(int64_t M, int64_t N, int64_t K, double alpha,
              const double *A, int64_t rsa, int64_t csa,
              const double *B, int64_t rsb, int64_t csb,
              double beta, double *C, int64_t rsc, int64_t csc);

void tl_sgemm_batched(int64_t batch, int64_t M, int64_t N, int64_t K, float alpha,
                      const float *A, int64_t bsa, int64_t rsa, int64_t csa,
                      const float *B, int64_t bsb, int64_t rsb, int64_t csb,
                      float beta, float *C, int64_t bsc, int64_t rsc, int64_t csc);

void tl_dgemm_batched(int64_t batch, int64_t M, int64_t N, int64_t K, double alpha,
                      const double *A, int64_t bsa, int64_t rsa, int64_t csa,
                      const double *B, int64_t bsb, int64_t rsb, int64_t csb,
                      double beta, double *C, int64_t bsc, int64_t rsc, int64_t csc);

/* Name of the micro-kernel family the GEMM would use now: "avx512", "avx2"
 * or "generic". The environment variable TENSORLITE_GEMM_ARCH (same names)
 * can force a lower family, for testing. */
const char *tl_gemm_arch(void);
