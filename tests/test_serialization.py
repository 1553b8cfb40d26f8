"""tl.save / tl.load: safetensors format, PyTorch interchange, atomic writes, corruption detection."""
import os

import numpy as np
import pytest

import tensorlite as tl
from tensorlite import nn


def small_model():
    return nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 2))


def test_round_trip_model_state_dict(tmp_path):
    m = small_model()
    m(tl.randn(5, 4))                                # updates running stats
    p = tmp_path / "m.safetensors"
    tl.save(m.state_dict(), p)
    m2 = small_model()
    m2.load_state_dict(tl.load(p))
    for (k, a), (_, b) in zip(m.state_dict().items(), m2.state_dict().items()):
        np.testing.assert_array_equal(a.numpy(), b.numpy(), err_msg=k)
        assert a.dtype is b.dtype and tuple(a.shape) == tuple(b.shape)


def test_nested_checkpoint_preserves_structure_types_and_metadata(tmp_path):
    ck = {"model": small_model().state_dict(),
          "optimizer": {"state": {0: {"momentum_buffer": tl.ones(3), "step": 4}},
                        "param_groups": [{"lr": 0.1, "betas": (0.9, 0.999), "params": [0, 1], "nesterov": True,
                                          "name": None}]},
          "epoch": 7, "best": float("inf"), "history": [0.5, 0.25], "rng": tl.get_rng_state()}
    p = tmp_path / "ck.safetensors"
    tl.save(ck, p, metadata={"run": "test"})
    back = tl.load(p)
    assert back["epoch"] == 7 and back["best"] == float("inf") and back["history"] == [0.5, 0.25]
    g = back["optimizer"]["param_groups"][0]
    assert g["betas"] == (0.9, 0.999) and g["params"] == [0, 1] and g["nesterov"] is True and g["name"] is None
    assert list(back["optimizer"]["state"]) == [0]
    np.testing.assert_array_equal(back["optimizer"]["state"][0]["momentum_buffer"].numpy(), np.ones(3))
    meta = tl.serialization.read_metadata(p)
    assert meta["run"] == "test" and meta["__tensorlite_version__"] == tl.__version__


def test_rng_state_round_trip_reproduces_draws(tmp_path):
    tl.manual_seed(3)
    tl.rand(5)
    tl.save({"rng": tl.get_rng_state()}, tmp_path / "r.safetensors")
    a = tl.rand(4).numpy().copy()
    tl.set_rng_state(tl.load(tmp_path / "r.safetensors")["rng"])
    np.testing.assert_array_equal(tl.rand(4).numpy(), a)


def test_pytorch_interchange_both_ways(tmp_path):
    torch = pytest.importorskip("torch")
    from safetensors.torch import load_file, save_file
    m = small_model()
    tl.save(m.state_dict(), tmp_path / "tl.safetensors")
    sd = load_file(str(tmp_path / "tl.safetensors"))
    tm = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.BatchNorm1d(8), torch.nn.ReLU(), torch.nn.Linear(8, 2))
    tm.load_state_dict(sd)
    assert sd["1.num_batches_tracked"].dim() == 0
    tm.eval()
    m.eval()
    x = np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32)
    np.testing.assert_allclose(tm(torch.from_numpy(x)).detach().numpy(), m(tl.from_numpy(x)).detach().numpy(),
                               rtol=1e-5, atol=1e-6)
    for p in tm.parameters():
        torch.nn.init.normal_(p)
    save_file(tm.state_dict(), str(tmp_path / "torch.safetensors"))
    m.load_state_dict(tl.load(tmp_path / "torch.safetensors"))
    np.testing.assert_allclose(tm(torch.from_numpy(x)).detach().numpy(), m(tl.from_numpy(x)).detach().numpy(),
                               rtol=1e-5, atol=1e-6)


def test_truncated_corrupted_and_wrong_format_files_raise_naming_the_file(tmp_path):
    p = tmp_path / "ck.safetensors"
    tl.save({"w": tl.randn(100)}, p)
    data = p.read_bytes()
    cases = {"trunc": data[:-7], "flip": data[:-5] + bytes([data[-5] ^ 0xFF]) + data[-4:],
             "text": b"this is not a checkpoint at all, just text", "empty": b"",
             "header": data[:8] + b"{not json" + data[17:]}
    for name, blob in cases.items():
        bad = tmp_path / f"{name}.safetensors"
        bad.write_bytes(blob)
        with pytest.raises(tl.CheckpointError, match=name):
            tl.load(bad)
    with pytest.raises(FileNotFoundError):
        tl.load(tmp_path / "missing.safetensors")


def test_save_is_atomic_previous_file_survives_a_failed_write(tmp_path, monkeypatch):
    p = tmp_path / "ck.safetensors"
    tl.save({"w": tl.ones(3)}, p)

    def boom(*a, **k):
        raise OSError("disk full")
    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        tl.save({"w": tl.zeros(3)}, p)
    monkeypatch.undo()
    np.testing.assert_array_equal(tl.load(p)["w"].numpy(), np.ones(3))
    assert [f.name for f in tmp_path.iterdir()] == ["ck.safetensors"]   # no temp file left behind


def test_unsupported_objects_are_refused_not_pickled(tmp_path):
    with pytest.raises(TypeError, match="lambda|function"):
        tl.save({"fn": lambda x: x}, tmp_path / "x.safetensors")
