/* tensorlite 2-D convolution (NCHW, float32 / float64): forward, gradient
 * with respect to the input and gradient with respect to the weight.
 *
 * Algorithm: direct convolution with register-blocked micro-kernels, no
 * im2col matrix.  Per image (OpenMP over the batch, private scratch):
 *
 * 1. "Phase planes".  The zero-padded input xp (Hp x Wp per channel) is split
 *    by stride phase: plane (a, b) holds xp[i*SH + a][j*SW + b] as a dense
 *    Hq x Wq array (Hq = ceil(Hp/SH), Wq = ceil(Wp/SW)).  Tap (kh, kw) of
 *    output (oh, ow) then reads plane ((kh*DH) % SH, (kw*DW) % SW) at
 *    (oh + kh*DH/SH, ow + kw*DW/SW): with the output indexed on a grid of row
 *    width Wq, p = oh*Wq + ow, every tap is a constant offset from p.  Stride
 *    and dilation disappear from the inner loop: the whole convolution is a
 *    set of dense "shifted dot products" over flattened pixels.  Columns
 *    ow >= OW of that grid are computed and thrown away (Wq - OW of every Wq).
 *    Only the phases some tap uses are built (a 1x1 stride-2 conv builds one).
 *
 * 2. Forward: out[k][p] = sum_{c, tap} w[k][c][tap] * plane_c[p + off(tap)],
 *    computed by an NCO x (NV * vector lanes) tile kernel that keeps the
 *    tile in registers through all C/groups * KH * KW steps (weights are
 *    pre-packed once per call, zero-padded to NCO).  A cost model picks the
 *    tile shape per layer (e.g. 12 x 1 vectors for depthwise, 4 x 3 for 16+
 *    channels).
 *
 * 3. Gradient w.r.t. the input: split the padded input gradient by the same
 *    stride phases.  Phase (a, b) receives exactly the taps with
 *    kh*DH = a (mod SH), kw*DW = b (mod SW), and each of those is again a
 *    constant shift of the zero-bordered output gradient: the same tile
 *    kernel runs once per phase (with transposed, phase-filtered packed
 *    weights) and the phases are scattered back into dx.  Stride 1 is a
 *    single phase; stride 2 the classic 4-phase split.
 *
 * 4. Gradient w.r.t. the weight: dw[k][c][tap] = sum_p dy[k][p] *
 *    plane_c[p + off(tap)] with dy laid out on the same Wq grid (thrown-away
 *    columns zeroed).  An NCO x NK tile of these dot products stays in
 *    vector registers while a block of pixels (~32 vectors, of one image or
 *    of several small ones) streams by, and is then added lane-wise to
 *    per-thread vector accumulators; their lanes are reduced into double
 *    once per chunk of images.  Each thread owns a fixed contiguous range of
 *    images, and the threads' accumulators are summed in thread order at the
 *    end (bitwise deterministic for a fixed thread count).  The bias
 *    gradient is summed in the same pass.
 *
 * 5. Channel-vectorized tiles.  Where the output channels fill vectors better
 *    than the pixels do (many channels on small maps: ResNet's 64-channel 8x8
 *    stage wastes 20% of a Wq = 10 grid row), the roles swap: a tile keeps
 *    NPX real output pixels x NKV vectors of output channels in registers,
 *    loads weight vectors and broadcasts input values (forward, and each
 *    phase of the input gradient); for the weight gradient it keeps NR
 *    (input channel, tap) pairs x NKV output-channel vectors while the
 *    image's pixels stream by, with dy transposed to pixel-major so each lane
 *    owns one output channel and no lane reduction is needed.  The same cost
 *    model chooses per layer; TENSORLITE_CONV_TILES=pixel|channel forces one.
 *
 * Padding positions of the per-thread scratch planes are the same for every
 * image, so they are zeroed once per call and only the input-covered part is
 * copied per image.
 *
 * Micro-kernels are instantiated for AVX-512F, AVX2+FMA and portable C
 * (conv_kern.h, conv_kern_tiles.h, vector operations from conv_simd.h) and
 * chosen at run time (cpu.c).
 *
 * Files: conv_plan.h (tile choice by the cost model), conv_pack.h (phase
 * planes, weight packing, reductions), conv_forward.h, conv_backward_input.h,
 * conv_backward_weight.h (the three drivers); conv_instances.h includes them
 * all once per element type. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/conv.h"
#include "api/threads.h"
#include "cpu.h"

#ifdef _OPENMP
#include <omp.h>
#endif

#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#define TL_CONV_X86 1
#include <immintrin.h>
#else
#define TL_CONV_X86 0
#endif

#define TL_CAT_(a, b) a##b
#define TL_CAT(a, b) TL_CAT_(a, b)
/* name_ARCH_TYPE, e.g. ftiles_avx2_f32 */
#define KNAME(x) TL_CAT(TL_CAT(TL_CAT(x, _), KARCH), TL_CAT(_, KTN))
/* name_AbyB_ARCH_TYPE, e.g. ftile_3by4_avx2_f32 */
#define KNAME2(x, A, B) KNAME(TL_CAT(TL_CAT(x, _), TL_CAT(TL_CAT(A, by), B)))
/* per-type names, e.g. tl_conv_fvar_f32 */
#define KTY(x) TL_CAT(TL_CAT(tl_conv_, x), TL_CAT(_, KTN))

