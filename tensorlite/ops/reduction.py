"""Reductions. Tie rule for max/min gradients (as PyTorch):
- a reduction without `dim` (or `amax`/`amin`) splits the gradient evenly among tied maxima;
- `max(dim=...)` sends it to the one index it returns (the first maximum)."""
from collections import namedtuple

import numpy as np

from .. import dtypes
from ..autograd import fp_errors
from ..autograd.function import Function
from ..autograd.grad_mode import is_grad_enabled
from ..tensor import Tensor, _wrap_dim
from ..errors import DTypeError, ShapeError
from ._helpers import as_tensor, dims_arg, check_float

__all__ = ["sum", "mean", "var", "std", "max", "min", "amax", "amin", "argmax", "argmin", "prod", "logsumexp",
           "softmax", "log_softmax", "gather", "cumsum", "cumprod", "all", "any", "count_nonzero"]

values_indices = namedtuple("values_indices", ["values", "indices"])


def _keepdim_shape(shape, dims):
    return tuple(1 if i in dims else s for i, s in enumerate(shape))


def _check_nonempty(x, dims, fname):
    for d in dims:
        if x.shape[d] == 0:
            raise IndexError(f"{fname}(): Expected reduction dim {d} to have non-zero size "
                             f"(argument 'input' has shape {tuple(x.shape)})")
    if not dims and x.numel() == 0:
        raise IndexError(f"{fname}(): cannot reduce an empty tensor: argument 'input' has shape "
                         f"{tuple(x.shape)}; specify a 'dim' of non-zero size")


class Sum(Function):
    @staticmethod
    def forward(ctx, x, dims, keepdim):
        ctx.in_shape, ctx.dims = x.shape, dims
        out = np.sum(x, axis=dims, keepdims=keepdim)
        if x.dtype.kind in "biu":
            out = out.astype(np.int64, copy=False)
        return out

    @staticmethod
    def backward(ctx, g):
        return g.reshape(_keepdim_shape(ctx.in_shape, ctx.dims)).expand(ctx.in_shape)


class Amax(Function):
    @staticmethod
    def forward(ctx, x, dims, keepdim, is_min):
        red = np.min if is_min else np.max
        out = red(x, axis=dims, keepdims=True)
        ctx.save_for_backward(x, out)
        ctx.dims, ctx.keep_shape = dims, out.shape
        return out if keepdim else out.reshape(np.delete(x.shape, dims) if dims else ())

    @staticmethod
    def backward(ctx, g):
        x, out = ctx.saved_arrays
        mask = (x == out)
        share = (mask / mask.sum(axis=ctx.dims, keepdims=True)).astype(x.dtype)   # even split of ties
        return g.reshape(ctx.keep_shape) * Tensor._wrap(share)


class Prod(Function):
    @staticmethod
    def forward(ctx, x, dim, keepdim):
        out = np.prod(x, axis=dim, keepdims=True)
        ctx.dim, ctx.keep_shape = dim, out.shape
        out = out if keepdim else out.reshape(np.delete(x.shape, dim) if dim is not None else ())
        ctx.save_for_backward(x, out)      # the returned array itself, so double backward sees its graph
        return out

    @staticmethod
    def backward(ctx, g):
        x, out = ctx.saved_tensors
        g, out = g.reshape(ctx.keep_shape), out.reshape(ctx.keep_shape)
        if not (x._data == 0).any():
            return g * out / x
        # With zeros, d prod / d x_i = product of the others.
        axis = ctx.dim
        if is_grad_enabled():
            # create_graph: this gradient must be differentiable too, so take the product of the
            # others as a Prod over an (n, n) matrix with ones on the diagonal (O(n^2), only here).
            from .elementwise import where
            xs = (x if axis is not None else x.reshape(-1)).movedim(axis or 0, -1)
            n = xs.shape[-1]
            mat = where(Tensor._wrap(np.eye(n, dtype=bool)), 1.0, xs.unsqueeze(-2).expand(*xs.shape[:-1], n, n))
            return g * mat.prod(-1).movedim(-1, axis or 0).reshape(x.shape)
        # Otherwise exclusive prefix x suffix products, O(n).
        xd = x._data
        if axis is None:
            xd, axis = xd.reshape(-1), 0
        ones = np.ones_like(np.take(xd, [0], axis=axis))
        before = np.cumprod(np.concatenate([ones, np.delete(xd, -1, axis=axis)], axis=axis), axis=axis)
        rev = np.flip(xd, axis=axis)
        after = np.flip(np.cumprod(np.concatenate([ones, np.delete(rev, -1, axis=axis)], axis=axis),
                                   axis=axis), axis=axis)
        others = (before * after).reshape(x.shape)
        return g * Tensor._wrap(others)


