/* GEMM driver template: included by gemm.c once per element type with
 *   T      element type          CFG   config struct type (tl_sgemm_cfg ...)
 *   FN(x)  name mangler (tl_s_##x / tl_d_##x)
 * No include guard on purpose. See gemm.c for the overall design. */

/* C = beta * C (beta == 0 writes zeros, ignoring NaN/Inf in C). */
static void FN(scale_c)(int64_t M, int64_t N, T beta, T *C, int64_t rsc, int64_t csc)
{
    if (beta == (T)1)
        return;
    for (int64_t i = 0; i < M; ++i) {
        T *ci = C + i * rsc;
        if (beta == (T)0) {
            for (int64_t j = 0; j < N; ++j)
                ci[j * csc] = (T)0;
        } else {
            for (int64_t j = 0; j < N; ++j)
                ci[j * csc] *= beta;
        }
    }
}

/* Unpacked path for tiny products (and the fallback if allocation fails). */
static void FN(naive)(int64_t M, int64_t N, int64_t K, T alpha,
                      const T *A, int64_t rsa, int64_t csa,
                      const T *B, int64_t rsb, int64_t csb,
                      T beta, T *C, int64_t rsc, int64_t csc)
{
    T acc[TL_SMALL_MAX_N];
    for (int64_t j0 = 0; j0 < N; j0 += TL_SMALL_MAX_N) {
        const int64_t nn = N - j0 < TL_SMALL_MAX_N ? N - j0 : TL_SMALL_MAX_N;
        const T *Bj = B + j0 * csb;
        for (int64_t i = 0; i < M; ++i) {
            const T *ai = A + i * rsa;
            for (int64_t j = 0; j < nn; ++j)
                acc[j] = (T)0;
            for (int64_t p = 0; p < K; ++p) {
                const T aip = ai[p * csa];
                const T *bp = Bj + p * rsb;
                if (csb == 1) {
                    for (int64_t j = 0; j < nn; ++j)
                        acc[j] += aip * bp[j];
                } else {
                    for (int64_t j = 0; j < nn; ++j)
                        acc[j] += aip * bp[j * csb];
                }
            }
            T *ci = C + i * rsc + j0 * csc;
            if (beta == (T)0) {
                for (int64_t j = 0; j < nn; ++j)
                    ci[j * csc] = alpha * acc[j];
            } else {
                for (int64_t j = 0; j < nn; ++j)
                    ci[j * csc] = alpha * acc[j] + beta * ci[j * csc];
            }
        }
    }
}

/* Pack an n x kb block X into panels of w rows, X(r, p) = X[r*rs + p*ks]:
 * panel q holds X(q*w + r, p) at dst[q*w*kb + p*w + r]; missing rows are
 * zero.  A packs its rows (rs = rsa, ks = csa), B its columns (rs = csb,
 * ks = rsb).  When only ks == 1 (rows contiguous along p), r_outer picks
 * the loop order: A reads its w rows side by side, B one column at a time. */
static inline __attribute__((always_inline)) void
FN(pack_impl)(int64_t n, int64_t kb, const T *X, int64_t rs, int64_t ks,
              T *restrict dst, const int w, const int r_outer)
{
    for (int64_t i0 = 0; i0 < n; i0 += w) {
        const int64_t m = n - i0 < w ? n - i0 : w;
        const T *x = X + i0 * rs;
        if (m == w && rs == 1) {
            for (int64_t p = 0; p < kb; ++p) {
                const T *xp = x + p * ks;
                for (int r = 0; r < w; ++r)
                    dst[p * w + r] = xp[r];
            }
        } else if (m == w && ks == 1 && r_outer) {
            for (int r = 0; r < w; ++r) {
                const T *xr = x + r * rs;
                for (int64_t p = 0; p < kb; ++p)
                    dst[p * w + r] = xr[p];
            }
        } else if (m == w && ks == 1) {
            for (int64_t p = 0; p < kb; ++p)
                for (int r = 0; r < w; ++r)
                    dst[p * w + r] = x[r * rs + p];
        } else {
            for (int64_t p = 0; p < kb; ++p)
                for (int r = 0; r < w; ++r)
                    dst[p * w + r] = r < m ? x[r * rs + p * ks] : (T)0;
        }
        dst += (int64_t)w * kb;
    }
}

