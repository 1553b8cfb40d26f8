"""tensorlite.amp: automatic mixed precision's API (torch.amp), for scripts written for it.

tensorlite computes every op in its inputs' own dtypes: `autocast` never casts (there is no
bfloat16, and float16 matmuls on a CPU are slower, not faster), so a region under
`autocast('cpu')` gives the same float32 results as outside it. `GradScaler('cpu')` does scale
the loss and unscale the gradients exactly as torch's does (powers of two: no rounding), skips
steps whose gradients overflowed and adapts the scale, so training loops behave the same."""
from .autocast_mode import autocast, is_autocast_enabled
from .grad_scaler import GradScaler

__all__ = ["autocast", "is_autocast_enabled", "GradScaler"]
