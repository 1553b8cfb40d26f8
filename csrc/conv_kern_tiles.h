/* Register-blocked convolution micro-kernels, written once as macros and
 * instantiated per (architecture, element type, tile shape) by conv_kern.h.
 * The expansion site provides the arch macros (see conv_kern.h); NV / NCO /
 * NK are literals, so every loop below unrolls fully and the accumulator
 * arrays live in vector registers. */
#ifndef TL_CONV_KERN_TILES_H
#define TL_CONV_KERN_TILES_H

#define TL_UNROLL _Pragma("GCC unroll 32")

/* KPIN(v): keep a loaded vector in a register.  Without it the compiler may
 * fold the load into every FMA that uses the vector, turning one load into
 * NCO (or NK) loads and making the kernel load-bound. */
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#define TL_PIN_VEC(v) __asm__("" : "+v"(v))
#else
#define TL_PIN_VEC(v) ((void)0)
#endif

/* Forward tile: NCO output channels x NV*VL consecutive (flattened) pixels.
 *
 *   out[j*os + v*VL + l] = sum_{k < nk} wp[k*NCO + j] * in[koff[k] + v*VL + l]
 *
 * The reduction runs over (input channel, tap) pairs k; each step broadcasts
 * NCO packed weights and loads NV unaligned input vectors.  Which operand is
 * held in registers across the inner loop follows the smaller of NV, NCO. */
#define TL_FTILE_DEF(NV, NCO)                                                    \
static KATTR void KNAME2(ftile, NV, NCO)(int64_t nk, const KT *in,               \
                                         const int64_t *koff, const KT *wp,      \
                                         KT *out, int64_t os)                    \
{                                                                                \
    KV acc[NCO][NV];                                                             \
    TL_UNROLL for (int j = 0; j < NCO; j++)                                      \
        TL_UNROLL for (int v = 0; v < NV; v++)                                   \
            acc[j][v] = KZERO();                                                 \
    for (int64_t k = 0; k < nk; k++) {                                           \
        const KT *p = in + koff[k];                                              \
        const KT *wk = wp + k * NCO;                                             \
        if (NV <= NCO) {                                                         \
            KV xv[NV];                                                           \
            TL_UNROLL for (int v = 0; v < NV; v++) {                             \
                xv[v] = KLOAD(p + v * KVL);                                      \
                KPIN(xv[v]);                                                     \
            }                                                                    \
            TL_UNROLL for (int j = 0; j < NCO; j++) {                            \
                KV b = KBCAST(wk[j]);                                            \
                KPIN(b);                                                         \
                TL_UNROLL for (int v = 0; v < NV; v++)                           \
                    acc[j][v] = KFMA(xv[v], b, acc[j][v]);                       \
            }                                                                    \
        } else {                                                                 \
            KV bv[NCO];                                                          \
            TL_UNROLL for (int j = 0; j < NCO; j++) {                            \
                bv[j] = KBCAST(wk[j]);                                           \
                KPIN(bv[j]);                                                     \
            }                                                                    \
            TL_UNROLL for (int v = 0; v < NV; v++) {                             \
                KV x = KLOAD(p + v * KVL);                                       \
                KPIN(x);                                                         \
                TL_UNROLL for (int j = 0; j < NCO; j++)                          \
                    acc[j][v] = KFMA(x, bv[j], acc[j][v]);                       \
            }                                                                    \
        }                                                                        \
    }                                                                            \
    TL_UNROLL for (int j = 0; j < NCO; j++)                                      \
        TL_UNROLL for (int v = 0; v < NV; v++)                                   \
            KSTORE(out + j * os + v * KVL, acc[j][v]);                           \
}

/* Weight-gradient tile: NCO output channels x NK (input channel, tap) pairs
 * over a block of nb images x npv pixel vectors.
 *
 *   vacc[(j*ldv + k)*VL + l] += sum_{b < nb} sum_{pv < npv}
 *        dy[b*dyb + j*dys + pv*VL + l] * in[b*inb + koff[k] + pv*VL + l]
 *
 * The NCO*NK partial sums stay in vector registers through the block and
 * are then added lane-wise to the vector accumulators vacc (no horizontal
 * reduction here: the driver reduces the lanes once per chunk of images). */
#define TL_WTILE_DEF(NCO, NK)                                                    \
static KATTR void KNAME2(wtile, NCO, NK)(int64_t nb, int64_t npv,                \
                                         const KT *dy, int64_t dys, int64_t dyb, \
                                         const KT *in, int64_t inb,              \
                                         const int64_t *koff,                    \
                                         KT *vacc, int64_t ldv)                  \
{                                                                                \
    KV s[NCO][NK];                                                               \
    TL_UNROLL for (int j = 0; j < NCO; j++)                                      \
        TL_UNROLL for (int k = 0; k < NK; k++)                                   \
            s[j][k] = KZERO();                                                   \
    for (int64_t b = 0; b < nb; b++) {                                           \
        const KT *xp[NK];                                                        \
        const KT *dp = dy + b * dyb;                                             \
        TL_UNROLL for (int k = 0; k < NK; k++)                                   \
            xp[k] = in + b * inb + koff[k];                                      \
        for (int64_t pv = 0; pv < npv; pv++) {                                   \
            const int64_t o = pv * KVL;                                          \
            if (NK <= NCO) {                                                     \
                KV xv[NK];                                                       \
                TL_UNROLL for (int k = 0; k < NK; k++) {                         \
                    xv[k] = KLOAD(xp[k] + o);                                    \
                    KPIN(xv[k]);                                                 \
                }                                                                \
                TL_UNROLL for (int j = 0; j < NCO; j++) {                        \
                    KV d = KLOAD(dp + j * dys + o);                              \
                    KPIN(d);                                                     \
                    TL_UNROLL for (int k = 0; k < NK; k++)                       \
                        s[j][k] = KFMA(d, xv[k], s[j][k]);                       \
                }                                                                \
            } else {                                                             \
                KV dv[NCO];                                                      \
                TL_UNROLL for (int j = 0; j < NCO; j++) {                        \
                    dv[j] = KLOAD(dp + j * dys + o);                             \
                    KPIN(dv[j]);                                                 \
                }                                                                \
                TL_UNROLL for (int k = 0; k < NK; k++) {                         \
                    KV x = KLOAD(xp[k] + o);                                     \
                    KPIN(x);                                                     \
                    TL_UNROLL for (int j = 0; j < NCO; j++)                      \
                        s[j][k] = KFMA(dv[j], x, s[j][k]);                       \
                }                                                                \
            }                                                                    \
        }                                                                        \
    }                                                                            \
    TL_UNROLL for (int j = 0; j < NCO; j++)                                      \
        TL_UNROLL for (int k = 0; k < NK; k++) {                                 \
            KT *v = vacc + (j * ldv + k) * KVL;                                  \
            KSTORE(v, KADD(KLOAD(v), s[j][k]));                                  \
        }                                                                        \
}

