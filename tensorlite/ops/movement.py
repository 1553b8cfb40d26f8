"""Shape and movement ops. Reshape/permute/expand return views when numpy can (as PyTorch)."""
import numpy as np

from ..autograd.function import Function
from ..errors import ShapeError, ArgumentError
from ..tensor import Tensor, _wrap_dim
from ._helpers import as_tensor, dims_arg, unbroadcast, operands, _is_scalar

__all__ = ["reshape", "view", "permute", "transpose", "swapaxes", "swapdims", "t", "movedim", "expand",
           "broadcast_to", "expand_as", "broadcast_tensors", "squeeze", "unsqueeze", "flatten", "unflatten",
           "contiguous", "clone", "flip", "cat", "concat", "concatenate", "stack", "hstack", "vstack",
           "atleast_2d", "narrow", "split", "chunk", "tensor_split", "unbind", "select", "repeat", "tile", "roll",
           "pad"]

# Most elements a result may have (numel * itemsize must fit a signed 64-bit byte count).
_MAX_NUMEL = 2 ** 60


class Reshape(Function):
    is_view = True

    @staticmethod
    def forward(ctx, x, shape):
        ctx.in_shape = x.shape
        return x.reshape(shape)

    @staticmethod
    def backward(ctx, g):
        return g.reshape(ctx.in_shape)


class Permute(Function):
    is_view = True

    @staticmethod
    def forward(ctx, x, dims):
        ctx.dims = dims
        return np.transpose(x, dims)

    @staticmethod
    def backward(ctx, g):
        return g.permute(tuple(np.argsort(ctx.dims)))


class Expand(Function):
    is_view = True

    @staticmethod
    def forward(ctx, x, shape):
        ctx.in_shape = x.shape
        return np.broadcast_to(x, shape)

    @staticmethod
    def backward(ctx, g):
        return unbroadcast(g, ctx.in_shape)


class Clone(Function):
    @staticmethod
    def forward(ctx, x, order):
        return np.array(x, order=order, copy=True)

    @staticmethod
    def backward(ctx, g):
        return g


class Pad(Function):
    @staticmethod
    def forward(ctx, x, widths, value):
        # widths: ((before, after), ...) per dim; negative widths crop, as PyTorch.
        ctx.in_shape = x.shape
        ctx.crop = tuple((max(-b, 0), max(-a, 0)) for b, a in widths)
        x = x[tuple(slice(cb, n - ca) for (cb, ca), n in zip(ctx.crop, x.shape))]
        grow = tuple((max(b, 0), max(a, 0)) for b, a in widths)
        ctx.inner = tuple(slice(b, b + n) for (b, _), n in zip(grow, x.shape))
        return np.pad(x, grow, mode="constant", constant_values=value)

    @staticmethod
    def backward(ctx, g):
        g = g[ctx.inner]
        if any(cb or ca for cb, ca in ctx.crop):   # cropped elements get zero gradient
            g = pad(g, tuple(w for cb, ca in reversed(ctx.crop) for w in (cb, ca)))
        return g


class Flip(Function):
    @staticmethod
    def forward(ctx, x, dims):
        ctx.dims = dims
        return np.flip(x, dims).copy()          # a copy, as PyTorch (no negative-stride alias)

    @staticmethod
    def backward(ctx, g):
        return g.flip(ctx.dims)


class Cat(Function):
    @staticmethod
    def forward(ctx, *arrays, dim):
        ctx.dim = dim
        ctx.sizes = [a.shape[dim] for a in arrays]
        return np.concatenate(arrays, axis=dim)

    @staticmethod
    def backward(ctx, g):
        out, start = [], 0
        for n in ctx.sizes:
            out.append(g.narrow(ctx.dim, start, n))
            start += n
        return tuple(out)


# ---------------------------------------------------------------- public functions
def _shape_arg(shape, fname, argname="shape"):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list, Tensor)) or (
            len(shape) == 1 and hasattr(shape[0], "__iter__") and not isinstance(shape[0], str)):
        shape = tuple(shape[0])
    out = []
    for s in shape:
        if isinstance(s, bool) or not isinstance(s, (int, np.integer)) and not (
                isinstance(s, Tensor) and s.numel() == 1):
            raise TypeError(f"{fname}(): argument '{argname}' must be a sequence of ints, got {shape!r:.80}")
        out.append(int(s))
    return tuple(out)


