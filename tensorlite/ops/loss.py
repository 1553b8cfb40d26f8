"""Loss functions with torch.nn.functional's names, signatures and reduction semantics.

cross_entropy runs fused log-softmax + NLL Numba kernels (tensorlite/backend/loss.py) for the
logits of any (N, C, *) input; its backward is a KernelFunction (the fused kernel, or under
create_graph=True the same gradient in tensor ops).  The other losses are elementwise Functions
or tensor-op compositions.

reduction is one of 'none', 'mean', 'sum' (kl_div also takes 'batchmean'); anything else raises
ValueError.  Weighted 'mean' of nll_loss / cross_entropy with class targets divides by the sum of
the weights of the non-ignored targets (NaN when every target is ignored), exactly as torch.
"""
import numbers
import warnings

import numpy as np

from .. import dtypes
from ..autograd.function import Function, KernelFunction
from ..backend import loss as kernels
from ..errors import ShapeError
from ..tensor import Tensor
from ._helpers import as_tensor, unbroadcast

__all__ = ["cross_entropy", "nll_loss", "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss",
           "binary_cross_entropy", "binary_cross_entropy_with_logits", "kl_div"]

_REDUCTIONS = ("none", "mean", "sum")


def _const(arr):
    return Tensor._wrap(np.asarray(arr))


def _check_reduction(reduction, fname, extra=()):
    if reduction not in _REDUCTIONS + tuple(extra):
        allowed = ", ".join(repr(r) for r in _REDUCTIONS + tuple(extra))
        raise ValueError(f"{fname}(): {reduction!r} is not a valid value for reduction (expected one of "
                         f"{allowed})")
    return reduction


def _save(ctx, *arrays):
    """save_for_backward for arrays some of which may be None (restored by _saved)."""
    ctx.present = tuple(a is not None for a in arrays)
    ctx.save_for_backward(*(a for a in arrays if a is not None))


def _saved(ctx):
    it = iter(ctx.saved_tensors)
    return tuple(next(it) if p else None for p in ctx.present)


def _reduce(loss, reduction):
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _float_input(x, fname, argname="input"):
    x = as_tensor(x, fname, argname)
    if not x.is_floating_point():
        raise TypeError(f"{fname}(): argument '{argname}' must be a floating point tensor, got {x.dtype}")
    return x


# ------------------------------------------------------------------ class-target helpers
def _class_weight(weight, C, x, fname):
    """float64 (C,) array of class weights (ones when None)."""
    if weight is None:
        return np.ones(C, np.float64)
    w = as_tensor(weight, fname, "weight")
    if not w.is_floating_point():
        raise TypeError(f"{fname}(): argument 'weight' must be a floating point tensor, got {w.dtype}")
    if w.ndim != 1 or w.shape[0] != C:
        raise ShapeError(f"{fname}(): argument 'weight' has shape {tuple(w.shape)} but input of shape "
                         f"{tuple(x.shape)} has {C} classes: expected shape ({C},)")
    return np.asarray(w._data, dtype=np.float64)


def _class_layout(x, target, fname):
    """(2-D logits (M, C) tensor, flat int64 target (M,) array, 'none'-reduction output shape)."""
    if x.ndim == 0:
        raise ShapeError(f"{fname}(): input must have at least 1 dimension (C,) or (N, C, ...), got a 0-d "
                         f"tensor; target shape {tuple(target.shape)}")
    if x.ndim == 1:
        expected = ()
    else:
        expected = (x.shape[0],) + tuple(x.shape[2:])
    if tuple(target.shape) != expected:
        raise ShapeError(f"{fname}(): input of shape {tuple(x.shape)} needs a target of shape "
                         f"{expected} for class indices, got target of shape {tuple(target.shape)}")
    C = x.shape[0] if x.ndim == 1 else x.shape[1]
    if x.ndim == 1:
        x2 = x.reshape(1, C)
    elif x.ndim == 2:
        x2 = x
    else:
        x2 = x.movedim(1, -1).reshape(-1, C)
    return x2, np.ascontiguousarray(target._data.reshape(-1), dtype=np.int64), expected


