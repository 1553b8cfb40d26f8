"""Convolution and pooling kernels: tensorlite's C kernels vs PyTorch (NCHW and channels_last).

Cases (batch 128, float32): the convolutions of LeNet-5 (conv1: 3->6 5x5 on 32x32, conv2: 6->16
5x5 on 14x14) and ResNet-20 on CIFAR-10 (3x3, pad 1: first conv 3->16 @32x32, 16->16 @32x32,
32->32 @16x16, 64->64 @8x8, stride-2 16->32 @32x32 and 32->64 @16x16), each as forward,
backward-input and backward-weight (+ bias); and LeNet-5's 2x2 max pools (forward with indices,
backward) on 6x28x28 and 16x10x10.

tensorlite is timed through tensorlite.backend.conv / .pool (the kernels the autograd ops call);
PyTorch through torch.nn.functional.conv2d / max_pool2d and torch.ops.aten.convolution_backward /
max_pool2d_with_indices_backward, once with NCHW tensors and once with channels_last tensors
(converted before timing). Every library uses the same thread count (``--threads``, default 2);
each library runs its block of cases on its own (spinning OpenMP threads of one runtime must not
steal the cores of the next), warm-up excluded; a sample repeats the call until it lasts at
least ``--min-time`` and the median of ``--reps`` samples is reported. Ratio = tensorlite time /
torch time (below 1: tensorlite is faster).

    python benchmarks/bench_conv.py [--threads N] [--reps R] [--batch B] [--json PATH]
"""
import argparse
import json
import os
import platform
import sys
import time


def _parse():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--threads", type=int, default=2, help="threads for every library (default 2)")
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--reps", type=int, default=7, help="timed samples per case (median reported)")
    p.add_argument("--min-time", type=float, default=0.05,
                   help="seconds a sample lasts at least (calls are repeated)")
    p.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    p.add_argument("--no-torch", action="store_true", help="skip PyTorch")
    p.add_argument("--quick", action="store_true", help="smoke test: every case, 3 short samples")
    p.add_argument("--only", default="", help="comma-separated substrings of case names to run")
    args = p.parse_args()
    if args.quick:
        args.reps, args.min_time = 3, 0.01
    return args


ARGS = _parse()
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = str(ARGS.threads)

import numpy as np  # noqa: E402

from tensorlite.backend import conv as tl_conv  # noqa: E402
from tensorlite.backend import pool as tl_pool  # noqa: E402
from tensorlite.backend import threads as tl_threads  # noqa: E402

try:
    if ARGS.no_torch:
        raise ImportError
    import torch  # noqa: E402
except ImportError:
    torch = None

# name, C_in, C_out, H (= W), kernel, stride, padding
CONVS = [
    ("lenet.conv1 3->6 5x5 @32", 3, 6, 32, 5, 1, 0),
    ("lenet.conv2 6->16 5x5 @14", 6, 16, 14, 5, 1, 0),
    ("resnet.conv1 3->16 @32", 3, 16, 32, 3, 1, 1),
    ("resnet 16->16 @32", 16, 16, 32, 3, 1, 1),
    ("resnet 32->32 @16", 32, 32, 16, 3, 1, 1),
    ("resnet 64->64 @8", 64, 64, 8, 3, 1, 1),
    ("resnet 16->32 s2 @32", 16, 32, 32, 3, 2, 1),
    ("resnet 32->64 s2 @16", 32, 64, 16, 3, 2, 1),
]
POOLS = [("lenet.pool1 6x28x28", 6, 28), ("lenet.pool2 16x10x10", 16, 10)]


def timeit(fn):
    fn()
    fn()                                    # warm-up (allocations, weight packing, thread pools)
    t0 = time.perf_counter()
    fn()
    one = max(time.perf_counter() - t0, 1e-6)
    inner = max(1, int(ARGS.min_time / one))
    samples = []
    for _ in range(ARGS.reps):
        t0 = time.perf_counter()
        for _ in range(inner):
            fn()
        samples.append((time.perf_counter() - t0) / inner)
    return float(np.median(samples)) * 1e3


def conv_data(cin, cout, hw, k, s, p):
    rng = np.random.default_rng(0)
    n = ARGS.batch
    x = rng.standard_normal((n, cin, hw, hw)).astype(np.float32)
    w = (rng.standard_normal((cout, cin, k, k)) / np.sqrt(cin * k * k)).astype(np.float32)
    b = rng.standard_normal(cout).astype(np.float32)
    oh = (hw + 2 * p - k) // s + 1
    dy = rng.standard_normal((n, cout, oh, oh)).astype(np.float32)
    return x, w, b, dy


def selected(name):
    return not ARGS.only or any(t.strip() in name for t in ARGS.only.split(","))


