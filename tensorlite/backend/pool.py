"""2-D pooling kernels on numpy arrays through tensorlite's C core.

This module is the only way Python code reaches the C pooling functions
(``tl_*pool2d*`` in ``csrc/pool.c``).  A thin array API: user arguments are
checked in ``tensorlite.ops.pool``; here only what keeps the C call
memory-safe (``_checks``); arrays are made C-contiguous as needed.  Inputs are
(N, C, H, W) float32 / float64 arrays, pooled per (n, c) plane.

* ``pool_output_size(size, kernel, stride, padding, dilation, ceil_mode)`` --
  PyTorch's rule (ceil mode drops a last window that would start in the
  right padding).
* ``max_pool2d_forward(x, kernel, stride, padding, dilation, out_hw,
  return_indices=True)`` -> ``(y, indices or None)``; indices are int64 flat
  positions ``ih * W + iw`` inside each plane.
* ``max_pool2d_backward(dy, indices, in_hw)`` (also adaptive max pooling).
* ``avg_pool2d_forward(x, kernel, stride, padding, out_hw, count_include_pad,
  divisor_override)`` / ``avg_pool2d_backward(dy, in_hw, ...)``.
* ``adaptive_avg_pool2d_forward(x, out_hw)`` / ``adaptive_avg_pool2d_backward(dy, in_hw)``.
* ``adaptive_max_pool2d_forward(x, out_hw)`` -> ``(y, indices)``.
"""
import numpy as np

from . import kernel
from ._checks import MAX_DIM, as_int, as_ints, check_rc, float_array
from ._ffi import ffi, lib, ptr

__all__ = ["pool_output_size", "max_pool2d_forward", "max_pool2d_backward", "avg_pool2d_forward",
           "avg_pool2d_backward", "adaptive_avg_pool2d_forward", "adaptive_avg_pool2d_backward",
           "adaptive_max_pool2d_forward"]

_SUFFIX = {np.dtype(np.float32): ("float *", "f32"), np.dtype(np.float64): ("double *", "f64")}


def _fn(name, dtype):
    return getattr(lib, f"{name}_{_SUFFIX[dtype][1]}")


def _ptr(a):
    return ptr("int64_t *" if a.dtype == np.int64 else _SUFFIX[a.dtype][0], a)


def pool_output_size(size, kernel, stride, padding, dilation=1, ceil_mode=False):
    """Output extent of a pooling window along one axis (PyTorch's rule; may be <= 0)."""
    num = size + 2 * padding - dilation * (kernel - 1) - 1 + (stride - 1 if ceil_mode else 0)
    out = num // stride + 1
    if ceil_mode and (out - 1) * stride >= size + padding:
        out -= 1
    return out


def _geom(fn, x_shape, out_hw, kernel=(1, 1), stride=(1, 1), padding=(0, 0), dilation=(1, 1)):
    N, C, H, W = x_shape
    if H < 1 or W < 1:
        raise ValueError(f"{fn}: input planes must be non-empty, got shape {tuple(x_shape)}")
    if H > MAX_DIM or W > MAX_DIM:
        raise ValueError(f"{fn}: input shape {tuple(x_shape)} is too large")
    OH, OW = as_ints(fn, "out_hw", out_hw, 2, 0)
    KH, KW = as_ints(fn, "kernel", kernel, 2, 1)
    SH, SW = as_ints(fn, "stride", stride, 2, 1)
    PH, PW = as_ints(fn, "padding", padding, 2, 0)
    DH, DW = as_ints(fn, "dilation", dilation, 2, 1)
    g = ffi.new("tl_pool_geom *")
    g.planes, g.H, g.W, g.OH, g.OW = N * C, H, W, OH, OW
    g.KH, g.KW, g.SH, g.SW, g.PH, g.PW, g.DH, g.DW = KH, KW, SH, SW, PH, PW, DH, DW
    return g


def _windowed_geom(fn, x_shape, kernel, stride, padding, dilation, out_hw):
    g = _geom(fn, x_shape, out_hw, kernel, stride, padding, dilation)
    for k, p in ((g.KH, g.PH), (g.KW, g.PW)):
        if p > k // 2:
            raise ValueError(f"{fn}: padding {p} must be at most half the kernel size {k}")
    return g


@kernel("max_pool2d_forward")
def max_pool2d_forward(x, kernel, stride, padding=(0, 0), dilation=(1, 1), out_hw=None,
                       return_indices=True):
    """Max pooling; returns (y, indices) (indices None unless return_indices)."""
    fn = "max_pool2d_forward"
    x = float_array(fn, "x", x, 4)
    kernel, stride = as_ints(fn, "kernel", kernel, 2, 1), as_ints(fn, "stride", stride, 2, 1)
    padding, dilation = as_ints(fn, "padding", padding, 2, 0), as_ints(fn, "dilation", dilation, 2, 1)
    if out_hw is None:
        out_hw = tuple(pool_output_size(s, k, st, p, d)
                       for s, k, st, p, d in zip(x.shape[2:], kernel, stride, padding, dilation))
    g = _windowed_geom(fn, x.shape, kernel, stride, padding, dilation, out_hw)
    y = np.empty(x.shape[:2] + (g.OH, g.OW), dtype=x.dtype)
    idx = np.empty(y.shape, dtype=np.int64) if return_indices else None
    if y.size:
        check_rc(fn, _fn("tl_max_pool2d_forward", x.dtype)(
            g, _ptr(x), _ptr(y), ffi.NULL if idx is None else _ptr(idx)))
    return y, idx


