"""torch.nn.modules.fold (implemented in tensorlite.nn.vision)."""
from ..vision import Unfold  # noqa: F401

__all__ = ["Unfold"]
