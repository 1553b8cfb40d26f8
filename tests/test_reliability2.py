"""Reliability II: concurrent backward, checked hooks, float32 variance range, dead DataLoader
workers, samplers yielding non-integer indices. Each test fails on the code before its fix."""
import subprocess
import sys
import textwrap
import threading

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import tensorlite as tl
from tensorlite.data import DataLoader, TensorDataset


# ---------------------------------------------------------------- concurrent backward
@pytest.mark.parametrize("repeat", range(3))
def test_concurrent_backward_into_a_shared_leaf_loses_nothing(repeat):
    # numpy releases the GIL inside the in-place add, so an unlocked `grad += g` loses updates
    leaf = tl.zeros(200_000, dtype=tl.float64, requires_grad=True)
    n_threads, n_steps = 4, 60
    errors = []

    def work():
        try:
            for _ in range(n_steps):
                (leaf * 1.0).sum().backward()
        except BaseException as e:       # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    np.testing.assert_array_equal(leaf.grad.numpy(), np.full(200_000, float(n_threads * n_steps)))


def test_concurrent_backward_on_disjoint_graphs_with_shared_weights():
    w = tl.randn(64, 64, dtype=tl.float64, requires_grad=True)
    xs = [tl.randn(32, 64, dtype=tl.float64) for _ in range(4)]
    expected = sum((x.t() @ tl.ones(32, 64, dtype=tl.float64)).numpy() for x in xs) * 10

    def work(x):
        for _ in range(10):
            (x @ w).sum().backward()

    threads = [threading.Thread(target=work, args=(x,)) for x in xs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    np.testing.assert_allclose(w.grad.numpy(), expected, rtol=1e-12)


# ---------------------------------------------------------------- hooks
def _leaf_and_nonleaf():
    x = tl.ones(3, requires_grad=True)
    return x, x * 2


@pytest.mark.parametrize("on", ["leaf", "nonleaf"])
def test_hook_changing_shape_raises(on):
    x, y = _leaf_and_nonleaf()

    def grow(g):
        return tl.ones(2)

    (x if on == "leaf" else y).register_hook(grow)
    with pytest.raises(RuntimeError, match="hook 'grow' has changed the size of value"):
        y.sum().backward()


@pytest.mark.parametrize("on", ["leaf", "nonleaf"])
def test_hook_changing_dtype_raises(on):
    x, y = _leaf_and_nonleaf()
    (x if on == "leaf" else y).register_hook(lambda g: g.double())
    with pytest.raises(RuntimeError, match="has changed the type of value"):
        y.sum().backward()


@pytest.mark.parametrize("ret", [3, 2.5, "g", [1.0, 1.0, 1.0], np.ones(3, np.float32)])
def test_hook_returning_a_non_tensor_raises_type_error(ret):
    x, y = _leaf_and_nonleaf()
    x.register_hook(lambda g: ret)
    with pytest.raises(TypeError, match="hook '<lambda>' returned"):
        y.sum().backward()


def test_hook_returning_same_shape_and_dtype_replaces_the_gradient(torch):
    x, y = _leaf_and_nonleaf()
    x.register_hook(lambda g: g * 3)
    y.sum().backward()
    tx = torch.ones(3, requires_grad=True)
    tx.register_hook(lambda g: g * 3)
    (tx * 2).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), tx.grad.numpy())


# ---------------------------------------------------------------- float32 variance range
@pytest.mark.parametrize("fn", ["std", "var"])
@pytest.mark.parametrize("correction", [0, 1])
def test_float32_var_std_accumulate_in_double_like_torch(torch, fn, correction):
    vals = np.array([[1e30, -1e30], [3e19, 1e19], [1e-30, 2e-30]], np.float32)
    for dim in (None, 1):
        got = getattr(tl.tensor(vals), fn)(dim=dim, correction=correction)
        ref = getattr(torch.tensor(vals), fn)(dim=dim, correction=correction)
        assert got.dtype == tl.float32
        np.testing.assert_allclose(got.numpy(), ref.numpy(), rtol=1e-6)


def test_float32_std_of_huge_values_has_torch_gradient(torch):
    vals = np.array([[1e30, -1e30, 5e29]], np.float32)
    x = tl.tensor(vals, requires_grad=True)
    x.std(dim=1).sum().backward()
    t = torch.tensor(vals, requires_grad=True)
    t.std(dim=1).sum().backward()
    assert x.grad.dtype == tl.float32
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-5)


