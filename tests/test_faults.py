"""Fault injection: kill, interrupt and starve real processes (saves, DataLoader, the training
command) and check that nothing is lost, nothing is silently wrong, and errors are one clear line.

Every child is a real `python` subprocess; every wait is bounded."""
import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

import tensorlite as tl

PY = sys.executable


def _spawn(code, **kw):
    return subprocess.Popen([PY, "-c", textwrap.dedent(code)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, **kw)


def _wait_for_line(proc, marker, timeout=60):
    """Read the child's stdout until a line starting with `marker` (the child is then mid-work)."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        line = proc.stdout.readline()
        if line.startswith(marker):
            return line
        if not line and proc.poll() is not None:
            raise AssertionError(f"child exited early: {proc.stderr.read()[-2000:]}")
    raise AssertionError(f"no {marker!r} from the child within {timeout} s")


SAVER = """
    import sys, tensorlite as tl
    path, fmt = sys.argv[1], sys.argv[2]
    v = 0
    while True:
        v += 1
        sd = {{"a": tl.full((200_000,), float(v)), "b": tl.full((3,), float(v)), "step": v}}
        tl.save(sd, path)
        print("saved", v, flush=True)
"""


@pytest.mark.parametrize("name", ["ck.pt", "ck.safetensors"])
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT])
@pytest.mark.parametrize("delay", [0.0, 0.013, 0.031])
def test_a_save_interrupted_at_any_point_leaves_a_complete_checkpoint(tmp_path, name, sig, delay):
    path = str(tmp_path / name)
    proc = subprocess.Popen([PY, "-c", textwrap.dedent(SAVER.format()), path, name], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        _wait_for_line(proc, "saved 3")
        time.sleep(delay)
        proc.send_signal(sig)
        proc.wait(timeout=60)
    finally:
        proc.kill()
    sd = tl.load(path)
    v = sd["step"]
    assert v >= 3
    # one whole version: both tensors hold the same step's value, nothing half-written
    assert np.all(sd["a"].numpy() == float(v)) and np.all(sd["b"].numpy() == float(v))
    tl.save({"x": tl.ones(1)}, path)                 # the next save cleans what the killed one left
    assert not [n for n in os.listdir(tmp_path) if ".tmp-" in n]


def test_a_full_disk_during_save_keeps_the_old_file_and_says_so_in_one_line(tmp_path):
    path = str(tmp_path / "m.pt")
    tl.save({"w": tl.zeros(4)}, path)
    code = f"""
        import errno, os, tensorlite as tl
        from tensorlite import serialization
        real = serialization._atomic_write
        class Full:
            def __init__(self, fh): self.fh = fh
            def write(self, b):
                raise OSError(errno.ENOSPC, "No space left on device")
            def __getattr__(self, n): return getattr(self.fh, n)
        serialization._atomic_write = lambda p, write: real(p, lambda fh: write(Full(fh)))
        try:
            tl.save({{"w": tl.ones(100000)}}, {path!r})
        except OSError as e:
            print("ERR", e)
        """
    r = subprocess.run([PY, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "ERR [Errno 28] No space left on device" in r.stdout
    assert np.array_equal(tl.load(path)["w"].numpy(), np.zeros(4, np.float32))
    assert not [n for n in os.listdir(tmp_path) if ".tmp-" in n]       # the failed write removed its temp file


def test_an_unwritable_target_is_one_clear_error_and_touches_nothing(tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a directory")
    with pytest.raises(OSError) as info:
        tl.save({"w": tl.ones(1)}, str(blocker / "sub" / "m.pt"))
    assert "a_file" in str(info.value) and "\n" not in str(info.value)
    assert blocker.read_text() == "not a directory"


LOADER = """
    import time, tensorlite as tl
    from tensorlite.data import DataLoader, Dataset
    class Slow(Dataset):
        def __len__(self): return 10_000
        def __getitem__(self, i):
            time.sleep(0.01)
            return tl.full((2,), float(i))
    print("start", flush=True)
    for i, b in enumerate(DataLoader(Slow(), batch_size=4, num_workers=2)):
        print("batch", i, flush=True)
"""


def test_ctrl_c_while_workers_prefetch_stops_the_process_promptly():
    proc = _spawn(LOADER)
    try:
        _wait_for_line(proc, "batch 2")
        t0 = time.monotonic()
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)
        stopped_in = time.monotonic() - t0
    finally:
        proc.kill()
    assert proc.returncode != 0 and stopped_in < 10
    assert "KeyboardInterrupt" in proc.stderr.read()


def test_a_worker_killed_by_an_asynchronous_exception_is_reported_not_hung():
    # the harshest thread death Python allows: SystemExit raised inside the worker thread while it
    # waits for work; the main thread must raise within the poll interval instead of waiting forever
    code = """
        import ctypes, threading, time, tensorlite as tl
        from tensorlite.data import DataLoader, TensorDataset
        loader = DataLoader(TensorDataset(tl.arange(64.)), batch_size=4, num_workers=1, prefetch_factor=1)
        it = iter(loader)
        next(it)
        w = [t for t in threading.enumerate() if t.name.startswith("tensorlite-DataLoader-worker")][0]
        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(w.ident), ctypes.py_object(SystemExit))
        t0 = time.monotonic()
        try:
            for _ in range(1000):
                next(it)
                time.sleep(0.001)
            print("NO ERROR")
        except RuntimeError as e:
            print("RAISED", time.monotonic() - t0 < 20, e)
        except StopIteration:
            print("FINISHED")
        """
    r = subprocess.run([PY, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    # the exception lands when the blocked thread next runs Python code, right after it takes the
    # next task and before its fetch: it dies holding that batch, and the main thread must say so
    assert r.stdout.startswith("RAISED True DataLoader worker 0"), r.stdout


# ---------------------------------------------------------------- the training command
CIFAR = os.environ.get("TENSORLITE_DATA", os.path.expanduser("~/.cache/tensorlite/cifar10"))
needs_cifar = pytest.mark.skipif(not os.path.exists(os.path.join(CIFAR, "cifar10-cache.json")),
                                 reason="CIFAR-10 not fetched (run: python -m tensorlite.data cifar10); CI fetches it")
TRAIN = [PY, "-m", "tensorlite.train", "--model", "lenet5", "--subset", "128", "--batch-size", "64", "--threads", "1",
         "--no-progress", "--data-dir", CIFAR, "--no-download"]


def _train(*args, timeout=300):
    return subprocess.run([*TRAIN, *args], capture_output=True, text=True, timeout=timeout)


def _no_traceback(r):
    assert "Traceback" not in r.stderr and "Traceback" not in r.stdout, r.stderr[-2000:]


@needs_cifar
@pytest.mark.parametrize("delay", [0.2, 0.9, 1.7])
def test_sigkill_at_any_point_of_training_leaves_a_resumable_run(tmp_path, delay):
    out = tmp_path / "run"
    proc = subprocess.Popen([*TRAIN, "--epochs", "40", "--out", str(out)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        t0 = time.monotonic()
        while not (out / "last.safetensors").exists():        # the first epoch's checkpoint is written
            assert proc.poll() is None, proc.stderr.read()[-2000:]
            assert time.monotonic() - t0 < 120
            time.sleep(0.05)
        time.sleep(delay)                                     # somewhere in a later epoch or its save
        proc.kill()
        proc.wait(timeout=30)
    finally:
        proc.kill()
    ck = tl.load(str(out / "last.safetensors"))               # never a torn file
    done = ck["epoch"]
    assert 1 <= done < 40
    r = _train("--resume", str(out / "last.safetensors"), "--epochs", str(done + 1))
    assert r.returncode == 0, r.stderr[-2000:]
    _no_traceback(r)
    assert f"resumed lenet5" in r.stdout and (out / "lenet5_final.safetensors").exists()
    history = __import__("json").loads((out / "metrics.json").read_text())["history"]
    assert [h["epoch"] for h in history] == list(range(1, done + 2))
    assert not [n for n in os.listdir(out) if ".tmp-" in n]


@needs_cifar
def test_ctrl_c_mid_epoch_saves_says_so_in_one_line_and_resumes(tmp_path):
    out = tmp_path / "run"
    proc = subprocess.Popen([*TRAIN, "--epochs", "3", "--out", str(out)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        _wait_for_line(proc, "  epoch 2 step 1/2")
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=120)
    finally:
        proc.kill()
    assert "Traceback" not in stderr, stderr[-2000:]
    assert "--resume" in stdout + stderr
    ck = tl.load(str(out / "last.safetensors"))
    assert ck["epoch"] >= 1
    r = _train("--resume", str(out / "last.safetensors"))
    assert r.returncode == 0, r.stderr[-2000:]
    _no_traceback(r)
    assert (out / "lenet5_final.safetensors").exists()


@needs_cifar
@pytest.mark.parametrize("bad_out", ["file", "under-file"])
def test_an_unwritable_out_is_one_line_and_trains_nothing(tmp_path, bad_out):
    blocker = tmp_path / "a_file"
    blocker.write_text("x")
    target = blocker if bad_out == "file" else blocker / "run"
    r = _train("--epochs", "1", "--out", str(target))
    assert r.returncode == 2, (r.returncode, r.stderr[-2000:])
    _no_traceback(r)
    err = [line for line in r.stderr.splitlines() if line.startswith("error:") or ": error:" in line]
    assert len(err) == 1 and "--out" in err[0], r.stderr
    assert blocker.read_text() == "x"


@needs_cifar
def test_a_full_disk_during_the_checkpoint_is_one_clear_error_and_the_last_good_checkpoint_survives(tmp_path):
    out = tmp_path / "run"
    assert _train("--epochs", "1", "--out", str(out)).returncode == 0
    good = tl.load(str(out / "last.safetensors"))
    code = f"""
        import errno, sys
        from tensorlite import serialization, train
        real = serialization._atomic_write
        def full(path, write):
            def failing(fh):
                raise OSError(errno.ENOSPC, "No space left on device")
            return real(path, failing)
        serialization._atomic_write = full
        sys.exit(train.main({[*TRAIN[3:], "--resume", str(out / "last.safetensors"), "--epochs", "2"]!r}))
        """
    r = subprocess.run([PY, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=300)
    assert r.returncode == 1
    _no_traceback(r)
    assert "tensorlite.train: error: [Errno 28] No space left on device; continue with --resume" in r.stderr
    still = tl.load(str(out / "last.safetensors"))
    assert still["epoch"] == good["epoch"] == 1
    assert not [n for n in os.listdir(out) if ".tmp-" in n]
