/* 2-D convolution kernels (NCHW), float32 and float64.
 * Plain C declarations (and integer #defines) only: this file is parsed by
 * cffi's cdef().
 *
 * One geometry describes a convolution and its two gradients:
 *   input  x  : N x C x H x W            (C-contiguous)
 *   weight w  : K x (C / groups) x KH x KW (C-contiguous)
 *   output y  : N x K x OH x OW          (C-contiguous)
 *   y[n,k,oh,ow] = bias[k] + sum_{c in group(k), i, j}
 *       w[k, c', i, j] * xpad[n, c, oh*SH + i*DH, ow*SW + j*DW]
 * where xpad is x with PT / PB zero rows above / below and PL / PR zero
 * columns left / right (asymmetric padding is allowed).  OH and OW may be
 * smaller than the largest output the padded input allows
 * ((H + PT + PB - DH*(KH-1) - 1) / SH + 1): the missing rows / columns are
 * simply not computed (forward) or carry zero gradient (backward); this is
 * what conv_transpose2d's output_padding needs.
 *
 * Every function returns 0 on success, -1 if the geometry is inconsistent
 * (nothing is written) and -2 if scratch memory could not be allocated.
 * Work is split over the batch with OpenMP (tl_get_num_threads() threads);
 * the weight gradient is reduced over the batch in a fixed order, so results
 * are bitwise reproducible for a fixed thread count. */

/* Largest padded input plane, (H + PT + PB) * (W + PL + PR) elements, that
 * the kernels accept (2**31); larger geometries are rejected (-1).  Python
 * reads it as lib.TL_MAX_PLANE. */
#define TL_MAX_PLANE 2147483648

typedef struct {
    int64_t N, C, H, W;      /* input */
    int64_t K, KH, KW;       /* output channels, kernel size */
    int64_t OH, OW;          /* output size */
    int64_t SH, SW;          /* stride (>= 1) */
    int64_t DH, DW;          /* dilation (>= 1) */
    int64_t PT, PB, PL, PR;  /* zero padding top / bottom / left / right (>= 0) */
    int64_t groups;          /* divides C and K */
} tl_conv_geom;

/* y = conv(x, w) + bias; bias may be NULL. */
int tl_conv2d_forward_f32(const tl_conv_geom *g, const float *x, const float *w,
                          const float *bias, float *y);
int tl_conv2d_forward_f64(const tl_conv_geom *g, const double *x, const double *w,
                          const double *bias, double *y);

/* dx = d(sum y * dy)/dx (every element of dx is written). */
int tl_conv2d_backward_input_f32(const tl_conv_geom *g, const float *dy, const float *w,
                                 float *dx);
int tl_conv2d_backward_input_f64(const tl_conv_geom *g, const double *dy, const double *w,
                                 double *dx);

/* dw = d(sum y * dy)/dw; dbias (may be NULL) = sum of dy over n, oh, ow.
 * Both are overwritten. */
int tl_conv2d_backward_weight_f32(const tl_conv_geom *g, const float *x, const float *dy,
                                  float *dw, float *dbias);
int tl_conv2d_backward_weight_f64(const tl_conv_geom *g, const double *x, const double *dy,
                                  double *dw, double *dbias);

/* Name of the kernel family the convolutions use now: "avx512", "avx2" or
 * "generic".  TENSORLITE_CONV_ARCH (same names) can force a lower family. */
const char *tl_conv_arch(void);