def tl_cases():
    out = {}
    for name, cin, cout, hw, k, s, p in CONVS:
        if not selected(name):
            continue
        x, w, b, dy = conv_data(cin, cout, hw, k, s, p)
        g = ((s, s), (p, p, p, p), (1, 1), 1)
        out[(name, "forward")] = timeit(lambda: tl_conv.conv2d_forward(x, w, b, *g))
        out[(name, "backward-input")] = timeit(lambda: tl_conv.conv2d_backward_input(dy, w, (hw, hw), *g))
        out[(name, "backward-weight")] = timeit(
            lambda: tl_conv.conv2d_backward_weight(x, dy, (k, k), *g, bias_grad=True))
    for name, c, hw in POOLS:
        if not selected(name):
            continue
        x = np.random.default_rng(1).standard_normal((ARGS.batch, c, hw, hw)).astype(np.float32)
        y, idx = tl_pool.max_pool2d_forward(x, (2, 2), (2, 2))
        gy = np.ones_like(y)
        out[(name, "maxpool forward")] = timeit(lambda: tl_pool.max_pool2d_forward(x, (2, 2), (2, 2)))
        out[(name, "maxpool backward")] = timeit(lambda: tl_pool.max_pool2d_backward(gy, idx, (hw, hw)))
    return out


def torch_cases(channels_last):
    F = torch.nn.functional
    fmt = torch.channels_last if channels_last else torch.contiguous_format
    out = {}
    with torch.no_grad():
        for name, cin, cout, hw, k, s, p in CONVS:
            if not selected(name):
                continue
            x, w, b, dy = (torch.from_numpy(a) for a in conv_data(cin, cout, hw, k, s, p))
            x, w, dy = (t.contiguous(memory_format=fmt) for t in (x, w, dy))
            args = ([s, s], [p, p], [1, 1], False, [0, 0], 1)
            out[(name, "forward")] = timeit(lambda: F.conv2d(x, w, b, s, p))
            out[(name, "backward-input")] = timeit(lambda: torch.ops.aten.convolution_backward(
                dy, x, w, [cout], *args, [True, False, False]))
            out[(name, "backward-weight")] = timeit(lambda: torch.ops.aten.convolution_backward(
                dy, x, w, [cout], *args, [False, True, True]))
        for name, c, hw in POOLS:
            if not selected(name):
                continue
            x = torch.from_numpy(np.random.default_rng(1).standard_normal(
                (ARGS.batch, c, hw, hw)).astype(np.float32)).contiguous(memory_format=fmt)
            y, idx = F.max_pool2d(x, 2, return_indices=True)
            gy = torch.ones_like(y)
            out[(name, "maxpool forward")] = timeit(lambda: F.max_pool2d(x, 2, return_indices=True))
            out[(name, "maxpool backward")] = timeit(lambda: torch.ops.aten.max_pool2d_with_indices_backward(
                gy, x, [2, 2], [2, 2], [0, 0], [1, 1], False, idx))
    return out


def main():
    tl_threads.set_num_threads(ARGS.threads)
    results = {"tensorlite": tl_cases()}
    if torch is not None:
        torch.set_num_threads(ARGS.threads)
        results["torch_nchw"] = torch_cases(False)
        results["torch_cl"] = torch_cases(True)
    rows = []
    for key, t in results["tensorlite"].items():
        row = {"case": key[0], "op": key[1], "tensorlite_ms": t}
        if torch is not None:
            tn, tc = results["torch_nchw"][key], results["torch_cl"][key]
            row.update(torch_nchw_ms=tn, torch_cl_ms=tc, ratio_vs_nchw=t / tn, ratio_vs_cl=t / tc)
        rows.append(row)

    print(f"# conv / pool kernels, batch {ARGS.batch}, float32, {ARGS.threads} threads, "
          f"tensorlite conv arch {tl_conv.arch()}"
          + (f", torch {torch.__version__}" if torch is not None else ""))
    print()
    if torch is not None:
        print("| case | op | tensorlite ms | torch NCHW ms | torch CL ms | tl/NCHW | tl/CL |")
        print("|---|---|---:|---:|---:|---:|---:|")
        for r in rows:
            print(f"| {r['case']} | {r['op']} | {r['tensorlite_ms']:.2f} | {r['torch_nchw_ms']:.2f} | "
                  f"{r['torch_cl_ms']:.2f} | {r['ratio_vs_nchw']:.2f} | {r['ratio_vs_cl']:.2f} |")
        tot = {k: sum(r[k] for r in rows) for k in ("tensorlite_ms", "torch_nchw_ms", "torch_cl_ms")}
        print(f"| **total** | | {tot['tensorlite_ms']:.1f} | {tot['torch_nchw_ms']:.1f} | "
              f"{tot['torch_cl_ms']:.1f} | {tot['tensorlite_ms'] / tot['torch_nchw_ms']:.2f} | "
              f"{tot['tensorlite_ms'] / tot['torch_cl_ms']:.2f} |")
    else:
        print("| case | op | tensorlite ms |")
        print("|---|---|---:|")
        for r in rows:
            print(f"| {r['case']} | {r['op']} | {r['tensorlite_ms']:.2f} |")
    if ARGS.json:
        meta = dict(batch=ARGS.batch, threads=ARGS.threads, reps=ARGS.reps, conv_arch=tl_conv.arch(),
                    torch=getattr(torch, "__version__", None), python=sys.version.split()[0],
                    machine=platform.processor() or platform.machine())
        with open(ARGS.json, "w") as f:
            json.dump({"meta": meta, "rows": rows}, f, indent=2)


if __name__ == "__main__":
    main()
