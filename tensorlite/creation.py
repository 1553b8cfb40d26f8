"""Tensor creation: tensor, zeros, ones, arange, rand, ... (PyTorch signatures)."""
import numbers

import numpy as np

from . import dtypes
from .random import rng
from .tensor import Tensor, Size
from . import _device
from .errors import ShapeError, DTypeError
from .autograd.grad_mode import is_grad_enabled


# The most elements a tensor may have: beyond this numel * itemsize overflows a signed 64-bit byte
# count, and numpy would fail with an error that names neither the function nor the argument.
_MAX_NUMEL = 2 ** 60


def _size(size, fname, argname="size"):
    if len(size) == 1 and not isinstance(size[0], (numbers.Integral, Tensor)):
        if not isinstance(size[0], (tuple, list, Size, np.ndarray)):
            raise TypeError(f"{fname}(): argument '{argname}' must be a sequence of ints, got {size[0]!r:.60}")
        size = tuple(size[0])
    out = []
    for s in size:
        if isinstance(s, bool) or not isinstance(s, (numbers.Integral, Tensor)):
            raise TypeError(f"{fname}(): argument '{argname}' must be a sequence of ints, got {size!r:.80}")
        s = int(s)
        if s < 0:
            raise ShapeError(f"{fname}(): argument '{argname}' has a negative dimension: Trying to create "
                             f"tensor with negative dimension {s}: {list(size)}")
        out.append(s)
    _check_numel(out, fname, argname)
    return tuple(out)


def _check_numel(shape, fname, argname="size"):
    n = 1
    for s in shape:
        n *= s
    if n > _MAX_NUMEL:
        raise ShapeError(f"{fname}(): argument '{argname}' {list(shape)} asks for {n} elements, more than "
                         f"can be allocated")


def _dt(dtype, default=None, fname=None):
    return dtypes.to_dtype(dtype, "dtype", fname) if dtype is not None else (default or dtypes.default_float)


def _float_dt(dtype, fname, default=None):
    """The dtype of a random float draw (rand, randn, ...): floating point only, as PyTorch."""
    d = _dt(dtype, default, fname)
    if not d.is_floating_point:
        raise DTypeError(f"{fname}(): argument 'dtype' must be a floating point dtype for a uniform / normal "
                         f"draw, got {d.name}")
    return d


def _tensor_arg(x, fname, argname="input"):
    if not isinstance(x, Tensor):
        raise TypeError(f"{fname}(): argument '{argname}' must be a Tensor, not {type(x).__name__}")
    return x


def _is_number(v):
    return isinstance(v, (numbers.Real, np.number, np.bool_)) and not isinstance(v, (complex, np.complexfloating))


def _number_arg(v, fname, argname):
    if isinstance(v, Tensor) and v.ndim == 0:
        return v.item()
    if _is_number(v):
        return v
    raise TypeError(f"{fname}(): argument '{argname}' must be a number, got {v!r:.60}")


def _int_arg(v, fname, argname):
    if isinstance(v, bool) or not isinstance(v, (numbers.Integral, Tensor)) or (
            isinstance(v, Tensor) and (v.numel() != 1 or v.is_floating_point())):
        raise TypeError(f"{fname}(): argument '{argname}' must be an int, got {v!r:.60}")
    return int(v)


def _make(arr, requires_grad):
    return Tensor._wrap(arr, requires_grad=requires_grad)


def _into(out, res, fname):
    """Write `res` into the `out=` tensor, resizing it when the shapes differ (as torch does)."""
    _tensor_arg(out, fname, "out")
    if out.requires_grad and is_grad_enabled():
        raise RuntimeError(f"{fname}(): functions with out=... arguments don't support automatic "
                           f"differentiation, but argument 'out' requires grad")
    if out._data.shape != res._data.shape:
        out._data = np.empty(res._data.shape, out._data.dtype)
    np.copyto(out._data, res._data, casting="unsafe")
    out._bump()
    return out


_check_device = _device.check
_opts = _device.check_options


