"""Reductions, scans and statistics: nansum/nanmean, cummax/cummin, kthvalue, mode, quantile/nanquantile,
aminmax, std_mean/var_mean, bincount, histc, unique_consecutive, logcumsumexp. Values are gathers of
the input at indices computed in numpy (so gradients flow to the picked elements) or compositions."""
from collections import namedtuple

import numpy as np

from .. import dtypes
from ..autograd.function import Function
from ..tensor import Tensor, _wrap_dim
from ..errors import ShapeError, DTypeError, ArgumentError
from ._helpers import as_tensor, dims_arg
from .elementwise import where, isnan, exp, _nograd
from .reduction import values_indices, gather, _check_nonempty, var, std, mean, amin, amax
from .sorting import _order

__all__ = ["nansum", "nanmean", "cummax", "cummin", "kthvalue", "mode", "quantile", "nanquantile", "aminmax",
           "std_mean", "var_mean", "bincount", "histc", "unique_consecutive", "logcumsumexp"]

min_max = namedtuple("aminmax", ["min", "max"])
_RESULTS = {name: namedtuple(name, ["values", "indices"]) for name in ("cummax", "cummin", "kthvalue", "mode")}


class _NanToZero(Function):
    """NaN -> 0; the gradient is g * (x is not NaN), a product as torch's (so inf * 0 gives NaN there)."""
    @staticmethod
    def forward(ctx, x):
        keep = ~np.isnan(x)
        ctx.keep = keep.astype(x.dtype)
        return np.where(keep, x, 0).astype(x.dtype)

    @staticmethod
    def backward(ctx, g):
        return g * Tensor._wrap(ctx.keep)


def nansum(input, dim=None, keepdim=False, *, dtype=None):
    """sum treating NaN as 0 (its gradient there is 0)."""
    x = as_tensor(input, "nansum")
    if x.is_floating_point():
        x = _NanToZero.apply(x)
    return x.sum(dim=dim, keepdim=keepdim, dtype=dtype)


def nanmean(input, dim=None, keepdim=False, *, dtype=None):
    """mean over the non-NaN elements."""
    x = as_tensor(input, "nanmean")
    if not x.is_floating_point():
        raise DTypeError(f"nanmean(): expected input to have floating point dtype but got {x.dtype}")
    if dtype is not None:
        x = x.to(dtype)
    count = (~isnan(x)).sum(dim=dim, keepdim=keepdim).to(x.dtype)
    return nansum(x, dim, keepdim) / count


def _cum_extreme(input, dim, is_min, fname):
    x = as_tensor(input, fname)
    d = _wrap_dim(dim, x.ndim, fname)
    if x.ndim == 0:
        return _RESULTS[fname](x.clone(), Tensor._wrap(np.zeros((), np.int64)))
    a = np.moveaxis(x._data, d, 0)
    idx = np.zeros(a.shape, np.int64)
    if a.shape[0]:
        best = a[0].copy()
        cur = np.zeros(a.shape[1:], np.int64)
        for i in range(1, a.shape[0]):
            v = a[i]
            better = (v <= best) if is_min else (v >= best)   # ties take the later index, as torch
            if a.dtype.kind == "f":
                better = np.isnan(v) | (~np.isnan(best) & better)
            best = np.where(better, v, best)
            cur = np.where(better, i, cur)
            idx[i] = cur
    idx = np.ascontiguousarray(np.moveaxis(idx, 0, d))
    return _RESULTS[fname](gather(x, d, Tensor._wrap(idx)), Tensor._wrap(idx))


def cummax(input, dim):
    return _cum_extreme(input, dim, False, "cummax")


def cummin(input, dim):
    return _cum_extreme(input, dim, True, "cummin")


def _pick(x, d, idx, keepdim, fname):
    """Values of x at idx (keepdim-shaped along d) and the indices, with torch's keepdim handling."""
    if x.ndim == 0:
        return _RESULTS[fname](x.clone(), Tensor._wrap(np.zeros((), np.int64)))
    it = Tensor._wrap(np.ascontiguousarray(idx))
    vals = gather(x, d, it)
    if not keepdim:
        vals, it = vals.squeeze(d), Tensor._wrap(np.squeeze(idx, d))
    return _RESULTS[fname](vals, it)


