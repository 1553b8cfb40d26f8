"""torch.nn.modules.fold (implemented in tensorlite.nn.fold)."""
from ..fold import Fold, Unfold  # noqa: F401

__all__ = ["Fold", "Unfold"]
