"""torch.nn.modules.flatten (implemented in tensorlite.nn.flatten)."""
from ..flatten import Flatten, Unflatten  # noqa: F401

__all__ = ["Flatten", "Unflatten"]
