"""2-D convolution kernels on numpy arrays through tensorlite's C core.

This module is the only way Python code reaches the C convolutions
(``tl_conv2d_*`` in ``csrc/conv.c``).  A thin array API: user arguments are
checked in ``tensorlite.ops.conv``; here only what keeps the C call
memory-safe (``_checks``: dtypes, dimensions, consistent shapes, sizes in
C's range); arrays are made C-contiguous as needed.

One geometry describes a convolution and its two gradients (NCHW)::

    x  : (N, C, H, W)          w : (K, C // groups, KH, KW)
    y  : (N, K, OH, OW)        OH <= (H + pt + pb - dh*(KH-1) - 1) // sh + 1

``padding`` is always the 4-tuple ``(top, bottom, left, right)``.  ``OH`` /
``OW`` default to the largest output; smaller values (only the first rows /
columns of the full output) are what ``conv_transpose2d``'s
``output_padding`` needs.

* ``conv2d_forward(x, w, bias, stride, padding, dilation, groups, out_hw=None)``
* ``conv2d_backward_input(dy, w, input_hw, stride, padding, dilation, groups)``
* ``conv2d_backward_weight(x, dy, kernel_hw, stride, padding, dilation, groups,
  bias_grad=False)`` -> ``(dw, db or None)``
* ``conv_output_size(size, kernel, stride, pad_before, pad_after, dilation)``
* ``arch()`` -- the kernel family in use ("avx512", "avx2" or "generic").
"""
import numpy as np

from . import MAX_PLANE, kernel
from ._checks import MAX_DIM, as_int, as_ints, check_rc, float_array
from ._ffi import ffi, lib, ptr

__all__ = ["conv2d_forward", "conv2d_backward_input", "conv2d_backward_weight",
           "conv_output_size", "arch"]

_F32 = np.dtype(np.float32)
_F64 = np.dtype(np.float64)
_KERNELS = {
    _F32: ("float *", lib.tl_conv2d_forward_f32, lib.tl_conv2d_backward_input_f32,
           lib.tl_conv2d_backward_weight_f32),
    _F64: ("double *", lib.tl_conv2d_forward_f64, lib.tl_conv2d_backward_input_f64,
           lib.tl_conv2d_backward_weight_f64),
}


def arch():
    """Kernel family the C convolutions use now."""
    return ffi.string(lib.tl_conv_arch()).decode()


def _same_dtype(fn, arrays):
    dts = {a.dtype for _, a in arrays}
    if len(dts) > 1:
        desc = ", ".join(f"'{n}' {a.dtype}" for n, a in arrays)
        raise TypeError(f"{fn}: arguments must have the same dtype, got {desc}")


def conv_output_size(size, kernel, stride, pad_before, pad_after, dilation):
    """Largest output extent of a convolution along one axis (may be <= 0 when the
    dilated kernel does not fit the padded input)."""
    return (size + pad_before + pad_after - dilation * (kernel - 1) - 1) // stride + 1


def _geometry(fn, N, C, H, W, K, KH, KW, stride, padding, dilation, groups, out_hw):
    sh, sw = as_ints(fn, "stride", stride, 2, 1)
    dh, dw = as_ints(fn, "dilation", dilation, 2, 1)
    pt, pb, pl, pr = as_ints(fn, "padding", padding, 4, 0)
    groups = as_int(fn, "groups", groups, 1)
    for name, v in (("N", N), ("C", C), ("H", H), ("W", W), ("K", K), ("KH", KH), ("KW", KW)):
        if v > MAX_DIM:
            raise ValueError(f"{fn}: size {name} = {v} is too large")
    if C < 1 or K < 1 or KH < 1 or KW < 1:
        raise ValueError(f"{fn}: channels and kernel sizes must be >= 1, got C={C}, K={K}, "
                         f"kernel=({KH}, {KW})")
    if C % groups or K % groups:
        raise ValueError(f"{fn}: groups={groups} must divide both the input channels ({C}) and "
                         f"the output channels ({K})")
    hp, wp = H + pt + pb, W + pl + pr
    eh, ew = dh * (KH - 1) + 1, dw * (KW - 1) + 1
    if hp < eh or wp < ew:
        raise ValueError(f"{fn}: padded input ({hp} x {wp}) is smaller than the dilated kernel "
                         f"({eh} x {ew})")
    if hp * wp > MAX_PLANE or (C + 1) * hp * wp > 2 ** 40:
        raise ValueError(f"{fn}: padded input ({C} x {hp} x {wp}) is too large")
    max_oh, max_ow = (hp - eh) // sh + 1, (wp - ew) // sw + 1
    if out_hw is None:
        oh, ow = max_oh, max_ow
    else:
        oh, ow = as_ints(fn, "out_hw", out_hw, 2, 1)
        if oh > max_oh or ow > max_ow:
            raise ValueError(f"{fn}: output size ({oh}, {ow}) exceeds the largest output "
                             f"({max_oh}, {max_ow}) of this geometry")
    # Only one output row (column): the stride along it never matters; nor does the
    # dilation of a 1-wide kernel. Normalizing keeps the C kernels' stride-phase
    # bookkeeping (one phase per stride offset) small for huge strides.
    if oh == 1:
        sh = 1
    if ow == 1:
        sw = 1
    if KH == 1:
        dh = 1
    if KW == 1:
        dw = 1
    g = ffi.new("tl_conv_geom *")
    g.N, g.C, g.H, g.W = N, C, H, W
    g.K, g.KH, g.KW = K, KH, KW
    g.OH, g.OW = oh, ow
    g.SH, g.SW, g.DH, g.DW = sh, sw, dh, dw
    g.PT, g.PB, g.PL, g.PR = pt, pb, pl, pr
    g.groups = groups
    return g


