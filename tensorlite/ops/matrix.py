"""Matrix structure and norms: tril, triu, diag, trace, cross, meshgrid, norm, cdist. Composed from
differentiable ops (where / gather-like indexing / sums), except the vector p-norm, whose gradient
needs PyTorch's rule at zero (0, not 0/0) and so is a Function."""
import numpy as np

from .. import dtypes
from ..autograd.function import Function
from ..tensor import Tensor, _wrap_dim
from ..errors import ShapeError, DTypeError
from ._helpers import as_tensor, dims_arg, _is_scalar
from .elementwise import where, abs as _abs
from .reduction import amax, amin
from .movement import pad, roll, broadcast_tensors
from .indexing import getitem

__all__ = ["tril", "triu", "diag", "trace", "cross", "meshgrid", "norm", "cdist"]


def _zero_like(x):
    return Tensor._wrap(np.zeros((), dtype=x._data.dtype))


def _int_arg(v, fname, argname):
    if not isinstance(v, (int, np.integer)) or isinstance(v, bool):
        raise TypeError(f"{fname}(): argument '{argname}' must be an int, got {type(v).__name__} ({v!r:.40})")
    return int(v)


def _triangle(input, diagonal, fname, lower):
    x = as_tensor(input, fname)
    k = _int_arg(diagonal, fname, "diagonal")
    if x.ndim < 2:
        raise ShapeError(f"{fname}(): argument 'input' must be at least 2-D, got shape {tuple(x.shape)}")
    n, m = x.shape[-2:]
    keep = np.tri(n, m, k, dtype=bool) if lower else ~np.tri(n, m, k - 1, dtype=bool)
    return where(Tensor._wrap(keep), x, _zero_like(x))      # (not x * mask: inf * 0 would be nan)


def tril(input, diagonal=0):
    """The lower triangle (j - i <= diagonal) of the last two dims; zeros elsewhere."""
    return _triangle(input, diagonal, "tril", True)


def triu(input, diagonal=0):
    """The upper triangle (j - i >= diagonal) of the last two dims; zeros elsewhere."""
    return _triangle(input, diagonal, "triu", False)


def diag(input, diagonal=0):
    """1-D v -> the square matrix with v on the given diagonal; 2-D -> that diagonal as 1-D."""
    x = as_tensor(input, "diag")
    k = _int_arg(diagonal, "diag", "diagonal")
    if x.ndim == 1:
        n = x.shape[0]
        size = n + abs(k)
        src = pad(x, (0, abs(k)))                               # src[i] belongs in row i (k >= 0) or column i
        src = src.unsqueeze(1) if k >= 0 else src.unsqueeze(0)
        return where(Tensor._wrap(np.eye(size, k=k, dtype=bool)), src, _zero_like(x))
    if x.ndim == 2:
        n, m = x.shape
        rows = np.arange(max(0, -k), max(0, min(n, m - k)), dtype=np.int64)
        return getitem(x, (Tensor._wrap(rows), Tensor._wrap(rows + k)))
    raise ShapeError(f"diag(): argument 'input' must be 1-D or 2-D, got shape {tuple(x.shape)}")


def trace(input):
    """Sum of the main diagonal of a 2-D tensor (integer inputs give int64)."""
    x = as_tensor(input, "trace")
    if x.ndim != 2:
        raise ShapeError(f"trace(): argument 'input' must be a 2-D matrix, got shape {tuple(x.shape)}")
    return diag(x).sum()


