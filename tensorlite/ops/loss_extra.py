"""Margin, embedding and likelihood losses (torch.nn.functional's names, arguments, reductions and
errors): cosine_embedding_loss, margin_ranking_loss, hinge_embedding_loss, soft_margin_loss,
multilabel_soft_margin_loss, multilabel_margin_loss, multi_margin_loss, triplet_margin_loss,
triplet_margin_with_distance_loss, poisson_nll_loss, gaussian_nll_loss.

Each is composed from differentiable ops. A hinge max(0, z) is `where(z >= 0, z, 0)` where torch's
formula uses clamp_min (its gradient passes at z == 0) and `where(z > 0, z, 0)` where torch's kernel
tests z > 0 (multi-margin losses)."""
import math
import numbers
import warnings

import numpy as np

from ..errors import ShapeError, ArgumentError, DTypeError
from ..tensor import Tensor
from ._helpers import as_tensor
from .elementwise import where, exp, log, log1p, sqrt, minimum, clamp
from .indexing import index_select
from .reduction import gather

__all__ = ["cosine_embedding_loss", "margin_ranking_loss", "hinge_embedding_loss", "soft_margin_loss",
           "multilabel_soft_margin_loss", "multilabel_margin_loss", "multi_margin_loss", "triplet_margin_loss",
           "triplet_margin_with_distance_loss", "poisson_nll_loss", "gaussian_nll_loss"]


def _reduction(size_average, reduce, reduction, fname, message="is not a valid value for reduction"):
    if size_average is not None or reduce is not None:
        size_average = True if size_average is None else size_average
        reduce = True if reduce is None else reduce
        reduction = "mean" if size_average and reduce else ("sum" if reduce else "none")
        warnings.warn(f"size_average and reduce args will be deprecated, please use reduction='{reduction}' "
                      f"instead.", UserWarning, stacklevel=3)
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{fname}(): {reduction} {message} (expected 'none', 'mean' or 'sum')")
    return reduction


def _reduce(loss, reduction):
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _float(x, fname, argname):
    t = as_tensor(x, fname, argname)
    if not t.is_floating_point():
        raise TypeError(f"{fname}(): argument '{argname}' must be a floating point tensor, got {t.dtype}")
    return t


def _like(t, x):
    """t as x's floating dtype (targets may be given as integer or bool tensors)."""
    return t if t.dtype is x.dtype else t.to(x.dtype)


def _number(v, fname, name):
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, (numbers.Real, np.floating, np.integer)):
        raise TypeError(f"{fname}(): argument '{name}' must be a number, got {v!r:.40}")
    return float(v)


def _clamp_min0(z):
    """max(z, 0) with torch clamp_min's gradient (1 at z == 0)."""
    return where(z >= 0, z, 0.0)


def _broadcast(shapes, names, fname):
    try:
        return np.broadcast_shapes(*shapes)
    except ValueError:
        desc = ", ".join(f"'{n}' of shape {tuple(s)}" for n, s in zip(names, shapes))
        raise ShapeError(f"{fname}(): arguments {desc} cannot be broadcast together") from None


# ------------------------------------------------------------------ pairwise margin losses
def cosine_embedding_loss(input1, input2, target, margin=0, size_average=None, reduce=None, reduction="mean"):
    """1 - cos(x1, x2) where target == 1, max(0, cos - margin) where target == -1, 0 elsewhere;
    cos along dim 1 of (N, D) inputs with a (N,) target, or of (D,) inputs with a 0-d target."""
    fname = "cosine_embedding_loss"
    reduction = _reduction(size_average, reduce, reduction, fname)
    x1, x2 = _float(input1, fname, "input1"), _float(input2, fname, "input2")
    y = as_tensor(target, fname, "target")
    margin = _number(margin, fname, "margin")
    if y.ndim not in (0, 1):
        raise ShapeError(f"{fname}(): 0D or 1D target tensor expected, multi-target not supported (got "
                         f"argument 'target' of shape {tuple(y.shape)})")
    need = 2 if y.ndim == 1 else 1
    if x1.ndim != need or x2.ndim != need:
        raise ShapeError(f"{fname}(): {y.ndim}D target tensor expects {need}D input tensors, but found inputs "
                         f"with sizes {tuple(x1.shape)} and {tuple(x2.shape)}")
    _broadcast((x1.shape, x2.shape), ("input1", "input2"), fname)
    d = y.ndim
    eps = 1e-12                                   # torch's EPSILON inside the square roots
    prod = (x1 * x2).sum(d)
    mag1 = (x1 * x1).sum(d) + eps
    mag2 = (x2 * x2).sum(d) + eps
    cos = prod / sqrt(mag1 * mag2)
    _broadcast((cos.shape, y.shape), ("input1", "target"), fname)
    loss = where(y == 1, 1 - cos, 0.0) + where(y == -1, _clamp_min0(cos - margin), 0.0)
    return _reduce(loss, reduction)


