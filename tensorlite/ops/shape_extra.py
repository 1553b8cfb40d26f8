"""Shape ops and small constructors: repeat_interleave, rot90, fliplr/flipud, as_strided and unfold (views),
sum_to_size, atleast_1d/2d/3d, column_stack/dstack, hsplit/vsplit/dsplit, block_diag, cartesian_prod,
combinations, kron, vander, trapezoid/cumulative_trapezoid, searchsorted/bucketize, logspace,
randint_like, and the dtype queries (result_type, promote_types, can_cast, ...)."""
import itertools

import numpy as np

from .. import dtypes
from .. import _device
from ..autograd.function import Function
from ..tensor import Tensor, _wrap_dim
from ..errors import ShapeError, DTypeError, ArgumentError
from ._helpers import as_tensor, unbroadcast, _result_dtype, _is_scalar
from .movement import flip, transpose, cat, stack, tensor_split, _tensor_list, pad, movedim
from .indexing import IndexAdd, index_select
from .reduction import cumprod

__all__ = ["repeat_interleave", "rot90", "fliplr", "flipud", "as_strided", "sum_to_size", "atleast_1d", "atleast_2d",
           "atleast_3d", "column_stack", "dstack", "hsplit", "vsplit", "dsplit", "block_diag", "cartesian_prod",
           "combinations", "kron", "vander", "trapezoid", "trapz", "cumulative_trapezoid", "searchsorted",
           "bucketize", "logspace", "randint_like", "result_type", "promote_types", "can_cast",
           "is_floating_point", "is_nonzero", "get_device", "ravel"]


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    """Repeat each element (or slice along dim) repeats times; repeat_interleave(r) is the index form."""
    if repeats is None:               # torch.repeat_interleave(repeats_tensor)
        r = as_tensor(input, "repeat_interleave", "repeats")
        if r.ndim > 1 or r.is_floating_point():
            raise ShapeError(f"repeat_interleave(): repeats must be 0-dim or 1-dim integer tensor, got shape "
                             f"{tuple(r.shape)} of dtype {r.dtype}")
        if r.numel() and r._data.min() < 0:
            raise ArgumentError("repeat_interleave(): repeats can not be negative")
        return Tensor._wrap(np.repeat(np.arange(r.numel(), dtype=np.int64), r._data.reshape(-1)))
    x = as_tensor(input, "repeat_interleave")
    if dim is None:
        x, d = x.reshape(-1), 0
    else:
        d = _wrap_dim(dim, x.ndim, "repeat_interleave")
        if x.ndim == 0:
            x = x.reshape(1)
    n = x.shape[d]
    if isinstance(repeats, Tensor):
        if repeats.is_floating_point() or repeats.ndim > 1:
            raise ShapeError(f"repeat_interleave(): repeats must be 0-dim or 1-dim integer tensor, got shape "
                             f"{tuple(repeats.shape)} of dtype {repeats.dtype}")
        reps = repeats._data.reshape(-1)
        if reps.size == 1:
            reps = np.full(n, int(reps[0]))
        elif reps.size != n:
            raise ShapeError(f"repeat_interleave(): repeats must have the same size as input along dim, but got "
                             f"repeats.size(0) = {reps.size} and input.size({d}) = {n}")
    elif isinstance(repeats, (int, np.integer)) and not isinstance(repeats, bool):
        reps = np.full(n, int(repeats))
    else:
        raise TypeError(f"repeat_interleave(): argument 'repeats' must be an int or a Tensor, got {repeats!r:.40}")
    if reps.size and reps.min() < 0:
        raise ArgumentError("repeat_interleave(): repeats can not be negative")
    idx = np.repeat(np.arange(n, dtype=np.int64), reps)
    if output_size is not None and output_size != idx.size:
        raise ArgumentError(f"repeat_interleave(): allocated size does not match required size: output_size="
                         f"{output_size}, required {idx.size}")
    return index_select(x, d, Tensor._wrap(idx))


