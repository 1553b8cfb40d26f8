"""torch.nn.modules.flatten (implemented in tensorlite.nn.layers)."""
from ..layers import Flatten, Unflatten  # noqa: F401

__all__ = ["Flatten", "Unflatten"]