static void FN(pack_a)(int mr, int64_t mb, int64_t kb, const T *A, int64_t rsa,
                       int64_t csa, T *restrict dst)
{
    switch (mr) {
    case 4: FN(pack_impl)(mb, kb, A, rsa, csa, dst, 4, 0); break;
    case 6: FN(pack_impl)(mb, kb, A, rsa, csa, dst, 6, 0); break;
    case 8: FN(pack_impl)(mb, kb, A, rsa, csa, dst, 8, 0); break;
    case 12: FN(pack_impl)(mb, kb, A, rsa, csa, dst, 12, 0); break;
    case 14: FN(pack_impl)(mb, kb, A, rsa, csa, dst, 14, 0); break;
    case 24: FN(pack_impl)(mb, kb, A, rsa, csa, dst, 24, 0); break;
    default: FN(pack_impl)(mb, kb, A, rsa, csa, dst, mr, 0); break;
    }
}

static void FN(pack_b)(int nr, int64_t kb, int64_t nb, const T *B, int64_t rsb,
                       int64_t csb, T *restrict dst)
{
    switch (nr) {
    case 4: FN(pack_impl)(nb, kb, B, csb, rsb, dst, 4, 1); break;
    case 8: FN(pack_impl)(nb, kb, B, csb, rsb, dst, 8, 1); break;
    case 16: FN(pack_impl)(nb, kb, B, csb, rsb, dst, 16, 1); break;
    case 24: FN(pack_impl)(nb, kb, B, csb, rsb, dst, 24, 1); break;
    case 32: FN(pack_impl)(nb, kb, B, csb, rsb, dst, 32, 1); break;
    default: FN(pack_impl)(nb, kb, B, csb, rsb, dst, nr, 1); break;
    }
}

/* Write back a tile from the scratch tile: C = alpha*tmp + beta*C. */
static inline void FN(store_edge)(int64_t mm, int64_t nn, int nr, T alpha, const T *tmp,
                                  T beta, T *c, int64_t rsc, int64_t csc)
{
    for (int64_t i = 0; i < mm; ++i) {
        T *ci = c + i * rsc;
        const T *ti = tmp + i * nr;
        if (beta == (T)0) {
            for (int64_t j = 0; j < nn; ++j)
                ci[j * csc] = alpha * ti[j];
        } else {
            for (int64_t j = 0; j < nn; ++j)
                ci[j * csc] = alpha * ti[j] + beta * ci[j * csc];
        }
    }
}

/* Prefetch (for writing) the C rows of the next micro-tile down, rows
 * remaining in the block: with short K the kernel is too brief for its own
 * C prefetch to hide a memory miss before its stores. */
static inline void FN(prefetch_next_c)(int mr, int64_t rows_left, int64_t nn, T *c,
                                       int64_t rsc)
{
    const int64_t rows = rows_left < mr ? rows_left : mr;
    const int64_t last = (nn - 1) * (int64_t)sizeof(T);
    for (int64_t i = 0; i < rows; ++i) {
        const char *row = (const char *)(c + i * rsc);
        __builtin_prefetch(row, 1, 3);
        __builtin_prefetch(row + last, 1, 3);
    }
}

/* Multiply a packed mb x kb block of A by a packed kb x nb block of B into C.
 * Row-contiguous C (csc == 1) is written by the kernel directly, edges
 * included; otherwise through a scratch tile. */
static void FN(macro)(const CFG *cfg, int64_t mb, int64_t nb, int64_t kb, T alpha,
                      const T *Ap, const T *Bp, T beta, T *C, int64_t rsc, int64_t csc)
{
    const int mr = cfg->mr, nr = cfg->nr;
    T tmp[TL_GEMM_MAX_MR * TL_GEMM_MAX_NR] __attribute__((aligned(64)));
    for (int64_t jr = 0; jr < nb; jr += nr) {
        const int64_t nn = nb - jr < nr ? nb - jr : nr;
        const T *b = Bp + jr * kb;
        for (int64_t ir = 0; ir < mb; ir += mr) {
            const int64_t mm = mb - ir < mr ? mb - ir : mr;
            const T *a = Ap + ir * kb;
            T *c = C + ir * rsc + jr * csc;
            if (csc == 1) {
                FN(prefetch_next_c)(mr, mb - ir - mm, nn, c + mm * rsc, rsc);
                cfg->kern(kb, a, b, c, rsc, alpha, beta, mm, nn);
            } else {
                cfg->kern(kb, a, b, tmp, nr, (T)1, (T)0, mm, nn);
                FN(store_edge)(mm, nn, nr, alpha, tmp, beta, c, rsc, csc);
            }
        }
    }
}

