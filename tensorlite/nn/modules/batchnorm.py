"""torch.nn.modules.batchnorm (implemented in tensorlite.nn.layers and .sync_batchnorm)."""
from ..layers import _NormBase, _BatchNorm, BatchNorm1d, BatchNorm2d, BatchNorm3d  # noqa: F401
from ..sync_batchnorm import SyncBatchNorm  # noqa: F401

__all__ = ["BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "SyncBatchNorm"]
