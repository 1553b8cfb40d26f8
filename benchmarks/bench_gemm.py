"""GEMM throughput: tensorlite's C GEMM vs numpy (OpenBLAS) vs PyTorch, fp32.

Cases: square n = 128 .. 2048, and the im2col GEMMs of LeNet-5 and ResNet-20
on CIFAR-10 at batch 128 (forward: M = batch*OH*OW pixels, K = Cin*kh*kw,
N = Cout; plus the weight- and input-gradient products of two ResNet layers).

Every library runs with the same thread count (``--threads``, default: all
cores): tensorlite via ``tensorlite.backend.threads.set_num_threads``, numpy's
OpenBLAS via OPENBLAS_NUM_THREADS (set before numpy is imported), PyTorch via
``torch.set_num_threads``.  Warm-up is excluded; a sample repeats the call
until it lasts >= ``--min-time``; the libraries take turns sample by sample
(so a noisy neighbour slows all of them alike), with ``--gap`` seconds of
sleep before each switch (so one runtime's spinning threads do not steal the
cores from the next); the median of ``--reps`` samples is reported, and each
ratio is the median of the per-round ratios.

    python benchmarks/bench_gemm.py [--threads N] [--reps R] [--json PATH]
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
    p.add_argument("--threads", type=int, default=os.cpu_count() or 1,
                   help="threads for every library (default: all cores)")
    p.add_argument("--reps", type=int, default=7, help="timed samples per case (median reported)")
    p.add_argument("--min-time", type=float, default=0.02,
                   help="seconds a sample lasts at least (calls are repeated)")
    p.add_argument("--gap", type=float, default=0.1,
                   help="seconds of idle time before each switch between libraries")
    p.add_argument("--ghz", type=float, default=2.45, help="clock for the nominal peak")
    p.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    p.add_argument("--no-torch", action="store_true", help="skip PyTorch")
    p.add_argument("--quick", action="store_true", help="square sizes up to 1024 and fewer reps")
    p.add_argument("--only", metavar="TEXT", help="run only the cases whose name contains TEXT")
    return p.parse_args()


ARGS = _parse()
# numpy's OpenBLAS reads its thread count when it is loaded.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = str(ARGS.threads)

import numpy as np  # noqa: E402

from tensorlite.backend import gemm as tl_gemm  # noqa: E402
from tensorlite.backend import threads as tl_threads  # noqa: E402
from tensorlite.backend._ffi import ffi, lib  # noqa: E402

try:
    if ARGS.no_torch:
        raise ImportError
    import torch  # noqa: E402
except ImportError:
    torch = None


def cases(quick):
    sq = [128, 256, 512, 1024] if quick else [128, 256, 512, 1024, 2048]
    out = [(f"square {n}", n, n, n) for n in sq]
    b = 128
    out += [
        ("LeNet conv1 (3->6, 5x5, 28x28)", b * 28 * 28, 6, 75),
        ("LeNet conv2 (6->16, 5x5, 10x10)", b * 10 * 10, 16, 150),
        ("ResNet20 conv0 (3->16, 3x3, 32x32)", b * 32 * 32, 16, 27),
        ("ResNet20 s1 (16->16, 3x3, 32x32)", b * 32 * 32, 16, 144),
        ("ResNet20 s2 (32->32, 3x3, 16x16)", b * 16 * 16, 32, 288),
        ("ResNet20 s3 (64->64, 3x3, 8x8)", b * 8 * 8, 64, 576),
        ("ResNet20 s1 dW (16x144, K=131072)", 16, 144, b * 32 * 32),
        ("ResNet20 s1 dX (N=144, K=16)", b * 32 * 32, 144, 16),
        ("ResNet20 s3 dW (64x576, K=8192)", 64, 576, b * 8 * 8),
    ]
    return out


def calibrate(fn, min_time):
    """Warm up fn and return how many calls make one sample >= min_time."""
    fn()
    fn()  # warm-up (first touch, thread start-up, caches)
    t0 = time.perf_counter()
    fn()
    one = max(time.perf_counter() - t0, 1e-7)
    return max(1, int(min_time / one))


def sample(fn, inner):
    t0 = time.perf_counter()
    for _ in range(inner):
        fn()
    return (time.perf_counter() - t0) / inner


def interleaved_samples(fns, reps, min_time, gap):
    """Seconds per call of each fn, one sample per round.  The libraries take turns, one
    sample each per round, so load changes on a shared machine hit all of
    them alike; `gap` seconds of sleep before each switch lets the previous
    runtime's spinning worker threads go idle first."""
    inner = {}
    for name, fn in fns.items():
        time.sleep(gap)
        inner[name] = calibrate(fn, min_time)
    samples = {name: [] for name in fns}
    order = list(fns)
    for r in range(reps):
        for name in (order if r % 2 == 0 else order[::-1]):   # nobody always goes first
            time.sleep(gap)
            fns[name]()  # re-warm after the pause
            samples[name].append(sample(fns[name], inner[name]))
    return samples


