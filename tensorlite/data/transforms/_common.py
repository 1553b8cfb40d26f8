"""What every transform shares: the Transform base class, the image/batch layout (`_Batch`), the
checks of common arguments (sizes, padding, fill, interpolation, ranges) and the crop and affine
passes over the backend's kernels."""
import numbers

import numpy as np

from ...backend import augment
from ...tensor import Tensor

_PAD_MODES = {"constant": 0, "edge": 1, "reflect": 2, "symmetric": 3}
_INTERP = ("bilinear", "nearest")


class Transform:
    """Base class: `__call__(img)`; `supports_batches` tells datasets that a whole NHWC batch
    (or NCHW tensor) can be passed at once."""

    supports_batches = True

    def __repr__(self):
        return f"{type(self).__name__}()"


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
    augment.crop_kernel(arr, out, np.asarray(tops, np.int64), np.asarray(lefts, np.int64),
                 fill.astype(arr.dtype), mode, np.asarray(flips, np.bool_))
    return out


def _snap(mats):
    r = np.round(mats)
    close = np.abs(mats - r) < 1e-9
    mats[close] = r[close]
    return mats


def _affine(arr, mats, out_hw, fill, bilinear, clamp=False):
    out = np.empty((arr.shape[0], out_hw[0], out_hw[1], arr.shape[3]), arr.dtype)
    augment.affine_kernel(arr, out, np.ascontiguousarray(_snap(mats), dtype=np.float64), fill, bilinear, clamp,
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
