"""torch.nn.modules.normalization (implemented in tensorlite.nn.normalization)."""
from ..normalization import LayerNorm, GroupNorm, LocalResponseNorm, RMSNorm  # noqa: F401

__all__ = ["LayerNorm", "GroupNorm", "LocalResponseNorm", "RMSNorm"]