def _check_targets(t, C, ignore_index, fname):
    if t.size == 0:
        return
    bad = ((t < 0) | (t >= C)) & (t != ignore_index)
    if bad.any():
        _raise_bad_target(int(t[np.argmax(bad)]), C, ignore_index, fname)


def _raise_bad_target(val, C, ignore_index, fname):
    raise IndexError(f"{fname}(): Target {val} is out of bounds: class targets must be in [0, {C}) "
                     f"for C = {C} classes (or equal ignore_index={ignore_index})")


def _row_coef(g, reduction, n, denom):
    """float64 per-row upstream gradient from the output gradient g (an array)."""
    if reduction == "none":
        return np.ascontiguousarray(g, dtype=np.float64).reshape(n)
    k = np.float64(g.reshape(()))
    if reduction == "mean":
        with np.errstate(all="ignore"):
            k = k / np.float64(denom)              # 0 / 0 -> nan, as torch, when every weight is 0
    return np.full(n, k)


def _row_coef_tensor(g, reduction, n, denom):
    """The same as a differentiable (n, 1) tensor (for create_graph backward)."""
    if reduction == "none":
        return g.reshape(n, 1)
    k = g.reshape(1, 1)
    return k / denom if reduction == "mean" else k


def _finish(loss_rows, reduction, denom, dtype):
    if reduction == "none":
        return loss_rows.astype(dtype)
    total = loss_rows.sum()
    if reduction == "mean":
        with np.errstate(all="ignore"):
            total = total / denom if denom != 0 else np.float64(np.nan)
    return np.asarray(total, dtype=dtype)


# ------------------------------------------------------------------ cross_entropy
class CrossEntropyIdx(Function):
    @staticmethod
    def forward(ctx, x, target, w, ignore_index, eps, reduction):
        xa = np.ascontiguousarray(x)
        n = xa.shape[0]
        loss, wy, lse = np.empty(n), np.empty(n), np.empty(n)
        bad, total, denom = kernels.ce_fwd_idx(xa, target, w, ignore_index, eps, loss, wy, lse)
        if bad >= 0:
            _raise_bad_target(int(target[bad]), xa.shape[1], ignore_index, "cross_entropy")
        ctx.save_for_backward(x)
        ctx.args = (target, w, ignore_index, eps, reduction, lse, denom)
        if reduction == "none":
            return loss.astype(x.dtype)
        if reduction == "mean":       # no weight to divide by: nan, as torch (even with smoothing)
            total = total / denom if denom != 0 else np.nan
        return np.asarray(total, dtype=x.dtype)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return CrossEntropyIdxGrad.apply(g, x, *ctx.args), None, None, None, None, None


class CrossEntropyIdxGrad(KernelFunction):
    """CrossEntropyIdx's dx from its output gradient g: the fused kernel, or (when the gradient is
    itself differentiated) the formula in tensor ops."""

    @staticmethod
    def forward(ctx, g, x, target, w, ignore_index, eps, reduction, lse, denom):
        xa = np.ascontiguousarray(x)
        coef = _row_coef(g, reduction, xa.shape[0], denom)
        dx = np.empty_like(xa)
        kernels.ce_bwd_idx(xa, target, w, ignore_index, eps, lse, coef, dx)
        return dx

    @staticmethod
    def formula(g, x, target, w, ignore_index, eps, reduction, lse, denom):
        n, C = x.shape
        dt = x._data.dtype
        valid = target != ignore_index
        onehot = np.zeros((n, C), dt)
        rows = np.nonzero(valid)[0]
        onehot[rows, target[rows]] = 1
        wy = np.where(valid, w[np.where(valid, target, 0)], 0.0).astype(dt).reshape(n, 1)
        k = _row_coef_tensor(g, reduction, n, denom)
        p = x.softmax(dim=1)
        dx = k * (1 - eps) * _const(wy) * (p - _const(onehot))
        if eps:
            W = float(w.sum())
            dx = dx + k * (eps / C) * (p * W - _const(w.astype(dt))) * _const(valid.astype(dt).reshape(n, 1))
        return dx


