"""tensorlite.data: datasets, samplers, default_collate and the DataLoader, against PyTorch's
torch.utils.data where torch is installed."""
import collections
import threading
import time
import warnings

import numpy as np
import pytest

import tensorlite as tl
from tensorlite.data import (BatchSampler, ChainDataset, ConcatDataset, DataLoader, Dataset,
                             IterableDataset, RandomSampler, SequentialSampler, StackedSamples,
                             Subset, SubsetRandomSampler, TensorDataset, WeightedRandomSampler,
                             default_collate, default_convert, get_worker_info, random_split)
from tensorlite.data import transforms as T

from conftest import import_torch


class Range(Dataset):
    """Sample i is i (an int)."""

    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        if not 0 <= i < self.n:
            raise IndexError(i)
        return i


class Pairs(Range):
    """Sample i is (float32 array [i, -i], i)."""

    def __getitem__(self, i):
        return np.array([i, -i], np.float32), i


def values(batch):
    """A tensorlite or torch collated structure as plain Python / numpy, for comparisons."""
    if isinstance(batch, tl.Tensor):
        return ("T", str(batch.dtype).split(".")[-1], batch.numpy().tolist())
    if type(batch).__module__.startswith("torch"):
        return ("T", str(batch.dtype).split(".")[-1], batch.numpy().tolist())
    if isinstance(batch, dict):
        return {k: values(v) for k, v in batch.items()}
    if isinstance(batch, tuple) and hasattr(batch, "_fields"):
        return (type(batch).__name__,) + tuple(values(v) for v in batch)
    if isinstance(batch, (list, tuple)):
        return (type(batch).__name__, [values(v) for v in batch])
    return batch


def flat_order(loader):
    out = []
    for b in loader:
        out.extend(b.numpy().tolist() if isinstance(b, tl.Tensor) else b)
    return out


# ------------------------------------------------------------------------------------------------
# datasets


def test_tensor_dataset():
    x = tl.arange(12).reshape(6, 2)
    y = tl.arange(6)
    ds = TensorDataset(x, y)
    assert len(ds) == 6
    a, b = ds[4]
    assert a.numpy().tolist() == [8, 9] and int(b) == 4
    batch = ds.__getitems__([5, 0, 2])
    assert isinstance(batch, StackedSamples) and len(batch) == 3
    assert batch[0][0].numpy().tolist() == [10, 11] and int(batch[1][1]) == 0
    xb, yb = default_collate(batch)
    assert xb.numpy().tolist() == [[10, 11], [0, 1], [4, 5]] and yb.numpy().tolist() == [5, 0, 2]


def test_tensor_dataset_size_mismatch():
    with pytest.raises(ValueError, match="size mismatch.*tensor 1 has 5"):
        TensorDataset(tl.zeros(4, 2), tl.zeros(5))
    with pytest.raises(ValueError):
        TensorDataset()
    with pytest.raises(TypeError):
        TensorDataset(np.zeros(3))


def test_tensor_dataset_keeps_autograd():
    x = tl.randn(5, 3, requires_grad=True)
    xb, = next(iter(DataLoader(TensorDataset(x), batch_size=5)))
    xb.sum().backward()
    assert np.allclose(x.grad.numpy(), 1.0)


def test_subset_and_concat_vs_torch():
    torch = import_torch()
    import torch.utils.data as tud
    a, b = Range(4), Range(3)
    ours, theirs = ConcatDataset([a, b]), tud.ConcatDataset([a, b])
    assert len(ours) == len(theirs) == 7
    assert [ours[i] for i in range(-7, 7)] == [theirs[i] for i in range(-7, 7)]
    assert ours.cumulative_sizes == theirs.cumulative_sizes
    with pytest.raises(ValueError):
        ours[-8]
    with pytest.raises(IndexError):
        ours[7]
    sub = Subset(Range(10), [9, 3, 3])
    assert len(sub) == 3 and [sub[i] for i in range(3)] == [9, 3, 3]
    assert sub.__getitems__([2, 0]) == [3, 9]
    assert isinstance(a + b, ConcatDataset)
    del torch


