"""Per-op framework overhead: a chain of 1,000 small elementwise ops (forward, then backward) on a
10-element tensor, tensorlite vs PyTorch in one process. Medians of --reps runs; reports µs per op.

    python benchmarks/bench_overhead.py [--reps 7] [--json out.json]
"""
import argparse
import json
import statistics
import time


def chain(lib, reps, n_ops=1000):
    x = lib.randn(10, requires_grad=True)
    fwd, bwd = [], []
    for _ in range(reps + 1):                         # first run is warm-up
        t = time.perf_counter()
        y = x
        for i in range(n_ops):
            y = y * 1.0001 if i % 2 else y + 0.5
        t1 = time.perf_counter()
        y.sum().backward()
        t2 = time.perf_counter()
        fwd.append((t1 - t) / n_ops * 1e6)
        bwd.append((t2 - t1) / n_ops * 1e6)
        x.grad = None
    return statistics.median(fwd[1:]), statistics.median(bwd[1:])


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--reps", type=int, default=7)
    p.add_argument("--json", default=None)
    p.add_argument("--quick", action="store_true", help="smoke test: 3 runs")
    args = p.parse_args()
    if args.quick:
        args.reps = 3
    import torch
    import tensorlite as tl
    torch.set_num_threads(1)
    tl.set_num_threads(1)
    res = {"tensorlite": chain(tl, args.reps), "torch": chain(torch, args.reps)}
    print("| framework | forward µs/op | backward µs/op |")
    print("|---|---:|---:|")
    for k, (f, b) in res.items():
        print(f"| {k} | {f:.2f} | {b:.2f} |")
    rf = res["tensorlite"][0] / res["torch"][0]
    rb = res["tensorlite"][1] / res["torch"][1]
    print(f"| ratio tl/torch | {rf:.2f} | {rb:.2f} |")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({k: {"forward_us": v[0], "backward_us": v[1]} for k, v in res.items()}, fh, indent=2)


if __name__ == "__main__":
    main()