class CrossEntropyProb(Function):
    @staticmethod
    def forward(ctx, x, target, w, eps, reduction):
        xa = np.ascontiguousarray(x)
        ta = np.ascontiguousarray(target, dtype=np.float64)
        n = xa.shape[0]
        loss, lse = np.empty(n), np.empty(n)
        kernels.ce_fwd_prob(xa, ta, w, eps, loss, lse)
        ctx.save_for_backward(x, target)
        ctx.args = (w, eps, reduction, lse)
        return _finish(loss, reduction, float(n), x.dtype)

    @staticmethod
    def backward(ctx, g):
        x, target = ctx.saved_tensors
        need = ctx.needs_input_grad[:2]
        dx, dtg = CrossEntropyProbGrad.apply(g, x, target, *ctx.args, need)
        return dx if need[0] else None, dtg if need[1] else None, None, None, None


class CrossEntropyProbGrad(KernelFunction):
    """CrossEntropyProb's (dx, dtarget) from its output gradient g: the fused kernel (dx) and one
    numpy expression (dtarget), or (when the gradient is itself differentiated) tensor ops."""

    @staticmethod
    def forward(ctx, g, x, target, w, eps, reduction, lse, need):
        n = x.shape[0]
        coef = _row_coef(g, reduction, n, float(n))
        xa = np.ascontiguousarray(x)
        dx = np.empty_like(xa)              # (also when only the target needs a gradient: cheap)
        kernels.ce_bwd_prob(xa, np.ascontiguousarray(target, dtype=np.float64), w, eps, lse, coef, dx)
        dtg = None
        if need[1]:
            logp = x.astype(np.float64) - lse[:, None]
            dtg = (-(1 - eps) * coef[:, None] * w[None, :] * logp).astype(target.dtype)
        return dx, dtg

    @staticmethod
    def formula(g, x, target, w, eps, reduction, lse, need):
        n, C = x.shape
        wt = _const(w.astype(x._data.dtype))
        k = _row_coef_tensor(g, reduction, n, float(n))
        tp = target * (1 - eps) + eps / C
        dx = k * (x.softmax(dim=1) * (tp * wt).sum(dim=1, keepdim=True) - tp * wt) if need[0] else None
        dtg = -k * (1 - eps) * wt * x.log_softmax(dim=1) if need[1] else None
        return dx, dtg


def cross_entropy(input, target, weight=None, ignore_index=-100, reduction="mean", label_smoothing=0.0):
    """Cross entropy between logits `input` (C,), (N, C) or (N, C, d1, ...) and class-index targets
    (int, shape (), (N,) or (N, d1, ...)) or class probabilities (float, input's shape).

    Numerically stable (log-sum-exp with the row max shifted out).  With class targets:
    weighted 'mean' divides by the summed weights of the non-ignored targets; label smoothing
    mixes in eps / C * sum_c w_c * (-log p_c), as torch.  With probability targets 'mean'
    divides by the number of rows and ignore_index does not apply."""
    fname = "cross_entropy"
    x = _float_input(input, fname)
    t = as_tensor(target, fname, "target")
    _check_reduction(reduction, fname)
    if isinstance(label_smoothing, bool) or not isinstance(label_smoothing, numbers.Real) \
            or not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"{fname}(): label_smoothing must be between 0.0 and 1.0, got {label_smoothing!r}")
    eps = float(label_smoothing)
    half = x._data.dtype == np.float16
    if half:
        x = x.float()
    if t.is_floating_point():
        out = _cross_entropy_prob(x, t, weight, eps, reduction, fname)
    else:
        if t.dtype is dtypes.bool:
            raise TypeError(f"{fname}(): target must be int64 class indices or float probabilities, got bool")
        x2, tt, out_shape = _class_layout(x, t, fname)
        C = x2.shape[1]
        w = _class_weight(weight, C, x, fname)
        ignore_index = int(ignore_index)          # targets are checked inside the kernel
        out = CrossEntropyIdx.apply(x2, tt, w, ignore_index, eps, reduction)
        if reduction == "none":
            out = out.reshape(*out_shape) if out_shape else out.reshape(())
    return out.half() if half else out