def test_subset_delegates_getitems():
    calls = []

    class Batched(Range):
        def __getitems__(self, idx):
            calls.append(list(idx))
            return [i * 10 for i in idx]

    sub = Subset(Batched(10), [7, 8, 9])
    assert [b.numpy().tolist() for b in DataLoader(sub, batch_size=2)] == [[70, 80], [90]]
    assert calls == [[7, 8], [9]]


@pytest.mark.parametrize("lengths", [[3, 7], [0.3, 0.7], [0.5, 0.5], [0.34, 0.33, 0.33], [1 / 3] * 3,
                                     [0.1, 0.9], [10, 0]])
def test_random_split_lengths_like_torch(lengths):
    torch = import_torch()
    n = 10 if sum(lengths) <= 1.01 or sum(lengths) == 10 else sum(lengths)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = random_split(Range(n), lengths)
        theirs = torch.utils.data.random_split(Range(n), lengths)
    assert [len(s) for s in ours] == [len(s) for s in theirs]
    got = sorted(i for s in ours for i in s.indices)
    assert got == list(range(n))


def test_random_split_reproducible_and_errors():
    tl.manual_seed(3)
    a = [s.indices for s in random_split(Range(20), [5, 15])]
    tl.manual_seed(3)
    b = [s.indices for s in random_split(Range(20), [5, 15])]
    assert a == b
    g1, g2 = tl.Generator().manual_seed(1), tl.Generator().manual_seed(1)
    assert ([s.indices for s in random_split(Range(20), [0.5, 0.5], generator=g1)]
            == [s.indices for s in random_split(Range(20), [0.5, 0.5], generator=g2)])
    with pytest.raises(ValueError, match="sum of input lengths"):
        random_split(Range(10), [3, 3])
    with pytest.raises(ValueError, match="between 0 and 1"):
        random_split(Range(10), [1.5, -0.5])
    with pytest.warns(UserWarning, match="length of split at index 1 is 0"):
        random_split(Range(2), [0.99, 0.01])


# ------------------------------------------------------------------------------------------------
# collate


class NT(collections.namedtuple("NT", "a b")):
    pass


COLLATE_CASES = {
    "ints": [1, 2, 3],
    "floats": [1.5, 2.0],
    "bools": [True, False],
    "np_f32_scalars": [np.float32(1.5), np.float32(2)],
    "np_i32_scalars": [np.int32(1), np.int32(-2)],
    "np_f64_arrays": [np.arange(3.0), np.ones(3)],
    "np_u8_images": [np.full((2, 2, 3), 7, np.uint8), np.zeros((2, 2, 3), np.uint8)],
    "np_bool_arrays": [np.array([True, False]), np.array([False, False])],
    "tuples": [(np.zeros(2, np.float32), 1), (np.ones(2, np.float32), 2)],
    "lists": [[1, 2.5], [3, 4.5]],
    "dicts": [{"x": 1, "y": np.zeros(2)}, {"x": 2, "y": np.ones(2)}],
    "strings": ["a", "b"],
    "namedtuple": [NT(1, 2.0), NT(3, 4.0)],
    "nested": [({"k": (1, 2.0)}, [np.int64(3)]), ({"k": (4, 5.0)}, [np.int64(6)])],
}


@pytest.mark.parametrize("case", sorted(COLLATE_CASES))
def test_default_collate_matches_torch(case):
    torch = import_torch()
    batch = COLLATE_CASES[case]
    ours = default_collate(batch)
    theirs = torch.utils.data.default_collate(batch)
    assert values(ours) == values(theirs)


