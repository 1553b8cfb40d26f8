"""Norms: torch.norm (vector p-norms and the Frobenius norm) and cdist (the matrix of p-norm distances
between two sets of row vectors). The vector p-norm's gradient needs PyTorch's rule at zero (0, not
0/0) and so is a Function."""
import numpy as np

from .. import dtypes
from ..autograd.function import Function
from ..tensor import Tensor
from ..errors import ShapeError, DTypeError
from ._helpers import as_tensor, dims_arg, _is_scalar
from .elementwise import where, abs as _abs
from .reduction import amax, amin

__all__ = ["norm", "cdist"]


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