/* Kernel level of the convolutions now (TENSORLITE_CONV_ARCH can lower it). */
static int tl_conv_level(void)
{
    return tl_isa_level("TENSORLITE_CONV_ARCH");
}

const char *tl_conv_arch(void)
{
    return tl_isa_name(tl_conv_level());
}

static inline int tl_conv_tid(void)
{
#ifdef _OPENMP
    return omp_get_thread_num();
#else
    return 0;
#endif
}

static inline int tl_conv_nthreads_in_team(void)
{
#ifdef _OPENMP
    return omp_get_num_threads();
#else
    return 1;
#endif
}

static inline int64_t tl_cdiv64(int64_t a, int64_t b) { return (a + b - 1) / b; }
static inline int64_t tl_roundup64(int64_t a, int64_t b) { return tl_cdiv64(a, b) * b; }
static inline int64_t tl_min64c(int64_t a, int64_t b) { return a < b ? a : b; }
static inline int64_t tl_max64c(int64_t a, int64_t b) { return a > b ? a : b; }

/* Largest element count any scratch buffer may have (guards overflow). */
#define TL_CONV_MAX_ELEMS ((int64_t)1 << 40)

static void *tl_conv_alloc(int64_t elems, size_t elsize)
{
    if (elems < 1)
        elems = 1;
    if (elems > TL_CONV_MAX_ELEMS)
        return NULL;
    size_t bytes = (size_t)elems * elsize;
    bytes = (bytes + 63) & ~(size_t)63;
    return aligned_alloc(64, bytes);
}

/* Geometry shared by every entry point; 0 if it is inconsistent. */
static int tl_conv_geom_ok(const tl_conv_geom *g)
{
    if (g == NULL)
        return 0;
    if (g->N < 0 || g->C < 1 || g->H < 0 || g->W < 0 || g->K < 1)
        return 0;
    if (g->KH < 1 || g->KW < 1 || g->SH < 1 || g->SW < 1 || g->DH < 1 || g->DW < 1)
        return 0;
    if (g->PT < 0 || g->PB < 0 || g->PL < 0 || g->PR < 0 || g->groups < 1)
        return 0;
    if (g->C % g->groups || g->K % g->groups)
        return 0;
    const int64_t lim = (int64_t)1 << 31;
    if (g->H > lim || g->W > lim || g->KH > lim || g->KW > lim || g->DH > lim || g->DW > lim ||
        g->SH > lim || g->SW > lim || g->PT > lim || g->PB > lim || g->PL > lim || g->PR > lim ||
        g->C > lim || g->K > lim)
        return 0;
    const int64_t hp = g->H + g->PT + g->PB, wp = g->W + g->PL + g->PR;
    const int64_t eh = g->DH * (g->KH - 1) + 1, ew = g->DW * (g->KW - 1) + 1;
    if (hp < eh || wp < ew)
        return 0;
    if (g->OH < 1 || g->OW < 1 || g->OH > (hp - eh) / g->SH + 1 || g->OW > (wp - ew) / g->SW + 1)
        return 0;
    if (hp > TL_MAX_PLANE / wp)     /* one padded plane: hp * wp <= TL_MAX_PLANE */
        return 0;
    /* the phase planes of one image must stay addressable */
    if (hp * wp > TL_CONV_MAX_ELEMS / (g->C + 1) || g->KH * g->KW > TL_CONV_MAX_ELEMS / (g->C + 1))
        return 0;
    return 1;
}

/* Threads for a convolution of `macs` multiply-adds over a batch of N:
 * tiny problems stay on one thread (a parallel region costs more). */
static int tl_conv_threads(int64_t N, double macs)
{
    int64_t n = tl_get_num_threads();
    if (macs < 262144.0)
        n = 1;
    if (n > N)
        n = N;
    return n < 1 ? 1 : (int)n;
}

/* Per-thread error flag shared by a parallel region. */
static void tl_conv_set_err(int *err, int v)
{
    __atomic_store_n(err, v, __ATOMIC_RELAXED);
}

/* Tap geometry: for tap (i, j) the stride phase it reads and its offset
 * (in rows / columns of the phase plane). */
typedef struct { int64_t a, b, qh, qw; } tl_conv_tap;

static void tl_conv_taps(const tl_conv_geom *g, tl_conv_tap *taps)
{
    for (int64_t i = 0; i < g->KH; i++)
        for (int64_t j = 0; j < g->KW; j++) {
            tl_conv_tap *t = &taps[i * g->KW + j];
            t->a = (i * g->DH) % g->SH;
            t->qh = (i * g->DH) / g->SH;
            t->b = (j * g->DW) % g->SW;
            t->qw = (j * g->DW) / g->SW;
        }
}

/* ------------------------------------------------------------------ */
/* instantiations: for each element type, the micro-kernels of every     */
/* instruction-set level, then the drivers (conv_instances.h)            */

#define KT float
#define KTN f32
#include "conv_instances.h"
#undef KT
#undef KTN

#define KT double
#define KTN f64
#include "conv_instances.h"
#undef KT
#undef KTN
