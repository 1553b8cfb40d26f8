"""Samplers: which indices a DataLoader fetches, in which order (PyTorch's semantics).

Random samplers draw from tensorlite's rng (seeded by `tl.manual_seed`) or from the
`generator` they were given. The draw happens when `iter(sampler)` is called, i.e. at the start
of each epoch, so `tl.manual_seed(s)` right before an epoch fixes that epoch's order.
"""
import itertools
import numbers

import numpy as np

from ._worker import worker_rng

__all__ = ["Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler",
           "WeightedRandomSampler", "BatchSampler"]


class Sampler:
    """Base class: subclasses implement `__iter__` (and usually `__len__`)."""

    def __init__(self, data_source=None):
        pass

    def __iter__(self):
        raise NotImplementedError(f"{type(self).__name__} must implement __iter__")


def _sized(fname, name, value):
    if not hasattr(value, "__len__"):
        raise TypeError(f"{fname}: argument '{name}' must be a sized dataset or sequence (with __len__), got "
                        f"{type(value).__name__}")
    return value


def _iterable(fname, name, value):
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
        raise TypeError(f"{fname}: argument '{name}' must be an iterable of indices (a Sampler), got "
                        f"{type(value).__name__}")
    return value


def _positive_int(fname, name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value <= 0:
        raise ValueError(f"{fname}: {name} should be a positive integer value, but got {name}={value!r}")
    return int(value)


class SequentialSampler(Sampler):
    """0, 1, ..., len(data_source) - 1."""

    def __init__(self, data_source):
        self.data_source = _sized("SequentialSampler()", "data_source", data_source)

    def __iter__(self):
        return iter(range(len(self.data_source)))

    def __len__(self):
        return len(self.data_source)


class RandomSampler(Sampler):
    """A random permutation of the indices (or, with replacement, `num_samples` uniform draws).

    Without replacement and `num_samples > len(data_source)`, whole permutations are
    concatenated and the last one truncated, as PyTorch does."""

    def __init__(self, data_source, replacement=False, num_samples=None, generator=None):
        if not isinstance(replacement, bool):
            raise TypeError(f"RandomSampler(): replacement should be a boolean value, but got "
                            f"replacement={replacement!r}")
        self.data_source = _sized("RandomSampler()", "data_source", data_source)
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        _positive_int("RandomSampler()", "num_samples", self.num_samples)

    @property
    def num_samples(self):
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self):
        n = len(self.data_source)
        m = self.num_samples
        g = worker_rng(self.generator)
        if self.replacement:
            idx = g.integers(0, n, size=m)
        else:
            parts = [g.permutation(n) for _ in range(m // n)]
            if m % n:
                parts.append(g.permutation(n)[:m % n])
            idx = np.concatenate(parts) if parts else np.zeros(0, np.int64)
        return iter(idx.tolist())

    def __len__(self):
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given indices, in a random order drawn each epoch."""

    def __init__(self, indices, generator=None):
        if isinstance(indices, (str, bytes)) or not hasattr(indices, "__getitem__") or \
                not hasattr(indices, "__len__"):
            raise TypeError(f"SubsetRandomSampler(): argument 'indices' must be a sequence of ints, got "
                            f"{type(indices).__name__}")
        arr = np.asarray(getattr(indices, "_data", indices))
        if arr.size and arr.dtype.kind not in "iu":
            raise TypeError(f"SubsetRandomSampler(): argument 'indices' must hold ints, got {arr.dtype} values "
                            f"such as {arr.reshape(-1)[0]!r}")
        self.indices = indices
        self.generator = generator

    def __iter__(self):
        perm = worker_rng(self.generator).permutation(len(self.indices)).tolist()
        return iter([self.indices[i] for i in perm])

    def __len__(self):
        return len(self.indices)


class WeightedRandomSampler(Sampler):
    """`num_samples` indices drawn with probabilities proportional to `weights`."""

    def __init__(self, weights, num_samples, replacement=True, generator=None):
        num_samples = _positive_int("WeightedRandomSampler()", "num_samples", num_samples)
        if not isinstance(replacement, bool):
            raise ValueError(f"WeightedRandomSampler(): replacement should be a boolean value, but "
                             f"got replacement={replacement!r}")
        try:
            w = np.asarray(getattr(weights, "_data", weights), dtype=np.float64)
        except (TypeError, ValueError) as e:
            raise TypeError(f"WeightedRandomSampler(): argument 'weights' must be a 1-D sequence of numbers, got "
                            f"{weights!r:.40} ({e})") from None
        if w.ndim != 1:
            raise ValueError(f"WeightedRandomSampler(): weights should be a 1-D sequence, got shape "
                             f"{w.shape}")
        bad = w[~(np.isfinite(w) & (w >= 0))]
        if bad.size or w.sum() <= 0:
            raise ValueError(f"WeightedRandomSampler(): weights must be finite, non-negative and not "
                             f"all zero, got {bad[0] if bad.size else 'all zeros'} in argument 'weights'")
        if not replacement and num_samples > np.count_nonzero(w):
            raise ValueError(f"WeightedRandomSampler(): cannot draw num_samples={num_samples} without "
                             f"replacement from {np.count_nonzero(w)} non-zero weights")
        self.weights = w
        self.num_samples = num_samples
        self.replacement = replacement
        self.generator = generator

    def __iter__(self):
        p = self.weights / self.weights.sum()
        idx = worker_rng(self.generator).choice(len(p), size=self.num_samples,
                                                replace=self.replacement, p=p)
        return iter(idx.tolist())

    def __len__(self):
        return self.num_samples


class BatchSampler(Sampler):
    """Groups the indices of `sampler` into lists of `batch_size` (the last one shorter unless
    `drop_last`)."""

    def __init__(self, sampler, batch_size, drop_last):
        _iterable("BatchSampler()", "sampler", sampler)
        self.batch_size = _positive_int("BatchSampler()", "batch_size", batch_size)
        if not isinstance(drop_last, bool):
            raise ValueError(f"BatchSampler(): drop_last should be a boolean value, but got "
                             f"drop_last={drop_last!r}")
        self.sampler = sampler
        self.drop_last = drop_last

    def __iter__(self):
        # iter(sampler) runs now, so a random sampler draws its permutation at epoch start
        return self._batches(iter(self.sampler))

    def _batches(self, it):
        bs = self.batch_size
        while True:
            batch = list(itertools.islice(it, bs))
            if not batch or (self.drop_last and len(batch) < bs):
                return
            yield batch
            if len(batch) < bs:
                return

    def __len__(self):
        n = len(self.sampler)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
