"""make_tensor: torch.testing.make_tensor's signature, value ranges and layouts."""
import math
import numbers

import numpy as np

from .. import dtypes, random as _random
from ..tensor import Tensor

# default [low, high) per kind of dtype, as torch's table
_DEFAULT_RANGE = {"b": (0, 2), "u": (0, 10), "i": (-9, 10), "f": (-9, 9)}


def _shape(shape):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)) or len(shape) == 1 and hasattr(shape[0], "__len__"):
        shape = tuple(shape[0])
    for s in shape:
        if isinstance(s, bool) or not isinstance(s, (numbers.Integral, np.integer)) or s < 0:
            raise ValueError(f"make_tensor(): argument 'shape' must hold non-negative ints, got {tuple(shape)!r}")
    return tuple(int(s) for s in shape)


def _device(device):
    name = str(device) if device is not None else "cpu"
    if name not in ("cpu", "cpu:0"):
        raise RuntimeError(f"make_tensor(): device {name!r} is not available: tensorlite runs on the CPU only")


def make_tensor(*shape, dtype, device, low=None, high=None, requires_grad=False, noncontiguous=False,
                exclude_zero=False, memory_format=None):
    """A tensor of `shape` filled with values drawn uniformly from [low, high) (tensorlite's rng,
    so `tl.manual_seed` fixes them). Defaults: bool {False, True}, uint8 [0, 10), other ints
    [-9, 10), floats [-9, 9). `noncontiguous=True` returns a strided view with the same values;
    `exclude_zero=True` replaces zeros by 1 (ints) or the smallest normal number (floats)."""
    shape = _shape(shape)
    dt = dtypes.to_dtype(dtype, "dtype", "make_tensor")
    _device(device)
    kind = dt.np.kind
    if requires_grad and not dt.is_floating_point:
        raise ValueError(f"make_tensor(): requires_grad must be False for the integral dtype {dt}")
    lo_d, hi_d = _DEFAULT_RANGE[kind]
    if kind in "iu":
        info = np.iinfo(dt.np)
        lo_lim, hi_lim = info.min, info.max
    elif kind == "f":
        info = np.finfo(dt.np)
        lo_lim, hi_lim = float(info.min), float(info.max)
    else:
        lo_lim, hi_lim = 0, 2
    for name, v in (("low", low), ("high", high)):
        if v is not None and (not isinstance(v, numbers.Real) or isinstance(v, bool) or math.isnan(v)):
            raise ValueError(f"make_tensor(): `{name}` must be a real number, got {v!r}")
    lo = lo_d if low is None else max(low, lo_lim)
    hi = hi_d if high is None else min(high, hi_lim)
    if lo > hi:
        raise ValueError(f"make_tensor(): `low` must be less than or equal to `high`, but got {low} > {high}")
    gen = _random.rng(None)
    if kind == "b":
        arr = gen.integers(0, 2, size=shape).astype(bool)
    elif kind in "iu":
        lo_i, hi_i = math.ceil(lo), math.ceil(hi)
        arr = gen.integers(lo_i, max(hi_i, lo_i + 1), size=shape).astype(dt.np)
    else:
        arr = (gen.random(size=shape) * (hi - lo) + lo).astype(dt.np) if hi > lo else \
            np.full(shape, lo, dtype=dt.np)
    if exclude_zero:
        arr[arr == 0] = 1 if kind in "biu" else np.finfo(dt.np).tiny
    if noncontiguous and arr.size > 1:
        arr = np.repeat(arr, 2, axis=-1)[..., ::2]
    return Tensor._wrap(arr, requires_grad=bool(requires_grad))
