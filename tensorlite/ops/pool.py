"""2-D pooling with PyTorch's semantics: max_pool2d, avg_pool2d, adaptive_avg_pool2d,
adaptive_max_pool2d, over (N, C, H, W) or unbatched (C, H, W) float tensors; max_pool1d and
avg_pool1d over (N, C, L) / (C, L) are the 2-D pools of the (N, C, 1, L) view.

The arithmetic runs in tensorlite's C kernels (tensorlite.backend.pool), one (n, c) plane at a
time; float16 is computed in float32 and rounded back; integer tensors are rejected (TypeError).

Rules (all as PyTorch's CPU kernels):

* Output size: ``floor((H + 2p - d*(k-1) - 1) / s) + 1``, or with ``ceil_mode=True`` the
  ceiling, except that a last window starting beyond the input and its left padding (i.e. in the
  right padding only) is dropped: ``if (out - 1) * s >= H + p: out -= 1``.
* ``padding`` must be at most half the kernel size (``p <= k // 2``).
* max_pool2d: padding never wins (windows are clipped to the input). **Ties: the gradient goes to
  the FIRST maximal element of the window in row-major scan order** (top row first, left to right),
  which is also the index ``return_indices`` reports. A NaN in the window wins (the output is
  NaN), and of several NaNs the last one in scan order is the reported index. A window that
  holds no input element at all (possible only with dilation, e.g. kernel 2, dilation 3,
  padding 1 on a 2-wide input) gives -inf, index -1 and no gradient. (Deliberate deviation:
  PyTorch reports the index of the window's clipped start, which lies outside the window -- on an
  unrelated element or outside the plane -- and its backward writes the gradient there.)
* avg_pool2d: the window is clipped to the padded input; the divisor is ``divisor_override`` if
  given, else the window size including padding (``count_include_pad=True``) or only the input
  elements it covers. **Sum pooling** is ``avg_pool2d(x, k) * (k * k)`` (with the default
  ``count_include_pad=True``), or ``avg_pool2d(x, k, divisor_override=1)``.
* adaptive pools: output cell ``i`` covers rows ``floor(i*H/out) .. ceil((i+1)*H/out) - 1``;
  ``output_size`` is an int, a pair, and ``None`` entries keep the input size.

Average pools are linear, so each has an adjoint Function and gradients of every order exist;
max pools' backward (a scatter to the argmax) is differentiable once more (a gather).
"""
import numbers

import numpy as np

from .. import dtypes
from ..autograd.function import Function
from ..autograd.grad_mode import is_grad_enabled
from ..backend import pool as backend
from ..errors import ShapeError, DTypeError
from ._helpers import as_tensor

__all__ = ["max_pool2d", "avg_pool2d", "adaptive_avg_pool2d", "adaptive_max_pool2d", "max_pool1d", "avg_pool1d"]


# ---------------------------------------------------------------- Functions
class MaxPoolScatter(Function):
    """g (N, C, OH, OW) -> dx (N, C, H, W) with g added at the per-plane flat `idx`."""
    backward_kernel = True

    @staticmethod
    def forward(ctx, g, idx, in_hw):
        ctx.idx, ctx.in_hw = idx, in_hw
        return backend.max_pool2d_backward(g, idx, in_hw)

    @staticmethod
    def backward(ctx, gg):
        return MaxPoolGather.apply(gg, ctx.idx, ctx.in_hw), None, None


class MaxPoolGather(Function):
    """x (N, C, H, W) -> x at the per-plane flat `idx` (N, C, OH, OW)."""
    @staticmethod
    def forward(ctx, x, idx, in_hw):
        ctx.idx, ctx.in_hw = idx, in_hw
        N, C = idx.shape[:2]
        flat = np.ascontiguousarray(x).reshape(N, C, -1)
        inside = (idx >= 0) & (idx < flat.shape[2])      # empty windows point outside the plane
        out = np.take_along_axis(flat, np.where(inside, idx, 0).reshape(N, C, -1), axis=2)
        return np.where(inside, out.reshape(idx.shape), 0).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        return MaxPoolScatter.apply(g, ctx.idx, ctx.in_hw), None, None