def test_default_collate_tensors_and_errors():
    ts = [tl.ones(2, 3), tl.zeros(2, 3)]
    out = default_collate(ts)
    assert out.shape == (2, 2, 3) and out.dtype == tl.float32
    with pytest.raises(RuntimeError, match="equal size"):
        default_collate([np.zeros(2), np.zeros(3)])
    with pytest.raises(RuntimeError, match="equal size"):
        default_collate([(1, 2), (1,)])
    with pytest.raises(TypeError, match="found"):
        default_collate([object(), object()])
    with pytest.raises(TypeError):
        default_collate([np.array(["a"]), np.array(["b"])])


@pytest.mark.parametrize("case", ["np_f64_arrays", "tuples", "dicts", "strings", "ints", "np_f32_scalars", "namedtuple"])
def test_default_convert_matches_torch(case):
    torch = import_torch()
    for sample in COLLATE_CASES[case]:
        assert values(default_convert(sample)) == values(torch.utils.data.default_convert(sample))


def test_stacked_samples_behave_like_a_list():
    s = StackedSamples([np.arange(6).reshape(3, 2), [10, 11, 12]])
    assert len(s) == 3 and s[1][0].tolist() == [2, 3] and s[-1][1] == 12
    assert [t[1] for t in s] == [10, 11, 12] and len(s[0:2]) == 2
    with pytest.raises(IndexError):
        s[3]
    with pytest.raises(ValueError):
        StackedSamples([np.zeros(2), [1, 2, 3]])
    x, y = default_collate(s)
    assert x.numpy().tolist() == [[0, 1], [2, 3], [4, 5]] and y.dtype == tl.int64


# ------------------------------------------------------------------------------------------------
# DataLoader vs torch


@pytest.mark.parametrize("n,bs,drop_last", [(10, 3, False), (10, 3, True), (9, 3, False), (9, 3, True),
                                            (2, 5, False), (2, 5, True), (7, 1, False), (0, 4, False)])
def test_sequential_batching_like_torch(n, bs, drop_last):
    torch = import_torch()
    ours = DataLoader(Pairs(n), batch_size=bs, drop_last=drop_last)
    theirs = torch.utils.data.DataLoader(Pairs(n), batch_size=bs, drop_last=drop_last)
    assert len(ours) == len(theirs)
    a, b = [values(x) for x in ours], [values(x) for x in theirs]
    assert a == b
    assert len(a) == len(ours)


def test_batch_size_none_like_torch():
    torch = import_torch()
    ours = list(DataLoader(Pairs(3), batch_size=None))
    theirs = list(torch.utils.data.DataLoader(Pairs(3), batch_size=None))
    assert len(DataLoader(Pairs(3), batch_size=None)) == 3
    assert [values(x) for x in ours] == [values(x) for x in theirs]


def test_explicit_sampler_and_batch_sampler_like_torch():
    torch = import_torch()
    order = [5, 1, 4, 0, 3, 2, 6]
    for kwargs in ({"sampler": order, "batch_size": 3}, {"sampler": order, "batch_size": 3, "drop_last": True},
                   {"batch_sampler": [[1, 2], [6], [0, 5, 3]]}):
        ours = [values(x) for x in DataLoader(Range(7), **kwargs)]
        theirs = [values(x) for x in torch.utils.data.DataLoader(Range(7), **kwargs)]
        assert ours == theirs


def test_batch_sampler_like_torch():
    torch = import_torch()
    for n, bs, dl in [(10, 4, False), (10, 4, True), (8, 4, True), (3, 5, False)]:
        ours = BatchSampler(SequentialSampler(range(n)), bs, dl)
        theirs = torch.utils.data.BatchSampler(torch.utils.data.SequentialSampler(range(n)), bs, dl)
        assert list(ours) == list(theirs) and len(ours) == len(theirs)


def _raises_both(exc, torch_kwargs_fn, ours_fn):
    with pytest.raises(exc):
        ours_fn()
    try:
        torch = import_torch()
    except pytest.skip.Exception:
        return
    with pytest.raises(exc):
        torch_kwargs_fn(torch)


