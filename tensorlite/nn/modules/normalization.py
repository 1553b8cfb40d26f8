"""torch.nn.modules.normalization (implemented in tensorlite.nn.normalization and .layers)."""
from ..normalization import LayerNorm, GroupNorm, RMSNorm  # noqa: F401
from ..layers import LocalResponseNorm  # noqa: F401

__all__ = ["LayerNorm", "GroupNorm", "LocalResponseNorm", "RMSNorm"]
