"""Run an unmodified PyTorch script on real torch or on tensorlite, with randomness aligned.

    python tests/program_shim.py --torch=tensorlite [--seed=N] prog.py [prog args...]
    python tests/program_shim.py --torch=torch      [--seed=N] prog.py [prog args...]
    python tests/program_shim.py --torch=torch      [--seed=N] --batch=jobs.json   (several programs, one process)

--torch=tensorlite installs one sys.meta_path finder that answers every `torch` / `torch.X.Y` import with
the module `tensorlite` / `tensorlite.X.Y` (the very same module object), so the program runs with no edit.

Both modes draw every random number from one numpy Generator (PCG64) seeded identically, so parameter init,
torch.randn, randn_like, randperm, shuffling, multinomial ... give the same numbers when both libraries draw
in the same order with the same shapes and the same numpy calls:
* tensorlite draws everything through `tensorlite.random.Generator.rng` (its lowest-level source); the
  shim makes Generator.manual_seed install a numpy PCG64(seed) Generator there (as tensorlite does today)
  and sends dropout masks to the side stream (below).
* torch: torch.manual_seed reseeds the shared Generator; torch.rand/randn/randint/randperm/rand_like/
  randn_like/randint_like/normal/bernoulli/multinomial and Tensor.uniform_/normal_/bernoulli_/random_/
  exponential_/log_normal_/cauchy_/geometric_ (what torch.nn.init calls) are replaced by draws from it with
  the numpy call tensorlite makes for the same function. A torch.Generator passed explicitly maps to its own
  PCG64 Generator seeded with generator.initial_seed(), as a tensorlite Generator does.
* RandomSampler (DataLoader(shuffle=True)) draws its permutation(s) from the generator directly in both
  libraries (torch's own code first draws a child seed from the global RNG; tensorlite does not).
* Draws that cannot be aligned go to a side stream that never touches the shared one: dropout masks
  (torch draws them in C++, out of reach; the programs' comparison runs use --dropout 0) and seed-only
  draws (torch's DataLoader iterator draws a base seed with Tensor.random_() that tensorlite does not make
  when num_workers=0).
* Not aligned: torch.nn.init.trunc_normal_ (torch inverts a uniform draw, tensorlite redraws normals).
"""
import os
import runpy
import sys

import numpy as np

DEFAULT_SEED = 1234


class _State:
    def __init__(self, seed):
        self.restart(seed)

    def restart(self, seed):
        """The state a fresh process starts with (batch mode runs several programs in one process)."""
        self.reset(seed)
        self.side = np.random.Generator(np.random.PCG64(seed + 7919))
        self.by_generator = {}

    def reset(self, seed):
        self.shared = np.random.Generator(np.random.PCG64(int(seed) & ((1 << 64) - 1)))


def _setup_tensorlite(state):
    from tensorlite._torch_alias import install      # the import hook `python -m tensorlite.as_torch` uses
    install()
    import tensorlite
    from tensorlite import random as tl_random
    from tensorlite.ops import normalization

    # Every tensorlite draw goes through Generator.rng; pin it to the shim's PCG64(seed) (what tensorlite
    # uses today) so the alignment does not hang on tensorlite's choice of bit generator.
    orig_manual_seed = tl_random.Generator.manual_seed

    def manual_seed(self, seed):
        out = orig_manual_seed(self, seed)          # validates the seed
        self.rng = np.random.Generator(np.random.PCG64(int(seed) & ((1 << 64) - 1)))
        return out
    tl_random.Generator.manual_seed = manual_seed
    orig_rng = normalization.rng

    def dropout_rng(generator=None):
        return state.side if generator is None else orig_rng(generator)
    normalization.rng = dropout_rng        # only dropout masks draw through this module's `rng`
    tensorlite.set_num_threads(1)
    tensorlite.manual_seed(DEFAULT_SEED)
    import torch                           # noqa: F401  (now tensorlite; fails loudly if the finder broke)
    assert sys.modules["torch"] is tensorlite


