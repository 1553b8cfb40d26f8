"""CIFAR-10 ResNet-20 epoch estimate, data loading and augmentation included for tensorlite.

tensorlite runs --steps real training steps (after --warmup untimed ones): each step takes the next
batch from ``tl.data.DataLoader(tl.data.CIFAR10(train=True, transform=...), batch_size=128,
shuffle=True)`` with the standard augmentation (RandomCrop(32, padding=4), RandomHorizontalFlip,
ToTensor, Normalize), then forward, cross-entropy, backward and an SGD step (momentum 0.9,
Nesterov, weight decay 5e-4). The time of a step includes waiting for its batch.

PyTorch runs the same number of model steps on the same batches, made into tensors beforehand (no
loading), once NCHW and once channels_last; the faster layout counts. Both use --threads threads.

An epoch is 391 steps (50,000 images at batch 128, the last batch partial); the estimate is the
median step time x 391. Target: tensorlite epoch / torch epoch <= 1.3.
Without the CIFAR-10 files (--root, default $TENSORLITE_DATA or ~/.cache/tensorlite/cifar10) it uses
random images of the same shape (speed does not depend on the pixels) and says so.

    python benchmarks/bench_epoch.py [--steps 20] [--threads N] [--json PATH]
"""
import argparse
import json
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
STEPS_PER_EPOCH = 391
TARGET = 1.3


def _parse():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--steps", type=int, default=20, help="timed steps per framework (median reported)")
    p.add_argument("--warmup", type=int, default=2, help="untimed steps first (JIT compilation, first touch)")
    p.add_argument("--threads", type=int, default=os.cpu_count() or 1, help="threads (default: all cores)")
    p.add_argument("--workers", type=int, default=0, help="DataLoader num_workers (worker threads)")
    p.add_argument("--root", default=os.environ.get("TENSORLITE_DATA"), help="CIFAR-10 directory")
    p.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    p.add_argument("--quick", action="store_true", help="smoke test: 1 warm-up and 3 timed steps")
    args = p.parse_args()
    if args.quick:
        args.steps, args.warmup = 3, 1
    if args.steps < 1 or args.warmup < 0:
        p.error(f"--steps must be >= 1 and --warmup >= 0, got {args.steps} and {args.warmup}")
    return args


ARGS = _parse()
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(_var, str(ARGS.threads))

sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, HERE)

import tensorlite as tl  # noqa: E402
from tensorlite.data import DataLoader, datasets  # noqa: E402
from tensorlite.data import transforms as T  # noqa: E402
from bench_train_step import torch_model  # noqa: E402


def train_set():
    pipeline = T.Compose([T.RandomCrop(32, padding=4), T.RandomHorizontalFlip(), T.ToTensor(),
                          T.Normalize(T.CIFAR10_MEAN, T.CIFAR10_STD)])
    try:
        return datasets.CIFAR10(ARGS.root, train=True, transform=pipeline), "CIFAR-10"
    except RuntimeError:                  # not downloaded: same shapes, random pixels
        from bench_data import _Random
        return _Random(50000, pipeline), "random images (CIFAR-10 not found)"


def tensorlite_steps(ds):
    """Per timed step: (seconds, seconds waiting for the batch); and every batch as numpy arrays."""
    F = tl.nn.functional
    tl.manual_seed(0)
    model = tl.models.get_model("resnet20")
    opt = tl.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, nesterov=True, weight_decay=5e-4)
    loader = iter(DataLoader(ds, batch_size=128, shuffle=True, num_workers=ARGS.workers))
    times, batches = [], []
    for i in range(ARGS.warmup + ARGS.steps):
        t0 = time.perf_counter()
        x, y = next(loader)
        t1 = time.perf_counter()
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        loss.item()
        t2 = time.perf_counter()
        batches.append((x.numpy().copy(), y.numpy().copy()))
        if i >= ARGS.warmup:
            times.append((t2 - t0, t1 - t0))
    return times, batches


def torch_steps(batches, channels_last):
    import torch
    import torch.nn.functional as F
    torch.manual_seed(0)
    model = torch_model("resnet20")
    fmt = torch.channels_last if channels_last else torch.contiguous_format
    model = model.to(memory_format=fmt)
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, nesterov=True, weight_decay=5e-4)
    data = [(torch.from_numpy(x).contiguous(memory_format=fmt), torch.from_numpy(y)) for x, y in batches]
    times = []
    for i, (x, y) in enumerate(data):
        t0 = time.perf_counter()
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        loss.item()
        if i >= ARGS.warmup:
            times.append(time.perf_counter() - t0)
    return times


def main():
    import torch
    tl.set_num_threads(ARGS.threads)
    torch.set_num_threads(ARGS.threads)
    ds, source = train_set()
    tl_times, batches = tensorlite_steps(ds)
    step = statistics.median(t for t, _ in tl_times)
    load = statistics.median(w for _, w in tl_times)
    rows = [{"case": "tensorlite (DataLoader + augmentation)", "s_per_step": step, "load_s_per_step": load}]
    for name, cl in (("torch NCHW (pre-made batches)", False), ("torch channels_last (pre-made batches)", True)):
        rows.append({"case": name, "s_per_step": statistics.median(torch_steps(batches, cl)), "load_s_per_step": None})
    for r in rows:
        r["epoch_s"] = r["s_per_step"] * STEPS_PER_EPOCH
    best_torch = min(r["s_per_step"] for r in rows[1:])
    ratio = step / best_torch
    print(f"# ResNet-20 CIFAR-10 epoch estimate ({STEPS_PER_EPOCH} steps of 128), {ARGS.threads} threads, "
          f"median of {ARGS.steps} steps, data: {source}, num_workers={ARGS.workers}\n")
    print("| case | s/step | of which waiting for data | epoch estimate s |")
    print("|---|---:|---:|---:|")
    for r in rows:
        wait = "" if r["load_s_per_step"] is None else f"{r['load_s_per_step']:.3f}"
        print(f"| {r['case']} | {r['s_per_step']:.3f} | {wait} | {r['epoch_s']:.0f} |")
    verdict = "met" if ratio <= TARGET else "not met"
    print(f"| tensorlite / fastest torch | {ratio:.2f} | | target <= {TARGET}: {verdict} |")
    if ARGS.json:
        with open(ARGS.json, "w") as fh:
            json.dump({"threads": ARGS.threads, "steps": ARGS.steps, "warmup": ARGS.warmup, "workers": ARGS.workers,
                       "data": source, "steps_per_epoch": STEPS_PER_EPOCH, "rows": rows,
                       "ratio_vs_fastest_torch": ratio, "target": TARGET, "target_met": ratio <= TARGET}, fh, indent=2)


if __name__ == "__main__":
    main()
