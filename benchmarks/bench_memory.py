"""Peak memory of a ResNet-20 training step (batch 128, float32, SGD momentum + weight decay +
Nesterov): tensorlite vs PyTorch (NCHW), each in its own fresh process so neither sees the other's
allocations.

Each child process imports its framework, builds the model, the optimizer and one random batch
(the step functions of bench_train_step.py), reads its resident set size (VmRSS), runs --steps
training steps and reports its peak resident set size (VmHWM in /proc/self/status; ru_maxrss
where there is no /proc). Reported in MiB: RSS after import, after building, the peak, and the
peak minus the built RSS (what the steps add: activations kept for backward, gradients, optimizer
state, kernel workspace, allocator caches); ratio = tensorlite peak / torch peak.

    python benchmarks/bench_memory.py [--steps 3] [--threads N] [--json PATH]
"""
import argparse
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
FRAMEWORKS = ("tensorlite", "torch")


def _status_mib():
    """{'VmRSS': MiB, 'VmHWM': MiB} of this process from /proc, or {} where there is no /proc."""
    out = {}
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                key, _, rest = line.partition(":")
                if key in ("VmRSS", "VmHWM"):
                    out[key] = int(rest.split()[0]) / 1024          # kB -> MiB
    except OSError:
        pass
    return out


def _peak_mib():
    st = _status_mib()
    if "VmHWM" in st:
        return st["VmHWM"]
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024       # KiB on Linux


def child(framework, steps, threads):
    """Runs in the fresh process: prints one RESULT line of JSON."""
    sys.path.insert(0, os.path.join(HERE, ".."))
    sys.path.insert(0, HERE)
    t0 = time.perf_counter()
    if framework == "tensorlite":
        import tensorlite as tl
        tl.set_num_threads(threads)
    else:
        import torch
        torch.set_num_threads(threads)
    after_import = _status_mib().get("VmRSS")
    from bench_train_step import tl_step_fn, torch_step_fn
    step = tl_step_fn("resnet20") if framework == "tensorlite" else torch_step_fn("resnet20", False)
    after_build = _status_mib().get("VmRSS")
    times = []
    for _ in range(steps):
        t = time.perf_counter()
        step()
        times.append(time.perf_counter() - t)
    print("RESULT " + json.dumps({
        "framework": framework, "steps": steps, "rss_after_import_mib": after_import,
        "rss_after_build_mib": after_build, "rss_after_steps_mib": _status_mib().get("VmRSS"),
        "peak_rss_mib": _peak_mib(), "first_step_s": times[0] if times else None,
        "total_s": time.perf_counter() - t0}), flush=True)


def run_child(framework, steps, threads):
    env = dict(os.environ)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
        env[var] = str(threads)
    cmd = [sys.executable, os.path.abspath(__file__), "--child", framework, "--steps", str(steps),
           "--threads", str(threads)]
    out = subprocess.run(cmd, capture_output=True, text=True, env=env)
    for line in out.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT "):])
    raise RuntimeError(f"bench_memory: the {framework} child process printed no result (exit {out.returncode}):\n"
                       f"{out.stdout}\n{out.stderr}")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--steps", type=int, default=3, help="training steps per process (the peak is over all)")
    p.add_argument("--threads", type=int, default=os.cpu_count() or 1, help="threads (default: all cores)")
    p.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    p.add_argument("--quick", action="store_true", help="smoke test: 1 step")
    p.add_argument("--child", choices=FRAMEWORKS, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.steps < 1:
        p.error(f"argument --steps must be >= 1, got {args.steps}")
    if args.quick:
        args.steps = 1
    if args.child:
        return child(args.child, args.steps, args.threads)
    rows = {fw: run_child(fw, args.steps, args.threads) for fw in FRAMEWORKS}
    tl_r, th_r = rows["tensorlite"], rows["torch"]
    ratio = tl_r["peak_rss_mib"] / th_r["peak_rss_mib"]
    growth_ratio = ((tl_r["peak_rss_mib"] - tl_r["rss_after_build_mib"])
                    / max(th_r["peak_rss_mib"] - th_r["rss_after_build_mib"], 1e-9))
    print(f"# Peak memory, ResNet-20 training step, batch 128, float32, {args.steps} step(s), "
          f"{args.threads} threads, one fresh process per framework\n")
    print("| framework | RSS after import MiB | RSS after build MiB | peak RSS MiB | peak - build MiB |")
    print("|---|---:|---:|---:|---:|")
    for fw, r in rows.items():
        print(f"| {fw} | {r['rss_after_import_mib']:.0f} | {r['rss_after_build_mib']:.0f} | "
              f"{r['peak_rss_mib']:.0f} | {r['peak_rss_mib'] - r['rss_after_build_mib']:.0f} |")
    print(f"| ratio tl/torch | | | {ratio:.2f} | {growth_ratio:.2f} |")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"steps": args.steps, "threads": args.threads, "rows": rows,
                       "peak_ratio_tl_torch": ratio, "growth_ratio_tl_torch": growth_ratio}, fh, indent=2)


if __name__ == "__main__":
    main()