def kthvalue(input, k, dim=-1, keepdim=False):
    """The k-th smallest element along dim, and its index."""
    x = as_tensor(input, "kthvalue")
    d = _wrap_dim(dim, x.ndim, "kthvalue")
    n = x.shape[d] if x.ndim else 1
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
        raise TypeError(f"kthvalue(): argument 'k' must be an int, got {k!r:.40}")
    if not 1 <= k <= n:
        raise ArgumentError(f"kthvalue(): selected number k out of range for dimension {d}: k = {k}, size {n} "
                         f"(argument 'input' of shape {tuple(x.shape)})")
    if x.ndim == 0:
        return _pick(x, d, None, keepdim, "kthvalue")
    order = _order(x._data, d, False)
    return _pick(x, d, np.take(order, [k - 1], axis=d), keepdim, "kthvalue")


def mode(input, dim=-1, keepdim=False):
    """The most frequent value along dim (the smallest among ties) and the last index holding it."""
    x = as_tensor(input, "mode")
    d = _wrap_dim(dim, x.ndim, "mode")
    if x.ndim == 0:
        return _pick(x, d, None, keepdim, "mode")
    _check_nonempty(x, (d,), "mode")
    a = np.moveaxis(x._data, d, -1)
    flat = a.reshape(-1, a.shape[-1])
    out = np.empty((flat.shape[0], 1), np.int64)
    for r, row in enumerate(flat):
        vals, counts = np.unique(row, return_counts=True)
        best = vals[np.argmax(counts)]
        hits = np.nonzero((row == best) | (np.isnan(row) & np.isnan(best)))[0]
        out[r, 0] = hits[-1]
    idx = np.moveaxis(out.reshape(a.shape[:-1] + (1,)), -1, d)
    return _pick(x, d, idx, keepdim, "mode")


def _quantile(input, q, dim, keepdim, interpolation, fname, ignore_nan):
    x = as_tensor(input, fname)
    if not x.is_floating_point():
        raise DTypeError(f"{fname}(): quantile() input tensor must be either float or double dtype, got "
                        f"{x.dtype}")
    modes = ("linear", "lower", "higher", "midpoint", "nearest")
    if interpolation not in modes:
        raise ArgumentError(f"{fname}(): interpolation must be one of linear, lower, higher, midpoint or nearest. "
                         f"Got {interpolation!r}")
    scalar_q = not isinstance(q, Tensor)
    qa = np.asarray(q._data if isinstance(q, Tensor) else q, dtype=np.float64)
    if isinstance(q, Tensor):
        if q.ndim > 1:
            raise ShapeError(f"{fname}(): quantile() q must be a scalar or 1D tensor, got shape {tuple(q.shape)}")
        if q.dtype is not x.dtype:
            raise DTypeError(f"{fname}(): quantile() q tensor must be same dtype as the input tensor, got "
                             f"{q.dtype} and {x.dtype}")
        scalar_q = q.ndim == 0
    if qa.size and (qa.min() < 0 or qa.max() > 1) or np.isnan(qa).any():
        raise ArgumentError(f"{fname}(): quantile() q values must be in the range [0, 1], got {qa.tolist()}")
    if x.numel() == 0:
        raise IndexError(f"{fname}(): quantile() input tensor must be non-empty")
    if dim is None:
        src, d = x.reshape(-1), 0
    else:
        d = _wrap_dim(dim, x.ndim, fname)
        src = x if x.ndim else x.reshape(1)
    srt = src.sort(dim=d).values                 # NaN sorts last
    arr = srt._data
    n = arr.shape[d]
    nan_count = np.isnan(arr).sum(axis=d, keepdims=True)
    valid = (n - nan_count) if ignore_nan else np.full_like(nan_count, n)
    qv = qa.reshape(-1)
    ranks = qv.reshape((-1,) + (1,) * arr.ndim) * (valid - 1)[None]          # (nq, ...keepdim shape)
    if interpolation == "lower":
        ranks = np.floor(ranks)
    elif interpolation == "higher":
        ranks = np.ceil(ranks)
    elif interpolation == "nearest":
        ranks = np.round(ranks)
    lo = np.clip(np.floor(ranks), 0, n - 1).astype(np.int64)
    hi = np.clip(np.ceil(ranks), 0, n - 1).astype(np.int64)
    w = ranks - np.floor(ranks)
    if interpolation == "midpoint":
        w = np.where(hi != lo, 0.5, 0.0)
    all_nan = (valid <= 0) if ignore_nan else (nan_count > 0)
    # torch reads NaN slices at the last sorted place (quantile) or the first (nanquantile): the NaN
    # result then takes its gradient from that element
    lo = np.where(all_nan, 0 if ignore_nan else n - 1, lo)
    hi = np.where(all_nan, 0 if ignore_nan else n - 1, hi)
    w = np.where(all_nan, 0.0, w)
    outs = []
    for i in range(len(qv)):
        a = gather(srt, d, Tensor._wrap(np.ascontiguousarray(lo[i])))
        b = gather(srt, d, Tensor._wrap(np.ascontiguousarray(hi[i])))
        wi = Tensor._wrap(w[i].astype(arr.dtype))
        v = a + (b - a) * wi if interpolation in ("linear", "midpoint") else a
        if dim is None:
            v = v.reshape(*([1] * x.ndim)) if keepdim else v.reshape(())
        elif not keepdim and x.ndim:
            v = v.squeeze(d)
        elif x.ndim == 0:
            v = v.reshape(())
        outs.append(v)
    if scalar_q:
        return outs[0]
    from .movement import stack
    return stack(outs, 0)


