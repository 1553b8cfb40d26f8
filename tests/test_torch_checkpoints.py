"""PyTorch checkpoint interchange: torch.save -> tl.load and tl.save -> torch.load(weights_only=True),
zip and legacy formats, views sharing storage, models and optimizers, loading without torch, and
hostile files (refused globals, lying sizes, truncation) that must raise CheckpointError and never
run code."""
import io
import math
import os
import pickle
import struct
import subprocess
import sys
import textwrap
import zipfile
from collections import OrderedDict

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import tensorlite as tl
from tensorlite import nn
from tensorlite import _torch_format as tf
from tensorlite import _torch_pickle as tp

CheckpointError = tl.CheckpointError
DTYPES = ["float32", "float64", "float16", "int64", "int32", "int16", "int8", "uint8", "bool"]


def torch_bytes(torch, obj, legacy=False):
    buf = io.BytesIO()
    torch.save(obj, buf, _use_new_zipfile_serialization=not legacy)
    return buf.getvalue()


def tl_bytes(obj, **kw):
    buf = io.BytesIO()
    tl.save(obj, buf, **kw)
    return buf.getvalue()


def sample(torch, dtype, shape=(3, 4), seed=0):
    g = torch.Generator().manual_seed(seed)
    if dtype == "bool":
        return torch.rand(shape, generator=g) > 0.5
    if dtype in ("float32", "float64", "float16", "bfloat16"):
        return torch.randn(shape, generator=g).to(getattr(torch, dtype))
    lo = 0 if dtype == "uint8" else -100
    return torch.randint(lo, 100, shape, generator=g).to(getattr(torch, dtype))


