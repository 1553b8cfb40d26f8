"""torch.nn.modules.channelshuffle (implemented in tensorlite.nn.channelshuffle)."""
from ..channelshuffle import ChannelShuffle  # noqa: F401

__all__ = ["ChannelShuffle"]
