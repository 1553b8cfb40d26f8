"""Sorting and selection: sort, argsort, topk, median, unique.

The order is computed on the numpy array (a stable sort, so tied values keep their index order, which
is what PyTorch gives on the CPU); values are then a `gather` of the input at those indices, so the
gradient flows back to exactly the elements picked (Gather's backward is a scatter-add).
NaN sorts as the largest value, as in PyTorch."""
import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor, _wrap_dim
from ._helpers import as_tensor
from .reduction import values_indices, gather, _check_nonempty

__all__ = ["sort", "argsort", "topk", "median", "unique"]


def _order(arr, dim, descending):
    """Stable argsort along `dim` (int64); descending keeps ties in ascending index order."""
    if not descending:
        return np.argsort(arr, axis=dim, kind="stable").astype(np.int64, copy=False)
    # Sort the flipped array ascending (stable) and read it backwards: equal values then come out in
    # ascending original index, and NaN (last ascending) comes first.
    n = arr.shape[dim]
    idx = np.argsort(np.flip(arr, axis=dim), axis=dim, kind="stable")
    return np.flip(n - 1 - idx, axis=dim).astype(np.int64)


def _bool_arg(v, fname, argname):
    if not isinstance(v, (bool, np.bool_)):
        raise TypeError(f"{fname}(): argument '{argname}' must be a bool, got {v!r:.40}")
    return bool(v)


def _take(x, d, idx):
    """x's values at `idx` along dim d (differentiable); a 0-d x is its own value."""
    if x.ndim == 0:
        return x.clone()
    return gather(x, d, Tensor._wrap(idx))


def sort(input, dim=-1, descending=False, *, stable=False):
    x = as_tensor(input, "sort")
    d = _wrap_dim(dim, x.ndim, "sort")
    descending = _bool_arg(descending, "sort", "descending")
    _bool_arg(stable, "sort", "stable")       # always stable
    if x.ndim == 0:
        return values_indices(x.clone(), Tensor._wrap(np.zeros((), np.int64)))
    idx = _order(x._data, d, descending)
    return values_indices(_take(x, d, idx), Tensor._wrap(idx))


def argsort(input, dim=-1, descending=False, *, stable=False):
    x = as_tensor(input, "argsort")
    d = _wrap_dim(dim, x.ndim, "argsort")
    descending = _bool_arg(descending, "argsort", "descending")
    _bool_arg(stable, "argsort", "stable")
    if x.ndim == 0:
        return Tensor._wrap(np.zeros((), np.int64))
    return Tensor._wrap(_order(x._data, d, descending))


def topk(input, k, dim=-1, largest=True, sorted=True):  # noqa: A002
    """The k largest (smallest) along dim, in sorted order; ties in ascending index order
    (PyTorch leaves the order of tied indices unspecified)."""
    x = as_tensor(input, "topk")
    d = _wrap_dim(dim, x.ndim, "topk")
    if not isinstance(k, (int, np.integer)) or isinstance(k, bool):
        raise TypeError(f"topk(): argument 'k' must be an int, got {type(k).__name__} ({k!r:.40})")
    n = x.shape[d] if x.ndim else 1
    if not 0 <= k <= n:
        raise IndexError(f"topk(): selected index k out of range: argument 'k' is {k} but dim {d} of input "
                         f"{tuple(x.shape)} has size {n}")
    largest = _bool_arg(largest, "topk", "largest")
    _bool_arg(sorted, "topk", "sorted")
    if x.ndim == 0:     # (PyTorch returns the element even for k=0)
        return values_indices(x.clone(), Tensor._wrap(np.zeros((), np.int64)))
    idx = np.take(_order(x._data, d, largest), np.arange(int(k)), axis=d)
    return values_indices(_take(x, d, idx), Tensor._wrap(idx))


