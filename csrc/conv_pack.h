/* Data movement of the convolution drivers for one element type (KT / KTN):
 * phase planes of an image, tap offsets, packed weights, and the fixed-order
 * sums that make the weight gradient deterministic.  Included by
 * conv_instances.h. */

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
