"""Gradient clipping (torch.nn.utils.clip_grad): clip_grad_norm_, clip_grad_value_, get_total_norm,
clip_grads_with_norm_. Re-exported by tl.nn.utils and tl.optim."""
import math
import numbers

import numpy as np

from ...backend.optim import sum_squares
from ...tensor import Tensor

__all__ = ["clip_grad_norm_", "clip_grad_value_", "get_total_norm", "clip_grads_with_norm_"]


def _tensors(parameters, fname):
    """`parameters` (a Tensor or an iterable of Tensors) as a list; TypeError naming `fname` otherwise."""
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    try:
        parameters = list(parameters)
    except TypeError:
        raise TypeError(f"{fname}(): argument 'parameters' must be a Tensor or an iterable of Tensors, got "
                        f"{type(parameters).__name__}") from None
    for p in parameters:
        if not isinstance(p, Tensor):
            raise TypeError(f"{fname}(): argument 'parameters' must hold Tensors, got a {type(p).__name__}")
    return parameters


def _grads(parameters, fname):
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
            return math.sqrt(sum_squares(a))
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


def _total_norm(tensors, norm_type, error_if_nonfinite):
    """The norm of the per-tensor norms (PyTorch's total norm), a numpy scalar of the tensors'
    floating dtype (float32 for integer tensors)."""
    dtype = np.result_type(*[t._data.dtype for t in tensors])
    if dtype.kind != "f":
        dtype = np.dtype(np.float32)
    norms = np.array([_vector_norm(t._data, norm_type) for t in tensors], dtype=np.float64)
    total = dtype.type(_vector_norm(norms, norm_type))
    if error_if_nonfinite and not math.isfinite(float(total)):
        raise RuntimeError(f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, so "
                           "it cannot be clipped. To disable this error and scale the gradients by the non-finite "
                           "norm anyway, set `error_if_nonfinite=False`")
    return total


def get_total_norm(tensors, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """The norm_type-norm of the norms of `tensors` (e.g. gradients), as a 0-d tensor; 0.0 for none."""
    fname = "get_total_norm"
    tensors = [t for t in _tensors(tensors, fname) if t is not None]
    norm_type = _real(norm_type, fname, "norm_type", nonneg=False)
    if not tensors:
        return Tensor._wrap(np.zeros((), dtype=np.float32))
    return Tensor._wrap(np.asarray(_total_norm(tensors, norm_type, error_if_nonfinite)))


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
    total = _total_norm(grads, norm_type, error_if_nonfinite)
    dtype = total.dtype
    coef = dtype.type(max_norm) / (total + dtype.type(1e-6))
    if not coef < 1.0:                   # clamped to 1 (NaN compares False: scale by it, as PyTorch)
        if coef == coef:
            return Tensor._wrap(np.asarray(total))
    for g in grads:
        gd = g._data
        np.multiply(gd, coef.astype(gd.dtype) if gd.dtype.kind == "f" else coef, out=gd, casting="unsafe")
        g._vc.value += 1
    return Tensor._wrap(np.asarray(total))


def clip_grads_with_norm_(parameters, max_norm, total_norm, foreach=None):
    """Scale every gradient of `parameters` in place by min(1, max_norm / (total_norm + 1e-6))."""
    fname = "clip_grads_with_norm_"
    grads = _grads(parameters, fname)
    max_norm = _real(max_norm, fname, "max_norm")
    if isinstance(total_norm, bool) or not isinstance(total_norm, (Tensor, numbers.Real)):
        raise TypeError(f"{fname}(): argument 'total_norm' must be a Tensor or a number (the result of "
                        f"get_total_norm), got {type(total_norm).__name__}")
    total = float(total_norm._data) if isinstance(total_norm, Tensor) else float(total_norm)
    if not grads:
        return
    coef = min(max_norm / (total + 1e-6), 1.0) if total == total else float("nan")
    for g in grads:
        np.multiply(g._data, np.asarray(coef, dtype=g._data.dtype), out=g._data, casting="unsafe")
        g._vc.value += 1


def clip_grad_value_(parameters, clip_value, foreach=None):
    """Clamp every gradient of `parameters` in place to [-clip_value, clip_value]."""
    fname = "clip_grad_value_"
    clip_value = _real(clip_value, fname, "clip_value")
    for g in _grads(parameters, fname):
        np.clip(g._data, -clip_value, clip_value, out=g._data)
        g._vc.value += 1
