"""torch.nn.modules.pooling (implemented in tensorlite.nn.pooling)."""
from ..pooling import *  # noqa: F401,F403
from ..pooling import (__all__, _MaxPoolNd, _MaxUnpoolNd, _AvgPoolNd, _LPPoolNd,  # noqa: F401
                       _AdaptiveMaxPoolNd, _AdaptiveAvgPoolNd)
