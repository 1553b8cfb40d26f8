"""Datasets: the map-style `Dataset` protocol and its combinators (PyTorch's semantics).

A map-style dataset implements `__getitem__(i)` and `__len__()`. It may also implement
`__getitems__(indices)`, which the DataLoader then calls with a whole batch of indices at once
(PyTorch 2.x does the same); it returns a sequence of samples. Datasets that can produce a batch
faster than sample-by-sample (TensorDataset, CIFAR10, MNIST) return a `StackedSamples`: a
sequence that still behaves like a list of per-sample tuples (so any collate_fn works), but
carries the batch already stacked so `default_collate` returns it without re-stacking.
"""
import bisect
import itertools
import math
import numbers
import warnings

import numpy as np

from ..tensor import Tensor
from ._worker import worker_rng

__all__ = ["Dataset", "IterableDataset", "TensorDataset", "Subset", "ConcatDataset", "ChainDataset",
           "StackedSamples", "random_split"]


class Dataset:
    """Base class of map-style datasets: override `__getitem__` and `__len__`."""

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must implement __getitem__")

    def __add__(self, other):
        return ConcatDataset([self, other])


class IterableDataset(Dataset):
    """Base class of stream-style datasets: override `__iter__`. The DataLoader batches what it
    yields; inside worker threads use `get_worker_info()` to split the stream between workers."""

    def __iter__(self):
        raise NotImplementedError(f"{type(self).__name__} must implement __iter__")

    def __add__(self, other):
        return ChainDataset([self, other])


class StackedSamples:
    """A batch of samples stored column-wise.

    `columns[k]` holds field k of every sample: either stacked (a numpy array or Tensor whose
    first dimension is the batch) or a plain list of per-sample values. Indexing gives the
    per-sample tuple (or the bare value when `as_tuple` is False), so code that expects a list
    of samples works unchanged; `default_collate` uses the stacked columns directly.
    """

    __slots__ = ("columns", "as_tuple", "_n")

    def __init__(self, columns, as_tuple=True):
        columns = list(columns)
        if not columns:
            raise ValueError("StackedSamples(): columns must not be empty")
        lengths = {len(c) for c in columns}
        if len(lengths) != 1:
            raise ValueError(f"StackedSamples(): all columns need the same length, got {sorted(lengths)}")
        if not as_tuple and len(columns) != 1:
            raise ValueError("StackedSamples(): as_tuple=False needs exactly one column")
        self.columns = columns
        self.as_tuple = as_tuple
        self._n = lengths.pop()

    def __len__(self):
        return self._n

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(self._n))]
        if not -self._n <= i < self._n:
            raise IndexError(f"StackedSamples: index {i} out of range for a batch of {self._n}")
        if self.as_tuple:
            return tuple(c[i] for c in self.columns)
        return self.columns[0][i]

    def __iter__(self):
        return (self[i] for i in range(self._n))

    def __repr__(self):
        return f"StackedSamples(n={self._n}, columns={len(self.columns)})"


def _check_index(owner, index, n):
    """IndexError naming the dataset for an int index outside [-n, n); TypeError for a float or
    string index (tensors, arrays and slices pass on to tensor indexing)."""
    if isinstance(index, (numbers.Integral, np.integer)) and not isinstance(index, (bool, np.bool_)):
        if not -n <= index < n:
            raise IndexError(f"{owner}: index {index} is out of range for a dataset of {n} samples")
    elif isinstance(index, (numbers.Number, str, bytes, np.generic)):
        raise TypeError(f"{owner}: index must be an integer, got {index!r:.40} ({type(index).__name__})")


def _check_indices(owner, indices, n):
    idx = np.asarray(indices).reshape(-1)
    if idx.size and idx.dtype.kind not in "iu":
        bad = next((v for v in idx if not isinstance(v, (numbers.Integral, np.integer))
                    or isinstance(v, (bool, np.bool_))), idx[0])
        raise TypeError(f"{owner}: indices must be integers, got {bad!r:.40} ({type(bad).__name__}) "
                        f"among {idx.size} indices")
    if idx.size and (idx.min() < -n or idx.max() >= n):
        bad = idx[(idx < -n) | (idx >= n)][0]
        raise IndexError(f"{owner}: index {bad!r} is out of range for a dataset of {n} samples")
    return idx


def _len_of(owner, argname, obj):
    try:
        return len(obj)
    except TypeError:
        raise TypeError(f"{owner}: argument '{argname}' must be a sized dataset or sequence (with __len__), got "
                        f"{type(obj).__name__}") from None


class TensorDataset(Dataset):
    """Samples are `tuple(t[i] for t in tensors)`; all tensors share their first dimension."""

    def __init__(self, *tensors):
        if not tensors:
            raise ValueError("TensorDataset(): needs at least one tensor")
        for k, t in enumerate(tensors):
            if not isinstance(t, Tensor):
                raise TypeError(f"TensorDataset(): argument {k} must be a Tensor, got {type(t).__name__}")
            if t.dim() == 0:
                raise ValueError(f"TensorDataset(): tensor {k} is 0-dimensional; it needs a first "
                                 "(sample) dimension")
        n = tensors[0].shape[0]
        for k, t in enumerate(tensors):
            if t.shape[0] != n:
                raise ValueError(f"TensorDataset(): size mismatch between tensors: tensor 0 has "
                                 f"{n} samples (shape {tuple(tensors[0].shape)}) but tensor {k} has "
                                 f"{t.shape[0]} (shape {tuple(t.shape)})")
        self.tensors = tensors

    def __getitem__(self, index):
        _check_index("TensorDataset", index, len(self))
        return tuple(t[index] for t in self.tensors)

    def __getitems__(self, indices):
        if any(t.requires_grad for t in self.tensors):
            return [self[i] for i in indices]                # keep autograd through indexing
        idx = _check_indices("TensorDataset", indices, len(self)).astype(np.intp)
        return StackedSamples([Tensor._wrap(t._data[idx]) for t in self.tensors])

    def __len__(self):
        return self.tensors[0].shape[0]


