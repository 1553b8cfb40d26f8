"""Tensor creation: tensor, zeros, ones, arange, rand, ... (PyTorch signatures)."""
import numbers

import numpy as np

from . import dtypes
from .random import rng
from .tensor import Tensor, Size
from .errors import ShapeError


def _size(size, fname):
    if len(size) == 1 and not isinstance(size[0], (numbers.Integral, Tensor)):
        size = tuple(size[0])
    out = []
    for s in size:
        if isinstance(s, bool) or not isinstance(s, (numbers.Integral, Tensor)):
            raise TypeError(f"{fname}(): size must be a sequence of ints, got {size!r}")
        s = int(s)
        if s < 0:
            raise ShapeError(f"{fname}(): Trying to create tensor with negative dimension {s}: {list(size)}")
        out.append(s)
    return tuple(out)


def _dt(dtype, default=None):
    return dtypes.to_dtype(dtype) if dtype is not None else (default or dtypes.default_float)


def _make(arr, requires_grad):
    return Tensor._wrap(arr, requires_grad=requires_grad)


def _check_device(device):
    if device is not None and str(device) not in ("cpu", "cpu:0"):
        raise ValueError(f"tensorlite runs on the CPU only; got device={device!r}")


def tensor(data, dtype=None, device=None, requires_grad=False):
    """A new tensor holding a copy of `data` (floats default to float32, as PyTorch)."""
    _check_device(device)
    if isinstance(data, Tensor):
        arr = np.array(data._data, copy=True)
    else:
        try:
            arr = np.array(data)
        except ValueError as e:
            raise ValueError(f"tensor(): could not build a tensor from data: {e}") from None
        if arr.dtype == object:
            raise TypeError(f"tensor(): could not infer dtype of {type(data).__name__} (ragged or mixed data)")
        if dtype is None and not isinstance(data, (np.ndarray, np.generic)) and arr.dtype.kind == "f" \
                and not _holds_tensors(data):
            arr = arr.astype(dtypes.default_float.np)        # Python floats -> default dtype
        elif arr.dtype.kind in "U S".split():
            raise TypeError("tensor(): strings are not supported")
    if dtype is not None:
        arr = arr.astype(_dt(dtype).np)
    dtypes.from_numpy(arr.dtype)
    return _make(arr, requires_grad)


def _holds_tensors(data):
    return isinstance(data, (list, tuple)) and any(isinstance(d, (Tensor, np.ndarray)) or _holds_tensors(d)
                                                     for d in data)


def as_tensor(data, dtype=None, device=None):
    if isinstance(data, Tensor) and (dtype is None or data.dtype is dtypes.to_dtype(dtype)):
        return data
    if isinstance(data, np.ndarray) and (dtype is None or data.dtype == dtypes.to_dtype(dtype).np):
        return from_numpy(data)
    return tensor(data, dtype=dtype, device=device)


