"""Reliability properties of whole training loops (issue: reliability).

* Flat memory: after warm-up, resident memory and the number of live tensors stop growing over
  2,000 LeNet-5 steps and 200 ResNet-20 steps, and no reference cycle keeps a graph alive.
* Reproducibility: with tl.manual_seed and a fixed thread count, two runs are bit-identical,
  including shuffling (DataLoader) and augmentation (batch transforms).
(Resume-after-signal bit-identity is tested end to end in test_train.py.)
"""
import gc
import os
import weakref

import numpy as np

import tensorlite as tl
import tensorlite.nn.functional as F
from tensorlite import data as D
from tensorlite.data import transforms as T

# Tolerances for the flat-memory tests. RSS may wobble by allocator page caching, so growth
# between the end of warm-up and the end of the run must stay under RSS_SLACK; tensors are
# counted exactly (a leak of one tensor per step would show up as hundreds).
RSS_SLACK = 24 * 2**20
TENSOR_SLACK = 8


def rss_bytes():
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def live_tensors():
    # type(), not isinstance: isinstance on a dead weakref.proxy (other libraries leave them) raises
    return sum(issubclass(type(o), tl.Tensor) for o in gc.get_objects())


def _train_steps(model, steps, batch, shape, classes, probe_at):
    """SGD steps on random data; returns {step: (rss, live tensors)} at the probe steps."""
    opt = tl.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)
    gen = np.random.default_rng(0)
    x_all = gen.standard_normal((8 * batch, *shape)).astype(np.float32)
    y_all = gen.integers(0, classes, 8 * batch)
    probes = {}
    for i in range(1, steps + 1):
        j = (i % 8) * batch
        x, y = tl.from_numpy(x_all[j:j + batch]), tl.from_numpy(y_all[j:j + batch])
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if i in probe_at:
            del x, y, loss
            gc.collect()
            probes[i] = (rss_bytes(), live_tensors())
    return probes


def _assert_flat(probes, warm, end, what):
    (rss0, n0), (rss1, n1) = probes[warm], probes[end]
    assert rss1 - rss0 <= RSS_SLACK, (
        f"{what}: resident memory grew by {(rss1 - rss0) / 2**20:.1f} MiB from step {warm} to {end}")
    assert n1 - n0 <= TENSOR_SLACK, f"{what}: live tensors grew from {n0} to {n1} between steps {warm} and {end}"


def test_lenet5_2000_steps_memory_and_live_tensors_are_flat():
    tl.manual_seed(0)
    model = tl.models.lenet5()
    probes = _train_steps(model, 2000, 32, (3, 32, 32), 10, probe_at={200, 1000, 2000})
    _assert_flat(probes, 200, 2000, "LeNet-5")
    _assert_flat(probes, 1000, 2000, "LeNet-5")


def test_resnet20_200_steps_memory_and_live_tensors_are_flat():
    tl.manual_seed(0)
    model = tl.models.resnet20()
    probes = _train_steps(model, 200, 8, (3, 32, 32), 10, probe_at={50, 200})
    _assert_flat(probes, 50, 200, "ResNet-20")


def test_graph_is_freed_after_backward_and_after_no_grad_forward_without_gc():
    model = tl.models.resnet8()
    x = tl.randn(2, 3, 32, 32)
    gc.disable()
    try:
        out = model(x)
        node = weakref.ref(out.grad_fn)
        out.sum().backward()
        del out
        assert node() is None, "the autograd graph of a training forward outlived backward()"
        model.eval()
        with tl.no_grad():
            y = model(x)
        assert y.grad_fn is None
        probe = weakref.ref(y)
        del y
        assert probe() is None, "a no_grad forward left its output in a reference cycle"
    finally:
        gc.enable()


class _Images(D.Dataset):
    """uint8 HWC images with a batch transform, like tl.data.CIFAR10."""

    def __init__(self, n, transform):
        gen = np.random.default_rng(1)
        self.x = gen.integers(0, 256, (n, 32, 32, 3), dtype=np.uint8)
        self.y = gen.integers(0, 10, n)
        self.transform = transform

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        return self.transform(self.x[i]), int(self.y[i])


def _seeded_lenet_run(seed, steps=200, threads=2):
    tl.manual_seed(seed)
    tl.set_num_threads(threads)
    augment = T.Compose([T.RandomCrop(32, padding=4), T.RandomHorizontalFlip(), T.ToTensor(),
                         T.Normalize((0.4914, 0.4822, 0.4465), (0.2470, 0.2435, 0.2616))])
    loader = D.DataLoader(_Images(512, augment), batch_size=32, shuffle=True, drop_last=True)
    model = tl.models.lenet5()
    opt = tl.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True, weight_decay=5e-4)
    sched = tl.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=steps)
    done = 0
    while done < steps:
        for x, y in loader:
            loss = F.cross_entropy(model(x), y, label_smoothing=0.1)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            done += 1
            if done == steps:
                break
    return {k: v.numpy().copy() for k, v in model.state_dict().items()}


def test_two_seeded_lenet5_runs_of_200_steps_are_bit_identical():
    threads = tl.get_num_threads()
    try:
        a, b = _seeded_lenet_run(7), _seeded_lenet_run(7)
        c = _seeded_lenet_run(8)
    finally:
        tl.set_num_threads(threads)
    assert a.keys() == b.keys()
    for k in a:
        assert np.array_equal(a[k], b[k]), f"parameter {k} differs between two runs with the same seed"
    assert any(not np.array_equal(a[k], c[k]) for k in a), "a different seed gave the same parameters"
