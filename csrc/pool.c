/* tensorlite 2-D pooling (NCHW, float32 / float64): max, average and
 * adaptive average / max pooling with their gradients.  Window rules follow
 * PyTorch's CPU kernels (see api/pool.h).  Each plane (one channel of one
 * image) is independent: OpenMP splits the planes, and every gradient
 * accumulation stays inside one plane, in a fixed order. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "api/pool.h"
#include "api/threads.h"

#ifdef _OPENMP
#include <omp.h>
#endif

#define TL_POOL_LIM ((int64_t)1 << 31)

static int tl_pool_geom_ok(const tl_pool_geom *g, int windowed)
{
    if (g == NULL)
        return 0;
    if (g->planes < 0 || g->H < 1 || g->W < 1 || g->OH < 1 || g->OW < 1)
        return 0;
    if (g->H > TL_POOL_LIM || g->W > TL_POOL_LIM || g->OH > TL_POOL_LIM || g->OW > TL_POOL_LIM)
        return 0;
    if (g->planes > ((int64_t)1 << 62) / (g->H * g->W) || g->planes > ((int64_t)1 << 62) / (g->OH * g->OW))
        return 0;
    if (!windowed)
        return 1;
    if (g->KH < 1 || g->KW < 1 || g->SH < 1 || g->SW < 1 || g->DH < 1 || g->DW < 1 ||
        g->PH < 0 || g->PW < 0)
        return 0;
    if (g->KH > TL_POOL_LIM || g->KW > TL_POOL_LIM || g->SH > TL_POOL_LIM || g->SW > TL_POOL_LIM ||
        g->DH > TL_POOL_LIM || g->DW > TL_POOL_LIM || g->PH > TL_POOL_LIM || g->PW > TL_POOL_LIM)
        return 0;
    return 1;
}

/* Threads for `work` element visits over `planes` planes. */
static int tl_pool_threads(int64_t planes, double work)
{
    int n = tl_get_num_threads();
    if (work < 65536.0)
        n = 1;
    if ((int64_t)n > planes)
        n = (int)(planes > 0 ? planes : 1);
    return n;
}

static inline int64_t tl_pool_start(int64_t i, int64_t in, int64_t out) { return (i * in) / out; }
static inline int64_t tl_pool_end(int64_t i, int64_t in, int64_t out) { return ((i + 1) * in + out - 1) / out; }

#define KT float
#define KTN f32
#include "pool_impl.h"
#undef KT
#undef KTN

#define KT double
#define KTN f64
#include "pool_impl.h"
#undef KT
#undef KTN
