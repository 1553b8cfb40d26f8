"""tensorlite.cpu.amp: torch.cpu.amp's deprecated spellings of tensorlite.amp.autocast('cpu') and
GradScaler('cpu')."""
import warnings

from .. import amp as _amp


class autocast(_amp.autocast):
    """torch.cpu.amp.autocast(enabled=True, dtype=bfloat16, cache_enabled=True): deprecated alias."""

    def __init__(self, enabled=True, dtype=None, cache_enabled=True):
        warnings.warn("`tensorlite.cpu.amp.autocast(args...)` is deprecated (as torch.cpu.amp.autocast). "
                      "Please use `tensorlite.amp.autocast('cpu', args...)` instead.", FutureWarning, stacklevel=2)
        super().__init__("cpu", dtype=dtype, enabled=enabled, cache_enabled=cache_enabled)


class GradScaler(_amp.GradScaler):
    """torch.cpu.amp.GradScaler(init_scale=65536.0, ...): deprecated alias of GradScaler('cpu')."""

    def __init__(self, init_scale=2.0 ** 16, growth_factor=2.0, backoff_factor=0.5, growth_interval=2000,
                 enabled=True):
        warnings.warn("`tensorlite.cpu.amp.GradScaler(args...)` is deprecated (as torch.cpu.amp.GradScaler). "
                      "Please use `tensorlite.amp.GradScaler('cpu', args...)` instead.", FutureWarning,
                      stacklevel=2)
        super().__init__("cpu", init_scale, growth_factor, backoff_factor, growth_interval, enabled)
