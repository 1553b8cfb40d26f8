"""The deprecated device-specific spellings torch keeps: torch.cpu.amp / torch.cuda.amp's
autocast and GradScaler, each a warning plus the device-generic class."""
import warnings

from .autocast_mode import autocast as _autocast
from .grad_scaler import GradScaler as _GradScaler


def deprecated_classes(device):
    """(autocast, GradScaler) for `tensorlite.<device>.amp`."""
    where = f"tensorlite.{device}.amp"

    class autocast(_autocast):
        __doc__ = f"torch.{device}.amp.autocast(enabled=True, dtype=None, cache_enabled=True): deprecated alias."

        def __init__(self, enabled=True, dtype=None, cache_enabled=True):
            warnings.warn(f"`{where}.autocast(args...)` is deprecated (as torch.{device}.amp.autocast). Please use "
                          f"`tensorlite.amp.autocast('{device}', args...)` instead.", FutureWarning, stacklevel=2)
            super().__init__(device, dtype=dtype, enabled=enabled, cache_enabled=cache_enabled)

    class GradScaler(_GradScaler):
        __doc__ = f"torch.{device}.amp.GradScaler(init_scale=65536.0, ...): deprecated alias of GradScaler('{device}')."

        def __init__(self, init_scale=2.0 ** 16, growth_factor=2.0, backoff_factor=0.5, growth_interval=2000,
                     enabled=True):
            warnings.warn(f"`{where}.GradScaler(args...)` is deprecated (as torch.{device}.amp.GradScaler). Please "
                          f"use `tensorlite.amp.GradScaler('{device}', args...)` instead.", FutureWarning, stacklevel=2)
            super().__init__(device, init_scale, growth_factor, backoff_factor, growth_interval, enabled)

    for cls in (autocast, GradScaler):
        cls.__module__ = where
    return autocast, GradScaler