/* Same, but A read in place (row-major block, column stride 1, row stride
 * rsa) by the "ua" kernel; a last partial row panel is packed into edgebuf. */
static void FN(macro_ua)(const CFG *cfg, int64_t mb, int64_t nb, int64_t kb, T alpha,
                         const T *A, int64_t rsa, const T *Bp, T beta,
                         T *C, int64_t rsc, int64_t csc, T *edgebuf)
{
    const int mr = cfg->mr, nr = cfg->nr;
    T tmp[TL_GEMM_MAX_MR * TL_GEMM_MAX_NR] __attribute__((aligned(64)));
    const int64_t mfull = mb / mr * mr;
    if (mfull < mb)
        FN(pack_a)(mr, mb - mfull, kb, A + mfull * rsa, rsa, 1, edgebuf);
    for (int64_t jr = 0; jr < nb; jr += nr) {
        const int64_t nn = nb - jr < nr ? nb - jr : nr;
        const T *b = Bp + jr * kb;
        for (int64_t ir = 0; ir < mb; ir += mr) {
            const int64_t mm = mb - ir < mr ? mb - ir : mr;
            T *c = C + ir * rsc + jr * csc;
            T *dst = csc == 1 ? c : tmp;
            const int64_t rsd = csc == 1 ? rsc : nr;
            const T al = csc == 1 ? alpha : (T)1, be = csc == 1 ? beta : (T)0;
            if (csc == 1)
                FN(prefetch_next_c)(mr, mb - ir - mm, nn, c + mm * rsc, rsc);
            if (mm == mr)
                cfg->kern_ua(kb, A + ir * rsa, rsa, b, dst, rsd, al, be, mm, nn);
            else
                cfg->kern(kb, edgebuf, b, dst, rsd, al, be, mm, nn);
            if (csc != 1)
                FN(store_edge)(mm, nn, nr, alpha, tmp, beta, c, rsc, csc);
        }
    }
}

/* Block sizes actually used for an M x N x K problem: K and M blocks are
 * evened out so that no tiny remainder block is left. */
static void FN(blocks)(const CFG *cfg, int64_t M, int64_t N, int64_t K,
                       int64_t *mc, int64_t *kc, int64_t *nc)
{
    int64_t nblk = tl_cdiv(K, cfg->kc);
    *kc = tl_cdiv(K, nblk);
    nblk = tl_cdiv(M, cfg->mc);
    *mc = tl_roundup(tl_cdiv(M, nblk), cfg->mr);
    nblk = tl_cdiv(N, cfg->nc);
    *nc = tl_roundup(tl_cdiv(N, nblk), cfg->nr);
}

/* Elements of packing buffer (A part + B part) for one thread. */
static int64_t FN(buf_elems)(const CFG *cfg, int64_t M, int64_t N, int64_t K,
                             int64_t *a_elems)
{
    int64_t mc, kc, nc;
    FN(blocks)(cfg, M, N, K, &mc, &kc, &nc);
    if (mc > tl_roundup(M, cfg->mr)) mc = tl_roundup(M, cfg->mr);
    if (nc > tl_roundup(N, cfg->nr)) nc = tl_roundup(N, cfg->nr);
    /* keep the B part 64-byte aligned */
    *a_elems = tl_roundup(mc * kc, 64);
    return *a_elems + nc * kc;
}

static T *FN(alloc_buf)(int64_t elems)
{
    size_t bytes = (size_t)elems * sizeof(T);
    bytes = (bytes + 63) & ~(size_t)63;
    if (bytes == 0)
        bytes = 64;
    return (T *)aligned_alloc(64, bytes);
}

/* Serial BLIS-style blocked product (K > 0, alpha != 0, M, N > 0).
 * ua: read A in place with the "ua" kernel (requires csa == 1). */