class Gather(Function):
    @staticmethod
    def forward(ctx, x, index, dim):
        ctx.save_for_backward(index)
        ctx.dim, ctx.in_shape = dim, x.shape
        region = x[tuple(slice(0, n) if d != dim else slice(None) for d, n in enumerate(index.shape))]
        return np.take_along_axis(region, index, axis=dim)

    @staticmethod
    def backward(ctx, g):
        (index,) = ctx.saved_arrays
        return ScatterAdd.apply(g, index, ctx.dim, ctx.in_shape)


class ScatterAdd(Function):
    """out = zeros(shape); out[index along dim] += src (repeated indices accumulate)."""
    @staticmethod
    def forward(ctx, src, index, dim, shape):
        ctx.save_for_backward(index)
        ctx.dim = dim
        out = np.zeros(shape, dtype=src.dtype)
        idx = list(np.indices(index.shape, sparse=True))
        idx[dim] = index
        np.add.at(out, tuple(idx), src[tuple(slice(0, n) for n in index.shape)])
        return out

    @staticmethod
    def backward(ctx, g):
        (index,) = ctx.saved_arrays
        return Gather.apply(g, index, ctx.dim), None, None, None


class Cumsum(Function):
    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        out = np.cumsum(x, axis=dim, dtype=x.dtype if x.dtype.kind == "f" else np.int64)
        return out.reshape(x.shape)         # numpy makes a 0-d input 1-d; PyTorch keeps it 0-d

    @staticmethod
    def backward(ctx, g):
        return g.flip(ctx.dim).cumsum(ctx.dim).flip(ctx.dim)


class Cumprod(Function):
    """Running product along dim. Backward without zeros: reverse-cumsum(g * out) / x. With a zero
    in x that division is 0/0, so there the gradient is taken exactly: d out_j / d x_k is the
    running product up to j with x_k replaced by 1, a Cumprod of an (n, n) matrix (O(n^2))."""
    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        out = np.cumprod(x, axis=dim, dtype=x.dtype if x.dtype.kind == "f" else np.int64).reshape(x.shape)
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, g):
        x, out = ctx.saved_tensors
        d = ctx.dim
        if x.ndim == 0:
            return g
        if not (x._data == 0).any():
            return (g * out).flip(d).cumsum(d).flip(d) / x
        from .elementwise import where
        xs, gs = x.movedim(d, -1), g.movedim(d, -1)                 # (..., n)
        n = xs.shape[-1]
        eye = Tensor._wrap(np.eye(n, dtype=bool))
        rows = where(eye, 1.0, xs.unsqueeze(-2).expand(*xs.shape[:-1], n, n))   # row k: x with x_k = 1
        partial = Cumprod.apply(rows, rows.ndim - 1)             # [..., k, j] = prod_{i <= j, i != k} x_i
        upper = Tensor._wrap(np.triu(np.ones((n, n), dtype=x._data.dtype)))    # only j >= k depends on x_k
        return (partial * upper * gs.unsqueeze(-2)).sum(-1).movedim(-1, d)


class LogSoftmax(Function):
    @staticmethod
    def forward(ctx, x, dim):
        m = np.max(x, axis=dim, keepdims=True)
        m = np.where(np.isfinite(m), m, 0)
        shifted = x - m
        out = shifted - np.log(np.sum(np.exp(shifted), axis=dim, keepdims=True))
        ctx.save_for_backward(out)
        ctx.dim = dim
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g - out.exp() * g.sum(dim=ctx.dim, keepdim=True)


class Softmax(Function):
    @staticmethod
    def forward(ctx, x, dim):
        m = np.max(x, axis=dim, keepdims=True)
        e = np.exp(x - np.where(np.isfinite(m), m, 0))
        out = e / np.sum(e, axis=dim, keepdims=True)
        ctx.save_for_backward(out)
        ctx.dim = dim
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return out * (g - (g * out).sum(dim=ctx.dim, keepdim=True))


class StdSqrt(Function):
    """sqrt of a variance. Where the std is 0, PyTorch defines its gradient as 0: plain sqrt's
    inf there, times var's zero centered term, would give nan."""
    @staticmethod
    def forward(ctx, v):
        out = np.sqrt(v)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        from .elementwise import where
        (out,) = ctx.saved_tensors
        zero = Tensor._wrap(out._data == 0)
        return where(zero, 0.0, g / (2 * where(zero, 1.0, out)))   # no 0/0 in double backward either


# ---------------------------------------------------------------- public functions
def _to_dtype(x, dtype, fname):
    return x if dtype is None else x.to(dtypes.to_dtype(dtype, "dtype", fname))


