"""Pools built on ops.pool (torch.nn.functional's names and signatures): 1-D adaptive pools, the
*_with_indices spellings, power-average (LP) pools and max-unpooling.

1-D pools are the 2-D pools of an (N, C, 1, L) view; lp_pool is torch's formula over avg_pool;
max_unpool scatters each value to the flat (H * W) position its index names, so its gradient is
the gather of the output gradient at those positions."""
import numbers

import numpy as np

from ..errors import ShapeError, ArgumentError
from ..tensor import Tensor
from ._helpers import as_tensor
from . import pool as _pool
from .elementwise import sign, relu, abs as _abs

__all__ = ["adaptive_avg_pool1d", "adaptive_max_pool1d", "adaptive_max_pool1d_with_indices",
           "adaptive_max_pool2d_with_indices", "max_pool1d_with_indices", "max_pool2d_with_indices", "lp_pool1d",
           "lp_pool2d", "max_unpool1d", "max_unpool2d"]


def _is_int(v):
    return isinstance(v, (numbers.Integral, np.integer)) and not isinstance(v, (bool, np.bool_))


def _single_output_size(output_size, fname):
    if isinstance(output_size, (tuple, list)):
        if len(output_size) != 1:
            raise ValueError(f"{fname}(): argument 'output_size' must be an int or a tuple of 1 int, got "
                             f"{output_size!r}")
        output_size = output_size[0]
    if not _is_int(output_size):
        raise TypeError(f"{fname}(): argument 'output_size' must be an int, got {output_size!r:.40}")
    if output_size < 0:
        raise ValueError(f"{fname}(): argument 'output_size' must be non-negative, got {output_size}")
    return int(output_size)


def _input_1d(input, fname):
    x = as_tensor(input, fname)
    if x.ndim not in (2, 3) or any(s == 0 for s in x.shape[1:]):
        raise ShapeError(f"{fname}(): expected 2D or 3D (batched) input with non-zero non-batch dims, but got "
                         f"input of shape {tuple(x.shape)}")
    return x


def adaptive_avg_pool1d(input, output_size):
    """Adaptive average pooling over the last dim of an (N, C, L) or (C, L) input."""
    fname = "adaptive_avg_pool1d"
    x = _input_1d(input, fname)
    out = _single_output_size(output_size, fname)
    return _pool.adaptive_avg_pool2d(x.unsqueeze(-2), (1, out)).squeeze(-2)


def adaptive_max_pool1d(input, output_size, return_indices=False):
    """Adaptive max pooling over the last dim; indices count along L."""
    fname = "adaptive_max_pool1d"
    x = _input_1d(input, fname)
    out = _single_output_size(output_size, fname)
    y, idx = _pool.adaptive_max_pool2d(x.unsqueeze(-2), (1, out), return_indices=True)
    if return_indices:
        return y.squeeze(-2), idx.squeeze(-2)
    return y.squeeze(-2)


def adaptive_max_pool1d_with_indices(input, output_size, return_indices=False):
    return adaptive_max_pool1d(input, output_size, return_indices=True)


def adaptive_max_pool2d_with_indices(input, output_size, return_indices=False):
    return _pool.adaptive_max_pool2d(input, output_size, return_indices=True)


def max_pool1d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=False):
    """max_pool1d that always returns (output, indices), as torch's *_with_indices."""
    return _pool.max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices=True)


def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=False):
    return _pool.max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices=True)


# ------------------------------------------------------------------ power-average pools
def _lp_finish(out, norm_type, window):
    # torch's sign(out) * relu(|out|): a negative average (odd p, negative inputs) keeps its sign
    return ((sign(out) * relu(_abs(out))) * window) ** (1.0 / norm_type)


def _norm_type(norm_type, fname):
    if isinstance(norm_type, (bool, np.bool_)) or not isinstance(norm_type, (numbers.Real, np.floating)):
        raise TypeError(f"{fname}(): argument 'norm_type' must be a number, got {norm_type!r:.40}")
    return float(norm_type)


def _lp_rank(x, fname, lo):
    """Checked here so the error names lp_pool, not the avg_pool it runs on."""
    if x.ndim not in (lo, lo + 1):
        raise ShapeError(f"{fname}(): expected a {lo}-D (unbatched) or {lo + 1}-D (batched) input, got input of "
                         f"shape {tuple(x.shape)}")


def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """(sum over each window of x ** p) ** (1 / p); p = inf is max pooling of |x|."""
    fname = "lp_pool1d"
    p = _norm_type(norm_type, fname)
    x = as_tensor(input, fname)
    _lp_rank(x, fname, 2)
    k = kernel_size[0] if isinstance(kernel_size, (tuple, list)) and len(kernel_size) == 1 else kernel_size
    if not _is_int(k):
        raise TypeError(f"{fname}(): argument 'kernel_size' must be an int or a tuple of 1 int, got "
                        f"{kernel_size!r:.40}")
    if k <= 0:
        raise ValueError(f"{fname}(): argument 'kernel_size' must be positive, got {kernel_size!r}")
    if p == float("inf"):
        return _pool.max_pool1d(_abs(x), kernel_size, stride, 0, 1, ceil_mode)
    if p == -float("inf"):
        return -_pool.max_pool1d(-_abs(x), kernel_size, stride, 0, 1, ceil_mode)
    out = _pool.avg_pool1d(x ** p, kernel_size, stride, 0, ceil_mode)
    return _lp_finish(out, p, int(k))


