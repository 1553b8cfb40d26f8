"""Run every benchmark and collect the results: one command.

    python benchmarks/run.py [--quick] [--threads N] [--only gemm,conv] [--out DIR]

Runs each benchmarks/bench_*.py in its own process with --json (plus --threads N where the script
takes it, default all cores, and --quick with --quick), streams its output with the elapsed time,
and writes into DIR (default benchmarks/results):

* <YYYY-MM-DD>.json -- the machine, and per script: command, exit status, seconds, its JSON;
* <YYYY-MM-DD>.md   -- the machine (CPU, cores, versions, load, date) and each script's tables;
  a later run on the same day writes <YYYY-MM-DD>-2.*, -3.*, ... (nothing is overwritten).

With --quick every script runs its smallest settings (a smoke test of the whole suite, minutes)
and the files are <YYYY-MM-DD>-quick.*, so a smoke test never overwrites a real run. A script that
fails is reported (and its error shown in the report); the others still run, and run.py exits 1.
bench_distributed.py runs only where `mpirun` and mpi4py exist.
"""
import argparse
import datetime
import importlib.metadata
import importlib.util
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))

# (script, takes --threads)
SCRIPTS = [
    ("bench_gemm", True),
    ("bench_conv", True),
    ("bench_norm_loss", True),
    ("bench_overhead", False),       # one thread by design: it measures Python overhead per op
    ("bench_train_step", True),
    ("bench_optim", True),
    ("bench_data", False),
    ("bench_memory", True),
    ("bench_startup", True),
    ("bench_epoch", True),
    ("bench_distributed", False),    # fixes its own layout: 1 process x 2 threads vs 2 x 1
    ("bench_gradcheck", False),      # gradcheck fast vs slow mode: a single-threaded check
]


def machine_info():
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass

    def version(pkg):
        try:
            return importlib.metadata.version(pkg)
        except importlib.metadata.PackageNotFoundError:
            return None

    try:
        commit = subprocess.run(["git", "-C", HERE, "rev-parse", "--short", "HEAD"], capture_output=True,
                                text=True, timeout=10).stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        commit = None
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(),
            "numpy": version("numpy"), "torch": version("torch"), "numba": version("numba"),
            "tensorlite": version("tensorlite"), "git_commit": commit, "platform": platform.platform(),
            "date": datetime.datetime.now().isoformat(timespec="seconds")}


def distributed_available():
    return shutil.which("mpirun") is not None and importlib.util.find_spec("mpi4py") is not None


def run_script(name, cmd, timeout, started):
    """Run one script, echoing its output with the elapsed time. Returns (exit code, stdout, stderr)."""
    env = dict(os.environ, PYTHONUNBUFFERED="1")          # stream lines as they are printed
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            cwd=os.path.dirname(HERE))
    err_lines = []
    reader = threading.Thread(target=lambda: err_lines.extend(proc.stderr), daemon=True)
    reader.start()
    timed_out = threading.Event()

    def kill():
        timed_out.set()
        proc.kill()
    watchdog = threading.Timer(timeout, kill) if timeout else None
    if watchdog:
        watchdog.start()
    out_lines = []
    t0 = time.perf_counter()
    for line in proc.stdout:
        out_lines.append(line)
        print(f"  [{time.perf_counter() - t0:6.1f}s | total {time.perf_counter() - started:6.0f}s] {line.rstrip()}",
              flush=True)
    rc = proc.wait()
    if watchdog:
        watchdog.cancel()
    reader.join()
    if timed_out.is_set():
        err_lines.append(f"\nrun.py: {name} killed after the --timeout of {timeout} s\n")
    return rc, "".join(out_lines), "".join(err_lines)


def markdown_of(stdout):
    """The script's own markdown: its tables and '#' title lines (as plain text); a script that
    prints no markdown table comes back as a code block."""
    lines = stdout.splitlines()
    if not any(ln.startswith("|") for ln in lines):
        return "```\n" + stdout.strip() + "\n```"
    out = []
    for ln in lines:
        if ln.startswith("|"):
            out.append(ln)
        elif ln.startswith("#"):
            out += ["", ln.lstrip("#").strip(), ""]
        elif out and out[-1].startswith("|"):
            out.append("")                     # a table ends where other text starts
    return "\n".join(out).strip()


def write_atomic(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, path)


