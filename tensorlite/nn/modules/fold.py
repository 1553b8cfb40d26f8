"""torch.nn.modules.fold (implemented in tensorlite.nn.vision)."""
from ..vision import Unfold, Fold  # noqa: F401

__all__ = ["Fold", "Unfold"]
