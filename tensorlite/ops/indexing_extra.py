"""More indexing ops: index_fill/index_add/index_copy/index_put, masked_scatter, scatter_reduce, take/put,
slice/select/diagonal_scatter, diagonal (a writable view), diag_embed, diagflat, tril/triu_indices,
argwhere. Gradients come from composed ops (where, getitem, scatter-add) or Functions whose backward
is the matching gather, so double backward works."""
import numpy as np

from .. import dtypes
from .. import _device
from ..autograd.function import Function
from ..tensor import Tensor, _wrap_dim
from ..errors import ShapeError, DTypeError, ArgumentError
from ._helpers import as_tensor, _is_scalar
from .elementwise import where
from .indexing import IndexAdd, IndexPut, normalize_index, _get, _numpy_index_error, getitem, nonzero
from .reduction import ScatterAdd
from .indexing import _scatter_index, _scatter_src

__all__ = ["index_fill", "index_add", "index_copy", "index_put", "masked_scatter", "scatter_reduce", "take",
           "put", "slice_scatter", "select_scatter", "diagonal_scatter", "diagonal", "diag_embed", "diagflat",
           "tril_indices", "triu_indices", "argwhere"]


def _index_arg(index, x, d, fname, allow_int32=False, allow_negative=False):
    """The 1-D (or 0-d) int64 index of index_fill/add/copy, its entries checked against dim d."""
    if not isinstance(index, Tensor):
        raise TypeError(f"{fname}(): argument 'index' must be a Tensor, not {type(index).__name__}")
    if index.dtype is not dtypes.int64 and not (allow_int32 and index.dtype is dtypes.int32):
        raise IndexError(f"{fname}(): Expected a long tensor for argument 'index' but got {index.dtype}")
    if index.ndim > 1:
        raise IndexError(f"{fname}(): argument 'index' must be a vector (0-D or 1-D), got shape "
                         f"{tuple(index.shape)}")
    idx = index._data.reshape(-1).astype(np.int64)
    n = x.shape[d] if x.ndim else 1
    low = -n if allow_negative else 0            # index_fill wraps negative indices; index_add/copy do not
    if idx.size and (idx.min() < low or idx.max() >= n):
        bad = idx[(idx < low) | (idx >= n)][0]
        raise IndexError(f"{fname}(): index {bad} is out of bounds for dimension {d} with size {n} (argument "
                         f"'index', input of shape {tuple(x.shape)})")
    return np.where(idx < 0, idx + n, idx)


def _dim_index(x, d, idx):
    return (slice(None),) * d + (idx,) if x.ndim else ()


def index_fill(input, dim, index, value):
    """A copy of input with value written at the positions index selects along dim."""
    x = as_tensor(input, "index_fill")
    d = _wrap_dim(dim, x.ndim, "index_fill")
    idx = _index_arg(index, x, d, "index_fill", allow_negative=True)
    if isinstance(value, Tensor):
        if value.ndim != 0:
            raise IndexError(f"index_fill(): only supports a 0-dimensional value tensor, but got tensor with "
                             f"{value.ndim} dimension(s) (shape {tuple(value.shape)})")
        v = value.to(x.dtype)
    elif _is_scalar(value):
        v = Tensor._wrap(np.asarray(value).astype(x._data.dtype))
    else:
        raise TypeError(f"index_fill(): argument 'value' must be a number or a 0-d Tensor, got {value!r:.40}")
    mask = np.zeros(x.shape, dtype=bool)
    mask[_dim_index(x, d, idx)] = True
    return where(Tensor._wrap(mask), v, x)