def zip_with(records, prefix="archive/"):
    """A zip archive holding {name: bytes} under prefix (plus a version record)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in records.items():
            zf.writestr(prefix + name, data)
        if "version" not in records:
            zf.writestr(prefix + "version", b"3\n")
    return buf.getvalue()


def rewrite_zip(blob, change):
    """Copy a zip archive, passing each (name, data) through change(name, data) -> data or None (drop)."""
    src = zipfile.ZipFile(io.BytesIO(blob))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for info in src.infolist():
            data = change(info.filename, src.read(info))
            if data is not None:
                zf.writestr(info.filename, data)
    return buf.getvalue()


# ---------------------------------------------------------------- torch.save -> tl.load
@pytest.mark.parametrize("legacy", [False, True])
@pytest.mark.parametrize("dtype", DTYPES)
def test_torch_save_tl_load_dtypes(torch, dtype, legacy):
    t = sample(torch, dtype)
    out = tl.load(io.BytesIO(torch_bytes(torch, {"t": t, "s": t[1], "z": t.new_zeros((0, 2)), "0d": t[0, 0]},
                                         legacy)))
    assert list(out) == ["t", "s", "z", "0d"]
    assert out["t"].dtype is getattr(tl, dtype)
    np.testing.assert_array_equal(out["t"].numpy(), t.numpy())
    np.testing.assert_array_equal(out["s"].numpy(), t[1].numpy())
    assert tuple(out["z"].shape) == (0, 2) and out["z"].dtype is getattr(tl, dtype)
    assert out["0d"].dim() == 0 and out["0d"].item() == t[0, 0].item()


def test_bfloat16_is_widened_to_float32_with_a_warning(torch):
    t = torch.randn(5).to(torch.bfloat16)
    with pytest.warns(UserWarning, match="bfloat16"):
        out = tl.load(io.BytesIO(torch_bytes(torch, {"w": t, "v": t[2:]})))
    assert out["w"].dtype is tl.float32
    np.testing.assert_array_equal(out["w"].numpy(), t.float().numpy())
    np.testing.assert_array_equal(out["v"].numpy(), t[2:].float().numpy())
    assert np.shares_memory(out["w"]._data, out["v"]._data)


@pytest.mark.parametrize("legacy", [False, True])
def test_views_of_one_storage_share_memory_after_loading(torch, legacy):
    x = torch.arange(12.0).reshape(3, 4)
    out = tl.load(io.BytesIO(torch_bytes(torch, {"x": x, "tail": x[1:], "t": x.t(), "col": x[:, 2]}, legacy)))
    for k, ref in {"x": x, "tail": x[1:], "t": x.t(), "col": x[:, 2]}.items():
        np.testing.assert_array_equal(out[k].numpy(), ref.numpy())
        assert out[k].stride() == ref.stride(), k
    out["x"][1, 2] = 100.0
    assert out["tail"][0, 2].item() == 100.0 and out["t"][2, 1].item() == 100.0 and out["col"][1].item() == 100.0


def test_parameters_and_requires_grad_come_back_as_torch_gives_them(torch):
    p = torch.nn.Parameter(torch.randn(3))
    frozen = torch.nn.Parameter(torch.randn(2), requires_grad=False)
    leaf = torch.randn(2, requires_grad=True)
    blob = torch_bytes(torch, {"p": p, "frozen": frozen, "leaf": leaf, "plain": torch.ones(2)})
    ref = torch.load(io.BytesIO(blob), weights_only=True)
    out = tl.load(io.BytesIO(blob))
    for k in ref:
        assert isinstance(out[k], nn.Parameter) == isinstance(ref[k], torch.nn.Parameter), k
        assert out[k].requires_grad == ref[k].requires_grad, k
        np.testing.assert_array_equal(out[k].detach().numpy(), ref[k].detach().numpy())


def test_map_location_variants_and_cuda_saved_files(torch, tmp_path):
    blob = torch_bytes(torch, {"w": torch.arange(4.0)})
    for ml in (None, "cpu", torch.device("cpu"), {"cuda:0": "cpu"}, lambda storage, loc: storage,
               lambda storage, loc: None):
        np.testing.assert_array_equal(tl.load(io.BytesIO(blob), map_location=ml)["w"].numpy(), np.arange(4.0))
    for bad in ("cuda", "cuda:0", torch.device("cuda"), {"cpu": "cuda:1"}):
        with pytest.raises(ValueError, match="map_location.*cuda"):
            tl.load(io.BytesIO(blob), map_location=bad)
    with pytest.raises(ValueError, match="map_location"):
        tl.load(io.BytesIO(blob), map_location=lambda storage, loc: "elsewhere")
    # a file saved from a GPU (location 'cuda:0') loads onto the CPU
    cuda = rewrite_zip(blob, lambda n, d: d.replace(b"X\x03\x00\x00\x00cpu", b"X\x06\x00\x00\x00cuda:0")
                       if n.endswith("data.pkl") else d)
    assert b"cuda:0" in zipfile.ZipFile(io.BytesIO(cuda)).read("archive/data.pkl")
    seen = []
    out = tl.load(io.BytesIO(cuda), map_location=lambda s, loc: seen.append(loc))
    assert seen == ["cuda:0"]
    np.testing.assert_array_equal(out["w"].numpy(), np.arange(4.0))


def test_big_endian_files_are_byteswapped(torch):
    x, i = torch.randn(2, 3), torch.arange(5, dtype=torch.int64)
    blob = torch_bytes(torch, {"x": x, "xt": x.t(), "i": i})
    sizes = {"0": 4, "1": 8}

    def swap(name, data):
        if name.endswith("byteorder"):
            return b"big"
        key = name.rsplit("/", 1)[-1]
        if "/data/" in name:
            return np.frombuffer(data, f"<u{sizes[key]}").astype(f">u{sizes[key]}").tobytes()
        return data
    out = tl.load(io.BytesIO(rewrite_zip(blob, swap)))
    np.testing.assert_array_equal(out["x"].numpy(), x.numpy())
    np.testing.assert_array_equal(out["xt"].numpy(), x.t().numpy())
    np.testing.assert_array_equal(out["i"].numpy(), i.numpy())


def test_any_archive_directory_name_and_detection_by_content_not_suffix(torch, tmp_path):
    blob = torch_bytes(torch, {"w": torch.ones(2)})
    renamed = rewrite_zip(blob, lambda n, d: d)
    src = zipfile.ZipFile(io.BytesIO(renamed))
    renamed = zip_with({i.filename.split("/", 1)[1]: src.read(i) for i in src.infolist()}, prefix="my_model/")
    p = tmp_path / "weights.bin"
    p.write_bytes(renamed)
    np.testing.assert_array_equal(tl.load(p)["w"].numpy(), np.ones(2))
    s = tmp_path / "actually_safetensors.pt"
    tl.save({"w": tl.ones(2)}, s, format="safetensors")
    assert s.read_bytes()[8:9] == b"{"
    np.testing.assert_array_equal(tl.load(s)["w"].numpy(), np.ones(2))


def test_mmap_maps_storages_copy_on_write(torch, tmp_path):
    p = tmp_path / "m.pt"
    x = torch.randn(4, 5)
    torch.save({"x": x, "v": x[1:]}, p)
    before = p.read_bytes()
    out = tl.load(p, mmap=True)
    np.testing.assert_array_equal(out["x"].numpy(), x.numpy())
    assert np.shares_memory(out["x"]._data, out["v"]._data)
    out["x"][0, 0] = 123.0
    assert out["v"][0, 0].item() == x[1, 0].item() and p.read_bytes() == before
    with pytest.raises(ValueError, match="mmap"):
        tl.load(io.BytesIO(before), mmap=True)
    torch.save({"x": x}, tmp_path / "legacy.pt", _use_new_zipfile_serialization=False)
    with pytest.raises(ValueError, match="legacy"):
        tl.load(tmp_path / "legacy.pt", mmap=True)


# ---------------------------------------------------------------- tl.save -> torch.load
@pytest.mark.parametrize("legacy", [False, True])
@pytest.mark.parametrize("dtype", DTYPES)
def test_tl_save_torch_load_dtypes(torch, dtype, legacy):
    t = tl.from_numpy(sample(torch, dtype).numpy())
    obj = {"t": t, "s": t[1], "nc": t.t(), "z": tl.zeros(0, 3).to(getattr(tl, dtype)), "0d": t[0, 0]}
    out = torch.load(io.BytesIO(tl_bytes(obj, _use_new_zipfile_serialization=not legacy)), weights_only=True)
    assert list(out) == list(obj)
    for k, v in obj.items():
        assert out[k].dtype == getattr(torch, dtype), k
        assert tuple(out[k].shape) == tuple(v.shape), k
        assert out[k].stride() == (v.stride() if v.numel() else (3, 1)), k      # empty: contiguous strides
        np.testing.assert_array_equal(out[k].numpy(), v.numpy(), err_msg=k)


def test_tl_views_are_written_as_views_of_one_torch_storage(torch):
    x = tl.arange(12.0).reshape(3, 4)
    out = torch.load(io.BytesIO(tl_bytes({"x": x, "tail": x[1:], "t": x.t(), "flip": x.flip(0)})),
                     weights_only=True)
    assert out["x"].untyped_storage().data_ptr() == out["tail"].untyped_storage().data_ptr() == \
        out["t"].untyped_storage().data_ptr()
    assert out["tail"].storage_offset() == 4 and out["t"].stride() == (1, 4)
    out["x"][1, 0] = -1.0
    assert out["tail"][0, 0].item() == -1.0 and out["t"][0, 1].item() == -1.0
    np.testing.assert_array_equal(out["flip"].numpy(), x.flip(0).numpy())     # negative strides: a copy


def test_tl_parameters_and_requires_grad_reach_torch(torch):
    p, frozen = nn.Parameter(tl.randn(3)), nn.Parameter(tl.randn(2), requires_grad=False)
    leaf = tl.randn(2).requires_grad_()
    out = torch.load(io.BytesIO(tl_bytes({"p": p, "frozen": frozen, "leaf": leaf, "plain": tl.ones(1)})),
                     weights_only=True)
    assert type(out["p"]) is torch.nn.Parameter and out["p"].requires_grad
    assert type(out["frozen"]) is torch.nn.Parameter and not out["frozen"].requires_grad
    assert type(out["leaf"]) is torch.Tensor and out["leaf"].requires_grad
    assert not out["plain"].requires_grad
    back = tl.load(io.BytesIO(tl_bytes({"p": p, "frozen": frozen, "leaf": leaf})))
    assert type(back["p"]) is nn.Parameter and back["p"].requires_grad and not back["frozen"].requires_grad
    assert type(back["leaf"]) is tl.Tensor and back["leaf"].requires_grad


# ---------------------------------------------------------------- models and optimizers
def torch_net(torch):
    return torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.BatchNorm2d(4), torch.nn.ReLU(),
                               torch.nn.Flatten(), torch.nn.Linear(4 * 4 * 4, 5))


def tl_net():
    return nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 4 * 4, 5))


@pytest.mark.parametrize("legacy", [False, True])
def test_model_state_dict_both_ways(torch, tmp_path, legacy):
    tm = torch_net(torch)
    tm(torch.randn(8, 3, 6, 6))                       # running stats move away from their init
    tm.eval()
    p = tmp_path / "model.pth"
    torch.save(tm.state_dict(), p, _use_new_zipfile_serialization=not legacy)
    sd = tl.load(p)
    assert list(sd) == list(tm.state_dict())
    m = tl_net()
    m.load_state_dict(sd)
    m.eval()
    x = np.random.default_rng(1).standard_normal((2, 3, 6, 6)).astype(np.float32)
    with torch.no_grad():
        ref = tm(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(m(tl.from_numpy(x)).detach().numpy(), ref, rtol=1e-5, atol=1e-5)
    # and back: tensorlite's state_dict (with _metadata) into a fresh torch model
    q = tmp_path / "tl_model.pt"
    tl.save(m.state_dict(), q, _use_new_zipfile_serialization=not legacy)
    back = torch.load(q, weights_only=True)
    assert isinstance(back, OrderedDict) and list(back) == list(tm.state_dict())
    assert back._metadata == m.state_dict()._metadata
    tm2 = torch_net(torch)
    tm2.load_state_dict(back)
    tm2.eval()
    with torch.no_grad():
        np.testing.assert_allclose(tm2(torch.from_numpy(x)).numpy(), ref, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("name,kw", [("SGD", {"lr": 0.1, "momentum": 0.9}), ("Adam", {"lr": 0.01})])
def test_optimizer_state_dict_both_ways(torch, name, kw):
    rng = np.random.default_rng(0)
    w0 = rng.standard_normal((3, 2)).astype(np.float32)
    grads = [rng.standard_normal((3, 2)).astype(np.float32) for _ in range(3)]
    tw = torch.nn.Parameter(torch.from_numpy(w0.copy()))
    topt = getattr(torch.optim, name)([tw], **kw)
    for g in grads[:2]:
        tw.grad = torch.from_numpy(g.copy())
        topt.step()
    saved = tl.load(io.BytesIO(torch_bytes(torch, topt.state_dict())))
    assert list(saved["state"]) == [0]
    w = nn.Parameter(tl.from_numpy(tw.detach().numpy().copy()))
    opt = getattr(tl.optim, name)([w], lr=0.5)
    opt.load_state_dict(saved)
    tw.grad = torch.from_numpy(grads[2].copy())
    topt.step()
    w.grad = tl.from_numpy(grads[2].copy())
    opt.step()
    np.testing.assert_allclose(w.detach().numpy(), tw.detach().numpy(), rtol=1e-6, atol=1e-6)
    # tensorlite's optimizer state into torch
    back = torch.load(io.BytesIO(tl_bytes(opt.state_dict())), weights_only=True)
    tw2 = torch.nn.Parameter(torch.from_numpy(w.detach().numpy().copy()))
    topt2 = getattr(torch.optim, name)([tw2], lr=0.5)
    topt2.load_state_dict(back)
    assert topt2.param_groups[0]["lr"] == kw["lr"]
    for opt_, p_ in ((topt, tw), (topt2, tw2)):
        p_.grad = torch.from_numpy(grads[0].copy())
        opt_.step()
    np.testing.assert_allclose(tw2.detach().numpy(), tw.detach().numpy(), rtol=1e-6, atol=1e-6)


NESTED = {"epoch": 7, "step": 2 ** 40, "neg": -3, "best": 0.125, "inf": float("inf"), "name": "rünner", "none": None,
          "flags": [True, False], "history": [0.5, 0.25, [1, (2, 3.0)]], "pair": (1, "a", None, ()),
          "by_int": {0: "zero", 10: [1, 2]}, "empty": {}, "elist": [], "raw": b"\x00\xff", "nums": {1, 2, 3},
          "cplx": 1.5 - 2j}


def same(a, b):
    """Exact structural equality, with tensors compared by dtype, shape and values."""
    if isinstance(a, tl.Tensor) or hasattr(a, "numpy") and not isinstance(a, (np.ndarray,)):
        an, bn = np.asarray(a.detach().numpy()), np.asarray(b.detach().numpy())
        return an.dtype == bn.dtype and an.shape == bn.shape and np.array_equal(an, bn, equal_nan=True)
    if type(a) is not type(b) and not (isinstance(a, dict) and isinstance(b, dict)):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return a == b


@pytest.mark.parametrize("legacy", [False, True])
def test_nested_checkpoint_both_ways(torch, legacy):
    ck = dict(NESTED, weights=OrderedDict(w=torch.ones(2, 3), b=torch.arange(3)))
    out = tl.load(io.BytesIO(torch_bytes(torch, ck, legacy)))
    assert same({k: v for k, v in out.items() if k != "weights"}, NESTED)
    assert list(out["weights"]) == ["w", "b"] and isinstance(out["weights"], OrderedDict)
    tl_ck = dict(NESTED, weights=OrderedDict(w=tl.ones(2, 3), b=tl.arange(3)))
    back = torch.load(io.BytesIO(tl_bytes(tl_ck, _use_new_zipfile_serialization=not legacy)), weights_only=True)
    assert same({k: v for k, v in back.items() if k != "weights"}, NESTED)
    assert list(back["weights"]) == ["w", "b"] and back["weights"]["b"].dtype == torch.int64


def test_dtypes_and_sizes_as_values(torch):
    blob = torch_bytes(torch, {"d": torch.float16, "s": torch.Size([2, 3]), "dev": torch.device("cpu")})
    out = tl.load(io.BytesIO(blob))
    assert out["d"] is tl.float16 and out["s"] == (2, 3) and isinstance(out["s"], tl.Size) and out["dev"] == "cpu"
    back = torch.load(io.BytesIO(tl_bytes({"d": tl.int32, "s": tl.Size([4])})), weights_only=True)
    assert back["d"] is torch.int32 and back["s"] == torch.Size([4]) and type(back["s"]) is torch.Size
    # a dtype tensorlite lacks stays a stand-in that saves back as itself
    odd = tl.load(io.BytesIO(torch_bytes(torch, {"d": torch.bfloat16})))
    assert repr(odd["d"]) == "torch.bfloat16"
    assert torch.load(io.BytesIO(tl_bytes(odd)), weights_only=True)["d"] is torch.bfloat16


def test_shared_tensor_identity_is_preserved(torch):
    t = torch.randn(3)
    out = tl.load(io.BytesIO(torch_bytes(torch, {"a": t, "b": t, "l": [t]})))
    assert out["a"] is out["b"] is out["l"][0]
    x = tl.randn(2)
    back = torch.load(io.BytesIO(tl_bytes({"a": x, "b": x})), weights_only=True)
    assert back["a"] is back["b"]


tensors = st.builds(lambda a: tl.from_numpy(a), st.sampled_from(DTYPES).flatmap(
    lambda d: st.lists(st.integers(-5, 5), min_size=0, max_size=6).map(lambda v: np.array(v).astype(d))))
leaves = (st.none() | st.booleans() | st.integers(-2 ** 63, 2 ** 63) | st.floats(allow_nan=False)
          | st.text(max_size=8) | tensors)
keys = st.text(max_size=6) | st.integers(-1000, 1000)
trees = st.recursive(leaves, lambda c: st.lists(c, max_size=4) | st.tuples(c, c) | st.dictionaries(keys, c, max_size=4),
                     max_leaves=12)


@settings(max_examples=30)
@given(trees)
def test_hypothesis_nested_structures_round_trip_exactly(torch, tree):
    assert same(tl.load(io.BytesIO(tl_bytes({"x": tree})))["x"], tree)
    via_torch = torch.load(io.BytesIO(tl_bytes({"x": tree})), weights_only=True)["x"]
    assert same(tl.load(io.BytesIO(torch_bytes(torch, {"x": via_torch})))["x"], tree)


# ---------------------------------------------------------------- tl.save: formats, paths, refusals
def test_default_format_by_suffix_and_atomic_paths(tmp_path, monkeypatch):
    sd = {"w": tl.ones(3)}
    tl.save(sd, tmp_path / "a.pt")
    tl.save(sd, tmp_path / "a.safetensors")
    tl.save(sd, tmp_path / "b.pt", format="safetensors")
    assert (tmp_path / "a.pt").read_bytes()[:4] == b"PK\x03\x04"
    assert (tmp_path / "a.safetensors").read_bytes()[8:9] == b"{" and (tmp_path / "b.pt").read_bytes()[8:9] == b"{"
    with pytest.raises(ValueError, match="format"):
        tl.save(sd, tmp_path / "c.pt", format="pickle")

    def boom(*a, **k):
        raise OSError("disk full")
    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        tl.save({"w": tl.zeros(3)}, tmp_path / "a.pt")
    monkeypatch.undo()
    np.testing.assert_array_equal(tl.load(tmp_path / "a.pt")["w"].numpy(), np.ones(3))
    assert sorted(f.name for f in tmp_path.iterdir()) == ["a.pt", "a.safetensors", "b.pt"]


def test_storages_are_64_byte_aligned_and_metadata_round_trips(torch, tmp_path):
    p = tmp_path / "m.pt"
    tl.save({"a": tl.ones(3), "b": tl.arange(5)}, p, metadata={"run": "x"})
    zf = zipfile.ZipFile(p)
    raw = p.read_bytes()
    for info in zf.infolist():
        n, m = struct.unpack("<HH", raw[info.header_offset + 26:info.header_offset + 30])
        assert (info.header_offset + 30 + n + m) % 64 == 0, info.filename
    assert tl.serialization.read_metadata(p)["run"] == "x"
    assert set(torch.load(p, weights_only=True)) == {"a", "b"}
    mapped = torch.load(p, weights_only=True, mmap=True)          # torch's mmap needs the alignment
    np.testing.assert_array_equal(mapped["b"].numpy(), np.arange(5))


def test_whole_modules_and_other_objects_are_refused(tmp_path):
    m = tl_net()
    for f in (io.BytesIO(), tmp_path / "m.pt", tmp_path / "m.safetensors"):
        with pytest.raises(TypeError, match=r"state_dict\(\)"):
            tl.save(m, f)
        with pytest.raises(TypeError, match=r"state_dict\(\)"):
            tl.save({"model": m}, f)
    with pytest.raises(TypeError, match="object"):
        tl.save({"w": object()}, io.BytesIO())
    with pytest.raises(TypeError, match=r"optimizer.state_dict\(\)"):
        tl.save(tl.optim.SGD([nn.Parameter(tl.ones(1))], lr=0.1), io.BytesIO())
    assert not (tmp_path / "m.pt").exists()


def test_argument_checks_name_the_argument(tmp_path):
    buf = io.BytesIO(tl_bytes({"w": tl.ones(2)}))
    with pytest.raises(ValueError, match="pickle_module"):
        tl.load(buf, pickle_module=object())
    with pytest.raises(TypeError, match="unexpected keyword argument 'foo'"):
        tl.load(buf, foo=1)
    assert tl.load(buf, pickle_module=pickle, encoding="latin1")["w"].numpy().tolist() == [1, 1]
    with pytest.raises(ValueError, match="pickle_protocol"):
        tl.save({}, io.BytesIO(), pickle_protocol=1)
    with pytest.raises(ValueError, match="pickle_module"):
        tl.save({}, io.BytesIO(), pickle_module=object())
    with pytest.raises(TypeError, match="'f'.*NoneType"):
        tl.save({}, None)
    with pytest.raises(TypeError, match="binary mode"):
        with open(tmp_path / "t.txt", "w") as fh:
            tl.save({}, fh)
    with pytest.raises(ValueError, match="metadata"):
        tl.save({}, io.BytesIO(), metadata={"a": "b"}, _use_new_zipfile_serialization=False)


def test_key_order_is_kept_for_both_formats(tmp_path):
    rng = np.random.default_rng(0)
    names = [f"k{int(i)}" for i in rng.permutation(40)]
    sd = {k: tl.ones(1) for k in names}
    tl.save(sd, tmp_path / "o.safetensors")
    tl.save(sd, tmp_path / "o.pt")
    assert list(tl.load(tmp_path / "o.safetensors")) == names
    assert list(tl.load(tmp_path / "o.pt")) == names
    buf = io.BytesIO(tl_bytes(sd, format="safetensors"))                 # file objects, both formats
    assert buf.getvalue()[8:9] == b"{" and list(tl.load(buf)) == names


# ---------------------------------------------------------------- no torch at all
def test_loading_and_saving_with_torch_blocked(torch, tmp_path):
    x = torch.arange(6.0).reshape(2, 3)
    torch.save({"x": x, "xt": x.t(), "p": torch.nn.Parameter(torch.ones(2))}, tmp_path / "in.pt")
    torch.save({"x": x}, tmp_path / "legacy.pt", _use_new_zipfile_serialization=False)
    script = textwrap.dedent(f"""
        import sys
        class Block:
            def find_spec(self, name, path=None, target=None):
                if name == "torch" or name.startswith("torch."):
                    raise ImportError("torch is blocked in this test")
        sys.meta_path.insert(0, Block())
        import tensorlite as tl
        sd = tl.load({str(tmp_path / 'in.pt')!r})
        assert sd["x"].numpy().tolist() == [[0, 1, 2], [3, 4, 5]], sd
        assert sd["xt"].numpy().tolist() == [[0, 3], [1, 4], [2, 5]]
        assert type(sd["p"]).__name__ == "Parameter" and sd["p"].requires_grad
        assert tl.load({str(tmp_path / 'legacy.pt')!r})["x"].numpy().sum() == 15
        tl.save({{"y": sd["xt"] * 2}}, {str(tmp_path / 'out.pt')!r})
        assert "torch" not in sys.modules
        print("ok")
    """)
    r = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and r.stdout.strip() == "ok", r.stderr
    np.testing.assert_array_equal(torch.load(tmp_path / "out.pt", weights_only=True)["y"].numpy(),
                                  2 * x.t().numpy())


# ---------------------------------------------------------------- safe globals
class Point:
    def __init__(self, x, w):
        self.x, self.w = x, w


def test_safe_globals_admit_only_what_the_user_registered(torch):
    blob = torch_bytes(torch, {"pt": Point(3, torch.ones(2))})
    with pytest.raises(CheckpointError, match=r"Point.*add_safe_globals"):
        tl.load(io.BytesIO(blob))
    assert tl.serialization.get_unsafe_globals_in_checkpoint(io.BytesIO(blob)) == \
        [f"{Point.__module__}.Point"]
    legacy = torch_bytes(torch, {"pt": Point(3, torch.ones(2))}, legacy=True)
    assert tl.serialization.get_unsafe_globals_in_checkpoint(io.BytesIO(legacy)) == [f"{Point.__module__}.Point"]
    with tl.serialization.safe_globals([Point]):
        assert Point in tl.serialization.get_safe_globals()
        pt = tl.load(io.BytesIO(blob))["pt"]
    assert Point not in tl.serialization.get_safe_globals()
    assert type(pt) is Point and pt.x == 3 and isinstance(pt.w, tl.Tensor)
    np.testing.assert_array_equal(pt.w.numpy(), np.ones(2))
    try:
        tl.serialization.add_safe_globals([(Point, f"{Point.__module__}.Point")])
        assert tl.load(io.BytesIO(blob))["pt"].x == 3
    finally:
        tl.serialization.clear_safe_globals()
    assert tl.serialization.get_safe_globals() == []
    with pytest.raises(CheckpointError):
        tl.load(io.BytesIO(blob))
    with pytest.raises(ValueError, match="pair"):
        tl.serialization.add_safe_globals([(Point, "a", "b")])
    with pytest.raises(TypeError, match="str"):
        tl.serialization.add_safe_globals([(Point, 3)])


# ---------------------------------------------------------------- hostile files
def global_call(module, name, arg):
    """Raw opcodes: module.name(arg)."""
    a = arg.encode()
    return (b"\x80\x02c" + module.encode() + b"\n" + name.encode() + b"\n" + b"X" + struct.pack("<I", len(a)) + a
            + b"\x85R.")


class Evil:
    def __init__(self, cmd):
        self.cmd = cmd

    def __reduce__(self):
        return (os.system, (self.cmd,))


def hostile_payloads(marker):
    cmd = f"touch {marker}"
    code = f"open({str(marker)!r}, 'w').close()"
    yield "os.system", global_call("os", "system", cmd)
    yield "posix.system", global_call("posix", "system", cmd)
    yield "builtins.eval", global_call("__builtin__", "eval", code)
    yield "builtins.exec", global_call("builtins", "exec", code)
    yield "builtins.getattr", global_call("builtins", "getattr", "x")
    yield "subprocess.Popen", global_call("subprocess", "Popen", cmd)
    yield "system", pickle.dumps(Evil(cmd), protocol=2)          # __reduce__ payload (GLOBAL)
    yield "system", pickle.dumps({"a": [Evil(cmd)]}, protocol=4)  # STACK_GLOBAL, nested
    yield "torch.load", global_call("torch", "load", str(marker))


def test_hostile_globals_are_refused_and_never_run(tmp_path):
    marker = tmp_path / "pwned"
    for want, payload in hostile_payloads(marker):
        for kind, blob in (("zip", zip_with({"data.pkl": payload})), ("raw", payload),
                           ("legacy", b"".join(tf.Pickler(None).dumps(v) for v in
                                               (tf.LEGACY_MAGIC, tf.LEGACY_PROTOCOL, {})) + payload)):
            for wo in (True, False):
                with pytest.raises(CheckpointError, match=f"refusing to load global .*{want}") as e:
                    tl.load(io.BytesIO(blob), weights_only=wo)
                assert "weights_only" in str(e.value) and isinstance(e.value, pickle.UnpicklingError)
                assert not marker.exists(), (want, kind)
        p = tmp_path / "hostile.pt"
        p.write_bytes(zip_with({"data.pkl": payload}))
        with pytest.raises(CheckpointError, match="hostile.pt"):
            tl.load(p)
    assert not marker.exists()


def test_refused_module_is_not_even_imported(tmp_path, monkeypatch):
    marker = tmp_path / "imported"
    (tmp_path / "sneaky_mod.py").write_text(f"open({str(marker)!r}, 'w').close()\nx = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(CheckpointError, match="sneaky_mod.x"):
        tl.load(io.BytesIO(zip_with({"data.pkl": global_call("sneaky_mod", "x", "")})))
    assert not marker.exists() and "sneaky_mod" not in sys.modules


def test_stand_ins_cannot_be_tampered_with_or_misused():
    rebuild = b"ctorch._utils\n_rebuild_tensor_v2\n"
    fn = tp._GLOBALS["torch._utils._rebuild_tensor_v2"].fn
    cases = {
        "BUILD": b"\x80\x02" + rebuild + b"}X\x02\x00\x00\x00fnNsb.",                # setstate on our global
        "BUILD slots": b"\x80\x02" + rebuild + b"N}X\x02\x00\x00\x00fnNs\x86b.",
        "NEWOBJ": b"\x80\x02" + rebuild + b")\x81.",
        "bad args": b"\x80\x02" + rebuild + b"K\x01K\x02K\x03\x87R.",
        "not callable": b"\x80\x02ctorch\nfloat32\n)R.",
        "bytearray size": b"\x80\x02c__builtin__\nbytearray\nJ\x00\x00\x00\x7f\x85R.",
        "memo": b"\x80\x02Nr\xff\xff\xff\xff.",
        "opcode": b"\x80\x02(c__builtin__\nlist\no.",                              # OBJ
        "persid": b"\x80\x02X\x03\x00\x00\x00abcQ.",
        "persid module": b"\x80\x02(X\x06\x00\x00\x00moduleNNNtQ.",
        "storage type": b"\x80\x02(X\x07\x00\x00\x00storagectorch\nfloat32\nX\x01\x00\x00\x000X\x03\x00\x00\x00"
                        b"cpuK\x01tQ.",
        "truncated": b"\x80\x02X\xff\x00\x00\x00ab",
    }
    for what, payload in cases.items():
        with pytest.raises(CheckpointError):
            tl.load(io.BytesIO(zip_with({"data.pkl": payload})))
        assert tp._GLOBALS["torch._utils._rebuild_tensor_v2"].fn is fn, what


def test_deeply_nested_pickles_are_refused_not_crashing():
    n = 100_000
    payload = b"\x80\x02" + b"]" * n + b"a" * (n - 1) + b"."
    with pytest.raises(CheckpointError, match="nested"):
        tl.load(io.BytesIO(zip_with({"data.pkl": payload})))


def torch_zip(torch):
    return torch_bytes(torch, {"w": torch.arange(6.0), "v": torch.arange(3)})


def test_lying_sizes_missing_records_and_truncation(torch):
    blob = torch_zip(torch)
    short = rewrite_zip(blob, lambda n, d: d[:8] if n.endswith("data/0") else d)
    with pytest.raises(CheckpointError, match="declares 6 elements .24 bytes. but its record holds only 8"):
        tl.load(io.BytesIO(short))
    missing = rewrite_zip(blob, lambda n, d: None if n.endswith("data/1") else d)
    with pytest.raises(CheckpointError, match="no record archive/data/1"):
        tl.load(io.BytesIO(missing))
    # a tensor larger than its (honestly sized) storage
    table = lambda arr: (("storage", "FloatStorage", "0", "cpu", 2), 0, (1,))    # noqa: E731
    pkl = tf.Pickler(table).dumps({"w": tl.ones(6)})
    with pytest.raises(CheckpointError, match="does not fit in its storage"):
        tl.load(io.BytesIO(zip_with({"data.pkl": pkl, "data/0": b"\x00" * 8})))
    # a declared size of 2**50 elements is refused before anything is allocated
    table = lambda arr: (("storage", "FloatStorage", "0", "cpu", 2 ** 50), 0, (1,))    # noqa: E731
    pkl = tf.Pickler(table).dumps({"w": tl.ones(6)})
    with pytest.raises(CheckpointError, match="holds only"):
        tl.load(io.BytesIO(zip_with({"data.pkl": pkl, "data/0": b"\x00" * 24})))
    for cut in (3, 30, len(blob) // 2, len(blob) - 30, len(blob) - 1):
        with pytest.raises(CheckpointError):
            tl.load(io.BytesIO(blob[:cut]))


def patch_central_sizes(blob, name, size):
    """Overwrite the central directory's uncompressed size of record `name`."""
    out = bytearray(blob)
    i = out.find(b"PK\x01\x02")
    while i >= 0:
        n = struct.unpack("<H", out[i + 28:i + 30])[0]
        if out[i + 46:i + 46 + n].decode() == name:
            out[i + 24:i + 28] = struct.pack("<I", size)
        i = out.find(b"PK\x01\x02", i + 4)
    return bytes(out)