static void FN(blocked)(const CFG *cfg, int ua, int64_t M, int64_t N, int64_t K, T alpha,
                        const T *A, int64_t rsa, int64_t csa,
                        const T *B, int64_t rsb, int64_t csb,
                        T beta, T *C, int64_t rsc, int64_t csc, T *buf)
{
    int64_t mc, kc, nc, a_elems;
    FN(blocks)(cfg, M, N, K, &mc, &kc, &nc);
    FN(buf_elems)(cfg, M, N, K, &a_elems);
    T *bufA = buf, *bufB = buf + a_elems;
    for (int64_t jc = 0; jc < N; jc += nc) {
        const int64_t nb = N - jc < nc ? N - jc : nc;
        for (int64_t pc = 0; pc < K; pc += kc) {
            const int64_t kb = K - pc < kc ? K - pc : kc;
            const T beta_eff = pc == 0 ? beta : (T)1;
            FN(pack_b)(cfg->nr, kb, nb, B + pc * rsb + jc * csb, rsb, csb, bufB);
            for (int64_t ic = 0; ic < M; ic += mc) {
                const int64_t mb = M - ic < mc ? M - ic : mc;
                T *Cb = C + ic * rsc + jc * csc;
                if (ua) {
                    FN(macro_ua)(cfg, mb, nb, kb, alpha, A + ic * rsa + pc, rsa, bufB,
                                 beta_eff, Cb, rsc, csc, bufA);
                } else {
                    FN(pack_a)(cfg->mr, mb, kb, A + ic * rsa + pc * csa, rsa, csa, bufA);
                    FN(macro)(cfg, mb, nb, kb, alpha, bufA, bufB, beta_eff, Cb, rsc, csc);
                }
            }
        }
    }
}

static int FN(is_small)(int64_t M, int64_t N, int64_t K)
{
    return (double)M * (double)N * (double)K <= TL_SMALL_WORK;
}

/* One product on one thread, with a caller-provided buffer (NULL only for
 * small problems, or after a failed allocation: then the unpacked loop). */
static void FN(serial)(const CFG *cfg, int ua, int64_t M, int64_t N, int64_t K, T alpha,
                       const T *A, int64_t rsa, int64_t csa,
                       const T *B, int64_t rsb, int64_t csb,
                       T beta, T *C, int64_t rsc, int64_t csc, T *buf)
{
    if (buf == NULL || FN(is_small)(M, N, K))
        FN(naive)(M, N, K, alpha, A, rsa, csa, B, rsb, csb, beta, C, rsc, csc);
    else
        FN(blocked)(cfg, ua, M, N, K, alpha, A, rsa, csa, B, rsb, csb, beta, C, rsc, csc, buf);
}

/* Can A be read in place ("ua") with this kernel?  Only for row-major A
 * whose rows do not alias in the L1 cache, and when A is reused by few B
 * panels (otherwise packing it once pays off). */
static int FN(ua_ok)(const CFG *cfg, int64_t N, int64_t rsa, int64_t csa)
{
    if (cfg->kern_ua == NULL || csa != 1)
        return 0;
    if (tl_cdiv(N, cfg->nr) > TL_UA_MAX_PANELS)
        return 0;
    const int64_t bytes = (rsa < 0 ? -rsa : rsa) * (int64_t)sizeof(T);
    return bytes % 1024 != 0;
}

/* Estimated cycles of the blocked product with kernel cfg in the given
 * orientation (strides as the kernel sees them); *ua: use in-place A. */
static double FN(cost)(const CFG *cfg, int64_t M, int64_t N, int64_t K,
                       int64_t rsa, int64_t csa, int64_t csb, int64_t csc, int *ua)
{
    const double mr = cfg->mr, nr = cfg->nr;
    const double step = mr * nr / cfg->lanes / 2.0;        /* cycles per k */
    const double tiles = (double)tl_cdiv(M, cfg->mr) * (double)tl_cdiv(N, cfg->nr);
    const double fast_tiles = csc == 1 ? tiles : 0.0;
    const double fast_store = 2.0 * mr * nr / cfg->lanes;   /* vector C update */
    const double slow_store = 0.6 * mr * nr + fast_store;   /* scratch + scalar */
    const double kblocks = (double)tl_cdiv(K, cfg->kc);
    const double pack_b = (double)K * (double)N * (csb == 1 ? 0.5 : 1.0);
    *ua = FN(ua_ok)(cfg, N, rsa, csa);
    const double pack_a = *ua ? 0.0
        : (double)M * (double)K * (double)tl_cdiv(N, cfg->nc) * (rsa == 1 ? 0.5 : 1.0);
    return tiles * (double)K * step +
           kblocks * (fast_tiles * fast_store + (tiles - fast_tiles) * slow_store) +
           TL_PACK_CYCLES * (pack_a + pack_b);
}