def from_numpy(ndarray):
    """A tensor sharing memory with `ndarray` (same dtype)."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"from_numpy(): expected np.ndarray, got {type(ndarray).__name__}")
    dtypes.from_numpy(ndarray.dtype)
    return Tensor._wrap(ndarray)


def zeros(*size, dtype=None, device=None, requires_grad=False):
    _check_device(device)
    return _make(np.zeros(_size(size, "zeros"), _dt(dtype).np), requires_grad)


def ones(*size, dtype=None, device=None, requires_grad=False):
    _check_device(device)
    return _make(np.ones(_size(size, "ones"), _dt(dtype).np), requires_grad)


def empty(*size, dtype=None, device=None, requires_grad=False):
    _check_device(device)
    return _make(np.empty(_size(size, "empty"), _dt(dtype).np), requires_grad)


def full(size, fill_value, dtype=None, device=None, requires_grad=False):
    _check_device(device)
    if dtype is None:
        dtype = (dtypes.bool if isinstance(fill_value, bool) else
                 dtypes.int64 if isinstance(fill_value, numbers.Integral) else dtypes.default_float)
    return _make(np.full(_size((size,) if isinstance(size, numbers.Integral) else size, "full"), fill_value,
                         _dt(dtype).np), requires_grad)


def _like(x, dtype):
    return _dt(dtype, x.dtype) if dtype is not None else x.dtype


def zeros_like(input, dtype=None, requires_grad=False):
    return _make(np.zeros(input.shape, _like(input, dtype).np), requires_grad)


def ones_like(input, dtype=None, requires_grad=False):
    return _make(np.ones(input.shape, _like(input, dtype).np), requires_grad)


def empty_like(input, dtype=None, requires_grad=False):
    return _make(np.empty(input.shape, _like(input, dtype).np), requires_grad)


def full_like(input, fill_value, dtype=None, requires_grad=False):
    return _make(np.full(input.shape, fill_value, _like(input, dtype).np), requires_grad)


def rand_like(input, dtype=None, requires_grad=False):
    return rand(*input.shape, dtype=_like(input, dtype), requires_grad=requires_grad)


def randn_like(input, dtype=None, requires_grad=False):
    return randn(*input.shape, dtype=_like(input, dtype), requires_grad=requires_grad)


def arange(start, end=None, step=1, dtype=None, device=None, requires_grad=False):
    _check_device(device)
    if end is None:
        start, end = 0, start
    vals = [float(v) if isinstance(v, Tensor) else v for v in (start, end, step)]
    if vals[2] == 0:
        raise ValueError("arange(): step must be nonzero")
    if (vals[1] - vals[0]) * vals[2] < 0:
        raise ValueError(f"arange(): upper bound and larger bound inconsistent with step sign "
                         f"(start={vals[0]}, end={vals[1]}, step={vals[2]})")
    if dtype is None:
        dtype = dtypes.int64 if all(isinstance(v, numbers.Integral) for v in vals) else dtypes.default_float
    n = int(np.ceil((vals[1] - vals[0]) / vals[2]))
    arr = (vals[0] + vals[2] * np.arange(n, dtype=np.float64)) if _dt(dtype).is_floating_point \
        else np.arange(vals[0], vals[1], vals[2])
    return _make(arr.astype(_dt(dtype).np), requires_grad)


def linspace(start, end, steps, dtype=None, device=None, requires_grad=False):
    _check_device(device)
    if steps < 0:
        raise ValueError(f"linspace(): number of steps must be non-negative, got {steps}")
    return _make(np.linspace(start, end, int(steps)).astype(_dt(dtype).np), requires_grad)


def eye(n, m=None, dtype=None, device=None, requires_grad=False):
    _check_device(device)
    if n < 0 or (m is not None and m < 0):
        raise ShapeError(f"eye(): n and m must be non-negative, got n={n}, m={m}")
    return _make(np.eye(n, m, dtype=_dt(dtype).np), requires_grad)


def rand(*size, generator=None, dtype=None, device=None, requires_grad=False):
    _check_device(device)
    d = _dt(dtype)
    return _make(rng(generator).random(_size(size, "rand"), dtype=np.float64).astype(d.np), requires_grad)


def randn(*size, generator=None, dtype=None, device=None, requires_grad=False):
    _check_device(device)
    d = _dt(dtype)
    return _make(rng(generator).standard_normal(_size(size, "randn")).astype(d.np), requires_grad)


def randint(low=0, high=None, size=None, generator=None, dtype=None, device=None, requires_grad=False):
    _check_device(device)
    if size is None and isinstance(high, (tuple, list, Size)):   # randint(high, size), as PyTorch
        low, high, size = 0, low, high
    if high is None:
        low, high = 0, low
    if size is None:
        raise TypeError("randint(): missing required argument 'size'")
    if high <= low:
        raise ValueError(f"randint(): expects 'from' < 'to', got low={low}, high={high}")
    d = _dt(dtype, dtypes.int64)
    return _make(rng(generator).integers(low, high, _size((size,) if isinstance(size, int) else size,
                                                               "randint")).astype(d.np), requires_grad)


def randperm(n, generator=None, dtype=None, device=None):
    _check_device(device)
    if n < 0:
        raise ValueError(f"randperm(): n must be non-negative, got {n}")
    return _make(rng(generator).permutation(n).astype(_dt(dtype, dtypes.int64).np), False)


def normal(mean, std, size=None, generator=None):
    if isinstance(mean, Tensor) or isinstance(std, Tensor):
        m = mean._data if isinstance(mean, Tensor) else mean
        s = std._data if isinstance(std, Tensor) else std
        out = rng(generator).normal(m, s)
        dt = (mean if isinstance(mean, Tensor) else std).dtype
        return _make(np.asarray(out, dtype=dt.np), False)
    return _make(rng(generator).normal(mean, std, _size(size, "normal")).astype(dtypes.default_float.np),
                 False)


def bernoulli(input, p=None, generator=None):
    probs = input._data if p is None else np.full(input.shape, p)
    return _make((rng(generator).random(input.shape) < probs).astype(input._data.dtype), False)


def multinomial(input, num_samples, replacement=False, generator=None):
    probs = np.atleast_2d(input._data).astype(np.float64)
    if (probs < 0).any() or not np.isfinite(probs).all():
        raise ValueError("multinomial(): probabilities must be finite and non-negative")
    out = []
    for row in probs:
        if row.sum() <= 0:
            raise ValueError("multinomial(): each row must have a positive sum")
        out.append(rng(generator).choice(len(row), num_samples, replace=replacement, p=row / row.sum()))
    arr = np.asarray(out, dtype=np.int64)
    return _make(arr if input.ndim == 2 else arr[0], False)