def _source_arg(x, d, idx, source, fname):
    src = as_tensor(source, fname, "source")
    want = tuple(len(idx) if i == d else n for i, n in enumerate(x.shape))
    if x.ndim == 0:
        want = ()
    if tuple(src.shape) != want and not (src.numel() == len(idx) and x.ndim <= 1 and src.ndim <= 1):
        raise ShapeError(f"{fname}(): argument 'source' of shape {tuple(src.shape)} must have the shape of "
                         f"argument 'input' ({tuple(x.shape)}) with dim {d} of size {len(idx)} (the length of "
                         f"'index'), i.e. {want}")
    if src.dtype is not x.dtype:
        raise DTypeError(f"{fname}(): self (dtype {x.dtype.name}) and source (dtype {src.dtype.name}) must have "
                         f"the same scalar type")
    return src.reshape(want) if tuple(src.shape) != want else src


def index_add(input, dim, index, source, *, alpha=1):
    """input + alpha * source added at index along dim (repeated indices accumulate)."""
    x = as_tensor(input, "index_add")
    d = _wrap_dim(dim, x.ndim, "index_add")
    idx = _index_arg(index, x, d, "index_add", allow_int32=True)
    src = _source_arg(x, d, idx, source, "index_add")
    if alpha != 1:
        src = src * alpha
    if x.ndim == 0:
        return x + src.sum() if len(idx) else x + 0
    return x + IndexAdd.apply(src, _dim_index(x, d, idx), tuple(x.shape))


def index_copy(input, dim, index, source):
    """A copy of input with source's slices written at index along dim."""
    x = as_tensor(input, "index_copy")
    d = _wrap_dim(dim, x.ndim, "index_copy")
    idx = _index_arg(index, x, d, "index_copy")
    src = _source_arg(x, d, idx, source, "index_copy")
    if x.ndim == 0:
        return src.reshape(()).clone() if len(idx) else x.clone()
    return IndexPut.apply(x, src, _dim_index(x, d, idx))


def index_put(input, indices, values, accumulate=False):
    """input with values written (or, accumulate=True, added) at input[indices]."""
    from .indexing import _index_put
    x = as_tensor(input, "index_put")
    if not isinstance(indices, (tuple, list)):
        raise TypeError(f"index_put(): argument 'indices' must be a tuple of Tensors, not "
                        f"{type(indices).__name__}")
    indices = tuple(indices)
    if not accumulate:
        return _index_put(x, indices, values, "index_put")
    idx = normalize_index(x, indices, "index_put")
    v = as_tensor(values, "index_put", "values")
    if v.dtype is not x.dtype:
        v = v.to(x.dtype)
    try:
        target = _get(x._data, idx).shape
    except (IndexError, ValueError, TypeError) as e:
        raise _numpy_index_error(e, x, indices, "index_put") from None
    try:
        np.broadcast_to(v._data, target)
    except ValueError:
        raise ShapeError(f"index_put(): shape mismatch: value tensor of shape {tuple(v.shape)} cannot be "
                         f"broadcast to indexing result of shape {target}") from None
    flat = []                 # a bool mask is its nonzero() index arrays (np.add.at wants integers)
    for i in idx:
        flat.extend(np.nonzero(i) if isinstance(i, np.ndarray) and i.dtype == bool else (i,))
    return x + IndexAdd.apply(v.expand(*target) if tuple(v.shape) != target else v, tuple(flat), tuple(x.shape))


def masked_scatter(input, mask, source):
    """input with source's first elements (in order) written where mask (broadcast to input) is True."""
    x = as_tensor(input, "masked_scatter")
    m = as_tensor(mask, "masked_scatter", "mask")
    src = as_tensor(source, "masked_scatter", "source")
    if m.dtype is not dtypes.bool:
        raise DTypeError(f"masked_scatter(): argument 'mask' must be a bool tensor, got {m.dtype}")
    if src.dtype is not x.dtype:
        raise DTypeError(f"masked_scatter(): expected self and source to have same dtypes but got "
                         f"{x.dtype.name} and {src.dtype.name}")
    try:
        shape = np.broadcast_shapes(m.shape, x.shape)
    except ValueError:
        raise ShapeError(f"masked_scatter(): argument 'mask' of shape {tuple(m.shape)} cannot be broadcast with "
                         f"argument 'input' of shape {tuple(x.shape)}") from None
    mk = np.broadcast_to(m._data, shape)
    n = int(mk.sum())
    if n > src.numel():
        raise ShapeError(f"masked_scatter(): Number of elements of source ({src.numel()}) < number of ones in "
                         f"mask ({n})")
    if tuple(shape) != tuple(x.shape):
        x = x.expand(*shape)
    placed = IndexAdd.apply(src.reshape(-1)[:n], np.nonzero(mk), tuple(shape))
    return where(Tensor._wrap(np.ascontiguousarray(mk)), placed, x)


