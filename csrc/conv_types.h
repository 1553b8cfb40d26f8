/* Micro-kernel function types and the per-architecture kernel table for one
 * element type (KT / KTN); included by conv.c once per type. */

/* forward-style tile (conv_kern_tiles.h: TL_FTILE_DEF) */
typedef void (*KTY(ftile_fn))(int64_t, const KT *, const int64_t *, const KT *, KT *, int64_t);
/* weight-gradient tile (TL_WTILE_DEF) */
typedef void (*KTY(wtile_fn))(int64_t, int64_t, const KT *, int64_t, int64_t, const KT *, int64_t,
                               const int64_t *, KT *, int64_t);
/* channel-vectorized forward tile (TL_CTILE_DEF) */
typedef void (*KTY(ctile_fn))(int64_t, const KT *, const int64_t *, const int64_t *, const KT *, KT *,
                               int64_t);
/* channel-vectorized weight-gradient tile (TL_CWTILE_DEF) */
typedef void (*KTY(cwtile_fn))(int64_t, const KT *, const int64_t *, const int64_t *, const KT *, int64_t,
                                KT *, int64_t);
typedef struct { int nv, nco; KTY(ftile_fn) fn; } KTY(fvar);
typedef struct { int nco, nk; KTY(wtile_fn) fn; } KTY(wvar);
typedef struct { int npx, nkv; KTY(ctile_fn) fn; } KTY(cvar);
typedef struct { int nr, nkv; KTY(cwtile_fn) fn; } KTY(cwvar);
typedef struct {
    int vl;
    const KTY(fvar) *f; int nf;
    const KTY(wvar) *w; int nw;
    const KTY(cvar) *c; int nc;
    const KTY(cwvar) *cw; int ncw;
} KTY(arch);
