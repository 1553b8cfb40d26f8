"""DistributedSampler: each rank's share of a dataset (torch.utils.data.DistributedSampler)."""
import math
import numbers

import numpy as np

from ..random import Generator
from .sampler import Sampler

__all__ = ["DistributedSampler"]


def _world(fname, num_replicas, rank):
    if num_replicas is None or rank is None:
        from .. import distributed
        if not distributed.is_initialized():
            raise RuntimeError(f"{fname}: num_replicas and rank default to the MPI world's, but "
                               f"tensorlite.distributed is not initialized; call tensorlite.distributed.init() "
                               f"or pass num_replicas= and rank=")
        num_replicas = distributed.world_size() if num_replicas is None else num_replicas
        rank = distributed.rank() if rank is None else rank
    for name, v in (("num_replicas", num_replicas), ("rank", rank)):
        if isinstance(v, bool) or not isinstance(v, numbers.Integral):
            raise TypeError(f"{fname}: {name} must be an int, got {name}={v!r}")
    if num_replicas < 1:
        raise ValueError(f"{fname}: num_replicas must be >= 1, got num_replicas={num_replicas}")
    if rank >= num_replicas or rank < 0:
        raise ValueError(f"{fname}: Invalid rank {rank}, rank should be in the interval [0, {num_replicas - 1}]")
    return int(num_replicas), int(rank)


class DistributedSampler(Sampler):
    """The indices rank `rank` of `num_replicas` reads each epoch (defaults: the MPI world's).

    PyTorch's semantics: the index list (a permutation seeded by ``seed + epoch`` when shuffle,
    else 0 .. n-1) is padded by repeating its start until it divides evenly (or, with drop_last,
    cut to a multiple of num_replicas), and rank r takes every num_replicas-th index from r.
    Every rank draws the same permutation; call ``set_epoch(epoch)`` before each epoch so the
    order changes between epochs.  The permutation comes from tensorlite's Generator (PCG64),
    so the exact order differs from PyTorch's for the same seed."""

    def __init__(self, dataset, num_replicas=None, rank=None, shuffle=True, seed=0, drop_last=False):
        fname = "DistributedSampler()"
        self.num_replicas, self.rank = _world(fname, num_replicas, rank)
        if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
            raise TypeError(f"{fname}: seed must be an int, got seed={seed!r}")
        self.dataset = dataset
        self.epoch = 0
        self.drop_last = bool(drop_last)
        n = len(dataset)
        if self.drop_last and n % self.num_replicas != 0:
            self.num_samples = math.ceil((n - self.num_replicas) / self.num_replicas)
        else:
            self.num_samples = math.ceil(n / self.num_replicas)
        self.total_size = self.num_samples * self.num_replicas
        self.shuffle = bool(shuffle)
        self.seed = int(seed)

    def __iter__(self):
        n = len(self.dataset)
        if self.shuffle:
            indices = Generator().manual_seed(self.seed + self.epoch).rng.permutation(n).tolist()
        else:
            indices = list(range(n))
        if not self.drop_last:
            pad = self.total_size - len(indices)
            if pad <= len(indices):
                indices += indices[:pad]
            else:
                indices += (indices * math.ceil(pad / len(indices)))[:pad]
        else:
            indices = indices[:self.total_size]
        return iter(indices[self.rank:self.total_size:self.num_replicas])

    def __len__(self):
        return self.num_samples

    def set_epoch(self, epoch):
        """Use `epoch` in the shuffle's seed (call it at the start of every epoch)."""
        self.epoch = epoch