def ratio_of_rounds(samples, other):
    """tensorlite's speed over `other`'s, the median of the per-round ratios: a slow spell of the
    shared machine moves both sides of a round alike, so it cancels (the ratio of the medians
    can pair a fast sample of one library with a slow one of the other)."""
    return statistics.median([o / t for t, o in zip(samples["tensorlite"], samples[other])])


def main():
    nt = ARGS.threads
    tl_threads.set_num_threads(nt)
    if torch is not None:
        torch.set_num_threads(nt)
    reps = 3 if ARGS.quick else ARGS.reps
    arch = ffi.string(lib.tl_gemm_arch()).decode()
    peak = nt * 2 * 8 * 2 * ARGS.ghz
    rng = np.random.default_rng(0)
    rows = []
    for name, M, N, K in cases(ARGS.quick):
        if ARGS.only and ARGS.only not in name:
            continue
        a = rng.standard_normal((M, K), dtype=np.float32)
        bm = rng.standard_normal((K, N), dtype=np.float32)
        c = np.empty((M, N), np.float32)
        flop = 2.0 * M * N * K
        res = {"case": name, "M": M, "N": N, "K": K}
        fns = {
            "tensorlite": lambda a=a, b=bm, c=c: tl_gemm.matmul(a, b, out=c),
            "numpy": lambda a=a, b=bm, c=c: np.matmul(a, b, out=c),
        }
        if torch is not None:
            ta, tb, tc = torch.from_numpy(a), torch.from_numpy(bm), torch.from_numpy(c)
            fns["torch"] = lambda a=ta, b=tb, c=tc: torch.matmul(a, b, out=c)
        samples = interleaved_samples(fns, reps, ARGS.min_time, ARGS.gap)
        for lib_name, v in samples.items():
            res[f"{lib_name}_gflops"] = flop / statistics.median(v) / 1e9
        res["ratio_numpy"] = ratio_of_rounds(samples, "numpy")
        if torch is not None:
            res["ratio_torch"] = ratio_of_rounds(samples, "torch")
        res["pct_peak"] = 100.0 * res["tensorlite_gflops"] / peak
        rows.append(res)
        print(f"  {name}: tensorlite {res['tensorlite_gflops']:.1f}, numpy {res['numpy_gflops']:.1f}"
              + (f", torch {res['torch_gflops']:.1f}" if torch is not None else "")
              + " GFLOP/s", file=sys.stderr, flush=True)

    print(f"# GEMM fp32, {nt} thread(s), tensorlite kernel: {arch}\n")
    print(f"Nominal peak (the project's reference CPU, AVX2+FMA): {nt} cores x 2 FMA units x "
          f"8 lanes x 2 flop x {ARGS.ghz:g} GHz = {peak:.1f} GFLOP/s fp32.")
    if arch == "avx512":
        print(f"This CPU runs the AVX-512 kernel (16 lanes): the same formula gives "
              f"{2 * peak:.1f} GFLOP/s at {ARGS.ghz:g} GHz, and the clock may be higher; "
              f"%peak below is against the nominal {peak:.1f}.")
    print(f"Median of {reps} interleaved samples per library, warm-up excluded; the ratios are "
          f"medians of the per-round ratios.\n")
    head = "| case | M | N | K | tensorlite GF/s | numpy GF/s |"
    sep = "|---|---:|---:|---:|---:|---:|"
    if torch is not None:
        head += " torch GF/s |"
        sep += "---:|"
    head += " tl/numpy |"
    sep += "---:|"
    if torch is not None:
        head += " tl/torch |"
        sep += "---:|"
    head += " % nominal peak |"
    sep += "---:|"
    print(head)
    print(sep)
    for r in rows:
        line = (f"| {r['case']} | {r['M']} | {r['N']} | {r['K']} | {r['tensorlite_gflops']:.1f} "
                f"| {r['numpy_gflops']:.1f} |")
        if torch is not None:
            line += f" {r['torch_gflops']:.1f} |"
        line += f" {r['ratio_numpy']:.2f} |"
        if torch is not None:
            line += f" {r['ratio_torch']:.2f} |"
        line += f" {r['pct_peak']:.0f} |"
        print(line)

    if ARGS.json:
        meta = {
            "threads": nt,
            "kernel": arch,
            "nominal_peak_gflops": peak,
            "peak_formula": f"{nt} cores x 2 FMA x 8 lanes x 2 flop x {ARGS.ghz} GHz",
            "reps": reps,
            "numpy": np.__version__,
            "torch": torch.__version__ if torch is not None else None,
            "python": platform.python_version(),
            "machine": platform.processor() or platform.machine(),
        }
        with open(ARGS.json, "w", encoding="utf-8") as f:
            json.dump({"meta": meta, "results": rows}, f, indent=2)
        print(f"\nwrote {ARGS.json}")


if __name__ == "__main__":
    main()