def cross(input, other, dim=None):
    """Cross product of 3-vectors along dim (default: the first dim of size 3, as torch.cross)."""
    a, b = as_tensor(input, "cross"), as_tensor(other, "cross", "other")
    if a.dtype is not b.dtype:
        raise DTypeError(f"cross(): arguments 'input' and 'other' must have the same dtype, got {a.dtype.name} "
                         f"and {b.dtype.name}")
    if a.ndim != b.ndim:
        raise ShapeError(f"cross(): argument 'input' of shape {tuple(a.shape)} and argument 'other' of shape "
                         f"{tuple(b.shape)} must have the same number of dimensions")
    try:
        a, b = broadcast_tensors(a, b)
    except ValueError:
        raise ShapeError(f"cross(): argument 'input' of shape {tuple(a.shape)} and argument 'other' of shape "
                         f"{tuple(b.shape)} cannot be broadcast together") from None
    if dim is None:
        d = next((i for i, s in enumerate(a.shape) if s == 3), None)
        if d is None:
            raise ShapeError(f"cross(): no dimension of size 3 in argument 'input' of shape {tuple(a.shape)}")
    else:
        d = _wrap_dim(dim, a.ndim, "cross")
        if a.ndim == 0 or a.shape[d] != 3:
            raise ShapeError(f"cross(): argument 'dim' ({dim}) must index a dimension of size 3, got shape "
                             f"{tuple(a.shape)}")
    # c_i = a_{i+1} b_{i+2} - a_{i+2} b_{i+1} (indices mod 3)
    return roll(a, -1, d) * roll(b, -2, d) - roll(a, -2, d) * roll(b, -1, d)


