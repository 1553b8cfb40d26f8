"""Numba kernels for batch normalization (float32 and float64, compiled once, cached on disk).

Two memory layouts are handled, both C-contiguous:

* ``ncl`` -- ``(N, C, L)``: NCHW activations seen as ``L = H * W`` values per (sample, channel)
  plane (``(N, C, L)`` BatchNorm1d input as is).  Kernels walk one channel at a time, so the
  channel's planes are read from DRAM once and re-read from cache by the later passes.
* ``nc``  -- ``(R, C)``: channels innermost: ``(N, C)`` BatchNorm1d input, or a channels_last
  (NHWC-strided) NCHW tensor seen as ``(N * H * W, C)``.  Kernels walk blocks of rows, vectorized
  across channels.

Statistics are numerically sound for data with a large mean relative to its spread: each plane
(or block of rows) gets a corrected two-pass mean / sum of squared deviations while it sits in L1
(``M2 = sum (x - m)^2 - (sum (x - m))^2 / n`` around its own rounded mean ``m``), and the pieces
are merged in float64 with Chan et al.'s pairwise update.  No E[x^2] - E[x]^2 cancellation, and a
constant channel gets its mean exactly (so x - mean is exactly 0 there).

Every kernel takes the statistics as float64 arrays of length C: ``mean``, ``var`` (biased) and
``invstd = 1 / sqrt(var + eps)``.  ``gamma``/``beta``/``scale``/``shift`` have x's dtype;
``dgamma``/``dbeta`` are float64.

Entry points (write into preallocated outputs; ``kind`` is what ``layout`` returned):

* ``fwd_train(kind, x, gamma, beta, eps, y, mean, var, invstd, mode, res)`` -- statistics +
  normalize + affine, then (``mode``) nothing, a ReLU, or a residual add and a ReLU.
* ``fwd_eval(kind, x, scale, shift, y)``                          -- ``y = x * scale[c] + shift[c]``.
* ``bwd_train(kind, dy, x, mean, invstd, gamma, dx, dgamma, dbeta, need_dx, mode, y, gres)``
* ``bwd_eval(kind, dy, x, mean, invstd, scale, dx, dgamma, dbeta, need_dx)``

Threading: each kernel has a serial and a ``parallel=True`` driver.  The parallel one runs when
Numba has more than one thread (``tensorlite.set_num_threads``) and the tensor is large enough
(``PARALLEL_MIN_SIZE`` elements).  ``ncl`` drivers split channels across threads (no cross-thread
reduction); ``nc`` drivers split rows into chunks with private partial statistics merged at the
end.  On the idle 2-core target the parallel drivers are about 1.6-2x faster for the ResNet-20
shapes (benchmarks/bench_norm_loss.py); when another process keeps a core busy, the second OpenMP
thread waits for a time slice and a serial run (set_num_threads(1)) is much faster.
"""
import numba
import numpy as np
from numba import prange

from . import kernel

_FM = {"contract", "reassoc", "nsz", "arcp"}     # FMA + vectorized reductions; NaN/inf stay honest
_ROW_BLOCK = 64                                   # rows per block in the nc kernels (fits L1)
PARALLEL_MIN_SIZE = 1 << 16                       # elements below which the serial drivers run

# What follows the normalization (``mode`` of the training kernels): nothing, a ReLU, or a residual
# add then a ReLU -- relu(bn(x) [+ res]) in the same pass, with the ReLU's mask folded into backward.
PLAIN, RELU, RELU_ADD = 0, 1, 2


@numba.njit(cache=True, fastmath=_FM, inline="always")
def _relu(v):
    return 0 if v < 0 else v                      # NaN and -0.0 pass through, as torch.relu


@numba.njit(cache=True, fastmath=_FM, inline="always")
def _relu_grad(g, y):
    return 0 if y <= 0 else g                     # torch's threshold_backward on the ReLU output


