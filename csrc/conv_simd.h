/* Vector operations of the convolution micro-kernels for one (instruction
 * set, element type) pair; included by conv_kern.h with KARCH (generic, avx2
 * or avx512) and KT / KTN (float f32 / double f64) defined, and undone by
 * conv_simd_end.h.  Defines
 *   KV, KVL     vector type and its lane count
 *   KLOAD(p) KSTORE(p, v) KBCAST(s) KFMA(a, b, c) KZERO() KADD(a, b)
 *   KPIN(v)     keep a loaded vector in a register (conv_kern_tiles.h)
 *   KATTR       function attributes (target ISA)
 * Every level is described by two lines below (vector bits, target);
 * the intrinsic names follow Intel's _mm<bits>_<op>_<ps|pd> scheme. */

/* vector bits (0: portable C, one element per "vector") and target attribute */
#define TL_SIMD_BITS_generic 0
#define TL_SIMD_ATTR_generic
#define TL_SIMD_BITS_avx2 256
#define TL_SIMD_ATTR_avx2 __attribute__((target("avx2,fma")))
#define TL_SIMD_BITS_avx512 512
#define TL_SIMD_ATTR_avx512 __attribute__((target("avx512f,avx2,fma")))

/* per element type: bits, intrinsic suffix, vector types */
#define TL_SIMD_TBITS_f32 32
#define TL_SIMD_SFX_f32 ps
#define TL_SIMD_VEC_f32_256 __m256
#define TL_SIMD_VEC_f32_512 __m512
#define TL_SIMD_TBITS_f64 64
#define TL_SIMD_SFX_f64 pd
#define TL_SIMD_VEC_f64_256 __m256d
#define TL_SIMD_VEC_f64_512 __m512d

#define KBITS TL_CAT(TL_SIMD_BITS_, KARCH)
#define KATTR TL_CAT(TL_SIMD_ATTR_, KARCH)

#if KBITS == 0
#define KV KT
#define KVL 1
#define KLOAD(p) (*(p))
#define KSTORE(p, v) (*(p) = (v))
#define KBCAST(s) (s)
#define KFMA(a, b, c) ((a) * (b) + (c))
#define KZERO() ((KT)0)
#define KADD(a, b) ((a) + (b))
#define KPIN(v) ((void)0)
#else
/* KMM(loadu) is e.g. _mm256_loadu_ps */
#define KMM(op) TL_CAT(TL_CAT(TL_CAT(_mm, KBITS), TL_CAT(_, op)), TL_CAT(_, TL_CAT(TL_SIMD_SFX_, KTN)))
#define KV TL_CAT(TL_CAT(TL_SIMD_VEC_, KTN), TL_CAT(_, KBITS))
#define KVL (KBITS / TL_CAT(TL_SIMD_TBITS_, KTN))
#define KLOAD(p) KMM(loadu)(p)
#define KSTORE(p, v) KMM(storeu)((p), (v))
#define KBCAST(s) KMM(set1)(s)
#define KFMA(a, b, c) KMM(fmadd)((a), (b), (c))
#define KZERO() KMM(setzero)()
#define KADD(a, b) KMM(add)((a), (b))
#define KPIN(v) TL_PIN_VEC(v)
#endif