def rot90(input, k=1, dims=(0, 1)):
    """Rotate by 90 degrees k times in the plane of dims (from the first towards the second axis)."""
    x = as_tensor(input, "rot90")
    dims = list(dims)
    if len(dims) != 2:
        raise ArgumentError(f"rot90(): expected total rotation dims == 2, but got dims = {len(dims)}")
    if x.ndim < 2:
        raise ShapeError(f"rot90(): expected total dims >= 2, but got total dims = {x.ndim}")
    d0, d1 = _wrap_dim(dims[0], x.ndim, "rot90", "dims"), _wrap_dim(dims[1], x.ndim, "rot90", "dims")
    if d0 == d1:
        raise ArgumentError(f"rot90(): expected rotation dims to be different, but got dim0 = {d0} and dim1 = {d1}")
    k %= 4
    if k == 1:
        return transpose(flip(x, [d1]), d0, d1)
    if k == 2:
        return flip(x, [d0, d1])
    if k == 3:
        return transpose(flip(x, [d0]), d0, d1)
    return x.clone()


def fliplr(input):
    x = as_tensor(input, "fliplr")
    if x.ndim < 2:
        raise ShapeError(f"fliplr(): Input must be >= 2-d, got shape {tuple(x.shape)}")
    return flip(x, [1])


def flipud(input):
    x = as_tensor(input, "flipud")
    if x.ndim < 1:
        raise ShapeError(f"flipud(): Input must be >= 1-d, got shape {tuple(x.shape)}")
    return flip(x, [0])


def ravel(input):
    return as_tensor(input, "ravel").reshape(-1)


# ---------------------------------------------------------------- strided views
def _storage(arr):
    """The flat storage array under arr and arr's offset into it (elements)."""
    base = arr
    while isinstance(base.base, np.ndarray):
        base = base.base
    if not base.flags.c_contiguous:
        base = base.reshape(-1) if base.flags.f_contiguous else base
    flat = base.reshape(-1) if base.flags.c_contiguous else None
    off = (arr.__array_interface__["data"][0] - base.__array_interface__["data"][0]) // arr.itemsize
    return flat, off


def _positions(shape, strides, offset):
    pos = np.full(tuple(shape), offset, dtype=np.int64)
    for i, (n, s) in enumerate(zip(shape, strides)):
        pos = pos + (np.arange(n, dtype=np.int64) * s).reshape((-1,) + (1,) * (len(shape) - i - 1))
    return pos


class AsStrided(Function):
    is_view = True

    @staticmethod
    def forward(ctx, x, flat, size, stride, offset, in_pos):
        ctx.pos_out, ctx.in_pos, ctx.n, ctx.shape = _positions(size, stride, offset), in_pos, flat.size, x.shape
        item = x.itemsize
        view = flat[offset:] if flat.size > offset else flat[:0]
        return np.lib.stride_tricks.as_strided(view, tuple(size), tuple(s * item for s in stride),
                                               writeable=x.flags.writeable)

    @staticmethod
    def backward(ctx, g):
        # scatter-add g into the storage, then read the input's elements back out of it
        store = IndexAdd.apply(g, (ctx.pos_out,), (ctx.n,))
        return store[Tensor._wrap(ctx.in_pos)], None, None, None, None, None


def as_strided(input, size, stride, storage_offset=None):
    x = as_tensor(input, "as_strided")
    size, stride = [int(s) for s in size], [int(s) for s in stride]
    if len(size) != len(stride):
        raise ShapeError(f"as_strided(): mismatch in length of strides and shape: size {size}, stride {stride}")
    if any(s < 0 for s in stride):
        raise ArgumentError(f"as_strided(): Negative strides are not supported at the moment, got strides: "
                         f"{stride}")
    flat, own = _storage(x._data)
    if flat is None:
        flat, own = np.ascontiguousarray(x._data).reshape(-1), 0
    offset = own if storage_offset is None else int(storage_offset)
    need = offset + 1 + sum((n - 1) * s for n, s in zip(size, stride)) if all(size) else 0
    if need > flat.size:
        raise RuntimeError(f"as_strided(): setStorage: sizes {size}, strides {stride}, storage offset {offset}, "
                           f"and itemsize {x.element_size()} requiring a storage size of {need * x.element_size()} "
                           f"are out of bounds for storage of size {flat.size * x.element_size()}")
    in_pos = _positions(x.shape, x.stride(), own)
    return AsStrided.apply(x, flat, size, stride, offset, in_pos)