def test_zip_bomb_like_declared_sizes_are_refused(torch):
    blob = torch_zip(torch)
    src = zipfile.ZipFile(io.BytesIO(blob))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in src.infolist():
            zf.writestr(info.filename, src.read(info))
    deflated = buf.getvalue()
    assert tl.load(io.BytesIO(deflated))["w"].numpy().tolist() == list(range(6))     # honest deflate is fine
    with pytest.raises(CheckpointError, match="zip bomb"):
        tl.load(io.BytesIO(patch_central_sizes(deflated, "archive/data/0", 0xFFFFFFF0)))
    with pytest.raises(CheckpointError, match="beyond the end"):
        tl.load(io.BytesIO(patch_central_sizes(blob, "archive/data/0", 0xFFFFFFF0)))


def test_legacy_files_with_lying_sizes_or_truncation(torch):
    blob = torch_bytes(torch, {"w": torch.arange(6.0)}, legacy=True)
    tail = len(blob) - 24 - 8                          # the int64 element count before the data
    lie = blob[:tail] + struct.pack("<q", 10 ** 12) + blob[tail + 8:]
    with pytest.raises(CheckpointError, match="more than the"):
        tl.load(io.BytesIO(lie))
    few = blob[:tail] + struct.pack("<q", 2) + blob[tail + 8:]
    with pytest.raises(CheckpointError, match="pickle declares 6"):
        tl.load(io.BytesIO(few))
    for cut in (5, 40, len(blob) - 30, len(blob) - 1):
        with pytest.raises(CheckpointError):
            tl.load(io.BytesIO(blob[:cut]))


