"""torch.nn.modules.dropout (implemented in tensorlite.nn.layers)."""
from ..layers import _DropoutNd, Dropout, Dropout2d  # noqa: F401
from ..dropout import Dropout1d, Dropout3d, AlphaDropout, FeatureAlphaDropout  # noqa: F401

__all__ = ["Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout", "FeatureAlphaDropout"]
