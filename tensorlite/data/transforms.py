"""Image transforms in the style of torchvision.transforms, for single images AND whole batches.

Inputs
  * numpy arrays in channels-last layout: HW (grayscale), HWC (one image) or NHWC (a batch);
    usually uint8 (0..255), float arrays work too (their range is taken to be [0, 1]);
  * PIL images (converted with np.asarray);
  * tensorlite Tensors in channels-first layout (CHW or NCHW), e.g. after ToTensor.
  Outputs keep the input's kind and layout (geometric transforms return numpy for PIL input).
  A 3-D numpy array is always one HWC image; a batch of grayscale images is NHW1.

Batches: every transform here accepts a whole batch and gives each image its own random
parameters (crop offset, flip, angle, ...), drawn in one vectorized call. The per-pixel work runs
in Numba kernels (compiled once and cached on disk, GIL released) or vectorized numpy, so
preparing a 128-image CIFAR batch takes about a millisecond. A transform applied to one image
draws the same random numbers as on a batch of one, so `t(img)` equals `t(img[None])[0]` under
the same seed. Transforms have `supports_batches = True`; datasets (CIFAR10, MNIST) use that to
transform a whole DataLoader batch in one call (`__getitems__`).

Randomness: all draws come from tensorlite's rng (`tl.manual_seed`), or, inside a DataLoader
worker thread, from that worker's generator (see tensorlite.data.dataloader).

Differences from torchvision worth knowing
  * RandomRotation, RandomAffine, RandomZoom default to bilinear interpolation (torchvision:
    nearest); `interpolation="nearest"` is available. Bilinear taps that fall outside the image
    take `fill`. uint8 results are rounded half up and clipped.
  * Resize / RandomResizedCrop interpolate bilinearly without antialiasing.
  * ColorJitter works in float and rounds once at the end (torchvision's uint8 path rounds after
    every step); the four adjustments are applied in a random order per image, as torchvision.
  * Augmentations do not track gradients (they read the tensor's data).
"""
import math
import numbers

import numba
import numpy as np

from ..tensor import Tensor
from ._worker import worker_rng

__all__ = ["Compose", "ToTensor", "Normalize", "Lambda", "Pad", "CenterCrop", "RandomCrop",
           "RandomHorizontalFlip", "RandomVerticalFlip", "Resize", "RandomResizedCrop",
           "RandomAffine", "RandomRotation", "RandomTranslate", "RandomZoom", "ColorJitter",
           "CIFAR10_MEAN", "CIFAR10_STD", "MNIST_MEAN", "MNIST_STD"]

CIFAR10_MEAN = (0.4914, 0.4822, 0.4465)
CIFAR10_STD = (0.2470, 0.2435, 0.2616)
MNIST_MEAN = (0.1307,)
MNIST_STD = (0.3081,)

_UNIT_LUT = np.arange(256, dtype=np.float32) / np.float32(255.0)    # ToTensor's x / 255 in float32
_PAD_MODES = {"constant": 0, "edge": 1, "reflect": 2, "symmetric": 3}
_INTERP = ("bilinear", "nearest")


# ------------------------------------------------------------------------------------------------
# Numba kernels (all on NHWC arrays)

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
def _crop_kernel(src, out, tops, lefts, fill, mode, flips):
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
def _affine_kernel(src, out, mats, fill, bilinear, clamp, is_int, maxval):
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
def _lut_chw_kernel(src, out, lut):
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
def _normalize_kernel(x, out, mean, std):
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
def _jitter_kernel(src, out, order, factors, enabled, bound, is_int):
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


# ------------------------------------------------------------------------------------------------
# layout helpers


class _Batch:
    """An image or batch unpacked to a contiguous NHWC numpy array, and how to pack a result."""

    __slots__ = ("arr", "kind", "nd")

    def __init__(self, img, fname):
        if isinstance(img, Tensor):
            arr, self.kind = img._data, "tensor"
        elif isinstance(img, np.ndarray):
            arr, self.kind = img, "numpy"
        elif hasattr(img, "getbands") and hasattr(img, "size"):           # a PIL image
            arr, self.kind = np.asarray(img), "numpy"
        else:
            raise TypeError(f"{fname}: expected a numpy array, a PIL image or a Tensor, got "
                            f"{type(img).__name__}")
        nd = arr.ndim
        self.nd = nd
        if nd == 2:
            b = arr[None, :, :, None]
        elif nd == 3:
            b = np.moveaxis(arr, 0, -1)[None] if self.kind == "tensor" else arr[None]
        elif nd == 4:
            b = np.moveaxis(arr, 1, -1) if self.kind == "tensor" else arr
        else:
            layout = "HW, CHW or NCHW tensor" if self.kind == "tensor" else "HW, HWC or NHWC array"
            raise ValueError(f"{fname}: expected an image as a {layout}, got shape {tuple(arr.shape)}")
        if b.dtype.kind not in "uif" and b.dtype != np.bool_:
            raise TypeError(f"{fname}: unsupported image dtype {b.dtype}")
        self.arr = np.ascontiguousarray(b)

    @property
    def n(self):
        return self.arr.shape[0]

    @property
    def hw(self):
        return self.arr.shape[1], self.arr.shape[2]

    def pack(self, out):
        """`out` is NHWC; return it in the input's kind and layout."""
        if self.nd == 2:
            res = out[0, :, :, 0]
        elif self.nd == 3:
            res = out[0]
            if self.kind == "tensor":
                res = np.ascontiguousarray(np.moveaxis(res, -1, 0))
        else:
            res = out if self.kind != "tensor" else np.ascontiguousarray(np.moveaxis(out, -1, 1))
        return Tensor._wrap(res) if self.kind == "tensor" else res