def _infer_shape(shape, numel, fname, argname="shape"):
    if sum(s == -1 for s in shape) > 1:
        raise ShapeError(f"{fname}(): only one dimension can be inferred: argument '{argname}' is "
                         f"{list(shape)}")
    if any(s < -1 for s in shape):
        raise ShapeError(f"{fname}(): invalid shape dimension {min(shape)} in argument '{argname}' "
                         f"{list(shape)}")
    known = int(np.prod([s for s in shape if s != -1]))
    if -1 in shape:
        if known == 0 or numel % known:
            raise ShapeError(f"{fname}(): {argname} '{list(shape)}' is invalid for input of size {numel}")
        shape = tuple(numel // known if s == -1 else s for s in shape)
    elif known != numel:
        raise ShapeError(f"{fname}(): {argname} '{list(shape)}' is invalid for input of size {numel}")
    return shape


def reshape(input, *shape):
    x = as_tensor(input, "reshape")
    shape = _infer_shape(_shape_arg(shape, "reshape"), x.numel(), "reshape")
    if shape == tuple(x.shape):
        return x if x.grad_fn is None and not x.requires_grad else Reshape.apply(x, shape)
    return Reshape.apply(x, shape)


def view(input, *shape):
    x = as_tensor(input, "view")
    shape = _infer_shape(_shape_arg(shape, "view"), x.numel(), "view")
    try:
        np.reshape(x._data, shape, copy=False)
    except (ValueError, TypeError) as e:
        if "copy" not in str(e) and not isinstance(e, ValueError):
            raise
        raise ShapeError(f"view(): size {list(shape)} is not compatible with input tensor's size and "
                           f"stride ({list(x.shape)}, {list(x.stride())}): at least one dimension spans "
                           f"across two contiguous subspaces. Use .reshape(...) instead.") from None
    return Reshape.apply(x, shape)


def permute(input, *dims):
    x = as_tensor(input, "permute")
    dims = _shape_arg(dims, "permute")
    if len(dims) != x.ndim:
        raise ShapeError(f"permute(): number of dims {len(dims)} in argument 'dims' {dims} doesn't match the "
                         f"input's {x.ndim} (shape {tuple(x.shape)})")
    norm = tuple(_wrap_dim(d, x.ndim, "permute", "dims") for d in dims)
    if len(set(norm)) != len(norm):
        raise ArgumentError(f"permute(): repeated dim in argument 'dims' {dims}")
    return Permute.apply(x, norm)


def transpose(input, dim0, dim1):
    x = as_tensor(input, "transpose")
    if x.ndim == 0:
        return x
    d0, d1 = _wrap_dim(dim0, x.ndim, "transpose", "dim0"), _wrap_dim(dim1, x.ndim, "transpose", "dim1")
    dims = list(range(x.ndim))
    dims[d0], dims[d1] = dims[d1], dims[d0]
    return Permute.apply(x, tuple(dims))


swapaxes = swapdims = transpose


def t(input):
    x = as_tensor(input, "t")
    if x.ndim > 2:
        raise ShapeError(f"t() expects a tensor with <= 2 dimensions, but self is {x.ndim}D (argument 'input' "
                         f"has shape {tuple(x.shape)})")
    return transpose(x, 0, 1) if x.ndim == 2 else x


def movedim(input, source, destination):
    x = as_tensor(input, "movedim")
    src = [source] if isinstance(source, (int, np.integer)) else list(source)
    dst = [destination] if isinstance(destination, (int, np.integer)) else list(destination)
    if len(src) != len(dst):
        raise ArgumentError(f"movedim(): Invalid source or destination dims: argument 'source' ({src}) should "
                            f"contain the same number of dims as argument 'destination' ({dst})")
    src = [_wrap_dim(d, x.ndim, "movedim", "source") for d in src]
    dst = [_wrap_dim(d, x.ndim, "movedim", "destination") for d in dst]
    for name, ds, given in (("source", src, source), ("destination", dst, destination)):
        if len(set(ds)) != len(ds):
            raise ArgumentError(f"movedim(): repeated dim in argument '{name}' {list(given)}")
    order = [d for d in range(x.ndim) if d not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return Permute.apply(x, tuple(order))


def expand(input, *sizes):
    x = as_tensor(input, "expand")
    return _expand(x, _shape_arg(sizes, "expand", "size"), "expand", "size")


def _expand(x, sizes, fname, argname):
    if len(sizes) < x.ndim:
        raise ShapeError(f"{fname}(): the number of sizes provided ({len(sizes)}) must be greater or "
                         f"equal to the number of dimensions in the tensor ({x.ndim}): argument '{argname}' "
                         f"{tuple(sizes)}, tensor of shape {tuple(x.shape)}")
    lead = len(sizes) - x.ndim
    shape = []
    for i, s in enumerate(sizes):
        cur = x.shape[i - lead] if i >= lead else None
        if s == -1:
            if cur is None:
                raise ShapeError(f"{fname}(): -1 is not allowed in a leading, non-existing dimension "
                                 f"(argument '{argname}' {list(sizes)})")
            s = cur
        elif s < 0:
            raise ShapeError(f"{fname}(): argument '{argname}' {list(sizes)} has a negative size {s}")
        elif cur is not None and cur != 1 and cur != s:
            raise ShapeError(f"{fname}(): the expanded size of the tensor ({s}) must match the existing "
                             f"size ({cur}) at non-singleton dimension {i}. Target sizes (argument "
                             f"'{argname}'): {list(sizes)}. Tensor sizes: {list(x.shape)}")
        shape.append(s)
    shape = tuple(shape)
    return x if shape == tuple(x.shape) else Expand.apply(x, shape)


def broadcast_to(input, shape):
    x = as_tensor(input, "broadcast_to")
    return _expand(x, _shape_arg((shape,), "broadcast_to"), "broadcast_to", "shape")


def expand_as(input, other):
    x = as_tensor(input, "expand_as")
    if not isinstance(other, Tensor):
        raise TypeError(f"expand_as(): argument 'other' must be a Tensor, not {type(other).__name__}")
    return _expand(x, tuple(other.shape), "expand_as", "other")


def broadcast_tensors(*tensors):
    ts = [as_tensor(t, "broadcast_tensors", "tensors") for t in tensors]
    try:
        shape = np.broadcast_shapes(*[tuple(t.shape) for t in ts])
    except ValueError:
        raise ShapeError(f"broadcast_tensors(): argument 'tensors' has shapes "
                         f"{', '.join(str(tuple(t.shape)) for t in ts)} that cannot be broadcast together") from None
    return tuple(expand(t, *shape) for t in ts)


def squeeze(input, dim=None):
    x = as_tensor(input, "squeeze")
    if dim is None:
        dims = tuple(i for i, s in enumerate(x.shape) if s == 1)
    else:
        dims = tuple(d for d in dims_arg(dim, x.ndim, "squeeze") if x.ndim and x.shape[d] == 1)
    if not dims:
        return x if x.grad_fn is None and not x.requires_grad else Reshape.apply(x, tuple(x.shape))
    return Reshape.apply(x, tuple(s for i, s in enumerate(x.shape) if i not in dims))


def unsqueeze(input, dim):
    x = as_tensor(input, "unsqueeze")
    d = _wrap_dim(dim, x.ndim + 1, "unsqueeze")
    shape = list(x.shape)
    shape.insert(d, 1)
    return Reshape.apply(x, tuple(shape))


def flatten(input, start_dim=0, end_dim=-1):
    x = as_tensor(input, "flatten")
    if x.ndim == 0:
        return reshape(x, 1)
    s, e = _wrap_dim(start_dim, x.ndim, "flatten", "start_dim"), _wrap_dim(end_dim, x.ndim, "flatten", "end_dim")
    if s > e:
        raise ArgumentError(f"flatten(): start_dim ({start_dim}) cannot come after end_dim ({end_dim}) for input "
                            f"of shape {tuple(x.shape)}")
    shape = x.shape[:s] + (int(np.prod(x.shape[s:e + 1])),) + x.shape[e + 1:]
    return reshape(x, shape)


def unflatten(input, dim, sizes):
    x = as_tensor(input, "unflatten")
    d = _wrap_dim(dim, x.ndim, "unflatten")
    if isinstance(sizes, (str, bytes)) or not hasattr(sizes, "__iter__"):
        raise TypeError(f"unflatten(): argument 'sizes' must be a sequence of ints, got {sizes!r:.40}")
    inner = _infer_shape(_shape_arg((sizes,), "unflatten", "sizes"), x.shape[d], "unflatten", "sizes")
    return reshape(x, x.shape[:d] + inner + x.shape[d + 1:])


def contiguous(input):
    x = as_tensor(input, "contiguous")
    return x if x._data.flags.c_contiguous else Clone.apply(x, "C")


def clone(input):
    return Clone.apply(as_tensor(input, "clone"), "K")


def flip(input, dims):
    x = as_tensor(input, "flip")
    dims = dims_arg(dims if isinstance(dims, (list, tuple)) else (dims,), x.ndim, "flip")
    return Flip.apply(x, dims)


def _tensor_list(tensors, fname):
    if isinstance(tensors, (Tensor, str)) or not hasattr(tensors, "__iter__"):
        raise TypeError(f"{fname}(): argument 'tensors' must be a sequence of Tensors, got "
                        f"{type(tensors).__name__}")
    ts = [as_tensor(t, fname, "tensors") for t in tensors]
    if not ts:
        raise ValueError(f"{fname}(): argument 'tensors' must be a non-empty sequence of Tensors, got "
                         f"{list(tensors)!r}")
    return ts


def cat(tensors, dim=0):
    return _cat(_tensor_list(tensors, "cat"), dim, "cat")


def _cat(ts, dim, fname):
    ts = [t for t in ts if not (t.ndim == 1 and t.numel() == 0)] or ts[:1]  # legacy empty skip
    ref = ts[0]
    for i, t in enumerate(ts):
        if t.ndim == 0:
            raise ShapeError(f"{fname}(): zero-dimensional tensor (at entry {i} of argument 'tensors') cannot "
                             f"be concatenated")
    d = _wrap_dim(dim, ref.ndim, fname)
    for i, t in enumerate(ts):
        if t.ndim != ref.ndim or any(a != b for j, (a, b) in enumerate(zip(t.shape, ref.shape)) if j != d):
            raise ShapeError(f"{fname}(): sizes of tensors must match except in dimension {d}: argument "
                             f"'tensors' has shape {tuple(ref.shape)} at entry 0 and shape {tuple(t.shape)} "
                             f"at entry {i}")
    dt = ts[0]
    for t in ts[1:]:
        dt, _ = operands(dt, t, fname)
    ts = [t if t.dtype is dt.dtype else t.to(dt.dtype) for t in ts]
    return Cat.apply(*ts, dim=d)


concat = concatenate = cat


def stack(tensors, dim=0):
    ts = _tensor_list(tensors, "stack")
    for i, t in enumerate(ts):
        if tuple(t.shape) != tuple(ts[0].shape):
            raise ShapeError(f"stack(): expects each tensor to be equal size, but argument 'tensors' has "
                             f"{tuple(ts[0].shape)} at entry 0 and {tuple(t.shape)} at entry {i}")
    d = _wrap_dim(dim, ts[0].ndim + 1, "stack")
    return _cat([unsqueeze(t, d) for t in ts], d, "stack")


def hstack(tensors):
    ts = _tensor_list(tensors, "hstack")
    return _cat([t.reshape(1) if t.ndim == 0 else t for t in ts], 0 if ts[0].ndim <= 1 else 1, "hstack")


def vstack(tensors):
    return _cat([atleast_2d(t) for t in _tensor_list(tensors, "vstack")], 0, "vstack")


def atleast_2d(x):
    x = as_tensor(x, "atleast_2d")
    return x.reshape(1, -1) if x.ndim < 2 else x


def narrow(input, dim, start, length):
    x = as_tensor(input, "narrow")
    d = _wrap_dim(dim, x.ndim, "narrow")
    if start < 0:
        start += x.shape[d]
    if not (0 <= start and length >= 0 and start + length <= x.shape[d]):
        raise IndexError(f"narrow(): start ({start}) + length ({length}) exceeds dimension size "
                         f"({x.shape[d]}) of dim {d}")
    return x[(slice(None),) * d + (slice(start, start + length),)]


def split(tensor, split_size_or_sections, dim=0):
    x = as_tensor(tensor, "split")
    d = _wrap_dim(dim, x.ndim, "split")
    n = x.shape[d]
    if isinstance(split_size_or_sections, (int, np.integer)):
        size = int(split_size_or_sections)
        if size <= 0 and not (size == 0 and n == 0):
            raise ValueError(f"split(): split_size must be positive, got {size}")
        sizes = [min(size, n - i) for i in range(0, n, size)] if n else [0]
    else:
        sizes = [int(s) for s in split_size_or_sections]
        if sum(sizes) != n or any(s < 0 for s in sizes):
            raise ValueError(f"split(): split_sizes {sizes} must sum to the size of dim {d} ({n})")
    out, start = [], 0
    for s in sizes:
        out.append(narrow(x, d, start, s))
        start += s
    return tuple(out)


def chunk(input, chunks, dim=0):
    x = as_tensor(input, "chunk")
    if isinstance(chunks, bool) or not isinstance(chunks, (int, np.integer)):
        raise TypeError(f"chunk(): argument 'chunks' must be an int, got {chunks!r:.40}")
    if chunks <= 0:
        raise ValueError(f"chunk(): chunks must be positive, got {chunks}")
    n = x.shape[_wrap_dim(dim, x.ndim, "chunk")]
    return split(x, max(-(-n // chunks), 1), dim)


def tensor_split(input, sections, dim=0):
    x = as_tensor(input, "tensor_split")
    d = _wrap_dim(dim, x.ndim, "tensor_split")
    if isinstance(sections, bool) or not isinstance(sections, (int, np.integer)):
        raise TypeError(f"tensor_split(): argument 'sections' must be an int (split indices are not "
                        f"supported), got {sections!r:.40}")
    if sections <= 0:
        raise ValueError(f"tensor_split(): argument 'sections' must be larger than 0, got {sections}")
    n = x.shape[d]
    q, r = divmod(n, int(sections))
    return split(x, [q + 1] * r + [q] * (sections - r), d)


def unbind(input, dim=0):
    x = as_tensor(input, "unbind")
    d = _wrap_dim(dim, x.ndim, "unbind")
    return tuple(x.select(d, i) for i in range(x.shape[d]))


def select(input, dim, index):
    x = as_tensor(input, "select")
    d = _wrap_dim(dim, x.ndim, "select")
    if not -x.shape[d] <= index < x.shape[d]:
        raise IndexError(f"select(): index {index} out of range for tensor of size {tuple(x.shape)} at "
                         f"dimension {d}")
    return x[(slice(None),) * d + (index,)]


def repeat(input, *sizes):
    x = as_tensor(input, "repeat")
    return _repeat(x, _shape_arg(sizes, "repeat", "sizes"), "repeat", "sizes")


def _repeat(x, sizes, fname, argname):
    if len(sizes) < x.ndim:
        raise ShapeError(f"{fname}(): number of dimensions of repeat dims ({len(sizes)}) can not be "
                         f"smaller than number of dimensions of tensor ({x.ndim}): argument '{argname}' "
                         f"{sizes}, tensor of shape {tuple(x.shape)}")
    if any(s < 0 for s in sizes):
        raise ShapeError(f"{fname}(): negative repeat count in argument '{argname}' {sizes}")
    _check_numel([r * d for r, d in zip(sizes, (1,) * (len(sizes) - x.ndim) + tuple(x.shape))], fname, argname,
                 sizes)
    x = x.reshape((1,) * (len(sizes) - x.ndim) + tuple(x.shape))
    # (.., d, ..) -> (.., r, d, ..) by broadcasting, then merge r and d: the composition of views.
    inter, target = [], []
    for r, d in zip(sizes, x.shape):
        inter += [1, d]
        target += [r, d]
    out = x.reshape(tuple(inter)).expand(*target)
    return out.reshape(tuple(r * d for r, d in zip(sizes, x.shape)))


def tile(input, dims):
    x = as_tensor(input, "tile")
    if isinstance(dims, (str, Tensor)) or not hasattr(dims, "__iter__"):
        raise TypeError(f"tile(): argument 'dims' must be a tuple of ints, got {dims!r:.40}")
    dims = _shape_arg((dims,), "tile", "dims")
    return _repeat(x, (1,) * (x.ndim - len(dims)) + dims, "tile", "dims")


def roll(input, shifts, dims=None):
    x = as_tensor(input, "roll")
    if dims is None:
        return roll(x.flatten(), shifts, 0).reshape(x.shape)
    shifts = (shifts,) if isinstance(shifts, (int, np.integer)) else tuple(shifts)
    dims = (dims,) if isinstance(dims, (int, np.integer)) else tuple(dims)
    if len(shifts) != len(dims):
        raise ArgumentError(f"roll(): shifts and dimensions must align: argument 'shifts' {shifts} has "
                            f"{len(shifts)} entries, argument 'dims' {dims} has {len(dims)}")
    for s in shifts:
        if isinstance(s, bool) or not isinstance(s, (int, np.integer)):
            raise TypeError(f"roll(): argument 'shifts' must hold ints, got {shifts!r:.40}")
    for s, d in zip(shifts, dims):
        d = _wrap_dim(d, x.ndim, "roll")
        n = x.shape[d]
        if n == 0:
            continue
        s %= n
        if s:
            x = cat([narrow(x, d, n - s, s), narrow(x, d, 0, n - s)], d)
    return x


def pad(input, pad, mode="constant", value=None):
    """tensorlite.nn.functional.pad: `pad` lists (before, after) pairs from the LAST dim backwards."""
    x = as_tensor(input, "pad")
    if mode != "constant":
        raise ValueError(f"pad(): argument 'mode' {mode!r} is not supported (only 'constant')")
    if isinstance(pad, (str, Tensor)) or not hasattr(pad, "__iter__"):
        raise TypeError(f"pad(): argument 'pad' must be a tuple of ints, got {pad!r:.40}")
    pad = tuple(pad)
    for p in pad:
        if isinstance(p, bool) or not isinstance(p, (int, np.integer)):
            raise TypeError(f"pad(): argument 'pad' must be a tuple of ints, but found {p!r} in {pad!r:.60}")
    pad = tuple(int(p) for p in pad)
    if value is not None and not _is_scalar(value):
        raise TypeError(f"pad(): argument 'value' must be a number, got {value!r:.40}")
    if len(pad) % 2 or len(pad) // 2 > x.ndim:
        raise ValueError(f"pad(): argument 'pad' {pad} has length {len(pad)}, which must be even and at most "
                         f"2 * input dims ({2 * x.ndim}) for input of shape {tuple(x.shape)}")
    widths = [(0, 0)] * x.ndim
    for i in range(len(pad) // 2):
        widths[x.ndim - 1 - i] = (pad[2 * i], pad[2 * i + 1])
    for d, (b, a) in enumerate(widths):
        if x.shape[d] + b + a < 0:
            raise ValueError(f"pad(): argument 'pad' {pad} makes dim {d} of input {tuple(x.shape)} negative")
    _check_numel([n + b + a for n, (b, a) in zip(x.shape, widths)], "pad", "pad", pad)
    return Pad.apply(x, tuple(widths), 0 if value is None else value)


def _check_numel(shape, fname, argname, value):
    n = 1
    for s in shape:
        n *= s
    if n > _MAX_NUMEL:
        raise ShapeError(f"{fname}(): argument '{argname}' {value} makes a result of shape {tuple(shape)} "
                         f"({n} elements), more than can be allocated")
