"""autocast: torch.autocast's context manager / decorator, recording the region (no casting)."""
import functools
import threading
import warnings

from .. import dtypes
from .._device import _TYPES
from ..errors import ArgumentError

_state = threading.local()        # per thread, as torch's autocast state


def _enabled():
    if not hasattr(_state, "on"):
        _state.on = {}
    return _state.on


def is_autocast_enabled(device_type="cuda"):
    """Whether an enabled autocast region for `device_type` is active (torch's default type is 'cuda')."""
    if not isinstance(device_type, str):
        raise TypeError(f"is_autocast_enabled(): argument 'device_type' must be str, not "
                        f"{type(device_type).__name__} ({device_type!r:.40})")
    return bool(_enabled().get(device_type, False))


_CPU_DTYPES = (dtypes.float16,)      # torch's CPU autocast takes bfloat16 (absent here) or float16


class autocast:
    """torch.autocast(device_type, dtype=None, enabled=True, cache_enabled=None).

    As a context manager or decorator it marks a mixed-precision region. tensorlite does not cast
    inside it: ops run in their inputs' dtypes (see tensorlite.amp). As in a CPU-only torch, asking
    for 'cuda' warns and disables the region instead of failing, a CPU dtype other than float16 /
    bfloat16 warns and disables it, and other device types ('mps', 'xpu', ...) open a region that
    no tensor can be in."""

    def __init__(self, device_type, dtype=None, enabled=True, cache_enabled=None):
        if not isinstance(device_type, str):
            raise ValueError(f"autocast(): expected `device_type` of type `str`, got: `{type(device_type)}`")
        if device_type not in _TYPES:
            raise ArgumentError(f"autocast(): argument 'device_type': Expected one of {', '.join(_TYPES)} device "
                                f"type at start of device string: {device_type}")
        if dtype is not None:
            dtype = dtypes.to_dtype(dtype, "dtype", "autocast")
        self.device = device_type
        self.fast_dtype = dtype
        self._cache_enabled = cache_enabled
        enabled = bool(enabled)
        if enabled and device_type == "cuda":
            warnings.warn("CUDA is not available (tensorlite runs on the CPU only). Disabling autocast.",
                          UserWarning, stacklevel=2)
            enabled = False
        elif enabled and device_type == "cpu" and dtype is not None and dtype not in _CPU_DTYPES:
            warnings.warn("In CPU autocast, but the target dtype is not supported. Disabling autocast.\n"
                          "CPU Autocast only supports dtypes of bfloat16 (torch only) and float16 currently.",
                          UserWarning, stacklevel=2)
            enabled = False
        self._enabled = enabled
        self._prev = []

    def __enter__(self):
        on = _enabled()
        self._prev.append(on.get(self.device, False))
        on[self.device] = self._enabled
        return self

    def __exit__(self, exc_type, exc, tb):
        _enabled()[self.device] = self._prev.pop()
        return False

    def __call__(self, func):
        @functools.wraps(func)
        def run(*args, **kwargs):
            with self:
                return func(*args, **kwargs)
        return run