class MaxPool2d(Function):
    """Max pooling (windowed or adaptive); the argmax indices (None unless asked for) are an extra
    output."""
    @staticmethod
    def forward(ctx, x, params):
        if params[0] == "adaptive":
            y, idx = backend.adaptive_max_pool2d_forward(x, params[1])
        else:
            _, k, s, p, d, out_hw, want_idx = params
            y, idx = backend.max_pool2d_forward(x, k, s, p, d, out_hw, return_indices=want_idx)
        ctx.idx, ctx.in_hw = idx, x.shape[2:]
        return y, idx

    @staticmethod
    def backward(ctx, g):
        return MaxPoolScatter.apply(g, ctx.idx, ctx.in_hw), None


def _avg_fwd(x, params):
    if params[0] == "adaptive":
        return backend.adaptive_avg_pool2d_forward(x, params[1])
    _, k, s, p, out_hw, cip, dov = params
    return backend.avg_pool2d_forward(x, k, s, p, out_hw, cip, dov)


def _avg_bwd(g, params, in_hw):
    if params[0] == "adaptive":
        return backend.adaptive_avg_pool2d_backward(g, in_hw)
    _, k, s, p, _, cip, dov = params
    return backend.avg_pool2d_backward(g, in_hw, k, s, p, cip, dov)


class AvgPool2d(Function):
    @staticmethod
    def forward(ctx, x, params):
        ctx.params, ctx.in_hw = params, x.shape[2:]
        return _avg_fwd(x, params)

    @staticmethod
    def backward(ctx, g):
        return AvgPool2dAdjoint.apply(g, ctx.params, ctx.in_hw), None


class AvgPool2dAdjoint(Function):
    """The (linear) backward of AvgPool2d, whose own backward is AvgPool2d again."""
    backward_kernel = True

    @staticmethod
    def forward(ctx, g, params, in_hw):
        ctx.params = params
        return _avg_bwd(g, params, in_hw)

    @staticmethod
    def backward(ctx, gg):
        return AvgPool2d.apply(gg, ctx.params), None, None


# ---------------------------------------------------------------- arguments
def _is_int(v):
    return isinstance(v, (numbers.Integral, np.integer)) and not isinstance(v, (bool, np.bool_))


def _pair(fname, name, v, lo):
    if _is_int(v):
        vals = (int(v), int(v))
    elif isinstance(v, (tuple, list)) and len(v) == 2 and all(_is_int(e) for e in v):
        vals = (int(v[0]), int(v[1]))
    elif isinstance(v, (tuple, list)) and len(v) == 1 and _is_int(v[0]):
        vals = (int(v[0]),) * 2
    else:
        raise TypeError(f"{fname}(): argument '{name}' must be an int or a tuple of 2 ints, got {v!r}")
    for e in vals:
        if e < lo:
            what = {1: "positive", 0: "non-negative"}[lo]
            raise ValueError(f"{fname}(): argument '{name}' must be {what}, got {v!r}")
        if e > 2 ** 31:
            raise ValueError(f"{fname}(): argument '{name}' = {v!r} is too large")
    return vals


def _input(fname, input):
    """(x batched float32/float64, batched?, half?)"""
    x = as_tensor(input, fname)
    if not x.is_floating_point():
        raise DTypeError(f"{fname}(): argument 'input' must be a floating point tensor, got {x.dtype}")
    if x.ndim not in (3, 4):
        raise ShapeError(f"{fname}(): expected a 3-D (unbatched) or 4-D (batched) input, got input "
                         f"of shape {tuple(x.shape)}")
    if any(s == 0 for s in x.shape[-3:]) and not (x.ndim == 4 and x.shape[0] == 0 and
                                                  all(s > 0 for s in x.shape[1:])):
        raise ShapeError(f"{fname}(): expected non-empty channel and spatial dims (a zero batch is "
                         f"allowed), got input of shape {tuple(x.shape)}")
    batched = x.ndim == 4
    if not batched:
        x = x.unsqueeze(0)
    half = x.dtype is dtypes.float16
    if half:
        x = x.float()
    return x, batched, half


