/* Forward convolution for one element type (KT / KTN), y = conv(x, w) + bias
 * (conv.c, steps 1, 2 and 5).  Per image, the phase planes are built and,
 * per group, tiles of T pixels x nco output channels are computed into the
 * scratch yt and copied (with the bias) into y:
 *   pixel tiles:   yt[cb*nco + kg][p], p on the Wq-wide grid (row length Ppad);
 *   channel tiles: yt[q][cb*nco + kg], q over the real output pixels (row length ldo).
 * Included by conv_instances.h. */

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
    const int64_t P = OH * Wq, Q = OH * OW;
    double fcost;
    const KTY(fvar) *fv = KTY(pick_ftile)(ar, Kg, P, KK, &fcost);
    const KTY(cvar) *cv = KTY(pick_ctile)(ar, Kg, Q, KK, fcost);
    const int64_t T = cv != NULL ? cv->npx : (int64_t)fv->nv * ar->vl;
    const int64_t nco = cv != NULL ? (int64_t)cv->nkv * ar->vl : fv->nco;
    const int64_t ncob = tl_cdiv64(Kg, nco), ldo = ncob * nco;
    const int64_t Ppad = tl_roundup64(cv != NULL ? Q : P, T);
    /* a pixel tile reads up to T elements past the last row of a plane */
    const int64_t S = (Hq + 1) * Wq + (cv != NULL ? 0 : T), CS = SH * SW * S;
    if (C * CS > TL_CONV_MAX_ELEMS || G * ncob * KK * nco > TL_CONV_MAX_ELEMS ||
        ldo * Ppad > TL_CONV_MAX_ELEMS)
        return -2;

    int64_t *koff = (int64_t *)tl_conv_alloc(KK, sizeof(int64_t));
    int64_t *poff = cv != NULL ? (int64_t *)tl_conv_alloc(Ppad, sizeof(int64_t)) : NULL;
    unsigned char *used = (unsigned char *)calloc((size_t)(SH * SW), 1);
    tl_conv_tap *taps = (tl_conv_tap *)tl_conv_alloc(K2, sizeof(tl_conv_tap));
    KT *wp = (KT *)tl_conv_alloc(G * ncob * KK * nco, sizeof(KT));
    int err = 0;
    if (!koff || (cv != NULL && !poff) || !used || !taps || !wp) {
        err = -2;
        goto done;
    }
    tl_conv_taps(g, taps);
    KTY(fwd_offsets)(g, taps, Cg, S, Wq, koff, used);
    for (int64_t q = 0; cv != NULL && q < Ppad; q++) {
        const int64_t qq = q < Q ? q : Q - 1;       /* padding pixels recompute the last one */
        poff[q] = (qq / OW) * Wq + qq % OW;
    }
    KTY(pack_fwd_weights)(w, G, Kg, KK, nco, wp);

    {
        const int nth = tl_conv_threads(N, (double)N * K * OH * OW * KK);
#ifdef _OPENMP
#pragma omp parallel num_threads(nth)
#endif
        {
            KT *xq = (KT *)tl_conv_alloc(C * CS, sizeof(KT));
            KT *yt = (KT *)tl_conv_alloc(ldo * Ppad, sizeof(KT));
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
                    KT *yg = y + (n * K + gi * Kg) * Q;
                    if (cv != NULL) {
                        for (int64_t q0 = 0; q0 < Ppad; q0 += T)
                            for (int64_t cb = 0; cb < ncob; cb++)
                                cv->fn(KK, in, poff + q0, koff, wpg + cb * KK * nco, yt + q0 * ldo + cb * nco, ldo);
                        for (int64_t kg = 0; kg < Kg; kg++) {     /* transpose into NCHW */
                            KT *yk = yg + kg * Q;
                            const KT bv = bias != NULL ? bias[gi * Kg + kg] : (KT)0;
                            for (int64_t q = 0; q < Q; q++)
                                yk[q] = yt[q * ldo + kg] + bv;
                        }
                        continue;
                    }
                    /* pixel tiles outer: a tile's input rows stay in L1 across all
                     * channel blocks (the packed weights are small) */
                    for (int64_t p0 = 0; p0 < Ppad; p0 += T)
                        for (int64_t cb = 0; cb < ncob; cb++)
                            fv->fn(KK, in + p0, koff, wpg + cb * KK * nco, yt + cb * nco * Ppad + p0, Ppad);
                    for (int64_t kg = 0; kg < Kg; kg++) {     /* drop the thrown-away columns */
                        KT *yk = yg + kg * Q;
                        const KT *src = yt + kg * Ppad;
                        if (bias != NULL) {
                            const KT bv = bias[gi * Kg + kg];
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
    free(poff);
    free(used);
    free(taps);
    free(wp);
    return err;
}