def _fill_vector(fill, arr, fname):
    C = arr.shape[3]
    f = np.asarray(fill, dtype=np.float64).reshape(-1)
    if f.size == 1:
        f = np.repeat(f, C)
    if f.size != C:
        raise ValueError(f"{fname}: fill has {f.size} values but the image has {C} channels")
    return f


def _is_int_image(arr):
    return arr.dtype.kind in "ui"


def _maxval(arr):
    return float(np.iinfo(arr.dtype).max) if _is_int_image(arr) else 1.0


# Largest crop / resize side and padding accepted: far beyond any real image, small enough that a
# typo such as 2**62 is reported here instead of failing inside numpy's allocator.
_MAX_SIDE = 2 ** 16


def _check_side(values, fname, name, given):
    if max(values) > _MAX_SIDE:
        raise ValueError(f"{fname}: {name} {given!r} is too large (at most {_MAX_SIDE} pixels per side)")


def _size_pair(size, fname, name="size"):
    if isinstance(size, numbers.Integral) and not isinstance(size, bool):
        size = (int(size), int(size))
    else:
        try:
            size = tuple(int(s) for s in size)
        except TypeError:
            raise TypeError(f"{fname}: {name} must be an int or a sequence of 1 or 2 ints, got "
                            f"{size!r}") from None
        if len(size) == 1:
            size = (size[0], size[0])
        if len(size) != 2:
            raise ValueError(f"{fname}: {name} should be an int or a sequence of 1 or 2 ints, got {size!r}")
    if size[0] <= 0 or size[1] <= 0:
        raise ValueError(f"{fname}: {name} must be positive, got {size!r}")
    _check_side(size, fname, name, size)
    return size


def _padding_ltrb(padding, fname):
    if isinstance(padding, numbers.Integral) and not isinstance(padding, bool):
        p = (int(padding),) * 4
    else:
        try:
            p = tuple(int(v) for v in padding)
        except TypeError:
            raise TypeError(f"{fname}: padding must be an int or a sequence of 1, 2 or 4 ints, got "
                            f"{padding!r}") from None
        if len(p) == 1:
            p = p * 4
        elif len(p) == 2:
            p = (p[0], p[1], p[0], p[1])
        elif len(p) != 4:
            raise ValueError(f"{fname}: padding must be an int or a sequence of 1, 2 or 4 ints, got "
                             f"{padding!r}")
    if min(p) < 0:
        raise ValueError(f"{fname}: padding must be non-negative, got {padding!r}")
    _check_side(p, fname, "padding", padding)
    return p


def _pad_mode(mode, fname):
    if mode not in _PAD_MODES:
        raise ValueError(f"{fname}: padding_mode should be one of {sorted(_PAD_MODES)}, got {mode!r}")
    return _PAD_MODES[mode]


def _interp(interpolation, fname):
    name = getattr(interpolation, "value", interpolation)       # accept enum-like objects
    name = str(name).lower()
    if name not in _INTERP:
        raise ValueError(f"{fname}: interpolation should be one of {_INTERP}, got {interpolation!r}")
    return name == "bilinear"


def _range(value, fname, name, center=None, bound=None, nonneg=True):
    """A number v -> (center - v, center + v) (or (-v, v)); a pair -> itself."""
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        if value < 0:
            raise ValueError(f"{fname}: if {name} is a single number, it must be non-negative; got {value}")
        c = 0.0 if center is None else center
        lo, hi = c - float(value), c + float(value)
        if nonneg and center is not None:
            lo = max(lo, 0.0)
    else:
        try:
            lo, hi = (float(v) for v in value)
        except (TypeError, ValueError):
            raise ValueError(f"{fname}: {name} should be a number or a sequence of 2 numbers, got "
                             f"{value!r}") from None
    if lo > hi:
        raise ValueError(f"{fname}: {name} range must be (min, max) with min <= max, got ({lo}, {hi})")
    if bound is not None and (lo < bound[0] or hi > bound[1]):
        raise ValueError(f"{fname}: {name} values should be between {bound}, got ({lo}, {hi})")
    return lo, hi