def _cross_entropy_prob(x, t, weight, eps, reduction, fname):
    if tuple(t.shape) != tuple(x.shape):
        raise ShapeError(f"{fname}(): probability targets must have the input's shape: input "
                         f"{tuple(x.shape)}, target {tuple(t.shape)}")
    if x.ndim == 0:
        raise ShapeError(f"{fname}(): input must have at least 1 dimension, got a 0-d tensor")
    C = x.shape[0] if x.ndim == 1 else x.shape[1]
    w = _class_weight(weight, C, x, fname)
    if t.dtype is not x.dtype:
        t = t.to(x.dtype)
    if x.ndim == 1:
        x2, t2, out_shape = x.reshape(1, C), t.reshape(1, C), ()
    elif x.ndim == 2:
        x2, t2, out_shape = x, t, (x.shape[0],)
    else:
        x2, t2 = x.movedim(1, -1).reshape(-1, C), t.movedim(1, -1).reshape(-1, C)
        out_shape = (x.shape[0],) + tuple(x.shape[2:])
    out = CrossEntropyProb.apply(x2, t2, w, eps, reduction)
    if reduction == "none":
        out = out.reshape(*out_shape) if out_shape else out.reshape(())
    return out


# ------------------------------------------------------------------ nll_loss
class NLL(Function):
    @staticmethod
    def forward(ctx, x, target, w, ignore_index, reduction):
        n = x.shape[0]
        valid = target != ignore_index
        safe = np.where(valid, target, 0)
        wy = np.where(valid, w[safe], 0.0)
        picked = x[np.arange(n), safe].astype(np.float64)
        loss = np.where(valid, -wy * picked, 0.0)
        denom = float(wy.sum())
        ctx.args = (n, x.shape[1], x.dtype, safe, wy, reduction, denom)
        return _finish(loss, reduction, denom, x.dtype)

    @staticmethod
    def backward(ctx, g):
        n, C, dt, safe, wy, reduction, denom = ctx.args
        onehot = np.zeros((n, C), dt)
        onehot[np.arange(n), safe] = -wy
        return _row_coef_tensor(g, reduction, n, denom) * _const(onehot), None, None, None, None


def nll_loss(input, target, weight=None, ignore_index=-100, reduction="mean"):
    """Negative log likelihood of log-probabilities `input` (C,), (N, C) or (N, C, d1, ...) at the
    class-index `target` (torch.nn.functional.nll_loss)."""
    fname = "nll_loss"
    x = _float_input(input, fname)
    t = as_tensor(target, fname, "target")
    _check_reduction(reduction, fname)
    if t.is_floating_point() or t.dtype is dtypes.bool:
        raise TypeError(f"{fname}(): target must be an integer (int64) tensor of class indices, got {t.dtype}")
    x2, tt, out_shape = _class_layout(x, t, fname)
    C = x2.shape[1]
    w = _class_weight(weight, C, x, fname)
    ignore_index = int(ignore_index)
    _check_targets(tt, C, ignore_index, fname)
    out = NLL.apply(x2, tt, w, ignore_index, reduction)
    if reduction == "none":
        out = out.reshape(*out_shape) if out_shape else out.reshape(())
    return out


# ------------------------------------------------------------------ regression losses
def _pair(input, target, fname, warn_broadcast=True):
    x = _float_input(input, fname)
    t = as_tensor(target, fname, "target")
    if not t.is_floating_point():
        t = t.to(x.dtype)
    if tuple(x.shape) != tuple(t.shape):
        try:
            np.broadcast_shapes(tuple(x.shape), tuple(t.shape))
        except ValueError:
            raise ShapeError(f"{fname}(): input of shape {tuple(x.shape)} and target of shape "
                             f"{tuple(t.shape)} cannot be broadcast together") from None
        if warn_broadcast:
            warnings.warn(f"{fname}(): Using a target size ({tuple(t.shape)}) that is different to the input "
                          f"size ({tuple(x.shape)}). This will likely lead to incorrect results due to "
                          f"broadcasting. Please ensure they have the same size.", stacklevel=3)
    return x, t