def sum(input, dim=None, keepdim=False, dtype=None):  # noqa: A001
    x = _to_dtype(as_tensor(input, "sum"), dtype, "sum")
    return Sum.apply(x, dims_arg(dim, x.ndim, "sum"), bool(keepdim))


def mean(input, dim=None, keepdim=False, dtype=None):
    x = _to_dtype(as_tensor(input, "mean"), dtype, "mean")
    if not x.is_floating_point():
        raise TypeError(f"mean(): could not infer output dtype. Input dtype must be a floating point "
                        f"dtype, got argument 'input' of dtype {x.dtype.name}")
    dims = dims_arg(dim, x.ndim, "mean")
    n = int(np.prod([x.shape[d] for d in dims])) if dims else 1
    return Sum.apply(x, dims, bool(keepdim)) / (n if n else float("nan"))


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    return _var(as_tensor(input, "var"), dim, unbiased, keepdim, correction, "var", False)


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    return _var(as_tensor(input, "std"), dim, unbiased, keepdim, correction, "std", True)


def _var(x, dim, unbiased, keepdim, correction, fname, root):
    """PyTorch's arithmetic: the mean in x's dtype, the squared deviations summed in double for
    float32/float16, so std([1e30, -1e30]) is 1.41e30 in float32 (not inf)."""
    check_float(x, fname)
    if isinstance(dim, bool):              # var(x, False): the old positional `unbiased`
        dim, unbiased = None, dim
    if correction is None:
        correction = 1 if unbiased is None else int(bool(unbiased))
    dims = dims_arg(dim, x.ndim, fname)
    n = int(np.prod([x.shape[d] for d in dims])) if dims else 1
    mean = x.mean(dim=dims, keepdim=True)
    low = x.dtype if x.dtype in (dtypes.float32, dtypes.float16) else None
    centered = x - mean if low is None else x.to(dtypes.float64) - mean.to(dtypes.float64)
    v = (centered * centered).sum(dim=dims, keepdim=keepdim) / (n - correction if n > correction else 0)
    if root:
        v = StdSqrt.apply(v)
    if low is None:
        return v
    token = fp_errors.quiet()           # a double beyond float32's range becomes inf silently
    try:
        return v.to(low)
    finally:
        fp_errors.restore(token)


def _minmax(input, dim, keepdim, other, is_min):
    fname = "min" if is_min else "max"
    if isinstance(dim, (Tensor, np.ndarray)) and other is None:
        other, dim = dim, None
    if other is not None:
        from .elementwise import minimum, maximum
        return (minimum if is_min else maximum)(input, other)
    x = as_tensor(input, fname)
    if dim is None:
        _check_nonempty(x, (), fname)
        return Amax.apply(x, None, False, is_min)
    d = _wrap_dim(dim, x.ndim, fname)
    _check_nonempty(x, (d,) if x.ndim else (), fname)
    idx = _arg(x._data, d, True, is_min)
    values = gather(x, d, Tensor._wrap(idx)) if x.ndim else x.clone()
    if not keepdim and x.ndim:
        values, idx = values.squeeze(d), idx.squeeze(d)
    return values_indices(values, Tensor._wrap(idx.reshape(values.shape)))


def max(input, dim=None, keepdim=False, *, other=None):  # noqa: A001
    return _minmax(input, dim, keepdim, other, False)


def min(input, dim=None, keepdim=False, *, other=None):  # noqa: A001
    return _minmax(input, dim, keepdim, other, True)


def amax(input, dim=(), keepdim=False):
    x = as_tensor(input, "amax")
    dims = dims_arg(None if dim == () else dim, x.ndim, "amax")
    _check_nonempty(x, dims, "amax")
    return Amax.apply(x, dims, bool(keepdim), False)


def amin(input, dim=(), keepdim=False):
    x = as_tensor(input, "amin")
    dims = dims_arg(None if dim == () else dim, x.ndim, "amin")
    _check_nonempty(x, dims, "amin")
    return Amax.apply(x, dims, bool(keepdim), True)


def _arg(arr, dim, keepdim, is_min):
    fn = np.argmin if is_min else np.argmax
    if dim is None:
        out = np.asarray(fn(arr.reshape(-1)), dtype=np.int64)
        return out.reshape((1,) * arr.ndim) if keepdim else out
    return fn(arr, axis=dim, keepdims=keepdim).astype(np.int64, copy=False)


def argmax(input, dim=None, keepdim=False):
    x = as_tensor(input, "argmax")
    d = None if dim is None else _wrap_dim(dim, x.ndim, "argmax")
    _check_nonempty(x, () if d is None or x.ndim == 0 else (d,), "argmax")
    return Tensor._wrap(_arg(x._data, d, keepdim, False))


