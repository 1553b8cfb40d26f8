/* Pooling kernels for one element type (KT / KTN); included by pool.c. */
#define PCAT_(a, b) a##b
#define PCAT(a, b) PCAT_(a, b)
#define PFN(name) PCAT(PCAT(name, _), KTN)

/* Max over the window of output (oh, ow); PyTorch's scan order and NaN rule. */
static inline void PFN(tl_max_window)(const KT *xp, int64_t W, int64_t h0, int64_t h1, int64_t dh,
                                      int64_t w0, int64_t w1, int64_t dw, KT *out, int64_t *oidx)
{
    /* an empty window (possible with dilation) reports -1 and passes no gradient */
    int64_t best = (h0 < h1 && w0 < w1) ? h0 * W + w0 : -1;
    KT m = (KT)-INFINITY;
    for (int64_t ih = h0; ih < h1; ih += dh)
        for (int64_t iw = w0; iw < w1; iw += dw) {
            const KT v = xp[ih * W + iw];
            const int take = (v > m) | (v != v);      /* branch-free: random data mispredicts */
            m = take ? v : m;
            best = take ? ih * W + iw : best;
        }
    *out = m;
    if (oidx)
        *oidx = best;
}

/* One output row of 2x2 / stride-2 max pooling: r0 and r1 = r0 + W are the
 * two input rows, i0 the flat index of r0[0].  Branch-free selects (random
 * data would mispredict every comparison) that the compiler vectorizes. */
static void PFN(tl_max22_row)(const KT *restrict r0, int64_t W, int64_t i0, int64_t OW,
                              KT *restrict y, int64_t *restrict idx)
{
    const KT *restrict r1 = r0 + W;
    if (idx == NULL) {
        for (int64_t ow = 0; ow < OW; ow++) {
            KT m = r0[2 * ow], v = r0[2 * ow + 1];
            m = ((v > m) | (v != v)) ? v : m;
            v = r1[2 * ow];
            m = ((v > m) | (v != v)) ? v : m;
            v = r1[2 * ow + 1];
            m = ((v > m) | (v != v)) ? v : m;
            y[ow] = m;
        }
        return;
    }
    for (int64_t ow = 0; ow < OW; ow++) {
        /* k: which of a b c d wins, as a 32-bit lane next to the float compares */
        KT m = r0[2 * ow], v = r0[2 * ow + 1];
        int32_t k = 0;
        int32_t t = (v > m) | (v != v);
        m = t ? v : m;
        k = t ? 1 : k;
        v = r1[2 * ow];
        t = (v > m) | (v != v);
        m = t ? v : m;
        k = t ? 2 : k;
        v = r1[2 * ow + 1];
        t = (v > m) | (v != v);
        m = t ? v : m;
        k = t ? 3 : k;
        y[ow] = m;
        idx[ow] = i0 + 2 * ow + (k & 1) + (int64_t)(k >> 1) * W;
    }
}

int PFN(tl_max_pool2d_forward)(const tl_pool_geom *g, const KT *x, KT *y, int64_t *idx)
{
    if (!tl_pool_geom_ok(g, 1) || (g->planes > 0 && (x == NULL || y == NULL)))
        return -1;
    const int64_t P = g->planes, H = g->H, W = g->W, OH = g->OH, OW = g->OW;
    const int64_t KH = g->KH, KW = g->KW, SH = g->SH, SW = g->SW, PH = g->PH, PW = g->PW;
    const int64_t DH = g->DH, DW = g->DW;
    const int nth = tl_pool_threads(P, (double)P * OH * OW * KH * KW);
    const int fast22 = KH == 2 && KW == 2 && SH == 2 && SW == 2 && PH == 0 && PW == 0 &&
                       DH == 1 && DW == 1 && 2 * OH <= H && 2 * OW <= W;
#ifdef _OPENMP
#pragma omp parallel for num_threads(nth) schedule(static)
#endif
    for (int64_t p = 0; p < P; p++) {
        const KT *xp = x + p * H * W;
        KT *yp = y + p * OH * OW;
        int64_t *ip = idx ? idx + p * OH * OW : NULL;
        if (fast22) {
            /* 2x2 windows inside the input, scan order a b / c d (vectorizable) */
            for (int64_t oh = 0; oh < OH; oh++)
                PFN(tl_max22_row)(xp + 2 * oh * W, W, 2 * oh * W, OW, yp + oh * OW,
                                  ip ? ip + oh * OW : NULL);
            continue;
        }
        for (int64_t oh = 0; oh < OH; oh++) {
            int64_t h0 = oh * SH - PH;
            const int64_t h1 = h0 + (KH - 1) * DH + 1 < H ? h0 + (KH - 1) * DH + 1 : H;
            if (h0 < 0)
                h0 += ((-h0 + DH - 1) / DH) * DH;
            for (int64_t ow = 0; ow < OW; ow++) {
                int64_t w0 = ow * SW - PW;
                const int64_t w1 = w0 + (KW - 1) * DW + 1 < W ? w0 + (KW - 1) * DW + 1 : W;
                if (w0 < 0)
                    w0 += ((-w0 + DW - 1) / DW) * DW;
                PFN(tl_max_window)(xp, W, h0, h1, DH, w0, w1, DW, &yp[oh * OW + ow],
                                   ip ? &ip[oh * OW + ow] : NULL);
            }
        }
    }
    return 0;
}

