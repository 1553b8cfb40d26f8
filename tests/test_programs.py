"""Ported-programs corpus: each tests/programs/*.py is an ordinary PyTorch script (argparse defaults, a device
line, train/eval loops, `if __name__ == "__main__"`), run unmodified twice -- on real torch and on tensorlite
bound as `torch` by tests/program_shim.py -- and the two runs must agree.

* Randomness is aligned by the shim: one shared numpy PCG64 stream for both libraries (see its docstring),
  so init, randn, randperm, shuffling and multinomial sampling give the same numbers.
* Dropout masks cannot be aligned (torch draws them in C++), so programs with dropout are compared with
  their own `--dropout 0` flag (the layers still run, p=0), and once more with their default dropout,
  where only the run's shape is compared (compare_structure).
* Compared: stdout line by line -- text exact once the library's name `tensorlite` is read as `torch`
  (`torch.Size`, `torch.float64`), every number within tolerance and printed in the same format -- and
  the arrays the program writes to $PROGRAM_OUT (npz or JSON: names in order, shapes, dtypes, values:
  losses, state_dicts, some gradients and outputs).
* A program that fails on tensorlite fails its test: there is no skip or xfail for missing features.
* Cost: torch's runs are cached in pytest's cache dir, keyed by program, shim, args and versions; the
  missing ones run in ONE background torch process (one torch import) while the tests run tensorlite.
  Each tensorlite run is a subprocess of about 1.2-1.6 s (import, Numba JIT, a few optimizer steps); the
  whole file takes about 50 s uncached and 40 s cached on the shared 2-core dev machine.
"""
import hashlib
import json
import math
import os
import re
import shutil
import subprocess
import sys
import time

import numpy as np
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
SHIM = os.path.join(HERE, "program_shim.py")
PROGRAMS = os.path.join(HERE, "programs")

# name -> (program file, args, rtol, atol for the saved arrays). float32 programs agree to ~1e-5 after a
# few optimizer steps; the tolerances leave room for summation-order differences between the libraries.
CASES = {
    "resnet_cifar": ("resnet_cifar.py", [], 1e-4, 1e-5),
    "resnet_cifar_cosine": ("resnet_cifar.py", ["--scheduler", "cosine", "--epochs", "2"], 1e-4, 1e-5),
    "mnist_cnn": ("mnist_cnn.py", ["--dropout", "0"], 1e-4, 1e-5),
    "vae": ("vae.py", [], 1e-4, 1e-5),
    "dcgan": ("dcgan.py", [], 1e-4, 1e-5),
    "char_lstm": ("char_lstm.py", ["--dropout", "0"], 1e-4, 1e-5),
    "char_gru": ("char_lstm.py", ["--dropout", "0", "--model", "GRU", "--epochs", "1"], 1e-4, 1e-5),
    "tiny_gpt": ("tiny_gpt.py", ["--dropout", "0"], 1e-4, 1e-5),
    "transformer_classifier": ("transformer_classifier.py", ["--dropout", "0"], 1e-4, 1e-5),
    "lbfgs_poly": ("lbfgs_poly.py", [], 1e-6, 1e-9),
    "data_pipeline": ("data_pipeline.py", [], 1e-4, 1e-5),
    "tensor_formatting": ("tensor_formatting.py", ["--dropout", "0"], 1e-4, 1e-5),
    "checkpointing": ("checkpointing.py", [], 1e-4, 1e-5),
    "gru_packed": ("gru_packed.py", ["--dropout", "0"], 1e-4, 1e-5),
    "super_resolution": ("super_resolution.py", [], 1e-4, 1e-5),
    "linear_regression": ("linear_regression.py", [], 1e-4, 1e-5),
    "autograd_basics": ("autograd_basics.py", [], 1e-9, 1e-12),
    "seeded_sampling": ("seeded_sampling.py", [], 1e-6, 1e-7),
    "char_rnn_relu": ("char_lstm.py", ["--dropout", "0", "--model", "RNN_RELU", "--epochs", "1", "--lr", "0.5"],
                      1e-4, 1e-5),
    "rnn_packed": ("gru_packed.py", ["--dropout", "0", "--rnn", "RNN"], 1e-4, 1e-5),
    "optimizer_zoo": ("optimizer_zoo.py", [], 1e-4, 1e-5),
    "custom_layers": ("custom_layers.py", [], 1e-4, 1e-5),
    "seq2seq_transformer": ("seq2seq_transformer.py", ["--dropout", "0"], 1e-4, 1e-5),
    "train_val_phases": ("train_val_phases.py", [], 1e-4, 1e-5),
    "unet_segmentation": ("unet_segmentation.py", [], 1e-4, 1e-5),
    "unet_transposed": ("unet_segmentation.py", ["--no-bilinear", "--epochs", "1"], 1e-4, 1e-5),
    "distillation": ("distillation.py", ["--dropout", "0"], 1e-4, 1e-5),
}


