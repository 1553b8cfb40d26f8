/* Instruction-set levels of the C kernels and the one run-time choice
 * between them (cpu.c).  Internal header; the CPU queries Python sees are in
 * api/cpu.h.
 *
 * TL_ISAS lists the levels, lowest first, one line each:
 *   X(enum suffix, name, hardware test)
 * The name is what TENSORLITE_GEMM_ARCH / TENSORLITE_CONV_ARCH accept and
 * what tl_gemm_arch() / tl_conv_arch() report.  Adding a level is one line
 * here (plus its kernels and their entry in the kernel family's table). */
#ifndef TL_CPU_H
#define TL_CPU_H

#include "api/cpu.h"

#define TL_ISAS(X)                                \
    X(GENERIC, "generic", 1)                      \
    X(AVX2, "avx2", tl_cpu_has_avx2_fma())        \
    X(AVX512, "avx512", tl_cpu_has_avx512f())

#define TL_ISA_ENUM_(id, name, test) TL_ISA_##id,
enum { TL_ISAS(TL_ISA_ENUM_) TL_ISA_COUNT };
#undef TL_ISA_ENUM_

/* The highest level this CPU supports, lowered to the level named by the
 * environment variable env_var if that is set to a lower level's name (an
 * unknown or empty value, or a higher level, changes nothing).  Read on every
 * call, so tests can switch kernels at run time. */
int tl_isa_level(const char *env_var);

/* Name of a level ("generic", "avx2", "avx512"). */
const char *tl_isa_name(int level);

#endif /* TL_CPU_H */
