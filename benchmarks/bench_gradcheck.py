"""gradcheck's fast mode against its slow mode (and torch's gradcheck) on a convolution's input:
a 1x3x32x32 float64 input through conv2d(8 filters, 3x3, padding 1). Slow mode builds the whole
8192 x 3072 Jacobian (two forwards per input element, two backwards per output element); fast
mode checks one random projection v^T J u per input. Times are medians of --reps runs after one
warm-up (Numba's JIT excluded); --no-slow skips the slow mode (it takes minutes).

    python benchmarks/bench_gradcheck.py [--reps 5] [--no-slow] [--json out.json]
"""
import argparse
import json
import platform
import statistics
import time

import numpy as np


def _isa():
    flags = open("/proc/cpuinfo").read() if platform.system() == "Linux" else ""
    return "AVX-512" if "avx512f" in flags else "AVX2" if "avx2" in flags else "no AVX2"


def _time(fn, reps):
    fn()
    out = []
    for _ in range(reps):
        t = time.perf_counter()
        assert fn()
        out.append(time.perf_counter() - t)
    return statistics.median(out)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--reps", type=int, default=5)
    p.add_argument("--no-slow", action="store_true")
    p.add_argument("--json")
    p.add_argument("--quick", action="store_true", help="one rep, no slow mode (run.py's smoke test)")
    a = p.parse_args()
    if a.quick:
        a.reps, a.no_slow = 1, True
    import tensorlite as tl
    rng = np.random.default_rng(0)
    x_np, w_np = rng.standard_normal((1, 3, 32, 32)), rng.standard_normal((8, 3, 3, 3))
    x = tl.tensor(x_np, requires_grad=True)
    w = tl.tensor(w_np)

    def f(t):
        return tl.nn.functional.conv2d(t, w, padding=1)

    rows = {"tensorlite fast_mode": _time(lambda: tl.autograd.gradcheck(f, (x,), fast_mode=True), a.reps)}
    try:
        import torch
        xt = torch.tensor(x_np, requires_grad=True)
        wt = torch.tensor(w_np)
        rows["torch fast_mode"] = _time(lambda: torch.autograd.gradcheck(
            lambda t: torch.nn.functional.conv2d(t, wt, padding=1), (xt,), fast_mode=True), a.reps)
    except ImportError:
        pass
    if not a.no_slow:
        rows["tensorlite slow mode"] = _time(lambda: tl.autograd.gradcheck(f, (x,)), 1)
    print(f"gradcheck of conv2d on a 1x3x32x32 float64 input, CPU: {_isa()}")
    print("| check | seconds |\n|---|---:|")
    for k, v in rows.items():
        print(f"| {k} | {v:.3f} |")
    if a.json:
        with open(a.json, "w") as fh:
            json.dump({"isa": _isa(), "seconds": rows}, fh, indent=1)


if __name__ == "__main__":
    main()