def _without_dropout_flag(args):
    i = args.index("--dropout")
    return args[:i] + args[i + 2:]


# The same programs with their default dropout: masks differ between the libraries, so only the run's
# shape is compared (see compare_structure).
DROPOUT_CASES = {f"{name}_with_dropout": (CASES[name][0], _without_dropout_flag(CASES[name][1]), None, None)
                 for name in ("mnist_cnn", "char_lstm", "char_gru", "tiny_gpt", "transformer_classifier",
                              "gru_packed", "seq2seq_transformer", "distillation")}
CASES.update(DROPOUT_CASES)

_NUM = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?|[-+]?\b(?:nan|inf)\b")


def _env(cwd):
    return dict(os.environ, PROGRAM_OUT=os.path.join(cwd, RESULTS), OMP_NUM_THREADS="1", MKL_NUM_THREADS="1",
                PYTHONHASHSEED="0", PYTHONWARNINGS="ignore")


def _start(lib, prog, args, cwd):
    env = _env(cwd)
    return subprocess.Popen([sys.executable, SHIM, f"--torch={lib}", os.path.join(PROGRAMS, prog), *args],
                            cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _finish(proc):
    try:
        out, err = proc.communicate(timeout=300)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
    return proc.returncode, out, err


RESULTS = "results.npz"          # np.savez appends .npz to any other name; JSON programs write here too


def _ref_key(prog, args):
    import torch
    h = hashlib.sha256()
    for path in (os.path.join(PROGRAMS, prog), SHIM):
        with open(path, "rb") as f:
            h.update(f.read())
    h.update(repr(("layout 2", args, torch.__version__, np.__version__, sys.version)).encode())
    return h.hexdigest()[:24]


def _tail(text, n=3000):
    return text if len(text) <= n else "..." + text[-n:]


def _shape(s):
    mant = re.split("[eE]", s)[0]
    return ("." in mant, len(mant.split(".")[1]) if "." in mant else 0, bool(re.search("[eE]", s)))


def _close(a, b, rtol):
    """Printed numbers: equal, or within rtol, or within a couple of units of the last printed digit."""
    if a == b:
        return True
    if _shape(a) != _shape(b):                   # "1.5" vs "1.5000": the formatting differs
        return False
    fa, fb = float(a), float(b)
    if math.isnan(fa) or math.isnan(fb):
        return False
    if re.fullmatch(r"[-+]?\d+", a) and re.fullmatch(r"[-+]?\d+", b):
        return fa == fb                              # counts, epochs, shapes: exact
    digits = len(b.split(".")[1].split("e")[0].split("E")[0]) if "." in b else 0
    exp = int(re.split("[eE]", b)[1]) if re.search("[eE]", b) else 0
    unit = 10.0 ** (exp - digits)
    return abs(fa - fb) <= 2.5 * unit + rtol * abs(fb)


def compare_stdout(ref, got, rtol=1e-4):
    ref_lines, got_lines = ref.splitlines(), got.replace("tensorlite", "torch").splitlines()
    for i, (r, g) in enumerate(zip(ref_lines, got_lines)):
        rt, gt = _NUM.split(r), _NUM.split(g)
        rn, gn = _NUM.findall(r), _NUM.findall(g)
        where = f"stdout line {i + 1}:\n  torch:      {r!r}\n  tensorlite: {g!r}"
        assert rt == gt and len(rn) == len(gn), f"text differs on {where}"
        bad = [(a, b) for a, b in zip(gn, rn) if not _close(a, b, rtol)]
        assert not bad, f"numbers differ {bad[:4]} (tensorlite, torch) on {where}"
    assert len(ref_lines) == len(got_lines), (f"torch printed {len(ref_lines)} lines, tensorlite "
                                              f"{len(got_lines)}; first extra: "
                                              f"{(ref_lines + got_lines)[min(len(ref_lines), len(got_lines))]!r}")


def _flatten(obj, prefix=""):
    if isinstance(obj, dict):
        out = {}
        for k, v in obj.items():
            out.update(_flatten(v, f"{prefix}{k}/"))
        return out
    return {prefix.rstrip("/"): np.asarray(obj)}


def load_results(path):
    """$PROGRAM_OUT as {name: array} in the program's order: an npz archive or (nested) JSON."""
    with open(path, "rb") as f:
        is_zip = f.read(2) == b"PK"
    if is_zip:
        with np.load(path) as z:
            return {k: z[k] for k in z.files}
    with open(path) as f:
        return _flatten(json.load(f))


def compare_arrays(ref_path, got_path, rtol, atol):
    assert os.path.exists(ref_path), "the torch run wrote no $PROGRAM_OUT"
    assert os.path.exists(got_path), "the tensorlite run wrote no $PROGRAM_OUT"
    r, g = load_results(ref_path), load_results(got_path)
    assert list(g) == list(r), f"saved names/order differ:\n  torch:      {list(r)}\n  tensorlite: {list(g)}"
    for k in r:
        a, b = g[k], r[k]
        assert a.shape == b.shape, f"{k}: shape {a.shape} (tensorlite) vs {b.shape} (torch)"
        assert a.dtype == b.dtype, f"{k}: dtype {a.dtype} (tensorlite) vs {b.dtype} (torch)"
        if a.dtype.kind in "fc":
            np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, err_msg=f"array {k!r}")
        else:
            np.testing.assert_array_equal(a, b, err_msg=f"array {k!r}")