def _crop(arr, tops, lefts, out_hw, fill, mode, flips=None):
    n = arr.shape[0]
    out = np.empty((n, out_hw[0], out_hw[1], arr.shape[3]), arr.dtype)
    if flips is None:
        flips = np.zeros(n, np.bool_)
    _crop_kernel(arr, out, np.asarray(tops, np.int64), np.asarray(lefts, np.int64),
                 fill.astype(arr.dtype), mode, np.asarray(flips, np.bool_))
    return out


def _snap(mats):
    r = np.round(mats)
    close = np.abs(mats - r) < 1e-9
    mats[close] = r[close]
    return mats


def _affine(arr, mats, out_hw, fill, bilinear, clamp=False):
    out = np.empty((arr.shape[0], out_hw[0], out_hw[1], arr.shape[3]), arr.dtype)
    _affine_kernel(arr, out, np.ascontiguousarray(_snap(mats), dtype=np.float64), fill, bilinear, clamp,
                   _is_int_image(arr), _maxval(arr))
    return out


def _inverse_affine(H, W, angle, tx, ty, scale, shear_x, shear_y, center=None):
    """(N, 6) inverse maps for a forward map about the center: p' = C + T + R(angle) Sh S (p - C),
    angle counter-clockwise in degrees (as seen on screen, y pointing down), shear in degrees."""
    n = len(angle)
    if center is None:
        cx, cy = (W - 1) / 2.0, (H - 1) / 2.0
    else:
        cx, cy = float(center[0]), float(center[1])
    th = np.deg2rad(np.asarray(angle, np.float64))
    cos, sin = np.cos(th), np.sin(th)
    shx = np.tan(np.deg2rad(np.asarray(shear_x, np.float64)))
    shy = np.tan(np.deg2rad(np.asarray(shear_y, np.float64)))
    s = np.asarray(scale, np.float64)
    # R (counter-clockwise on screen) = [[cos, sin], [-sin, cos]]; Sh = [[1, shx], [shy, 1]]
    m00 = (cos + sin * shy) * s
    m01 = (cos * shx + sin) * s
    m10 = (-sin + cos * shy) * s
    m11 = (-sin * shx + cos) * s
    det = m00 * m11 - m01 * m10
    if np.any(np.abs(det) < 1e-12):
        raise ValueError("affine transform is singular (shear angles too close to 90 degrees?)")
    i00, i01, i10, i11 = m11 / det, -m01 / det, -m10 / det, m00 / det
    dx = -cx - np.asarray(tx, np.float64)
    dy = -cy - np.asarray(ty, np.float64)
    mats = np.empty((n, 6), np.float64)
    mats[:, 0], mats[:, 1] = i00, i01
    mats[:, 2] = i00 * dx + i01 * dy + cx
    mats[:, 3], mats[:, 4] = i10, i11
    mats[:, 5] = i10 * dx + i11 * dy + cy
    return mats


# ------------------------------------------------------------------------------------------------
# transforms


class Transform:
    """Base class: `__call__(img)`; `supports_batches` tells datasets that a whole NHWC batch
    (or NCHW tensor) can be passed at once."""

    supports_batches = True

    def __repr__(self):
        return f"{type(self).__name__}()"


class Compose(Transform):
    """Apply `transforms` in order. Two common pairs run fused, with the same random draws and
    bit-equal results: RandomCrop directly followed by RandomHorizontalFlip (one copy), and
    ToTensor directly followed by Normalize on uint8 input (one lookup-table pass)."""

    def __init__(self, transforms):
        if isinstance(transforms, (str, bytes)) or not hasattr(transforms, "__iter__") or callable(transforms):
            raise TypeError(f"Compose(): argument 'transforms' must be a list of transforms, got "
                            f"{type(transforms).__name__}")
        self.transforms = list(transforms)
        for k, t in enumerate(self.transforms):
            if not callable(t):
                raise TypeError(f"Compose(): transform {k} is not callable: {t!r}")

    @property
    def supports_batches(self):
        return all(getattr(t, "supports_batches", False) for t in self.transforms)

    def __call__(self, img):
        ts = self.transforms
        k = 0
        while k < len(ts):
            t = ts[k]
            if type(t) is RandomCrop and k + 1 < len(ts) and type(ts[k + 1]) is RandomHorizontalFlip:
                img = t._apply(img, ts[k + 1].p)
                k += 2
                continue
            if (type(t) is ToTensor and k + 1 < len(ts) and type(ts[k + 1]) is Normalize
                    and not ts[k + 1].inplace and isinstance(img, np.ndarray) and img.dtype == np.uint8):
                img = ts[k + 1]._fused_from_uint8(img)
                k += 2
                continue
            img = t(img)
            k += 1
        return img

    def __repr__(self):
        body = "".join(f"\n    {t!r}" for t in self.transforms)
        return f"Compose({body}\n)"


