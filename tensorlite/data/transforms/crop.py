"""Crops, flips and resizing: Pad, CenterCrop, RandomCrop, RandomHorizontalFlip,
RandomVerticalFlip, Resize, RandomResizedCrop."""
import math
import numbers

import numpy as np

from .._worker import worker_rng
from ._common import (Transform, _Batch, _affine, _check_side, _crop, _fill_vector, _interp, _pad_mode,
                      _padding_ltrb, _range, _size_pair)


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

    def _apply(self, img, flip_p, rng=None):
        """Crop; with `flip_p` also a RandomHorizontalFlip(flip_p), fused into the same pass (same
        random draws, same result as the two transforms one after the other). The draws come from
        the numpy Generator `rng` if given, else from tensorlite's rng (see worker_rng)."""
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
        g = worker_rng() if rng is None else rng
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
