/* Gradient of the convolution with respect to its input, for one element
 * type (KT / KTN): the padded input gradient is split by stride phase, and
 * each phase is a forward-style tile pass over the zero-bordered output
 * gradient with transposed, phase-filtered packed weights (conv.c, step 3).
 * Included by conv_instances.h. */

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