class MedianAll(Function):
    """The lower median of all elements; its gradient is split evenly among the elements equal to
    it (all NaNs when it is NaN), as PyTorch's median() without dim."""
    @staticmethod
    def forward(ctx, x, value):
        ctx.save_for_backward(x)
        ctx.value = value
        return np.asarray(value, dtype=x.dtype)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_arrays
        mask = np.isnan(x) if np.isnan(ctx.value) else (x == ctx.value)
        return g * Tensor._wrap((mask / mask.sum()).astype(x.dtype)), None


def median(input, dim=None, keepdim=False):
    """Lower median (the element at (n - 1) // 2 of the sorted values); NaN if any is NaN.
    With `dim`: (values, indices), the index of the median in a stable sort."""
    x = as_tensor(input, "median")
    if dim is None:
        flat = x._data.reshape(-1)
        if flat.size == 0:
            if not x.is_floating_point():
                raise IndexError(f"median(): argument 'input' of shape {tuple(x.shape)} is empty and of dtype "
                                 f"{x.dtype.name}: the median of an empty integer tensor is undefined")
            return Tensor._wrap(np.asarray(np.nan, dtype=flat.dtype))
        s = np.sort(flat, kind="stable")                       # NaN sorts last
        return MedianAll.apply(x, s[-1] if flat.dtype.kind == "f" and np.isnan(s[-1]) else s[(flat.size - 1) // 2])
    d = _wrap_dim(dim, x.ndim, "median")
    if x.ndim == 0:
        return values_indices(x.clone(), Tensor._wrap(np.zeros((), np.int64)))
    _check_nonempty(x, (d,), "median")
    arr = x._data
    order = _order(arr, d, False)
    n = arr.shape[d]
    idx = np.take(order, [(n - 1) // 2], axis=d)
    if arr.dtype.kind == "f":
        nan = np.isnan(arr)
        has_nan = nan.any(axis=d, keepdims=True)
        if has_nan.any():       # a row with NaN has median NaN, at its first NaN
            idx = np.where(has_nan, np.argmax(nan, axis=d, keepdims=True), idx).astype(np.int64)
    values = _take(x, d, idx)
    if not keepdim:
        values, idx = values.squeeze(d), idx.squeeze(d)
    return values_indices(values, Tensor._wrap(idx))


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):  # noqa: A002
    """The distinct values (always sorted, as PyTorch's CPU kernel), optionally the inverse indices
    (input's shape) and the counts. No gradient. NaNs are all distinct, as in PyTorch."""
    x = as_tensor(input, "unique")
    for name, v in (("sorted", sorted), ("return_inverse", return_inverse), ("return_counts", return_counts)):
        _bool_arg(v, "unique", name)
    arr = x._data
    if dim is None:
        vals, inv, counts = np.unique(arr.reshape(-1), return_inverse=True, return_counts=True, equal_nan=False)
        inv = inv.reshape(arr.shape)
    else:
        d = _wrap_dim(dim, x.ndim, "unique")
        if arr.ndim == 0:
            raise IndexError(f"unique(): argument 'dim' is {dim} but argument 'input' is a 0-d tensor "
                             f"(it has no dimensions)")
        if arr.shape[d] == 0:
            vals, inv, counts = arr.copy(), np.zeros(0, np.int64), np.zeros(0, np.int64)
        elif arr.size == 0:
            raise ValueError(f"unique(): argument 'input' of shape {tuple(arr.shape)} has 0 sized dimensions "
                             f"other than argument 'dim' ({d}), so unique cannot be applied")
        else:
            vals, inv, counts = np.unique(arr, return_inverse=True, return_counts=True, axis=d)
            inv = inv.reshape(-1)
    out = Tensor._wrap(np.ascontiguousarray(vals))
    extra = []
    if return_inverse:
        extra.append(Tensor._wrap(np.asarray(inv, dtype=np.int64)))
    if return_counts:
        extra.append(Tensor._wrap(np.asarray(counts, dtype=np.int64)))
    return (out, *extra) if extra else out