def quantile(input, q, dim=None, keepdim=False, *, interpolation="linear"):
    return _quantile(input, q, dim, keepdim, interpolation, "quantile", False)


def nanquantile(input, q, dim=None, keepdim=False, *, interpolation="linear"):
    return _quantile(input, q, dim, keepdim, interpolation, "nanquantile", True)


def aminmax(input, *, dim=None, keepdim=False):
    x = as_tensor(input, "aminmax")
    if dim is None:
        _check_nonempty(x, (), "aminmax")
        if keepdim:
            return min_max(amin(x, tuple(range(x.ndim)), True), amax(x, tuple(range(x.ndim)), True))
        return min_max(amin(x), amax(x))
    return min_max(amin(x, dim, keepdim), amax(x, dim, keepdim))


def _stat_mean(fn, input, dim, unbiased, keepdim, correction, fname):
    x = as_tensor(input, fname)
    if isinstance(dim, bool):               # var_mean(input, unbiased) overload
        dim, unbiased = None, dim
    return fn(x, dim, unbiased, keepdim, correction=correction), mean(x, dim, keepdim)


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    return _stat_mean(var, input, dim, unbiased, keepdim, correction, "var_mean")


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    return _stat_mean(std, input, dim, unbiased, keepdim, correction, "std_mean")


def bincount(input, weights=None, minlength=0):
    """Counts of each non-negative integer in a 1-D tensor (weighted sums with weights)."""
    x = as_tensor(input, "bincount")
    if x.ndim != 1 or x.dtype.is_floating_point or x.dtype is dtypes.bool:
        raise ShapeError(f"bincount(): argument 'input' must be a 1-D non-negative integral tensor, got "
                         f"{x.dtype} of shape {tuple(x.shape)}") if x.ndim != 1 else \
            DTypeError(f"bincount(): argument 'input' must be an integral tensor, got {x.dtype}")
    if isinstance(minlength, bool) or not isinstance(minlength, (int, np.integer)) or minlength < 0:
        raise ArgumentError(f"bincount(): argument 'minlength' should be a non-negative int, got {minlength!r}")
    if x.numel() and x._data.min() < 0:
        raise ArgumentError("bincount(): argument 'input' should contain only non-negative values (bincount only "
                         "supports 1-d non-negative integral inputs)")
    if weights is None or x.numel() == 0:          # torch: an empty input counts in int64 even with weights
        return Tensor._wrap(np.bincount(x._data, minlength=minlength).astype(np.int64))
    w = as_tensor(weights, "bincount", "weights")
    if tuple(w.shape) != tuple(x.shape):
        raise ShapeError(f"bincount(): argument 'weights' of shape {tuple(w.shape)} should have the same length "
                         f"as argument 'input' of shape {tuple(x.shape)}")
    out_dt = w._data.dtype if w._data.dtype in (np.float32, np.float64) else np.float64
    return Tensor._wrap(np.bincount(x._data, weights=w._data.astype(np.float64),
                                    minlength=minlength).astype(out_dt))