class Unfold(Function):
    is_view = True

    @staticmethod
    def forward(ctx, x, d, size, step):
        ctx.args, ctx.shape = (d, size, step), x.shape
        n = (x.shape[d] - size) // step + 1 if x.ndim else 1
        if x.ndim == 0:
            return x.reshape(1)
        shape = x.shape[:d] + (n,) + x.shape[d + 1:] + (size,)
        strides = x.strides[:d] + (x.strides[d] * step,) + x.strides[d + 1:] + (x.strides[d],)
        return np.lib.stride_tricks.as_strided(x, shape, strides, writeable=x.flags.writeable)

    @staticmethod
    def backward(ctx, g):
        d, size, step = ctx.args
        if len(ctx.shape) == 0:
            return g.reshape(()), None, None, None
        n = g.shape[d]
        win = np.arange(n)[:, None] * step + np.arange(size)[None, :]        # (n, size) input positions
        gm = g.movedim(-1, d + 1).reshape(*g.shape[:d], n * size, *g.shape[d + 1:-1])
        idx = (slice(None),) * d + (win.reshape(-1),)
        return IndexAdd.apply(gm, idx, ctx.shape), None, None, None


def unfold(input, dimension, size, step):
    """Tensor.unfold: all windows of `size` along dimension with stride `step`, as a new last dim (a view)."""
    x = as_tensor(input, "unfold")
    d = _wrap_dim(dimension, x.ndim, "unfold", "dimension")
    n = x.shape[d] if x.ndim else 1
    if size < 0 or size > n:
        raise RuntimeError(f"unfold(): maximum size for tensor at dimension {d} is {n} but size is {size}")
    if step <= 0:
        raise RuntimeError(f"unfold(): step is {step} but must be > 0")
    return Unfold.apply(x, d, int(size), int(step))


def sum_to_size(input, *size):
    x = as_tensor(input, "sum_to_size")
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    size = tuple(int(s) for s in size)
    try:
        ok = np.broadcast_shapes(size, tuple(x.shape)) == tuple(x.shape)
    except ValueError:
        ok = False
    if not ok or len(size) > x.ndim:
        raise ShapeError(f"sum_to_size(): size {list(size)} is not expandable to size {list(x.shape)}")
    return unbroadcast(x, size)


# ---------------------------------------------------------------- stacking and splitting
def _atleast(fname, nd, tensors):
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
        out = tuple(_atleast(fname, nd, (t,)) for t in tensors)
        return out
    outs = []
    for t in tensors:
        t = as_tensor(t, fname)
        if t.ndim < nd:
            shape = {0: (1,) * nd, 1: (1, t.numel()) if nd == 2 else (1, t.numel(), 1)}.get(t.ndim)
            if t.ndim == 2:
                shape = tuple(t.shape) + (1,)
            if nd == 1:
                shape = (1,)
            t = t.reshape(*shape)
        outs.append(t)
    return outs[0] if len(outs) == 1 else tuple(outs)


def atleast_1d(*tensors):
    return _atleast("atleast_1d", 1, tensors)


def atleast_2d(*tensors):
    return _atleast("atleast_2d", 2, tensors)


def atleast_3d(*tensors):
    return _atleast("atleast_3d", 3, tensors)


def column_stack(tensors):
    ts = _tensor_list(tensors, "column_stack")
    return cat([t.reshape(-1, 1) if t.ndim <= 1 else t for t in ts], 1)


def dstack(tensors):
    ts = _tensor_list(tensors, "dstack")
    return cat([atleast_3d(t) for t in ts], 2)