class Lambda(Transform):
    """Apply a user function. Say `batched=True` if it also handles whole batches."""

    def __init__(self, lambd, batched=False):
        if not callable(lambd):
            raise TypeError(f"Lambda(): argument 'lambd' should be callable, got {type(lambd).__name__}")
        self.lambd = lambd
        self.supports_batches = bool(batched)

    def __call__(self, img):
        return self.lambd(img)


class ToTensor(Transform):
    """HWC uint8 -> CHW float32 in [0, 1] (NHWC -> NCHW; HW -> 1HW). Other dtypes are only
    transposed, as torchvision does. Returns a tensorlite Tensor."""

    def __call__(self, pic):
        if isinstance(pic, Tensor):
            raise TypeError("ToTensor(): pic should be a PIL image or a numpy array, got a Tensor "
                            "(it is already converted)")
        if not isinstance(pic, np.ndarray):
            if hasattr(pic, "getbands"):
                pic = np.asarray(pic)
            else:
                raise TypeError(f"ToTensor(): pic should be a PIL image or a numpy array, got "
                                f"{type(pic).__name__}")
        nd = pic.ndim
        if nd == 2:
            arr = pic[None, :, :, None]
        elif nd == 3:
            arr = pic[None]
        elif nd == 4:
            arr = pic
        else:
            raise ValueError(f"ToTensor(): pic should be HW, HWC or NHWC, got shape {pic.shape}")
        if arr.dtype == np.uint8:
            out = np.empty((arr.shape[0], arr.shape[3], arr.shape[1], arr.shape[2]), np.float32)
            lut = np.repeat(_UNIT_LUT[None], arr.shape[3], axis=0)
            _lut_chw_kernel(np.ascontiguousarray(arr), out, lut)
        else:
            out = np.ascontiguousarray(arr.transpose(0, 3, 1, 2))
        return Tensor._wrap(out if nd == 4 else out[0])


class Normalize(Transform):
    """(x - mean[c]) / std[c] on float CHW / NCHW tensors or arrays (channels at dim -3)."""

    def __init__(self, mean, std, inplace=False):
        for name, v in (("mean", mean), ("std", std)):
            try:
                arr = np.atleast_1d(np.asarray(getattr(v, "_data", v), np.float64))
            except (TypeError, ValueError):
                raise TypeError(f"Normalize(): argument '{name}' must be a number or a sequence of numbers, got "
                                f"{v!r:.40}") from None
            if arr.ndim != 1 or not np.isfinite(arr).all():
                raise ValueError(f"Normalize(): argument '{name}' must be a 1-D sequence of finite numbers, got "
                                 f"{v!r:.60}")
            setattr(self, name, tuple(float(x) for x in arr))
        if len(self.mean) != len(self.std) and 1 not in (len(self.mean), len(self.std)):
            raise ValueError(f"Normalize(): mean has {len(self.mean)} values but std has {len(self.std)}")
        if any(s == 0 for s in self.std):
            raise ValueError(f"Normalize(): std evaluated to zero, leading to division by zero: std={self.std}")
        self.inplace = inplace

    def _vectors(self, C, dtype):
        mean = np.asarray(self.mean, dtype)
        std = np.asarray(self.std, dtype)
        if mean.size == 1:
            mean = np.repeat(mean, C)
        if std.size == 1:
            std = np.repeat(std, C)
        if mean.size != C or std.size != C:
            raise ValueError(f"Normalize(): the image has {C} channels but mean/std have "
                             f"{max(len(self.mean), len(self.std))} values")
        if np.any(std == 0):
            raise ValueError(f"Normalize(): std evaluated to zero after conversion to {np.dtype(dtype)}, "
                             "leading to division by zero")
        return mean, std

    def _fused_from_uint8(self, img):
        if img.ndim not in (2, 3, 4):
            raise ValueError(f"ToTensor(): pic should be HW, HWC or NHWC, got shape {img.shape}")
        arr = img[None, :, :, None] if img.ndim == 2 else (img[None] if img.ndim == 3 else img)
        mean, std = self._vectors(arr.shape[3], np.float32)
        lut = (_UNIT_LUT[None, :] - mean[:, None]) / std[:, None]          # float32 throughout
        out = np.empty((arr.shape[0], arr.shape[3], arr.shape[1], arr.shape[2]), np.float32)
        _lut_chw_kernel(np.ascontiguousarray(arr), out, np.ascontiguousarray(lut, dtype=np.float32))
        return Tensor._wrap(out if img.ndim == 4 else out[0])

    def __call__(self, tensor):
        is_tensor = isinstance(tensor, Tensor)
        if not is_tensor and not isinstance(tensor, np.ndarray):
            raise TypeError(f"Normalize(): input should be a Tensor or a numpy array, got {type(tensor).__name__}")
        x = tensor._data if is_tensor else tensor
        if x.dtype.kind != "f":
            raise TypeError(f"Normalize(): input should be a float tensor, got dtype {x.dtype} "
                            "(apply ToTensor first)")
        if x.ndim < 3:
            raise ValueError(f"Normalize(): expected a tensor image of size (..., C, H, W), got shape "
                             f"{tuple(x.shape)}")
        C = x.shape[-3]
        mean, std = self._vectors(C, x.dtype)
        if is_tensor and tensor.requires_grad:
            shape = (C, 1, 1)
            from ..creation import from_numpy
            return (tensor - from_numpy(mean.reshape(shape))) / from_numpy(std.reshape(shape))
        contiguous = x.flags.c_contiguous
        src = (x if contiguous else np.ascontiguousarray(x)).reshape(-1, C, x.shape[-2] * x.shape[-1])
        out = src if (self.inplace and contiguous) else np.empty_like(src)
        _normalize_kernel(src, out, mean, std)
        if self.inplace:
            if not contiguous:
                x[...] = out.reshape(x.shape)
            return tensor
        out = out.reshape(x.shape)
        return Tensor._wrap(out) if is_tensor else out

    def __repr__(self):
        return f"Normalize(mean={self.mean}, std={self.std})"


