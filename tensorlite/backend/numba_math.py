"""Numba ufuncs for math numpy does not have (compiled once, cached on disk)."""
import math

import numpy as np

import numba


@numba.vectorize(["float32(float32)", "float64(float64)"], cache=True)
def erf(x):
    return math.erf(x)


# ReLU's gradient, PyTorch's threshold_backward: g where the output is > 0, else 0 (also where g is
# NaN). One fused pass instead of numpy's compare-then-where (two passes and a bool temporary); the
# parallel driver only above PARALLEL_MIN elements, where splitting the work pays for the fork.
PARALLEL_MIN = 1 << 16


@numba.njit(cache=True)
def _relu_backward_serial(g, out, res):
    for i in range(res.size):
        res[i] = g[i] if out[i] > 0 else 0


@numba.njit(cache=True, parallel=True)
def _relu_backward_parallel(g, out, res):
    for i in numba.prange(res.size):
        res[i] = g[i] if out[i] > 0 else 0


def relu_backward(g, out):
    """g * (out > 0) with where-semantics, for same-shape, same-dtype float arrays."""
    if (g.shape != out.shape or g.dtype != out.dtype or g.dtype not in (np.float32, np.float64)
            or not (g.flags.c_contiguous and out.flags.c_contiguous)):
        return np.where(out > 0, g, g.dtype.type(0))      # broadcast views, float16, mixed dtypes
    res = np.empty_like(out)
    kernel = _relu_backward_parallel if res.size >= PARALLEL_MIN else _relu_backward_serial
    kernel(g.reshape(-1), out.reshape(-1), res.reshape(-1))
    return res