# ================================================================== per-channel (ncl) pieces
@numba.njit(cache=True, fastmath=_FM)
def _ncl_train_channel(x, gamma, beta, eps, y, mean, var, invstd, c, mode, res):
    N, C, L = x.shape
    t = x.dtype.type
    inv_l = 1.0 / L
    # Planes all have L values, so the pairwise merge reduces to: within-plane M2s summed, plus
    # L * (sum of squared deviations of the plane means), accumulated in float64 around the first
    # plane's mean K (close to the channel mean, so no cancellation to speak of).
    K = 0.0
    A = 0.0
    B = 0.0
    W = 0.0
    for n in range(N):
        s = t(0)
        for i in range(L):
            s += x[n, c, i]
        rm = t(s * inv_l)
        e = t(0)
        q = t(0)
        for i in range(L):
            d = x[n, c, i] - rm
            e += d
            q += d * d
        row_mean = rm + e * inv_l                   # float64 from here on
        row_m2 = q - e * (e * inv_l)
        if row_m2 < 0.0:
            row_m2 = 0.0
        if n == 0:
            K = row_mean
        dm = row_mean - K
        A += dm
        B += dm * dm
        W += row_m2
    between = B - A * (A / N)
    if between < 0.0:
        between = 0.0
    mu = K + A / N
    v = (W + L * between) / (N * L)
    mean[c] = mu
    var[c] = v
    r = 1.0 / np.sqrt(v + eps)
    invstd[c] = r
    a = t(gamma[c] * r)
    m = t(mu)
    b = beta[c]
    for n in range(N):
        if mode == PLAIN:
            for i in range(L):
                y[n, c, i] = (x[n, c, i] - m) * a + b
        elif mode == RELU:
            for i in range(L):
                y[n, c, i] = _relu((x[n, c, i] - m) * a + b)
        else:
            for i in range(L):
                y[n, c, i] = _relu((x[n, c, i] - m) * a + b + res[n, c, i])


@numba.njit(cache=True, fastmath=_FM)
def _ncl_eval_channel(x, scale, shift, y, c):
    N, C, L = x.shape
    a = scale[c]
    b = shift[c]
    for n in range(N):
        for i in range(L):
            y[n, c, i] = x[n, c, i] * a + b


@numba.njit(cache=True, fastmath=_FM)
def _ncl_bwd_train_channel(dy, x, mean, invstd, gamma, dx, dgamma, dbeta, need_dx, c, mode, y, gres):
    N, C, L = x.shape
    t = x.dtype.type
    M = N * L
    m = t(mean[c])
    sdy = 0.0
    sdyx = 0.0
    for n in range(N):
        a = t(0)
        b = t(0)
        if mode == PLAIN:
            for i in range(L):
                g = dy[n, c, i]
                a += g
                b += g * (x[n, c, i] - m)
        else:
            for i in range(L):
                g = _relu_grad(dy[n, c, i], y[n, c, i])
                if mode == RELU_ADD:
                    gres[n, c, i] = g              # the residual's gradient, read back below
                a += g
                b += g * (x[n, c, i] - m)
        sdy += a
        sdyx += b
    r = invstd[c]
    dbeta[c] = sdy
    dgamma[c] = sdyx * r
    if need_dx:
        A = gamma[c] * r
        ca = t(A)
        cb = t(-A * r * r * sdyx / M)
        cd = t(-A * sdy / M)
        for n in range(N):
            if mode == PLAIN:
                for i in range(L):
                    dx[n, c, i] = dy[n, c, i] * ca + (x[n, c, i] - m) * cb + cd
            elif mode == RELU:
                for i in range(L):
                    dx[n, c, i] = _relu_grad(dy[n, c, i], y[n, c, i]) * ca + (x[n, c, i] - m) * cb + cd
            else:
                for i in range(L):
                    dx[n, c, i] = gres[n, c, i] * ca + (x[n, c, i] - m) * cb + cd


@numba.njit(cache=True, fastmath=_FM)
def _ncl_bwd_eval_channel(dy, x, mean, invstd, scale, dx, dgamma, dbeta, need_dx, c):
    N, C, L = x.shape
    t = x.dtype.type
    m = t(mean[c])
    s = scale[c]
    sdy = 0.0
    sdyx = 0.0
    for n in range(N):
        a = t(0)
        b = t(0)
        if need_dx:
            for i in range(L):
                g = dy[n, c, i]
                a += g
                b += g * (x[n, c, i] - m)
                dx[n, c, i] = g * s
        else:
            for i in range(L):
                g = dy[n, c, i]
                a += g
                b += g * (x[n, c, i] - m)
        sdy += a
        sdyx += b
    dbeta[c] = sdy
    dgamma[c] = sdyx * invstd[c]


