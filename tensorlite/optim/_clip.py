"""Gradient clipping (torch.nn.utils.clip_grad_norm_ / clip_grad_value_), re-exported by tl.nn.utils."""
import math

import numba
import numpy as np

from ..tensor import Tensor

__all__ = ["clip_grad_norm_", "clip_grad_value_"]


@numba.njit(cache=True, fastmath=False, nogil=True)
def _sum_squares(a):
    """sum(a*a) with float64 accumulators (4 interleaved, then combined)."""
    s0 = 0.0
    s1 = 0.0
    s2 = 0.0
    s3 = 0.0
    n = a.shape[0]
    m = n - n % 4
    for i in range(0, m, 4):
        x0 = np.float64(a[i])
        x1 = np.float64(a[i + 1])
        x2 = np.float64(a[i + 2])
        x3 = np.float64(a[i + 3])
        s0 += x0 * x0
        s1 += x1 * x1
        s2 += x2 * x2
        s3 += x3 * x3
    for i in range(m, n):
        x = np.float64(a[i])
        s0 += x * x
    return (s0 + s1) + (s2 + s3)


def _grads(parameters, fname):
    from ..nn.utils import _tensors
    return [p.grad for p in _tensors(parameters, fname) if p.grad is not None]


def _real(v, fname, argname, nonneg=True):
    """A float from a number (or a str such as 'inf', as PyTorch's norm_type); ValueError naming the
    argument for NaN, a negative value (when nonneg) or something that is not a number."""
    try:
        f = float(v._data) if isinstance(v, Tensor) else float(v)
    except (TypeError, ValueError):
        raise TypeError(f"{fname}(): argument '{argname}' must be a number, got {v!r:.40}") from None
    if math.isnan(f) or (nonneg and f < 0):
        raise ValueError(f"{fname}(): argument '{argname}' must be a {'non-negative ' if nonneg else ''}number "
                         f"(not NaN), got {v!r:.40}")
    return f


def _vector_norm(arr, p):
    """The p-norm of arr (flattened), in float64."""
    a = arr.reshape(-1)
    if a.size == 0:
        return 0.0
    if p == 2.0:
        if a.dtype in (np.float32, np.float64):
            return math.sqrt(_sum_squares(np.ascontiguousarray(a)))
        return math.sqrt(float(np.sum(np.square(a, dtype=np.float64))))
    absa = np.abs(a.astype(np.float64, copy=False))
    if p == math.inf:
        return float(absa.max())
    if p == -math.inf:
        return float(absa.min())
    if p == 0.0:
        return float(np.count_nonzero(absa))
    if p == 1.0:
        return float(absa.sum())
    return float(np.sum(absa ** p) ** (1.0 / p))


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Scale the gradients of `parameters` in place so that their total `norm_type`-norm (the
    norm of the per-gradient norms, as PyTorch) is at most `max_norm`: every gradient is
    multiplied by min(1, max_norm / (total_norm + 1e-6)).  Returns the total norm (before
    clipping) as a 0-d tensor of the gradients' dtype.  `foreach` is accepted and ignored."""
    fname = "clip_grad_norm_"
    grads = _grads(parameters, fname)
    max_norm = _real(max_norm, fname, "max_norm")
    norm_type = _real(norm_type, fname, "norm_type", nonneg=False)
    if not grads:
        return Tensor._wrap(np.zeros((), dtype=np.float32))
    dtype = np.result_type(*[g._data.dtype for g in grads])
    if dtype.kind != "f":
        dtype = np.dtype(np.float32)
    norms = np.array([_vector_norm(g._data, norm_type) for g in grads], dtype=np.float64)
    total = _vector_norm(norms, norm_type)
    total = dtype.type(total)
    if error_if_nonfinite and not math.isfinite(float(total)):
        raise RuntimeError(f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, so "
                           "it cannot be clipped. To disable this error and scale the gradients by the non-finite "
                           "norm anyway, set `error_if_nonfinite=False`")
    coef = dtype.type(max_norm) / (total + dtype.type(1e-6))
    if not coef < 1.0:                   # clamped to 1 (NaN compares False: scale by it, as PyTorch)
        if coef == coef:
            return Tensor._wrap(np.asarray(total))
    for g in grads:
        gd = g._data
        np.multiply(gd, coef.astype(gd.dtype) if gd.dtype.kind == "f" else coef, out=gd, casting="unsafe")
        g._vc.value += 1
    return Tensor._wrap(np.asarray(total))


def clip_grad_value_(parameters, clip_value, foreach=None):
    """Clamp every gradient of `parameters` in place to [-clip_value, clip_value]."""
    fname = "clip_grad_value_"
    clip_value = _real(clip_value, fname, "clip_value")
    for g in _grads(parameters, fname):
        np.clip(g._data, -clip_value, clip_value, out=g._data)
        g._vc.value += 1
