"""tensorlite.utils.data: torch.utils.data's import path for tensorlite.data (one implementation:
`tensorlite.utils.data.DataLoader is tensorlite.data.DataLoader`)."""
from ...data import (Dataset, IterableDataset, TensorDataset, Subset, ConcatDataset, ChainDataset,  # noqa: F401
                     random_split, Sampler, SequentialSampler, RandomSampler, SubsetRandomSampler,
                     WeightedRandomSampler, BatchSampler, DistributedSampler, DataLoader, default_collate,
                     default_convert, get_worker_info)
from . import dataloader, dataset, sampler, distributed  # noqa: F401

__all__ = ["Dataset", "IterableDataset", "TensorDataset", "Subset", "ConcatDataset", "ChainDataset",
           "random_split", "Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler",
           "WeightedRandomSampler", "BatchSampler", "DistributedSampler", "DataLoader", "default_collate",
           "default_convert", "get_worker_info"]
