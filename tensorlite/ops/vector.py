"""Ops along one dim of vectors: the cross product of 3-vectors, n-th differences (diff), and coordinate
grids built from 1-D tensors (meshgrid). Composed from differentiable ops."""
import numpy as np

from .. import dtypes
from ..tensor import Tensor, _wrap_dim
from ..errors import DTypeError, ShapeError
from ._helpers import as_tensor
from .movement import cat, narrow, roll, broadcast_tensors

__all__ = ["cross", "diff", "meshgrid"]


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


def diff(input, n=1, dim=-1, prepend=None, append=None):
    """n-th forward difference along dim (out[i] = x[i + 1] - x[i]); bool tensors use xor."""
    x = as_tensor(input, "diff")
    if x.ndim == 0:
        raise ShapeError("diff(): argument 'input' must have at least one dimension, got a 0-d tensor")
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool):
        raise TypeError(f"diff(): argument 'n' must be an int, got {type(n).__name__} ({n!r:.40})")
    if n < 0:
        raise ValueError(f"diff(): argument 'n' must be non-negative, got {n}")
    d = _wrap_dim(dim, x.ndim, "diff")
    if n == 0:         # (prepend / append are not applied then, as PyTorch)
        return x
    parts = []
    for name, t in (("prepend", prepend), (None, x), ("append", append)):
        if t is None:
            continue
        if name is not None:
            t = as_tensor(t, "diff", name)
            if t.ndim == 0:       # a scalar is expanded along dim, as PyTorch
                t = t.reshape((1,) * x.ndim).expand(*[1 if i == d else s for i, s in enumerate(x.shape)])
            if t.ndim != x.ndim or any(i != d and s != t.shape[i] for i, s in enumerate(x.shape)):
                raise ShapeError(f"diff(): argument '{name}' of shape {tuple(t.shape)} must match argument "
                                 f"'input' of shape {tuple(x.shape)} except in dimension {d}")
        parts.append(t)
    if len(parts) > 1:
        x = cat(parts, d)
    for _ in range(n):
        m = x.shape[d]
        if m == 0:
            break
        hi, lo = narrow(x, d, 1, m - 1), narrow(x, d, 0, m - 1)
        x = (hi ^ lo) if x.dtype is dtypes.bool else hi - lo
    return x