@settings(max_examples=30)
@given(st.lists(st.floats(width=32, allow_nan=False, allow_infinity=False), min_size=2, max_size=6))
def test_float32_std_matches_torch_over_the_whole_range(vals):
    import torch
    a = np.array(vals, np.float32)
    np.testing.assert_allclose(tl.tensor(a).std().numpy(), torch.tensor(a).std().numpy(), rtol=1e-6,
                               atol=1e-38)


# ---------------------------------------------------------------- DataLoader workers
def _run(code, timeout=60):
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          timeout=timeout)


def test_dead_worker_thread_raises_instead_of_hanging():
    # the worker loop is replaced by one that dies at once: before the fix the main thread waited
    # forever on the default timeout=0
    r = _run("""
        import tensorlite as tl
        from tensorlite.data import DataLoader, TensorDataset, dataloader
        dataloader._worker_loop = lambda *args: None
        loader = DataLoader(TensorDataset(tl.arange(8.)), batch_size=2, num_workers=2)
        try:
            next(iter(loader))
        except RuntimeError as e:
            print("RAISED", e)
        """, timeout=60)
    assert r.returncode == 0, r.stderr
    assert "RAISED DataLoader worker 0" in r.stdout and "exited unexpectedly" in r.stdout


def test_worker_that_raises_reraises_in_main_thread_with_its_traceback():
    class Bad(TensorDataset):
        def __getitem__(self, i):
            if i == 5:
                raise KeyError("sample 5 is broken")
            return super().__getitem__(i)

        __getitems__ = None

    loader = DataLoader(Bad(tl.arange(8.)), batch_size=2, num_workers=2)
    with pytest.raises(KeyError, match="sample 5 is broken") as info:
        list(loader)
    assert any("__getitem__" in str(tb.name) for tb in info.traceback)


def test_timeout_still_raises_with_worker_alive():
    import time

    class Slow(TensorDataset):
        def __getitem__(self, i):
            time.sleep(2)
            return super().__getitem__(i)

        __getitems__ = None

    loader = DataLoader(Slow(tl.arange(4.)), batch_size=1, num_workers=1, timeout=0.3)
    t0 = time.monotonic()
    with pytest.raises(RuntimeError, match="timed out after 0.3 seconds"):
        next(iter(loader))
    assert time.monotonic() - t0 < 1.9


# ---------------------------------------------------------------- samplers with bad indices
class _Yields:
    def __init__(self, values):
        self.values = values

    def __iter__(self):
        return iter(self.values)

    def __len__(self):
        return len(self.values)


@pytest.mark.parametrize("bad", [1.5, "a", 2.0])
@pytest.mark.parametrize("batch_size", [None, 1, 2])
def test_sampler_yielding_non_integer_raises_type_error_naming_sampler_and_value(bad, batch_size):
    loader = DataLoader(TensorDataset(tl.arange(10.)), sampler=_Yields([0, bad]), batch_size=batch_size)
    with pytest.raises(TypeError, match=r"sampler \(_Yields\) yielded .*" + repr(bad)[:3].replace(".", r"\.")
                       .replace("(", r"\(")):
        list(loader)


def test_dataset_direct_float_index_is_type_error_and_int_out_of_range_is_index_error():
    ds = TensorDataset(tl.arange(10.))
    with pytest.raises(TypeError, match="TensorDataset: index must be an integer, got 1.5"):
        ds[1.5]
    with pytest.raises(IndexError, match="index 10 is out of range"):
        ds[10]
    assert float(ds[np.int64(3)][0]) == 3.0


# ---------------------------------------------------------------- checkpoints that always load back
import json
import os
import struct

_KEY_NAMES = st.one_of(st.text(max_size=12), st.sampled_from(
    ["", ".", "a.b", "__metadata__", "__tensorlite_structure__", "__tensorlite_keys__", "__tensor__", "x" * 5000,
     "é🙂\u0000", "__items__", "0", "_"]))