def legacy_file(obj, table, storages):
    """A legacy-format file: header pickles, obj (with persistent ids from table), keys, raw storages."""
    head = b"".join(tf.Pickler(None).dumps(v) for v in (tf.LEGACY_MAGIC, tf.LEGACY_PROTOCOL, {}))
    body = tf.Pickler(table).dumps(obj) + tf.Pickler(None).dumps(list(storages))
    return head + body + b"".join(struct.pack("<q", len(a)) + a.tobytes() for a in storages.values())


def test_legacy_storage_views_are_read():
    # old torch wrote views of a storage as (view_key, offset, size) in the persistent id
    table = lambda arr: (("storage", "FloatStorage", "0", "cpu", 6, ("v", 2, 3)), 1, (1,))    # noqa: E731
    blob = legacy_file({"w": tl.zeros(2)}, table, {"0": np.arange(6, dtype=np.float32)})
    assert tl.load(io.BytesIO(blob))["w"].numpy().tolist() == [3.0, 4.0]
    table = lambda arr: (("storage", "FloatStorage", "0", "cpu", 6, ("v", 5, 3)), 0, (1,))    # noqa: E731
    with pytest.raises(CheckpointError, match="outside storage"):
        tl.load(io.BytesIO(legacy_file({"w": tl.zeros(2)}, table, {"0": np.arange(6, dtype=np.float32)})))
    table = lambda arr: (("storage", "FloatStorage", "0", "cpu", 6, None), 0, (1,))    # noqa: E731
    with pytest.raises(CheckpointError, match="missing from the file"):
        tl.load(io.BytesIO(legacy_file({"w": tl.zeros(2)}, table, {})))


