"""Affine warps: RandomAffine, RandomRotation, RandomZoom, RandomTranslate."""
import numbers

import numpy as np

from .._worker import worker_rng
from ._common import Transform, _Batch, _affine, _crop, _fill_vector, _interp, _inverse_affine, _range


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
