"""Numba ufuncs for math numpy does not have (compiled once, cached on disk)."""
import math

import numba


@numba.vectorize(["float32(float32)", "float64(float64)"], cache=True)
def erf(x):
    return math.erf(x)