BAD_ARGS = [
    {"batch_size": 0}, {"batch_size": -1}, {"batch_size": 2.5},
    {"shuffle": True, "sampler": [0, 1]},
    {"batch_sampler": [[0]], "batch_size": 2},
    {"batch_sampler": [[0]], "shuffle": True},
    {"batch_sampler": [[0]], "drop_last": True},
    {"batch_sampler": [[0]], "sampler": [0]},
    {"batch_size": None, "drop_last": True},
    {"num_workers": -1},
    {"timeout": -1},
    {"prefetch_factor": 2},
    {"persistent_workers": True},
]


@pytest.mark.parametrize("kwargs", BAD_ARGS, ids=lambda k: ",".join(f"{a}={b}" for a, b in k.items()))
def test_bad_arguments_raise_value_error_like_torch(kwargs):
    _raises_both(ValueError, lambda torch: torch.utils.data.DataLoader(Range(4), **kwargs),
                 lambda: DataLoader(Range(4), **kwargs))


def test_bad_sampler_arguments():
    with pytest.raises(ValueError, match="batch_size"):
        BatchSampler(range(3), 0, False)
    with pytest.raises(ValueError, match="drop_last"):
        BatchSampler(range(3), 2, 1)
    with pytest.raises(TypeError, match="replacement"):
        RandomSampler(Range(3), replacement=1)
    with pytest.raises(ValueError, match="num_samples"):
        RandomSampler(Range(3), num_samples=0)
    with pytest.raises(ValueError):
        WeightedRandomSampler([0.0, -1.0], 3)
    with pytest.raises(ValueError):
        WeightedRandomSampler([1.0, 0.0], 2, replacement=False)


def test_frozen_attributes():
    dl = DataLoader(Range(3), batch_size=2)
    with pytest.raises(ValueError, match="batch_size"):
        dl.batch_size = 3
    dl.num_workers = 0                              # not frozen in torch either


# ------------------------------------------------------------------------------------------------
# shuffling and samplers


def test_shuffle_reproducible_under_manual_seed():
    dl = DataLoader(Range(50), batch_size=7, shuffle=True)
    tl.manual_seed(0)
    e1, e2 = flat_order(dl), flat_order(dl)
    tl.manual_seed(0)
    f1, f2 = flat_order(dl), flat_order(dl)
    assert e1 == f1 and e2 == f2
    assert e1 != e2                                     # each epoch draws a new permutation
    assert sorted(e1) == list(range(50)) and e1 != list(range(50))
    tl.manual_seed(1)
    assert flat_order(dl) != e1


def test_shuffle_permutation_drawn_at_epoch_start():
    dl = DataLoader(Range(30), batch_size=4, shuffle=True)
    tl.manual_seed(5)
    it = iter(dl)
    tl.rand(3)                                          # draws after iter() do not change the order
    a = flat_order(it)
    tl.manual_seed(5)
    assert flat_order(dl) == a


def test_shuffle_with_generator_ignores_global_seed():
    g = tl.Generator().manual_seed(42)
    dl = DataLoader(Range(40), batch_size=5, shuffle=True, generator=g)
    tl.manual_seed(0)
    a = flat_order(dl)
    g.manual_seed(42)
    tl.manual_seed(99)
    assert flat_order(dl) == a


def test_random_sampler_semantics():
    tl.manual_seed(0)
    s = RandomSampler(Range(5), num_samples=12)
    idx = list(s)
    assert len(s) == 12 and len(idx) == 12
    assert sorted(idx[:5]) == list(range(5)) and sorted(idx[5:10]) == list(range(5))
    assert len(set(idx[10:])) == 2
    r = RandomSampler(Range(3), replacement=True, num_samples=1000)
    draws = np.bincount(list(r), minlength=3)
    assert len(list(r)) == 1000 and draws.min() > 250
    sub = SubsetRandomSampler([10, 20, 30])
    assert sorted(sub) == [10, 20, 30] and len(sub) == 3
    w = WeightedRandomSampler([0.0, 1.0, 3.0], 4000)
    counts = np.bincount(list(w), minlength=3)
    assert counts[0] == 0 and 2.6 < counts[2] / counts[1] < 3.4
    assert sorted(WeightedRandomSampler([1, 1, 1, 0], 3, replacement=False)) == [0, 1, 2]


