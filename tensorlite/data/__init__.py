"""tensorlite.data: datasets, samplers, the DataLoader, image transforms and dataset readers.

The API follows `torch.utils.data` (Dataset, DataLoader, samplers, default_collate,
random_split) and a torchvision subset (`tensorlite.data.transforms`, `tensorlite.data.datasets`:
CIFAR10, MNIST, FashionMNIST). Every random draw (shuffling, random_split, augmentation) comes
from tensorlite's rng, so `tl.manual_seed` makes a whole training run reproducible.
"""
from ._worker import get_worker_info
from .dataset import (Dataset, IterableDataset, TensorDataset, Subset, ConcatDataset, ChainDataset,
                      StackedSamples, random_split)
from .sampler import (Sampler, SequentialSampler, RandomSampler, SubsetRandomSampler,
                      WeightedRandomSampler, BatchSampler)
from .dataloader import DataLoader, default_collate, default_convert
from .distributed import DistributedSampler
from . import transforms
from . import datasets
from .datasets import CIFAR10, MNIST, FashionMNIST

__all__ = ["Dataset", "IterableDataset", "TensorDataset", "Subset", "ConcatDataset", "ChainDataset",
           "StackedSamples", "random_split", "Sampler", "SequentialSampler", "RandomSampler",
           "SubsetRandomSampler", "WeightedRandomSampler", "BatchSampler", "DistributedSampler", "DataLoader",
           "default_collate", "default_convert", "get_worker_info", "transforms", "datasets",
           "CIFAR10", "MNIST", "FashionMNIST"]
