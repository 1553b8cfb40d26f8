"""torch.nn.modules.channelshuffle (implemented in tensorlite.nn.vision)."""
from ..vision import ChannelShuffle  # noqa: F401

__all__ = ["ChannelShuffle"]