# ------------------------------------------------------------------------------------------------
# batch fetching


def test_getitems_is_used_once_per_batch():
    calls = []

    class Batched(Range):
        def __getitem__(self, i):
            raise AssertionError("__getitem__ should not be called")

        def __getitems__(self, idx):
            calls.append(list(idx))
            return StackedSamples([np.asarray(idx) * 2, list(idx)])

    dl = DataLoader(Batched(10), batch_size=4, shuffle=False)
    batches = list(dl)
    assert calls == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert batches[1][0].numpy().tolist() == [8, 10, 12, 14] and batches[2][1].dtype == tl.int64


def test_custom_collate_fn_sees_samples():
    seen = []

    def collate(samples):
        seen.append([tuple(int(v) for v in s) for s in samples])
        return len(samples)

    x = tl.arange(5)
    assert list(DataLoader(TensorDataset(x, x * 2), batch_size=2, collate_fn=collate)) == [2, 2, 1]
    assert seen[0] == [(0, 0), (1, 2)]


def test_tensor_dataset_loader_matches_slices():
    x = tl.randn(23, 4)
    y = tl.arange(23)
    got = list(DataLoader(TensorDataset(x, y), batch_size=8))
    assert len(got) == 3
    for k, (xb, yb) in enumerate(got):
        assert np.array_equal(xb.numpy(), x.numpy()[8 * k:8 * k + 8])
        assert np.array_equal(yb.numpy(), y.numpy()[8 * k:8 * k + 8])


# ------------------------------------------------------------------------------------------------
# iterable datasets


