/* CPU feature queries shared by all C kernels.
 * Plain C declarations only: this file is parsed by cffi's cdef(). */

/* 1 if the CPU (and OS) support AVX2 and FMA3, else 0. */
int tl_cpu_has_avx2_fma(void);

/* 1 if the CPU (and OS) support AVX-512F, else 0. */
int tl_cpu_has_avx512f(void);
