"""torch.utils.data.sampler's import path: tensorlite.data's samplers."""
from ...data.sampler import (Sampler, SequentialSampler, RandomSampler, SubsetRandomSampler,  # noqa: F401
                             WeightedRandomSampler, BatchSampler)

__all__ = ["Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler", "WeightedRandomSampler",
           "BatchSampler"]