def compare_structure(ref_out, got_out, ref_path, got_path):
    """For runs whose values cannot agree (dropout on): same line count, no nan/inf printed where torch
    printed none (a causal mask prints -inf in both), same saved names, shapes and dtypes, finite arrays."""
    ref_lines, got_lines = ref_out.splitlines(), got_out.splitlines()
    assert len(got_lines) == len(ref_lines), f"torch printed {len(ref_lines)} lines, tensorlite {len(got_lines)}"
    for i, (r, g) in enumerate(zip(ref_lines, got_lines)):
        def nonfinite(line):
            return sorted(v for v in _NUM.findall(line) if not math.isfinite(float(v)))
        assert nonfinite(g) == nonfinite(r), f"non-finite numbers on stdout line {i + 1}: {g!r} (torch: {r!r})"
    r, g = load_results(ref_path), load_results(got_path)
    assert list(g) == list(r), f"saved names/order differ:\n  torch:      {list(r)}\n  tensorlite: {list(g)}"
    for k in r:
        assert (g[k].shape, g[k].dtype) == (r[k].shape, r[k].dtype), f"{k}: {g[k].shape} {g[k].dtype} " \
            f"(tensorlite) vs {r[k].shape} {r[k].dtype} (torch)"
        assert g[k].dtype.kind not in "fc" or np.isfinite(g[k]).all(), f"{k}: non-finite values"


class TorchRefs:
    """torch's runs of the cases, kept in `root` by program, shim, args and versions (torch's run is
    deterministic under the shim). The missing ones of a session run in ONE background torch process
    (program_shim --batch: one torch import for all) while the tests run tensorlite."""

    def __init__(self, root, names):
        self.root, self.proc, self.jobs = root, None, []
        for name in names:
            prog, args = CASES[name][:2]
            d = self.dir(prog, args)
            if not os.path.exists(os.path.join(d, "stdout.txt")):
                shutil.rmtree(d, ignore_errors=True)
                os.makedirs(d)
                self.jobs.append({"prog": os.path.join(PROGRAMS, prog), "args": args, "cwd": d})
        self.jobfile = os.path.join(root, f"jobs-{os.getpid()}.json")
        if self.jobs:
            jobfile = self.jobfile
            with open(jobfile, "w") as f:
                json.dump(self.jobs, f)
            self.log = open(self.jobfile[:-len(".json")] + ".log", "w+")  # C-level warnings land here
            self.proc = subprocess.Popen([sys.executable, SHIM, "--torch=torch", f"--batch={jobfile}"],
                                         env=_env(root), stdout=self.log, stderr=subprocess.STDOUT)

    def dir(self, prog, args):
        return os.path.join(self.root, _ref_key(prog, args))

    def get(self, prog, args):
        """(returncode, stdout, stderr) of torch's run, waiting for the batch or running it alone."""
        d = self.dir(prog, args)
        marker = os.path.join(d, "stdout.txt")
        if not os.path.exists(marker) and not any(j["cwd"] == d for j in self.jobs):
            shutil.rmtree(d, ignore_errors=True)
            os.makedirs(d)
            rc, out, err = _finish(_start("torch", prog, args, d))
            for fname, text in (("stderr.txt", err), ("rc.txt", str(rc)), ("stdout.txt", out)):
                with open(os.path.join(d, fname), "w") as f:
                    f.write(text)
        deadline = time.monotonic() + 600
        while not os.path.exists(marker):
            if self.proc is None or self.proc.poll() is not None or time.monotonic() > deadline:
                log = ""
                if self.proc is not None:
                    self.log.seek(0)
                    log = self.log.read()
                pytest.fail(f"the torch batch run ended without running {prog} {args}:\n{_tail(log)}")
            time.sleep(0.05)
        texts = []
        for fname in ("rc.txt", "stdout.txt", "stderr.txt"):
            with open(os.path.join(d, fname)) as f:
                texts.append(f.read())
        rc, out, err = int(texts[0]), texts[1], texts[2]
        if rc != 0:
            os.remove(marker)                             # not cached: rerun next time
        return rc, out, err

    def close(self):
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.kill()
            self.proc.wait()
            self.log.close()
            os.remove(self.log.name)
            os.remove(self.jobfile)


