"""Image-augmentation kernels (Numba, on NHWC arrays): the per-pixel work of tensorlite.data.transforms.

Compiled once and cached on disk; they release the GIL, so DataLoader worker threads run them in
parallel with the training step. They trust their arguments: the transforms check the user's.

* ``crop_kernel``      -- crop / pad (constant, edge, reflect, symmetric) with an optional mirror
* ``affine_kernel``    -- inverse-mapped affine warp, bilinear or nearest
* ``lut_chw_kernel``   -- NHWC uint8 -> NCHW float32 through a per-channel lookup table
* ``normalize_kernel`` -- (x - mean[c]) / std[c]
* ``jitter_kernel``    -- brightness, contrast, saturation and hue in a per-image order
"""
import math

import numba
import numpy as np

__all__ = ["crop_kernel", "affine_kernel", "lut_chw_kernel", "normalize_kernel", "jitter_kernel"]


@numba.njit(cache=True, nogil=True, inline="always")
def _map_index(i, n, mode):
    if mode == 1:                       # edge
        if i < 0:
            return 0
        if i >= n:
            return n - 1
        return i
    if mode == 2:                       # reflect (edge pixel not repeated)
        if n == 1:
            return 0
        period = 2 * n - 2
        i = i % period
        if i >= n:
            i = period - i
        return i
    period = 2 * n                      # symmetric (edge pixel repeated)
    i = i % period
    if i >= n:
        i = period - 1 - i
    return i


@numba.njit(cache=True, nogil=True)
def crop_kernel(src, out, tops, lefts, fill, mode, flips):
    """out[n, i, j] = src[n, tops[n] + i, lefts[n] + j'] with j' = j, or OW - 1 - j where flips[n]
    (a crop and a horizontal flip in one pass). Outside the image: fill (mode 0) or the edge /
    reflect / symmetric continuation (modes 1-3)."""
    N, H, W, C = src.shape
    OH, OW = out.shape[1], out.shape[2]
    for n in range(N):
        t = tops[n]
        lft = lefts[n]
        fl = flips[n]
        for i in range(OH):
            y = t + i
            if mode == 0:
                if y < 0 or y >= H:
                    for j in range(OW):
                        for c in range(C):
                            out[n, i, j, c] = fill[c]
                    continue
            else:
                y = _map_index(y, H, mode)
            for j in range(OW):
                x = lft + (OW - 1 - j if fl else j)
                if mode == 0:
                    if x < 0 or x >= W:
                        for c in range(C):
                            out[n, i, j, c] = fill[c]
                        continue
                else:
                    x = _map_index(x, W, mode)
                for c in range(C):
                    out[n, i, j, c] = src[n, y, x, c]


@numba.njit(cache=True, nogil=True, inline="always")
def _tap(src, n, y, x, c, fill, clamp):
    H, W = src.shape[1], src.shape[2]
    if clamp:
        y = min(max(y, 0), H - 1)
        x = min(max(x, 0), W - 1)
        return np.float64(src[n, y, x, c])
    if y < 0 or y >= H or x < 0 or x >= W:
        return fill[c]
    return np.float64(src[n, y, x, c])


@numba.njit(cache=True, nogil=True, inline="always")
def _store(out, n, i, j, c, v, is_int, maxval):
    if is_int:
        v = math.floor(v + 0.5)
        if v < 0.0:
            v = 0.0
        elif v > maxval:
            v = maxval
    out[n, i, j, c] = v


@numba.njit(cache=True, nogil=True)
def affine_kernel(src, out, mats, fill, bilinear, clamp, is_int, maxval):
    """out[n, i, j] = src[n] sampled at (x, y) = mats[n] @ (j, i, 1) (inverse map, pixel-index
    coordinates), bilinear or nearest; outside taps take fill (or the clamped edge)."""
    N, H, W, C = src.shape
    OH, OW = out.shape[1], out.shape[2]
    for n in range(N):
        a = mats[n, 0]
        b = mats[n, 1]
        c0 = mats[n, 2]
        d = mats[n, 3]
        e = mats[n, 4]
        f0 = mats[n, 5]
        for i in range(OH):
            for j in range(OW):
                x = a * j + b * i + c0
                y = d * j + e * i + f0
                if bilinear:
                    xf = math.floor(x)
                    yf = math.floor(y)
                    fx = x - xf
                    fy = y - yf
                    ix = int(xf)
                    iy = int(yf)
                    if ix >= 0 and iy >= 0 and ix + 1 < W and iy + 1 < H:
                        for c in range(C):
                            top = src[n, iy, ix, c] * (1.0 - fx) + src[n, iy, ix + 1, c] * fx
                            bot = src[n, iy + 1, ix, c] * (1.0 - fx) + src[n, iy + 1, ix + 1, c] * fx
                            _store(out, n, i, j, c, top * (1.0 - fy) + bot * fy, is_int, maxval)
                    else:
                        for c in range(C):
                            top = (_tap(src, n, iy, ix, c, fill, clamp) * (1.0 - fx)
                                   + _tap(src, n, iy, ix + 1, c, fill, clamp) * fx)
                            bot = (_tap(src, n, iy + 1, ix, c, fill, clamp) * (1.0 - fx)
                                   + _tap(src, n, iy + 1, ix + 1, c, fill, clamp) * fx)
                            _store(out, n, i, j, c, top * (1.0 - fy) + bot * fy, is_int, maxval)
                else:
                    ix = int(math.floor(x + 0.5))
                    iy = int(math.floor(y + 0.5))
                    for c in range(C):
                        _store(out, n, i, j, c, _tap(src, n, iy, ix, c, fill, clamp), is_int, maxval)