def mse_loss(input, target, reduction="mean"):
    """(input - target)^2, reduced (broadcast shapes are allowed with a warning, as torch)."""
    _check_reduction(reduction, "mse_loss")
    x, t = _pair(input, target, "mse_loss")
    d = x - t
    return _reduce(d * d, reduction)


def l1_loss(input, target, reduction="mean"):
    """|input - target|, reduced (gradient 0 where input == target, as torch)."""
    _check_reduction(reduction, "l1_loss")
    x, t = _pair(input, target, "l1_loss")
    return _reduce((x - t).abs(), reduction)


def smooth_l1_loss(input, target, reduction="mean", beta=1.0):
    """0.5 d^2 / beta where |d| < beta, else |d| - 0.5 beta (beta = 0 gives l1_loss)."""
    fname = "smooth_l1_loss"
    _check_reduction(reduction, fname)
    if not beta >= 0:
        raise ValueError(f"{fname}(): beta must be non-negative, got {beta!r}")
    x, t = _pair(input, target, fname)
    d = x - t
    if beta == 0:
        return _reduce(d.abs(), reduction)
    from .elementwise import where
    a = d.abs()
    return _reduce(where(a < beta, d * d * (0.5 / beta), a - 0.5 * beta), reduction)


def huber_loss(input, target, reduction="mean", delta=1.0):
    """0.5 d^2 where |d| < delta, else delta * (|d| - 0.5 delta)."""
    fname = "huber_loss"
    _check_reduction(reduction, fname)
    if not delta > 0:
        raise ValueError(f"{fname}(): delta must be positive, got {delta!r}")
    x, t = _pair(input, target, fname)
    from .elementwise import where
    d = x - t
    a = d.abs()
    return _reduce(where(a < delta, d * d * 0.5, (a - 0.5 * delta) * delta), reduction)


# ------------------------------------------------------------------ binary cross entropy
def _softplus_neg_np(x):
    """log(1 + exp(-x)), stable."""
    return np.log1p(np.exp(-np.abs(x))) + np.maximum(-x, 0)


class BCEWithLogits(Function):
    """Elementwise weight * [(1 - t) x + (1 + (pw - 1) t) * log(1 + exp(-x))] (stable form)."""

    @staticmethod
    def forward(ctx, x, t, w, pw):
        sp = _softplus_neg_np(x)
        lw = 1 if pw is None else 1 + (pw - 1) * t
        loss = (1 - t) * x + lw * sp
        if w is not None:
            loss = loss * w
        _save(ctx, x, t, w, pw)
        return loss.astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        x, t, w, pw = _saved(ctx)
        need = ctx.needs_input_grad
        gw = g if w is None else g * w
        sig = x.sigmoid()
        lw = 1 if pw is None else (pw - 1) * t + 1
        dx = dt = dw = dpw = None
        if need[0]:
            dx = unbroadcast(gw * (lw * (sig - 1) + (1 - t)), x.shape)
        if need[1] or need[2] or need[3]:
            sp = (-x).relu() + (-x.abs()).exp().log1p()
            if need[1]:
                dt = gw * (-x) if pw is None else gw * ((pw - 1) * sp - x)
                dt = unbroadcast(dt, t.shape)
            if need[2]:
                dw = unbroadcast(g * ((1 - t) * x + lw * sp), w.shape)
            if need[3]:
                dpw = unbroadcast(gw * t * sp, pw.shape)
        return dx, dt, dw, dpw


def _optional_float(v, fname, name, like):
    if v is None:
        return None
    v = as_tensor(v, fname, name)
    if not v.is_floating_point():
        v = v.to(like.dtype)
    return v


def _check_same_shape(x, t, fname):
    if tuple(x.shape) != tuple(t.shape):
        raise ShapeError(f"{fname}(): Using a target size ({tuple(t.shape)}) that is different to the input "
                         f"size ({tuple(x.shape)}) is not supported; target and input must have the "
                         f"same shape")