def _setup_torch(state):
    import torch
    import torch.utils.data.dataset as tud_dataset
    import torch.utils.data.sampler as tud_sampler

    torch.set_num_threads(1)

    def gen(generator):
        if generator is None or generator is torch.default_generator:
            return state.shared
        key = (id(generator), generator.initial_seed())
        if key not in state.by_generator:
            state.by_generator[key] = np.random.Generator(np.random.PCG64(generator.initial_seed()))
        return state.by_generator[key]

    def size_of(size, kw_size=None):
        if kw_size is not None:                          # torch.randn(size=(2, 3))
            size = (kw_size,)
        if len(size) == 1 and isinstance(size[0], (tuple, list, torch.Size)):
            size = size[0]
        return tuple(int(s) for s in size)

    def make(values, dtype, device=None, requires_grad=False):
        t = torch.from_numpy(np.array(values, order="C")).to(dtype=dtype)
        if device is not None:
            t = t.to(device)
        return t.requires_grad_(requires_grad) if requires_grad else t

    orig_manual_seed = torch.manual_seed

    def manual_seed(seed):
        state.reset(seed)
        return orig_manual_seed(seed)

    def rand(*size, generator=None, dtype=None, device=None, requires_grad=False, **kw):
        values = gen(generator).random(size_of(size, kw.get("size")))
        return make(values, dtype or torch.get_default_dtype(), device, requires_grad)

    def randn(*size, generator=None, dtype=None, device=None, requires_grad=False, **kw):
        values = gen(generator).standard_normal(size_of(size, kw.get("size")))
        return make(values, dtype or torch.get_default_dtype(), device, requires_grad)

    def randint(*args, size=None, generator=None, dtype=None, device=None, requires_grad=False, **kw):
        args = list(args)
        if size is None and args and isinstance(args[-1], (tuple, list, torch.Size)):
            size = args.pop()
        low, high = (0, args[0]) if len(args) == 1 else (args[0], args[1]) if args else (kw.get("low", 0),
                                                                                         kw["high"])
        return make(gen(generator).integers(int(low), int(high), tuple(size)), dtype or torch.int64, device)

    def randperm(n, *, generator=None, dtype=None, device=None, **_):
        return make(gen(generator).permutation(int(n)), dtype or torch.int64, device)

    def rand_like(input, *, dtype=None, device=None, requires_grad=False, **_):
        return rand(*input.shape, dtype=dtype or input.dtype, device=device or input.device,
                    requires_grad=requires_grad)

    def randn_like(input, *, dtype=None, device=None, requires_grad=False, **_):
        return randn(*input.shape, dtype=dtype or input.dtype, device=device or input.device,
                     requires_grad=requires_grad)

    def randint_like(input, low=0, high=None, *, dtype=None, device=None, **_):
        if high is None:
            low, high = 0, low
        return randint(low, high, tuple(input.shape), dtype=dtype or input.dtype, device=device or input.device)

    def normal(mean, std=1.0, size=None, *, generator=None, **_):
        g = gen(generator)
        if isinstance(mean, torch.Tensor) or isinstance(std, torch.Tensor):
            m = mean.detach().cpu().numpy() if isinstance(mean, torch.Tensor) else float(mean)
            s = std.detach().cpu().numpy() if isinstance(std, torch.Tensor) else float(std)
            dt = (mean if isinstance(mean, torch.Tensor) else std).dtype
            return make(g.normal(m, s, np.broadcast_shapes(np.shape(m), np.shape(s))), dt)
        return make(g.normal(float(mean), float(std), size_of((size,))), torch.get_default_dtype())

    def bernoulli(input, p=None, *, generator=None, **_):
        probs = input.detach().cpu().numpy() if p is None else np.full(tuple(input.shape), p)
        return make(gen(generator).random(tuple(input.shape)) < probs, input.dtype, input.device)

    def multinomial(input, num_samples, replacement=False, *, generator=None, **_):
        probs = np.atleast_2d(input.detach().cpu().numpy()).astype(np.float64)
        out = np.asarray([gen(generator).choice(len(r), num_samples, replace=replacement, p=r / r.sum())
                          for r in probs], dtype=np.int64)
        return make(out if input.ndim == 2 else out[0], torch.int64, input.device)

    def filler(draw):
        def method(self, *args, generator=None, **kw):
            values = draw(gen(generator), tuple(self.shape), *args, **kw)
            with torch.no_grad():
                self.copy_(torch.from_numpy(np.array(values, order="C")))
            return self
        return method

    def random_values(g, shape, *args, **kw):
        vals = list(args) + [kw[k] for k in ("from", "to") if k in kw]
        if not vals:                                     # a seed draw (DataLoader, RandomSampler): side stream
            return state.side.integers(0, 2 ** 62, shape)
        low, high = (0, vals[0]) if len(vals) == 1 else (vals[0], vals[1])
        return g.integers(int(low), 2 ** 62 if high is None else int(high), shape)

    def bernoulli_values(g, shape, p=0.5):
        p = p.detach().cpu().numpy() if isinstance(p, torch.Tensor) else p
        return g.random(shape) < p

    patches = {
        "uniform_": filler(lambda g, shape, a=0.0, b=1.0, **kw: g.uniform(kw.get("from", a), kw.get("to", b),
                                                                         shape)),
        "normal_": filler(lambda g, shape, mean=0.0, std=1.0: g.normal(mean, std, shape)),
        "bernoulli_": filler(bernoulli_values),
        "random_": filler(random_values),
        "exponential_": filler(lambda g, shape, lambd=1.0: g.exponential(1.0 / lambd, shape)),
        "log_normal_": filler(lambda g, shape, mean=1.0, std=2.0: g.lognormal(mean, std, shape)),
        "cauchy_": filler(lambda g, shape, median=0.0, sigma=1.0: median + sigma * g.standard_cauchy(shape)),
        "geometric_": filler(lambda g, shape, p: g.geometric(p, shape)),
    }
    for name, fn in patches.items():
        setattr(torch.Tensor, name, fn)

    for name, fn in dict(manual_seed=manual_seed, rand=rand, randn=randn, randint=randint, randperm=randperm,
                         rand_like=rand_like, randn_like=randn_like, randint_like=randint_like, normal=normal,
                         bernoulli=bernoulli, multinomial=multinomial).items():
        setattr(torch, name, fn)
    torch.random.manual_seed = manual_seed
    tud_dataset.randperm = randperm                     # random_split imported it by name

    def random_sampler_iter(self):
        n, m = len(self.data_source), self.num_samples
        g = gen(self.generator)
        if self.replacement:
            idx = g.integers(0, n, size=m)
        else:
            parts = [g.permutation(n) for _ in range(m // n)] + ([g.permutation(n)[:m % n]] if m % n else [])
            idx = np.concatenate(parts) if parts else np.zeros(0, np.int64)
        return iter(idx.tolist())
    tud_sampler.RandomSampler.__iter__ = random_sampler_iter
    state.reset(DEFAULT_SEED)


def _run_program(prog, args):
    prog = os.path.abspath(prog)
    sys.argv = [prog] + list(args)
    sys.path[0] = os.path.dirname(prog)
    runpy.run_path(prog, run_name="__main__")


def _run_batch(lib, state, jobfile):
    """Run the jobs [{"prog", "args", "cwd"}] of a JSON file one after another in this process (one library
    import for all), each as a fresh process would: own cwd, $PROGRAM_OUT=cwd/results.npz, seeds and
    default dtype reset. Each job leaves cwd/stdout.txt (written last: the job is complete), stderr.txt and
    rc.txt."""
    import contextlib
    import json
    import traceback
    torch = sys.modules["torch"]
    with open(jobfile) as f:
        jobs = json.load(f)
    path0, env0 = sys.path[0], dict(os.environ)
    for job in jobs:
        cwd = job["cwd"]
        os.chdir(cwd)
        os.environ.clear()
        os.environ.update(env0, PROGRAM_OUT=os.path.join(cwd, "results.npz"))
        torch.set_default_dtype(torch.float32)
        torch.set_grad_enabled(True)
        torch.manual_seed(DEFAULT_SEED)
        state.restart(DEFAULT_SEED)
        rc = 0
        with open(os.path.join(cwd, "stdout.tmp"), "w") as out, open(os.path.join(cwd, "stderr.txt"), "w") as err:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                try:
                    _run_program(job["prog"], job["args"])
                except SystemExit as e:
                    rc = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
                except BaseException:
                    traceback.print_exc()
                    rc = 1
        sys.path[0] = path0
        with open(os.path.join(cwd, "rc.txt"), "w") as f:
            f.write(str(rc))
        os.replace(os.path.join(cwd, "stdout.tmp"), os.path.join(cwd, "stdout.txt"))


def main(argv=None):
    global DEFAULT_SEED
    argv = list(sys.argv[1:] if argv is None else argv)
    lib, seed, batch = None, DEFAULT_SEED, None
    while argv and argv[0].startswith("--"):
        opt = argv.pop(0)
        if opt.startswith("--torch="):
            lib = opt.split("=", 1)[1]
        elif opt.startswith("--seed="):
            seed = int(opt.split("=", 1)[1])
        elif opt.startswith("--batch="):
            batch = opt.split("=", 1)[1]
        else:
            raise SystemExit(f"program_shim: unknown option {opt!r}")
    if lib not in ("torch", "tensorlite") or not (argv or batch):
        raise SystemExit("usage: program_shim.py --torch={torch,tensorlite} [--seed=N] prog.py [args...]\n"
                         "       program_shim.py --torch={torch,tensorlite} [--seed=N] --batch=jobs.json")
    DEFAULT_SEED = seed
    state = _State(seed)
    (_setup_tensorlite if lib == "tensorlite" else _setup_torch)(state)
    if batch:
        _run_batch(lib, state, batch)
    else:
        _run_program(argv[0], argv[1:])


if __name__ == "__main__":
    main()