# ------------------------------------------------------------------ ncl drivers
@numba.njit(cache=True, fastmath=_FM)
def _fwd_train_ncl_ser(x, gamma, beta, eps, y, mean, var, invstd, mode, res):
    for c in range(x.shape[1]):
        _ncl_train_channel(x, gamma, beta, eps, y, mean, var, invstd, c, mode, res)


@numba.njit(cache=True, fastmath=_FM, parallel=True)
def _fwd_train_ncl_par(x, gamma, beta, eps, y, mean, var, invstd, mode, res):
    for c in prange(x.shape[1]):
        _ncl_train_channel(x, gamma, beta, eps, y, mean, var, invstd, c, mode, res)


@numba.njit(cache=True, fastmath=_FM)
def _fwd_eval_ncl_ser(x, scale, shift, y):
    for c in range(x.shape[1]):
        _ncl_eval_channel(x, scale, shift, y, c)


@numba.njit(cache=True, fastmath=_FM, parallel=True)
def _fwd_eval_ncl_par(x, scale, shift, y):
    for c in prange(x.shape[1]):
        _ncl_eval_channel(x, scale, shift, y, c)


@numba.njit(cache=True, fastmath=_FM)
def _bwd_train_ncl_ser(dy, x, mean, invstd, gamma, dx, dgamma, dbeta, need_dx, mode, y, gres):
    for c in range(x.shape[1]):
        _ncl_bwd_train_channel(dy, x, mean, invstd, gamma, dx, dgamma, dbeta, need_dx, c, mode, y, gres)


@numba.njit(cache=True, fastmath=_FM, parallel=True)
def _bwd_train_ncl_par(dy, x, mean, invstd, gamma, dx, dgamma, dbeta, need_dx, mode, y, gres):
    for c in prange(x.shape[1]):
        _ncl_bwd_train_channel(dy, x, mean, invstd, gamma, dx, dgamma, dbeta, need_dx, c, mode, y, gres)


@numba.njit(cache=True, fastmath=_FM)
def _bwd_eval_ncl_ser(dy, x, mean, invstd, scale, dx, dgamma, dbeta, need_dx):
    for c in range(x.shape[1]):
        _ncl_bwd_eval_channel(dy, x, mean, invstd, scale, dx, dgamma, dbeta, need_dx, c)


@numba.njit(cache=True, fastmath=_FM, parallel=True)
def _bwd_eval_ncl_par(dy, x, mean, invstd, scale, dx, dgamma, dbeta, need_dx):
    for c in prange(x.shape[1]):
        _ncl_bwd_eval_channel(dy, x, mean, invstd, scale, dx, dgamma, dbeta, need_dx, c)


# ================================================================== row-range (nc) pieces
@numba.njit(cache=True, fastmath=_FM)
def _nc_stats(x, r0, r1, mu, m2):
    """Mean and M2 of rows [r0, r1) per channel into mu, m2 (float64); returns the row count."""
    C = x.shape[1]
    t = x.dtype.type
    bs = np.empty(C, x.dtype)
    be = np.empty(C, x.dtype)
    bq = np.empty(C, x.dtype)
    mu[:] = 0.0
    m2[:] = 0.0
    cnt = 0.0
    for b0 in range(r0, r1, _ROW_BLOCK):
        b1 = min(b0 + _ROW_BLOCK, r1)
        nb = b1 - b0
        inv_nb = 1.0 / nb
        bs[:] = 0
        for r in range(b0, b1):
            for c in range(C):
                bs[c] += x[r, c]
        for c in range(C):
            bs[c] = t(bs[c] * inv_nb)             # block mean, rounded to x's dtype
        be[:] = 0
        bq[:] = 0
        for r in range(b0, b1):
            for c in range(C):
                d = x[r, c] - bs[c]
                be[c] += d
                bq[c] += d * d
        new = cnt + nb
        f1 = nb / new
        f2 = cnt * nb / new
        for c in range(C):
            e = np.float64(be[c])
            bm = bs[c] + e * inv_nb
            q = bq[c] - e * (e * inv_nb)
            if q < 0.0:
                q = 0.0
            delta = bm - mu[c]
            mu[c] += delta * f1
            m2[c] += q + delta * delta * f2
        cnt = new
    return cnt