@settings(max_examples=40)
@given(st.lists(_KEY_NAMES, min_size=1, max_size=4, unique=True), st.sampled_from(["ckpt.safetensors", "ckpt.pt"]))
def test_save_then_load_always_succeeds_and_never_destroys_a_good_file(tmp_path_factory, keys, name):
    d = tmp_path_factory.mktemp("ck")
    path = os.path.join(d, name)
    tl.save({"good": tl.ones(2)}, path)
    sd = {k: tl.full((2,), float(i)) for i, k in enumerate(keys)}
    try:
        tl.save(sd, path)
    except (ValueError, TypeError):
        assert list(tl.load(path)) == ["good"]          # refused before anything was replaced
        return
    back = tl.load(path)
    assert list(back) == keys                            # every key, in saved order
    for i, k in enumerate(keys):
        assert np.array_equal(back[k].numpy(), np.full(2, float(i), np.float32))


def test_reserved_safetensors_key_round_trips(tmp_path):
    path = str(tmp_path / "m.safetensors")
    tl.save({"__metadata__": tl.ones(3), "w": tl.zeros(1)}, path)
    back = tl.load(path)
    assert list(back) == ["__metadata__", "w"] and back["__metadata__"].shape == (3,)


def _rewrite_header(path, edit):
    blob = open(path, "rb").read()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + n])
    edit(header)
    raw = json.dumps(header).encode()
    raw += b" " * ((8 - len(raw) % 8) % 8)
    open(path, "wb").write(struct.pack("<Q", len(raw)) + raw + blob[8 + n:])


def test_a_rewritten_dtype_in_the_header_is_caught(tmp_path):
    path = str(tmp_path / "m.safetensors")
    tl.save({"w": tl.ones(4)}, path)
    _rewrite_header(path, lambda h: h["w"].update(dtype="I32"))
    with pytest.raises(tl.CheckpointError, match="checksum mismatch"):
        tl.load(path)


def test_files_with_the_old_digest_still_load():
    root = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "examples", "results")
    sd = tl.load(os.path.join(root, "lenet5", "lenet5_final.safetensors"))
    assert "conv1.weight" in sd


@pytest.mark.parametrize("where", ["header", "structure"])
def test_deeply_nested_json_is_a_checkpoint_error_naming_the_file(tmp_path, where):
    path = str(tmp_path / "deep.safetensors")
    deep = "[" * 60000 + "]" * 60000
    if where == "header":
        raw = ('{"__metadata__": {"a": "b"}, "x": ' + deep + "}").encode()
        open(path, "wb").write(struct.pack("<Q", len(raw)) + raw)
    else:
        tl.save({"a": [tl.ones(1)]}, path)
        _rewrite_header(path, lambda h: h["__metadata__"].update(__tensorlite_structure__=deep))
    with pytest.raises(tl.CheckpointError, match="deep.safetensors"):
        tl.load(path)


def test_stale_temp_files_of_the_same_target_are_removed_by_the_next_save(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True).stdout.strip()
    stale = tmp_path / f".m.pt.tmp-{dead}-abc123.ckpt"
    stale.write_bytes(b"half a checkpoint")
    other = tmp_path / f".other.pt.tmp-{dead}-abc123.ckpt"        # another target's: left alone
    other.write_bytes(b"x")
    live = tmp_path / f".m.pt.tmp-{os.getppid()}-zzz.ckpt"         # a live writer's: left alone
    live.write_bytes(b"y")
    tl.save({"w": tl.ones(1)}, str(tmp_path / "m.pt"))
    assert not stale.exists() and other.exists() and live.exists()


def test_a_save_killed_mid_write_loses_nothing_and_its_temp_file_is_cleaned(tmp_path):
    path = str(tmp_path / "big.pt")
    tl.save({"w": tl.zeros(3)}, path)
    code = textwrap.dedent(f"""
        import os, signal, tensorlite as tl
        from tensorlite import serialization
        real = serialization._atomic_write
        def dying(p, write):
            class Boom:
                def __init__(self, fh): self.fh = fh
                def write(self, b):
                    self.fh.write(b[:10]); self.fh.flush(); os.kill(os.getpid(), signal.SIGKILL)
            return real(p, lambda fh: write(Boom(fh)) if callable(write) else None)
        serialization._atomic_write = dying
        tl.save({{"w": tl.ones(1000)}}, {path!r})
        """)
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == -9
    leftovers = [n for n in os.listdir(tmp_path) if n.startswith(".big.pt.tmp-")]
    assert leftovers                                          # the killed writer left its temp file
    assert np.array_equal(tl.load(path)["w"].numpy(), np.zeros(3, np.float32))    # the old file is intact
    tl.save({"w": tl.ones(2)}, path)
    assert not [n for n in os.listdir(tmp_path) if n.startswith(".big.pt.tmp-")]
