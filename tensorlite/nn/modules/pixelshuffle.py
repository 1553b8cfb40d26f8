"""torch.nn.modules.pixelshuffle (implemented in tensorlite.nn.vision)."""
from ..vision import PixelShuffle, PixelUnshuffle  # noqa: F401

__all__ = ["PixelShuffle", "PixelUnshuffle"]
