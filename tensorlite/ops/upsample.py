"""interpolate: resize the spatial dims of an (N, C, *spatial) tensor, as torch.nn.functional.interpolate,
for modes 'nearest', 'nearest-exact', 'linear' (3-D), 'bilinear' (4-D) and 'trilinear' (5-D).

Every mode is separable: along one spatial dim each output sample is a fixed combination of at most
two input samples (one for nearest, two for linear). That is a sparse (n_out, n_in) matrix M applied
along an axis. `AxisMap` applies it; its backward applies M^T, which is again an AxisMap, so
gradients of every order (create_graph=True) come from this one Function.

Source coordinates follow PyTorch's CPU kernels, including their arithmetic precision (float32 for
the nearest modes, the input's dtype for the linear ones), so outputs agree index for index.
"""
import math
import numbers

import numpy as np

from .. import dtypes
from ..autograd.function import Function
from ..errors import ShapeError, DTypeError
from ._helpers import as_tensor

__all__ = ["interpolate"]

_LINEAR = {"linear": 3, "bilinear": 4, "trilinear": 5}
_NEAREST = ("nearest", "nearest-exact")
_MODES = _NEAREST + tuple(_LINEAR)


class SparseMap:
    """An (n_out, n_in) matrix with few nonzeros per row: entries (rows, cols, vals), row-sorted."""

    def __init__(self, rows, cols, vals, n_out, n_in):
        order = np.argsort(rows, kind="stable")
        self.rows, self.cols, self.vals = rows[order], cols[order], vals[order]
        self.n_out, self.n_in = n_out, n_in
        counts = np.bincount(self.rows, minlength=n_out)
        self.filled = np.flatnonzero(counts)                      # rows with at least one entry
        self.starts = np.searchsorted(self.rows, self.filled)     # where each filled row begins
        # One entry of weight 1 in every row: a plain gather (nearest's forward).
        self.is_gather = bool(len(self.rows) == n_out and (counts == 1).all() and (self.vals == 1).all())
        self._t = None

    @property
    def T(self):
        if self._t is None:
            self._t = SparseMap(self.cols, self.rows, self.vals, self.n_in, self.n_out)
            self._t._t = self
        return self._t

    def apply(self, x, axis):
        """M applied along `axis` of array x: out[..., o, ...] = sum_j M[o, j] x[..., j, ...]."""
        taken = np.take(x, self.cols, axis=axis)
        if self.is_gather:
            return taken
        w_shape = [1] * x.ndim
        w_shape[axis] = -1
        taken *= self.vals.astype(x.dtype, copy=False).reshape(w_shape)
        out_shape = list(x.shape)
        out_shape[axis] = self.n_out
        if len(self.filled) == 0:
            return np.zeros(out_shape, dtype=x.dtype)
        summed = np.add.reduceat(taken, self.starts, axis=axis)
        if len(self.filled) == self.n_out:
            return summed
        out = np.zeros(out_shape, dtype=x.dtype)
        index = [slice(None)] * x.ndim
        index[axis] = self.filled
        out[tuple(index)] = summed
        return out


class AxisMap(Function):
    """y = M x along one axis (M a SparseMap); the gradient is M^T g along the same axis."""

    @staticmethod
    def forward(ctx, x, m, axis):
        ctx.m, ctx.axis = m, axis
        return m.apply(x, axis)

    @staticmethod
    def backward(ctx, g):
        return AxisMap.apply(g, ctx.m.T, ctx.axis), None, None


# ---------------------------------------------------------------- source coordinates (PyTorch's)
def _scale(in_size, out_size, scale_factor, dtype):
    """compute_scales_value: 1 / scale_factor when one was given, else in / out, in `dtype`."""
    if scale_factor is not None and scale_factor > 0:
        return dtype(1.0 / scale_factor)
    return dtype(in_size) / dtype(out_size)


def _nearest_map(in_size, out_size, scale_factor, exact):
    o = np.arange(out_size)
    if not exact and out_size == in_size:
        src = o
    elif not exact and out_size == 2 * in_size:
        src = o >> 1
    else:
        s = _scale(in_size, out_size, scale_factor, np.float32)
        pos = (o.astype(np.float32) + np.float32(0.5)) * s if exact else o.astype(np.float32) * s
        src = np.minimum(np.floor(pos).astype(np.int64), in_size - 1)
    return SparseMap(o, src, np.ones(out_size), out_size, in_size)


def _linear_map(in_size, out_size, scale_factor, align_corners, dtype):
    o = np.arange(out_size)
    if align_corners:
        s = dtype(in_size - 1) / dtype(out_size - 1) if out_size > 1 else dtype(0)
        real = o.astype(dtype) * s
    else:
        s = _scale(in_size, out_size, scale_factor, dtype)
        real = np.maximum(s * (o.astype(dtype) + dtype(0.5)) - dtype(0.5), dtype(0))
    i0 = np.minimum(np.floor(real).astype(np.int64), in_size - 1)
    lam = np.clip(real - i0.astype(dtype), dtype(0), dtype(1)).astype(dtype)
    i1 = i0 + (i0 < in_size - 1)
    rows = np.concatenate([o, o])
    cols = np.concatenate([i0, i1])
    vals = np.concatenate([dtype(1) - lam, lam])
    return SparseMap(rows, cols, vals, out_size, in_size)