def tensor(data, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """A new tensor holding a copy of `data` (floats default to float32, as PyTorch)."""
    _opts("tensor", device, pin_memory=pin_memory)
    return _tensor(data, dtype, device, requires_grad, "tensor")


def _tensor(data, dtype=None, device=None, requires_grad=False, fname="tensor", argname="data"):
    _check_device(device, fname)
    where = f"{fname}(): argument '{argname}'"
    if isinstance(data, Tensor):
        arr = np.array(data._data, copy=True)
    else:
        try:
            arr = np.array(data)
        except (ValueError, TypeError) as e:
            raise ValueError(f"{where} could not be converted to a tensor: {e}") from None
        if arr.dtype == object:
            raise TypeError(f"{where} could not infer dtype of {type(data).__name__} (ragged or mixed data): "
                            f"{data!r:.60}")
        if dtype is None and not isinstance(data, (np.ndarray, np.generic)) and arr.dtype.kind == "f" \
                and not _holds_tensors(data):
            arr = arr.astype(dtypes.default_float.np)        # Python floats -> default dtype
        elif arr.dtype.kind in "U S".split():
            raise TypeError(f"{where} must hold numbers, got {type(data).__name__} of strings: {data!r:.60}")
    if dtype is not None:
        arr = arr.astype(_dt(dtype, fname=fname).np)
    try:
        dtypes.from_numpy(arr.dtype)
    except TypeError:
        raise TypeError(f"{where} has dtype {arr.dtype}, which tensorlite does not support: "
                        f"{data!r:.60}") from None
    return _make(arr, requires_grad)


def _holds_tensors(data):
    return isinstance(data, (list, tuple)) and any(isinstance(d, (Tensor, np.ndarray)) or _holds_tensors(d)
                                                     for d in data)


def as_tensor(data, dtype=None, device=None):
    _check_device(device, "as_tensor")
    if isinstance(data, Tensor) and (dtype is None or data.dtype is _dt(dtype, fname="as_tensor")):
        return data
    if isinstance(data, np.ndarray) and (dtype is None or data.dtype == _dt(dtype, fname="as_tensor").np):
        return _from_numpy(data, "as_tensor", "data")
    return _tensor(data, dtype, device, False, "as_tensor")


def from_numpy(ndarray):
    """A tensor sharing memory with `ndarray` (same dtype)."""
    return _from_numpy(ndarray, "from_numpy", "ndarray")


def _from_numpy(ndarray, fname, argname):
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"{fname}(): argument '{argname}' must be a np.ndarray, got {type(ndarray).__name__}")
    try:
        dtypes.from_numpy(ndarray.dtype)
    except TypeError as e:
        raise TypeError(f"{fname}(): argument '{argname}' has dtype {ndarray.dtype}, which tensorlite does "
                        f"not support ({e})") from None
    return Tensor._wrap(ndarray)


def zeros(*size, dtype=None, device=None, requires_grad=False, out=None, layout=None):
    _opts("zeros", device, layout)
    if out is not None:
        return _into(out, zeros(*size, dtype=dtype or out.dtype), "zeros")
    return _make(np.zeros(_size(size, "zeros"), _dt(dtype, fname="zeros").np), requires_grad)


def ones(*size, dtype=None, device=None, requires_grad=False, out=None, layout=None):
    _opts("ones", device, layout)
    if out is not None:
        return _into(out, ones(*size, dtype=dtype or out.dtype), "ones")
    return _make(np.ones(_size(size, "ones"), _dt(dtype, fname="ones").np), requires_grad)


def empty(*size, dtype=None, device=None, requires_grad=False, out=None, layout=None, pin_memory=False,
          memory_format=None):
    _opts("empty", device, layout, pin_memory, memory_format)
    if out is not None:
        return _into(out, empty(*size, dtype=dtype or out.dtype), "empty")
    return _make(np.empty(_size(size, "empty"), _dt(dtype, fname="empty").np), requires_grad)


def _fill_dtype(fill_value):
    return (dtypes.bool if isinstance(fill_value, bool) else
            dtypes.int64 if isinstance(fill_value, numbers.Integral) else dtypes.default_float)


