"""torch.utils.data.dataset's import path: tensorlite.data's datasets and random_split."""
from ...data.dataset import (Dataset, IterableDataset, TensorDataset, Subset, ConcatDataset,  # noqa: F401
                             ChainDataset, random_split)

__all__ = ["Dataset", "IterableDataset", "TensorDataset", "Subset", "ConcatDataset", "ChainDataset",
           "random_split"]