def meshgrid(*tensors, indexing=None):
    """Coordinate grids from 1-D tensors (0-d count as 1-D). indexing 'ij' (the default) gives
    shape (len0, len1, ...); 'xy' swaps the first two dims."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing is None:
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise ValueError(f"meshgrid(): argument 'indexing' must be 'ij' or 'xy', got {indexing!r}")
    if not tensors:
        raise ValueError("meshgrid(): argument 'tensors' must hold at least one tensor, got none")
    ts = []
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"meshgrid(): argument 'tensors' must be Tensors, got {type(t).__name__} at "
                            f"position {i}")
        if t.ndim > 1:
            raise ShapeError(f"meshgrid(): argument 'tensors' must be 0-D or 1-D, got shape {tuple(t.shape)} at "
                             f"position {i}")
        ts.append(t.reshape(-1))
    if any(t.dtype is not ts[0].dtype for t in ts):
        raise DTypeError(f"meshgrid(): argument 'tensors' must all have the same dtype, got "
                         f"{[t.dtype.name for t in ts]}")
    swap = indexing == "xy" and len(ts) >= 2
    if swap:
        ts[0], ts[1] = ts[1], ts[0]
    shape = tuple(t.shape[0] for t in ts)
    n = len(ts)
    grids = [t.reshape(*[-1 if j == i else 1 for j in range(n)]).expand(*shape) for i, t in enumerate(ts)]
    if swap:
        grids[0], grids[1] = grids[1], grids[0]
    return tuple(grids)


# ---------------------------------------------------------------- norms
class PNorm(Function):
    """(sum |x|^p)^(1/p) over dims, for a finite p (p = 0 counts non-zeros). Backward as PyTorch:
    g * x |x|^(p-2) / norm^(p-1), 0 where x == 0 or the norm is 0 (the 2-norm of a zero vector has
    the 0 subgradient)."""
    @staticmethod
    def forward(ctx, x, p, dims, keepdim):
        ctx.p, ctx.dims, ctx.keepdim = p, dims, keepdim
        a = np.abs(x)
        if p == 0:
            out = np.sum(a != 0, axis=dims, keepdims=True).astype(x.dtype)
        elif p == 1:
            out = np.sum(a, axis=dims, keepdims=True)
        elif p == 2:
            out = np.sqrt(np.sum(a * a, axis=dims, keepdims=True))
        else:
            out = np.sum(a ** p, axis=dims, keepdims=True) ** (1.0 / p)
        ctx.keep_shape = out.shape
        out = out if keepdim else out.reshape(np.delete(x.shape, dims) if dims else ())
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, g):
        x, out = ctx.saved_tensors
        p = ctx.p
        g, out = g.reshape(ctx.keep_shape), out.reshape(ctx.keep_shape)
        if p == 0:
            return Tensor._wrap(np.zeros(x.shape, x._data.dtype)), None, None, None
        if p == 1:
            return g * Tensor._wrap(np.sign(x._data)), None, None, None
        zero = Tensor._wrap((x._data == 0) | (out._data == 0))
        safe_out = where(Tensor._wrap(out._data == 0), 1.0, out)
        if p == 2:
            return where(zero, 0.0, g * x / safe_out), None, None, None
        safe_x = where(zero, 1.0, x)
        grad = g * safe_x * _abs(safe_x) ** (p - 2) / safe_out ** (p - 1)
        return where(zero, 0.0, grad), None, None, None


def _number(v):
    return _is_scalar(v) and not isinstance(v, (bool, np.bool_))


def norm(input, p="fro", dim=None, keepdim=False, dtype=None):
    """Vector p-norm over dim (all elements by default): p in 'fro' (= 2), inf, -inf or any number
    (0 counts non-zeros). inf / -inf take max / min |x| (ties share the gradient, as amax)."""
    x = as_tensor(input, "norm")
    if dtype is not None:
        x = x.to(dtypes.to_dtype(dtype, "dtype", "norm"))
    if not x.is_floating_point():
        raise DTypeError(f"norm(): argument 'input' must be a floating point tensor, got {x.dtype.name}")
    if p == "fro" or p is None:
        if p == "fro" and isinstance(dim, (list, tuple)) and len(dim) > 2:
            raise ValueError(f"norm(): p='fro' is a matrix norm: argument 'dim' must name at most 2 dims, "
                             f"got {tuple(dim)}")
        p = 2
    if not _number(p):
        raise ValueError(f"norm(): argument 'p' must be 'fro', inf, -inf or a number, got {p!r:.40}")
    p = float(p)
    if isinstance(dim, str) or not (dim is None or isinstance(dim, (int, np.integer, list, tuple))):
        raise TypeError(f"norm(): argument 'dim' must be an int, a tuple of ints or None, got {dim!r:.40}")
    dims = dims_arg(dim, x.ndim, "norm")
    keepdim = bool(keepdim)
    if np.isinf(p):
        if x.numel() == 0 and (not dims or any(x.shape[d] == 0 for d in dims)):
            raise IndexError(f"norm(): cannot take the {p}-norm of an empty tensor: argument 'input' has shape "
                             f"{tuple(x.shape)}")
        return (amax if p > 0 else amin)(_abs(x), dim=dims, keepdim=keepdim)
    return PNorm.apply(x, p, dims, keepdim)


def cdist(x1, x2, p=2.0, compute_mode="use_mm_for_euclid_dist_if_necessary"):
    """Pairwise p-norm distances between the rows of x1 (..., P, M) and x2 (..., R, M) -> (..., P, R)."""
    a, b = as_tensor(x1, "cdist", "x1"), as_tensor(x2, "cdist", "x2")
    for name, t in (("x1", a), ("x2", b)):
        if not t.is_floating_point():
            raise DTypeError(f"cdist(): argument '{name}' must be a floating point tensor, got {t.dtype.name}")
        if t.ndim < 2:
            raise ShapeError(f"cdist(): argument '{name}' must be at least 2-D, got shape {tuple(t.shape)}")
    if a.dtype is not b.dtype:
        raise DTypeError(f"cdist(): arguments 'x1' and 'x2' must have the same dtype, got {a.dtype.name} and "
                         f"{b.dtype.name}")
    if a.shape[-1] != b.shape[-1]:
        raise ShapeError(f"cdist(): argument 'x1' of shape {tuple(a.shape)} and argument 'x2' of shape "
                         f"{tuple(b.shape)} must have the same number of columns")
    if not _number(p) or p < 0:
        raise ValueError(f"cdist(): argument 'p' must be a non-negative number, got {p!r:.40}")
    try:
        np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    except ValueError:
        raise ShapeError(f"cdist(): batch dimensions of argument 'x1' of shape {tuple(a.shape)} and argument "
                         f"'x2' of shape {tuple(b.shape)} cannot be broadcast") from None
    diff = a.unsqueeze(-2) - b.unsqueeze(-3)                   # (..., P, R, M)
    return norm(diff, p, dim=-1)