def argmin(input, dim=None, keepdim=False):
    x = as_tensor(input, "argmin")
    d = None if dim is None else _wrap_dim(dim, x.ndim, "argmin")
    _check_nonempty(x, () if d is None or x.ndim == 0 else (d,), "argmin")
    return Tensor._wrap(_arg(x._data, d, keepdim, True))


def prod(input, dim=None, keepdim=False, dtype=None):
    x = _to_dtype(as_tensor(input, "prod"), dtype, "prod")
    d = None if dim is None else _wrap_dim(dim, x.ndim, "prod")
    if x.ndim == 0:        # dim 0 / -1 of a 0-d tensor: nothing to reduce
        d = None
    return Prod.apply(x, d, bool(keepdim))


def logsumexp(input, dim, keepdim=False):
    x = as_tensor(input, "logsumexp")
    if not x.is_floating_point():
        x = x.to(dtypes.default_float)
    dims = dims_arg(dim, x.ndim, "logsumexp")
    m = np.max(x._data, axis=dims, keepdims=True, initial=-np.inf)
    m = Tensor._wrap(np.where(np.isfinite(m), m, 0).astype(x._data.dtype))   # all -inf rows: shift by 0
    out = (x - m).exp().sum(dim=dims, keepdim=True).log() + m
    return out if keepdim else out.squeeze(dims) if dims else out.reshape(())


def _softmax_dim(x, dim, fname):
    if dim is None:   # PyTorch's legacy implicit choice
        dim = 0 if x.ndim in (0, 1, 3) else 1
    return _wrap_dim(dim, x.ndim, fname)


def _softmax_input(input, dtype, fname):
    x = as_tensor(input, fname)
    if dtype is None:
        return x if x.is_floating_point() else x.to(dtypes.default_float)
    d = dtypes.to_dtype(dtype, "dtype", fname)
    if not d.is_floating_point:
        raise DTypeError(f"{fname}(): argument 'dtype' must be a floating point dtype, got {d.name}")
    return x.to(d)


def softmax(input, dim=None, dtype=None):
    x = _softmax_input(input, dtype, "softmax")
    return Softmax.apply(x, _softmax_dim(x, dim, "softmax"))


def log_softmax(input, dim=None, dtype=None):
    x = _softmax_input(input, dtype, "log_softmax")
    return LogSoftmax.apply(x, _softmax_dim(x, dim, "log_softmax"))


def gather(input, dim, index):
    x = as_tensor(input, "gather")
    index = as_tensor(index, "gather", "index")
    if index.dtype is not dtypes.int64:
        raise TypeError(f"gather(): argument 'index' must be an int64 tensor, got {index.dtype}")
    d = _wrap_dim(dim, x.ndim, "gather")
    if index.ndim != x.ndim:
        raise ShapeError(f"gather(): argument 'index' of shape {tuple(index.shape)} and argument 'input' of "
                         f"shape {tuple(x.shape)} must have the same number of dimensions")
    for i, (n, m) in enumerate(zip(index.shape, x.shape)):
        if i != d and n > m:
            raise ShapeError(f"gather(): argument 'index' of shape {tuple(index.shape)} is larger than "
                             f"argument 'input' of shape {tuple(x.shape)} in dimension {i}")
    idx = index._data
    if idx.size and (idx.min() < 0 or idx.max() >= x.shape[d]):
        raise IndexError(f"gather(): argument 'index' out of range: values must be in [0, {x.shape[d]}) for dim {d} "
                         f"of input {tuple(x.shape)}, got [{idx.min()}, {idx.max()}]")
    return Gather.apply(x, idx, d)


def cumsum(input, dim, dtype=None):
    x = _to_dtype(as_tensor(input, "cumsum"), dtype, "cumsum")
    return Cumsum.apply(x, _wrap_dim(dim, x.ndim, "cumsum"))


def cumprod(input, dim, dtype=None):
    x = _to_dtype(as_tensor(input, "cumprod"), dtype, "cumprod")
    return Cumprod.apply(x, _wrap_dim(dim, x.ndim, "cumprod"))


def all(input, dim=None, keepdim=False):  # noqa: A001
    x = as_tensor(input, "all")
    return Tensor._wrap(np.all(x._data, axis=None if dim is None else dims_arg(dim, x.ndim, "all"),
                               keepdims=keepdim))


def any(input, dim=None, keepdim=False):  # noqa: A001
    x = as_tensor(input, "any")
    return Tensor._wrap(np.any(x._data, axis=None if dim is None else dims_arg(dim, x.ndim, "any"),
                               keepdims=keepdim))


def count_nonzero(input, dim=None):
    x = as_tensor(input, "count_nonzero")
    axis = None if dim is None else dims_arg(dim, x.ndim, "count_nonzero")
    return Tensor._wrap(np.asarray(np.count_nonzero(x._data, axis=axis), dtype=np.int64))
