"""Time to the first training step: from starting a fresh Python process to the end of its first
LeNet-5 training step (batch 128, forward + cross-entropy + backward + SGD step; the step
functions of bench_train_step.py), imports and model building included.

* tensorlite, Numba cache warm: the kernels' compiled code is on disk already (tensorlite's Numba
  kernels use ``cache=True``); here NUMBA_CACHE_DIR points at a temporary directory that one
  untimed process fills first, so the numbers do not depend on the state of the checkout;
* tensorlite, Numba cache cold: NUMBA_CACHE_DIR points at a new empty directory for every process,
  so every kernel the step needs is compiled (what a fresh install pays once);
* torch.

The clock runs in the parent from just before the process is spawned until the child reports the
end of its first step; the child also reports its own split (import, build, first step).
Medians over --reps processes per case, the cases taking turns.

    python benchmarks/bench_startup.py [--reps 5] [--threads N] [--json PATH]
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = ("tensorlite, Numba cache warm", "tensorlite, Numba cache cold", "torch")


def child(framework, threads):
    """Runs in the fresh process: imports, builds, steps once, prints one RESULT line of JSON."""
    t0 = time.perf_counter()
    sys.path.insert(0, os.path.join(HERE, ".."))
    sys.path.insert(0, HERE)
    if framework == "tensorlite":
        import tensorlite as tl
        tl.set_num_threads(threads)
    else:
        import torch
        torch.set_num_threads(threads)
    t1 = time.perf_counter()
    from bench_train_step import tl_step_fn, torch_step_fn
    step = tl_step_fn("lenet5") if framework == "tensorlite" else torch_step_fn("lenet5", False)
    t2 = time.perf_counter()
    step()
    t3 = time.perf_counter()
    print("RESULT " + json.dumps({"import_s": t1 - t0, "build_s": t2 - t1, "first_step_s": t3 - t2}), flush=True)


def run_child(framework, threads, cache_dir):
    """Seconds from spawning the process to its RESULT line, and the child's own split."""
    env = dict(os.environ)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
        env[var] = str(threads)
    if cache_dir is not None:
        env["NUMBA_CACHE_DIR"] = cache_dir
    cmd = [sys.executable, os.path.abspath(__file__), "--child", framework, "--threads", str(threads)]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    result, lines = None, []
    for line in proc.stdout:              # the clock stops at the RESULT line, not at interpreter exit
        if line.startswith("RESULT "):
            result = {"total_s": time.perf_counter() - t0, **json.loads(line[len("RESULT "):])}
        lines.append(line)
    err = proc.stderr.read()
    if proc.wait() != 0 or result is None:
        raise RuntimeError(f"bench_startup: the {framework} child process failed (exit {proc.returncode}):\n"
                           f"{''.join(lines)}\n{err}")
    return result


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--reps", type=int, default=5, help="fresh processes per case (median reported)")
    p.add_argument("--threads", type=int, default=os.cpu_count() or 1, help="threads (default: all cores)")
    p.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    p.add_argument("--quick", action="store_true", help="smoke test: 1 process per case")
    p.add_argument("--child", choices=("tensorlite", "torch"), help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        return child(args.child, args.threads)
    if args.quick:
        args.reps = 1
    if args.reps < 1:
        p.error(f"argument --reps must be >= 1, got {args.reps}")
    scratch = tempfile.mkdtemp(prefix="tl-bench-startup-")
    try:
        warm_dir = os.path.join(scratch, "warm")
        run_child("tensorlite", args.threads, warm_dir)           # fills the warm cache (untimed)
        runs = {case: [] for case in CASES}
        for rep in range(args.reps):
            runs[CASES[0]].append(run_child("tensorlite", args.threads, warm_dir))
            runs[CASES[1]].append(run_child("tensorlite", args.threads, os.path.join(scratch, f"cold{rep}")))
            runs[CASES[2]].append(run_child("torch", args.threads, None))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    rows = [{"case": case, **{k: statistics.median(r[k] for r in rs) for k in rs[0]}} for case, rs in runs.items()]
    print(f"# Time to the first LeNet-5 training step (batch 128) from a fresh process, {args.threads} threads, "
          f"median of {args.reps}\n")
    print("| case | total s | import s | build s | first step s |")
    print("|---|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['case']} | {r['total_s']:.2f} | {r['import_s']:.2f} | {r['build_s']:.2f} | "
              f"{r['first_step_s']:.2f} |")
    print("\n(total also counts interpreter start-up; the other columns are measured inside the process)")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"threads": args.threads, "reps": args.reps, "rows": rows, "runs": runs}, fh, indent=2)


if __name__ == "__main__":
    main()
