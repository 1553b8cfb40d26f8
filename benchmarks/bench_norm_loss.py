"""batch_norm and cross_entropy: tensorlite's fused Numba kernels vs PyTorch, fp32.

Cases: training-mode batch_norm on the three ResNet-20 / CIFAR-10 activation shapes at batch 128
(128x16x32x32, 128x32x16x16, 128x64x8x8), NCHW and channels_last memory formats, forward
(statistics + normalize + affine + running-stat update) and backward (dx, dweight, dbias via
autograd.grad, no .grad accumulation); cross_entropy on (128, 10) logits, forward and backward.

Both libraries run with the same thread count (``--threads``, default: all cores) and each is timed
in its own block (one OpenMP runtime's spinning threads would otherwise steal the cores from the
other), warm-up excluded; a sample repeats the call until it lasts >= ``--min-time`` and the median
of ``--reps`` samples is reported (the fastest sample too, in the JSON and in parentheses).
ratio = torch median / tensorlite median (> 1: tensorlite faster).

The machine's load is recorded before and after: with 2 threads on 2 cores, any other running
process makes each OpenMP parallel region wait for a time slice (milliseconds), for both libraries;
compare 2-thread numbers only from a quiet machine, or use --threads 1.

    python benchmarks/bench_norm_loss.py [--threads N] [--reps R] [--json PATH]
"""

import argparse
import json
import os
import platform
import sys
import time


def _parse():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--threads", type=int, default=os.cpu_count() or 1,
                   help="threads for both libraries (default: all cores)")
    p.add_argument("--reps", type=int, default=9, help="timed samples per case (median reported)")
    p.add_argument("--min-time", type=float, default=0.02,
                   help="seconds a sample lasts at least (calls are repeated)")
    p.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    p.add_argument("--no-torch", action="store_true", help="skip PyTorch")
    p.add_argument("--quick", action="store_true", help="smoke test: every case, 3 short samples")
    args = p.parse_args()
    if args.quick:
        args.reps, args.min_time = 3, 0.01
    return args


ARGS = _parse()
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(_var, str(ARGS.threads))

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import tensorlite as tl  # noqa: E402
from tensorlite.ops.normalization import batch_norm  # noqa: E402
from tensorlite.ops.loss import cross_entropy  # noqa: E402

try:
    if ARGS.no_torch:
        raise ImportError
    import torch  # noqa: E402
except ImportError:
    torch = None

BN_SHAPES = [(128, 16, 32, 32), (128, 32, 16, 16), (128, 64, 8, 8)]
CE_SHAPE = (128, 10)


def _sample(fn, min_time):
    n, t = 1, 0.0
    while True:
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        t = time.perf_counter() - t0
        if t >= min_time:
            return t / n
        n = max(n * 2, int(n * min_time / max(t, 1e-9)) + 1)


def timeit(fn, reps, min_time, warmup=3):
    """(median, min) seconds per call."""
    for _ in range(warmup):
        fn()
    samples = [_sample(fn, min_time) for _ in range(reps)]
    return float(np.median(samples)), float(np.min(samples))


def machine_load():
    """1-minute load average and the number of runnable processes (this one included)."""
    try:
        with open("/proc/loadavg") as f:
            parts = f.read().split()
        return {"loadavg_1min": float(parts[0]), "running": int(parts[3].split("/")[0])}
    except OSError:
        return {}


def _channels_last(a):
    return np.moveaxis(np.ascontiguousarray(np.moveaxis(a, 1, -1)), -1, 1)


# ------------------------------------------------------------------ tensorlite cases
def tl_bn(shape, layout, rng):
    C = shape[1]
    x = rng.standard_normal(shape).astype(np.float32)
    dy = rng.standard_normal(shape).astype(np.float32)
    if layout == "channels_last":
        x, dy = _channels_last(x), _channels_last(dy)
    tx = tl.from_numpy(x).requires_grad_()
    w, b = tl.ones(C, requires_grad=True), tl.zeros(C, requires_grad=True)
    rm, rv = tl.zeros(C), tl.ones(C)
    tdy = tl.from_numpy(dy)

    def fwd():
        return batch_norm(tx, rm, rv, w, b, True, 0.1, 1e-5)
    out = fwd()

    def bwd():
        tl.autograd.grad(out, [tx, w, b], tdy, retain_graph=True)
    return fwd, bwd