class Subset(Dataset):
    """The samples of `dataset` at `indices`, in that order."""

    def __init__(self, dataset, indices):
        if isinstance(indices, (str, bytes)) or not hasattr(indices, "__getitem__") or \
                not hasattr(indices, "__len__"):
            raise TypeError(f"Subset(): argument 'indices' must be a sequence of ints, got "
                            f"{type(indices).__name__}")
        self.dataset = dataset
        self.indices = indices

    def __getitem__(self, idx):
        if isinstance(idx, list):
            _check_indices("Subset", idx, len(self))
            return self.dataset[[self.indices[i] for i in idx]]
        _check_index("Subset", idx, len(self))
        return self.dataset[self.indices[idx]]

    def __getitems__(self, indices):
        _check_indices("Subset", indices, len(self))
        mapped = [self.indices[i] for i in indices]
        getitems = getattr(self.dataset, "__getitems__", None)
        if getitems is not None:
            return getitems(mapped)
        return [self.dataset[i] for i in mapped]

    def __len__(self):
        return len(self.indices)


class ConcatDataset(Dataset):
    """The concatenation of several map-style datasets."""

    def __init__(self, datasets):
        if isinstance(datasets, (str, bytes, Dataset)) or not hasattr(datasets, "__iter__"):
            raise TypeError(f"ConcatDataset(): argument 'datasets' must be an iterable of datasets, got "
                            f"{type(datasets).__name__}")
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("ConcatDataset(): datasets should not be an empty iterable (argument 'datasets' "
                             "is empty)")
        for k, d in enumerate(self.datasets):
            if isinstance(d, IterableDataset):
                raise TypeError(f"ConcatDataset(): dataset {k} is an IterableDataset; "
                                "use ChainDataset for those")
            if not (hasattr(d, "__getitem__") and hasattr(d, "__len__")):
                raise TypeError(f"ConcatDataset(): argument 'datasets' holds a {type(d).__name__} at index {k}, "
                                f"not a map-style dataset (with __getitem__ and __len__)")
        self.cumulative_sizes = list(itertools.accumulate(len(d) for d in self.datasets))

    def __len__(self):
        return self.cumulative_sizes[-1]

    def __getitem__(self, idx):
        n = len(self)
        if isinstance(idx, bool) or not isinstance(idx, numbers.Integral):
            raise TypeError(f"ConcatDataset: index must be an integer, got {type(idx).__name__}")
        idx = int(idx)
        if idx < 0:
            if -idx > n:
                raise ValueError(f"ConcatDataset: absolute value of index {idx} should not exceed "
                                 f"dataset length {n}")
            idx += n
        if idx >= n:
            raise IndexError(f"ConcatDataset: index {idx} is out of range for length {n}")
        d = bisect.bisect_right(self.cumulative_sizes, idx)
        start = self.cumulative_sizes[d - 1] if d > 0 else 0
        return self.datasets[d][idx - start]


class ChainDataset(IterableDataset):
    """Iterates several iterable datasets one after the other."""

    def __init__(self, datasets):
        self.datasets = list(datasets)

    def __iter__(self):
        for k, d in enumerate(self.datasets):
            if not isinstance(d, IterableDataset):
                raise TypeError(f"ChainDataset: dataset {k} of argument 'datasets' is not an IterableDataset "
                                f"(got {type(d).__name__})")
            yield from d

    def __len__(self):
        return sum(len(d) for d in self.datasets)


def random_split(dataset, lengths, generator=None):
    """Split `dataset` into non-overlapping random `Subset`s of the given lengths.

    `lengths` are either counts summing to `len(dataset)` or fractions summing to 1 (then each
    split gets floor(frac * n) items and the remainder is handed out one by one, round robin,
    from the first split on, as PyTorch does). The permutation comes from tensorlite's rng
    (`tl.manual_seed`) or from `generator`.
    """
    if isinstance(lengths, (str, bytes)) or not hasattr(lengths, "__iter__"):
        raise TypeError(f"random_split(): argument 'lengths' must be a sequence of ints or fractions, got "
                        f"{lengths!r:.40}")
    lengths = list(lengths)
    n = _len_of("random_split()", "dataset", dataset)
    total = sum(lengths)
    if math.isclose(total, 1) and total <= 1:
        counts = []
        for i, frac in enumerate(lengths):
            if frac < 0 or frac > 1:
                raise ValueError(f"random_split(): fraction at index {i} is not between 0 and 1: {frac}")
            counts.append(math.floor(n * frac))
        for i in range(n - sum(counts)):
            counts[i % len(counts)] += 1
        for i, c in enumerate(counts):
            if c == 0:
                warnings.warn(f"random_split(): length of split at index {i} is 0; this might result "
                              "in an empty dataset", stacklevel=2)
        lengths = counts
    for i, c in enumerate(lengths):
        if isinstance(c, bool) or not isinstance(c, numbers.Integral) or c < 0:
            raise ValueError(f"random_split(): argument 'lengths' must be non-negative integers or fractions "
                             f"summing to 1; got {lengths[i]!r} at index {i}")
    if sum(lengths) != n:
        raise ValueError(f"random_split(): sum of input lengths ({sum(lengths)}) does not equal the "
                         f"length of the input dataset ({n})")
    perm = worker_rng(generator).permutation(n).tolist()
    out, offset = [], 0
    for c in lengths:
        out.append(Subset(dataset, perm[offset:offset + int(c)]))
        offset += int(c)
    return out
