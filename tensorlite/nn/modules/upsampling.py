"""torch.nn.modules.upsampling (implemented in tensorlite.nn.upsampling)."""
from ..upsampling import Upsample, UpsamplingNearest2d, UpsamplingBilinear2d  # noqa: F401

__all__ = ["Upsample", "UpsamplingNearest2d", "UpsamplingBilinear2d"]