int PFN(tl_max_pool2d_backward)(const tl_pool_geom *g, const KT *dy, const int64_t *idx, KT *dx)
{
    if (!tl_pool_geom_ok(g, 0) || (g->planes > 0 && (dy == NULL || idx == NULL || dx == NULL)))
        return -1;
    const int64_t P = g->planes, HW = g->H * g->W, OHW = g->OH * g->OW;
    const int nth = tl_pool_threads(P, (double)P * (HW + OHW));
#ifdef _OPENMP
#pragma omp parallel for num_threads(nth) schedule(static)
#endif
    for (int64_t p = 0; p < P; p++) {
        KT *dp = dx + p * HW;
        const KT *gp = dy + p * OHW;
        const int64_t *ip = idx + p * OHW;
        memset(dp, 0, (size_t)HW * sizeof(KT));
        for (int64_t o = 0; o < OHW; o++) {
            const int64_t i = ip[o];
            if (i >= 0 && i < HW)   /* empty windows point outside: no gradient */
                dp[i] += gp[o];
        }
    }
    return 0;
}

/* avg-pool window of (oh, ow): clipped bounds and divisor; 0 divisor = empty. */
static inline int64_t PFN(tl_avg_window)(const tl_pool_geom *g, int cip, int64_t dov, int64_t oh,
                                         int64_t ow, int64_t *h0, int64_t *h1, int64_t *w0,
                                         int64_t *w1)
{
    int64_t a0 = oh * g->SH - g->PH, b0 = ow * g->SW - g->PW;
    int64_t a1 = a0 + g->KH, b1 = b0 + g->KW;
    if (a1 > g->H + g->PH)
        a1 = g->H + g->PH;
    if (b1 > g->W + g->PW)
        b1 = g->W + g->PW;
    const int64_t pool = (a1 - a0) * (b1 - b0);
    if (a0 < 0)
        a0 = 0;
    if (b0 < 0)
        b0 = 0;
    if (a1 > g->H)
        a1 = g->H;
    if (b1 > g->W)
        b1 = g->W;
    *h0 = a0;
    *h1 = a1;
    *w0 = b0;
    *w1 = b1;
    if (a0 >= a1 || b0 >= b1)
        return 0;
    if (dov > 0)
        return dov;
    return cip ? pool : (a1 - a0) * (b1 - b0);
}

int PFN(tl_avg_pool2d_forward)(const tl_pool_geom *g, int count_include_pad,
                               int64_t divisor_override, const KT *x, KT *y)
{
    if (!tl_pool_geom_ok(g, 1) || divisor_override < 0 || (g->planes > 0 && (x == NULL || y == NULL)))
        return -1;
    const int64_t P = g->planes, H = g->H, W = g->W, OH = g->OH, OW = g->OW;
    const int nth = tl_pool_threads(P, (double)P * OH * OW * g->KH * g->KW);
#ifdef _OPENMP
#pragma omp parallel for num_threads(nth) schedule(static)
#endif
    for (int64_t p = 0; p < P; p++) {
        const KT *xp = x + p * H * W;
        KT *yp = y + p * OH * OW;
        for (int64_t oh = 0; oh < OH; oh++)
            for (int64_t ow = 0; ow < OW; ow++) {
                int64_t h0, h1, w0, w1;
                const int64_t div = PFN(tl_avg_window)(g, count_include_pad, divisor_override,
                                                       oh, ow, &h0, &h1, &w0, &w1);
                if (div == 0) {
                    yp[oh * OW + ow] = (KT)0;
                    continue;
                }
                double s = 0.0;
                for (int64_t ih = h0; ih < h1; ih++)
                    for (int64_t iw = w0; iw < w1; iw++)
                        s += (double)xp[ih * W + iw];
                yp[oh * OW + ow] = (KT)(s / (double)div);
            }
    }
    return 0;
}

int PFN(tl_avg_pool2d_backward)(const tl_pool_geom *g, int count_include_pad,
                                int64_t divisor_override, const KT *dy, KT *dx)
{
    if (!tl_pool_geom_ok(g, 1) || divisor_override < 0 || (g->planes > 0 && (dy == NULL || dx == NULL)))
        return -1;
    const int64_t P = g->planes, H = g->H, W = g->W, OH = g->OH, OW = g->OW;
    const int nth = tl_pool_threads(P, (double)P * OH * OW * g->KH * g->KW);
#ifdef _OPENMP
#pragma omp parallel for num_threads(nth) schedule(static)
#endif
    for (int64_t p = 0; p < P; p++) {
        KT *dp = dx + p * H * W;
        const KT *gp = dy + p * OH * OW;
        memset(dp, 0, (size_t)(H * W) * sizeof(KT));
        for (int64_t oh = 0; oh < OH; oh++)
            for (int64_t ow = 0; ow < OW; ow++) {
                int64_t h0, h1, w0, w1;
                const int64_t div = PFN(tl_avg_window)(g, count_include_pad, divisor_override,
                                                       oh, ow, &h0, &h1, &w0, &w1);
                if (div == 0)
                    continue;
                const KT v = (KT)((double)gp[oh * OW + ow] / (double)div);
                for (int64_t ih = h0; ih < h1; ih++)
                    for (int64_t iw = w0; iw < w1; iw++)
                        dp[ih * W + iw] += v;
            }
    }
    return 0;
}

