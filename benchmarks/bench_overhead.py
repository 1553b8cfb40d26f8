"""Per-op framework overhead: a chain of 1,000 small elementwise ops (forward, then backward) on a
10-element tensor, tensorlite vs PyTorch in one process, run alternately. Medians of --reps rounds;
reports µs per op and the median of the per-round ratios.

    python benchmarks/bench_overhead.py [--reps 15] [--json out.json]
"""
import argparse
import json
import statistics
import time


def chain_once(lib, x, n_ops=1000):
    """One forward chain and its backward; returns (µs/op forward, µs/op backward)."""
    t = time.perf_counter()
    y = x
    for i in range(n_ops):
        y = y * 1.0001 if i % 2 else y + 0.5
    t1 = time.perf_counter()
    y.sum().backward()
    t2 = time.perf_counter()
    x.grad = None
    return (t1 - t) / n_ops * 1e6, (t2 - t1) / n_ops * 1e6


def interleaved(libs, reps):
    """Run the frameworks' chains alternately (order flipped every rep), so a slow spell of the
    shared machine hits both alike; the first round is warm-up. Returns {name: [(fwd, bwd), ...]}."""
    xs = {name: lib.randn(10, requires_grad=True) for name, lib in libs.items()}
    runs = {name: [] for name in libs}
    names = list(libs)
    for r in range(reps + 1):
        for name in (names if r % 2 else names[::-1]):
            res = chain_once(libs[name], xs[name])
            if r:
                runs[name].append(res)
    return runs


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--reps", type=int, default=15)
    p.add_argument("--json", default=None)
    p.add_argument("--quick", action="store_true", help="smoke test: 3 runs")
    args = p.parse_args()
    if args.quick:
        args.reps = 3
    import torch
    import tensorlite as tl
    torch.set_num_threads(1)
    tl.set_num_threads(1)
    runs = interleaved({"tensorlite": tl, "torch": torch}, args.reps)
    med = {k: (statistics.median(f for f, _ in v), statistics.median(b for _, b in v)) for k, v in runs.items()}
    # the ratio of each round's pair, then the median: robust to the machine's speed drifting
    pairs = list(zip(runs["tensorlite"], runs["torch"]))
    rf = statistics.median(a[0] / b[0] for a, b in pairs)
    rb = statistics.median(a[1] / b[1] for a, b in pairs)
    print("| framework | forward µs/op | backward µs/op |")
    print("|---|---:|---:|")
    for k, (f, b) in med.items():
        print(f"| {k} | {f:.2f} | {b:.2f} |")
    print(f"| ratio tl/torch (median of per-round ratios) | {rf:.2f} | {rb:.2f} |")
    if args.json:
        out = {k: {"forward_us": v[0], "backward_us": v[1]} for k, v in med.items()}
        out["ratio"] = {"forward": rf, "backward": rb}
        with open(args.json, "w") as fh:
            json.dump(out, fh, indent=2)


if __name__ == "__main__":
    main()
