"""tensorlite.cuda.amp: torch.cuda.amp's deprecated spellings of tensorlite.amp.autocast('cuda') and
GradScaler('cuda'). CUDA is not available, so both warn and disable themselves, as in a CPU-only torch."""
import warnings

from .. import amp as _amp


class autocast(_amp.autocast):
    """torch.cuda.amp.autocast(enabled=True, dtype=float16, cache_enabled=True): deprecated alias."""

    def __init__(self, enabled=True, dtype=None, cache_enabled=True):
        warnings.warn("`tensorlite.cuda.amp.autocast(args...)` is deprecated (as torch.cuda.amp.autocast). "
                      "Please use `tensorlite.amp.autocast('cuda', args...)` instead.", FutureWarning, stacklevel=2)
        super().__init__("cuda", dtype=dtype, enabled=enabled, cache_enabled=cache_enabled)


class GradScaler(_amp.GradScaler):
    """torch.cuda.amp.GradScaler(init_scale=65536.0, ...): deprecated alias of GradScaler('cuda')."""

    def __init__(self, init_scale=2.0 ** 16, growth_factor=2.0, backoff_factor=0.5, growth_interval=2000,
                 enabled=True):
        warnings.warn("`tensorlite.cuda.amp.GradScaler(args...)` is deprecated (as torch.cuda.amp.GradScaler). "
                      "Please use `tensorlite.amp.GradScaler('cuda', args...)` instead.", FutureWarning,
                      stacklevel=2)
        super().__init__("cuda", init_scale, growth_factor, backoff_factor, growth_interval, enabled)
