"""torch.nn.modules.dropout (implemented in tensorlite.nn.layers)."""
from ..layers import _DropoutNd, Dropout, Dropout2d  # noqa: F401

__all__ = ["Dropout", "Dropout2d"]