def full(size, fill_value, dtype=None, device=None, requires_grad=False, *, out=None, layout=None):
    _opts("full", device, layout)
    if out is not None:
        return _into(out, full(size, fill_value, dtype=dtype or out.dtype), "full")
    fill_value = _number_arg(fill_value, "full", "fill_value")
    if dtype is None:
        dtype = _fill_dtype(fill_value)
    return _make(np.full(_size((size,) if isinstance(size, numbers.Integral) else size, "full"), fill_value,
                         _dt(dtype, fname="full").np), requires_grad)


def _like(x, dtype, fname, device=None, layout=None, memory_format=None):
    _tensor_arg(x, fname)
    _opts(fname, device, layout, memory_format=memory_format)
    return _dt(dtype, x.dtype, fname) if dtype is not None else x.dtype


def zeros_like(input, dtype=None, requires_grad=False, *, device=None, layout=None, memory_format=None):
    d = _like(input, dtype, "zeros_like", device, layout, memory_format)
    return _make(np.zeros(input.shape, d.np), requires_grad)


def ones_like(input, dtype=None, requires_grad=False, *, device=None, layout=None, memory_format=None):
    d = _like(input, dtype, "ones_like", device, layout, memory_format)
    return _make(np.ones(input.shape, d.np), requires_grad)


def empty_like(input, dtype=None, requires_grad=False, *, device=None, layout=None, memory_format=None):
    d = _like(input, dtype, "empty_like", device, layout, memory_format)
    return _make(np.empty(input.shape, d.np), requires_grad)


def full_like(input, fill_value, dtype=None, requires_grad=False, *, device=None, layout=None,
              memory_format=None):
    d = _like(input, dtype, "full_like", device, layout, memory_format)
    return _make(np.full(input.shape, _number_arg(fill_value, "full_like", "fill_value"), d.np), requires_grad)


def rand_like(input, dtype=None, requires_grad=False, *, generator=None, device=None, layout=None,
              memory_format=None):
    d = _float_dt(_like(input, dtype, "rand_like", device, layout, memory_format), "rand_like")
    return rand(*input.shape, generator=generator, dtype=d, requires_grad=requires_grad)


def randn_like(input, dtype=None, requires_grad=False, *, generator=None, device=None, layout=None,
               memory_format=None):
    d = _float_dt(_like(input, dtype, "randn_like", device, layout, memory_format), "randn_like")
    return randn(*input.shape, generator=generator, dtype=d, requires_grad=requires_grad)


def arange(start, end=None, step=1, dtype=None, device=None, requires_grad=False, *, out=None, layout=None):
    _opts("arange", device, layout)
    if out is not None:
        return _into(out, arange(start, end, step, dtype=dtype or out.dtype), "arange")
    if end is None:
        start, end = 0, start
    vals = [_number_arg(v, "arange", name) for v, name in ((start, "start"), (end, "end"), (step, "step"))]
    desc = f"(start={vals[0]}, end={vals[1]}, step={vals[2]})"
    for v, name in zip(vals, ("start", "end", "step")):
        if not np.isfinite(v):
            raise ValueError(f"arange(): argument '{name}' must be finite, got {name}={v} {desc}")
    if vals[2] == 0:
        raise ValueError(f"arange(): argument 'step' must be nonzero, got step={vals[2]} {desc}")
    if (vals[1] - vals[0]) * vals[2] < 0:
        raise ValueError(f"arange(): upper bound and larger bound inconsistent with step sign "
                         f"(start={vals[0]}, end={vals[1]}, step={vals[2]})")
    if dtype is None:
        dtype = dtypes.int64 if all(isinstance(v, numbers.Integral) for v in vals) else dtypes.default_float
    d = _dt(dtype, fname="arange")
    n = int(np.ceil((vals[1] - vals[0]) / vals[2]))
    if n > _MAX_NUMEL:
        raise ShapeError(f"arange(): the range {desc} has {n} elements, more than can be allocated "
                         f"(argument 'end'={vals[1]})")
    arr = (vals[0] + vals[2] * np.arange(n, dtype=np.float64)) if d.is_floating_point \
        else np.arange(vals[0], vals[1], vals[2])
    return _make(arr.astype(d.np), requires_grad)