def _dsplit(fname, input, sections, d, min_ndim):
    x = as_tensor(input, fname)
    if x.ndim < min_ndim:
        raise ShapeError(f"torch.{fname} requires a tensor with at least {min_ndim} dimension, but got a tensor "
                         f"with {x.ndim} dimensions!")
    if isinstance(sections, (int, np.integer)) and not isinstance(sections, bool):
        if sections <= 0 or x.shape[d] % sections:
            raise ShapeError(f"torch.{fname} attempted to split along dimension {d}, but the size of the "
                             f"dimension {x.shape[d]} is not divisible by the split_size {sections}!")
    if isinstance(sections, (int, np.integer)):
        return tuple(tensor_split(x, int(sections), d))
    n, bounds = x.shape[d], [0] + [int(i) for i in sections] + [x.shape[d]]
    out = []
    for a, b in zip(bounds[:-1], bounds[1:]):       # torch.tensor_split's index form: clipped, maybe empty
        a, b = min(max(a + n if a < 0 else a, 0), n), min(max(b + n if b < 0 else b, 0), n)
        out.append(x.narrow(d, a, max(b - a, 0)))
    return tuple(out)


def hsplit(input, indices_or_sections):
    x = as_tensor(input, "hsplit")
    return _dsplit("hsplit", x, indices_or_sections, 0 if x.ndim == 1 else 1, 1)


def vsplit(input, indices_or_sections):
    return _dsplit("vsplit", input, indices_or_sections, 0, 2)


def dsplit(input, indices_or_sections):
    return _dsplit("dsplit", input, indices_or_sections, 2, 3)


def block_diag(*tensors):
    """A block-diagonal matrix of the given 0-, 1- or 2-D tensors."""
    ts = []
    for i, t in enumerate(tensors):
        t = as_tensor(t, "block_diag", "tensors")
        if t.ndim > 2:
            raise ShapeError(f"block_diag(): Input tensors must have 2 or fewer dimensions. Input {i} has "
                             f"{t.ndim} dimensions")
        ts.append(t.reshape(1, 1) if t.ndim == 0 else t.reshape(1, -1) if t.ndim == 1 else t)
    if not ts:
        return Tensor._wrap(np.zeros((1, 0), dtypes.default_float.np))
    dt = ts[0].dtype
    for t in ts[1:]:
        dt = dtypes.promote(dt, t.dtype)
    ts = [t.to(dt) for t in ts]
    total = sum(t.shape[1] for t in ts)
    rows, left = [], 0
    for t in ts:
        rows.append(pad(t, (left, total - left - t.shape[1])))
        left += t.shape[1]
    return cat(rows, 0)


def cartesian_prod(*tensors):
    ts = [as_tensor(t, "cartesian_prod", "tensors") for t in tensors]
    for t in ts:
        if t.ndim != 1:
            raise ShapeError(f"cartesian_prod(): Expect a 1D vector, but got shape {tuple(t.shape)}")
    if len(ts) == 1:
        return ts[0]
    from .vector import meshgrid
    grids = meshgrid(*ts, indexing="ij")
    return stack([g.reshape(-1) for g in grids], 1)


def combinations(input, r=2, with_replacement=False):
    x = as_tensor(input, "combinations")
    if x.ndim != 1:
        raise ShapeError(f"combinations(): Expect a 1D vector, but got shape {tuple(x.shape)}")
    if r < 0:
        raise ArgumentError(f"combinations(): Expect a non-negative number, but got {r}")
    if r == 0:
        return Tensor._wrap(np.zeros((0,), x._data.dtype))
    gen = itertools.combinations_with_replacement if with_replacement else itertools.combinations
    combos = np.array(list(gen(range(x.numel()), r)), dtype=np.int64).reshape(-1, r)
    return x[Tensor._wrap(combos)]


def kron(input, other):
    """The Kronecker product: out[i*p + k, ...] = input[i, ...] * other[k, ...] in every dim."""
    a, b = as_tensor(input, "kron"), as_tensor(other, "kron", "other")
    nd = max(a.ndim, b.ndim)
    a = a.reshape(*((1,) * (nd - a.ndim) + tuple(a.shape)))
    b = b.reshape(*((1,) * (nd - b.ndim) + tuple(b.shape)))
    ai = a.reshape(*[s for n in a.shape for s in (n, 1)])
    bi = b.reshape(*[s for n in b.shape for s in (1, n)])
    return (ai * bi).reshape(*[m * n for m, n in zip(a.shape, b.shape)])