@kernel("conv2d_forward")
def conv2d_forward(x, w, bias=None, stride=(1, 1), padding=(0, 0, 0, 0), dilation=(1, 1),
                   groups=1, out_hw=None):
    """y = conv2d(x, w) + bias for NCHW float32 / float64 arrays; returns a new
    C-contiguous (N, K, OH, OW) array."""
    fn = "conv2d_forward"
    x = float_array(fn, "x", x, 4)
    w = float_array(fn, "w", w, 4)
    arrays = [("x", x), ("w", w)]
    if bias is not None:
        bias = float_array(fn, "bias", bias, 1)
        arrays.append(("bias", bias))
    _same_dtype(fn, arrays)
    N, C, H, W = x.shape
    K, Cg, KH, KW = w.shape
    groups = as_int(fn, "groups", groups, 1)
    if Cg * groups != C:
        raise ValueError(f"{fn}: weight {w.shape} with groups={groups} expects {Cg * groups} "
                         f"input channels, got input {x.shape}")
    if bias is not None and bias.shape != (K,):
        raise ValueError(f"{fn}: bias must have shape ({K},), got {bias.shape}")
    g = _geometry(fn, N, C, H, W, K, KH, KW, stride, padding, dilation, groups, out_hw)
    y = np.empty((N, K, g.OH, g.OW), dtype=x.dtype)
    if y.size == 0:
        return y
    ctype, fwd, _, _ = _KERNELS[x.dtype]
    rc = fwd(g, ptr(ctype, x), ptr(ctype, w),
             ffi.NULL if bias is None else ptr(ctype, bias), ptr(ctype, y))
    check_rc(fn, rc)
    return y


@kernel("conv2d_backward_input")
def conv2d_backward_input(dy, w, input_hw, stride=(1, 1), padding=(0, 0, 0, 0),
                          dilation=(1, 1), groups=1):
    """Gradient of conv2d with respect to its input, (N, C, H, W) with
    (H, W) = input_hw; dy is (N, K, OH, OW)."""
    fn = "conv2d_backward_input"
    dy = float_array(fn, "dy", dy, 4)
    w = float_array(fn, "w", w, 4)
    _same_dtype(fn, [("dy", dy), ("w", w)])
    H, W = as_ints(fn, "input_hw", input_hw, 2, 0)
    N, K, OH, OW = dy.shape
    Kw, Cg, KH, KW = w.shape
    groups = as_int(fn, "groups", groups, 1)
    if Kw != K:
        raise ValueError(f"{fn}: dy {dy.shape} has {K} channels but weight {w.shape} has {Kw} "
                         "output channels")
    C = Cg * groups
    g = _geometry(fn, N, C, H, W, K, KH, KW, stride, padding, dilation, groups, (OH, OW))
    dx = np.empty((N, C, H, W), dtype=dy.dtype)
    if dx.size == 0:
        return dx
    ctype, _, bwd, _ = _KERNELS[dy.dtype]
    check_rc(fn, bwd(g, ptr(ctype, dy), ptr(ctype, w), ptr(ctype, dx)))
    return dx


@kernel("conv2d_backward_weight")
def conv2d_backward_weight(x, dy, kernel_hw, stride=(1, 1), padding=(0, 0, 0, 0),
                           dilation=(1, 1), groups=1, bias_grad=False):
    """Gradients of conv2d with respect to its weight, (K, C // groups, KH, KW)
    with (KH, KW) = kernel_hw, and (bias_grad=True) its bias, (K,).
    Returns (dw, db), db None unless requested."""
    fn = "conv2d_backward_weight"
    x = float_array(fn, "x", x, 4)
    dy = float_array(fn, "dy", dy, 4)
    _same_dtype(fn, [("x", x), ("dy", dy)])
    KH, KW = as_ints(fn, "kernel_hw", kernel_hw, 2, 1)
    N, C, H, W = x.shape
    N2, K, OH, OW = dy.shape
    if N2 != N:
        raise ValueError(f"{fn}: x {x.shape} and dy {dy.shape} have different batch sizes")
    groups = as_int(fn, "groups", groups, 1)
    g = _geometry(fn, N, C, H, W, K, KH, KW, stride, padding, dilation, groups, (OH, OW))
    dw = np.empty((K, C // groups, KH, KW), dtype=x.dtype)
    db = np.empty((K,), dtype=x.dtype) if bias_grad else None
    ctype, _, _, bwd = _KERNELS[x.dtype]
    rc = bwd(g, ptr(ctype, x), ptr(ctype, dy), ptr(ctype, dw),
             ffi.NULL if db is None else ptr(ctype, db))
    check_rc(fn, rc)
    return dw, db