class Stream(IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        info = get_worker_info()
        if info is None:
            return iter(range(self.n))
        return iter(range(info.id, self.n, info.num_workers))

    def __len__(self):
        return self.n


def test_iterable_dataset_like_torch():
    torch = import_torch()
    TorchStream = type("TorchStream", (Stream, torch.utils.data.IterableDataset), {})
    for kwargs in ({"batch_size": 3}, {"batch_size": 3, "drop_last": True}, {"batch_size": None}):
        ours = [values(b) for b in DataLoader(Stream(8), **kwargs)]
        theirs = [values(b) for b in torch.utils.data.DataLoader(TorchStream(8), **kwargs)]
        assert ours == theirs
        assert len(DataLoader(Stream(8), **kwargs)) == len(torch.utils.data.DataLoader(TorchStream(8), **kwargs))
    with pytest.raises(ValueError):
        DataLoader(Stream(3), shuffle=True)
    with pytest.raises(ValueError):
        DataLoader(Stream(3), sampler=[0])
    assert [int(v) for v in DataLoader(ChainDataset([Stream(2), Stream(3)]), batch_size=None)] == [0, 1, 0, 1, 2]


def test_iterable_dataset_with_workers_round_robin():
    got = [b.numpy().tolist() for b in DataLoader(Stream(10), batch_size=2, num_workers=2)]
    # worker 0 streams 0,2,4,6,8 and worker 1 streams 1,3,5,7,9; batches alternate between them
    assert got == [[0, 2], [1, 3], [4, 6], [5, 7], [8], [9]]


# ------------------------------------------------------------------------------------------------
# worker threads


@pytest.mark.parametrize("num_workers", [1, 2, 3])
def test_workers_give_the_same_batches_in_order(num_workers):
    ds = Pairs(37)
    ref = [values(b) for b in DataLoader(ds, batch_size=4)]
    got = [values(b) for b in DataLoader(ds, batch_size=4, num_workers=num_workers)]
    assert got == ref
    tl.manual_seed(7)
    a = flat_order(DataLoader(Range(37), batch_size=5, shuffle=True, num_workers=num_workers))
    tl.manual_seed(7)
    b = flat_order(DataLoader(Range(37), batch_size=5, shuffle=True))
    assert a == b                                     # the sampler runs in the main thread


def test_worker_init_fn_and_worker_info():
    seen = {}
    lock = threading.Lock()

    def init(wid):
        info = get_worker_info()
        with lock:
            seen[wid] = (info.id, info.num_workers, threading.current_thread().name)

    class WhoAmI(Range):
        def __getitem__(self, i):
            return get_worker_info().id

    out = flat_order(DataLoader(WhoAmI(12), batch_size=2, num_workers=3, worker_init_fn=init))
    assert sorted(seen) == [0, 1, 2] and all(v[1] == 3 for v in seen.values())
    assert out == [0, 0, 1, 1, 2, 2, 0, 0, 1, 1, 2, 2]      # batch k is fetched by worker k % 3
    assert get_worker_info() is None


def test_worker_exception_propagates():
    class Bad(Range):
        def __getitem__(self, i):
            if i == 5:
                raise KeyError("boom at 5")
            return i

    it = iter(DataLoader(Bad(10), batch_size=2, num_workers=2))
    assert next(it).numpy().tolist() == [0, 1]
    assert next(it).numpy().tolist() == [2, 3]
    with pytest.raises(KeyError, match="boom at 5"):
        next(it)


def test_worker_timeout():
    class Slow(Range):
        def __getitem__(self, i):
            time.sleep(0.5)
            return i

    with pytest.raises(RuntimeError, match="timed out"):
        list(DataLoader(Slow(2), batch_size=1, num_workers=1, timeout=0.05))


def test_persistent_workers_reused_across_epochs():
    inits = []
    dl = DataLoader(Range(9), batch_size=2, num_workers=2, persistent_workers=True,
                    worker_init_fn=inits.append, shuffle=True)
    for _ in range(3):
        assert sorted(flat_order(dl)) == list(range(9))
    it = iter(dl)
    next(it)                                              # abandon an epoch half-way
    assert sorted(flat_order(dl)) == list(range(9))
    assert sorted(inits) == [0, 1]


def test_augmentation_in_workers_is_reproducible():
    imgs = np.random.default_rng(0).integers(0, 256, (40, 8, 8, 3), dtype=np.uint8)

    class Images(Dataset):
        def __len__(self):
            return len(imgs)

        def __getitem__(self, i):
            return T.RandomCrop(8, padding=2)(imgs[i])

    def run(nw):
        tl.manual_seed(11)
        return [b.numpy() for b in DataLoader(Images(), batch_size=4, num_workers=nw, shuffle=True)]

    a, b = run(2), run(2)
    assert all(np.array_equal(p, q) for p, q in zip(a, b))
    c, d = run(0), run(0)
    assert all(np.array_equal(p, q) for p, q in zip(c, d))


def test_worker_threads_end():
    def count():
        return sum(t.name.startswith("tensorlite-DataLoader-worker") for t in threading.enumerate())

    import gc

    def settle(target):
        gc.collect()
        deadline = time.time() + 5
        while count() > target and time.time() < deadline:
            time.sleep(0.02)
        return count()

    before = settle(0)                                    # threads of earlier tests end first
    for persistent in (False, True):
        dl = DataLoader(Range(20), batch_size=3, num_workers=2, persistent_workers=persistent)
        flat_order(dl)
        it = iter(dl)
        next(it)                                          # abandoned mid-epoch
        del it, dl
    assert settle(before) == before


def test_worker_init_fn_error_propagates():
    def init(wid):
        raise ValueError(f"bad init {wid}")

    with pytest.raises(ValueError, match="bad init 0"):
        list(DataLoader(Range(4), batch_size=2, num_workers=2, worker_init_fn=init))
