/* Tile choice for one element type (KT / KTN): the kernel table of the
 * current instruction-set level and, per layer, the tile shape and family
 * (pixel- or channel-vectorized) the cost model rates cheapest.  Included by
 * conv_instances.h after the kernel tables of every level. */

#ifndef TL_CONV_PLAN_ONCE
#define TL_CONV_PLAN_ONCE
/* Cycles of one reduction step of an a x b register tile: a*b FMAs on two
 * pipes, a + b loads / broadcasts on two ports, and at least one FMA
 * latency (4 cycles, plus a margin) because every accumulator is a
 * dependency chain. */
static double tl_conv_step_cost(int a, int b)
{
    double f = a * b / 2.0, l = (a + b) / 2.0;
    double c = f > l ? f : l;
    return c > 5.0 ? c : 5.0;   /* (4-cycle chains are never quite hidden) */
}

/* TENSORLITE_CONV_TILES = "pixel" (-1) or "channel" (1) forces one tile
 * family; 0 lets the cost model choose (tests run both on every shape). */
static int tl_conv_tiles_forced(void)
{
    const char *env = getenv("TENSORLITE_CONV_TILES");
    if (env == NULL)
        return 0;
    return strcmp(env, "pixel") == 0 ? -1 : strcmp(env, "channel") == 0 ? 1 : 0;
}
#endif

static const KTY(arch) *KTY(pick_arch)(void)
{
#if TL_CONV_X86
    const int lv = tl_conv_level();
    if (lv >= TL_ISA_AVX512)
        return &TL_CAT(arch_avx512_, KTN);
    if (lv >= TL_ISA_AVX2)
        return &TL_CAT(arch_avx2_, KTN);
#endif
    return &TL_CAT(arch_generic_, KTN);
}

/* Forward-style tile for nout output channels, np flattened pixels and a
 * reduction of length nk; its modelled cost in *cost. */
static const KTY(fvar) *KTY(pick_ftile)(const KTY(arch) *ar, int64_t nout, int64_t np, int64_t nk,
                                        double *cost_out)
{
    const KTY(fvar) *best = &ar->f[0];
    double best_cost = -1.0;
    for (int i = 0; i < ar->nf; i++) {
        const KTY(fvar) *v = &ar->f[i];
        const double tiles = (double)tl_cdiv64(nout, v->nco) * (double)tl_cdiv64(np, (int64_t)v->nv * ar->vl);
        const double cost = tiles * ((double)nk * tl_conv_step_cost(v->nv, v->nco) + 8.0 + v->nv * v->nco);
        if (best_cost < 0.0 || cost < best_cost) {
            best_cost = cost;
            best = v;
        }
    }
    if (cost_out != NULL)
        *cost_out = best_cost;
    return best;
}

/* The channel-vectorized tile for nout output channels, npix real output
 * pixels and a reduction of length nk when the cost model rates it below
 * fcost (the pixel-vectorized tile's cost), else NULL.  TENSORLITE_CONV_TILES
 * = "pixel" / "channel" forces one family (tests run both on every shape). */
static const KTY(cvar) *KTY(pick_ctile)(const KTY(arch) *ar, int64_t nout, int64_t npix, int64_t nk, double fcost)
{
    const int forced = tl_conv_tiles_forced();
    if (forced < 0)
        return NULL;
    const int force = forced > 0;
    const KTY(cvar) *best = NULL;
    double best_cost = -1.0;
    for (int i = 0; i < ar->nc; i++) {
        const KTY(cvar) *v = &ar->c[i];
        const int64_t nkc = (int64_t)v->nkv * ar->vl;
        const double tiles = (double)tl_cdiv64(nout, nkc) * (double)tl_cdiv64(npix, v->npx);
        /* + the transpose of the output tile into NCHW */
        const double cost = tiles * ((double)nk * tl_conv_step_cost(v->npx, v->nkv) + 8.0 + 2.0 * v->npx * nkc);
        if (best_cost < 0.0 || cost < best_cost) {
            best_cost = cost;
            best = v;
        }
    }
    return force || best_cost < fcost ? best : NULL;
}

static const KTY(wvar) *KTY(pick_wtile)(const KTY(arch) *ar, int64_t nout, int64_t nk, int64_t npv)
{
    const KTY(wvar) *best = &ar->w[0];
    double best_cost = -1.0;
    for (int i = 0; i < ar->nw; i++) {
        const KTY(wvar) *v = &ar->w[i];
        const double tiles = (double)tl_cdiv64(nout, v->nco) * (double)tl_cdiv64(nk, v->nk);
        const double cost = tiles * ((double)npv * tl_conv_step_cost(v->nco, v->nk)
                                     + 2.0 * v->nco * v->nk + 8.0);
        if (best_cost < 0.0 || cost < best_cost) {
            best_cost = cost;
            best = v;
        }
    }
    return best;
}

/* The channel-vectorized weight-gradient tile for nout output channels, npix
 * real pixels per image and nk (input channel, tap) pairs when the cost model
 * rates it below the pixel-vectorized tile wv over npv pixel vectors per
 * image, else NULL (TENSORLITE_CONV_TILES forces a family, as for forward). */
static const KTY(cwvar) *KTY(pick_cwtile)(const KTY(arch) *ar, int64_t nout, int64_t npix, int64_t nk,
                                          int64_t npv, const KTY(wvar) *wv)
{
    const int forced = tl_conv_tiles_forced();
    if (forced < 0)
        return NULL;
    const int force = forced > 0;
    /* per image: pixel tiles stream npv vectors per tile and reduce lanes later */
    const double wcost = (double)tl_cdiv64(nout, wv->nco) * (double)tl_cdiv64(nk, wv->nk) *
                         ((double)npv * tl_conv_step_cost(wv->nco, wv->nk) + 2.0 * wv->nco * wv->nk) +
                         (double)nout * nk * ar->vl / 8.0;
    const KTY(cwvar) *best = NULL;
    double best_cost = -1.0;
    for (int i = 0; i < ar->ncw; i++) {
        const KTY(cwvar) *v = &ar->cw[i];
        const int64_t nkc = (int64_t)v->nkv * ar->vl;
        const double tiles = (double)tl_cdiv64(nout, nkc) * (double)tl_cdiv64(nk, v->nr);
        const double cost = tiles * ((double)npix * tl_conv_step_cost(v->nr, v->nkv) + 3.0 * v->nr * v->nkv + 8.0)
                            + 2.0 * (double)npix * nout;
        if (best_cost < 0.0 || cost < best_cost) {
            best_cost = cost;
            best = v;
        }
    }
    return force || best_cost < wcost ? best : NULL;
}
