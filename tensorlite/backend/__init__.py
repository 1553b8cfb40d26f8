"""Native compute backend of tensorlite.

Submodules (imported on demand, so importing this package is cheap):

* ``tensorlite.backend._ffi``    -- the cffi handles ``ffi`` / ``lib`` of ``tensorlite._C``
* ``tensorlite.backend.allocator`` -- glibc malloc thresholds set at import (buffers reused across steps)
* ``tensorlite.backend.gemm``    -- ``matmul`` / ``gemm`` on numpy arrays (C GEMM)
* ``tensorlite.backend.threads`` -- ``set_num_threads`` / ``get_num_threads``
"""
