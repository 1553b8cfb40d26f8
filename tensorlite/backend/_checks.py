"""The checks a C entry point of tensorlite.backend makes before it hands pointers to C.

They keep the process safe, not the user informed: tensorlite.ops checks user arguments once,
with the messages users see, and calls the backend only with valid ones. What is checked here is
what a wrong call could otherwise turn into a crash: array types, dtypes, dimensions and memory
layout, and sizes within the range the C code computes in.
"""
import numbers
import operator

import numpy as np

MAX_DIM = 2 ** 31        # sizes above this are rejected before C sees them (int64 headroom for products)
FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def as_int(fn, name, v, lo=None):
    """v as a Python int in [lo, MAX_DIM]."""
    if type(v) is not int:          # (the plain-int case skips the slow abstract-class checks)
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, (numbers.Integral, np.integer)):
            raise TypeError(f"{fn}: argument '{name}' must be an int, got {type(v).__name__} ({v!r})")
        v = operator.index(v)
    if lo is not None and v < lo:
        raise ValueError(f"{fn}: argument '{name}' must be >= {lo}, got {v}")
    if v > MAX_DIM:
        raise ValueError(f"{fn}: argument '{name}' = {v} is too large (limit {MAX_DIM})")
    return v


def as_ints(fn, name, v, n, lo):
    """v (a tuple or list of n ints, each in [lo, MAX_DIM]) as a tuple of Python ints."""
    if not isinstance(v, (tuple, list)) or len(v) != n:
        raise TypeError(f"{fn}: argument '{name}' must be a tuple of {n} ints, got {v!r}")
    if all(type(e) is int and lo <= e <= MAX_DIM for e in v):     # every op call: keep it cheap
        return tuple(v)
    return tuple(as_int(fn, f"{name}[{i}]", e, lo) for i, e in enumerate(v))


def float_array(fn, name, x, ndim):
    """x (a float32 / float64 ndarray of ndim dims) C-contiguous and aligned (copied if not)."""
    if not isinstance(x, np.ndarray):
        raise TypeError(f"{fn}: argument '{name}' must be a numpy.ndarray, got {type(x).__name__}")
    if x.dtype not in FLOAT_DTYPES:
        raise TypeError(f"{fn}: argument '{name}' has unsupported dtype {x.dtype}; "
                        "expected float32 or float64")
    if x.ndim != ndim:
        raise ValueError(f"{fn}: argument '{name}' must be {ndim}-D, got shape {x.shape}")
    return np.require(x, requirements=("C", "A"))


def check_rc(fn, rc):
    """Raise for a C kernel's non-zero return code (-2: out of memory)."""
    if rc == -2:
        raise MemoryError(f"{fn}: could not allocate scratch memory")
    if rc != 0:
        raise ValueError(f"{fn}: the C kernel rejected the geometry (code {rc})")