/* One reduction step of the channel-vectorized tiles below: NKV vectors
 * loaded from vp (held in registers) times one broadcast value per row
 * r < NROWS, rowp[r][o], accumulated into acc[r][v]. */
#define TL_CSTEP(NROWS, NKV, vp, rowp, o, acc)                                   \
    do {                                                                         \
        const int64_t o_ = (o);                                                  \
        const KT *vp_ = (vp);                                                    \
        KV vv_[NKV];                                                             \
        TL_UNROLL for (int v = 0; v < NKV; v++) {                                \
            vv_[v] = KLOAD(vp_ + v * KVL);                                       \
            KPIN(vv_[v]);                                                        \
        }                                                                        \
        TL_UNROLL for (int r = 0; r < NROWS; r++) {                              \
            KV b = KBCAST(rowp[r][o_]);                                          \
            KPIN(b);                                                             \
            TL_UNROLL for (int v = 0; v < NKV; v++)                              \
                acc[r][v] = KFMA(vv_[v], b, acc[r][v]);                          \
        }                                                                        \
    } while (0)

/* Channel-vectorized forward tile: NPX output pixels x NKV*VL output channels.
 *
 *   out[i*ldo + v*VL + l] = sum_{k < nk} wp[k*NKV*VL + v*VL + l] * in[poff[i] + koff[k]]
 *
 * The transpose of the tile above: each step loads NKV weight vectors and broadcasts one input
 * value per pixel.  The pixels are arbitrary offsets (poff), so only real output pixels are
 * computed -- no thrown-away grid columns, which the pixel-vectorized tile wastes (20% at 8x8) --
 * and layers with many channels on small maps fill the vectors with channels instead. */
#define TL_CTILE_DEF(NPX, NKV)                                                   \
static KATTR void KNAME2(ctile, NPX, NKV)(int64_t nk, const KT *in,              \
                                          const int64_t *poff,                   \
                                          const int64_t *koff, const KT *wp,     \
                                          KT *out, int64_t ldo)                  \
{                                                                                \
    KV acc[NPX][NKV];                                                            \
    const KT *pp[NPX];                                                           \
    TL_UNROLL for (int i = 0; i < NPX; i++) {                                    \
        pp[i] = in + poff[i];                                                    \
        TL_UNROLL for (int v = 0; v < NKV; v++)                                  \
            acc[i][v] = KZERO();                                                 \
    }                                                                            \
    for (int64_t k = 0; k < nk; k++)                                             \
        TL_CSTEP(NPX, NKV, wp + k * (NKV * KVL), pp, koff[k], acc);              \
    TL_UNROLL for (int i = 0; i < NPX; i++)                                      \
        TL_UNROLL for (int v = 0; v < NKV; v++)                                  \
            KSTORE(out + i * ldo + v * KVL, acc[i][v]);                          \
}

/* Channel-vectorized weight-gradient tile: NR (input channel, tap) pairs x
 * NKV*VL output channels over the nq real output pixels of one image.
 *
 *   acc[r*lda + v*VL + l] += sum_{q < nq} dyt[q*ldd + v*VL + l] * in[roff[r] + poff[q]]
 *
 * dyt is the image's output gradient transposed to pixel-major, so each
 * lane owns one output channel and no horizontal reduction is ever needed. */
#define TL_CWTILE_DEF(NR, NKV)                                                   \
static KATTR void KNAME2(cwtile, NR, NKV)(int64_t nq, const KT *in,              \
                                          const int64_t *poff,                   \
                                          const int64_t *roff, const KT *dyt,    \
                                          int64_t ldd, KT *acc, int64_t lda)     \
{                                                                                \
    KV s[NR][NKV];                                                               \
    const KT *pr[NR];                                                            \
    TL_UNROLL for (int r = 0; r < NR; r++) {                                     \
        pr[r] = in + roff[r];                                                    \
        TL_UNROLL for (int v = 0; v < NKV; v++)                                  \
            s[r][v] = KZERO();                                                   \
    }                                                                            \
    for (int64_t q = 0; q < nq; q++)                                             \
        TL_CSTEP(NR, NKV, dyt + q * ldd, pr, poff[q], s);                        \
    TL_UNROLL for (int r = 0; r < NR; r++)                                       \
        TL_UNROLL for (int v = 0; v < NKV; v++) {                                \
            KT *a = acc + r * lda + v * KVL;                                     \
            KSTORE(a, KADD(KLOAD(a), s[r][v]));                                  \
        }                                                                        \
}

#endif /* TL_CONV_KERN_TILES_H */
