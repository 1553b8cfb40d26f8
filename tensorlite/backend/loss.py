"""Numba kernels for cross_entropy on (N, C) logits: log-softmax fused with the NLL / label-smoothing
terms, one pass over the logits in each direction (float32 and float64; row math in float64).

Class-index targets (``*_idx``): per row i with target y (rows with y == ignore_index give 0)

    lse_i  = log sum_c exp(x_ic)                      (max-shifted: finite for logits of +-1e4)
    loss_i = (1 - eps) * w_y * (lse_i - x_iy) + eps / C * sum_c w_c * (lse_i - x_ic)
    wy_i   = w_y                                       (the weight a 'mean' reduction divides by)

    d loss_i / d x_ic = (1 - eps) * w_y * (p_ic - [c == y]) + eps / C * (W * p_ic - w_c),
    p_ic = exp(x_ic - lse_i), W = sum_c w_c.

Probability targets (``*_prob``), t' = (1 - eps) * t + eps / C:

    loss_i = sum_c w_c * t'_ic * (lse_i - x_ic)
    d loss_i / d x_ic = p_ic * sum_k w_k t'_ik - w_c t'_ic.

Backward kernels take ``coef`` (float64, length N): the upstream gradient of each row's loss
(already divided by the 'mean' denominator), and write ``dx`` in the logits' dtype.
"""
import math

import numba
import numpy as np

from . import kernel

_FM = {"contract", "reassoc", "nsz", "arcp"}


@numba.njit(cache=True, fastmath=_FM)
def _row_lse(x, i):
    C = x.shape[1]
    m = -np.inf
    for c in range(C):
        v = np.float64(x[i, c])
        if v > m:
            m = v
    if not math.isfinite(m):            # all -inf (or +inf / nan present): shift by 0, let IEEE decide
        m = 0.0
    s = 0.0
    for c in range(C):
        s += math.exp(np.float64(x[i, c]) - m)
    return m + math.log(s)


@kernel("ce_fwd_idx")
@numba.njit(cache=True, fastmath=_FM)
def ce_fwd_idx(x, target, w, ignore_index, eps, loss, wy, lse):
    """Fills loss, wy, lse; returns (first row whose target is outside [0, C) and not ignore_index,
    or -1; sum of loss; sum of wy)."""
    N, C = x.shape
    keep = 1.0 - eps
    ec = eps / C
    total = 0.0
    denom = 0.0
    for i in range(N):
        y = target[i]
        if y == ignore_index:
            lse[i] = _row_lse(x, i)
            loss[i] = 0.0
            wy[i] = 0.0
            continue
        if y < 0 or y >= C:
            return i, total, denom
        l = _row_lse(x, i)
        lse[i] = l
        wt = w[y]
        val = keep * wt * (l - np.float64(x[i, y]))
        if eps != 0.0:
            sm = 0.0
            for c in range(C):
                sm += w[c] * (l - np.float64(x[i, c]))
            val += ec * sm
        loss[i] = val
        wy[i] = wt
        total += val
        denom += wt
    return -1, total, denom


@kernel("ce_bwd_idx")
@numba.njit(cache=True, fastmath=_FM)
def ce_bwd_idx(x, target, w, ignore_index, eps, lse, coef, dx):
    N, C = x.shape
    t = dx.dtype.type
    W = 0.0
    for c in range(C):
        W += w[c]
    keep = 1.0 - eps
    ec = eps / C
    for i in range(N):
        y = target[i]
        k = coef[i]
        if y == ignore_index or k == 0.0:
            for c in range(C):
                dx[i, c] = 0
            continue
        a = k * keep * w[y]
        b = k * ec
        l = lse[i]
        if eps != 0.0:
            for c in range(C):
                p = math.exp(np.float64(x[i, c]) - l)
                dx[i, c] = t(a * p + b * (W * p - w[c]))
        else:
            for c in range(C):
                dx[i, c] = t(a * math.exp(np.float64(x[i, c]) - l))
        dx[i, y] = t(np.float64(dx[i, y]) - a)


@kernel("ce_fwd_prob")
@numba.njit(cache=True, fastmath=_FM)
def ce_fwd_prob(x, target, w, eps, loss, lse):
    N, C = x.shape
    keep = 1.0 - eps
    ec = eps / C
    for i in range(N):
        l = _row_lse(x, i)
        lse[i] = l
        s = 0.0
        for c in range(C):
            tc = keep * target[i, c] + ec
            s += w[c] * tc * (l - np.float64(x[i, c]))
        loss[i] = s


@kernel("ce_bwd_prob")
@numba.njit(cache=True, fastmath=_FM)
def ce_bwd_prob(x, target, w, eps, lse, coef, dx):
    N, C = x.shape
    t = dx.dtype.type
    keep = 1.0 - eps
    ec = eps / C
    for i in range(N):
        k = coef[i]
        l = lse[i]
        s = 0.0
        for c in range(C):
            s += w[c] * (keep * target[i, c] + ec)
        for c in range(C):
            p = math.exp(np.float64(x[i, c]) - l)
            dx[i, c] = t(k * (p * s - w[c] * (keep * target[i, c] + ec)))
