/* Micro-kernel instantiations for one (instruction set, element type) pair;
 * included by conv_instances.h once per pair, with KT / KTN (element type and
 * its name suffix, f32 / f64) and KARCH (generic, avx2 or avx512) defined;
 * the vector operations come from conv_simd.h.  Defines KNAME(arch): the
 * tables of forward tiles (NV vectors of pixels x NCO output channels),
 * weight-gradient tiles (NCO output channels x NK reduction pairs) and
 * channel-vectorized forward / weight-gradient tiles (NPX pixels or NR
 * pairs x NKV vectors of output channels) the driver chooses from with a
 * cost model.  Shapes are those whose accumulators + operands fit the
 * register file (16 vector registers for generic / AVX2, 32 for AVX-512).
 * KARCH is undefined at the end. */
#include "conv_simd.h"
#include "conv_kern_tiles.h"

/* tile shapes per level: TL_<kind>TILES_<level>(X) lists X(a, b) */
#define TL_FTILES_generic(X) X(4, 4) X(1, 8) X(8, 1) X(2, 2) X(1, 1)
#define TL_WTILES_generic(X) X(4, 4) X(2, 2) X(1, 4) X(4, 1) X(1, 1)
#define TL_CTILES_generic(X) X(4, 4) X(2, 8)
#define TL_CWTILES_generic(X) X(4, 4) X(2, 8)

#define TL_FTILES_avx2(X) X(1, 4) X(1, 8) X(1, 12) X(2, 2) X(2, 4) X(2, 6) X(3, 4) \
                          X(4, 1) X(4, 2) X(4, 3) X(6, 2) X(8, 1) X(12, 1)
#define TL_WTILES_avx2(X) X(1, 1) X(1, 4) X(1, 8) X(1, 9) X(1, 12) X(2, 2) X(2, 4) X(2, 6) \
                          X(3, 3) X(3, 4) X(4, 1) X(4, 2) X(4, 3) X(6, 2) X(8, 1) X(12, 1)
#define TL_CTILES_avx2(X) X(6, 2) X(4, 3) X(8, 1) X(3, 4)
#define TL_CWTILES_avx2(X) X(6, 2) X(4, 3) X(8, 1) X(3, 4)

#define TL_FTILES_avx512(X) X(1, 8) X(1, 16) X(1, 24) X(2, 2) X(2, 6) X(2, 12) X(3, 8) X(4, 1) \
                            X(4, 4) X(4, 6) X(6, 4) X(8, 1) X(8, 3) X(12, 2) X(16, 1) X(24, 1)
#define TL_WTILES_avx512(X) X(1, 1) X(1, 4) X(1, 9) X(1, 16) X(2, 2) X(2, 8) X(2, 12) X(3, 8) \
                            X(4, 1) X(4, 4) X(4, 6) X(6, 4) X(8, 2) X(8, 3) X(12, 2) X(16, 1)
#define TL_CTILES_avx512(X) X(6, 4) X(8, 3) X(8, 2) X(12, 2) X(8, 1) X(12, 1)
#define TL_CWTILES_avx512(X) X(6, 4) X(8, 3) X(8, 2) X(12, 2) X(8, 1) X(12, 1)

#define TL_FTILES(X) TL_CAT(TL_FTILES_, KARCH)(X)
#define TL_WTILES(X) TL_CAT(TL_WTILES_, KARCH)(X)
#define TL_CTILES(X) TL_CAT(TL_CTILES_, KARCH)(X)
#define TL_CWTILES(X) TL_CAT(TL_CWTILES_, KARCH)(X)

TL_FTILES(TL_FTILE_DEF)
TL_WTILES(TL_WTILE_DEF)
TL_CTILES(TL_CTILE_DEF)
TL_CWTILES(TL_CWTILE_DEF)

#define TL_FENTRY(A, B) {A, B, KNAME2(ftile, A, B)},
#define TL_WENTRY(A, B) {A, B, KNAME2(wtile, A, B)},
static const KTY(fvar) KNAME(ftiles)[] = { TL_FTILES(TL_FENTRY) };
static const KTY(wvar) KNAME(wtiles)[] = { TL_WTILES(TL_WENTRY) };
#define TL_CENTRY(A, B) {A, B, KNAME2(ctile, A, B)},
static const KTY(cvar) KNAME(ctiles)[] = { TL_CTILES(TL_CENTRY) };
#define TL_CWENTRY(A, B) {A, B, KNAME2(cwtile, A, B)},
static const KTY(cwvar) KNAME(cwtiles)[] = { TL_CWTILES(TL_CWENTRY) };

static const KTY(arch) KNAME(arch) = {
    KVL, KNAME(ftiles), (int)(sizeof(KNAME(ftiles)) / sizeof(KNAME(ftiles)[0])),
    KNAME(wtiles), (int)(sizeof(KNAME(wtiles)) / sizeof(KNAME(wtiles)[0])),
    KNAME(ctiles), (int)(sizeof(KNAME(ctiles)) / sizeof(KNAME(ctiles)[0])),
    KNAME(cwtiles), (int)(sizeof(KNAME(cwtiles)) / sizeof(KNAME(cwtiles)[0])),
};

#undef TL_FTILES
#undef TL_WTILES
#undef TL_FENTRY
#undef TL_WENTRY
#undef TL_CTILES
#undef TL_CENTRY
#undef TL_CWTILES
#undef TL_CWENTRY
#include "conv_simd_end.h"
