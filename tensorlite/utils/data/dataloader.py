"""torch.utils.data.dataloader's import path: tensorlite.data's DataLoader and collate functions."""
from ...data.dataloader import DataLoader, default_collate, default_convert  # noqa: F401
from ...data._worker import get_worker_info  # noqa: F401

__all__ = ["DataLoader", "default_collate", "default_convert", "get_worker_info"]
