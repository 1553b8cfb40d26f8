/* 2-D pooling kernels (NCHW, pooled per plane), float32 and float64.
 * Plain C declarations only: this file is parsed by cffi's cdef().
 *
 * x has `planes` (= N * C) contiguous H x W planes, y has `planes` OH x OW
 * planes.  Windows follow PyTorch's CPU kernels exactly:
 *   max:  rows oh*SH - PH + i*DH (i < KH), clipped to [0, H) (padding never
 *         wins); the first maximal element in row-major scan order wins a
 *         tie; a NaN wins over numbers, and a later NaN over an earlier one.
 *         idx (may be NULL) receives the winner's flat index ih*W + iw in its
 *         plane; a window with no input element (possible with dilation)
 *         gives -inf and index -1.
 *   avg:  rows [oh*SH - PH, min(oh*SH - PH + KH, H + PH)), clipped to [0, H);
 *         divisor = divisor_override if > 0, else the window size before
 *         clipping to the input (count_include_pad != 0) or after it.
 *   adaptive: rows [floor(oh*H/OH), ceil((oh+1)*H/OH)), likewise for columns.
 * Backward functions overwrite dx completely (accumulating inside a plane in
 * a fixed order); max backward gives nothing to indices outside [0, H*W)
 * (-1 from empty windows).  Every function returns 0, or -1 for an invalid geometry
 * (nothing written).  Work is split over planes with OpenMP. */

typedef struct {
    int64_t planes, H, W;   /* input: planes x H x W */
    int64_t OH, OW;         /* output size */
    int64_t KH, KW;         /* window (ignored by the adaptive pools) */
    int64_t SH, SW;         /* stride */
    int64_t PH, PW;         /* padding (top = bottom, left = right) */
    int64_t DH, DW;         /* dilation (max pooling only; 1 otherwise) */
} tl_pool_geom;

int tl_max_pool2d_forward_f32(const tl_pool_geom *g, const float *x, float *y, int64_t *idx);
int tl_max_pool2d_forward_f64(const tl_pool_geom *g, const double *x, double *y, int64_t *idx);

/* Also the backward of adaptive max pooling: only planes, H, W, OH, OW are read. */
int tl_max_pool2d_backward_f32(const tl_pool_geom *g, const float *dy, const int64_t *idx,
                               float *dx);
int tl_max_pool2d_backward_f64(const tl_pool_geom *g, const double *dy, const int64_t *idx,
                               double *dx);

int tl_avg_pool2d_forward_f32(const tl_pool_geom *g, int count_include_pad,
                              int64_t divisor_override, const float *x, float *y);
int tl_avg_pool2d_forward_f64(const tl_pool_geom *g, int count_include_pad,
                              int64_t divisor_override, const double *x, double *y);
int tl_avg_pool2d_backward_f32(const tl_pool_geom *g, int count_include_pad,
                               int64_t divisor_override, const float *dy, float *dx);
int tl_avg_pool2d_backward_f64(const tl_pool_geom *g, int count_include_pad,
                               int64_t divisor_override, const double *dy, double *dx);

int tl_adaptive_avg_pool2d_forward_f32(const tl_pool_geom *g, const float *x, float *y);
int tl_adaptive_avg_pool2d_forward_f64(const tl_pool_geom *g, const double *x, double *y);
int tl_adaptive_avg_pool2d_backward_f32(const tl_pool_geom *g, const float *dy, float *dx);
int tl_adaptive_avg_pool2d_backward_f64(const tl_pool_geom *g, const double *dy, double *dx);

int tl_adaptive_max_pool2d_forward_f32(const tl_pool_geom *g, const float *x, float *y,
                                       int64_t *idx);
int tl_adaptive_max_pool2d_forward_f64(const tl_pool_geom *g, const double *x, double *y,
                                       int64_t *idx);