def _finish(y, batched, half):
    if half:
        y = y.half()
    return y if batched else y.squeeze(0)


def _window_args(fname, x, kernel_size, stride, padding, dilation, ceil_mode):
    k = _pair(fname, "kernel_size", kernel_size, 1)
    if stride is None or (isinstance(stride, (tuple, list)) and len(stride) == 0):
        s = k
    else:
        s = _pair(fname, "stride", stride, 1)
    p = _pair(fname, "padding", padding, 0)
    d = _pair(fname, "dilation", dilation, 1)
    if p[0] > k[0] // 2 or p[1] > k[1] // 2:
        raise ValueError(f"{fname}(): pad should be at most half of kernel size, got padding={p} "
                         f"and kernel_size={k}")
    H, W = x.shape[2:]
    out = tuple(backend.pool_output_size(n, kk, ss, pp, dd, bool(ceil_mode))
                for n, kk, ss, pp, dd in zip((H, W), k, s, p, d))
    if out[0] < 1 or out[1] < 1:
        raise ShapeError(f"{fname}(): given input of shape {tuple(x.shape)}, kernel_size={k}, "
                         f"stride={s}, padding={p}, dilation={d}, the calculated output size "
                         f"{out} is too small")
    return k, s, p, d, out


def _output_size_arg(fname, output_size, H, W):
    if output_size is None or _is_int(output_size):
        vals = (output_size, output_size)
    elif isinstance(output_size, (tuple, list)) and len(output_size) == 2:
        vals = tuple(output_size)
    elif isinstance(output_size, (tuple, list)) and len(output_size) == 1:
        vals = (output_size[0], output_size[0])
    else:
        raise TypeError(f"{fname}(): argument 'output_size' must be an int, None or a tuple of 2, "
                        f"got {output_size!r}")
    if vals == (None, None) and output_size is None:
        raise TypeError(f"{fname}(): argument 'output_size' must be given")
    out = []
    for v, n in zip(vals, (H, W)):
        if v is None:
            out.append(n)
        elif not _is_int(v):
            raise TypeError(f"{fname}(): argument 'output_size' must hold ints or None, got "
                            f"{output_size!r}")
        elif v < 0:
            raise ValueError(f"{fname}(): argument 'output_size' must be non-negative, got "
                             f"{output_size!r}")
        elif v > 2 ** 31:
            raise ValueError(f"{fname}(): argument 'output_size' = {output_size!r} is too large")
        else:
            out.append(int(v))
    if out[0] * out[1] > 2 ** 31:
        raise ValueError(f"{fname}(): argument 'output_size' = {output_size!r} makes an output plane of "
                         f"{out[0] * out[1]} elements, more than 2**31")
    return tuple(out)


