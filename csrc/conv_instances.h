/* Everything of the convolutions for one element type (KT / KTN); included
 * by conv.c once per type.  First the micro-kernel tables of every
 * instruction-set level (one KARCH line + include each; conv_kern.h undefines
 * KARCH again), then the drivers, which pick a table at run time. */
#include "conv_types.h"

#define KARCH generic
#include "conv_kern.h"
#if TL_CONV_X86
#define KARCH avx2
#include "conv_kern.h"
#define KARCH avx512
#include "conv_kern.h"
#endif

#include "conv_plan.h"
#include "conv_pack.h"
#include "conv_forward.h"
#include "conv_backward_input.h"
#include "conv_backward_weight.h"
