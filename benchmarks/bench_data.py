"""Data pipeline speed: CIFAR-10 augmentation per 128-image batch, and a full epoch of the loader.

Pipeline (the standard CIFAR-10 recipe):
    RandomCrop(32, padding=4) + RandomHorizontalFlip() + ToTensor() + Normalize(CIFAR10_MEAN, STD)

Reported:
  * transform only: ms per 128-image batch and images/s (median of --reps samples), for the
    composed pipeline (crop+flip and ToTensor+Normalize run fused) and for each transform alone;
    plus the other augmentations (rotation, zoom, translate, color jitter) for reference;
  * loader: seconds for one shuffled epoch of DataLoader(batch_size=128) over the training set,
    for num_workers = 0, 1, 2 (workers are threads; the loop body does no training work, so
    this is the loader's own cost).

Uses the real CIFAR-10 from --root (default $TENSORLITE_DATA or ~/.cache/tensorlite/cifar10) when it
is there, else random uint8 images of the same shape (the speed does not depend on the pixels).

    python benchmarks/bench_data.py [--root DIR] [--reps R] [--epochs E] [--json PATH]
"""
import argparse
import json
import os
import platform
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import numpy as np  # noqa: E402

import tensorlite as tl  # noqa: E402
from tensorlite.data import DataLoader, Dataset, datasets  # noqa: E402
from tensorlite.data import transforms as T  # noqa: E402


def _parse():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--root", default=os.environ.get("TENSORLITE_DATA") or datasets.default_root("cifar10"))
    p.add_argument("--reps", type=int, default=7, help="timed samples per case (median reported)")
    p.add_argument("--batches", type=int, default=50, help="batches per sample")
    p.add_argument("--epochs", type=int, default=2, help="loader epochs per worker setting (best reported)")
    p.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    p.add_argument("--quick", action="store_true", help="smoke test: 3 short samples, 1 loader epoch")
    args = p.parse_args()
    if args.quick:
        args.reps, args.batches, args.epochs = 3, 10, 1
    return args


class _Random(Dataset):
    """CIFAR-10-shaped random data, with CIFAR10's batched __getitems__."""

    classes = datasets.CIFAR10.classes

    def __init__(self, n, transform):
        g = np.random.default_rng(0)
        self.data = g.integers(0, 256, (n, 32, 32, 3), dtype=np.uint8)
        self.targets = g.integers(0, 10, n).tolist()
        self.transform = transform
        self.target_transform = None
        self._channel_last = True

    __len__ = datasets.CIFAR10.__len__
    __getitem__ = datasets.CIFAR10.__getitem__
    __getitems__ = datasets.CIFAR10.__getitems__


def time_transform(t, batches, reps, nbatch):
    t(batches[0])                                          # compile / warm up
    samples = []
    for _ in range(reps):
        t0 = time.perf_counter()
        for k in range(nbatch):
            t(batches[k % len(batches)])
        samples.append((time.perf_counter() - t0) / nbatch)
    return statistics.median(samples)


def main():
    args = _parse()
    try:
        train = datasets.CIFAR10(args.root, train=True)
        source = f"real CIFAR-10 in {args.root}"
    except RuntimeError:
        train = None
        source = "random uint8 images (CIFAR-10 not found)"
    data = train.data if train is not None else _Random(50000, None).data
    g = np.random.default_rng(1)
    batches = [data[g.integers(0, len(data), 128)] for _ in range(16)]

    pipeline = T.Compose([T.RandomCrop(32, padding=4), T.RandomHorizontalFlip(), T.ToTensor(),
                          T.Normalize(T.CIFAR10_MEAN, T.CIFAR10_STD)])
    cases = [("pipeline: crop+flip+ToTensor+Normalize", pipeline),
             ("RandomCrop(32, padding=4)", T.RandomCrop(32, padding=4)),
             ("RandomHorizontalFlip()", T.RandomHorizontalFlip()),
             ("ToTensor()", T.ToTensor()),
             ("ToTensor+Normalize (fused)", T.Compose([T.ToTensor(), T.Normalize(T.CIFAR10_MEAN, T.CIFAR10_STD)])),
             ("RandomTranslate((0.125, 0.125))", T.RandomTranslate((0.125, 0.125))),
             ("RandomRotation(15)", T.RandomRotation(15)),
             ("RandomZoom((0.9, 1.1))", T.RandomZoom((0.9, 1.1))),
             ("ColorJitter(0.2, 0.2)", T.ColorJitter(0.2, 0.2)),
             ("ColorJitter(0.2, 0.2, 0.2, 0.05)", T.ColorJitter(0.2, 0.2, 0.2, 0.05))]
    print(f"tensorlite data pipeline benchmark -- {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} cores, Python {platform.python_version()}, numpy {np.__version__}")
    print(f"data: {source}\n")
    print(f"{'transform (128-image batch)':44s} {'ms/batch':>9s} {'images/s':>11s}")
    results = {"source": source, "transforms": {}, "loader": {}}
    for name, t in cases:
        s = time_transform(t, batches, args.reps, args.batches)
        results["transforms"][name] = {"ms_per_batch": s * 1e3, "images_per_s": 128 / s}
        print(f"{name:44s} {s * 1e3:9.3f} {128 / s:11,.0f}")

    ds = (datasets.CIFAR10(args.root, train=True, transform=pipeline) if train is not None
          else _Random(50000, pipeline))
    print(f"\n{'loader epoch (50,000 images, batch 128, shuffle)':50s} {'s/epoch':>8s} {'ms/batch':>9s}")
    for nw in (0, 1, 2):
        loader = DataLoader(ds, batch_size=128, shuffle=True, num_workers=nw)
        best = None
        for e in range(args.epochs + 1):                        # first epoch warms up
            tl.manual_seed(e)
            t0 = time.perf_counter()
            n = 0
            for x, y in loader:
                n += 1
            el = time.perf_counter() - t0
            if e > 0:
                best = el if best is None else min(best, el)
        results["loader"][f"num_workers={nw}"] = {"s_per_epoch": best, "ms_per_batch": best / n * 1e3}
        print(f"{'num_workers=' + str(nw):50s} {best:8.2f} {best / n * 1e3:9.3f}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
