"""Numba ufuncs for math numpy does not have (compiled once, cached on disk)."""
import math

import numpy as np

import numba

from . import kernel


@kernel("erf")
@numba.vectorize(["float32(float32)", "float64(float64)"], cache=True)
def erf(x):
    return math.erf(x)


# ReLU's gradient, PyTorch's threshold_backward: 0 where the output is <= 0 (even where g is NaN),
# else g (so a NaN output passes g, as in PyTorch). One fused pass instead of numpy's compare-then-where (two passes and a bool temporary); the
# parallel driver only above PARALLEL_MIN elements, where splitting the work pays for the fork.
PARALLEL_MIN = 1 << 16


@numba.njit(cache=True)
def _relu_backward_serial(g, out, res):
    for i in range(res.size):
        res[i] = 0 if out[i] <= 0 else g[i]


@numba.njit(cache=True, parallel=True)
def _relu_backward_parallel(g, out, res):
    for i in numba.prange(res.size):
        res[i] = 0 if out[i] <= 0 else g[i]


def relu_backward(g, out):
    """where(out <= 0, 0, g) for same-shape, same-dtype float arrays."""
    if (g.shape != out.shape or g.dtype != out.dtype or g.dtype not in (np.float32, np.float64)
            or not (g.flags.c_contiguous and out.flags.c_contiguous)):
        return np.where(out <= 0, g.dtype.type(0), g)      # broadcast views, float16, mixed dtypes
    res = np.empty_like(out)
    kernel = _relu_backward_parallel if res.size >= PARALLEL_MIN else _relu_backward_serial
    kernel(g.reshape(-1), out.reshape(-1), res.reshape(-1))
    return res


# ReLU itself: x where x is not negative (NaN and -0.0 pass through, as in PyTorch), else 0.
@numba.njit(cache=True)
def _relu_serial(x, res):
    for i in range(res.size):
        v = x[i]
        res[i] = 0 if v < 0 else v


@numba.njit(cache=True, parallel=True)
def _relu_parallel(x, res):
    for i in numba.prange(res.size):
        v = x[i]
        res[i] = 0 if v < 0 else v


def relu(x):
    """max(x, 0) for a float array, in one (parallel above PARALLEL_MIN elements) pass."""
    if x.dtype not in (np.float32, np.float64) or not x.flags.c_contiguous:
        return np.where(x < 0, x.dtype.type(0), x)      # strided views, float16
    res = np.empty_like(x)
    kernel = _relu_parallel if res.size >= PARALLEL_MIN else _relu_serial
    kernel(x.reshape(-1), res.reshape(-1))
    return res


# a + b for the autograd engine's gradient accumulation (where a residual branch meets its
# shortcut): numpy's add runs on one core; on ResNet's 8 MB gradients two threads are ~2.5x faster.
@numba.njit(cache=True, parallel=True)
def _add_parallel(a, b, res):
    for i in numba.prange(res.size):
        res[i] = a[i] + b[i]


def add(a, b):
    """a + b as numpy computes it; same-shape, same-dtype, C-contiguous float32/float64 arrays of
    PARALLEL_MIN elements and more go through the parallel loop."""
    if (a.shape != b.shape or a.dtype != b.dtype or a.dtype not in (np.float32, np.float64)
            or a.size < PARALLEL_MIN or not (a.flags.c_contiguous and b.flags.c_contiguous)):
        return a + b
    res = np.empty_like(a)
    _add_parallel(a.reshape(-1), b.reshape(-1), res.reshape(-1))
    return res
