"""torch.nn.modules.dropout (implemented in tensorlite.nn.dropout)."""
from ..dropout import (_DropoutNd, Dropout, Dropout1d, Dropout2d, Dropout3d, AlphaDropout,  # noqa: F401
                       FeatureAlphaDropout)

__all__ = ["Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout", "FeatureAlphaDropout"]
