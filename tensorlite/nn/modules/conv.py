"""torch.nn.modules.conv (implemented in tensorlite.nn.layers and tensorlite.nn.upsampling)."""
from ..layers import _ConvNd, Conv1d, Conv2d  # noqa: F401
from ..upsampling import _ConvTransposeNd, ConvTranspose2d  # noqa: F401

__all__ = ["Conv1d", "Conv2d", "ConvTranspose2d"]
