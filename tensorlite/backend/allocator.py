"""glibc malloc settings that keep a training step's big buffers in the process between steps.

A training step frees hundreds of MB of activations and gradients and allocates the same sizes
again in the next step. With glibc's defaults, arrays above the (dynamic) mmap threshold are fresh
mmaps and a free heap top above 128 KB goes back to the kernel, so every step page-faults and
zeroes its arrays anew: measured at 15-20% of a ResNet-20 training step on a 2-core machine.
Raising the mmap threshold to its ceiling (32 MB on 64-bit) and the trim threshold to 1 GB keeps
that memory for reuse. The price: freed memory, up to about 1 GB, stays resident (the process's
RSS does not shrink back after its peak).

Applied once, when tensorlite is imported; ``TENSORLITE_MALLOC_TUNING=0`` in the environment
before the import opts out. No effect where the C library is not glibc (or has no mallopt).
"""
import ctypes
import ctypes.util
import os

M_TRIM_THRESHOLD = -1       # glibc's mallopt parameter numbers (malloc.h)
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 32 << 20   # DEFAULT_MMAP_THRESHOLD_MAX on 64-bit: larger values are refused
TRIM_THRESHOLD = 1 << 30

_applied = None


def tune():
    """Apply the settings (once per process); True when glibc accepted both."""
    global _applied
    if _applied is not None:
        return _applied
    _applied = False
    if os.environ.get("TENSORLITE_MALLOC_TUNING", "1").strip() in ("0", "false", "no", "off"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):      # not glibc (musl, macOS, Windows)
        return False
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    _applied = bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD))
    return _applied


def tuned():
    """Whether the settings are in effect in this process."""
    return bool(_applied)
