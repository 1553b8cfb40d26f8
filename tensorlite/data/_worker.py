"""Per-thread state of DataLoader workers.

DataLoader workers are threads (see dataloader.py). Each worker owns a `tensorlite.Generator`
seeded from the loader's base seed (drawn from tensorlite's rng in the main thread when the epoch
starts), and random transforms running inside a worker draw from it. That keeps augmentation
reproducible under `tl.manual_seed` even though the worker threads run concurrently with the
training loop: the main thread's stream is touched once per epoch, at a known point.
"""
import threading

from .. import random as _random

_local = threading.local()


class WorkerInfo:
    """What `get_worker_info()` returns inside a worker (PyTorch's fields)."""

    __slots__ = ("id", "num_workers", "seed", "dataset", "generator")

    def __init__(self, id, num_workers, seed, dataset, generator):
        self.id = id
        self.num_workers = num_workers
        self.seed = seed
        self.dataset = dataset
        self.generator = generator

    def __repr__(self):
        return f"WorkerInfo(id={self.id}, num_workers={self.num_workers}, seed={self.seed})"


def get_worker_info():
    """The `WorkerInfo` of the calling DataLoader worker thread, or None in the main thread."""
    return getattr(_local, "info", None)


def _set_worker_info(info):
    _local.info = info


def worker_rng(generator=None):
    """The numpy Generator a random transform should draw from.

    An explicit `generator` wins; inside a DataLoader worker thread it is the worker's own
    generator; otherwise tensorlite's default generator (seeded by `tl.manual_seed`)."""
    if generator is not None:
        return _random.rng(generator)
    info = getattr(_local, "info", None)
    if info is not None:
        return info.generator.rng
    return _random.rng(None)