def run_pair(name, tmp_path, refs, extra=()):
    """Run CASES[name] on tensorlite (in tmp_path) and compare with torch's run; returns torch's directory."""
    prog, args, rtol, atol = CASES[name]
    args = [*args, *extra]
    got_dir = str(tmp_path / "tensorlite")
    os.makedirs(got_dir)
    got = _start("tensorlite", prog, args, got_dir)
    ref_rc, ref_out, ref_err = refs.get(prog, args)
    rc, got_out, got_err = _finish(got)
    if ref_rc != 0:
        pytest.fail(f"{' '.join([prog, *args])} failed on torch (a harness or program bug):\n{_tail(ref_err)}")
    assert rc == 0, f"{' '.join([prog, *args])} failed on tensorlite:\n{_tail(got_err)}\nstdout:\n{_tail(got_out)}"
    ref_res, got_res = os.path.join(refs.dir(prog, args), RESULTS), os.path.join(got_dir, RESULTS)
    if rtol is None:
        compare_structure(ref_out, got_out, ref_res, got_res)
    else:
        compare_stdout(ref_out, got_out, rtol=max(rtol, 1e-4))
        compare_arrays(ref_res, got_res, rtol, atol)
    return refs.dir(prog, args)


@pytest.fixture(scope="session")
def refs(request, tmp_path_factory):
    pytest.importorskip("torch", reason="torch not installed")
    cache = getattr(request.config, "cache", None)
    root = str(cache.mkdir("tensorlite_program_refs") if cache is not None else tmp_path_factory.mktemp("refs"))
    # this module's program cases only (other test files parametrize a `name` too)
    selected = [item.callspec.params["name"] for item in request.session.items
                if getattr(item, "callspec", None) is not None and item.module.__name__ == __name__
                and item.callspec.params.get("name") in CASES]
    if any(item.name.startswith("test_checkpoints_cross") for item in request.session.items):
        selected.append("checkpointing")
    r = TorchRefs(root, list(dict.fromkeys(selected)))
    yield r
    r.close()


@pytest.mark.parametrize("name", sorted(CASES))
def test_program(name, tmp_path, refs, torch):
    run_pair(name, tmp_path, refs)


def test_checkpoints_cross_library(tmp_path, refs, torch):
    """Each library resumes from the checkpoint dict the other one saved with torch.save (torch.load with
    map_location=device, optimizer and scheduler state included) and continues as from its own file."""
    prog, args = CASES["checkpointing"][:2]
    ref_dir = run_pair("checkpointing", tmp_path / "first", refs)
    torch_ckpt = os.path.join(ref_dir, "checkpoints", "checkpoint_1.pt")
    tl_ckpt = str(tmp_path / "first" / "tensorlite" / "checkpoints" / "checkpoint_1.pt")
    assert os.path.exists(torch_ckpt) and os.path.exists(tl_ckpt)
    # tensorlite from torch's file vs torch from torch's file
    run_pair("checkpointing", tmp_path / "resumed", refs, extra=["--resume", torch_ckpt])
    # torch from tensorlite's file vs torch from torch's file
    ref_rc, ref_out, _ = refs.get(prog, [*args, "--resume", torch_ckpt])
    d = tmp_path / "torch_from_tensorlite"
    d.mkdir()
    rc, out, err = _finish(_start("torch", prog, [*args, "--resume", tl_ckpt], str(d)))
    assert ref_rc == 0 and rc == 0, f"torch could not resume from tensorlite's checkpoint:\n{_tail(err)}"
    compare_stdout(ref_out, out)
    compare_arrays(os.path.join(refs.dir(prog, [*args, "--resume", torch_ckpt]), RESULTS),
                   os.path.join(d, RESULTS), 1e-4, 1e-5)