typedef struct {
    const CFG *cfg;
    int swap;   /* compute C^T = B^T A^T */
    int ua;     /* read A in place */
} FN(plan_t);

/* Choose the kernel (among the candidates, preferred first), the
 * orientation and whether A is packed, by the cost model above. */
static FN(plan_t) FN(plan)(const CFG *const *cands, int ncand, int64_t M, int64_t N,
                           int64_t K, int64_t rsa, int64_t csa, int64_t rsb, int64_t csb,
                           int64_t rsc, int64_t csc)
{
    FN(plan_t) best = {cands[0], 0, 0};
    double best_cost = -1.0;
    if (FN(is_small)(M, N, K))
        return best;
    for (int i = 0; i < ncand; ++i) {
        for (int s = 0; s < 2; ++s) {
            int ua;
            /* swapped: A' = B^T (rsa' = csb, csa' = rsb), B' = A^T, C' = C^T */
            const double c = s ? FN(cost)(cands[i], N, M, K, csb, rsb, rsa, rsc, &ua)
                               : FN(cost)(cands[i], M, N, K, rsa, csa, csb, csc, &ua);
            /* small preference for the first candidate / normal orientation */
            const double cc = c * (1.0 + 0.02 * (2 * i + s));
            if (best_cost < 0 || cc < best_cost) {
                best_cost = cc;
                best.cfg = cands[i];
                best.swap = s;
                best.ua = ua;
            }
        }
    }
    return best;
}

static int FN(pick_threads)(int nt, int64_t M, int64_t N, int64_t K)
{
    if (nt <= 1)
        return 1;
#ifdef _OPENMP
    if (omp_in_parallel())
        return 1;
#endif
    const double work = (double)M * (double)N * (double)K;
    double maxt = work / TL_MIN_WORK_PER_THREAD;
    if (maxt < 1.0)
        return 1;
    return maxt < (double)nt ? (int)maxt : nt;
}

/* How nt threads share one product: a tm x tn grid of C blocks (each
 * thread packs its own panels), or (return 1) a split of K with the partial
 * products summed at the end.  Chosen by estimated cycles per thread:
 * micro-kernel steps + packing + (for the K split) the reduction.
 * Sets *nt_io to 1 when there is no way to use several threads. */
static int FN(thread_plan)(const CFG *cfg, int ua, int *nt_io, int64_t M, int64_t N,
                           int64_t K, int *tm, int *tn)
{
    const int nt = *nt_io;
    const double step = (double)cfg->mr * cfg->nr / cfg->lanes / 2.0;
    const int64_t tiles_m = tl_cdiv(M, cfg->mr), tiles_n = tl_cdiv(N, cfg->nr);
    const double apack = ua ? 0.0 : 1.0;
    double best = -1.0;
    int ks = 0;
    *tm = *tn = 1;
    for (int dm = 1; dm <= nt; ++dm) {
        if (nt % dm)
            continue;
        const int dn = nt / dm;
        if (dm > tiles_m || dn > tiles_n)
            continue;
        const int64_t mt = tl_cdiv(tiles_m, dm), ntl = tl_cdiv(tiles_n, dn);
        const double rows = (double)tl_min64(mt * cfg->mr, M);
        const double cols = (double)tl_min64(ntl * cfg->nr, N);
        const double compute = (double)mt * (double)ntl * (double)K * step;
        const double pack = (apack * rows * (double)tl_cdiv((int64_t)cols, cfg->nc) + cols) *
                            (double)K * TL_PACK_CYCLES;
        const double cost = compute + pack;
        if (best < 0 || cost < best * 0.999) {
            best = cost;
            *tm = dm;
            *tn = dn;
        }
    }
    if (nt > 1 && K >= (int64_t)nt * 64) {
        const double kt = (double)tl_cdiv(K, nt);
        const double compute = (double)tiles_m * (double)tiles_n * kt * step;
        const double pack = (apack * (double)M * (double)tl_cdiv(N, cfg->nc) + (double)N) *
                            kt * TL_PACK_CYCLES;
        const double reduce = (double)M * (double)N * (double)(nt + 1) * TL_PACK_CYCLES;
        const double cost = compute + pack + reduce;
        if (best < 0 || cost < best) {
            best = cost;
            ks = 1;
        }
    }
    if (best < 0)
        *nt_io = 1;
    return ks;
}

