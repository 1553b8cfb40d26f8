"""Indexing: x[idx] and x[idx] = v. The gradient of a read scatter-adds (repeated indices accumulate)."""
import numpy as np

from ..autograd.function import Function
from .. import dtypes
from ..errors import ShapeError, DTypeError
from ..tensor import Tensor, _wrap_dim
from ._helpers import as_tensor, operands, unbroadcast, _is_scalar
from .reduction import Gather, ScatterAdd


def _is_advanced(idx):
    return any(isinstance(i, np.ndarray) for i in idx)


def _split_ints(idx):
    """PyTorch applies integer indices as selects before advanced (array) indexing; numpy counts
    them as advanced indices when arrays are present, which can move the result's dims
    (x[None, arr, :, 0]). Returns (ints and slices, the rest) to apply one after the other, or
    None when a single numpy indexing step already agrees with PyTorch."""
    is_int = [isinstance(i, (int, np.integer)) and not isinstance(i, bool) for i in idx]
    if not any(is_int) or not _is_advanced(idx):
        return None
    first, rest = [], []
    for i, integer in zip(idx, is_int):
        if integer:
            first.append(i)
        elif i is Ellipsis:
            first.append(i)
            rest.append(i)
        else:
            if i is not None:      # a bool mask consumes one dim per mask dim
                first.extend([slice(None)] * (i.ndim if isinstance(i, np.ndarray) and i.dtype == bool else 1))
            rest.append(i)
    return tuple(first), tuple(rest)


def _get(arr, idx):
    split = _split_ints(idx)
    return arr[idx] if split is None else arr[split[0]][split[1]]


def _set(arr, idx, value):
    split = _split_ints(idx)
    if split is None:
        arr[idx] = value
    else:
        arr[split[0]][split[1]] = value     # arr[ints] is a view: the write lands in arr


def _add_at(arr, idx, src):
    split = _split_ints(idx)
    if split is None:
        np.add.at(arr, idx, src)
    else:
        np.add.at(arr[split[0]], split[1], src)


class Getitem(Function):
    is_view = True

    @staticmethod
    def forward(ctx, x, idx):
        ctx.idx, ctx.in_shape = idx, x.shape
        return _get(x, idx)

    @staticmethod
    def backward(ctx, g):
        return IndexAdd.apply(g, ctx.idx, ctx.in_shape)


class IndexAdd(Function):
    """out = zeros(shape); out[idx] += src."""
    @staticmethod
    def forward(ctx, src, idx, shape):
        ctx.idx = idx
        out = np.zeros(shape, dtype=src.dtype)
        if _is_advanced(idx):
            _add_at(out, idx, src)
        else:
            out[idx] = src
        return out

    @staticmethod
    def backward(ctx, g):
        return Getitem.apply(g, ctx.idx), None, None


class IndexPut(Function):
    """out = copy of x with out[idx] = value (value broadcast to the indexed shape)."""
    @staticmethod
    def forward(ctx, x, value, idx):
        ctx.idx, ctx.v_shape = idx, value.shape
        out = x.copy()
        _set(out, idx, value)
        return out

    @staticmethod
    def backward(ctx, g):
        gx = gv = None
        if ctx.needs_input_grad[0]:
            keep = np.ones(g.shape, dtype=g._data.dtype)
            _set(keep, ctx.idx, 0)
            gx = g * Tensor._wrap(keep)
        if ctx.needs_input_grad[1]:
            gv = unbroadcast(g[ctx.idx], ctx.v_shape)
        return gx, gv, None


def normalize_index(x, index, fname="__getitem__"):
    """Turn a PyTorch-style index into a tuple numpy accepts, with IndexError naming the problem."""
    if not isinstance(index, tuple):
        index = (index,)
    out = []
    for i in index:
        if isinstance(i, Tensor):
            i = i._data
            if i.dtype.kind == "f":
                raise IndexError(f"{fname}: tensors used as indices must be long, int or bool tensors, "
                                 f"got {i.dtype}")
            if i.ndim == 0 and i.dtype.kind in "iu":
                i = int(i)
        elif isinstance(i, (list, tuple)):
            i = np.asarray(i)
            if i.dtype.kind not in "iub" and i.size:
                raise IndexError(f"{fname}: only integers, slices, None, Ellipsis and integer or boolean "
                                 f"arrays are valid indices (got {index!r})")
            if i.size == 0:
                i = i.astype(np.int64)
        elif isinstance(i, np.ndarray) and i.dtype.kind not in "iub":
            raise IndexError(f"{fname}: arrays used as indices must be integer or boolean, got {i.dtype}")
        elif isinstance(i, (float, str, bytes, complex)) or (isinstance(i, np.generic) and i.dtype.kind not in "iub"):
            raise IndexError(f"{fname}: only integers, slices (`:`), ellipsis (`...`), None and long or "
                             f"bool tensors are valid indices (got index {i!r})")
        out.append(i)
    return tuple(out)