def test_shim_binds_torch_imports_to_tensorlite(tmp_path):
    prog = tmp_path / "imports.py"
    prog.write_text(
        "import sys\n"
        "import torch\n"
        "import torch.nn as nn\n"
        "import torch.nn.functional as F\n"
        "from torch import optim\n"
        "from torch.optim.lr_scheduler import StepLR\n"
        "import tensorlite\n"
        "assert torch is tensorlite and nn is tensorlite.nn and F is tensorlite.nn.functional\n"
        "assert optim is tensorlite.optim and StepLR is tensorlite.optim.lr_scheduler.StepLR\n"
        "assert sys.modules['torch.nn'] is tensorlite.nn\n"
        "assert tensorlite.nn.__spec__.name == 'tensorlite.nn', tensorlite.nn.__spec__\n"
        "try:\n"
        "    import torch.no_such_module\n"
        "except ModuleNotFoundError as e:\n"
        "    assert 'torch.no_such_module' in str(e), e\n"
        "else:\n"
        "    raise AssertionError('import torch.no_such_module succeeded')\n"
        "print('ok', sys.argv[1:])\n")
    r = subprocess.run([sys.executable, SHIM, "--torch=tensorlite", str(prog), "--flag", "1"], cwd=tmp_path,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "ok ['--flag', '1']\n"


def test_compare_stdout_catches_differences():
    compare_stdout("epoch 1 loss 0.1234\n", "epoch 1 loss 0.1235\n")          # last-digit rounding
    with pytest.raises(AssertionError, match="numbers differ"):
        compare_stdout("epoch 1 loss 0.1234\n", "epoch 1 loss 0.1300\n")
    with pytest.raises(AssertionError, match="numbers differ"):
        compare_stdout("Accuracy: 45/64\n", "Accuracy: 46/64\n")
    with pytest.raises(AssertionError, match="numbers differ"):
        compare_stdout("tensor([1.5000, 2.0000])\n", "tensor([1.5, 2.0])\n")
    with pytest.raises(AssertionError, match="text differs"):
        compare_stdout("Linear(in_features=3, out_features=2, bias=True)\n", "Linear(3, 2)\n")
    with pytest.raises(AssertionError, match="lines"):
        compare_stdout("a\nb\n", "a\n")
    compare_stdout("torch.Size([2, 3])\n", "tensorlite.Size([2, 3])\n")


def test_compare_arrays_catches_differences(tmp_path):
    def save(name, **arrays):
        np.savez(tmp_path / name, **arrays)
        return str(tmp_path / name)
    ref = save("ref.npz", w=np.ones(3, np.float32), n=np.arange(2))
    compare_arrays(ref, save("same.npz", w=np.ones(3, np.float32) + 1e-7, n=np.arange(2)), 1e-4, 1e-5)
    for bad, match in ((dict(n=np.arange(2), w=np.ones(3, np.float32)), "order"),
                       (dict(w=np.ones(4, np.float32), n=np.arange(2)), "shape"),
                       (dict(w=np.ones(3, np.float64), n=np.arange(2)), "dtype"),
                       (dict(w=np.full(3, 1.01, np.float32), n=np.arange(2)), "tolerance"),
                       (dict(w=np.ones(3, np.float32), n=np.arange(1, 3)), "equal")):
        with pytest.raises(AssertionError, match=match):
            compare_arrays(ref, save("bad.npz", **bad), 1e-4, 1e-5)
    with open(tmp_path / "r.json", "w") as f:
        json.dump({"loss": [1.0, 0.5], "params": {"w": [[1.0]]}}, f)
    assert list(load_results(str(tmp_path / "r.json"))) == ["loss", "params/w"]