@numba.njit(cache=True, fastmath=_FM)
def _nc_finish_stats(pmu, pm2, pcnt, gamma, eps, mean, var, invstd, a, m):
    """Merge per-chunk statistics; a = gamma * invstd and m = mean in x's dtype."""
    P, C = pmu.shape
    for c in range(C):
        cnt = 0.0
        mu = 0.0
        m2 = 0.0
        for p in range(P):
            nb = pcnt[p]
            if nb == 0.0:
                continue
            new = cnt + nb
            delta = pmu[p, c] - mu
            mu += delta * (nb / new)
            m2 += pm2[p, c] + delta * delta * (cnt * nb / new)
            cnt = new
        v = m2 / cnt
        mean[c] = mu
        var[c] = v
        rs = 1.0 / np.sqrt(v + eps)
        invstd[c] = rs
        a[c] = gamma[c] * rs
        m[c] = mu


@numba.njit(cache=True, fastmath=_FM)
def _nc_affine(x, m, a, beta, y, r0, r1, mode, res):
    C = x.shape[1]
    for r in range(r0, r1):
        if mode == PLAIN:
            for c in range(C):
                y[r, c] = (x[r, c] - m[c]) * a[c] + beta[c]
        elif mode == RELU:
            for c in range(C):
                y[r, c] = _relu((x[r, c] - m[c]) * a[c] + beta[c])
        else:
            for c in range(C):
                y[r, c] = _relu((x[r, c] - m[c]) * a[c] + beta[c] + res[r, c])


@numba.njit(cache=True, fastmath=_FM)
def _nc_eval(x, scale, shift, y, r0, r1):
    C = x.shape[1]
    for r in range(r0, r1):
        for c in range(C):
            y[r, c] = x[r, c] * scale[c] + shift[c]


@numba.njit(cache=True, fastmath=_FM)
def _nc_sums(dy, x, m, r0, r1, sdy, sdyx, mode, y, gres):
    """sdy[c] = sum g, sdyx[c] = sum g * (x - m) over rows [r0, r1) (float64, blockwise), where g is
    dy (PLAIN) or dy gated by the ReLU output y (also written to gres for RELU_ADD)."""
    C = x.shape[1]
    ba = np.empty(C, x.dtype)
    bb = np.empty(C, x.dtype)
    sdy[:] = 0.0
    sdyx[:] = 0.0
    for b0 in range(r0, r1, _ROW_BLOCK):
        b1 = min(b0 + _ROW_BLOCK, r1)
        ba[:] = 0
        bb[:] = 0
        for r in range(b0, b1):
            if mode == PLAIN:
                for c in range(C):
                    g = dy[r, c]
                    ba[c] += g
                    bb[c] += g * (x[r, c] - m[c])
            else:
                for c in range(C):
                    g = _relu_grad(dy[r, c], y[r, c])
                    if mode == RELU_ADD:
                        gres[r, c] = g
                    ba[c] += g
                    bb[c] += g * (x[r, c] - m[c])
        for c in range(C):
            sdy[c] += ba[c]
            sdyx[c] += bb[c]


@numba.njit(cache=True, fastmath=_FM)
def _nc_dx(dy, x, m, ca, cb, cd, dx, r0, r1, mode, y, gres):
    C = x.shape[1]
    for r in range(r0, r1):
        if mode == PLAIN:
            for c in range(C):
                dx[r, c] = dy[r, c] * ca[c] + (x[r, c] - m[c]) * cb[c] + cd[c]
        elif mode == RELU:
            for c in range(C):
                dx[r, c] = _relu_grad(dy[r, c], y[r, c]) * ca[c] + (x[r, c] - m[c]) * cb[c] + cd[c]
        else:
            for c in range(C):
                dx[r, c] = gres[r, c] * ca[c] + (x[r, c] - m[c]) * cb[c] + cd[c]