def histc(input, bins=100, min=0, max=0):  # noqa: A002
    """A histogram of `bins` equal-width bins over [min, max] (the data range when min == max)."""
    x = as_tensor(input, "histc")
    if not x.is_floating_point():
        raise DTypeError(f"histc(): \"histogram_cpu\" not implemented for '{x.dtype.name}' (argument 'input' "
                        f"must be a floating point tensor)")
    if isinstance(bins, bool) or not isinstance(bins, (int, np.integer)) or bins <= 0:
        raise ArgumentError(f"histc(): bins must be > 0, but got {bins} for dimension 0")
    lo, hi = float(min), float(max)
    if lo > hi:
        raise ArgumentError(f"histc(): max must be larger than min, got min={lo}, max={hi}")
    a = x._data.reshape(-1)
    if lo == hi and a.size:
        lo, hi = float(a.min()), float(a.max())
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise ArgumentError(f"histc(): range of [{lo}, {hi}] is not finite")
    keep = a[(a >= lo) & (a <= hi)].astype(np.float64)
    pos = ((keep - lo) * bins / (hi - lo)).astype(np.int64)
    pos = np.minimum(pos, bins - 1)
    return Tensor._wrap(np.bincount(pos, minlength=bins).astype(x._data.dtype))


def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    """Collapse runs of equal consecutive elements (or slices along dim)."""
    x = as_tensor(input, "unique_consecutive")
    if dim is None:
        a = x._data.reshape(-1)
        if a.size:
            start = np.concatenate([[True], a[1:] != a[:-1]])
        else:
            start = np.zeros(0, bool)
        vals = a[start]
        inv = (np.cumsum(start) - 1).reshape(x.shape)
    else:
        d = _wrap_dim(dim, x.ndim, "unique_consecutive")
        a = np.moveaxis(x._data, d, 0)
        if a.shape[0]:
            diff = (a[1:] != a[:-1]).reshape(a.shape[0] - 1, int(np.prod(a.shape[1:]))).any(axis=1)
            start = np.concatenate([[True], diff])
        else:
            start = np.zeros(0, bool)
        vals = np.moveaxis(a[start], 0, d)
        inv = np.cumsum(start) - 1
    bounds = np.nonzero(np.concatenate([start, [True]]))[0]
    counts = np.diff(bounds)
    out = [Tensor._wrap(np.ascontiguousarray(vals))]
    if return_inverse:
        out.append(Tensor._wrap(inv.astype(np.int64)))
    if return_counts:
        out.append(Tensor._wrap(counts.astype(np.int64)))
    return out[0] if len(out) == 1 else tuple(out)


class LogCumSumExp(Function):
    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        out = np.logaddexp.accumulate(x, axis=dim) if x.shape[dim] else x.copy()
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, g):
        # d out_i / d x_j = exp(x_j - out_i) for j <= i: one (n, n) weight matrix per slice
        x, out = ctx.saved_tensors
        d = ctx.dim
        xm, om, gm = x.movedim(d, -1), out.movedim(d, -1), g.movedim(d, -1)
        n = xm.shape[-1]
        w = exp(xm.unsqueeze(-2) - om.unsqueeze(-1))                   # [..., i, j]
        tri = Tensor._wrap(np.tril(np.ones((n, n), dtype=bool)))
        w = where(tri, w, 0.0)
        return (gm.unsqueeze(-1) * w).sum(-2).movedim(-1, d), None


def logcumsumexp(input, dim):
    x = as_tensor(input, "logcumsumexp")
    if not x.is_floating_point():
        x = x.to(dtypes.default_float)
    d = _wrap_dim(dim, x.ndim, "logcumsumexp")
    if x.ndim == 0:
        return x.clone()
    return LogCumSumExp.apply(x, d)