def linspace(start, end, steps, dtype=None, device=None, requires_grad=False, *, out=None, layout=None):
    _opts("linspace", device, layout)
    if out is not None:
        return _into(out, linspace(start, end, steps, dtype=dtype or out.dtype), "linspace")
    steps = _int_arg(steps, "linspace", "steps")
    if steps < 0:
        raise ValueError(f"linspace(): argument 'steps' must be non-negative, got {steps}")
    _check_numel((steps,), "linspace", "steps")
    start, end = _number_arg(start, "linspace", "start"), _number_arg(end, "linspace", "end")
    return _make(np.linspace(start, end, steps).astype(_dt(dtype, fname="linspace").np), requires_grad)


def eye(n, m=None, dtype=None, device=None, requires_grad=False, *, out=None, layout=None):
    _opts("eye", device, layout)
    if out is not None:
        return _into(out, eye(n, m, dtype=dtype or out.dtype), "eye")
    n = _int_arg(n, "eye", "n")
    m = None if m is None else _int_arg(m, "eye", "m")
    if n < 0 or (m is not None and m < 0):
        raise ShapeError(f"eye(): arguments 'n' and 'm' must be non-negative, got n={n}, m={m}")
    _check_numel((n, n if m is None else m), "eye", "n")
    return _make(np.eye(n, m, dtype=_dt(dtype, fname="eye").np), requires_grad)


def rand(*size, generator=None, dtype=None, device=None, requires_grad=False, out=None, layout=None,
         pin_memory=False):
    _opts("rand", device, layout, pin_memory)
    if out is not None:
        return _into(out, rand(*size, generator=generator, dtype=dtype or out.dtype), "rand")
    d = _float_dt(dtype, "rand")
    return _make(rng(generator).random(_size(size, "rand"), dtype=np.float64).astype(d.np), requires_grad)


def randn(*size, generator=None, dtype=None, device=None, requires_grad=False, out=None, layout=None,
          pin_memory=False):
    _opts("randn", device, layout, pin_memory)
    if out is not None:
        return _into(out, randn(*size, generator=generator, dtype=dtype or out.dtype), "randn")
    d = _float_dt(dtype, "randn")
    return _make(rng(generator).standard_normal(_size(size, "randn")).astype(d.np), requires_grad)


def randint(low=0, high=None, size=None, generator=None, dtype=None, device=None, requires_grad=False, *,
            out=None, layout=None):
    _opts("randint", device, layout)
    if out is not None:
        return _into(out, randint(low, high, size, generator=generator, dtype=dtype or out.dtype), "randint")
    if size is None and isinstance(high, (tuple, list, Size)):   # randint(high, size), as PyTorch
        low, high, size = 0, low, high
    if high is None:
        low, high = 0, low
    if size is None:
        raise TypeError("randint(): missing required argument 'size' (got size=None)")
    low, high = _int_arg(low, "randint", "low"), _int_arg(high, "randint", "high")
    if high <= low:
        raise ValueError(f"randint(): expects 'from' < 'to', got low={low}, high={high}")
    d = _dt(dtype, dtypes.int64, "randint")
    return _make(rng(generator).integers(low, high, _size((size,) if isinstance(size, int) else size,
                                                               "randint")).astype(d.np), requires_grad)


def randperm(n, generator=None, dtype=None, device=None, *, requires_grad=False, out=None, layout=None,
             pin_memory=False):
    _opts("randperm", device, layout, pin_memory)
    if out is not None:
        return _into(out, randperm(n, generator=generator, dtype=dtype or out.dtype), "randperm")
    n = _int_arg(n, "randperm", "n")
    if n < 0:
        raise ValueError(f"randperm(): argument 'n' must be non-negative, got {n}")
    _check_numel((n,), "randperm", "n")
    return _make(rng(generator).permutation(n).astype(_dt(dtype, dtypes.int64, "randperm").np), requires_grad)


