"""torch.utils.data.distributed's import path: tensorlite.data's DistributedSampler."""
from ...data.distributed import DistributedSampler  # noqa: F401

__all__ = ["DistributedSampler"]
