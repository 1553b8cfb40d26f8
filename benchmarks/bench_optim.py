"""One optimizer step over ResNet-20-sized parameter lists: tensorlite.optim vs torch.optim.

The parameter list is the one of a CIFAR ResNet-20 with 1x1-conv projection shortcuts (65
tensors, ~0.27M floats, float32), built by hand.  Each case times `optimizer.step()` only
(gradients are set once and stay the same; the parameters drift a little, which does not
matter for timing):

* tensorlite: `SGD(momentum=0.9, weight_decay=5e-4)`, `Adam`, `AdamW`, `RMSprop`: one fused
  kernel call per param group over its lists of parameters, gradients and state;
* torch: the same optimizers with their CPU default (foreach=None, i.e. the per-tensor loop)
  and with foreach=True.

All libraries run with the same thread count (`--threads`, default 1).  A sample repeats the
step until it lasts >= `--min-time`; the median of `--reps` samples is reported.

    python benchmarks/bench_optim.py [--threads N] [--reps R] [--json PATH]
"""

import argparse
import json
import os
import platform
import statistics
import sys
import time


def _parse():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--threads", type=int, default=1, help="threads for every library (default 1)")
    p.add_argument("--reps", type=int, default=9, help="timed samples per case (median reported)")
    p.add_argument("--min-time", type=float, default=0.05, help="seconds a sample lasts at least")
    p.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    p.add_argument("--no-torch", action="store_true", help="skip PyTorch")
    p.add_argument("--quick", action="store_true", help="smoke test: every case, 3 short samples")
    args = p.parse_args()
    if args.quick:
        args.reps, args.min_time = 3, 0.01
    return args


ARGS = _parse()
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ[_var] = str(ARGS.threads)

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import tensorlite as tl  # noqa: E402
import tensorlite.optim as tlo  # noqa: E402

try:
    if ARGS.no_torch:
        raise ImportError
    import torch  # noqa: E402
except ImportError:
    torch = None


def resnet20_shapes():
    """Parameter shapes of a CIFAR ResNet-20 (3 stages x 3 basic blocks, widths 16/32/64) with
    1x1-conv + BN projection shortcuts where the width changes, and a 64->10 classifier."""
    shapes = [(16, 3, 3, 3), (16,), (16,)]                       # stem conv + BN
    cin = 16
    for width in (16, 32, 64):
        for block in range(3):
            shapes += [(width, cin, 3, 3), (width,), (width,), (width, width, 3, 3), (width,), (width,)]
            if block == 0 and cin != width:
                shapes += [(width, cin, 1, 1), (width,), (width,)]
            cin = width
    shapes += [(10, 64), (10,)]
    return shapes


def sample(fn, min_time):
    n, t0 = 0, time.perf_counter()
    while True:
        fn()
        n += 1
        dt = time.perf_counter() - t0
        if dt >= min_time:
            return dt / n


def median_time(fn, reps, min_time):
    for _ in range(3):
        fn()
    return statistics.median(sample(fn, min_time) for _ in range(reps))


CASES = [
    ("SGD(momentum=0.9, wd=5e-4)", "SGD", dict(lr=0.1, momentum=0.9, weight_decay=5e-4)),
    ("SGD(nesterov, wd=5e-4)", "SGD", dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=5e-4)),
    ("Adam", "Adam", dict(lr=1e-3)),
    ("AdamW(wd=1e-2)", "AdamW", dict(lr=1e-3, weight_decay=1e-2)),
    ("RMSprop(centered)", "RMSprop", dict(lr=1e-3, centered=True)),
]


def main():
    shapes = resnet20_shapes()
    numel = sum(int(np.prod(s)) for s in shapes)
    rng = np.random.default_rng(0)
    init = [rng.standard_normal(s).astype(np.float32) * 0.1 for s in shapes]
    grads = [rng.standard_normal(s).astype(np.float32) * 0.01 for s in shapes]
    tl.set_num_threads(ARGS.threads)
    if torch is not None:
        torch.set_num_threads(ARGS.threads)
    rows = []
    for label, cls, kw in CASES:
        row = {"case": label}
        params = [tl.from_numpy(a.copy()).requires_grad_() for a in init]
        opt = getattr(tlo, cls)(params, **kw)
        gts = [tl.from_numpy(g.copy()) for g in grads]
        for p, g in zip(params, gts):
            p.grad = g
        row["tensorlite_us"] = median_time(opt.step, ARGS.reps, ARGS.min_time) * 1e6
        if torch is not None:
            for foreach in (None, True):
                tparams = [torch.tensor(a.copy(), requires_grad=True) for a in init]
                for p, g in zip(tparams, grads):
                    p.grad = torch.tensor(g.copy())
                topt = getattr(torch.optim, cls)(tparams, foreach=foreach, **kw)
                key = "torch_default_us" if foreach is None else "torch_foreach_us"
                row[key] = median_time(topt.step, ARGS.reps, ARGS.min_time) * 1e6
        rows.append(row)

    print(f"## Optimizer step, ResNet-20 parameters ({len(shapes)} tensors, {numel} floats, float32), "
          f"{ARGS.threads} thread(s)\n")
    hdr = "| optimizer | tensorlite (µs) |"
    sep = "|---|---:|"
    if torch is not None:
        hdr += " torch default (µs) | torch foreach (µs) | speed-up vs default | vs foreach |"
        sep += "---:|---:|---:|---:|"
    print(hdr)
    print(sep)
    for r in rows:
        line = f"| {r['case']} | {r['tensorlite_us']:.0f} |"
        if torch is not None:
            r["speedup_vs_torch_default"] = r["torch_default_us"] / r["tensorlite_us"]
            r["speedup_vs_torch_foreach"] = r["torch_foreach_us"] / r["tensorlite_us"]
            line += (f" {r['torch_default_us']:.0f} | {r['torch_foreach_us']:.0f} | "
                     f"{r['speedup_vs_torch_default']:.1f}x | {r['speedup_vs_torch_foreach']:.1f}x |")
        print(line)
    if ARGS.json:
        meta = {"threads": ARGS.threads, "tensors": len(shapes), "numel": numel, "dtype": "float32",
                "python": platform.python_version(), "numpy": np.__version__, "machine": platform.machine(),
                "processor": platform.processor(), "torch": None if torch is None else torch.__version__,
                "reps": ARGS.reps, "min_time_s": ARGS.min_time}
        with open(ARGS.json, "w") as f:
            json.dump({"meta": meta, "results": rows}, f, indent=2)
        print(f"\nwrote {ARGS.json}")


if __name__ == "__main__":
    main()