def _numpy_index_error(e, x, index, fname):
    return IndexError(f"{fname}: invalid index {index!r:.80} for tensor of shape {tuple(x.shape)}: {e}")


def getitem(x, index):
    idx = normalize_index(x, index)
    try:
        return Getitem.apply(x, idx)
    except (IndexError, ValueError, TypeError) as e:   # numpy validated the index: rephrase its error
        raise _numpy_index_error(e, x, index, "__getitem__") from None


def index_put(input, index, value):
    return _index_put(input, index, value, "index_put")


def _index_put(input, index, value, fname):
    x = as_tensor(input, fname)
    idx = normalize_index(x, index, fname)
    v = as_tensor(value, fname, "value")
    if v.dtype is not x.dtype:
        v = v.to(x.dtype)
    try:
        target = _get(x._data, idx).shape
    except (IndexError, ValueError, TypeError) as e:
        raise _numpy_index_error(e, x, index, fname) from None
    try:
        np.broadcast_to(v._data, target)
    except ValueError:
        raise ShapeError(f"{fname}: shape mismatch: value of shape {tuple(v.shape)} cannot be broadcast "
                         f"to indexing result of shape {target}") from None
    return IndexPut.apply(x, v, idx)


def _setitem_put(input, index, value):
    return _index_put(input, index, value, "__setitem__")


_setitem_put.__name__ = "__setitem__"


def setitem(x, index, value):
    if isinstance(value, (int, float, bool)) and not isinstance(value, Tensor):
        value = Tensor._wrap(np.asarray(value, dtype=x._data.dtype))
    x._inplace(_setitem_put, index, value)


def index_select(input, dim, index):
    from ..tensor import _wrap_dim
    x = as_tensor(input, "index_select")
    index = as_tensor(index, "index_select", "index")
    if index.ndim > 1 or index.dtype.is_floating_point:
        raise IndexError(f"index_select(): argument 'index' must be a 1-D integer tensor, got {index.dtype} "
                         f"of shape {tuple(index.shape)}")
    d = _wrap_dim(dim, x.ndim, "index_select")
    n = x.shape[d] if x.ndim else 1
    idx = index._data
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        bad = idx[(idx < 0) | (idx >= n)].ravel()[0]
        raise IndexError(f"index_select(): argument 'index' holds {bad}, out of range for dim {d} of size {n} "
                         f"(input of shape {tuple(x.shape)})")
    return getitem(x, (slice(None),) * d + (index.reshape(-1),))


def masked_fill(input, mask, value):
    from .elementwise import where
    x = as_tensor(input, "masked_fill")
    m = as_tensor(mask, "masked_fill", "mask")
    if m.dtype.name != "bool":
        raise TypeError(f"masked_fill(): argument 'mask' must be a bool tensor, got {m.dtype}")
    try:
        np.broadcast_shapes(m.shape, x.shape)
    except ValueError:
        raise ShapeError(f"masked_fill(): argument 'mask' of shape {tuple(m.shape)} cannot be broadcast with "
                         f"argument 'input' of shape {tuple(x.shape)}") from None
    if isinstance(value, Tensor) and value.ndim != 0:
        raise ValueError(f"masked_fill(): argument 'value' must be a 0-dim tensor or a number, got shape "
                         f"{tuple(value.shape)}")
    fill, _ = operands(value, x, "masked_fill")
    return where(m, fill.to(x.dtype), x)


def nonzero(input, *, as_tuple=False):
    """Indices of the non-zero elements: an (n, ndim) int64 tensor, or (as_tuple) one 1-D tensor per
    dim (a 0-d input counts as 1-D there, as PyTorch)."""
    x = as_tensor(input, "nonzero")
    if as_tuple:
        return tuple(Tensor._wrap(i.astype(np.int64, copy=False)) for i in np.nonzero(np.atleast_1d(x._data)))
    return Tensor._wrap(np.argwhere(x._data).astype(np.int64, copy=False)
                        .reshape(int(np.count_nonzero(x._data)), x.ndim))


def masked_select(input, mask):
    """The elements of input where mask (broadcast together) is True, as a 1-D tensor."""
    x = as_tensor(input, "masked_select")
    m = as_tensor(mask, "masked_select", "mask")
    if m.dtype.name != "bool":
        raise TypeError(f"masked_select(): argument 'mask' must be a bool tensor, got {m.dtype}")
    try:
        shape = np.broadcast_shapes(m.shape, x.shape)
    except ValueError:
        raise ShapeError(f"masked_select(): argument 'mask' of shape {tuple(m.shape)} cannot be broadcast with "
                         f"argument 'input' of shape {tuple(x.shape)}") from None
    return getitem(x.expand(*shape), m.expand(*shape))