@numba.njit(cache=True, fastmath=_FM)
def _nc_scale(dy, scale, dx, r0, r1):
    C = dy.shape[1]
    for r in range(r0, r1):
        for c in range(C):
            dx[r, c] = dy[r, c] * scale[c]


@numba.njit(cache=True, fastmath=_FM)
def _nc_bwd_coefs(sdy, sdyx, invstd, gamma, R, dgamma, dbeta, ca, cb, cd):
    for c in range(sdy.shape[0]):
        r = invstd[c]
        dbeta[c] = sdy[c]
        dgamma[c] = sdyx[c] * r
        A = gamma[c] * r
        ca[c] = A
        cb[c] = -A * r * r * sdyx[c] / R
        cd[c] = -A * sdy[c] / R


@numba.njit(cache=True)
def _chunk(R, P, p):
    """Rows [r0, r1) of chunk p of P (block-aligned)."""
    per = (R + P - 1) // P
    per = ((per + _ROW_BLOCK - 1) // _ROW_BLOCK) * _ROW_BLOCK
    r0 = min(p * per, R)
    return r0, min(r0 + per, R)


# ------------------------------------------------------------------ nc drivers
@numba.njit(cache=True, fastmath=_FM)
def _fwd_train_nc_ser(x, gamma, beta, eps, y, mean, var, invstd, mode, res):
    R, C = x.shape
    pmu = np.empty((1, C))
    pm2 = np.empty((1, C))
    pcnt = np.empty(1)
    pcnt[0] = _nc_stats(x, 0, R, pmu[0], pm2[0])
    a = np.empty(C, x.dtype)
    m = np.empty(C, x.dtype)
    _nc_finish_stats(pmu, pm2, pcnt, gamma, eps, mean, var, invstd, a, m)
    _nc_affine(x, m, a, beta, y, 0, R, mode, res)


@numba.njit(cache=True, fastmath=_FM, parallel=True)
def _fwd_train_nc_par(x, gamma, beta, eps, y, mean, var, invstd, P, mode, res):
    R, C = x.shape
    pmu = np.empty((P, C))
    pm2 = np.empty((P, C))
    pcnt = np.empty(P)
    for p in prange(P):
        r0, r1 = _chunk(R, P, p)
        pcnt[p] = _nc_stats(x, r0, r1, pmu[p], pm2[p])
    a = np.empty(C, x.dtype)
    m = np.empty(C, x.dtype)
    _nc_finish_stats(pmu, pm2, pcnt, gamma, eps, mean, var, invstd, a, m)
    for p in prange(P):
        r0, r1 = _chunk(R, P, p)
        _nc_affine(x, m, a, beta, y, r0, r1, mode, res)


@numba.njit(cache=True, fastmath=_FM)
def _fwd_eval_nc_ser(x, scale, shift, y):
    _nc_eval(x, scale, shift, y, 0, x.shape[0])


@numba.njit(cache=True, fastmath=_FM, parallel=True)
def _fwd_eval_nc_par(x, scale, shift, y, P):
    for p in prange(P):
        r0, r1 = _chunk(x.shape[0], P, p)
        _nc_eval(x, scale, shift, y, r0, r1)


@numba.njit(cache=True, fastmath=_FM)
def _bwd_train_nc_ser(dy, x, mean, invstd, gamma, dx, dgamma, dbeta, need_dx, mode, y, gres):
    R, C = x.shape
    m = np.empty(C, x.dtype)
    for c in range(C):
        m[c] = mean[c]
    sdy = np.empty(C)
    sdyx = np.empty(C)
    _nc_sums(dy, x, m, 0, R, sdy, sdyx, mode, y, gres)
    ca = np.empty(C, x.dtype)
    cb = np.empty(C, x.dtype)
    cd = np.empty(C, x.dtype)
    _nc_bwd_coefs(sdy, sdyx, invstd, gamma, R, dgamma, dbeta, ca, cb, cd)
    if need_dx:
        _nc_dx(dy, x, m, ca, cb, cd, dx, 0, R, mode, y, gres)


@numba.njit(cache=True, fastmath=_FM, parallel=True)
def _bwd_train_nc_par(dy, x, mean, invstd, gamma, dx, dgamma, dbeta, need_dx, P, mode, y, gres):
    R, C = x.shape
    m = np.empty(C, x.dtype)
    for c in range(C):
        m[c] = mean[c]
    psdy = np.empty((P, C))
    psdyx = np.empty((P, C))
    for p in prange(P):
        r0, r1 = _chunk(R, P, p)
        _nc_sums(dy, x, m, r0, r1, psdy[p], psdyx[p], mode, y, gres)
    sdy = np.zeros(C)
    sdyx = np.zeros(C)
    for p in range(P):
        for c in range(C):
            sdy[c] += psdy[p, c]
            sdyx[c] += psdyx[p, c]
    ca = np.empty(C, x.dtype)
    cb = np.empty(C, x.dtype)
    cd = np.empty(C, x.dtype)
    _nc_bwd_coefs(sdy, sdyx, invstd, gamma, R, dgamma, dbeta, ca, cb, cd)
    if need_dx:
        for p in prange(P):
            r0, r1 = _chunk(R, P, p)
            _nc_dx(dy, x, m, ca, cb, cd, dx, r0, r1, mode, y, gres)


@numba.njit(cache=True, fastmath=_FM)
def _bwd_eval_nc_ser(dy, x, mean, invstd, scale, dx, dgamma, dbeta, need_dx):
    R, C = x.shape
    m = np.empty(C, x.dtype)
    for c in range(C):
        m[c] = mean[c]
    sdyx = np.empty(C)
    _nc_sums(dy, x, m, 0, R, dbeta, sdyx, PLAIN, dy, np.empty((1, 1), x.dtype))
    for c in range(C):
        dgamma[c] = sdyx[c] * invstd[c]
    if need_dx:
        _nc_scale(dy, scale, dx, 0, R)


@numba.njit(cache=True, fastmath=_FM, parallel=True)
def _bwd_eval_nc_par(dy, x, mean, invstd, scale, dx, dgamma, dbeta, need_dx, P):
    R, C = x.shape
    m = np.empty(C, x.dtype)
    for c in range(C):
        m[c] = mean[c]
    psdy = np.empty((P, C))
    psdyx = np.empty((P, C))
    for p in prange(P):
        r0, r1 = _chunk(R, P, p)
        _nc_sums(dy, x, m, r0, r1, psdy[p], psdyx[p], PLAIN, dy, np.empty((1, 1), x.dtype))
        if need_dx:
            _nc_scale(dy, scale, dx, r0, r1)
    for c in range(C):
        s = 0.0
        q = 0.0
        for p in range(P):
            s += psdy[p, c]
            q += psdyx[p, c]
        dbeta[c] = s
        dgamma[c] = q * invstd[c]


# ================================================================== layout and dispatch
def layout(x):
    """('ncl', (N, C, L) view) or ('nc', (R, C) view) of an (N, C, *spatial) array without copying
    when x is NC* contiguous or channels_last; otherwise an NC* contiguous copy."""
    N, C = x.shape[:2]
    L = int(np.prod(x.shape[2:], dtype=np.int64)) if x.ndim > 2 else 1
    if x.ndim == 2 or L == 1:
        return "nc", np.ascontiguousarray(x.reshape(N, C))
    if x.flags.c_contiguous:
        return "ncl", x.reshape(N, C, L)
    perm = (0,) + tuple(range(2, x.ndim)) + (1,)
    t = x.transpose(perm)
    if t.flags.c_contiguous:                       # channels_last: stay in it
        return "nc", t.reshape(N * L, C)
    return "ncl", np.ascontiguousarray(x).reshape(N, C, L)


def empty_like_layout(x, kind):
    """An output array for x's shape whose memory follows the layout `kind` picked for x, plus the
    kernel view of it."""
    N, C = x.shape[:2]
    if kind == "nc" and x.ndim > 2 and not x.flags.c_contiguous:
        perm = (0,) + tuple(range(2, x.ndim)) + (1,)
        nhwc = np.empty(tuple(x.shape[d] for d in perm), dtype=x.dtype)
        inv = np.argsort(perm)
        return nhwc.transpose(inv), nhwc.reshape(x.size // max(C, 1), C)
    out = np.empty(x.shape, dtype=x.dtype)
    if kind == "nc":
        return out, out.reshape(x.size // max(C, 1), C)
    return out, out.reshape(N, C, int(np.prod(x.shape[2:], dtype=np.int64)))


def _threads(x):
    """Threads to use for x (1: serial driver)."""
    if x.size < PARALLEL_MIN_SIZE:
        return 1
    return numba.get_num_threads()


def _nc_chunks(x, nt):
    return max(1, min(nt, -(-x.shape[0] // _ROW_BLOCK)))


@kernel("batch_norm_fwd_train")
def fwd_train(kind, x, gamma, beta, eps, y, mean, var, invstd, mode=PLAIN, res=None):
    """Statistics + normalize + affine into y; mode RELU / RELU_ADD also apply relu(. [+ res]), res
    laid out like x's kernel view."""
    nt = _threads(x)
    eps = float(eps)
    if res is None:
        res = np.empty((1,) * x.ndim, x.dtype)
    args = (x, gamma, beta, eps, y, mean, var, invstd)
    if kind == "ncl":
        (_fwd_train_ncl_par if nt > 1 else _fwd_train_ncl_ser)(*args, mode, res)
    elif nt > 1:
        _fwd_train_nc_par(*args, _nc_chunks(x, nt), mode, res)
    else:
        _fwd_train_nc_ser(*args, mode, res)


@kernel("batch_norm_fwd_eval")
def fwd_eval(kind, x, scale, shift, y):
    nt = _threads(x)
    if kind == "ncl":
        (_fwd_eval_ncl_par if nt > 1 else _fwd_eval_ncl_ser)(x, scale, shift, y)
    elif nt > 1:
        _fwd_eval_nc_par(x, scale, shift, y, _nc_chunks(x, nt))
    else:
        _fwd_eval_nc_ser(x, scale, shift, y)


@kernel("batch_norm_bwd_train")
def bwd_train(kind, dy, x, mean, invstd, gamma, dx, dgamma, dbeta, need_dx, mode=PLAIN, y=None, gres=None):
    """dx, dgamma, dbeta of fwd_train; for mode RELU / RELU_ADD dy is the gradient of the ReLU's
    output y, and RELU_ADD also writes the residual's gradient (dy gated by y) into gres."""
    nt = _threads(x)
    args = (dy, x, mean, invstd, gamma, dx, dgamma, dbeta, bool(need_dx))
    y = dy if y is None else y
    if gres is None:
        gres = np.empty((1,) * x.ndim, x.dtype)
    if kind == "ncl":
        (_bwd_train_ncl_par if nt > 1 else _bwd_train_ncl_ser)(*args, mode, y, gres)
    elif nt > 1:
        _bwd_train_nc_par(*args, _nc_chunks(x, nt), mode, y, gres)
    else:
        _bwd_train_nc_ser(*args, mode, y, gres)


@kernel("batch_norm_bwd_eval")
def bwd_eval(kind, dy, x, mean, invstd, scale, dx, dgamma, dbeta, need_dx):
    nt = _threads(x)
    need_dx = bool(need_dx)
    if kind == "ncl":
        (_bwd_eval_ncl_par if nt > 1 else _bwd_eval_ncl_ser)(dy, x, mean, invstd, scale, dx, dgamma, dbeta,
                                                              need_dx)
    elif nt > 1:
        _bwd_eval_nc_par(dy, x, mean, invstd, scale, dx, dgamma, dbeta, need_dx, _nc_chunks(x, nt))
    else:
        _bwd_eval_nc_ser(dy, x, mean, invstd, scale, dx, dgamma, dbeta, need_dx)
