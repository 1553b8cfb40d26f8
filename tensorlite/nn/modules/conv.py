"""torch.nn.modules.conv (implemented in tensorlite.nn.conv)."""
from ..conv import _ConvNd, _ConvTransposeNd, Conv1d, Conv2d, ConvTranspose2d  # noqa: F401

__all__ = ["Conv1d", "Conv2d", "ConvTranspose2d"]