# ---------------------------------------------------------------- argument parsing
def _is_int(v):
    return isinstance(v, (numbers.Integral, np.integer)) and not isinstance(v, (bool, np.bool_))


def _per_dim(fname, name, v, n, input_shape, check):
    if isinstance(v, (tuple, list)):
        if len(v) != n:
            raise ValueError(f"{fname}(): input and {name} must have the same number of spatial "
                             f"dimensions, but got input of shape {tuple(input_shape)} ({n} spatial) "
                             f"and {name}={tuple(v)!r}")
        vals = list(v)
    else:
        vals = [v] * n
    for e in vals:
        if not check(e):
            raise TypeError(f"{fname}(): {name} must be "
                            f"{'an int or a tuple of ints' if name == 'size' else 'a number or a tuple of numbers'}, "
                            f"got {v!r}")
    return vals


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    """Resize `input` (N, C, *spatial) to `size`, or by `scale_factor`, as
    torch.nn.functional.interpolate. Output size per dim with a scale factor: floor(in * factor);
    the source coordinate then uses 1 / factor, unless recompute_scale_factor=True (then in / out).
    align_corners (linear modes only, default False) maps the corner samples onto each other."""
    fname = "interpolate"
    x = as_tensor(input, fname)
    if mode not in _MODES:
        raise ValueError(f"{fname}(): mode {mode!r} is not supported; supported modes: "
                         f"{', '.join(repr(m) for m in _MODES)}")
    if antialias:
        raise ValueError(f"{fname}(): antialias=True is not supported (mode={mode!r})")
    if mode in _NEAREST:
        if align_corners is not None:
            raise ValueError(f"{fname}(): align_corners option can only be set with the interpolating "
                             f"modes: linear | bilinear | trilinear (got mode={mode!r})")
    elif align_corners is None:
        align_corners = False
    if x.ndim not in (3, 4, 5):
        raise ShapeError(f"{fname}(): expected a 3-D, 4-D or 5-D (N, C, *spatial) input, got input of "
                         f"shape {tuple(x.shape)}")
    if mode in _LINEAR and x.ndim != _LINEAR[mode]:
        raise ShapeError(f"{fname}(): mode {mode!r} needs a {_LINEAR[mode]}-D input, got input of shape "
                         f"{tuple(x.shape)}")
    n = x.ndim - 2
    in_sizes = tuple(x.shape[2:])
    if (size is None) == (scale_factor is None):
        raise ValueError(f"{fname}(): exactly one of size or scale_factor should be defined, got size={size!r}, "
                         f"scale_factor={scale_factor!r}")
    if size is not None:
        if recompute_scale_factor:
            raise ValueError(f"{fname}(): recompute_scale_factor is not meaningful with an explicit size")
        out_sizes = [int(s) for s in _per_dim(fname, "size", size, n, x.shape, _is_int)]
        factors = [None] * n
    else:
        factors = [float(f) for f in _per_dim(fname, "scale_factor", scale_factor, n, x.shape,
                                              lambda e: isinstance(e, numbers.Real) and not isinstance(e, bool))]
        if any(not math.isfinite(f) for f in factors):
            raise ValueError(f"{fname}(): scale_factor must be finite, got {scale_factor!r}")
        out_sizes = [int(math.floor(i * f)) for i, f in zip(in_sizes, factors)]
        if recompute_scale_factor:
            factors = [None] * n
    if any(i <= 0 for i in in_sizes) or any(o <= 0 for o in out_sizes):
        raise ShapeError(f"{fname}(): input and output sizes should be greater than 0, but got input of "
                         f"shape {tuple(x.shape)} and output size {tuple(out_sizes)}")
    if mode in _LINEAR and not x.is_floating_point():
        raise DTypeError(f"{fname}(): mode {mode!r} needs a floating point input, got {x.dtype}")
    half = x.dtype is dtypes.float16
    y = x.float() if half else x
    for d in reversed(range(n)):       # innermost dim first, as PyTorch's kernels nest their sums
        i, o, f = in_sizes[d], out_sizes[d], factors[d]
        if mode in _NEAREST:
            m = _nearest_map(i, o, f, exact=mode == "nearest-exact")
        else:
            m = _linear_map(i, o, f, align_corners, y._data.dtype.type)
        if not (m.is_gather and i == o and (m.cols == np.arange(o)).all()):   # skip identity maps
            y = AxisMap.apply(y, m, 2 + d)
    if y is x:
        y = x.clone()
    return y.half() if half else y
