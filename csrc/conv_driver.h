/* Convolution drivers for one element type (KT / KTN); included by conv.c
 * after the micro-kernel tables of every architecture.  See conv.c for the
 * algorithm. */

#ifndef TL_CONV_DRIVER_ONCE
#define TL_CONV_DRIVER_ONCE
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
#endif

static const KTY(arch) *KTY(pick_arch)(void)
{
#if TL_CONV_X86
    const int lv = tl_conv_level();
    if (lv >= TL_CONV_AVX512)
        return &TL_CAT(arch_avx512_, KTN);
    if (lv >= TL_CONV_AVX2)
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
    const char *env = getenv("TENSORLITE_CONV_TILES");
    if (env != NULL && strcmp(env, "pixel") == 0)
        return NULL;
    const int force = env != NULL && strcmp(env, "channel") == 0;
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

/* dw[k][kk] and dbias[k] from the team's double accumulators, summed in thread
 * order (deterministic for a fixed thread count); accumulator (k, kk) of a
 * thread sits at (k / Kg) * gstride + (k % Kg) * kstride + kk * kkstride.
 * Called by every thread of the parallel region, after a barrier. */
static void KTY(fold_thread_sums)(double *const *accs, double *const *dbs, int team, int64_t K, int64_t Kg,
                                  int64_t KK, int64_t gstride, int64_t kstride, int64_t kkstride, KT *dw,
                                  KT *dbias)
{
#ifdef _OPENMP
#pragma omp for schedule(static)
#endif
    for (int64_t e = 0; e < K * KK; e++) {
        const int64_t k = e / KK, kk = e % KK;
        const int64_t at = (k / Kg) * gstride + (k % Kg) * kstride + kk * kkstride;
        double t = 0.0;
        for (int th = 0; th < team; th++)
            t += accs[th][at];
        dw[e] = (KT)t;
    }
    if (dbias != NULL) {
#ifdef _OPENMP
#pragma omp for schedule(static)
#endif
        for (int64_t k = 0; k < K; k++) {
            double t = 0.0;
            for (int th = 0; th < team; th++)
                t += dbs[th][k];
            dbias[k] = (KT)t;
        }
    }
}

/* The channel-vectorized weight-gradient tile for nout output channels, npix
 * real pixels per image and nk (input channel, tap) pairs when the cost model
 * rates it below the pixel-vectorized tile wv over npv pixel vectors per
 * image, else NULL (TENSORLITE_CONV_TILES forces a family, as for forward). */
static const KTY(cwvar) *KTY(pick_cwtile)(const KTY(arch) *ar, int64_t nout, int64_t npix, int64_t nk,
                                          int64_t npv, const KTY(wvar) *wv)
{
    const char *env = getenv("TENSORLITE_CONV_TILES");
    if (env != NULL && strcmp(env, "pixel") == 0)
        return NULL;
    const int force = env != NULL && strcmp(env, "channel") == 0;
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

/* sum of p[0..n) in double, in a fixed order (8 interleaved partial sums) */
static double KTY(sum)(const KT *p, int64_t n)
{
    double a[8] = {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0};
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (int l = 0; l < 8; l++)
            a[l] += (double)p[i + l];
    double s = 0.0;
    for (; i < n; i++)
        s += (double)p[i];
    for (int l = 0; l < 8; l++)
        s += a[l];
    return s;
}

/* Phase planes of one image: plane (c, a, b) at xq + c*SH*SW*S + (a*SW + b)*S
 * holds xpad[c][i*SH + a][j*SW + b] as an Hq x Wq row-major array followed
 * by zeros up to S.  Only phases with used[a*SW + b] are written, and only
 * their input-covered positions: the caller zeroes the buffer once, and as
 * the padding positions are the same for every image they stay zero. */
static void KTY(build_planes)(const tl_conv_geom *g, const KT *x, KT *xq, int64_t Hq, int64_t Wq,
                              int64_t S, const unsigned char *used)
{
    const int64_t C = g->C, H = g->H, W = g->W, SH = g->SH, SW = g->SW;
    const int64_t PT = g->PT, PL = g->PL;
    const int64_t CS = SH * SW * S;
    for (int64_t a = 0; a < SH; a++) {
        /* phase rows i whose padded row i*SH + a is input row ih */
        const int64_t i_lo = PT - a <= 0 ? 0 : tl_cdiv64(PT - a, SH);
        int64_t i_hi = PT + H - 1 - a < 0 ? -1 : (PT + H - 1 - a) / SH;
        if (i_hi > Hq - 1)
            i_hi = Hq - 1;
        for (int64_t b = 0; b < SW; b++) {
            if (!used[a * SW + b])
                continue;
            int64_t j_lo = PL - b <= 0 ? 0 : tl_cdiv64(PL - b, SW);
            int64_t j_hi = PL + W - 1 - b < 0 ? -1 : (PL + W - 1 - b) / SW;
            if (j_hi > Wq - 1)
                j_hi = Wq - 1;
            if (j_lo > j_hi || i_lo > i_hi)
                continue;
            const int64_t nj = j_hi - j_lo + 1;
            for (int64_t c = 0; c < C; c++) {
                KT *dst = xq + c * CS + (a * SW + b) * S + j_lo;
                const KT *src = x + c * H * W + j_lo * SW + b - PL;
                for (int64_t i = i_lo; i <= i_hi; i++) {
                    KT *row = dst + i * Wq;
                    const KT *sp = src + (i * SH + a - PT) * W;
                    if (SW == 1) {
                        memcpy(row, sp, (size_t)nj * sizeof(KT));
                    } else if (SW == 2) {           /* constant stride: vectorizable */
                        for (int64_t j = 0; j < nj; j++)
                            row[j] = sp[2 * j];
                    } else {
                        for (int64_t j = 0; j < nj; j++)
                            row[j] = sp[j * SW];
                    }
                }
            }
        }
    }
}

/* ------------------------------------------------------------------ */
/* forward                                                             */

/* koff[c*K2 + tap]: offset of (input channel c, tap) in the phase planes of
 * one image; used[phase]: whether some tap reads that stride phase. */
static void KTY(fwd_offsets)(const tl_conv_geom *g, const tl_conv_tap *taps, int64_t Cg, int64_t S,
                             int64_t Wq, int64_t *koff, unsigned char *used)
{
    const int64_t K2 = g->KH * g->KW, CS = g->SH * g->SW * S;
    for (int64_t t = 0; t < K2; t++) {
        used[taps[t].a * g->SW + taps[t].b] = 1;
        const int64_t off = (taps[t].a * g->SW + taps[t].b) * S + taps[t].qh * Wq + taps[t].qw;
        for (int64_t c = 0; c < Cg; c++)
            koff[c * K2 + t] = c * CS + off;
    }
}

/* pk[gi][cb][k][jj] = w[gi*Kg + cb*nco + jj][k] for k < KK (zero-padded to nco) */
static void KTY(pack_fwd_weights)(const KT *w, int64_t G, int64_t Kg, int64_t KK, int64_t nco, KT *pk)
{
    const int64_t ncob = tl_cdiv64(Kg, nco);
    for (int64_t gi = 0; gi < G; gi++)
        for (int64_t cb = 0; cb < ncob; cb++) {
            KT *dst = pk + (gi * ncob + cb) * KK * nco;
            for (int64_t k = 0; k < KK; k++)
                for (int64_t jj = 0; jj < nco; jj++) {
                    const int64_t ko = cb * nco + jj;
                    dst[k * nco + jj] = ko < Kg ? w[(gi * Kg + ko) * KK + k] : (KT)0;
                }
        }
}

/* Forward with the channel-vectorized tile: per image, tiles of npx real
 * output pixels x nkc output channels into yc (pixel-major), then transposed
 * into y (+ bias). */
static int KTY(forward_channels)(const tl_conv_geom *g, const KT *x, const KT *w, const KT *bias, KT *y,
                                 const KTY(arch) *ar, const KTY(cvar) *cv)
{
    const int64_t N = g->N, C = g->C, H = g->H, W = g->W, K = g->K;
    const int64_t KH = g->KH, KW = g->KW, OH = g->OH, OW = g->OW, SH = g->SH, SW = g->SW;
    const int64_t G = g->groups, Cg = C / G, Kg = K / G, K2 = KH * KW, KK = Cg * K2;
    const int64_t Hq = tl_cdiv64(H + g->PT + g->PB, SH), Wq = tl_cdiv64(W + g->PL + g->PR, SW);
    const int64_t nkc = (int64_t)cv->nkv * ar->vl, npx = cv->npx;
    const int64_t ncb = tl_cdiv64(Kg, nkc), Q = OH * OW, Qpad = tl_roundup64(Q, npx), ldo = ncb * nkc;
    const int64_t S = (Hq + 1) * Wq, CS = SH * SW * S;
    if (C * CS > TL_CONV_MAX_ELEMS || G * ncb * KK * nkc > TL_CONV_MAX_ELEMS || Qpad * ldo > TL_CONV_MAX_ELEMS)
        return -2;
    int64_t *koff = (int64_t *)tl_conv_alloc(KK, sizeof(int64_t));
    int64_t *poff = (int64_t *)tl_conv_alloc(Qpad, sizeof(int64_t));
    unsigned char *used = (unsigned char *)calloc((size_t)(SH * SW), 1);
    tl_conv_tap *taps = (tl_conv_tap *)tl_conv_alloc(K2, sizeof(tl_conv_tap));
    KT *wp = (KT *)tl_conv_alloc(G * ncb * KK * nkc, sizeof(KT));
    int err = 0;
    if (!koff || !poff || !used || !taps || !wp) {
        err = -2;
        goto done;
    }
    tl_conv_taps(g, taps);
    KTY(fwd_offsets)(g, taps, Cg, S, Wq, koff, used);
    for (int64_t q = 0; q < Qpad; q++) {
        const int64_t qq = q < Q ? q : Q - 1;       /* padding pixels recompute the last one */
        poff[q] = (qq / OW) * Wq + qq % OW;
    }
    KTY(pack_fwd_weights)(w, G, Kg, KK, nkc, wp);
    {
        const int nth = tl_conv_threads(N, (double)N * K * OH * OW * KK);
#ifdef _OPENMP
#pragma omp parallel num_threads(nth)
#endif
        {
            KT *xq = (KT *)tl_conv_alloc(C * CS, sizeof(KT));
            KT *yc = (KT *)tl_conv_alloc(Qpad * ldo, sizeof(KT));
            if (!xq || !yc)
                tl_conv_set_err(&err, -2);
            else
                memset(xq, 0, (size_t)(C * CS) * sizeof(KT));   /* padding: zero once */
#ifdef _OPENMP
#pragma omp for schedule(static)
#endif
            for (int64_t n = 0; n < N; n++) {
                if (!xq || !yc)
                    continue;
                KTY(build_planes)(g, x + n * C * H * W, xq, Hq, Wq, S, used);
                for (int64_t gi = 0; gi < G; gi++) {
                    const KT *in = xq + gi * Cg * CS;
                    const KT *wpg = wp + gi * ncb * KK * nkc;
                    for (int64_t q0 = 0; q0 < Qpad; q0 += npx)
                        for (int64_t cb = 0; cb < ncb; cb++)
                            cv->fn(KK, in, poff + q0, koff, wpg + cb * KK * nkc, yc + q0 * ldo + cb * nkc, ldo);
                    for (int64_t kg = 0; kg < Kg; kg++) {
                        const int64_t k = gi * Kg + kg;
                        KT *yk = y + (n * K + k) * Q;
                        const KT bv = bias != NULL ? bias[k] : (KT)0;
                        for (int64_t q = 0; q < Q; q++)
                            yk[q] = yc[q * ldo + kg] + bv;
                    }
                }
            }
            free(xq);
            free(yc);
        }
    }
done:
    free(koff);
    free(poff);
    free(used);
    free(taps);
    free(wp);
    return err;
}

int TL_CAT(tl_conv2d_forward_, KTN)(const tl_conv_geom *g, const KT *x, const KT *w,
                                    const KT *bias, KT *y)
{
    if (!tl_conv_geom_ok(g) || x == NULL || w == NULL || y == NULL)
        return -1;
    if (g->N == 0)
        return 0;
    const KTY(arch) *ar = KTY(pick_arch)();
    const int64_t N = g->N, C = g->C, H = g->H, W = g->W, K = g->K;
    const int64_t KH = g->KH, KW = g->KW, OH = g->OH, OW = g->OW, SH = g->SH, SW = g->SW;
    const int64_t G = g->groups, Cg = C / G, Kg = K / G, K2 = KH * KW, KK = Cg * K2;
    const int64_t Hq = tl_cdiv64(H + g->PT + g->PB, SH), Wq = tl_cdiv64(W + g->PL + g->PR, SW);
    const int64_t P = OH * Wq;
    double fcost;
    const KTY(fvar) *fv = KTY(pick_ftile)(ar, Kg, P, KK, &fcost);
    const KTY(cvar) *cv = KTY(pick_ctile)(ar, Kg, OH * OW, KK, fcost);
    if (cv != NULL)
        return KTY(forward_channels)(g, x, w, bias, y, ar, cv);
    const int64_t T = (int64_t)fv->nv * ar->vl, nco = fv->nco;
    const int64_t Ppad = tl_roundup64(P, T), ncob = tl_cdiv64(Kg, nco);
    const int64_t S = (Hq + 1) * Wq + T, CS = SH * SW * S;
    if (C * CS > TL_CONV_MAX_ELEMS || G * ncob * KK * nco > TL_CONV_MAX_ELEMS ||
        ncob * nco * Ppad > TL_CONV_MAX_ELEMS)
        return -2;

    int64_t *koff = (int64_t *)tl_conv_alloc(KK, sizeof(int64_t));
    unsigned char *used = (unsigned char *)calloc((size_t)(SH * SW), 1);
    tl_conv_tap *taps = (tl_conv_tap *)tl_conv_alloc(K2, sizeof(tl_conv_tap));
    KT *wp = (KT *)tl_conv_alloc(G * ncob * KK * nco, sizeof(KT));
    int err = 0;
    if (!koff || !used || !taps || !wp) {
        err = -2;
        goto done;
    }
    tl_conv_taps(g, taps);
    KTY(fwd_offsets)(g, taps, Cg, S, Wq, koff, used);
    KTY(pack_fwd_weights)(w, G, Kg, KK, nco, wp);

    {
        const int nth = tl_conv_threads(N, (double)N * K * OH * OW * KK);
#ifdef _OPENMP
#pragma omp parallel num_threads(nth)
#endif
        {
            KT *xq = (KT *)tl_conv_alloc(C * CS, sizeof(KT));
            KT *yt = (KT *)tl_conv_alloc(ncob * nco * Ppad, sizeof(KT));
            if (!xq || !yt)
                tl_conv_set_err(&err, -2);
            else
                memset(xq, 0, (size_t)(C * CS) * sizeof(KT));   /* padding: zero once */
#ifdef _OPENMP
#pragma omp for schedule(static)
#endif
            for (int64_t n = 0; n < N; n++) {
                if (!xq || !yt)
                    continue;
                KTY(build_planes)(g, x + n * C * H * W, xq, Hq, Wq, S, used);
                for (int64_t gi = 0; gi < G; gi++) {
                    const KT *in = xq + gi * Cg * CS;
                    const KT *wpg = wp + gi * ncob * KK * nco;
                    /* pixel tiles outer: a tile's input rows stay in L1 across all
                     * channel blocks (the packed weights are small) */
                    for (int64_t p0 = 0; p0 < Ppad; p0 += T)
                        for (int64_t cb = 0; cb < ncob; cb++)
                            fv->fn(KK, in + p0, koff, wpg + cb * KK * nco, yt + cb * nco * Ppad + p0, Ppad);
                    for (int64_t kg = 0; kg < Kg; kg++) {
                        const int64_t k = gi * Kg + kg;
                        KT *yk = y + (n * K + k) * OH * OW;
                        const KT *src = yt + kg * Ppad;
                        if (bias != NULL) {
                            const KT bv = bias[k];
                            for (int64_t oh = 0; oh < OH; oh++)
                                for (int64_t ow = 0; ow < OW; ow++)
                                    yk[oh * OW + ow] = src[oh * Wq + ow] + bv;
                        } else {
                            for (int64_t oh = 0; oh < OH; oh++)
                                memcpy(yk + oh * OW, src + oh * Wq, (size_t)OW * sizeof(KT));
                        }
                    }
                }
            }
            free(xq);
            free(yt);
        }
    }
done:
    free(koff);
    free(used);
    free(taps);
    free(wp);
    return err;
}

/* ------------------------------------------------------------------ */
/* gradient with respect to the input                                  */

int TL_CAT(tl_conv2d_backward_input_, KTN)(const tl_conv_geom *g, const KT *dy, const KT *w,
                                           KT *dx)
{
    if (!tl_conv_geom_ok(g) || dy == NULL || w == NULL || dx == NULL)
        return -1;
    if (g->N == 0 || g->H == 0 || g->W == 0)
        return 0;
    const KTY(arch) *ar = KTY(pick_arch)();
    const int64_t N = g->N, C = g->C, H = g->H, W = g->W, K = g->K;
    const int64_t KH = g->KH, KW = g->KW, OH = g->OH, OW = g->OW, SH = g->SH, SW = g->SW;
    const int64_t PT = g->PT, PL = g->PL;
    const int64_t G = g->groups, Cg = C / G, Kg = K / G, K2 = KH * KW, nph = SH * SW;
    const int64_t Hq = tl_cdiv64(H + g->PT + g->PB, SH), Wq = tl_cdiv64(W + g->PL + g->PR, SW);
    const int64_t QH = ((KH - 1) * g->DH) / SH, QW = ((KW - 1) * g->DW) / SW;
    const int64_t Hd = Hq + QH, Wd = Wq + QW;
    double fcost;
    const KTY(fvar) *fv = KTY(pick_ftile)(ar, Cg, Hq * Wd, Kg * tl_max64c(1, K2 / nph), &fcost);
    /* or the channel-vectorized tile over the real pixels of a phase (about H*W/nph) */
    const KTY(cvar) *cv = KTY(pick_ctile)(ar, Cg, tl_cdiv64(H * W, nph), Kg * tl_max64c(1, K2 / nph), fcost);
    const int64_t T = cv != NULL ? cv->npx : (int64_t)fv->nv * ar->vl;
    const int64_t nco = cv != NULL ? (int64_t)cv->nkv * ar->vl : fv->nco;
    const int64_t Ppad = tl_roundup64(Hq * Wd, T), ncib = tl_cdiv64(Cg, nco);
    const int64_t Sd = (Hd + 1) * Wd + T;
    /* channel tile: real pixels (i, j) of each phase, row-major from its first row, padded to a
     * multiple of npx by repeating the last; the tile writes yc[q][cib*nco + jj] */
    const int64_t Qmax = tl_roundup64(Hq * Wq, T), ldo = ncib * nco;
    if (K * Sd > TL_CONV_MAX_ELEMS || G * ncib * Kg * K2 * nco > TL_CONV_MAX_ELEMS ||
        nph > TL_CONV_MAX_ELEMS / 8 || Qmax * ldo > TL_CONV_MAX_ELEMS / 2 || Qmax > TL_CONV_MAX_ELEMS / nph)
        return -2;

    tl_conv_tap *taps = (tl_conv_tap *)tl_conv_alloc(K2, sizeof(tl_conv_tap));
    int64_t *ntp = (int64_t *)tl_conv_alloc(nph, sizeof(int64_t));    /* taps per phase */
    int64_t *tbase = (int64_t *)tl_conv_alloc(nph, sizeof(int64_t));  /* first tap of phase */
    int64_t *tord = (int64_t *)tl_conv_alloc(K2, sizeof(int64_t));    /* taps sorted by phase */
    int64_t *koff = (int64_t *)tl_conv_alloc(Kg * K2, sizeof(int64_t));
    KT *wp = (KT *)tl_conv_alloc(G * ncib * Kg * K2 * nco, sizeof(KT));
    int64_t *poff = cv != NULL ? (int64_t *)tl_conv_alloc(nph * Qmax, sizeof(int64_t)) : NULL;
    int err = 0;
    if (!taps || !ntp || !tbase || !tord || !koff || !wp || (cv != NULL && !poff)) {
        err = -2;
        goto done;
    }
    tl_conv_taps(g, taps);
    memset(ntp, 0, (size_t)nph * sizeof(int64_t));
    for (int64_t t = 0; t < K2; t++)
        ntp[taps[t].a * SW + taps[t].b]++;
    {
        int64_t acc = 0;
        for (int64_t ph = 0; ph < nph; ph++) {
            tbase[ph] = acc;
            acc += ntp[ph];
        }
        int64_t *fill = (int64_t *)tl_conv_alloc(nph, sizeof(int64_t));
        if (!fill) {
            err = -2;
            goto done;
        }
        memset(fill, 0, (size_t)nph * sizeof(int64_t));
        for (int64_t t = 0; t < K2; t++) {
            const int64_t ph = taps[t].a * SW + taps[t].b;
            tord[tbase[ph] + fill[ph]++] = t;
        }
        free(fill);
    }
    /* Phase ph owns the reduction entries [Kg*tbase[ph], Kg*(tbase[ph]+ntp[ph])):
     * entry (co, tt) -> dy channel co shifted by tap tord[tbase[ph] + tt]. */
    for (int64_t ph = 0; ph < nph; ph++)
        for (int64_t co = 0; co < Kg; co++)
            for (int64_t tt = 0; tt < ntp[ph]; tt++) {
                const tl_conv_tap *tp = &taps[tord[tbase[ph] + tt]];
                koff[Kg * tbase[ph] + co * ntp[ph] + tt] = co * Sd + (QH - tp->qh) * Wd + (QW - tp->qw);
            }
    /* wp[gi][ph][cib][(co, tt)][jj] = w[gi*Kg + co][cib*nco + jj][tap] */
    for (int64_t gi = 0; gi < G; gi++)
        for (int64_t ph = 0; ph < nph; ph++)
            for (int64_t cib = 0; cib < ncib; cib++) {
                const int64_t nk = Kg * ntp[ph];
                KT *dst = wp + gi * ncib * Kg * K2 * nco + ncib * Kg * tbase[ph] * nco + cib * nk * nco;
                for (int64_t co = 0; co < Kg; co++)
                    for (int64_t tt = 0; tt < ntp[ph]; tt++) {
                        const int64_t t = tord[tbase[ph] + tt];
                        for (int64_t jj = 0; jj < nco; jj++) {
                            const int64_t c = cib * nco + jj;
                            dst[(co * ntp[ph] + tt) * nco + jj] =
                                c < Cg ? w[((gi * Kg + co) * Cg + c) * K2 + t] : (KT)0;
                        }
                    }
            }

    for (int64_t a = 0; cv != NULL && a < SH; a++)
        for (int64_t b = 0; b < SW; b++) {
            const int64_t i_lo = PT - a <= 0 ? 0 : tl_cdiv64(PT - a, SH);
            const int64_t i_hi = PT + H - 1 - a < 0 ? -1 : (PT + H - 1 - a) / SH;
            const int64_t j_lo = PL - b <= 0 ? 0 : tl_cdiv64(PL - b, SW);
            const int64_t j_hi = PL + W - 1 - b < 0 ? -1 : (PL + W - 1 - b) / SW;
            int64_t *po = poff + (a * SW + b) * Qmax, q = 0;
            for (int64_t i = i_lo; i <= i_hi; i++)
                for (int64_t j = j_lo; j <= j_hi; j++)
                    po[q++] = (i - i_lo) * Wd + j;
            for (; q < Qmax; q++)
                po[q] = q > 0 ? po[q - 1] : 0;
        }

    {
        const int nth = tl_conv_threads(N, (double)N * K * OH * OW * Cg * K2);
#ifdef _OPENMP
#pragma omp parallel num_threads(nth)
#endif
        {
            KT *dyp = (KT *)tl_conv_alloc(K * Sd, sizeof(KT));
            KT *yt = (KT *)tl_conv_alloc(cv != NULL ? Qmax * ldo : nco * Ppad, sizeof(KT));
            if (!dyp || !yt)
                tl_conv_set_err(&err, -2);
            else
                memset(dyp, 0, (size_t)(K * Sd) * sizeof(KT));
#ifdef _OPENMP
#pragma omp for schedule(static)
#endif
            for (int64_t n = 0; n < N; n++) {
                if (!dyp || !yt)
                    continue;
                /* zero-bordered dy: interior at rows QH.., columns QW.. (borders stay 0) */
                for (int64_t k = 0; k < K; k++)
                    for (int64_t oh = 0; oh < OH; oh++)
                        memcpy(dyp + k * Sd + (oh + QH) * Wd + QW, dy + ((n * K + k) * OH + oh) * OW,
                               (size_t)OW * sizeof(KT));
                for (int64_t gi = 0; gi < G; gi++) {
                    const KT *in = dyp + gi * Kg * Sd;
                    for (int64_t a = 0; a < SH; a++) {
                        /* phase rows i whose padded row i*SH + a is a real input row */
                        const int64_t i_lo = PT - a <= 0 ? 0 : tl_cdiv64(PT - a, SH);
                        const int64_t i_hi = PT + H - 1 - a < 0 ? -1 : (PT + H - 1 - a) / SH;
                        if (i_lo > i_hi)
                            continue;
                        for (int64_t b = 0; b < SW; b++) {
                            const int64_t j_lo = PL - b <= 0 ? 0 : tl_cdiv64(PL - b, SW);
                            const int64_t j_hi = PL + W - 1 - b < 0 ? -1 : (PL + W - 1 - b) / SW;
                            if (j_lo > j_hi)
                                continue;
                            const int64_t ph = a * SW + b, nk = Kg * ntp[ph];
                            const KT *wpph = wp + gi * ncib * Kg * K2 * nco + ncib * Kg * tbase[ph] * nco;
                            if (cv != NULL) {
                                const int64_t nj = j_hi - j_lo + 1, Q = (i_hi - i_lo + 1) * nj;
                                const int64_t *po = poff + ph * Qmax;
                                for (int64_t q0 = 0; nk > 0 && q0 < Q; q0 += T)
                                    for (int64_t cib = 0; cib < ncib; cib++)
                                        cv->fn(nk, in + i_lo * Wd, po + q0, koff + Kg * tbase[ph],
                                               wpph + cib * nk * nco, yt + q0 * ldo + cib * nco, ldo);
                                for (int64_t c = 0; c < Cg; c++) {
                                    KT *dxc = dx + (n * C + gi * Cg + c) * H * W;
                                    const KT *src = yt + c;
                                    for (int64_t i = i_lo; i <= i_hi; i++, src += nj * ldo) {
                                        KT *drow = dxc + (i * SH + a - PT) * W + b - PL + j_lo * SW;
                                        if (nk == 0)
                                            for (int64_t j = 0; j < nj; j++)
                                                drow[j * SW] = (KT)0;
                                        else if (SW == 1)   /* the common case: contiguous stores */
                                            for (int64_t j = 0; j < nj; j++)
                                                drow[j] = src[j * ldo];
                                        else
                                            for (int64_t j = 0; j < nj; j++)
                                                drow[j * SW] = src[j * ldo];
                                    }
                                }
                                continue;
                            }
                            const int64_t Pp = tl_roundup64((i_hi - i_lo + 1) * Wd, T);
                            for (int64_t cib = 0; cib < ncib; cib++) {
                                const int64_t nvalid = tl_min64c(nco, Cg - cib * nco);
                                if (nk > 0) {
                                    const KT *wpk = wpph + cib * nk * nco;
                                    const KT *inp = in + i_lo * Wd;
                                    for (int64_t p0 = 0; p0 < Pp; p0 += T)
                                        fv->fn(nk, inp + p0, koff + Kg * tbase[ph], wpk, yt + p0, Ppad);
                                }
                                for (int64_t jj = 0; jj < nvalid; jj++) {
                                    const int64_t c = gi * Cg + cib * nco + jj;
                                    KT *dxc = dx + (n * C + c) * H * W;
                                    const KT *src = yt + jj * Ppad;
                                    for (int64_t i = i_lo; i <= i_hi; i++) {
                                        KT *drow = dxc + (i * SH + a - PT) * W + b - PL;
                                        const KT *srow = src + (i - i_lo) * Wd;
                                        if (SW == 1 && nk > 0)     /* contiguous: a row copy */
                                            memcpy(drow + j_lo, srow + j_lo, (size_t)(j_hi - j_lo + 1) * sizeof(KT));
                                        else
                                            for (int64_t j = j_lo; j <= j_hi; j++)
                                                drow[j * SW] = nk > 0 ? srow[j] : (KT)0;
                                    }
                                }
                            }
                        }
                    }
                }
            }
            free(dyp);
            free(yt);
        }
    }
done:
    free(taps);
    free(ntp);
    free(tbase);
    free(tord);
    free(koff);
    free(wp);
    free(poff);
    return err;
}

/* ------------------------------------------------------------------ */
/* gradient with respect to the weight (and bias)                      */

/* Weight gradient with the channel-vectorized tile (see TL_CWTILE_DEF): per
 * image, dy is transposed to pixel-major (dyt[q][gi*Kgp + kg]) and every
 * (pair block, output-channel block) tile streams the image's real pixels,
 * adding into per-thread accumulators acc[gi][r][kg]; those are folded into
 * double once per chunk of images, and the threads' sums are added in thread
 * order (deterministic for a fixed thread count). */
static int KTY(backward_weight_channels)(const tl_conv_geom *g, const KT *x, const KT *dy, KT *dw, KT *dbias,
                                         const KTY(arch) *ar, const KTY(cwvar) *cw)
{
    const int64_t N = g->N, C = g->C, H = g->H, W = g->W, K = g->K;
    const int64_t KH = g->KH, KW = g->KW, OH = g->OH, OW = g->OW, SH = g->SH, SW = g->SW;
    const int64_t G = g->groups, Cg = C / G, Kg = K / G, K2 = KH * KW, KK = Cg * K2;
    const int64_t Hq = tl_cdiv64(H + g->PT + g->PB, SH), Wq = tl_cdiv64(W + g->PL + g->PR, SW);
    const int64_t nkc = (int64_t)cw->nkv * ar->vl, nr = cw->nr, Q = OH * OW;
    const int64_t nkb = tl_cdiv64(Kg, nkc), Kgp = nkb * nkc, nrb = tl_cdiv64(KK, nr), KKp = nrb * nr;
    const int64_t S = (Hq + 1) * Wq, CS = SH * SW * S, ldd = G * Kgp, nacc = G * KKp * Kgp;
    const int nth = tl_conv_threads(N, (double)N * K * Q * KK);
    const int64_t CHUNK = 8;                          /* images between folds into double */
    if (C * CS > TL_CONV_MAX_ELEMS || Q * ldd > TL_CONV_MAX_ELEMS || nacc > TL_CONV_MAX_ELEMS / 2)
        return -2;
    int64_t *koff = (int64_t *)tl_conv_alloc(KKp, sizeof(int64_t));
    int64_t *poff = (int64_t *)tl_conv_alloc(Q, sizeof(int64_t));
    unsigned char *used = (unsigned char *)calloc((size_t)(SH * SW), 1);
    tl_conv_tap *taps = (tl_conv_tap *)tl_conv_alloc(K2, sizeof(tl_conv_tap));
    double **accs = (double **)calloc((size_t)nth, sizeof(double *));
    double **dbs = (double **)calloc((size_t)nth, sizeof(double *));
    int err = 0;
    if (!koff || !poff || !used || !taps || !accs || !dbs) {
        err = -2;
        goto done;
    }
    tl_conv_taps(g, taps);
    for (int64_t k = 0; k < KKp; k++)
        koff[k] = 0;            /* padding pairs read valid memory; their sums are dropped */
    KTY(fwd_offsets)(g, taps, Cg, S, Wq, koff, used);
    for (int64_t q = 0; q < Q; q++)
        poff[q] = (q / OW) * Wq + q % OW;

#ifdef _OPENMP
#pragma omp parallel num_threads(nth)
#endif
    {
        const int tid = tl_conv_tid(), team = tl_conv_nthreads_in_team();
        KT *xq = (KT *)tl_conv_alloc(C * CS, sizeof(KT));
        KT *dyt = (KT *)tl_conv_alloc(Q * ldd, sizeof(KT));
        KT *acc = (KT *)tl_conv_alloc(nacc, sizeof(KT));
        double *acc64 = (double *)tl_conv_alloc(nacc, sizeof(double));
        double *dba = (double *)tl_conv_alloc(K, sizeof(double));
        const int ok = xq && dyt && acc && acc64 && dba;
        if (!ok) {
            tl_conv_set_err(&err, -2);
        } else {
            memset(xq, 0, (size_t)(C * CS) * sizeof(KT));       /* padding: zero once */
            memset(dyt, 0, (size_t)(Q * ldd) * sizeof(KT));     /* padded channels stay 0 */
            memset(acc, 0, (size_t)nacc * sizeof(KT));
            memset(acc64, 0, (size_t)nacc * sizeof(double));
            memset(dba, 0, (size_t)K * sizeof(double));
        }
        accs[tid] = acc64;
        dbs[tid] = dba;
        const int64_t n_lo = N * tid / team, n_hi = N * (tid + 1) / team;
        for (int64_t n = n_lo; ok && n < n_hi; n++) {
            KTY(build_planes)(g, x + n * C * H * W, xq, Hq, Wq, S, used);
            for (int64_t k = 0; k < K; k++) {
                const KT *src = dy + (n * K + k) * Q;
                KT *col = dyt + (k / Kg) * Kgp + k % Kg;
                for (int64_t q = 0; q < Q; q++)
                    col[q * ldd] = src[q];
                if (dbias != NULL)
                    dba[k] += KTY(sum)(src, Q);
            }
            for (int64_t gi = 0; gi < G; gi++)
                for (int64_t rb = 0; rb < nrb; rb++)
                    for (int64_t kb = 0; kb < nkb; kb++)
                        cw->fn(Q, xq + gi * Cg * CS, poff, koff + rb * nr, dyt + gi * Kgp + kb * nkc, ldd,
                               acc + (gi * KKp + rb * nr) * Kgp + kb * nkc, Kgp);
            if ((n - n_lo) % CHUNK == CHUNK - 1 || n == n_hi - 1) {
                for (int64_t e = 0; e < nacc; e++)
                    acc64[e] += (double)acc[e];
                memset(acc, 0, (size_t)nacc * sizeof(KT));
            }
        }
#ifdef _OPENMP
#pragma omp barrier
#endif
        if (err == 0)      /* accumulator (k, kk) at ((k / Kg) * KKp + kk) * Kgp + k % Kg */
            KTY(fold_thread_sums)(accs, dbs, team, K, Kg, KK, KKp * Kgp, 1, Kgp, dw, dbias);
#ifdef _OPENMP
#pragma omp barrier
#endif
        free(xq);
        free(dyt);
        free(acc);
        free(acc64);
        free(dba);
    }
done:
    free(koff);
    free(poff);
    free(used);
    free(taps);
    free(accs);
    free(dbs);
    return err;
}

int TL_CAT(tl_conv2d_backward_weight_, KTN)(const tl_conv_geom *g, const KT *x, const KT *dy,
                                            KT *dw, KT *dbias)
{
    if (!tl_conv_geom_ok(g) || x == NULL || dy == NULL || dw == NULL)
        return -1;
    const KTY(arch) *ar = KTY(pick_arch)();
    const int64_t N = g->N, C = g->C, H = g->H, W = g->W, K = g->K;
    const int64_t KH = g->KH, KW = g->KW, OH = g->OH, OW = g->OW, SH = g->SH, SW = g->SW;
    const int64_t G = g->groups, Cg = C / G, Kg = K / G, K2 = KH * KW, KK = Cg * K2;
    const int64_t Hq = tl_cdiv64(H + g->PT + g->PB, SH), Wq = tl_cdiv64(W + g->PL + g->PR, SW);
    const int64_t VL = ar->vl, P = OH * Wq, Pw = tl_roundup64(P, VL), npv = Pw / VL;
    const int nth = tl_conv_threads(N, (double)N * K * OH * OW * KK);
    const int64_t S = (Hq + 1) * Wq + VL, CS = SH * SW * S;
    /* Blocking.  A tile call covers a block of nbb images x npb pixel vectors
     * (about WBLOCK vectors; its input rows stay in L2 while the tiles of
     * all output-channel blocks pass over it) and adds its registers to the
     * vector accumulators vacc.  The lanes of vacc are reduced (into double)
     * once per chunk of B images, B*npv >= ~256 vectors.  Long calls pay the
     * accumulators' load/store once per many FMAs: WBLOCK 32 -> 128 made
     * ResNet-20's 16-channel weight gradient ~10% faster (96-256 measure alike). */
    const int64_t WBLOCK = 128;   /* vectors of pixels per tile call */
    const int64_t npb = npv >= WBLOCK ? WBLOCK : npv;
    int64_t nbb = npv >= WBLOCK ? 1 : tl_cdiv64(WBLOCK, npv);
    const KTY(wvar) *wv = KTY(pick_wtile)(ar, Kg, KK, npb * nbb);
    const int64_t nco = wv->nco, nk = wv->nk;
    const int64_t ncob = tl_cdiv64(Kg, nco), Kgp = ncob * nco, nkb = tl_cdiv64(KK, nk), KKp = nkb * nk;
    const int64_t XS = C * CS, DS = G * Kgp * Pw;   /* per-image strides of the chunk buffers */
    int64_t B = tl_cdiv64(256, npv);
    const int64_t per_thread = tl_cdiv64(N > 0 ? N : 1, nth);
    if (B > per_thread)
        B = per_thread;
    while (B > 1 && B * (XS + DS) * (int64_t)sizeof(KT) > ((int64_t)2 << 20))
        B--;
    if (nbb > B)
        nbb = B;
    if (N == 0) {
        memset(dw, 0, (size_t)(K * KK) * sizeof(KT));
        if (dbias != NULL)
            memset(dbias, 0, (size_t)K * sizeof(KT));
        return 0;
    }
    {
        const KTY(cwvar) *cw = KTY(pick_cwtile)(ar, Kg, OH * OW, KK, npv, wv);
        if (cw != NULL)
            return KTY(backward_weight_channels)(g, x, dy, dw, dbias, ar, cw);
    }
    if (XS > TL_CONV_MAX_ELEMS / B || DS > TL_CONV_MAX_ELEMS / B ||
        G * Kgp * KKp > TL_CONV_MAX_ELEMS / VL)
        return -2;

    int64_t *koff = (int64_t *)tl_conv_alloc(KKp, sizeof(int64_t));
    unsigned char *used = (unsigned char *)calloc((size_t)(SH * SW), 1);
    tl_conv_tap *taps = (tl_conv_tap *)tl_conv_alloc(K2, sizeof(tl_conv_tap));
    double **accs = (double **)calloc((size_t)nth, sizeof(double *));
    double **dbs = (double **)calloc((size_t)nth, sizeof(double *));
    int err = 0;
    if (!koff || !used || !taps || !accs || !dbs) {
        err = -2;
        goto done;
    }
    tl_conv_taps(g, taps);
    for (int64_t k = 0; k < KKp; k++)
        koff[k] = 0;   /* padding entries read valid memory; their sums are dropped */
    for (int64_t t = 0; t < K2; t++) {
        used[taps[t].a * SW + taps[t].b] = 1;
        const int64_t off = (taps[t].a * SW + taps[t].b) * S + taps[t].qh * Wq + taps[t].qw;
        for (int64_t c = 0; c < Cg; c++)
            koff[c * K2 + t] = c * CS + off;
    }

#ifdef _OPENMP
#pragma omp parallel num_threads(nth)
#endif
    {
        const int tid = tl_conv_tid(), team = tl_conv_nthreads_in_team();
        const int64_t nacc = G * Kgp * KKp;
        KT *xq = (KT *)tl_conv_alloc(B * XS, sizeof(KT));
        KT *dyq = (KT *)tl_conv_alloc(B * DS, sizeof(KT));
        KT *vacc = (KT *)tl_conv_alloc(nacc * VL, sizeof(KT));
        double *acc = (double *)tl_conv_alloc(nacc, sizeof(double));
        double *dba = (double *)tl_conv_alloc(K, sizeof(double));
        const int ok = xq && dyq && vacc && acc && dba;
        if (!ok) {
            tl_conv_set_err(&err, -2);
        } else {
            memset(xq, 0, (size_t)(B * XS) * sizeof(KT));       /* padding: zero once */
            memset(dyq, 0, (size_t)(B * DS) * sizeof(KT));
            memset(vacc, 0, (size_t)(nacc * VL) * sizeof(KT));
            memset(acc, 0, (size_t)nacc * sizeof(double));
            memset(dba, 0, (size_t)K * sizeof(double));
        }
        accs[tid] = acc;
        dbs[tid] = dba;
        /* a fixed contiguous range of images per thread, in chunks of B */
        const int64_t n_lo = N * tid / team, n_hi = N * (tid + 1) / team;
        for (int64_t c0 = n_lo; ok && c0 < n_hi; c0 += B) {
            const int64_t nb = tl_min64c(B, n_hi - c0);
            for (int64_t b = 0; b < nb; b++) {
                const int64_t n = c0 + b;
                KTY(build_planes)(g, x + n * C * H * W, xq + b * XS, Hq, Wq, S, used);
                /* dy on the Wq-wide pixel grid; the thrown-away columns stay zero */
                for (int64_t k = 0; k < K; k++) {
                    KT *row = dyq + b * DS + ((k / Kg) * Kgp + k % Kg) * Pw;
                    const KT *src = dy + (n * K + k) * OH * OW;
                    for (int64_t oh = 0; oh < OH; oh++)
                        memcpy(row + oh * Wq, src + oh * OW, (size_t)OW * sizeof(KT));
                    if (dbias != NULL)
                        dba[k] += KTY(sum)(src, OH * OW);
                }
            }
            for (int64_t b0 = 0; b0 < nb; b0 += nbb) {
                const int64_t nbl = tl_min64c(nbb, nb - b0);
                for (int64_t pv0 = 0; pv0 < npv; pv0 += npb) {
                    const int64_t npl = tl_min64c(npb, npv - pv0);
                    const int64_t o = b0 * XS + pv0 * VL, od = b0 * DS + pv0 * VL;
                    for (int64_t gi = 0; gi < G; gi++)
                        for (int64_t kb = 0; kb < nkb; kb++)
                            for (int64_t cb = 0; cb < ncob; cb++) {
                                const int64_t row = gi * Kgp + cb * nco;
                                wv->fn(nbl, npl, dyq + od + row * Pw, Pw, DS,
                                       xq + o + gi * Cg * CS, XS, koff + kb * nk,
                                       vacc + (row * KKp + kb * nk) * VL, KKp);
                            }
                }
            }
            /* reduce the lanes of this chunk, in a fixed order */
            for (int64_t e = 0; e < nacc; e++) {
                const KT *v = vacc + e * VL;
                double t = 0.0;
                for (int64_t l = 0; l < VL; l++)
                    t += (double)v[l];
                acc[e] += t;
            }
            memset(vacc, 0, (size_t)(nacc * VL) * sizeof(KT));
        }
#ifdef _OPENMP
#pragma omp barrier
#endif
        if (err == 0)      /* accumulator (k, kk) at ((k / Kg) * Kgp + k % Kg) * KKp + kk */
            KTY(fold_thread_sums)(accs, dbs, team, K, Kg, KK, Kgp * KKp, KKp, 1, dw, dbias);
#ifdef _OPENMP
#pragma omp barrier
#endif
        free(xq);
        free(dyq);
        free(vacc);
        free(acc);
        free(dba);
    }
done:
    free(koff);
    free(used);
    free(taps);
    free(accs);
    free(dbs);
    return err;
}
