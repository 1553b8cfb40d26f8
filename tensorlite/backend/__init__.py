"""Native compute backend of tensorlite: array kernels, one module per kernel family.

Submodules (imported on demand, so importing this package is cheap):

* ``tensorlite.backend._ffi``    -- the cffi handles ``ffi`` / ``lib`` of ``tensorlite._C``
* ``tensorlite.backend.allocator`` -- glibc malloc thresholds set at import (buffers reused across steps)
* ``tensorlite.backend.gemm``    -- ``matmul`` / ``gemm`` on numpy arrays (C GEMM)
* ``tensorlite.backend.conv``    -- 2-D convolution and its two gradients (C)
* ``tensorlite.backend.pool``    -- max / average / adaptive pooling and their gradients (C)
* ``tensorlite.backend.norm``    -- fused batch-norm forward / backward (Numba)
* ``tensorlite.backend.loss``    -- fused log-softmax + NLL cross entropy (Numba)
* ``tensorlite.backend.numba_math`` -- elementwise helpers: erf, relu, parallel add (Numba)
* ``tensorlite.backend.threads`` -- ``set_num_threads`` / ``get_num_threads``

The backend works on numpy arrays only. User arguments are checked once, in ``tensorlite.ops``;
the kernels check only what keeps the native call memory-safe (dtypes, contiguity, consistent
shapes, sizes in C's range), so no input reachable from Python can crash the process.

Kernel entry points (the functions Python calls with arrays) carry ``@kernel(name)``: while
``tensorlite.profiler`` records, each call is one ``kernel:<name>`` event.
"""
import functools

MAX_PLANE = 2 ** 31      # the C kernels' limit on one (padded) H x W plane, in elements

# The running profile's recorder while tensorlite.profiler records (else None).
_profiler = None


def kernel(name):
    """Decorator marking a kernel entry point, reported to the profiler as ``kernel:<name>``.
    With no profile running its cost is one check of `_profiler` per call."""
    label = "kernel:" + name

    def mark(fn):
        @functools.wraps(fn)
        def entry(*args, **kwargs):
            if _profiler is None:
                return fn(*args, **kwargs)
            return _profiler.timed(label, "kernel", fn, *args, **kwargs)
        return entry
    return mark
