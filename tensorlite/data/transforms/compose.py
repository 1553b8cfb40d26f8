"""Composition: Compose (which fuses two common pairs) and Lambda."""
import numpy as np

from ._common import Transform
from .convert import Normalize, ToTensor
from .crop import RandomCrop, RandomHorizontalFlip


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
