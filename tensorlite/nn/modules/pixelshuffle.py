"""torch.nn.modules.pixelshuffle (implemented in tensorlite.nn.vision)."""
from ..vision import PixelShuffle  # noqa: F401

__all__ = ["PixelShuffle"]