class Pad(Transform):
    """Pad every side: `padding` int, (left/right, top/bottom) or (left, top, right, bottom);
    `padding_mode` constant (with `fill`), edge, reflect or symmetric."""

    def __init__(self, padding, fill=0, padding_mode="constant"):
        self.padding = _padding_ltrb(padding, "Pad()")
        self.fill = fill
        self.padding_mode = padding_mode
        self._mode = _pad_mode(padding_mode, "Pad()")

    def __call__(self, img):
        b = _Batch(img, "Pad()")
        l, t, r, bt = self.padding
        H, W = b.hw
        if self._mode == 2 and (max(l, r) >= W or max(t, bt) >= H):
            raise ValueError(f"Pad(): reflect padding {self.padding} must be smaller than the image "
                             f"size {(H, W)}")
        out = _crop(b.arr, np.full(b.n, -t), np.full(b.n, -l), (H + t + bt, W + l + r),
                    _fill_vector(self.fill, b.arr, "Pad()"), self._mode)
        return b.pack(out)

    def __repr__(self):
        return f"Pad(padding={self.padding}, fill={self.fill}, padding_mode={self.padding_mode!r})"


class CenterCrop(Transform):
    """Crop the center (padding with zeros where the crop is larger than the image)."""

    def __init__(self, size):
        self.size = _size_pair(size, "CenterCrop()")

    def __call__(self, img):
        b = _Batch(img, "CenterCrop()")
        H, W = b.hw
        th, tw = self.size
        top = int(round((H - th) / 2.0)) if H >= th else -((th - H) // 2)
        left = int(round((W - tw) / 2.0)) if W >= tw else -((tw - W) // 2)
        out = _crop(b.arr, np.full(b.n, top), np.full(b.n, left), (th, tw),
                    _fill_vector(0, b.arr, "CenterCrop()"), 0)
        return b.pack(out)

    def __repr__(self):
        return f"CenterCrop(size={self.size})"


class RandomCrop(Transform):
    """Crop `size` at a random offset (per image), after optional `padding` as in Pad;
    `pad_if_needed` pads images smaller than the crop."""

    def __init__(self, size, padding=None, pad_if_needed=False, fill=0, padding_mode="constant"):
        self.size = _size_pair(size, "RandomCrop()")
        self.padding = None if padding is None else _padding_ltrb(padding, "RandomCrop()")
        self.pad_if_needed = pad_if_needed
        self.fill = fill
        self.padding_mode = padding_mode
        self._mode = _pad_mode(padding_mode, "RandomCrop()")

    def __call__(self, img):
        return self._apply(img, None)

    def _apply(self, img, flip_p):
        """Crop; with `flip_p` also a RandomHorizontalFlip(flip_p), fused into the same pass (same
        random draws, same result as the two transforms one after the other)."""
        b = _Batch(img, "RandomCrop()")
        arr = b.arr
        fill = _fill_vector(self.fill, arr, "RandomCrop()")
        l, t, r, bt = self.padding or (0, 0, 0, 0)
        H, W = arr.shape[1] + t + bt, arr.shape[2] + l + r
        th, tw = self.size
        ex_t = ex_l = 0
        if self.pad_if_needed and (W < tw or H < th):
            ex_l = max(tw - W, 0)
            ex_t = max(th - H, 0)
            if self._mode >= 2 and self.padding is not None:
                # reflecting an already padded image: materialize the first padding
                arr = _crop(arr, np.full(b.n, -t), np.full(b.n, -l), (H, W), fill, self._mode)
                l = t = 0
            H, W = H + 2 * ex_t, W + 2 * ex_l
        if H < th or W < tw:
            raise ValueError(f"RandomCrop(): required crop size {(th, tw)} is larger than the (padded) "
                             f"input image size {(H, W)}")
        g = worker_rng()
        if H == th and W == tw:
            i = np.zeros(b.n, np.int64)
            j = np.zeros(b.n, np.int64)
        else:
            i = g.integers(0, H - th + 1, size=b.n)
            j = g.integers(0, W - tw + 1, size=b.n)
        flips = None if flip_p is None else g.random(b.n) < flip_p
        out = _crop(arr, i - t - ex_t, j - l - ex_l, (th, tw), fill, self._mode, flips)
        return b.pack(out)

    def __repr__(self):
        return f"RandomCrop(size={self.size}, padding={self.padding})"


class RandomHorizontalFlip(Transform):
    """Mirror left-right with probability p (drawn per image)."""

    _axis = 2

    def __init__(self, p=0.5):
        if isinstance(p, bool) or not isinstance(p, numbers.Real):
            raise TypeError(f"{type(self).__name__}(): p should be a probability in [0, 1], got {p!r:.40}")
        if not 0.0 <= float(p) <= 1.0:
            raise ValueError(f"{type(self).__name__}(): p should be a probability in [0, 1], got {p}")
        self.p = float(p)

    def __call__(self, img):
        b = _Batch(img, f"{type(self).__name__}()")
        flip = worker_rng().random(b.n) < self.p
        arr = b.arr
        if self._axis == 2:
            out = _crop(arr, np.zeros(b.n), np.zeros(b.n), b.hw, np.zeros(arr.shape[3]), 0, flip)
        else:
            out = arr.copy()
            out[flip] = arr[flip, ::-1]
        return b.pack(out)

    def __repr__(self):
        return f"{type(self).__name__}(p={self.p})"


class RandomVerticalFlip(RandomHorizontalFlip):
    """Mirror top-bottom with probability p (drawn per image)."""

    _axis = 1


class Resize(Transform):
    """Bilinear resize (no antialiasing). `size` (h, w), or an int: the shorter side becomes
    `size` and the aspect ratio is kept, as torchvision."""

    def __init__(self, size, interpolation="bilinear"):
        if isinstance(size, numbers.Integral) and not isinstance(size, bool):
            if size <= 0:
                raise ValueError(f"Resize(): size must be positive, got {size}")
            _check_side((size,), "Resize()", "size", size)
            self.size = int(size)
        else:
            self.size = _size_pair(size, "Resize()")
        self.interpolation = interpolation
        self._bilinear = _interp(interpolation, "Resize()")

    def _out_hw(self, H, W):
        if isinstance(self.size, tuple):
            return self.size
        s = self.size
        if H <= W:
            return s, int(s * W / H)
        return int(s * H / W), s

    def __call__(self, img):
        b = _Batch(img, "Resize()")
        H, W = b.hw
        oh, ow = self._out_hw(H, W)
        mats = np.tile(_resize_map(0, 0, H, W, oh, ow), (b.n, 1))
        return b.pack(_affine(b.arr, mats, (oh, ow), _fill_vector(0, b.arr, "Resize()"),
                              self._bilinear, clamp=True))

    def __repr__(self):
        return f"Resize(size={self.size})"


def _resize_map(top, left, h, w, oh, ow):
    """Inverse map of resizing the box (top, left, h, w) to (oh, ow), pixel centers aligned
    (align_corners=False)."""
    sx = np.asarray(w, np.float64) / ow
    sy = np.asarray(h, np.float64) / oh
    mats = np.zeros(np.broadcast(sx, sy, top, left).shape + (6,))
    mats[..., 0] = sx
    mats[..., 2] = left + 0.5 * sx - 0.5
    mats[..., 4] = sy
    mats[..., 5] = top + 0.5 * sy - 0.5
    return mats


class RandomResizedCrop(Transform):
    """Crop a random area fraction in `scale` with aspect ratio in `ratio` (per image; torchvision's
    10-try rule with its center-crop fallback), resized to `size` bilinearly."""

    def __init__(self, size, scale=(0.08, 1.0), ratio=(3.0 / 4.0, 4.0 / 3.0), interpolation="bilinear"):
        self.size = _size_pair(size, "RandomResizedCrop()")
        self.scale = _range(scale, "RandomResizedCrop()", "scale")
        self.ratio = _range(ratio, "RandomResizedCrop()", "ratio")
        if self.ratio[0] <= 0 or self.scale[0] < 0:
            raise ValueError(f"RandomResizedCrop(): scale and ratio must be positive, got "
                             f"scale={scale}, ratio={ratio}")
        self.interpolation = interpolation
        self._bilinear = _interp(interpolation, "RandomResizedCrop()")

    def _params(self, n, H, W):
        g = worker_rng()
        area = H * W
        tries = 10
        target = area * g.uniform(self.scale[0], self.scale[1], size=(n, tries))
        logr = g.uniform(math.log(self.ratio[0]), math.log(self.ratio[1]), size=(n, tries))
        ar = np.exp(logr)
        w = np.round(np.sqrt(target * ar)).astype(np.int64)
        h = np.round(np.sqrt(target / ar)).astype(np.int64)
        ok = (w > 0) & (h > 0) & (w <= W) & (h <= H)
        first = np.argmax(ok, axis=1)
        found = ok[np.arange(n), first]
        w = w[np.arange(n), first]
        h = h[np.arange(n), first]
        u = g.random((n, 2))
        # fallback: whole image, aspect clamped to ratio, centered
        in_ratio = W / H
        if in_ratio < self.ratio[0]:
            fw, fh = W, int(round(W / self.ratio[0]))
        elif in_ratio > self.ratio[1]:
            fh, fw = H, int(round(H * self.ratio[1]))
        else:
            fw, fh = W, H
        h = np.where(found, h, fh)
        w = np.where(found, w, fw)
        top = np.where(found, np.floor(u[:, 0] * (H - h + 1)).astype(np.int64), (H - fh) // 2)
        left = np.where(found, np.floor(u[:, 1] * (W - w + 1)).astype(np.int64), (W - fw) // 2)
        return top, left, h, w

    def __call__(self, img):
        b = _Batch(img, "RandomResizedCrop()")
        H, W = b.hw
        top, left, h, w = self._params(b.n, H, W)
        oh, ow = self.size
        mats = _resize_map(top, left, h, w, oh, ow)
        return b.pack(_affine(b.arr, mats, (oh, ow), _fill_vector(0, b.arr, "RandomResizedCrop()"),
                              self._bilinear, clamp=True))

    def __repr__(self):
        return f"RandomResizedCrop(size={self.size}, scale={self.scale}, ratio={self.ratio})"


class RandomAffine(Transform):
    """Random rotation (`degrees`, clockwise for positive angles as torchvision's affine),
    translation (`translate` = max fractions (a, b) of width and height; whole pixels), scale
    (`scale` range) and shear (`shear`: x range, or x and y ranges, in degrees), drawn per image,
    about the image center (or `center` (x, y)). Uncovered pixels take `fill`."""

    def __init__(self, degrees=0, translate=None, scale=None, shear=None, interpolation="bilinear",
                 fill=0, center=None):
        fname = f"{type(self).__name__}()"
        self.degrees = _range(degrees, fname, "degrees")
        if translate is not None:
            translate = tuple(float(v) for v in translate)
            if len(translate) != 2 or not all(0.0 <= v <= 1.0 for v in translate):
                raise ValueError(f"{fname}: translate should be a sequence of 2 fractions in [0, 1], "
                                 f"got {translate!r}")
        self.translate = translate
        if scale is not None:
            scale = _range(scale, fname, "scale")
            if scale[0] <= 0:
                raise ValueError(f"{fname}: scale values should be positive, got {scale}")
        self.scale = scale
        if shear is not None:
            if isinstance(shear, numbers.Real):
                shear = _range(shear, fname, "shear") + (0.0, 0.0)
            else:
                shear = tuple(float(v) for v in shear)
                if len(shear) == 2:
                    shear = shear + (0.0, 0.0)
                elif len(shear) != 4:
                    raise ValueError(f"{fname}: shear should be a number or a sequence of 2 or 4 "
                                     f"numbers, got {shear!r}")
        self.shear = shear
        self.interpolation = interpolation
        self._bilinear = _interp(interpolation, fname)
        self.fill = fill
        self.center = center

    _ccw = False            # RandomAffine's angle turns clockwise, RandomRotation's counter-clockwise

    def _mats(self, n, H, W):
        g = worker_rng()
        angle = g.uniform(self.degrees[0], self.degrees[1], size=n)
        if self.translate is not None:
            mdx, mdy = self.translate[0] * W, self.translate[1] * H
            tx = np.round(g.uniform(-mdx, mdx, size=n))
            ty = np.round(g.uniform(-mdy, mdy, size=n))
        else:
            tx = ty = np.zeros(n)
        s = g.uniform(self.scale[0], self.scale[1], size=n) if self.scale is not None else np.ones(n)
        if self.shear is not None:
            shx = g.uniform(self.shear[0], self.shear[1], size=n)
            shy = (g.uniform(self.shear[2], self.shear[3], size=n) if self.shear[2:] != (0.0, 0.0)
                   else np.zeros(n))
        else:
            shx = shy = np.zeros(n)
        return _inverse_affine(H, W, angle if self._ccw else -angle, tx, ty, s, shx, shy, self.center)

    def __call__(self, img):
        fname = f"{type(self).__name__}()"
        b = _Batch(img, fname)
        H, W = b.hw
        mats = self._mats(b.n, H, W)
        return b.pack(_affine(b.arr, mats, (H, W), _fill_vector(self.fill, b.arr, fname), self._bilinear))

    def __repr__(self):
        return (f"{type(self).__name__}(degrees={self.degrees}, translate={self.translate}, "
                f"scale={self.scale}, shear={self.shear})")


class RandomRotation(RandomAffine):
    """Rotate by an angle drawn per image from `degrees` (a number d means (-d, d)),
    counter-clockwise for positive angles, about the center; corners take `fill`."""

    _ccw = True

    def __init__(self, degrees, interpolation="bilinear", expand=False, center=None, fill=0):
        if expand:
            raise ValueError(f"RandomRotation(): argument 'expand'={expand!r} is not supported (only expand=False)")
        super().__init__(degrees, interpolation=interpolation, fill=fill, center=center)

    def __repr__(self):
        return f"RandomRotation(degrees={self.degrees})"


class RandomZoom(RandomAffine):
    """Scale about the center by a factor drawn per image from `scale` (> 1 zooms in);
    uncovered pixels (when zooming out) take `fill`."""

    def __init__(self, scale=(0.9, 1.1), interpolation="bilinear", fill=0):
        super().__init__(0, scale=scale, interpolation=interpolation, fill=fill)

    def __repr__(self):
        return f"RandomZoom(scale={self.scale})"


class RandomTranslate(Transform):
    """Shift by whole pixels, drawn per image as torchvision's RandomAffine translate: dx uniform
    in (-a*W, a*W) and dy in (-b*H, b*H), rounded. Uncovered pixels take `fill`. (An exact pixel
    copy, no interpolation.)"""

    def __init__(self, translate=(0.125, 0.125), fill=0):
        if isinstance(translate, numbers.Real):
            translate = (translate, translate)
        translate = tuple(float(v) for v in translate)
        if len(translate) != 2 or not all(0.0 <= v <= 1.0 for v in translate):
            raise ValueError(f"RandomTranslate(): translate should be 2 fractions in [0, 1], got {translate!r}")
        self.translate = translate
        self.fill = fill

    def __call__(self, img):
        b = _Batch(img, "RandomTranslate()")
        H, W = b.hw
        g = worker_rng()
        mdx, mdy = self.translate[0] * W, self.translate[1] * H
        tx = np.round(g.uniform(-mdx, mdx, size=b.n)).astype(np.int64)
        ty = np.round(g.uniform(-mdy, mdy, size=b.n)).astype(np.int64)
        out = _crop(b.arr, -ty, -tx, (H, W), _fill_vector(self.fill, b.arr, "RandomTranslate()"), 0)
        return b.pack(out)

    def __repr__(self):
        return f"RandomTranslate(translate={self.translate})"


class ColorJitter(Transform):
    """Random brightness, contrast, saturation and hue, per image, applied in a random order per
    image (torchvision's definitions: brightness/contrast/saturation factors uniform in
    [max(0, 1 - v), 1 + v] blending with black / the mean gray level / the gray image; hue shift
    uniform in [-h, h], h <= 0.5, in HSV)."""

    def __init__(self, brightness=0, contrast=0, saturation=0, hue=0):
        f = "ColorJitter()"
        self.brightness = _range(brightness, f, "brightness", center=1.0)
        self.contrast = _range(contrast, f, "contrast", center=1.0)
        self.saturation = _range(saturation, f, "saturation", center=1.0)
        self.hue = _range(hue, f, "hue", bound=(-0.5, 0.5))
        for name in ("brightness", "contrast", "saturation"):
            if getattr(self, name)[0] < 0:
                raise ValueError(f"{f}: {name} factors must be non-negative, got {getattr(self, name)}")

    def __call__(self, img):
        b = _Batch(img, "ColorJitter()")
        arr = b.arr
        n = b.n
        g = worker_rng()
        ranges = (self.brightness, self.contrast, self.saturation, self.hue)
        identity = (1.0, 1.0, 1.0, 0.0)
        enabled = np.array([r != (v, v) for r, v in zip(ranges, identity)], np.bool_)
        factors = np.empty((n, 4), np.float64)
        for k, (r, v) in enumerate(zip(ranges, identity)):
            factors[:, k] = g.uniform(r[0], r[1], size=n) if enabled[k] else v
        order = np.argsort(g.random((n, 4)), axis=1).astype(np.int64)
        if not enabled.any():
            return b.pack(arr.copy())
        out = np.empty_like(arr)
        _jitter_kernel(arr, out, order, factors, enabled, _maxval(arr), _is_int_image(arr))
        return b.pack(out)

    def __repr__(self):
        return (f"ColorJitter(brightness={self.brightness}, contrast={self.contrast}, "
                f"saturation={self.saturation}, hue={self.hue})")