def margin_ranking_loss(input1, input2, target, margin=0, size_average=None, reduce=None, reduction="mean"):
    """max(0, -target * (input1 - input2) + margin), all three of one number of dims (broadcast)."""
    fname = "margin_ranking_loss"
    reduction = _reduction(size_average, reduce, reduction, fname)
    x1, x2 = _float(input1, fname, "input1"), _float(input2, fname, "input2")
    y = as_tensor(target, fname, "target")
    if x1.ndim != x2.ndim or x1.ndim != y.ndim:
        raise ShapeError(f"{fname}(): all input tensors should have same dimension but got sizes: input1: "
                         f"{tuple(x1.shape)}, input2: {tuple(x2.shape)}, target: {tuple(y.shape)}")
    _broadcast((x1.shape, x2.shape, y.shape), ("input1", "input2", "target"), fname)
    margin = _number(margin, fname, "margin")
    return _reduce(_clamp_min0(-_like(y, x1) * (x1 - x2) + margin), reduction)


def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None, reduction="mean"):
    """input where target != -1 plus max(0, margin - input) where target != 1 (so a target outside
    {1, -1} gets both terms, as torch)."""
    fname = "hinge_embedding_loss"
    reduction = _reduction(size_average, reduce, reduction, fname)
    x = _float(input, fname, "input")
    y = as_tensor(target, fname, "target")
    _broadcast((x.shape, y.shape), ("input", "target"), fname)
    margin = _number(margin, fname, "margin")
    loss = where(y != 1, _clamp_min0(margin - x), 0.0) + where(y != -1, x, 0.0)
    return _reduce(loss, reduction)


def _softplus(z):
    """log(1 + exp(z)), exact to rounding and finite for large z."""
    big = z > 20
    return where(big, z, log1p(exp(where(big, 0.0, z))))


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """log(1 + exp(-target * input)), elementwise (shapes broadcast)."""
    fname = "soft_margin_loss"
    reduction = _reduction(size_average, reduce, reduction, fname)
    x = _float(input, fname, "input")
    y = as_tensor(target, fname, "target")
    _broadcast((x.shape, y.shape), ("input", "target"), fname)
    return _reduce(_softplus(-_like(y, x) * x), reduction)


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    """Per sample: mean over the class (last) dim of the weighted binary cross-entropy of
    sigmoid(input) against target."""
    from .activation import logsigmoid
    fname = "multilabel_soft_margin_loss"
    reduction = _reduction(size_average, reduce, reduction, fname, "is not valid")
    x = _float(input, fname, "input")
    y = _like(as_tensor(target, fname, "target"), x)
    _broadcast((x.shape, y.shape), ("input", "target"), fname)
    loss = -(y * logsigmoid(x) + (1 - y) * logsigmoid(-x))
    if weight is not None:
        w = as_tensor(weight, fname, "weight")
        _broadcast((loss.shape, w.shape), ("input", "weight"), fname)
        loss = loss * w
    if x.ndim == 0:
        raise ShapeError(f"{fname}(): argument 'input' must have a class dim, got a 0-d tensor")
    class_dim = x.ndim - 1
    loss = loss.sum(class_dim) / x.shape[class_dim]
    return _reduce(loss, reduction)


def _class_input(x, fname):
    """x as (N, C) and whether it was a (C,) vector; empty C or >2-D are rejected as torch."""
    if x.ndim not in (1, 2) or x.shape[-1] == 0:
        raise ShapeError(f"{fname}(): expected non-empty vector or matrix with optional 0-dim batch size, but "
                         f"got argument 'input' of shape {tuple(x.shape)}")
    return (x.unsqueeze(0), True) if x.ndim == 1 else (x, False)