class _ScatterMinMax(Function):
    """scatter_reduce amax/amin: the gradient is shared evenly by the elements equal to the result."""
    @staticmethod
    def forward(ctx, x, src, pos, hit, include_self, is_min):
        ufunc = np.minimum if is_min else np.maximum
        out = x.copy()
        if not include_self:
            ident = (np.inf if is_min else -np.inf) if x.dtype.kind == "f" else (
                np.iinfo(x.dtype).max if is_min else np.iinfo(x.dtype).min) if x.dtype.kind in "iu" else is_min
            out[hit] = ident
        ufunc.at(out, pos, src)
        if x.dtype.kind == "f":
            mask_x = (x == out) | (np.isnan(out) & np.isnan(x))     # torch counts self's ties even if excluded
            mask_src = (src == out[pos]) | (np.isnan(src) & np.isnan(out[pos]))
            count = mask_x.astype(x.dtype)
            np.add.at(count, pos, mask_src.astype(x.dtype))
            count[count == 0] = 1
            ctx.wx, ctx.wsrc = np.where(hit & (not include_self), 0, mask_x / count), mask_src / count[pos]
            ctx.pos_index, ctx.shape = pos, x.shape
        return out

    @staticmethod
    def backward(ctx, g):
        gx = g * Tensor._wrap(ctx.wx) if ctx.needs_input_grad[0] else None
        gs = getitem(g, ctx.pos_index) * Tensor._wrap(ctx.wsrc) if ctx.needs_input_grad[1] else None
        return gx, gs, None, None, None, None


class _ScatterProd(Function):
    """scatter_reduce prod. Without zeros in src the backward is written in tensor ops on the saved
    output (so it is twice differentiable); with zeros it uses products of the other factors."""
    @staticmethod
    def forward(ctx, x, src, pos, hit, include_self):
        out = x.copy()
        if not include_self:
            out[hit] = 1
        np.multiply.at(out, pos, src)
        ctx.pos_index, ctx.hit, ctx.include_self, ctx.wsrc = pos, hit, include_self, None
        if x.dtype.kind == "f":
            ctx.save_for_backward(x, src, out)
            if (src == 0).any():
                nz = np.ones_like(x)
                np.multiply.at(nz, pos, np.where(src == 0, 1, src))
                zc = np.zeros(x.shape, np.int64)
                np.add.at(zc, pos, (src == 0).astype(np.int64))
                with np.errstate(all="ignore"):
                    others = np.where(src != 0, np.where(zc[pos] == 0, nz[pos] / np.where(src == 0, 1, src), 0),
                                      np.where(zc[pos] == 1, nz[pos], 0))
                ctx.wsrc = others * x[pos] if include_self else others
        return out

    @staticmethod
    def backward(ctx, g):
        x, src, out = ctx.saved_tensors
        pos, hit = ctx.pos_index, ctx.hit
        gx = gs = None
        if ctx.needs_input_grad[0]:
            if ctx.include_self:       # d out / d x = the product of the src scattered there
                ones = Tensor._wrap(np.ones(x.shape, dtype=x._data.dtype))
                gx = g * _ScatterProd.apply(ones, src, pos, hit, True)
            else:
                gx = g * Tensor._wrap((~hit).astype(x._data.dtype))
        if ctx.needs_input_grad[1]:
            if ctx.wsrc is None:
                gs = getitem(g * out, pos) / src
            else:
                gs = getitem(g, pos) * Tensor._wrap(ctx.wsrc)
        return gx, gs, None, None, None