def tl_ce(rng):
    x = tl.from_numpy(rng.standard_normal(CE_SHAPE).astype(np.float32)).requires_grad_()
    y = tl.from_numpy(rng.integers(0, CE_SHAPE[1], CE_SHAPE[0]))

    def fwd():
        return cross_entropy(x, y)
    out = fwd()

    def bwd():
        tl.autograd.grad(out, [x], retain_graph=True)
    return fwd, bwd


# ------------------------------------------------------------------ torch cases
def torch_bn(shape, layout, rng):
    C = shape[1]
    x = torch.from_numpy(rng.standard_normal(shape).astype(np.float32))
    dy = torch.from_numpy(rng.standard_normal(shape).astype(np.float32))
    if layout == "channels_last":
        x, dy = x.contiguous(memory_format=torch.channels_last), dy.contiguous(memory_format=torch.channels_last)
    x.requires_grad_()
    w, b = torch.ones(C, requires_grad=True), torch.zeros(C, requires_grad=True)
    rm, rv = torch.zeros(C), torch.ones(C)

    def fwd():
        return torch.nn.functional.batch_norm(x, rm, rv, w, b, True, 0.1, 1e-5)
    out = fwd()

    def bwd():
        torch.autograd.grad(out, [x, w, b], dy, retain_graph=True)
    return fwd, bwd


def torch_ce(rng):
    x = torch.from_numpy(rng.standard_normal(CE_SHAPE).astype(np.float32)).requires_grad_()
    y = torch.from_numpy(rng.integers(0, CE_SHAPE[1], CE_SHAPE[0]))

    def fwd():
        return torch.nn.functional.cross_entropy(x, y)
    out = fwd()

    def bwd():
        torch.autograd.grad(out, [x], retain_graph=True)
    return fwd, bwd


def main():
    tl.set_num_threads(ARGS.threads)
    if torch is not None:
        torch.set_num_threads(ARGS.threads)
    cases = [("batch_norm", s, lay) for s in BN_SHAPES for lay in ("NCHW", "channels_last")]
    cases.append(("cross_entropy", CE_SHAPE, "-"))
    rows = []
    load_before = machine_load()
    for op, shape, layout in cases:
        rng = np.random.default_rng(0)
        res = {"op": op, "shape": list(shape), "layout": layout}
        libs = [("tensorlite", tl_bn if op == "batch_norm" else tl_ce)]
        if torch is not None:
            libs.append(("torch", torch_bn if op == "batch_norm" else torch_ce))
        for lib, make in libs:
            fwd, bwd = make(shape, layout, rng) if op == "batch_norm" else make(rng)
            (f_med, f_min), (b_med, b_min) = (timeit(fn, ARGS.reps, ARGS.min_time) for fn in (fwd, bwd))
            res[lib] = {"forward_s": f_med, "forward_min_s": f_min, "backward_s": b_med, "backward_min_s": b_min}
            time.sleep(0.05)          # let this runtime's worker threads go idle before the next
        rows.append(res)
    load_after = machine_load()
    print_table(rows)
    print(f"\nmachine load before: {load_before}, after: {load_after}")
    if ARGS.json:
        meta = {"load_before": load_before, "load_after": load_after, "threads": ARGS.threads, "reps": ARGS.reps, "min_time": ARGS.min_time,
                "machine": platform.processor() or platform.machine(), "python": platform.python_version(),
                "numpy": np.__version__, "torch": None if torch is None else torch.__version__}
        with open(ARGS.json, "w") as f:
            json.dump({"meta": meta, "results": rows}, f, indent=2)


def print_table(rows):
    print(f"threads = {ARGS.threads}, fp32, median of {ARGS.reps} samples; ratio = torch / tensorlite\n")
    print("| op | shape | layout | pass | tensorlite ms (min) | torch ms (min) | ratio |")
    print("|---|---|---|---|---:|---:|---:|")
    nan = float("nan")
    for r in rows:
        for p in ("forward", "backward"):
            ours, ours_min = (r["tensorlite"][p + k] * 1e3 for k in ("_s", "_min_s"))
            theirs, theirs_min = ((r["torch"][p + k] * 1e3 for k in ("_s", "_min_s")) if "torch" in r
                                  else (nan, nan))
            print(f"| {r['op']} | {'x'.join(map(str, r['shape']))} | {r['layout']} | {p} | "
                  f"{ours:.3f} ({ours_min:.3f}) | {theirs:.3f} ({theirs_min:.3f}) | {theirs / ours:.2f} |")


if __name__ == "__main__":
    main()
