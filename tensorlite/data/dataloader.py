"""DataLoader, default_collate and default_convert (PyTorch's semantics).

Order and reproducibility: the shuffle permutation of an epoch is drawn from tensorlite's rng
(or from `generator`) when the epoch's iterator is created, i.e. at `iter(loader)` / the start
of a `for` loop. `tl.manual_seed(s)` before the loop therefore fixes the epoch's order.

Batches are fetched through `dataset.__getitems__(indices)` when the dataset has it (one call per
batch; PyTorch 2.x does the same), else `[dataset[i] for i in indices]`, then `collate_fn`.

Workers (`num_workers > 0`) are threads, not processes: each worker thread fetches and collates
whole batches ahead of the training loop (up to `prefetch_factor` batches per worker), which
overlaps the numpy/Numba work of data preparation (it releases the GIL) with the training step.
Batch k is fetched by worker k % num_workers and batches are returned in order, as PyTorch does.
Each worker owns a `tensorlite.Generator` seeded with `base_seed + worker_id`, where `base_seed`
is drawn from tensorlite's rng (or `generator`) when the epoch starts; random transforms running
in a worker draw from it (see `get_worker_info()`), so augmentation is reproducible under
`tl.manual_seed` too (the augmentation stream differs between num_workers settings, as in
PyTorch). `worker_init_fn(worker_id)` runs in each worker thread before its first batch.
`persistent_workers=True` keeps the threads (and their generators) across epochs.
`pin_memory` is accepted and does nothing (CPU only); `timeout` bounds the wait for a batch.
"""
import collections.abc
import copy
import itertools
import numbers
import queue
import threading
import time

import numpy as np

from .. import dtypes
from ..errors import ShapeError
from ..random import Generator
from .. import ops
from ..tensor import Tensor
from ._worker import WorkerInfo, _set_worker_info, get_worker_info, worker_rng
from .dataset import IterableDataset, StackedSamples
from .sampler import BatchSampler, RandomSampler, SequentialSampler

__all__ = ["DataLoader", "default_collate", "default_convert", "get_worker_info"]

_STRING_KINDS = "SaUO"


def _np_to_tensor(arr, fname):
    if arr.dtype.char in _STRING_KINDS:
        raise TypeError(f"{fname}: batch must contain tensors, numpy arrays, numbers, dicts or lists; "
                        f"found numpy array of dtype {arr.dtype}")
    if not arr.dtype.isnative:
        arr = arr.astype(arr.dtype.newbyteorder("="))
    dtypes.from_numpy(arr.dtype)          # raises, naming the dtype, for dtypes tensorlite lacks
    return Tensor._wrap(arr if arr.flags.c_contiguous else np.array(arr, order="C"))


def _stack_arrays(arrays, fname):
    shape0 = arrays[0].shape
    for k, a in enumerate(arrays):
        if a.shape != shape0:
            raise ShapeError(f"{fname}: stack expects each tensor to be equal size, but got "
                             f"{list(shape0)} at entry 0 and {list(a.shape)} at entry {k}")
    return np.stack(arrays)


def _collate_stacked(batch):
    out = []
    for col in batch.columns:
        if isinstance(col, Tensor):
            out.append(col)
        elif isinstance(col, np.ndarray):
            out.append(_np_to_tensor(col, "default_collate()"))
        else:
            out.append(default_collate(list(col)))
    return out if batch.as_tuple else out[0]


def _same_mapping(like, fields):
    """`fields` in a mapping of the type of `like` (a copy of it, updated, when it is mutable), as
    PyTorch does; a plain dict when that type cannot be built that way."""
    if isinstance(like, collections.abc.MutableMapping):
        try:
            clone = copy.copy(like)
            clone.update(fields)
            return clone
        except TypeError:
            return fields
    try:
        return type(like)(fields)
    except TypeError:
        return fields