@numba.njit(cache=True, nogil=True)
def lut_chw_kernel(src, out, lut):
    """uint8 NHWC -> float32 NCHW through a per-channel lookup table: out[n, c, i, j] =
    lut[c, src[n, i, j, c]]. The tables hold exactly the float32 values ToTensor (x / 255) and
    Normalize ((x - mean) / std, each step in float32) would compute, so results are bit-equal."""
    N, H, W, C = src.shape
    s = src.reshape(N, H * W * C)
    o = out.reshape(N, C, H * W)
    for n in range(N):
        for c in range(C):
            table = lut[c]
            for k in range(H * W):
                o[n, c, k] = table[s[n, k * C + c]]


@numba.njit(cache=True, nogil=True)
def normalize_kernel(x, out, mean, std):
    """x, out: (N, C, L) float; out = (x - mean[c]) / std[c] in x's dtype."""
    N, C, L = x.shape
    for n in range(N):
        for c in range(C):
            m = mean[c]
            sd = std[c]
            for k in range(L):
                out[n, c, k] = (x[n, c, k] - m) / sd


@numba.njit(cache=True, nogil=True, inline="always")
def _gray(r, g, b):
    return 0.2989 * r + 0.587 * g + 0.114 * b


@numba.njit(cache=True, nogil=True)
def jitter_kernel(src, out, order, factors, enabled, bound, is_int):
    """ColorJitter on NHWC: per image, apply brightness/contrast/saturation/hue (ops 0-3) in
    order[n] with factors[n, op]; values live in [0, bound]. Works on a flat float buffer per
    image so the blends vectorize."""
    N, H, W, C = src.shape
    P = H * W
    L = P * C
    s = src.reshape(N, L)
    o = out.reshape(N, L)
    buf = np.empty(L, np.float64)
    for n in range(N):
        for k in range(L):
            buf[k] = s[n, k]
        for step in range(4):
            op = order[n, step]
            if not enabled[op]:
                continue
            f = factors[n, op]
            if op == 0:                                     # brightness: blend with black
                for k in range(L):
                    buf[k] = min(max(buf[k] * f, 0.0), bound)
            elif op == 1:                                   # contrast: blend with mean gray
                acc = 0.0
                if C >= 3:
                    for p in range(P):
                        acc += _gray(buf[p * C], buf[p * C + 1], buf[p * C + 2])
                else:
                    for p in range(P):
                        acc += buf[p * C]
                m = (1.0 - f) * (acc / P)
                for k in range(L):
                    buf[k] = min(max(f * buf[k] + m, 0.0), bound)
            elif op == 2 and C >= 3:                        # saturation: blend with gray
                for p in range(P):
                    q = p * C
                    g = (1.0 - f) * _gray(buf[q], buf[q + 1], buf[q + 2])
                    for c in range(3):
                        buf[q + c] = min(max(f * buf[q + c] + g, 0.0), bound)
            elif op == 3 and C >= 3:                        # hue: rotate in HSV
                for p in range(P):
                    q = p * C
                    r = buf[q] / bound
                    g = buf[q + 1] / bound
                    b = buf[q + 2] / bound
                    mx = max(r, max(g, b))
                    mn = min(r, min(g, b))
                    if mx == mn:
                        continue                            # gray pixel: hue has no effect
                    v = mx
                    d = mx - mn
                    sat = d / mx
                    if mx == r:
                        h = (g - b) / d
                        if h < 0.0:
                            h += 6.0
                    elif mx == g:
                        h = (b - r) / d + 2.0
                    else:
                        h = (r - g) / d + 4.0
                    h = h / 6.0 + f                         # f in [-0.5, 0.5]: wrap into [0, 1)
                    if h < 0.0:
                        h += 1.0
                    elif h >= 1.0:
                        h -= 1.0
                    h6 = h * 6.0
                    sector = min(int(h6), 5)
                    fr = h6 - sector
                    pp = v * (1.0 - sat)
                    qq = v * (1.0 - sat * fr)
                    tt = v * (1.0 - sat * (1.0 - fr))
                    if sector == 0:
                        r, g, b = v, tt, pp
                    elif sector == 1:
                        r, g, b = qq, v, pp
                    elif sector == 2:
                        r, g, b = pp, v, tt
                    elif sector == 3:
                        r, g, b = pp, qq, v
                    elif sector == 4:
                        r, g, b = tt, pp, v
                    else:
                        r, g, b = v, pp, qq
                    buf[q] = r * bound
                    buf[q + 1] = g * bound
                    buf[q + 2] = b * bound
        if is_int:
            for k in range(L):
                o[n, k] = min(max(math.floor(buf[k] + 0.5), 0.0), bound)
        else:
            for k in range(L):
                o[n, k] = buf[k]
