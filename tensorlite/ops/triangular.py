"""A matrix's triangles and diagonal: tril, triu, diag, trace. Composed from differentiable ops
(where / gather-like indexing / sums)."""
import numpy as np

from ..tensor import Tensor
from ..errors import ShapeError
from ._helpers import as_tensor
from .elementwise import where
from .indexing import getitem
from .movement import pad

__all__ = ["tril", "triu", "diag", "trace"]


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