def default_collate(batch):
    """Merge a list of samples into a batch, as `torch.utils.data.default_collate`.

    Tensors and numpy arrays are stacked along a new first dimension; Python ints become an int64
    tensor, floats a float64 tensor, bools a bool tensor; numpy scalars keep their dtype; strings
    stay a list; dicts, namedtuples and sequences are collated field by field (a tuple sample gives
    a list, as in PyTorch)."""
    if isinstance(batch, StackedSamples):
        return _collate_stacked(batch)
    if len(batch) == 0:
        raise ValueError("default_collate(): got an empty batch")
    elem = batch[0]
    if isinstance(elem, Tensor):
        if any(t.requires_grad for t in batch if isinstance(t, Tensor)):
            return ops.stack(list(batch), 0)
        return Tensor._wrap(_stack_arrays([t._data for t in batch], "default_collate()"))
    if isinstance(elem, np.ndarray):
        if elem.dtype.char in _STRING_KINDS:
            raise TypeError(f"default_collate(): batch must contain tensors, numpy arrays, numbers, "
                            f"dicts or lists; found numpy array of dtype {elem.dtype}")
        return _np_to_tensor(_stack_arrays([np.asarray(b) for b in batch], "default_collate()"),
                             "default_collate()")
    if isinstance(elem, np.generic):
        if elem.dtype.char in _STRING_KINDS:
            return list(batch)
        return _np_to_tensor(np.array(batch, dtype=elem.dtype), "default_collate()")
    if isinstance(elem, bool):
        return Tensor._wrap(np.array(batch, dtype=np.bool_))
    if isinstance(elem, numbers.Integral):
        return Tensor._wrap(np.array(batch, dtype=np.int64))
    if isinstance(elem, float):
        return Tensor._wrap(np.array(batch, dtype=np.float64))
    if isinstance(elem, (str, bytes)):
        return list(batch)
    if isinstance(elem, collections.abc.Mapping):
        return _same_mapping(elem, {key: default_collate([d[key] for d in batch]) for key in elem})
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):          # namedtuple
        return type(elem)(*(default_collate(list(s)) for s in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        n = len(elem)
        if any(len(s) != n for s in batch):
            raise RuntimeError("default_collate(): each element in list of batch should be of equal "
                               f"size, got lengths {sorted({len(s) for s in batch})}")
        fields = [default_collate(list(s)) for s in zip(*batch)]
        if isinstance(elem, tuple):
            return fields                                             # PyTorch returns a list
        try:
            return type(elem)(fields)
        except TypeError:
            return fields
    raise TypeError(f"default_collate(): batch must contain tensors, numpy arrays, numbers, dicts or "
                    f"lists; found {type(elem)}")


def default_convert(data):
    """Convert numpy arrays (and numpy scalars) inside `data` to tensors, leaving the rest; used
    when automatic batching is off (`batch_size=None`)."""
    if isinstance(data, Tensor):
        return data
    if isinstance(data, (np.ndarray, np.generic)):
        if data.dtype.char in _STRING_KINDS:
            return data
        return _np_to_tensor(np.asarray(data), "default_convert()")
    if isinstance(data, collections.abc.Mapping):
        return _same_mapping(data, {k: default_convert(v) for k, v in data.items()})
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        try:
            return type(data)([default_convert(d) for d in data])
        except TypeError:
            return [default_convert(d) for d in data]
    return data


# ------------------------------------------------------------------------------------------------
# fetching one batch


class _Fetcher:
    """Turns what the index sampler yields into a collated batch."""

    def __init__(self, loader):
        self.dataset = loader.dataset
        self.auto_collation = loader._auto_collation
        self.collate_fn = loader.collate_fn
        self.batch_size = loader.batch_size
        self.drop_last = loader.drop_last
        self.iterable = isinstance(loader.dataset, IterableDataset)
        self._it = None
        sampler = loader.batch_sampler
        if sampler is None or getattr(sampler, "sampler", None) is loader.sampler:
            sampler = loader.sampler              # the user's sampler, not the automatic BatchSampler
        self.sampler_name = type(sampler).__name__ if sampler is not None else None

    def reset(self):
        if self.iterable:
            self._it = iter(self.dataset)

    def fetch(self, index):
        """A collated batch, or raises StopIteration when an iterable dataset is exhausted."""
        if self.iterable:
            if self.auto_collation:
                data = list(itertools.islice(self._it, self.batch_size))
                if not data or (self.drop_last and len(data) < self.batch_size):
                    raise StopIteration
            else:
                data = next(self._it)
            return self.collate_fn(data)
        try:
            if self.auto_collation:
                getitems = getattr(self.dataset, "__getitems__", None)
                if getitems is not None:
                    data = getitems(index)
                else:
                    data = [self.dataset[i] for i in index]
            else:
                data = self.dataset[index]
        except TypeError as e:
            if self.sampler_name and str(e).startswith(type(self.dataset).__name__ + ": ind"):
                # a tensorlite dataset refused the index: say which sampler produced it
                raise TypeError(f"DataLoader: the sampler ({self.sampler_name}) yielded {index!r:.60}, "
                                f"which {e}") from None
            raise
        return self.collate_fn(data)


class _SingleProcessIter:
    def __init__(self, loader):
        self._loader = loader
        self._index_iter = iter(loader._index_sampler) if loader._index_sampler is not None else None
        self._fetcher = _Fetcher(loader)
        self._fetcher.reset()
        self._done = False
        self._yielded = 0

    def __iter__(self):
        return self

    def __next__(self):
        if self._done:
            raise StopIteration
        try:
            index = next(self._index_iter) if self._index_iter is not None else None
            batch = self._fetcher.fetch(index)
        except StopIteration:
            self._done = True
            raise
        self._yielded += 1
        return batch

    def __len__(self):
        return len(self._loader)


# ------------------------------------------------------------------------------------------------
# worker threads

_SHUTDOWN = object()
_POLL_S = 0.1         # how often a waiting main thread checks that the worker is still alive


class _ExceptionWrapper:
    __slots__ = ("exc", "worker_id")

    def __init__(self, exc, worker_id):
        self.exc = exc
        self.worker_id = worker_id


class _Exhausted:
    """An iterable dataset's stream ended in this worker."""


class _WorkerPool:
    """`num_workers` threads, each with an input and an output queue. The threads hold no
    reference to the DataLoader, so dropping the loader shuts its workers down."""

    def __init__(self, loader, base_seed):
        self.num_workers = loader.num_workers
        self.base_seed = base_seed
        self.in_qs = [queue.SimpleQueue() for _ in range(self.num_workers)]
        self.out_qs = [queue.SimpleQueue() for _ in range(self.num_workers)]
        self.threads = []
        self.alive = True
        for w in range(self.num_workers):
            args = (w, self.num_workers, base_seed + w, loader.dataset, _Fetcher(loader),
                    loader.worker_init_fn, self.in_qs[w], self.out_qs[w])
            t = threading.Thread(target=_worker_loop, args=args, daemon=True,
                                 name=f"tensorlite-DataLoader-worker-{w}")
            t.start()
            self.threads.append(t)

    def shutdown(self):
        if self.alive:
            self.alive = False
            for q in self.in_qs:
                q.put(_SHUTDOWN)

    def __del__(self):
        self.shutdown()


def _worker_loop(w, num_workers, seed, dataset, fetcher, worker_init_fn, in_q, out_q):
    gen = Generator().manual_seed(seed)
    _set_worker_info(WorkerInfo(w, num_workers, seed, dataset, gen))
    init_error = None
    if worker_init_fn is not None:
        try:
            worker_init_fn(w)
        except BaseException as e:          # noqa: BLE001 -- shipped to the main thread
            init_error = e
    epoch = None
    while True:
        task = in_q.get()
        if task is _SHUTDOWN:
            break
        tag, index = task
        if init_error is not None:
            out_q.put((tag, _ExceptionWrapper(init_error, w)))
            continue
        try:
            if tag != epoch:
                epoch = tag
                fetcher.reset()
            result = fetcher.fetch(index)
        except StopIteration:
            result = _Exhausted()
        except BaseException as e:          # noqa: BLE001
            result = _ExceptionWrapper(e, w)
        out_q.put((tag, result))
    _set_worker_info(None)


class _ThreadedIter:
    _epoch_counter = itertools.count()

    def __init__(self, loader, pool=None):
        self._loader = loader
        self._index_iter = iter(loader._index_sampler) if loader._index_sampler is not None else None
        self._tag = next(self._epoch_counter)
        if pool is None:
            base_seed = int(worker_rng(loader.generator).integers(0, 2 ** 62))
            pool = _WorkerPool(loader, base_seed)
            self._owns_pool = True
        else:
            self._owns_pool = False
        self._pool = pool
        self._n = loader.num_workers
        self._active = [True] * self._n
        self._next_worker = itertools.cycle(range(self._n))
        self._pending = collections.deque()        # worker ids, in dispatch order
        self._sampler_done = False
        self._timeout = loader.timeout if loader.timeout > 0 else None
        for _ in range(loader.prefetch_factor * self._n):
            if not self._dispatch():
                break

    def _dispatch(self):
        if self._sampler_done or not any(self._active):
            return False
        index = None
        if self._index_iter is not None:
            try:
                index = next(self._index_iter)
            except StopIteration:
                self._sampler_done = True
                return False
        while True:
            w = next(self._next_worker)
            if self._active[w]:
                break
        self._pool.in_qs[w].put((self._tag, index))
        self._pending.append(w)
        return True

    def __iter__(self):
        return self

    def _get(self, w):
        # Wait in short slices so that a worker thread that died (killed by an asynchronous
        # exception, or by an error outside its fetch) raises here instead of hanging forever.
        deadline = None if self._timeout is None else time.monotonic() + self._timeout
        out_q, thread = self._pool.out_qs[w], self._pool.threads[w]
        while True:
            wait = _POLL_S if deadline is None else min(_POLL_S, max(deadline - time.monotonic(), 0.0))
            try:
                tag, result = out_q.get(timeout=wait)
            except queue.Empty:
                if not thread.is_alive() and out_q.empty():
                    self._shutdown()
                    raise RuntimeError(f"DataLoader worker {w} ({thread.name}) exited unexpectedly "
                                       f"without returning its batch") from None
                if deadline is not None and time.monotonic() >= deadline:
                    self._shutdown()
                    raise RuntimeError(f"DataLoader timed out after {self._loader.timeout} seconds "
                                       f"waiting for a batch from worker {w}") from None
                continue
            if tag == self._tag:
                return result                      # results of an abandoned epoch are dropped

    def __next__(self):
        while self._pending:
            w = self._pending.popleft()
            result = self._get(w)
            if isinstance(result, _Exhausted):
                self._active[w] = False            # that worker's stream ended; others go on
                self._dispatch()
                continue
            if isinstance(result, _ExceptionWrapper):
                self._shutdown()
                exc = result.exc
                if hasattr(exc, "add_note"):
                    exc.add_note(f"(raised in DataLoader worker thread {result.worker_id})")
                raise exc
            self._dispatch()
            return result
        self._shutdown()
        raise StopIteration

    def __len__(self):
        return len(self._loader)

    def _shutdown(self):
        self._pending.clear()
        self._sampler_done = True
        if self._owns_pool:
            self._pool.shutdown()

    def __del__(self):
        try:
            self._shutdown()
        except Exception:                          # noqa: BLE001 -- interpreter teardown
            pass


# ------------------------------------------------------------------------------------------------


class _InfiniteConstantSampler:
    def __iter__(self):
        return itertools.repeat(None)


class DataLoader:
    """Iterate over a dataset in (optionally shuffled) batches, with PyTorch's arguments.

    See the module docstring for how order, randomness and workers behave."""

    _frozen_attrs = ("batch_size", "batch_sampler", "sampler", "drop_last", "dataset",
                     "persistent_workers")

    def __init__(self, dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None,
                 num_workers=0, collate_fn=None, pin_memory=False, drop_last=False, timeout=0,
                 worker_init_fn=None, multiprocessing_context=None, generator=None, *,
                 prefetch_factor=None, persistent_workers=False, pin_memory_device="",
                 in_order=True):
        if isinstance(num_workers, bool) or not isinstance(num_workers, numbers.Integral) or num_workers < 0:
            raise ValueError(f"DataLoader(): num_workers option should be a non-negative integer; use "
                             f"num_workers=0 to load in the calling thread; got num_workers={num_workers!r}")
        if not isinstance(timeout, numbers.Real) or timeout < 0:
            raise ValueError(f"DataLoader(): timeout option should be non-negative, got timeout={timeout!r}")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError("DataLoader(): prefetch_factor option could only be specified with "
                             f"num_workers > 0; got prefetch_factor={prefetch_factor!r} with num_workers=0")
        if num_workers > 0 and prefetch_factor is None:
            prefetch_factor = 2
        if prefetch_factor is not None and (isinstance(prefetch_factor, bool)
                                            or not isinstance(prefetch_factor, numbers.Integral)
                                            or prefetch_factor < 1):
            raise ValueError(f"DataLoader(): prefetch_factor option should be a positive integer, got "
                             f"prefetch_factor={prefetch_factor!r}")
        if persistent_workers and num_workers == 0:
            raise ValueError("DataLoader(): persistent_workers option needs num_workers > 0")
        if batch_size is not None and (isinstance(batch_size, bool) or not isinstance(batch_size, numbers.Integral)
                                       or batch_size <= 0):
            raise ValueError(f"DataLoader(): batch_size should be a positive integer value or None, but "
                             f"got batch_size={batch_size!r}")
        if not isinstance(drop_last, bool):
            raise ValueError(f"DataLoader(): drop_last should be a boolean value, but got drop_last={drop_last!r}")

        if isinstance(dataset, IterableDataset):
            if shuffle not in (None, False):
                raise ValueError(f"DataLoader(): with an IterableDataset, expected unspecified shuffle "
                                 f"option, but got shuffle={shuffle!r}")
            if sampler is not None:
                raise ValueError(f"DataLoader(): with an IterableDataset, expected unspecified sampler "
                                 f"option, but got sampler={sampler!r}")
            if batch_sampler is not None:
                raise ValueError(f"DataLoader(): with an IterableDataset, expected unspecified "
                                 f"batch_sampler option, but got batch_sampler={batch_sampler!r}")
        else:
            shuffle = bool(shuffle)
            if not hasattr(dataset, "__getitem__"):
                raise TypeError(f"DataLoader(): dataset must implement __getitem__ (map-style) or be an "
                                f"IterableDataset; got {type(dataset).__name__}")
        for name, value in (("sampler", sampler), ("batch_sampler", batch_sampler)):
            if value is not None and (isinstance(value, (str, bytes)) or not hasattr(value, "__iter__")):
                raise TypeError(f"DataLoader(): argument '{name}' must be an iterable of indices (a Sampler) or "
                                f"None, got {type(value).__name__}")
        for name, value in (("collate_fn", collate_fn), ("worker_init_fn", worker_init_fn)):
            if value is not None and not callable(value):
                raise TypeError(f"DataLoader(): argument '{name}' must be callable or None, got "
                                f"{type(value).__name__}")
        if sampler is not None and shuffle:
            raise ValueError(f"DataLoader(): sampler option is mutually exclusive with shuffle (got "
                             f"shuffle={shuffle!r})")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("DataLoader(): batch_sampler option is mutually exclusive with "
                                 "batch_size, shuffle, sampler, and drop_last")
            batch_size = None
            drop_last = False
        elif batch_size is None and drop_last:
            raise ValueError("DataLoader(): batch_size=None option disables auto-batching and is "
                             "mutually exclusive with drop_last")

        if sampler is None:
            if isinstance(dataset, IterableDataset):
                sampler = _InfiniteConstantSampler()
            elif shuffle:
                sampler = RandomSampler(dataset, generator=generator)
            else:
                sampler = SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)

        d = self.__dict__
        d["dataset"] = dataset
        d["batch_size"] = batch_size
        d["drop_last"] = drop_last
        d["sampler"] = sampler
        d["batch_sampler"] = batch_sampler
        d["persistent_workers"] = persistent_workers
        self.num_workers = int(num_workers)
        self.prefetch_factor = prefetch_factor
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.generator = generator
        self.in_order = in_order
        if collate_fn is None:
            collate_fn = default_collate if self._auto_collation else default_convert
        self.collate_fn = collate_fn
        self._pool = None

    def __setattr__(self, name, value):
        if name in self._frozen_attrs:
            raise ValueError(f"DataLoader: {name} attribute should not be set after the DataLoader is "
                             "initialized")
        super().__setattr__(name, value)

    @property
    def _auto_collation(self):
        return self.batch_sampler is not None

    @property
    def _index_sampler(self):
        if isinstance(self.dataset, IterableDataset):
            return None
        return self.batch_sampler if self._auto_collation else self.sampler

    def __iter__(self):
        if self.num_workers == 0:
            return _SingleProcessIter(self)
        if self.persistent_workers:
            if self._pool is None:
                base_seed = int(worker_rng(self.generator).integers(0, 2 ** 62))
                self._pool = _WorkerPool(self, base_seed)
            return _ThreadedIter(self, self._pool)
        return _ThreadedIter(self)

    def __len__(self):
        if isinstance(self.dataset, IterableDataset):
            n = len(self.dataset)
            if self.batch_size is not None:
                n = n // self.batch_size if self.drop_last else -(-n // self.batch_size)
            return n
        return len(self._index_sampler)

    def __del__(self):
        pool = self.__dict__.get("_pool")
        if pool is not None:
            pool.shutdown()
