/* Gradient of the convolution with respect to its weight (and bias), for one
 * element type (KT / KTN): pixel-vectorized tiles over blocks of images with
 * per-thread vector accumulators, or channel-vectorized tiles over each
 * image's real pixels (conv.c, steps 4 and 5); the threads' sums are folded
 * in thread order.  Included by conv_instances.h. */

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
    KTY(fwd_offsets)(g, taps, Cg, S, Wq, koff, used);

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
