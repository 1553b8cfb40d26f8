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

__all__ = ["ffi", "lib"]