_REDUCES = ("sum", "prod", "mean", "amax", "amin")


def scatter_reduce(input, dim, index, src, reduce, *, include_self=True):
    """Reduce src into input at index along dim with sum / prod / mean / amax / amin."""
    x = as_tensor(input, "scatter_reduce")
    reduce = {"max": "amax", "min": "amin"}.get(reduce, reduce)      # torch accepts these spellings too
    if reduce not in _REDUCES:
        raise RuntimeError(f"scatter_reduce(): argument 'reduce' must be one of {_REDUCES}, got {reduce!r} "
                           f"(reduce argument must be either sum, prod, mean, amax or amin)")
    src = _scatter_src(x, src, "scatter_reduce")
    d, idx = _scatter_index(x, dim, index, src, "scatter_reduce")
    if x.ndim == 0:
        x1, src1, idx1 = x.reshape(1), src.reshape(1), idx.reshape(1)
        return scatter_reduce(x1, 0, Tensor._wrap(idx1), src1, reduce, include_self=include_self).reshape(())
    pos = list(np.indices(idx.shape, sparse=True))
    pos[d] = idx
    pos = tuple(np.broadcast_arrays(*pos))
    region = src[tuple(slice(0, n) for n in idx.shape)]
    hit = np.zeros(x.shape, dtype=bool)
    hit[pos] = True
    if reduce in ("amax", "amin"):
        return _ScatterMinMax.apply(x, region, pos, hit, bool(include_self), reduce == "amin")
    if reduce == "prod":
        return _ScatterProd.apply(x, region, pos, hit, bool(include_self))
    base = x if include_self else where(Tensor._wrap(hit), Tensor._wrap(np.zeros((), x._data.dtype)), x)
    total = base + ScatterAdd.apply(region, idx, d, tuple(x.shape))
    if reduce == "sum":
        return total
    count = np.zeros(x.shape, np.int64)
    np.add.at(count, pos, 1)
    count = np.maximum(count + (1 if include_self else 0), 1)
    if x.is_floating_point():
        return total / Tensor._wrap(count.astype(x._data.dtype))
    return Tensor._wrap(np.floor_divide(total._data, count).astype(x._data.dtype))


def take(input, index):
    """input treated as 1-D, read at index (result has index's shape)."""
    x = as_tensor(input, "take")
    if not isinstance(index, Tensor) or index.dtype is not dtypes.int64:
        raise DTypeError(f"take(): argument 'index' must be an int64 Tensor, got "
                        f"{getattr(index, 'dtype', type(index).__name__)}")
    n = x.numel()
    idx = index._data
    if idx.size and (idx.min() < -n or idx.max() >= n):
        bad = idx[(idx < -n) | (idx >= n)].ravel()[0]
        raise IndexError(f"take(): out of range: tried to access index {bad} on a tensor of {n} elements "
                         f"(argument 'input' of shape {tuple(x.shape)})")
    return getitem(x.reshape(-1), index)


def put(input, index, source, accumulate=False):
    """A copy of input (viewed as 1-D) with source written (or added) at index."""
    x = as_tensor(input, "put")
    if not isinstance(index, Tensor) or index.dtype is not dtypes.int64:
        raise DTypeError(f"put(): argument 'index' must be an int64 Tensor, got "
                        f"{getattr(index, 'dtype', type(index).__name__)}")
    src = as_tensor(source, "put", "source")
    if src.numel() != index.numel():
        raise IndexError(f"put(): Expected source and index to have the same number of elements, but got "
                         f"source.numel() = {src.numel()}, index.numel() = {index.numel()}")
    if src.dtype is not x.dtype:
        raise DTypeError(f"put(): self (dtype {x.dtype.name}) and source (dtype {src.dtype.name}) must have the "
                         f"same scalar type")
    n = x.numel()
    idx = index._data.reshape(-1)
    if idx.size and (idx.min() < -n or idx.max() >= n):
        bad = idx[(idx < -n) | (idx >= n)][0]
        raise IndexError(f"put(): out of range: tried to access index {bad} on a tensor of {n} elements")
    flat = index_put(x.reshape(-1), (Tensor._wrap(np.where(idx < 0, idx + n, idx)),), src.reshape(-1),
                     accumulate)
    return flat.reshape(*x.shape)


