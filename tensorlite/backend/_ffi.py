"""Handles to the compiled C core: ``ffi`` and ``lib`` of ``tensorlite._C``."""

try:
    from tensorlite._C import ffi, lib  # noqa: F401
except ImportError as exc:  # pragma: no cover - depends on the installation
    raise ImportError(
        "tensorlite's C extension (tensorlite._C) is not built or failed to load "
        f"({exc}). Build it by installing the package from the source tree: "
        "`pip install -e .` (development) or `pip install .`; a C compiler "
        "(gcc or clang) is required."
    ) from exc

_ARRAY_CTYPE = {"float *": "float[]", "double *": "double[]", "int64_t *": "int64_t[]"}


def ptr(ctype, x):
    """C pointer (ctype, e.g. "float *") to numpy array x's first element. C-contiguous arrays go
    through ffi.from_buffer (a fraction of a microsecond; the cdata keeps x alive), others through
    x.ctypes (a few microseconds; the caller holds x)."""
    if x.flags.c_contiguous:
        return ffi.from_buffer(_ARRAY_CTYPE[ctype], x)   # float[] decays to float *
    return ffi.cast(ctype, x.ctypes.data)


__all__ = ["ffi", "lib", "ptr"]
