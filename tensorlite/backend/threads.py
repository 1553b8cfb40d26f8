"""One knob for the thread count of tensorlite's native runtimes.

``set_num_threads(n)`` sets the OpenMP thread count of the C core (GEMM and
other C kernels) and Numba's thread count (capped at
``numba.config.NUMBA_NUM_THREADS``), so both runtimes agree and do not
oversubscribe the cores.
"""

import numbers

from ._ffi import lib

__all__ = ["set_num_threads", "get_num_threads"]


def set_num_threads(n):
    """Use ``n`` (an int >= 1) threads in the C kernels and in Numba."""
    if isinstance(n, bool) or not isinstance(n, numbers.Integral):
        raise ValueError(f"set_num_threads(): argument 'n' must be an int >= 1, got {n!r}")
    n = int(n)
    if n < 1:
        raise ValueError(f"set_num_threads(): argument 'n' must be an int >= 1, got {n}")
    lib.tl_set_num_threads(n)
    try:
        import numba
    except ImportError:  # pragma: no cover - numba is a hard dependency
        return
    numba.set_num_threads(min(n, numba.config.NUMBA_NUM_THREADS))


def get_num_threads():
    """Thread count the C kernels use (default: OMP_NUM_THREADS or the cores)."""
    return int(lib.tl_get_num_threads())