@settings(max_examples=40)
@given(st.data())
def test_fuzzed_files_raise_checkpoint_error_or_load(torch, data):
    legacy = data.draw(st.booleans())
    blob = bytearray(torch_bytes(torch, {"w": torch.arange(6.0), "m": {"k": [1, 2.5]}}, legacy))
    for _ in range(data.draw(st.integers(1, 4))):
        i = data.draw(st.integers(0, len(blob) - 1))
        blob[i] = data.draw(st.integers(0, 255))
    if data.draw(st.booleans()):
        blob = blob[:data.draw(st.integers(0, len(blob)))]
    try:
        tl.load(io.BytesIO(bytes(blob)))
    except CheckpointError:
        pass


@settings(max_examples=40)
@given(st.data())
def test_fuzzed_pickles_inside_a_valid_archive_raise_checkpoint_error_or_load(torch, data):
    base = torch_bytes(torch, {"w": torch.arange(6.0), "v": torch.arange(6.0)[2:].view(2, 2),
                               "p": torch.nn.Parameter(torch.ones(2)), "m": {"k": [1, 2.5], "s": torch.Size([2])}})
    pkl = bytearray(zipfile.ZipFile(io.BytesIO(base)).read("archive/data.pkl"))
    for _ in range(data.draw(st.integers(1, 3))):
        i = data.draw(st.integers(0, len(pkl) - 1))
        op = data.draw(st.sampled_from(["set", "delete", "insert"]))
        if op == "set":
            pkl[i] = data.draw(st.integers(0, 255))
        elif op == "delete":
            del pkl[i]
        else:
            pkl.insert(i, data.draw(st.integers(0, 255)))
    blob = rewrite_zip(base, lambda n, d: bytes(pkl) if n.endswith("data.pkl") else d)
    try:
        tl.load(io.BytesIO(blob))
    except CheckpointError:
        pass