def vander(x, N=None, increasing=False):
    """Columns x**0 ... x**(N-1) (decreasing powers unless increasing)."""
    v = as_tensor(x, "vander", "x")
    if v.ndim != 1:
        raise ShapeError(f"vander(): x must be a one-dimensional tensor, got shape {tuple(v.shape)}")
    n = v.shape[0] if N is None else int(N)
    if n < 0:
        raise ArgumentError(f"vander(): N must be non-negative, got {n}")
    if v.dtype is dtypes.bool:
        v = v.to(dtypes.int64)
    if n == 0:
        return Tensor._wrap(np.zeros((v.shape[0], 0), v._data.dtype))
    ones = Tensor._wrap(np.ones((v.shape[0], 1), v._data.dtype))
    if n == 1:
        out = ones
    else:
        out = cumprod(cat([ones, v.unsqueeze(1).expand(v.shape[0], n - 1)], 1), 1)
    return out if increasing else flip(out, [1])


def _trapz_args(fname, y, x, dx, dim):
    y = as_tensor(y, fname, "y")
    d = _wrap_dim(dim, y.ndim, fname)
    if x is not None and not isinstance(x, Tensor):
        dx, x = x, None                 # trapezoid(y, dx) positional scalar spacing
    if x is not None and dx is not None:
        raise TypeError(f"{fname}(): pass either argument 'x' or argument 'dx', not both")
    if not y.is_floating_point():
        y = y.to(dtypes.default_float)
    return y, x, (1.0 if dx is None else dx), d


def _spacing(fname, y, x, d):
    if x.ndim == 1:
        if x.shape[0] != y.shape[d]:
            raise ShapeError(f"{fname}(): There must be one `x` value for each sample point (x of shape "
                             f"{tuple(x.shape)}, y of shape {tuple(y.shape)})")
        dxs = x[1:] - x[:-1]
        return dxs.reshape(*([-1] + [1] * (y.ndim - 1 - d))) if y.ndim > 1 else dxs
    xd = _wrap_dim(d - y.ndim, x.ndim, fname)
    n = x.shape[xd]
    return x.narrow(xd, 1, n - 1) - x.narrow(xd, 0, n - 1)


def trapezoid(y, x=None, *, dx=None, dim=-1):
    y, x, dx, d = _trapz_args("trapezoid", y, x, dx, dim)
    n = y.shape[d]
    if n == 0:
        return y.sum(d)
    mid = (y.narrow(d, 1, n - 1) + y.narrow(d, 0, n - 1)) / 2
    if x is None:
        return mid.sum(d) * dx
    return (mid * _spacing("trapezoid", y, x, d)).sum(d)


def trapz(y, x=None, *, dx=None, dim=-1):
    return trapezoid(y, x, dx=dx, dim=dim)


def cumulative_trapezoid(y, x=None, *, dx=None, dim=-1):
    y, x, dx, d = _trapz_args("cumulative_trapezoid", y, x, dx, dim)
    n = y.shape[d]
    if n == 0:
        return y.clone()
    mid = (y.narrow(d, 1, n - 1) + y.narrow(d, 0, n - 1)) / 2
    seg = mid * dx if x is None else mid * _spacing("cumulative_trapezoid", y, x, d)
    return seg.cumsum(d)


def searchsorted(sorted_sequence, input, *, out_int32=False, right=False, side=None, sorter=None):
    """Indices at which input's values would be inserted into the innermost dim of sorted_sequence."""
    seq = as_tensor(sorted_sequence, "searchsorted", "sorted_sequence")
    scalar = not isinstance(input, Tensor)
    v = as_tensor(input, "searchsorted", "input")
    if side is not None:
        if side not in ("left", "right"):
            raise ArgumentError(f"searchsorted(): side can only be 'left' or 'right' but got {side!r}")
        if right and side == "left":
            raise ArgumentError("searchsorted(): side and right can't be set to opposites, got side of left while "
                             "right was True")
        right = side == "right"
    s = seq._data
    if sorter is not None:
        s = np.take_along_axis(s, as_tensor(sorter, "searchsorted", "sorter")._data, axis=-1)
    how = "right" if right else "left"
    if s.ndim == 1:
        out = np.searchsorted(s, v._data, side=how)
    else:
        if scalar or v.ndim == 0 or tuple(s.shape[:-1]) != tuple(v.shape[:-1]):
            raise ShapeError(f"searchsorted(): boundaries tensor should be 1 dimension or the first N-1 "
                             f"dimensions of boundaries tensor and input value tensor must match, but we got "
                             f"boundaries tensor {list(seq.shape)} and input value tensor {list(v.shape)}")
        s2, v2 = s.reshape(-1, s.shape[-1]), v._data.reshape(-1, v.shape[-1])
        out = np.stack([np.searchsorted(a, b, side=how) for a, b in zip(s2, v2)]).reshape(v.shape)
    return Tensor._wrap(np.asarray(out).astype(np.int32 if out_int32 else np.int64))