def report(machine, args, results):
    m = machine
    lines = [f"# tensorlite benchmarks, {m['date'][:10]}" + (" (quick: smoke-test settings)" if args.quick else ""),
             "",
             f"- CPU: {m['cpu']}, {m['cores']} cores; {m['platform']}",
             f"- Python {m['python']}, numpy {m['numpy']}, torch {m['torch']}, numba {m['numba']}, "
             f"tensorlite {m['tensorlite']} (commit {m['git_commit']})",
             f"- threads: {args.threads}; load average before / after: {m['load_before']} / {m['load_after']}",
             f"- started {m['date']}, command: `python benchmarks/run.py {' '.join(sys.argv[1:])}`".rstrip(),
             "",
             "| script | status | seconds |", "|---|---|---:|"]
    for name, r in results.items():
        lines.append(f"| {name} | {r['status']} | {r['seconds']:.0f} |" if r["seconds"] is not None
                     else f"| {name} | {r['status']} | |")
    for name, r in results.items():
        lines += ["", f"## {name}", "", f"`{' '.join(r['cmd'])}`" if r["cmd"] else "", ""]
        if r["status"] == "ok":
            lines.append(markdown_of(r["stdout"]))
        elif r["status"].startswith("skipped"):
            lines.append(r["status"])
        else:
            tail = "\n".join((r["stderr"] or r["stdout"]).strip().splitlines()[-25:])
            lines += [f"**{r['status']}**", "", "```", tail, "```"]
    return "\n".join(lines) + "\n"


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="every script's smallest settings (a smoke test)")
    p.add_argument("--threads", type=int, default=os.cpu_count() or 1,
                   help="threads for the scripts that take --threads (default: all cores)")
    p.add_argument("--only", default="", help="comma-separated substrings of script names to run")
    p.add_argument("--out", default=os.path.join(HERE, "results"), help="directory for the .json and .md")
    p.add_argument("--timeout", type=float, default=0, help="seconds one script may run (0: no limit)")
    args = p.parse_args()
    if args.threads < 1:
        p.error(f"argument --threads must be >= 1, got {args.threads}")
    only = [s for s in args.only.split(",") if s]
    scripts = [(n, t) for n, t in SCRIPTS if not only or any(s in n for s in only)]
    if not scripts:
        p.error(f"argument --only: no script matches {args.only!r} (scripts: {', '.join(n for n, _ in SCRIPTS)})")

    machine = machine_info()
    machine["load_before"] = " ".join(f"{v:.2f}" for v in os.getloadavg())
    print(f"{machine['cpu']}, {machine['cores']} cores, torch {machine['torch']}, numpy {machine['numpy']}; "
          f"load {machine['load_before']}", flush=True)
    results = {}
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="tl-bench-") as tmp:
        for k, (name, takes_threads) in enumerate(scripts, 1):
            if name == "bench_distributed" and not distributed_available():
                print(f"[{k}/{len(scripts)}] {name}: skipped (needs mpirun and mpi4py)", flush=True)
                results[name] = {"status": "skipped (needs mpirun and mpi4py)", "cmd": None, "seconds": None,
                                 "returncode": None, "json": None, "stdout": "", "stderr": ""}
                continue
            json_path = os.path.join(tmp, name + ".json")
            extra = (["--threads", str(args.threads)] if takes_threads else []) + (["--quick"] if args.quick else [])
            cmd = [sys.executable, os.path.join(HERE, name + ".py"), "--json", json_path] + extra
            shown = ["python", f"benchmarks/{name}.py"] + extra          # as a user would type it
            print(f"[{k}/{len(scripts)}] {name} (total {time.perf_counter() - started:.0f} s so far)", flush=True)
            t0 = time.perf_counter()
            rc, out, err = run_script(name, cmd, args.timeout, started)
            secs = time.perf_counter() - t0
            data = None
            if os.path.exists(json_path):
                with open(json_path) as fh:
                    data = json.load(fh)
            status = "ok" if rc == 0 else f"FAILED (exit {rc})"
            if rc == 0 and data is None:
                status = "FAILED (no JSON written)"
            print(f"[{k}/{len(scripts)}] {name}: {status} in {secs:.0f} s", flush=True)
            if status != "ok":
                print("\n".join("    " + ln for ln in err.strip().splitlines()[-15:]), flush=True)
            results[name] = {"status": status, "cmd": shown, "seconds": secs, "returncode": rc, "json": data,
                             "stdout": out, "stderr": err}
    machine["load_after"] = " ".join(f"{v:.2f}" for v in os.getloadavg())

    os.makedirs(args.out, exist_ok=True)
    stem = free_stem(args.out, datetime.date.today().isoformat() + ("-quick" if args.quick else ""))
    combined = {"machine": machine, "threads": args.threads, "quick": args.quick,
                "scripts": {n: {k: r[k] for k in ("status", "cmd", "seconds", "returncode", "json")}
                            for n, r in results.items()}}
    write_atomic(stem + ".json", json.dumps(combined, indent=2) + "\n")
    write_atomic(stem + ".md", report(machine, args, results))
    failed = [n for n, r in results.items() if r["status"].startswith("FAILED")]
    print(f"\nwrote {stem}.json and {stem}.md in {time.perf_counter() - started:.0f} s")
    if failed:
        print(f"FAILED: {', '.join(failed)}", flush=True)
        return 1
    return 0


def free_stem(out_dir, base):
    """out_dir/base, or base-2, base-3, ... when a report of that name exists: a second run on the
    same day never overwrites the first."""
    stem, k = os.path.join(out_dir, base), 1
    while os.path.exists(stem + ".json") or os.path.exists(stem + ".md"):
        k += 1
        stem = os.path.join(out_dir, f"{base}-{k}")
    return stem


if __name__ == "__main__":
    sys.exit(main())