def _scatter_into(fname, x, src, idx, want):
    src = as_tensor(src, fname, "src")
    if tuple(src.shape) != tuple(want):
        raise ShapeError(f"{fname}(): expected argument 'src' to have a size equal to the slice of "
                         f"'input'. src size = {list(src.shape)}, slice size = {list(want)}")
    if src.dtype is not x.dtype:
        src = src.to(x.dtype)
    return IndexPut.apply(x, src, idx)


def slice_scatter(input, src, dim=0, start=None, end=None, step=1):
    x = as_tensor(input, "slice_scatter")
    d = _wrap_dim(dim, x.ndim, "slice_scatter")
    if step <= 0:
        raise ArgumentError(f"slice_scatter(): argument 'step' must be positive, got {step}")
    idx = (slice(None),) * d + (slice(start, end, step),)
    return _scatter_into("slice_scatter", x, src, idx, x._data[idx].shape)


def select_scatter(input, src, dim, index):
    x = as_tensor(input, "select_scatter")
    d = _wrap_dim(dim, x.ndim, "select_scatter")
    n = x.shape[d]
    if not -n <= index < n:
        raise IndexError(f"select_scatter(): index {index} out of range for tensor of size {tuple(x.shape)} at "
                         f"dimension {d}")
    idx = (slice(None),) * d + (int(index) % n,)
    return _scatter_into("select_scatter", x, src, idx, x._data[idx].shape)


# ---------------------------------------------------------------- diagonals
def _diag_dims(ndim, dim1, dim2, fname):
    d1, d2 = _wrap_dim(dim1, ndim, fname, "dim1"), _wrap_dim(dim2, ndim, fname, "dim2")
    if d1 == d2:
        raise ArgumentError(f"{fname}(): diagonal dimensions cannot be identical {dim1}, {dim2}")
    return d1, d2


def _diag_view(arr, offset, d1, d2):
    """A writable view of arr's diagonal along (d1, d2), appended as the last dim (torch's layout)."""
    perm = [i for i in range(arr.ndim) if i not in (d1, d2)] + [d1, d2]
    a = arr.transpose(perm)
    sub = a[..., max(-offset, 0):, max(offset, 0):]
    n = max(0, min(sub.shape[-2], sub.shape[-1]))
    return np.lib.stride_tricks.as_strided(sub, sub.shape[:-2] + (n,), sub.strides[:-2] +
                                           (sub.strides[-2] + sub.strides[-1],),
                                           writeable=arr.flags.writeable)


class Diagonal(Function):
    is_view = True

    @staticmethod
    def forward(ctx, x, offset, d1, d2):
        ctx.args, ctx.shape = (offset, d1, d2), x.shape
        return _diag_view(x, offset, d1, d2)

    @staticmethod
    def backward(ctx, g):
        return DiagonalInto.apply(g, ctx.shape, *ctx.args), None, None, None


class DiagonalInto(Function):
    """zeros(shape) with src written on the diagonal (offset, d1, d2)."""
    @staticmethod
    def forward(ctx, src, shape, offset, d1, d2):
        ctx.args = (offset, d1, d2)
        out = np.zeros(shape, dtype=src.dtype)
        _diag_view(out, offset, d1, d2)[...] = src
        return out

    @staticmethod
    def backward(ctx, g):
        return Diagonal.apply(g, *ctx.args), None, None, None, None


