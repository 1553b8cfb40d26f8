"""Vector norms along a dim and what is built on them: normalize, cosine_similarity,
pairwise_distance (torch.nn.functional semantics).

`_vector_norm` is the one differentiable p-norm: at an all-zero vector its gradient is 0 (PyTorch's
subgradient), which a plain sqrt(sum(x * x)) would turn into 0 * inf = nan."""
import math
import numbers

import numpy as np

from .. import dtypes
from ..errors import ShapeError
from ..tensor import _wrap_dim
from ._helpers import as_tensor, check_broadcast, float_operand
from .elementwise import where, clamp, abs as _abs

__all__ = ["normalize", "cosine_similarity", "pairwise_distance"]


def _p_arg(p, fname):
    if isinstance(p, (bool, np.bool_)) or not isinstance(p, (numbers.Real, np.floating, np.integer)) or \
            math.isnan(p) or p <= 0:
        raise ValueError(f"{fname}(): argument 'p' must be a positive number or inf, got {p!r:.40}")
    return float(p)


def _eps_arg(eps, fname):
    if isinstance(eps, (bool, np.bool_)) or not isinstance(eps, (numbers.Real, np.floating, np.integer)) or \
            not eps >= 0:
        raise ValueError(f"{fname}(): argument 'eps' must be a non-negative number, got {eps!r:.40}")
    return float(eps)


def _float(x, fname, argname):
    x = as_tensor(x, fname, argname)
    if x.dtype is dtypes.bool:
        raise TypeError(f"{fname}(): argument '{argname}' has dtype bool; expected a floating point tensor")
    return float_operand(x, fname)


def _vector_norm(x, p, dim, keepdim):
    if p == math.inf:
        return _abs(x).amax(dim=dim, keepdim=keepdim)
    s = (x * x if p == 2 else _abs(x) ** p).sum(dim=dim, keepdim=keepdim)
    nz = s > 0
    safe = where(nz, s, 1.0)
    return where(nz, safe.sqrt() if p == 2 else safe ** (1.0 / p), 0.0)


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """input / max(||input||_p along dim, eps)."""
    fname = "normalize"
    if out is not None:
        raise ValueError(f"{fname}(): argument 'out' is not supported, got {type(out).__name__}")
    x = _float(input, fname, "input")
    p, eps = _p_arg(p, fname), _eps_arg(eps, fname)
    if isinstance(dim, bool) or not isinstance(dim, (numbers.Integral, np.integer, tuple, list)):
        raise TypeError(f"{fname}(): argument 'dim' must be an int or a tuple of ints, got {dim!r:.40}")
    dims = tuple(_wrap_dim(d, x.ndim, fname) for d in (dim if isinstance(dim, (tuple, list)) else (dim,)))
    if x.ndim == 0:
        dims = ()
    return x / clamp(_vector_norm(x, p, dims, True), min=eps)


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """sum((x1 / max(|x1|, eps)) * (x2 / max(|x2|, eps))) along dim, PyTorch's formula: each norm is
    clamped to eps without a gradient through the clamp (the norm's own gradient flows)."""
    fname = "cosine_similarity"
    a, b = _float(x1, fname, "x1"), _float(x2, fname, "x2")
    check_broadcast(a, b, fname, ("x1", "x2"))
    eps = _eps_arg(eps, fname)
    if a.dtype is not b.dtype:
        d = dtypes.promote(a.dtype, b.dtype)
        a, b = a.to(d), b.to(d)
    shape = np.broadcast_shapes(a.shape, b.shape)
    if isinstance(dim, bool) or not isinstance(dim, (numbers.Integral, np.integer)):
        raise TypeError(f"{fname}(): argument 'dim' must be an int, got {dim!r:.40}")
    d = _wrap_dim(int(dim), len(shape), fname)
    if len(shape) == 0:
        raise ShapeError(f"{fname}(): arguments 'x1' and 'x2' are 0-d; need at least one dim for dim={dim}")
    a, b = a.expand(*shape), b.expand(*shape)

    def unit(t):
        n = _vector_norm(t, 2.0, (d,), True)
        return t / (n + (clamp(n, min=eps) - n).detach())
    return (unit(a) * unit(b)).sum(dim=d)


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """||x1 - x2 + eps||_p along the last dim."""
    fname = "pairwise_distance"
    a, b = _float(x1, fname, "x1"), _float(x2, fname, "x2")
    check_broadcast(a, b, fname, ("x1", "x2"))
    p, eps = _p_arg(p, fname), _eps_arg(eps, fname)
    diff = a - b + eps
    if diff.ndim == 0:
        return _vector_norm(diff, p, (), keepdim)
    return _vector_norm(diff, p, (diff.ndim - 1,), bool(keepdim))