def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    fname = "lp_pool2d"
    p = _norm_type(norm_type, fname)
    x = as_tensor(input, fname)
    _lp_rank(x, fname, 3)
    kh, kw = _pool._pair(fname, "kernel_size", kernel_size, 1)
    if p == float("inf"):
        return _pool.max_pool2d(_abs(x), kernel_size, stride, 0, 1, ceil_mode)
    if p == -float("inf"):
        return -_pool.max_pool2d(-_abs(x), kernel_size, stride, 0, 1, ceil_mode)
    out = _pool.avg_pool2d(x ** p, kernel_size, stride, 0, ceil_mode)
    return _lp_finish(out, p, kh * kw)


# ------------------------------------------------------------------ max-unpooling
def _ntuple(v, n, fname, name):
    vals = tuple(v) if isinstance(v, (tuple, list)) else (v,) * n
    if len(vals) == 1 and n > 1:
        vals = vals * n
    if len(vals) != n or not all(_is_int(e) for e in vals):
        raise TypeError(f"{fname}(): argument '{name}' must be an int or a tuple of {n} ints, got {v!r:.40}")
    return tuple(int(e) for e in vals)


def _unpool_output_size(x, k, s, p, output_size, fname):
    n = len(k)
    default = [(x.shape[x.ndim - n + d] - 1) * s[d] + k[d] - 2 * p[d] for d in range(n)]
    if output_size is None:
        out = default
    else:
        output_size = list(output_size) if isinstance(output_size, (tuple, list)) else [output_size]
        if len(output_size) == n + 2:
            output_size = output_size[2:]
        if len(output_size) != n:
            raise ValueError(f"{fname}(): output_size should be a sequence containing {n} or {n + 2} elements, but "
                             f"it has a length of '{len(output_size)}'")
        for d in range(n):
            lo, hi = default[d] - s[d], default[d] + s[d]
            if not lo < output_size[d] < hi:
                raise ValueError(f"{fname}(): invalid output_size \"{output_size}\" (dim {d} must be between {lo} "
                                 f"and {hi})")
        out = [int(v) for v in output_size]
    for d, v in enumerate(out):
        if v < 0:
            raise ValueError(f"{fname}(): max_unpooling: output_size must contain non-negative spatial dimensions, "
                             f"but got output_size[{d}]={v}")
    return out


def _max_unpool(input, indices, kernel_size, stride, padding, output_size, n, fname):
    from .indexing import scatter
    x = as_tensor(input, fname)
    if not isinstance(indices, Tensor) or indices.is_floating_point() or indices.dtype.name == "bool":
        raise TypeError(f"{fname}(): argument 'indices' must be an int64 tensor (from max_pool with "
                        f"return_indices=True), got {getattr(indices, 'dtype', type(indices).__name__)}")
    k = _ntuple(kernel_size, n, fname, "kernel_size")
    s = k if stride is None else _ntuple(stride, n, fname, "stride")
    p = _ntuple(padding, n, fname, "padding")
    if x.ndim not in (n + 1, n + 2):
        raise ShapeError(f"{fname}(): expected {n + 1}D or {n + 2}D (batched) argument 'input', got shape "
                         f"{tuple(x.shape)}")
    if tuple(indices.shape) != tuple(x.shape):
        raise ShapeError(f"{fname}(): expected shape of indices to be same as that of the input tensor "
                         f"{tuple(x.shape)} but got indices tensor with shape: {tuple(indices.shape)}")
    out = _unpool_output_size(x, k, s, p, output_size, fname)
    lead = tuple(x.shape[:x.ndim - n])
    plane = int(np.prod(out))
    idx = np.asarray(indices._data, dtype=np.int64).reshape(lead + (-1,))
    if idx.size and (idx.min() < 0 or idx.max() >= plane):
        bad = int(idx[(idx < 0) | (idx >= plane)][0])
        raise ArgumentError(f"{fname}(): found an invalid max index {bad} (output volumes are of size "
                            f"{'x'.join(str(v) for v in out)})")
    flat = x.reshape(lead + (-1,))
    zeros = Tensor._wrap(np.zeros(lead + (plane,), dtype=x._data.dtype))
    y = scatter(zeros, len(lead), Tensor._wrap(idx), flat)
    return y.reshape(lead + tuple(out))


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Partial inverse of max_pool1d: each value goes to the position its index names, zeros elsewhere."""
    return _max_unpool(input, indices, kernel_size, stride, padding, output_size, 1, "max_unpool1d")


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Partial inverse of max_pool2d: indices are flat positions in each (H_out * W_out) plane."""
    return _max_unpool(input, indices, kernel_size, stride, padding, output_size, 2, "max_unpool2d")