class ScatterSet(Function):
    """out = zeros(shape); out[index along dim] = src (for a repeated index, one of the writes wins).
    Every src element gets the gradient of the place it was written to (PyTorch's rule)."""
    @staticmethod
    def forward(ctx, src, index, dim, shape):
        ctx.index, ctx.dim = index, dim
        out = np.zeros(shape, dtype=src.dtype)
        idx = list(np.indices(index.shape, sparse=True))
        idx[dim] = index
        out[tuple(idx)] = src
        return out

    @staticmethod
    def backward(ctx, g):
        return Gather.apply(g, ctx.index, ctx.dim), None, None, None


def _scatter_index(x, dim, index, src, fname):
    index = as_tensor(index, fname, "index")
    if index.dtype is not dtypes.int64:
        raise TypeError(f"{fname}(): argument 'index' must be an int64 tensor, got {index.dtype}")
    d = _wrap_dim(dim, x.ndim, fname)
    if index.ndim != x.ndim or (src is not None and src.ndim != x.ndim):
        raise ShapeError(f"{fname}(): argument 'index' of shape {tuple(index.shape)}"
                         + (f", argument 'src' of shape {tuple(src.shape)}" if src is not None else "")
                         + f" and argument 'input' of shape {tuple(x.shape)} must have the same number of "
                           f"dimensions")
    for i, n in enumerate(index.shape):
        for name, t in (("input", x), ("src", src)):
            if t is not None and n > t.shape[i] and not (name == "input" and i == d):
                raise ShapeError(f"{fname}(): argument 'index' of shape {tuple(index.shape)} is larger than argument "
                                 f"'{name}' of shape {tuple(t.shape)} in dimension {i}")
    idx = index._data
    size = x.shape[d] if x.ndim else 1
    if idx.size and (idx.min() < 0 or idx.max() >= size):
        bad = idx[(idx < 0) | (idx >= size)].ravel()[0]
        raise IndexError(f"{fname}(): argument 'index' holds {bad}, out of range for dim {d} of size {size} "
                         f"(input of shape {tuple(x.shape)})")
    return d, idx


def _scatter_src(x, src, fname):
    src = as_tensor(src, fname, "src")
    if src.dtype is not x.dtype:
        raise DTypeError(f"{fname}(): expected argument 'src' to have dtype {x.dtype.name} (as 'input'), got "
                         f"{src.dtype.name}")
    return src


def scatter(input, dim, index, src=None, *, value=None, reduce=None):
    """A copy of input with src (or the number `value`) written at index along dim:
    out[i][index[i][j]] = src[i][j] for dim 1 (likewise for other dims)."""
    from .elementwise import where
    x = as_tensor(input, "scatter")
    if src is not None and not isinstance(src, (Tensor, np.ndarray, list, tuple)):
        src, value = None, src                 # scatter(input, dim, index, value)
    if (src is None) == (value is None):
        raise TypeError(f"scatter(): expected exactly one of argument 'src' (a Tensor) or argument 'value' "
                        f"(a number), got src={type(src).__name__}, value={value!r:.40}")
    if reduce is not None:
        if reduce == "add" and src is not None:
            return scatter_add(x, dim, index, src)
        raise ValueError(f"scatter(): argument 'reduce' must be None (or 'add' with a src tensor), got {reduce!r}")
    if src is not None:
        src = _scatter_src(x, src, "scatter")
        d, idx = _scatter_index(x, dim, index, src, "scatter")
        region = src[tuple(slice(0, n) for n in idx.shape)] if src.ndim else src
    else:
        if not _is_scalar(value) and not (isinstance(value, Tensor) and value.ndim == 0):
            raise TypeError(f"scatter(): argument 'value' must be a number, got {value!r:.40}")
        d, idx = _scatter_index(x, dim, index, None, "scatter")
        v = value._data if isinstance(value, Tensor) else value
        region = Tensor._wrap(np.full(idx.shape, v, dtype=x._data.dtype))
    if x.ndim == 0:        # a 0-d input: its one element is written
        return where(Tensor._wrap(np.asarray(True)), region.reshape(()), x)
    hit = np.zeros(x.shape, dtype=bool)                 # the places written to
    pos = list(np.indices(idx.shape, sparse=True))
    pos[d] = idx
    hit[tuple(pos)] = True
    return where(Tensor._wrap(hit), ScatterSet.apply(region, idx, d, tuple(x.shape)), x)


def scatter_add(input, dim, index, src):
    """A copy of input with src added at index along dim (repeated indices accumulate)."""
    x = as_tensor(input, "scatter_add")
    src = _scatter_src(x, src, "scatter_add")
    d, idx = _scatter_index(x, dim, index, src, "scatter_add")
    if x.ndim == 0:
        return x + src
    region = src[tuple(slice(0, n) for n in idx.shape)]
    return x + ScatterAdd.apply(region, idx, d, tuple(x.shape))
