"""torch.nn.modules.pixelshuffle (implemented in tensorlite.nn.pixelshuffle)."""
from ..pixelshuffle import PixelShuffle, PixelUnshuffle  # noqa: F401

__all__ = ["PixelShuffle", "PixelUnshuffle"]