def _int(v, fname, argname):
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
        raise TypeError(f"{fname}(): argument '{argname}' must be an int, got {v!r:.40}")
    return int(v)


def diagonal(input, offset=0, dim1=0, dim2=1):
    """The diagonal along (dim1, dim2) as a view, appended as the last dimension."""
    x = as_tensor(input, "diagonal")
    if x.ndim < 2:
        raise ShapeError(f"diagonal(): argument 'input' must have at least 2 dimensions, got shape "
                         f"{tuple(x.shape)}")
    d1, d2 = _diag_dims(x.ndim, dim1, dim2, "diagonal")
    return Diagonal.apply(x, _int(offset, "diagonal", "offset"), d1, d2)


def diagonal_scatter(input, src, offset=0, dim1=0, dim2=1):
    x = as_tensor(input, "diagonal_scatter")
    if x.ndim < 2:
        raise ShapeError(f"diagonal_scatter(): argument 'input' must have at least 2 dimensions, got shape "
                         f"{tuple(x.shape)}")
    d1, d2 = _diag_dims(x.ndim, dim1, dim2, "diagonal_scatter")
    offset = _int(offset, "diagonal_scatter", "offset")
    mask = np.zeros(x.shape, bool)
    _diag_view(mask, offset, d1, d2)[...] = True
    want = _diag_view(x._data, offset, d1, d2).shape
    src = as_tensor(src, "diagonal_scatter", "src")
    if tuple(src.shape) != want:
        raise ShapeError(f"diagonal_scatter(): expected argument 'src' to have a size equal to the slice of "
                         f"'input'. src size = {list(src.shape)}, slice size = {list(want)}")
    placed = DiagonalInto.apply(src.to(x.dtype), tuple(x.shape), offset, d1, d2)
    return where(Tensor._wrap(mask), placed, x)


def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    """A tensor whose diagonals along (dim1, dim2) are input's last dimension (zeros elsewhere)."""
    x = as_tensor(input, "diag_embed")
    offset = _int(offset, "diag_embed", "offset")
    if x.ndim == 0:
        x = x.reshape(1)
    d1, d2 = _diag_dims(x.ndim + 1, dim1, dim2, "diag_embed")
    n = x.shape[-1] + abs(offset)
    batch = iter(x.shape[:-1])
    shape = tuple(n if i in (d1, d2) else next(batch) for i in range(x.ndim + 1))
    return DiagonalInto.apply(x, shape, offset, d1, d2)


def diagflat(input, offset=0):
    x = as_tensor(input, "diagflat")
    return diag_embed(x.reshape(-1), offset, 0, 1)


def _tri_indices(fname, lower, row, col, offset, dtype, device, layout):
    _device.check_options(fname, device, layout)
    row, col, offset = _int(row, fname, "row"), _int(col, fname, "col"), _int(offset, fname, "offset")
    if row < 0 or col < 0:
        raise ArgumentError(f"{fname}(): row must be non-negative, got {row}" if row < 0 else
                         f"{fname}(): col must be non-negative, got {col}")
    d = dtypes.to_dtype(dtype, "dtype", fname) if dtype is not None else dtypes.int64
    if d not in (dtypes.int64, dtypes.int32):
        raise DTypeError(f"{fname}(): \"{fname}\" not implemented for '{d.name}' (argument 'dtype' must be "
                        f"int32 or int64)")
    r, c = (np.tril_indices if lower else np.triu_indices)(row, offset, col)
    return Tensor._wrap(np.stack([r, c]).astype(d.np).reshape(2, -1))


def tril_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    return _tri_indices("tril_indices", True, row, col, offset, dtype, device, layout)


def triu_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    return _tri_indices("triu_indices", False, row, col, offset, dtype, device, layout)


def argwhere(input):
    return nonzero(input)
