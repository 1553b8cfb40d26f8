"""Time your own model's training step in tensorlite and PyTorch, from one source file.

    python -m tensorlite.bench my_model.py:make_model --input-shape 64,3,32,32

`my_model.py` is ordinary PyTorch code (`import torch`, `import torch.nn as nn`) and `make_model`
a function that returns the model. The file is imported twice: once as it is, with real torch,
and once with every `torch` import answered by tensorlite (the same aliasing the ported-program
tests use). torch's initial weights are copied into the tensorlite model, the outputs of both
(in eval mode) must agree, then each library times its training step (forward, loss, backward,
SGD step) in a fresh subprocess: torch in its default layout and, for 4-D inputs, channels_last.
The table gives the median step time with its interquartile range, images per second, peak
resident memory, and tensorlite's time as a ratio of each torch layout. Warm-up steps (Numba's
JIT, torch's first-call setup) are not timed.
"""
import argparse
import importlib.util
import json
import os
import resource
import statistics
import subprocess
import sys
import time

import numpy as np


def load_factory(target, library):
    """The factory named by 'path/to/file.py:function', with `torch` meaning `library`."""
    path, sep, name = target.rpartition(":")
    if not sep or not path or not name:
        raise SystemExit(f"tensorlite.bench: MODEL must be FILE.py:FACTORY, got {target!r}")
    if not os.path.isfile(path):
        raise SystemExit(f"tensorlite.bench: no such model file: {path}")
    import contextlib
    from ._torch_alias import aliased
    with aliased() if library == "tensorlite" else contextlib.nullcontext():
        spec = importlib.util.spec_from_file_location(f"_bench_model_{library}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    factory = getattr(module, name, None)
    if not callable(factory):
        raise SystemExit(f"tensorlite.bench: {path} has no callable {name!r}")
    return factory


def _parse_shape(text):
    try:
        shape = tuple(int(s) for s in text.replace("x", ",").split(",") if s.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be comma-separated positive ints, got {text!r}") from None
    if not shape or any(s <= 0 for s in shape):
        raise argparse.ArgumentTypeError(f"must be comma-separated positive ints, got {text!r}")
    return shape


def _parser():
    p = argparse.ArgumentParser(prog="python -m tensorlite.bench", description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("model", help="FILE.py:FACTORY, a function returning the model (PyTorch source)")
    p.add_argument("--input-shape", type=_parse_shape, required=True, help="batch shape, e.g. 64,3,32,32")
    p.add_argument("--steps", type=int, default=10, help="timed training steps per library")
    p.add_argument("--warmup", type=int, default=3, help="untimed steps first")
    p.add_argument("--threads", type=int, default=os.cpu_count() or 1, help="threads for both libraries")
    p.add_argument("--dtype", choices=("float32", "float64"), default="float32")
    p.add_argument("--no-check", action="store_true", help="skip the output comparison")
    p.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    p.add_argument("--_worker", nargs=2, metavar=("LIBRARY", "WEIGHTS"), help=argparse.SUPPRESS)
    return p


def _numpy_state(model):
    return {k: v.detach().cpu().numpy().copy() for k, v in model.state_dict().items()}


def _build(lib, args, weights=None):
    import importlib as il
    m = il.import_module(lib)
    m.manual_seed(0)
    model = load_factory(args.model, lib)()
    model = model.double() if args.dtype == "float64" else model.float()
    if weights is not None:
        model.load_state_dict({k: m.from_numpy(v.copy()) for k, v in weights.items()})
    return m, model


def _inputs(m, args):
    rng = np.random.default_rng(0)
    x = m.from_numpy(rng.standard_normal(args.input_shape).astype(args.dtype))
    return x


def _forward(lib, args, weights):
    try:
        m, model = _build(lib, args, weights)
        model.eval()
        with m.no_grad():
            return _numpy_state(model), model(_inputs(m, args)).numpy()
    except SystemExit:
        raise
    except Exception as e:                  # noqa: BLE001 -- the user's model: report it in one line
        raise SystemExit(f"tensorlite.bench: the model failed in {lib}: {type(e).__name__}: {e}") from None


def check_outputs(args):
    weights, a = _forward("torch", args, None)
    _, b = _forward("tensorlite", args, weights)
    if a.shape != b.shape:
        raise SystemExit(f"tensorlite.bench: output shapes differ: torch {a.shape}, tensorlite {b.shape}")
    tol = 1e-3 if args.dtype == "float32" else 1e-8
    err = float(np.max(np.abs(a - b) / (np.abs(a) + 1.0))) if a.size else 0.0
    if err > tol:
        raise SystemExit(f"tensorlite.bench: outputs differ (max relative error {err:.3g} > {tol}): the model "
                         f"does not behave the same in both libraries")
    return weights, err


def _step_fn(m, model, x, y):
    opt = m.optim.SGD(model.parameters(), lr=1e-3, momentum=0.9)
    F = m.nn.functional

    def step():
        opt.zero_grad()
        out = model(x)
        loss = F.cross_entropy(out, y) if out.ndim == 2 and y is not None else out.float().square().mean()
        loss.backward()
        opt.step()
    return step


def worker(args, library, weights_path):
    """Time the training step in this process; print one JSON line."""
    lib = "tensorlite" if library == "tensorlite" else "torch"
    weights = dict(np.load(weights_path))
    m, model = _build(lib, args, weights)
    m.set_num_threads(args.threads)
    x = _inputs(m, args)
    if library == "torch-channels_last":
        model = model.to(memory_format=m.channels_last)
        x = x.contiguous(memory_format=m.channels_last)
    model.train()
    with m.no_grad():
        out = model(x)
    y = None
    if out.ndim == 2:
        y = m.from_numpy(np.random.default_rng(1).integers(0, out.shape[1], size=out.shape[0]))
    step = _step_fn(m, model, x, y)
    for _ in range(args.warmup):
        step()
    times = []
    for _ in range(args.steps):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024          # KiB -> MiB on Linux
    print(json.dumps({"library": library, "times": times, "peak_mib": peak}))


def _run_worker(args, library, weights_path):
    cmd = [sys.executable, "-m", "tensorlite.bench", args.model, "--input-shape",
           ",".join(map(str, args.input_shape)), "--steps", str(args.steps), "--warmup", str(args.warmup),
           "--threads", str(args.threads), "--dtype", args.dtype, "--_worker", library, weights_path]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"tensorlite.bench: the {library} run failed:\n{r.stderr.strip()[-2000:]}")
    return json.loads(r.stdout.strip().splitlines()[-1])


def _quartiles(ts):
    if len(ts) < 2:
        return ts[0], ts[0]
    q = statistics.quantiles(ts, n=4, method="inclusive")
    return q[0], q[2]


def main(argv=None):
    args = _parser().parse_args(argv)
    for flag, v, lo in (("--steps", args.steps, 1), ("--warmup", args.warmup, 0), ("--threads", args.threads, 1)):
        if v < lo:
            _parser().error(f"argument {flag}: must be at least {lo}, got {v}")
    if args._worker:
        return worker(args, *args._worker)
    try:
        import torch  # noqa: F401
    except ImportError:
        raise SystemExit("tensorlite.bench needs PyTorch: pip install 'tensorlite[bench]'") from None
    import tempfile
    if args.no_check:
        _, tmodel = _build("torch", args)
        weights, err = _numpy_state(tmodel), None
    else:
        weights, err = check_outputs(args)
    libraries = ["tensorlite", "torch"] + (["torch-channels_last"] if len(args.input_shape) == 4 else [])
    with tempfile.TemporaryDirectory() as d:
        wpath = os.path.join(d, "weights.npz")
        np.savez(wpath, **weights)
        results = [_run_worker(args, lib, wpath) for lib in libraries]
    batch = args.input_shape[0]
    med = {r["library"]: statistics.median(r["times"]) for r in results}
    isa = _isa()
    print(f"model {args.model}, input {tuple(args.input_shape)} {args.dtype}, {args.threads} threads, "
          f"{args.steps} timed steps after {args.warmup} warm-up; CPU: {isa}")
    if err is not None:
        print(f"outputs agree (max relative difference {err:.2g})")
    print(f"{'library':<22}{'step ms (median)':>18}{'IQR ms':>16}{'images/s':>10}{'peak MiB':>10}"
          f"{'tensorlite / this':>19}")
    for r in results:
        lo, hi = _quartiles(r["times"])
        m = med[r["library"]]
        ratio = med["tensorlite"] / m
        print(f"{r['library']:<22}{m * 1e3:>18.2f}{f'{lo * 1e3:.1f}-{hi * 1e3:.1f}':>16}{batch / m:>10.0f}"
              f"{r['peak_mib']:>10.0f}{ratio:>18.2f}x")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"args": {k: v for k, v in vars(args).items() if k != "_worker"}, "cpu": isa,
                       "max_rel_diff": err, "results": results}, f, indent=1)
    return 0


def _isa():
    try:
        flags = open("/proc/cpuinfo").read()
    except OSError:
        return "unknown"
    return "AVX-512" if "avx512f" in flags else "AVX2" if "avx2" in flags else "no AVX2"


if __name__ == "__main__":
    sys.exit(main())