int PFN(tl_adaptive_avg_pool2d_forward)(const tl_pool_geom *g, const KT *x, KT *y)
{
    if (!tl_pool_geom_ok(g, 0) || (g->planes > 0 && (x == NULL || y == NULL)))
        return -1;
    const int64_t P = g->planes, H = g->H, W = g->W, OH = g->OH, OW = g->OW;
    const int nth = tl_pool_threads(P, (double)P * (H * W + OH * OW));
#ifdef _OPENMP
#pragma omp parallel for num_threads(nth) schedule(static)
#endif
    for (int64_t p = 0; p < P; p++) {
        const KT *xp = x + p * H * W;
        KT *yp = y + p * OH * OW;
        for (int64_t oh = 0; oh < OH; oh++) {
            const int64_t h0 = tl_pool_start(oh, H, OH), h1 = tl_pool_end(oh, H, OH);
            for (int64_t ow = 0; ow < OW; ow++) {
                const int64_t w0 = tl_pool_start(ow, W, OW), w1 = tl_pool_end(ow, W, OW);
                double s = 0.0;
                for (int64_t ih = h0; ih < h1; ih++)
                    for (int64_t iw = w0; iw < w1; iw++)
                        s += (double)xp[ih * W + iw];
                yp[oh * OW + ow] = (KT)(s / (double)((h1 - h0) * (w1 - w0)));
            }
        }
    }
    return 0;
}

int PFN(tl_adaptive_avg_pool2d_backward)(const tl_pool_geom *g, const KT *dy, KT *dx)
{
    if (!tl_pool_geom_ok(g, 0) || (g->planes > 0 && (dy == NULL || dx == NULL)))
        return -1;
    const int64_t P = g->planes, H = g->H, W = g->W, OH = g->OH, OW = g->OW;
    const int nth = tl_pool_threads(P, (double)P * (H * W + OH * OW));
#ifdef _OPENMP
#pragma omp parallel for num_threads(nth) schedule(static)
#endif
    for (int64_t p = 0; p < P; p++) {
        KT *dp = dx + p * H * W;
        const KT *gp = dy + p * OH * OW;
        memset(dp, 0, (size_t)(H * W) * sizeof(KT));
        for (int64_t oh = 0; oh < OH; oh++) {
            const int64_t h0 = tl_pool_start(oh, H, OH), h1 = tl_pool_end(oh, H, OH);
            for (int64_t ow = 0; ow < OW; ow++) {
                const int64_t w0 = tl_pool_start(ow, W, OW), w1 = tl_pool_end(ow, W, OW);
                const KT v = (KT)((double)gp[oh * OW + ow] / (double)((h1 - h0) * (w1 - w0)));
                for (int64_t ih = h0; ih < h1; ih++)
                    for (int64_t iw = w0; iw < w1; iw++)
                        dp[ih * W + iw] += v;
            }
        }
    }
    return 0;
}

int PFN(tl_adaptive_max_pool2d_forward)(const tl_pool_geom *g, const KT *x, KT *y, int64_t *idx)
{
    if (!tl_pool_geom_ok(g, 0) || (g->planes > 0 && (x == NULL || y == NULL)))
        return -1;
    const int64_t P = g->planes, H = g->H, W = g->W, OH = g->OH, OW = g->OW;
    const int nth = tl_pool_threads(P, (double)P * (H * W + OH * OW));
#ifdef _OPENMP
#pragma omp parallel for num_threads(nth) schedule(static)
#endif
    for (int64_t p = 0; p < P; p++) {
        const KT *xp = x + p * H * W;
        KT *yp = y + p * OH * OW;
        int64_t *ip = idx ? idx + p * OH * OW : NULL;
        for (int64_t oh = 0; oh < OH; oh++) {
            const int64_t h0 = tl_pool_start(oh, H, OH), h1 = tl_pool_end(oh, H, OH);
            for (int64_t ow = 0; ow < OW; ow++) {
                const int64_t w0 = tl_pool_start(ow, W, OW), w1 = tl_pool_end(ow, W, OW);
                PFN(tl_max_window)(xp, W, h0, h1, 1, w0, w1, 1, &yp[oh * OW + ow],
                                   ip ? &ip[oh * OW + ow] : NULL);
            }
        }
    }
    return 0;
}

#undef PCAT_
#undef PCAT
#undef PFN