/* Swap the roles of A and B (and transpose C): C^T = B^T A^T. */
#define TL_SWAP_OPERANDS()                                                   \
    do {                                                                     \
        int64_t t_;                                                          \
        const T *tp_;                                                        \
        t_ = M; M = N; N = t_;                                               \
        tp_ = A; A = B; B = tp_;                                             \
        t_ = rsa; rsa = csb; csb = t_; /* A' = B^T: rsa' = csb, csa' = rsb */ \
        t_ = csa; csa = rsb; rsb = t_; /* B' = A^T: rsb' = csa, csb' = rsa */ \
        t_ = rsc; rsc = csc; csc = t_;                                       \
    } while (0)

/* Full single-matrix driver (handles trivial cases, planning, threads). */
static void FN(gemm)(const CFG *const *cands, int ncand, int nt, int64_t M, int64_t N,
                     int64_t K, T alpha,
                     const T *A, int64_t rsa, int64_t csa,
                     const T *B, int64_t rsb, int64_t csb,
                     T beta, T *C, int64_t rsc, int64_t csc)
{
    if (M <= 0 || N <= 0)
        return;
    if (K <= 0 || alpha == (T)0) {
        FN(scale_c)(M, N, beta, C, rsc, csc);
        return;
    }
    if (FN(is_small)(M, N, K)) {
        FN(naive)(M, N, K, alpha, A, rsa, csa, B, rsb, csb, beta, C, rsc, csc);
        return;
    }
    const FN(plan_t) pl = FN(plan)(cands, ncand, M, N, K, rsa, csa, rsb, csb, rsc, csc);
    const CFG *cfg = pl.cfg;
    const int ua = pl.ua;
    if (pl.swap)
        TL_SWAP_OPERANDS();
    nt = FN(pick_threads)(nt, M, N, K);

    const int64_t tiles_m = tl_cdiv(M, cfg->mr), tiles_n = tl_cdiv(N, cfg->nr);
    int tm = 1, tn = 1;
    const int ksplit = nt > 1 ? FN(thread_plan)(cfg, ua, &nt, M, N, K, &tm, &tn) : 0;

    if (nt == 1) {
        int64_t a_el;
        T *buf = FN(alloc_buf)(FN(buf_elems)(cfg, M, N, K, &a_el));
        FN(serial)(cfg, ua, M, N, K, alpha, A, rsa, csa, B, rsb, csb, beta, C, rsc, csc, buf);
        free(buf);
        return;
    }

    if (ksplit) {
        /* Each thread multiplies a K-slice into a private M x N buffer; the
         * partial products are then summed into C. */
        const int64_t MN = tl_roundup(M * N, 16);
        T *part = FN(alloc_buf)(MN * nt);
        if (part == NULL) {
            FN(naive)(M, N, K, alpha, A, rsa, csa, B, rsb, csb, beta, C, rsc, csc);
            return;
        }
#ifdef _OPENMP
#pragma omp parallel num_threads(nt)
#endif
        {
            const int tid = tl_thread_id(), nth = tl_thread_count();
            const int64_t k0 = K * tid / nth, k1 = K * (tid + 1) / nth;
            T *w = part + MN * tid;
            if (k1 > k0) {
                int64_t a_el;
                T *buf = FN(alloc_buf)(FN(buf_elems)(cfg, M, N, k1 - k0, &a_el));
                FN(serial)(cfg, ua, M, N, k1 - k0, (T)1, A + k0 * csa, rsa, csa,
                           B + k0 * rsb, rsb, csb, (T)0, w, N, 1, buf);
                free(buf);
            } else {
                for (int64_t e = 0; e < M * N; ++e)
                    w[e] = (T)0;
            }
#ifdef _OPENMP
#pragma omp barrier
#endif
            const int64_t i0 = M * tid / nth, i1 = M * (tid + 1) / nth;
            for (int64_t i = i0; i < i1; ++i) {
                T *ci = C + i * rsc;
                for (int64_t j = 0; j < N; ++j) {
                    T s = (T)0;
                    for (int t = 0; t < nth; ++t)
                        s += part[MN * t + i * N + j];
                    ci[j * csc] = beta == (T)0 ? alpha * s : alpha * s + beta * ci[j * csc];
                }
            }
        }
        free(part);
        return;
    }

#ifdef _OPENMP
#pragma omp parallel num_threads(nt)
#endif
    {
        /* Work item w of the tm x tn grid; a loop in case the runtime gave
         * fewer threads than asked. */
        const int tid = tl_thread_id(), nth = tl_thread_count();
        for (int w = tid; w < tm * tn; w += nth) {
            const int wm = w / tn, wn = w % tn;
            const int64_t m0 = tl_min64(tiles_m * wm / tm * cfg->mr, M);
            const int64_t m1 = tl_min64(tiles_m * (wm + 1) / tm * cfg->mr, M);
            const int64_t n0 = tl_min64(tiles_n * wn / tn * cfg->nr, N);
            const int64_t n1 = tl_min64(tiles_n * (wn + 1) / tn * cfg->nr, N);
            if (m1 <= m0 || n1 <= n0)
                continue;
            int64_t a_el;
            T *buf = FN(alloc_buf)(FN(buf_elems)(cfg, m1 - m0, n1 - n0, K, &a_el));
            FN(serial)(cfg, ua, m1 - m0, n1 - n0, K, alpha, A + m0 * rsa, rsa, csa,
                       B + n0 * csb, rsb, csb, beta, C + m0 * rsc + n0 * csc, rsc, csc, buf);
            free(buf);
        }
    }
}