@kernel("max_pool2d_backward")
def max_pool2d_backward(dy, indices, in_hw):
    """Scatter-add dy to the positions `indices` (from a max pooling forward) of
    (N, C) + in_hw planes; indices outside a plane (empty windows) receive nothing."""
    fn = "max_pool2d_backward"
    dy = float_array(fn, "dy", dy, 4)
    if not isinstance(indices, np.ndarray) or indices.shape != dy.shape:
        raise ValueError(f"{fn}: indices must be an array of dy's shape {dy.shape}")
    indices = np.require(indices, dtype=np.int64, requirements=("C", "A"))
    H, W = as_ints(fn, "in_hw", in_hw, 2, 1)
    g = _geom(fn, dy.shape[:2] + (H, W), dy.shape[2:])
    dx = np.zeros(dy.shape[:2] + (H, W), dtype=dy.dtype)
    if dy.size:
        check_rc(fn, _fn("tl_max_pool2d_backward", dy.dtype)(g, _ptr(dy), _ptr(indices), _ptr(dx)))
    return dx


def _avg_args(fn, count_include_pad, divisor_override):
    if divisor_override is None:
        dov = 0
    else:
        dov = as_int(fn, "divisor_override", divisor_override, 1)
    return 1 if count_include_pad else 0, dov


@kernel("avg_pool2d_forward")
def avg_pool2d_forward(x, kernel, stride, padding=(0, 0), out_hw=None, count_include_pad=True,
                       divisor_override=None):
    fn = "avg_pool2d_forward"
    x = float_array(fn, "x", x, 4)
    kernel, stride = as_ints(fn, "kernel", kernel, 2, 1), as_ints(fn, "stride", stride, 2, 1)
    padding = as_ints(fn, "padding", padding, 2, 0)
    if out_hw is None:
        out_hw = tuple(pool_output_size(s, k, st, p)
                       for s, k, st, p in zip(x.shape[2:], kernel, stride, padding))
    g = _windowed_geom(fn, x.shape, kernel, stride, padding, (1, 1), out_hw)
    cip, dov = _avg_args(fn, count_include_pad, divisor_override)
    y = np.empty(x.shape[:2] + (g.OH, g.OW), dtype=x.dtype)
    if y.size:
        check_rc(fn, _fn("tl_avg_pool2d_forward", x.dtype)(g, cip, dov, _ptr(x), _ptr(y)))
    return y


@kernel("avg_pool2d_backward")
def avg_pool2d_backward(dy, in_hw, kernel, stride, padding=(0, 0), count_include_pad=True,
                        divisor_override=None):
    fn = "avg_pool2d_backward"
    dy = float_array(fn, "dy", dy, 4)
    H, W = as_ints(fn, "in_hw", in_hw, 2, 1)
    g = _windowed_geom(fn, dy.shape[:2] + (H, W), kernel, stride, padding, (1, 1), dy.shape[2:])
    cip, dov = _avg_args(fn, count_include_pad, divisor_override)
    dx = np.zeros(dy.shape[:2] + (H, W), dtype=dy.dtype)
    if dy.size:
        check_rc(fn, _fn("tl_avg_pool2d_backward", dy.dtype)(g, cip, dov, _ptr(dy), _ptr(dx)))
    return dx


@kernel("adaptive_avg_pool2d_forward")
def adaptive_avg_pool2d_forward(x, out_hw):
    fn = "adaptive_avg_pool2d_forward"
    x = float_array(fn, "x", x, 4)
    g = _geom(fn, x.shape, out_hw)
    y = np.empty(x.shape[:2] + (g.OH, g.OW), dtype=x.dtype)
    if y.size:
        check_rc(fn, _fn("tl_adaptive_avg_pool2d_forward", x.dtype)(g, _ptr(x), _ptr(y)))
    return y


@kernel("adaptive_avg_pool2d_backward")
def adaptive_avg_pool2d_backward(dy, in_hw):
    fn = "adaptive_avg_pool2d_backward"
    dy = float_array(fn, "dy", dy, 4)
    H, W = as_ints(fn, "in_hw", in_hw, 2, 1)
    g = _geom(fn, dy.shape[:2] + (H, W), dy.shape[2:])
    dx = np.zeros(dy.shape[:2] + (H, W), dtype=dy.dtype)
    if dy.size:
        check_rc(fn, _fn("tl_adaptive_avg_pool2d_backward", dy.dtype)(g, _ptr(dy), _ptr(dx)))
    return dx


@kernel("adaptive_max_pool2d_forward")
def adaptive_max_pool2d_forward(x, out_hw):
    fn = "adaptive_max_pool2d_forward"
    x = float_array(fn, "x", x, 4)
    g = _geom(fn, x.shape, out_hw)
    y = np.empty(x.shape[:2] + (g.OH, g.OW), dtype=x.dtype)
    idx = np.empty(y.shape, dtype=np.int64)
    if y.size:
        check_rc(fn, _fn("tl_adaptive_max_pool2d_forward", x.dtype)(g, _ptr(x), _ptr(y), _ptr(idx)))
    return y, idx