def _int_target(t, fname):
    t = as_tensor(t, fname, "target")
    if t.is_floating_point() or t.dtype.name == "bool":
        raise DTypeError(f"{fname}(): argument 'target' must be an int64 (Long) tensor of class indices, got "
                        f"{t.dtype}")
    return t


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, size_average=None, reduce=None,
                      reduction="mean"):
    """Multi-class hinge loss: per sample, sum over classes j != y of
    weight[y] * max(0, margin - x[y] + x[j]) ** p, divided by the number of classes."""
    fname = "multi_margin_loss"
    reduction = _reduction(size_average, reduce, reduction, fname)
    if p != 1 and p != 2:
        raise ValueError(f"{fname}(): only p == 1 and p == 2 supported, got p={p!r}")
    if weight is not None and getattr(weight, "ndim", None) != 1:
        raise ValueError(f"{fname}(): weight must be one-dimensional, got argument 'weight' of shape "
                         f"{tuple(getattr(weight, 'shape', ()))}")
    x0 = _float(input, fname, "input")
    x, vector = _class_input(x0, fname)
    N, C = x.shape
    t = _int_target(target, fname)
    if t.numel() != N or t.ndim > 1 or (not vector and t.ndim != 1):
        raise ShapeError(f"{fname}(): target tensor should be 1-D with size equal to the number of input samples "
                         f"(batch size). Expected target size [{N}], but got {list(t.shape)}. Input has shape "
                         f"{list(x0.shape)}.")
    idx = np.asarray(t._data, dtype=np.int64).reshape(N)
    if idx.size and (idx.min() < 0 or idx.max() >= C):
        raise ArgumentError(f"{fname}(): target out of range: argument 'target' holds "
                         f"{int(idx[(idx < 0) | (idx >= C)][0])}, the input has {C} classes")
    margin = _number(margin, fname, "margin")
    onehot = np.zeros((N, C), dtype=bool)
    onehot[np.arange(N), idx] = True
    xy = gather(x, 1, Tensor._wrap(idx.reshape(N, 1)))
    z = margin - xy + x
    h = where(z > 0, z, 0.0)
    if p == 2:
        h = h * h
    h = where(Tensor._wrap(onehot), 0.0, h)
    if weight is not None:
        w = as_tensor(weight, fname, "weight")
        if w.shape[0] != C:
            raise ShapeError(f"{fname}(): inconsistent weight size, expected {C} but got {list(w.shape)}")
        h = h * index_select(_like(w, x), 0, Tensor._wrap(idx)).reshape(N, 1)
    loss = h.sum(1) / C
    if vector and t.ndim == 0:
        loss = loss.reshape(())
    return _reduce(loss, reduction)


def multilabel_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """Multi-label hinge loss: target lists each sample's classes, ended by the first -1; per sample,
    the sum over listed classes j and unlisted classes k of max(0, 1 - (x[j] - x[k])), divided by
    the number of classes (a class listed twice counts twice, as torch)."""
    fname = "multilabel_margin_loss"
    reduction = _reduction(size_average, reduce, reduction, fname)
    x0 = _float(input, fname, "input")
    x, vector = _class_input(x0, fname)
    N, C = x.shape
    t = _int_target(target, fname)
    if tuple(t.shape) != tuple(x0.shape):
        raise ShapeError(f"{fname}(): inconsistent target size: {list(t.shape)} for input of size: "
                         f"{list(x0.shape)}")
    tg = np.asarray(t._data, dtype=np.int64).reshape(N, C)
    valid = np.cumprod(tg != -1, axis=1).astype(bool)          # entries before the first -1
    if np.any(valid & ((tg < 0) | (tg >= C))):
        raise ArgumentError(f"{fname}(): argument 'target' is out of range: it must hold class indices in [0, {C}) "
                         f"or -1 (end of the list), got {tg[valid & ((tg < 0) | (tg >= C))][0]}")
    count = np.zeros((N, C), dtype=x._data.dtype)              # how often each class is listed
    rows = np.nonzero(valid)[0]
    np.add.at(count, (rows, tg[valid]), 1)
    unlisted = (count == 0).astype(x._data.dtype)
    z = 1 - x.unsqueeze(2) + x.unsqueeze(1)                    # z[n, j, k] = 1 - x[j] + x[k]
    h = where(z > 0, z, 0.0)
    pairs = Tensor._wrap(count[:, :, None] * unlisted[:, None, :])
    loss = (h * pairs).sum((1, 2)) / C
    if vector:
        loss = loss.reshape(())
    return _reduce(loss, reduction)


