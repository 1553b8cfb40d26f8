"""torch.nn.modules.linear (implemented in tensorlite.nn.layers)."""
from ..layers import Identity, Linear  # noqa: F401
from ..linear_extra import Bilinear, LazyLinear  # noqa: F401
from ..attention import NonDynamicallyQuantizableLinear  # noqa: F401

__all__ = ["Identity", "Linear", "Bilinear", "LazyLinear"]