static void FN(gemm_batched)(const CFG *const *cands, int ncand, int nt, int64_t batch,
                             int64_t M, int64_t N, int64_t K, T alpha,
                             const T *A, int64_t bsa, int64_t rsa, int64_t csa,
                             const T *B, int64_t bsb, int64_t rsb, int64_t csb,
                             T beta, T *C, int64_t bsc, int64_t rsc, int64_t csc)
{
    if (batch <= 0 || M <= 0 || N <= 0)
        return;
    if (batch == 1) {
        FN(gemm)(cands, ncand, nt, M, N, K, alpha, A, rsa, csa, B, rsb, csb, beta, C, rsc, csc);
        return;
    }
    if (K <= 0 || alpha == (T)0) {
        for (int64_t b = 0; b < batch; ++b)
            FN(scale_c)(M, N, beta, C + b * bsc, rsc, csc);
        return;
    }
    const int per_nt = FN(pick_threads)(nt, M, N, K);
    int bnt = nt;
#ifdef _OPENMP
    if (omp_in_parallel())
        bnt = 1;
#endif
    if (bnt > batch)
        bnt = (int)batch;
    {
        /* no more threads than the whole batch has work for */
        const double work = (double)batch * (double)M * (double)N * (double)K;
        const double maxt = work / TL_MIN_WORK_PER_THREAD;
        if (maxt < (double)bnt)
            bnt = maxt < 1.0 ? 1 : (int)maxt;
    }
    /* Whole products per thread when one product alone cannot use all
     * threads, or the batch splits evenly / finely enough; else thread
     * inside each product. */
    const int by_batch = bnt == 1 || per_nt < nt || batch % bnt == 0 ||
                         batch >= 4 * (int64_t)bnt;
    if (!by_batch) {
        for (int64_t b = 0; b < batch; ++b)
            FN(gemm)(cands, ncand, nt, M, N, K, alpha, A + b * bsa, rsa, csa, B + b * bsb,
                     rsb, csb, beta, C + b * bsc, rsc, csc);
        return;
    }
    /* Kernel, orientation and packing are the same for every matrix. */
    const FN(plan_t) pl = FN(plan)(cands, ncand, M, N, K, rsa, csa, rsb, csb, rsc, csc);
    const CFG *cfg = pl.cfg;
    const int ua = pl.ua;
    if (pl.swap) {
        const int64_t bs = bsa;
        bsa = bsb;
        bsb = bs;
        TL_SWAP_OPERANDS();
    }
    const int small = FN(is_small)(M, N, K);
#ifdef _OPENMP
#pragma omp parallel num_threads(bnt) if (bnt > 1)
#endif
    {
        int64_t a_el;
        T *buf = small ? NULL : FN(alloc_buf)(FN(buf_elems)(cfg, M, N, K, &a_el));
        const int tid = tl_thread_id(), nth = tl_thread_count();
        const int64_t b0 = batch * tid / nth, b1 = batch * (tid + 1) / nth;
        for (int64_t b = b0; b < b1; ++b)
            FN(serial)(cfg, ua, M, N, K, alpha, A + b * bsa, rsa, csa, B + b * bsb, rsb, csb,
                       beta, C + b * bsc, rsc, csc, buf);
        free(buf);
    }
}

#undef TL_SWAP_OPERANDS
