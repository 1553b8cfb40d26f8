"""tensorlite.backends: torch.backends' switches, as a CPU-only PyTorch build has them.

`cudnn` and `mps` report unavailable and keep their flags (benchmark, deterministic, ...)
settable so ported scripts run unchanged; tensorlite's CPU kernels are deterministic already.
Also the global determinism switch behind tensorlite.use_deterministic_algorithms."""
import warnings

from . import cudnn, mps, cuda  # noqa: F401
from ..errors import ArgumentError

_det = {"mode": 0}        # torch's debug-mode numbering: 0 off, 1 warn only, 2 error


def use_deterministic_algorithms(mode, *, warn_only=False):
    """Record whether deterministic algorithms are required (tensorlite's kernels always are, so
    nothing else changes); the setting reads back as in torch."""
    if not isinstance(mode, bool):
        raise TypeError(f"use_deterministic_algorithms(): argument 'mode' (position 1) must be bool, not "
                        f"{type(mode).__name__}")
    if not isinstance(warn_only, bool):
        raise TypeError(f"use_deterministic_algorithms(): argument 'warn_only' must be bool, not "
                        f"{type(warn_only).__name__}")
    _det["mode"] = 0 if not mode else (1 if warn_only else 2)


def are_deterministic_algorithms_enabled():
    return _det["mode"] > 0


def is_deterministic_algorithms_warn_only_enabled():
    return _det["mode"] == 1


_DEBUG_MODES = {"default": 0, "warn": 1, "error": 2}


def set_deterministic_debug_mode(debug_mode):
    if isinstance(debug_mode, str):
        if debug_mode not in _DEBUG_MODES:
            raise ArgumentError(f"set_deterministic_debug_mode(): invalid value of debug_mode, expected one of "
                                f"`default`, `warn`, `error`, but got {debug_mode}")
        debug_mode = _DEBUG_MODES[debug_mode]
    if isinstance(debug_mode, bool) or not isinstance(debug_mode, int) or debug_mode not in (0, 1, 2):
        raise ArgumentError(f"set_deterministic_debug_mode(): invalid value of debug_mode, expected 0, 1 or 2, "
                            f"but got {debug_mode!r}")
    _det["mode"] = debug_mode


def get_deterministic_debug_mode():
    return _det["mode"]


_matmul = {"precision": "highest"}


def set_float32_matmul_precision(precision):
    """Record torch's float32 matmul precision hint ('highest', 'high', 'medium'). tensorlite's float32
    matmuls are always full float32 (no TF32 / bfloat16 passes), so this only reads back."""
    if not isinstance(precision, str):
        raise ArgumentError(f"set_float32_matmul_precision(): argument 'precision' expects a str, but got "
                            f"{type(precision).__name__}")
    if precision not in ("highest", "high", "medium"):
        warnings.warn(f"set_float32_matmul_precision(): invalid precision {precision!r}, expected one of "
                      f"'highest', 'high', 'medium'; keeping {_matmul['precision']!r}", UserWarning, stacklevel=2)
        return
    _matmul["precision"] = precision


def get_float32_matmul_precision():
    return _matmul["precision"]
