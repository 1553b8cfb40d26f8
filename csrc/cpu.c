/* CPU feature detection and the choice of kernel level (see cpu.h), shared
 * by the GEMM and convolution kernels. */
#include <stdlib.h>
#include <string.h>

#include "cpu.h"

int tl_cpu_has_avx2_fma(void)
{
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
    return 0;
#endif
}

int tl_cpu_has_avx512f(void)
{
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && tl_cpu_has_avx2_fma();
#else
    return 0;
#endif
}

#define TL_ISA_NAME_(id, name, test) name,
static const char *const tl_isa_names[TL_ISA_COUNT] = { TL_ISAS(TL_ISA_NAME_) };
#undef TL_ISA_NAME_

/* The highest level the CPU supports, detected once (the CPU does not change). */
static int tl_isa_hw_level(void)
{
    static int cached = -1;
    int hw = __atomic_load_n(&cached, __ATOMIC_RELAXED);
    if (hw < 0) {
        hw = TL_ISA_GENERIC;
        /* levels are listed lowest first: the last one the CPU passes wins */
#define TL_ISA_TEST_(id, name, test) if (test) hw = TL_ISA_##id;
        TL_ISAS(TL_ISA_TEST_)
#undef TL_ISA_TEST_
        __atomic_store_n(&cached, hw, __ATOMIC_RELAXED);
    }
    return hw;
}

int tl_isa_level(const char *env_var)
{
    const int hw = tl_isa_hw_level();
    const char *env = getenv(env_var);
    if (env != NULL && env[0] != '\0') {
        for (int lv = 0; lv < hw; lv++)
            if (strcmp(env, tl_isa_names[lv]) == 0)
                return lv;
    }
    return hw;
}

const char *tl_isa_name(int level)
{
    return level >= 0 && level < TL_ISA_COUNT ? tl_isa_names[level] : tl_isa_names[TL_ISA_GENERIC];
}