def _check_broadcast(v, shape, fname, name):
    if v is None:
        return
    try:
        if np.broadcast_shapes(tuple(v.shape), tuple(shape)) != tuple(shape):
            raise ValueError
    except ValueError:
        raise ShapeError(f"{fname}(): argument '{name}' of shape {tuple(v.shape)} cannot be broadcast to the "
                         f"input shape {tuple(shape)}") from None


def binary_cross_entropy_with_logits(input, target, weight=None, reduction="mean", pos_weight=None):
    """Sigmoid + binary cross entropy in one stable formula (torch's): finite for any logits."""
    fname = "binary_cross_entropy_with_logits"
    _check_reduction(reduction, fname)
    x = _float_input(input, fname)
    t = _optional_float(target, fname, "target", x)
    _check_same_shape(x, t, fname)
    w = _optional_float(weight, fname, "weight", x)
    pw = _optional_float(pos_weight, fname, "pos_weight", x)
    _check_broadcast(w, x.shape, fname, "weight")
    _check_broadcast(pw, x.shape, fname, "pos_weight")
    t, w, pw = (None if v is None else v.to(x.dtype) for v in (t, w, pw))
    return _reduce(BCEWithLogits.apply(x, t, w, pw), reduction)


class BCE(Function):
    """-weight * (t * max(log p, -100) + (1 - t) * max(log(1 - p), -100))."""

    @staticmethod
    def forward(ctx, p, t, w):
        logp = np.maximum(np.log(p), -100)
        log1mp = np.maximum(np.log1p(-p), -100)
        loss = -(t * logp + (1 - t) * log1mp)
        if w is not None:
            loss = loss * w
        _save(ctx, p, t, w)
        return loss.astype(p.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        p, t, w = _saved(ctx)
        need = ctx.needs_input_grad
        gw = g if w is None else g * w
        dp = dt = dw = None
        if need[0]:
            from .elementwise import clamp
            dp = unbroadcast(gw * (p - t) / clamp((1 - p) * p, min=1e-12), p.shape)
        if need[1] or need[2]:
            from .elementwise import clamp
            logp = clamp(p.log(), min=-100)
            log1mp = clamp((-p).log1p(), min=-100)
            if need[1]:
                dt = unbroadcast(gw * (log1mp - logp), t.shape)
            if need[2]:
                dw = unbroadcast(-g * (t * logp + (1 - t) * log1mp), w.shape)
        return dp, dt, dw


def binary_cross_entropy(input, target, weight=None, reduction="mean"):
    """Binary cross entropy of probabilities `input` in [0, 1] (log clamped at -100, as torch)."""
    fname = "binary_cross_entropy"
    _check_reduction(reduction, fname)
    x = _float_input(input, fname)
    t = _optional_float(target, fname, "target", x)
    _check_same_shape(x, t, fname)
    w = _optional_float(weight, fname, "weight", x)
    _check_broadcast(w, x.shape, fname, "weight")
    xa = x._data
    if xa.size and not ((xa >= 0) & (xa <= 1)).all():
        bad = xa[~((xa >= 0) & (xa <= 1))].reshape(-1)[0]
        raise ValueError(f"{fname}(): all elements of input should be between 0 and 1, got {bad!r}")
    t, w = (None if v is None else v.to(x.dtype) for v in (t, w))
    return _reduce(BCE.apply(x, t, w), reduction)


# ------------------------------------------------------------------ kl_div
def kl_div(input, target, reduction="mean", log_target=False):
    """Pointwise KL divergence target * (log target - input) with `input` given as log-probabilities
    (0 where target == 0); log_target=True takes log-probability targets.  'batchmean' divides the
    sum by the batch size (input.shape[0])."""
    fname = "kl_div"
    _check_reduction(reduction, fname, extra=("batchmean",))
    x, t = _pair(input, target, fname, warn_broadcast=False)
    from .elementwise import where
    if log_target:
        loss = t.exp() * (t - x)
    else:
        pos = t > 0
        safe = where(pos, t, 1.0)
        loss = where(pos, t * safe.log(), 0.0) - t * x
    if reduction == "batchmean":
        n = x.shape[0] if x.ndim else 1
        return loss.sum() / n
    return _reduce(loss, reduction)