def bucketize(input, boundaries, *, out_int32=False, right=False):
    b = as_tensor(boundaries, "bucketize", "boundaries")
    if b.ndim != 1:
        raise ShapeError(f"bucketize(): boundaries tensor must be 1 dimension, but got dim({b.ndim})")
    return searchsorted(b, input, out_int32=out_int32, right=right)


def logspace(start, end, steps, base=10.0, *, dtype=None, layout=None, device=None, requires_grad=False):
    from ..creation import linspace
    _device.check_options("logspace", device, layout)
    d = dtypes.to_dtype(dtype, "dtype", "logspace") if dtype is not None else dtypes.default_float
    exps = linspace(start, end, steps, dtype=dtypes.float64)
    out = Tensor._wrap(np.power(float(base), exps._data).astype(d.np))
    return out.requires_grad_(True) if requires_grad else out


def randint_like(input, low=0, high=None, *, dtype=None, layout=None, device=None, requires_grad=False,
                 memory_format=None, generator=None):
    """randint_like(input, high) or randint_like(input, low, high): input's shape (and dtype)."""
    from ..creation import randint
    x = as_tensor(input, "randint_like")
    if high is None:
        low, high = 0, low
    _device.check_options("randint_like", device, layout)
    return randint(low, high, tuple(x.shape), generator=generator, dtype=dtype or x.dtype,
                   requires_grad=requires_grad)


# ---------------------------------------------------------------- dtype queries
def result_type(tensor1, tensor2):
    """The dtype tensor1 op tensor2 produces (numbers are weakly typed)."""
    a_num, b_num = not isinstance(tensor1, Tensor), not isinstance(tensor2, Tensor)
    if a_num and b_num:
        a = as_tensor(tensor1, "result_type", "tensor1")
        return dtypes.scalar_dtype(tensor2, a.dtype) if not isinstance(tensor2, bool) or a.dtype is dtypes.bool \
            else a.dtype
    if b_num:
        return dtypes.scalar_dtype(tensor2, tensor1.dtype)
    if a_num:
        return dtypes.scalar_dtype(tensor1, tensor2.dtype)
    return _result_dtype(tensor1, tensor2)


def promote_types(type1, type2):
    return dtypes.promote(dtypes.to_dtype(type1, "type1", "promote_types"),
                          dtypes.to_dtype(type2, "type2", "promote_types"))


def can_cast(from_, to):
    """Whether a cast keeps the kind (no float -> int, no number -> bool), torch's casting rule."""
    a, b = dtypes.to_dtype(from_, "from_", "can_cast"), dtypes.to_dtype(to, "to", "can_cast")
    return dtypes.category(a) <= dtypes.category(b)


def is_floating_point(input):
    if not isinstance(input, Tensor):
        raise TypeError(f"is_floating_point(): argument 'input' must be a Tensor, not {type(input).__name__}")
    return input.is_floating_point()


def is_nonzero(input):
    if not isinstance(input, Tensor):
        raise TypeError(f"is_nonzero(): argument 'input' must be a Tensor, not {type(input).__name__}")
    if input.numel() == 0:
        raise RuntimeError("Boolean value of Tensor with no values is ambiguous")
    if input.numel() > 1:
        raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
    return bool(input._data.reshape(()).item())


def get_device(input):
    if not isinstance(input, Tensor):
        raise TypeError(f"get_device(): argument 'input' must be a Tensor, not {type(input).__name__}")
    return -1
