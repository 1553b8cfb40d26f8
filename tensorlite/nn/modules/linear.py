"""torch.nn.modules.linear (implemented in tensorlite.nn.linear)."""
from ..linear import Identity, Linear, NonDynamicallyQuantizableLinear, Bilinear, LazyLinear  # noqa: F401

__all__ = ["Identity", "Linear", "Bilinear", "LazyLinear"]