# ---------------------------------------------------------------- public functions
def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """Max pooling as torch.nn.functional.max_pool2d (see the module docstring for the window,
    ceil_mode, tie and NaN rules). With return_indices=True also returns int64 indices of the
    maxima, flattened per (H, W) plane."""
    return _max_pool("max_pool2d", input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def _max_pool(fname, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices):
    x, batched, half = _input(fname, input)
    k, s, p, d, out = _window_args(fname, x, kernel_size, stride, padding, dilation, ceil_mode)
    need_idx = bool(return_indices) or (is_grad_enabled() and x.requires_grad)
    y, idx = MaxPool2d.apply(x, ("max", k, s, p, d, out, need_idx))
    y = _finish(y, batched, half)
    if return_indices:
        return y, (idx if batched else idx.squeeze(0))
    return y


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """Adaptive max pooling as torch.nn.functional.adaptive_max_pool2d."""
    fname = "adaptive_max_pool2d"
    x, batched, half = _input(fname, input)
    out = _output_size_arg(fname, output_size, *x.shape[2:])
    y, idx = MaxPool2d.apply(x, ("adaptive", out))
    y = _finish(y, batched, half)
    if return_indices:
        return y, (idx if batched else idx.squeeze(0))
    return y


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """Average pooling as torch.nn.functional.avg_pool2d. Sum pooling is
    ``avg_pool2d(x, k) * (k * k)`` (or ``divisor_override=1``)."""
    return _avg_pool("avg_pool2d", input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                     divisor_override)


def _avg_pool(fname, input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override):
    x, batched, half = _input(fname, input)
    k, s, p, _, out = _window_args(fname, x, kernel_size, stride, padding, 1, ceil_mode)
    if divisor_override is not None:
        if not _is_int(divisor_override):
            raise TypeError(f"{fname}(): argument 'divisor_override' must be an int or None, got "
                            f"{divisor_override!r}")
        if divisor_override == 0:
            raise ValueError(f"{fname}(): argument 'divisor_override' must not be zero, got {divisor_override}")
        if divisor_override < 0 or divisor_override > 2 ** 31:
            raise ValueError(f"{fname}(): argument 'divisor_override' must be in [1, 2**31], got "
                             f"{divisor_override}")
        divisor_override = int(divisor_override)
    y = AvgPool2d.apply(x, ("avg", k, s, p, out, bool(count_include_pad), divisor_override))
    return _finish(y, batched, half)


def adaptive_avg_pool2d(input, output_size):
    """Adaptive average pooling as torch.nn.functional.adaptive_avg_pool2d."""
    fname = "adaptive_avg_pool2d"
    x, batched, half = _input(fname, input)
    out = _output_size_arg(fname, output_size, *x.shape[2:])
    y = AvgPool2d.apply(x, ("adaptive", out))
    return _finish(y, batched, half)


# ---------------------------------------------------------------- 1-D pools: 2-D pools of height 1
def _single(fname, name, v, lo):
    if isinstance(v, (tuple, list)) and len(v) == 1:
        v = v[0]
    if not _is_int(v):
        raise TypeError(f"{fname}(): argument '{name}' must be an int or a tuple of 1 int, got {v!r}")
    if v < lo:
        raise ValueError(f"{fname}(): argument '{name}' must be {'positive' if lo else 'non-negative'}, got {v!r}")
    return int(v)


def _input1d(fname, input, kernel_size, stride, padding, dilation):
    x = as_tensor(input, fname)
    if x.ndim not in (2, 3):
        raise ShapeError(f"{fname}(): expected a 2-D (unbatched) or 3-D (batched) input, got input "
                         f"of shape {tuple(x.shape)}")
    k = _single(fname, "kernel_size", kernel_size, 1)
    s = k if stride is None or (isinstance(stride, (tuple, list)) and len(stride) == 0) else \
        _single(fname, "stride", stride, 1)
    p = _single(fname, "padding", padding, 0)
    d = _single(fname, "dilation", dilation, 1)
    if p > k // 2:
        raise ValueError(f"{fname}(): pad should be at most half of kernel size, got padding={padding!r} "
                         f"and kernel_size={kernel_size!r}")
    return x.unsqueeze(-2), (1, k), (1, s), (0, p), (1, d)


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """Max pooling over (N, C, L) or (C, L), as torch.nn.functional.max_pool1d (the 2-D pool of an
    (N, C, 1, L) view; indices count along L)."""
    fname = "max_pool1d"
    x, k, s, p, d = _input1d(fname, input, kernel_size, stride, padding, dilation)
    out = _max_pool(fname, x, k, s, p, d, ceil_mode, return_indices)
    if return_indices:
        return out[0].squeeze(-2), out[1].squeeze(-2)
    return out.squeeze(-2)


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    """Average pooling over (N, C, L) or (C, L), as torch.nn.functional.avg_pool1d."""
    fname = "avg_pool1d"
    x, k, s, p, _ = _input1d(fname, input, kernel_size, stride, padding, 1)
    return _avg_pool(fname, x, k, s, p, ceil_mode, count_include_pad, None).squeeze(-2)