def _check_std(std, fname):
    s = np.atleast_1d(np.asarray(std._data if isinstance(std, Tensor) else _number_arg(std, fname, "std"),
                                 dtype=np.float64))
    bad = s[~(s >= 0)]
    if bad.size:
        raise ValueError(f"{fname}(): argument 'std' must be >= 0 (and not NaN), found std "
                         f"{np.ravel(bad)[0]}")


def normal(mean, std=1.0, size=None, generator=None, *, out=None, dtype=None, layout=None, device=None,
           requires_grad=False, pin_memory=False):
    _opts("normal", device, layout, pin_memory)
    if out is not None:
        return _into(out, normal(mean, std, size if size is not None else tuple(out.shape), generator,
                                 dtype=out.dtype), "normal")
    _check_std(std, "normal")
    if isinstance(mean, Tensor) or isinstance(std, Tensor):
        m = mean._data if isinstance(mean, Tensor) else _number_arg(mean, "normal", "mean")
        s = std._data if isinstance(std, Tensor) else std
        try:
            shape = np.broadcast_shapes(np.shape(m), np.shape(s))
        except ValueError:
            raise ShapeError(f"normal(): arguments 'mean' of shape {np.shape(m)} and 'std' of shape "
                             f"{np.shape(s)} cannot be broadcast together") from None
        out = rng(generator).normal(m, s, shape)
        dt = (mean if isinstance(mean, Tensor) else std).dtype
        return _make(np.asarray(out, dtype=dt.np), False)
    mean = _number_arg(mean, "normal", "mean")
    if size is None:
        raise TypeError("normal(): argument 'size' is required when 'mean' and 'std' are numbers, got "
                        "size=None")
    d = _float_dt(dtype, "normal")
    return _make(rng(generator).normal(mean, std, _size((size,) if isinstance(size, numbers.Integral) else size,
                                                        "normal")).astype(d.np), requires_grad)


def _check_probs(probs, fname, argname):
    bad = probs[~((probs >= 0) & (probs <= 1))]
    if bad.size:
        raise ValueError(f"{fname}(): argument '{argname}' must hold probabilities in [0, 1], found "
                         f"{bad.ravel()[0]}")


def bernoulli(input, p=None, generator=None):
    _tensor_arg(input, "bernoulli")
    if p is None:
        probs = input._data
        _check_probs(np.asarray(probs, dtype=np.float64), "bernoulli", "input")
    else:
        _check_probs(np.asarray(_number_arg(p, "bernoulli", "p"), dtype=np.float64), "bernoulli", "p")
        probs = np.full(input.shape, p)
    return _make((rng(generator).random(input.shape) < probs).astype(input._data.dtype), False)


def multinomial(input, num_samples, replacement=False, generator=None):
    fname = "multinomial"
    _tensor_arg(input, fname)
    if input.ndim not in (1, 2):
        raise ShapeError(f"{fname}(): argument 'input' must be 1-D or 2-D (prob_dist must be 1 or 2 dim), got "
                         f"shape {tuple(input.shape)}")
    num_samples = _int_arg(num_samples, fname, "num_samples")
    if num_samples <= 0:
        raise ValueError(f"{fname}(): argument 'num_samples' must be positive, got {num_samples}")
    probs = np.atleast_2d(input._data).astype(np.float64)
    bad = probs[~((probs >= 0) & np.isfinite(probs))]
    if bad.size:
        raise ValueError(f"{fname}(): argument 'input' must hold finite, non-negative probabilities, found "
                         f"{bad.ravel()[0]}")
    out = []
    for i, row in enumerate(probs):
        if row.sum() <= 0:
            raise ValueError(f"{fname}(): argument 'input' has a row with zero sum (row {i}); each row must "
                             f"have a positive sum")
        if not replacement and num_samples > np.count_nonzero(row):
            raise ValueError(f"{fname}(): argument 'num_samples'={num_samples} exceeds the "
                             f"{np.count_nonzero(row)} categories with nonzero probability in row {i} "
                             f"(replacement=False)")
        out.append(rng(generator).choice(len(row), num_samples, replace=replacement, p=row / row.sum()))
    arr = np.asarray(out, dtype=np.int64)
    return _make(arr if input.ndim == 2 else arr[0], False)
