"""Colour: ColorJitter."""
import numpy as np

from ...backend import augment
from .._worker import worker_rng
from ._common import Transform, _Batch, _is_int_image, _maxval, _range


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
        augment.jitter_kernel(arr, out, order, factors, enabled, _maxval(arr), _is_int_image(arr))
        return b.pack(out)

    def __repr__(self):
        return (f"ColorJitter(brightness={self.brightness}, contrast={self.contrast}, "
                f"saturation={self.saturation}, hue={self.hue})")