# ------------------------------------------------------------------ triplet losses
def _same_ndim(a, p, n, fname):
    if not (a.ndim == p.ndim == n.ndim):
        raise ShapeError(f"{fname}(): the anchor, positive, and negative tensors are expected to have the same "
                         f"number of dimensions, but got: anchor {a.ndim}D, positive {p.ndim}D, and negative "
                         f"{n.ndim}D inputs")


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False, size_average=None,
                        reduce=None, reduction="mean"):
    """max(0, margin + d(a, p) - d(a, n)) with d the p-norm pairwise_distance along the last dim;
    swap uses min(d(a, n), d(p, n))."""
    from .distance import pairwise_distance
    fname = "triplet_margin_loss"
    reduction = _reduction(size_average, reduce, reduction, fname)
    if margin <= 0:
        raise ValueError(f"{fname}(): margin must be greater than 0, got {margin}")
    a, pos, neg = (_float(v, fname, n) for v, n in ((anchor, "anchor"), (positive, "positive"),
                                                   (negative, "negative")))
    _same_ndim(a, pos, neg, fname)
    d_pos = pairwise_distance(a, pos, p, eps)
    d_neg = pairwise_distance(a, neg, p, eps)
    if swap:
        d_neg = minimum(d_neg, pairwise_distance(pos, neg, p, eps))
    return _reduce(_clamp_min0(margin + d_pos - d_neg), reduction)


def triplet_margin_with_distance_loss(anchor, positive, negative, *, distance_function=None, margin=1.0,
                                      swap=False, reduction="mean"):
    """triplet_margin_loss with any distance_function(x1, x2) (default pairwise_distance)."""
    from .distance import pairwise_distance
    fname = "triplet_margin_with_distance_loss"
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{fname}(): {reduction} is not a valid value for reduction (expected 'none', 'mean' "
                         f"or 'sum')")
    if margin <= 0:
        raise ValueError(f"{fname}(): margin must be greater than 0, got {margin}")
    a, pos, neg = (as_tensor(v, fname, n) for v, n in ((anchor, "anchor"), (positive, "positive"),
                                                      (negative, "negative")))
    _same_ndim(a, pos, neg, fname)
    if distance_function is not None and not callable(distance_function):
        raise TypeError(f"{fname}(): argument 'distance_function' must be callable or None, got "
                        f"{type(distance_function).__name__}")
    dist = distance_function if distance_function is not None else pairwise_distance
    d_pos = dist(a, pos)
    d_neg = dist(a, neg)
    if swap:
        d_neg = minimum(d_neg, dist(pos, neg))
    return _reduce(_clamp_min0(margin + d_pos - d_neg), reduction)


# ------------------------------------------------------------------ likelihood losses
def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-8, reduce=None,
                     reduction="mean"):
    """exp(input) - target * input (log_input), else input - target * log(input + eps); full adds
    Stirling's term target * log(target) - target + log(2 pi target) / 2 where target > 1."""
    fname = "poisson_nll_loss"
    reduction = _reduction(size_average, reduce, reduction, fname)
    x = _float(input, fname, "input")
    y = _like(as_tensor(target, fname, "target"), x)
    _broadcast((x.shape, y.shape), ("input", "target"), fname)
    if log_input:
        loss = exp(x) - y * x
    else:
        loss = x - y * log(x + eps)
    if full:
        safe = where(y > 1, y, 1.0)                 # the term is masked to 0 at target <= 1
        stirling = safe * log(safe) - safe + 0.5 * log(2 * math.pi * safe)
        loss = loss + where(y > 1, stirling, 0.0)
    return _reduce(loss, reduction)


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    """(log(max(var, eps)) + (input - target)^2 / max(var, eps)) / 2 (+ log(2 pi) / 2 when full).
    var matches input's shape, or lacks its last dim, or differs in one size-1 dim (homoscedastic);
    the clamp to eps carries no gradient of its own, as torch."""
    fname = "gaussian_nll_loss"
    x = _float(input, fname, "input")
    y = as_tensor(target, fname, "target")
    if isinstance(var, Tensor):
        v = var
        if bool(np.any(v._data < 0)):
            raise ValueError(f"{fname}(): var has negative entry/entries")
    else:
        v = _number(var, fname, "var")
        if v < 0:
            raise ValueError(f"{fname}(): var has negative entry/entries (var={var!r})")
        v = Tensor._wrap(np.full(x.shape, v, dtype=x._data.dtype))
    if tuple(v.shape) != tuple(x.shape):
        if tuple(x.shape[:-1]) == tuple(v.shape):
            v = v.unsqueeze(-1)
        elif not (x.ndim == v.ndim and sum(b for a, b in zip(x.shape, v.shape) if a != b) == 1):
            raise ValueError(f"{fname}(): var is of incorrect size: argument 'var' of shape {tuple(v.shape)} for "
                             f"input of shape {tuple(x.shape)}")
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{fname}(): {reduction} is not valid (expected 'none', 'mean' or 'sum')")
    v = _like(v, x)
    v = v + (clamp(v.detach(), min=eps) - v.detach())
    loss = 0.5 * (log(v) + (x - _like(y, x)) ** 2 / v)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)
