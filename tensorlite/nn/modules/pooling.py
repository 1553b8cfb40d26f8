"""torch.nn.modules.pooling (implemented in tensorlite.nn.layers)."""
from ..layers import (_MaxPoolNd, _AvgPoolNd, _AdaptiveAvgPoolNd, _AdaptiveMaxPoolNd,  # noqa: F401
                      MaxPool1d, MaxPool2d, AvgPool1d, AvgPool2d, AdaptiveAvgPool2d, AdaptiveMaxPool2d)
from ..pooling import (_LPPoolNd, _MaxUnpoolNd, AdaptiveAvgPool1d, AdaptiveMaxPool1d, LPPool1d, LPPool2d,  # noqa: F401
                       MaxUnpool1d, MaxUnpool2d)

__all__ = ["MaxPool1d", "MaxPool2d", "AvgPool1d", "AvgPool2d", "AdaptiveAvgPool2d", "AdaptiveMaxPool2d",
           "AdaptiveAvgPool1d", "AdaptiveMaxPool1d", "LPPool1d", "LPPool2d", "MaxUnpool1d", "MaxUnpool2d"]
