"""Conversion to tensors and normalization: ToTensor, Normalize, and the datasets' mean / std."""
import numpy as np

from ...backend import augment
from ...tensor import Tensor
from ._common import Transform

CIFAR10_MEAN = (0.4914, 0.4822, 0.4465)
CIFAR10_STD = (0.2470, 0.2435, 0.2616)
MNIST_MEAN = (0.1307,)
MNIST_STD = (0.3081,)

_UNIT_LUT = np.arange(256, dtype=np.float32) / np.float32(255.0)    # ToTensor's x / 255 in float32


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
            augment.lut_chw_kernel(np.ascontiguousarray(arr), out, lut)
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
        augment.lut_chw_kernel(np.ascontiguousarray(arr), out, np.ascontiguousarray(lut, dtype=np.float32))
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
            from ...creation import from_numpy
            return (tensor - from_numpy(mean.reshape(shape))) / from_numpy(std.reshape(shape))
        contiguous = x.flags.c_contiguous
        src = (x if contiguous else np.ascontiguousarray(x)).reshape(-1, C, x.shape[-2] * x.shape[-1])
        out = src if (self.inplace and contiguous) else np.empty_like(src)
        augment.normalize_kernel(src, out, mean, std)
        if self.inplace:
            if not contiguous:
                x[...] = out.reshape(x.shape)
            return tensor
        out = out.reshape(x.shape)
        return Tensor._wrap(out) if is_tensor else out

    def __repr__(self):
        return f"Normalize(mean={self.mean}, std={self.std})"
