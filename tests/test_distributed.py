"""tensorlite.distributed, DistributedDataParallel, SyncBatchNorm and DistributedSampler.

Tests marked by `mpi` launch `mpirun -np 2` (loopback, shared memory) on the scripts in
tests/mpi/ and read their exit status, output and files; they need mpi4py and OpenMPI's mpirun
(CI installs both).  The rest run in this process without MPI.
"""
import importlib.util
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from unittest import mock

import numpy as np
import pytest
from hypothesis import given, strategies as st

import tensorlite as tl

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPTS = os.path.join(HERE, "mpi")
CIFAR = os.environ.get("TENSORLITE_DATA", os.path.expanduser("~/.cache/tensorlite/cifar10"))


RUN_THEM = ("to run the distributed tests: apt-get install openmpi-bin libopenmpi-dev && pip install -e "
            "'.[test,mpi]' && python -m pytest -q tests/test_distributed.py (.ci/run does this)")


def need_mpi():
    pytest.importorskip("mpi4py", reason=f"mpi4py is not installed; {RUN_THEM}")
    if shutil.which("mpirun") is None:
        pytest.skip(f"OpenMPI's mpirun is not on PATH; {RUN_THEM}")


def mpirun(*args, timeout=300, env=None):
    """Run `mpirun -np 2 python ARGS...`; returns (exit status, combined output, seconds)."""
    need_mpi()
    cmd = ["mpirun", "-np", "2", "--oversubscribe", "--bind-to", "none", "--mca", "btl", "self,vader",
           "--mca", "oob_tcp_if_include", "lo", sys.executable, *args]
    full_env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
                    TENSORLITE_DIST_TIMEOUT="120", **(env or {}))
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=full_env)
    try:
        out = proc.communicate(timeout=timeout)[0]
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGTERM)          # mpirun ends its ranks on SIGTERM
        try:
            out = proc.communicate(timeout=20)[0]
        except subprocess.TimeoutExpired:
            proc.kill()
            out = proc.communicate()[0]
        pytest.fail(f"mpirun did not finish within {timeout} s:\n{out}")
    return proc.returncode, out, time.monotonic() - start


def script(name):
    return os.path.join(SCRIPTS, name)


def load_script(name):
    spec = importlib.util.spec_from_file_location(f"_mpi_{name[:-3]}", script(name))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ---------------------------------------------------------------------- 2 ranks == 1 process
@pytest.mark.parametrize("flags", [[], ["--accumulate", "--bucket-cap-mb", "0.001"], ["--sync-bn"]],
                         ids=["plain", "no_sync-accumulation-small-buckets", "sync-batchnorm"])
def test_two_ranks_on_half_batches_match_one_process_on_whole_batches(tmp_path, flags):
    out_file = tmp_path / "state.npz"
    rc, out, _ = mpirun(script("ddp_equivalence.py"), str(out_file), *flags)
    assert rc == 0, out
    ranks = [np.load(tmp_path / f"state.rank{r}.npz") for r in range(2)]
    eq = load_script("ddp_equivalence.py")
    sync_bn = "--sync-bn" in flags
    reference = eq.train(sync_bn=sync_bn, accumulate="--accumulate" in flags)
    initial = {k: v.numpy() for k, v in eq.make_model(sync_bn).state_dict().items()}
    assert set(ranks[0].files) == set(reference)
    for k, want in reference.items():
        np.testing.assert_array_equal(ranks[0][k], ranks[1][k], err_msg=f"{k} differs between the ranks")
        np.testing.assert_allclose(ranks[0][k], want, rtol=1e-5, atol=1e-5, err_msg=k)
    moved = max(float(np.abs(reference[k] - initial[k]).max()) for k in reference if k.endswith("weight"))
    assert moved > 0.05, "training did not change the weights; the comparison would be vacuous"


def test_ddp_unused_parameters_buffers_state_dict_and_mismatch():
    rc, out, _ = mpirun(script("ddp_features.py"))
    assert rc == 0, out
    for r in range(2):
        for check in ("unused_parameter_is_reported", "find_unused_parameters",
                      "buffers_follow_rank_0_and_state_dict_keys", "model_mismatch_is_an_error"):
            assert f"rank {r}: check_{check} ok" in out, out


def test_collectives_property_based_over_shapes_dtypes_and_ops():
    rc, out, _ = mpirun(script("collectives.py"), "60")
    assert rc == 0, out
    for r in range(2):
        assert f"rank {r} of 2: collectives passed 60 examples each" in out, out


# ---------------------------------------------------------------------- failures end the job
@pytest.mark.parametrize("mode, expect", [
    ("raise", ["ValueError: rank 1 failed on purpose", "rank 1 of 2 raised an uncaught ValueError", "MPI_Abort"]),
    ("kill", ["rank 1", "signal 9"]),
    ("hang", ["rank 0 of 2 waited", "timeout"]),
    ("exit", ["rank 0 of 2 waited", "timeout"]),
])
def test_a_failing_rank_makes_the_job_fail_quickly_instead_of_hanging(mode, expect):
    rc, out, seconds = mpirun(script("failure.py"), mode, timeout=120)
    assert rc != 0, out
    assert seconds < 60, f"took {seconds:.0f} s:\n{out}"
    assert "must not happen" not in out, out
    for text in expect:
        assert text in out, f"{text!r} missing from:\n{out}"


# ---------------------------------------------------------------------- training command
@pytest.mark.skipif(not os.path.exists(os.path.join(CIFAR, "cifar10-cache.json")),
                    reason="CIFAR-10 not fetched (run: python -m tensorlite.data cifar10)")
def test_training_command_under_mpirun_checkpoints_on_rank_0_and_resumes(tmp_path):
    common = ["--model", "lenet5", "--epochs", "1", "--subset", "640", "--batch-size", "64", "--data-dir", CIFAR,
              "--no-download", "--no-progress"]
    rc, out, _ = mpirun("-m", "tensorlite.train", *common, "--out", str(tmp_path / "mpi"), "--max-steps", "4")
    assert rc == 0, out
    assert out.count("paused at epoch 1, step 4/10") == 1, out          # rank 0 alone logs
    assert out.count("step 4/10 loss") == 1, out
    ck = tl.load(tmp_path / "mpi" / "last.safetensors")
    assert ck["step"] == 4 and not (tmp_path / "mpi" / "lenet5_final.safetensors").exists()
    assert not any(k.startswith("module.") for k in ck["model"])        # the plain model's keys
    rc, out, _ = mpirun("-m", "tensorlite.train", "--resume", str(tmp_path / "mpi" / "last.safetensors"),
                        "--no-progress")
    assert rc == 0, out
    assert out.count("resumed lenet5") == 1 and out.count("done: final test accuracy") == 1, out

    from tensorlite.train import main
    assert main([*common, "--threads", "2", "--out", str(tmp_path / "one")]) == 0
    one = tl.load(tmp_path / "one" / "lenet5_final.safetensors")
    two = tl.load(tmp_path / "mpi" / "lenet5_final.safetensors")
    assert set(one) == set(two)
    for k in one:           # LeNet-5 has no BatchNorm: the same math up to float32 round-off
        np.testing.assert_allclose(two[k].numpy(), one[k].numpy(), rtol=1e-5, atol=1e-6, err_msg=k)
    h1 = json.loads((tmp_path / "one" / "metrics.json").read_text())["history"]
    h2 = json.loads((tmp_path / "mpi" / "metrics.json").read_text())["history"]
    assert len(h1) == len(h2) == 1 and abs(h1[0]["test_acc"] - h2[0]["test_acc"]) <= 0.002


@pytest.mark.skipif(not os.path.exists(os.path.join(CIFAR, "cifar10-cache.json")),
                    reason="CIFAR-10 not fetched (run: python -m tensorlite.data cifar10)")
def test_two_ranks_take_the_steps_of_one_single_threaded_process(tmp_path):
    # The README's claim, exactly: with one thread per rank and in the single process, 2 ranks on
    # half batches end within 1e-6 of one process on whole batches after 30 steps. (With 2 threads
    # in the single process the reduction order differs and SGD amplifies it to ~1e-3.)
    common = ["--model", "lenet5", "--epochs", "1", "--subset", "1920", "--batch-size", "64", "--data-dir", CIFAR,
              "--no-download", "--no-progress", "--threads", "1"]
    rc, out, _ = mpirun("-m", "tensorlite.train", *common, "--out", str(tmp_path / "mpi"))
    assert rc == 0, out
    from tensorlite.train import main
    assert main([*common, "--out", str(tmp_path / "one")]) == 0
    one = tl.load(tmp_path / "one" / "lenet5_final.safetensors")
    two = tl.load(tmp_path / "mpi" / "lenet5_final.safetensors")
    worst = max(float(np.abs(two[k].numpy() - one[k].numpy()).max()) for k in one)
    assert worst < 1e-6, worst


# ---------------------------------------------------------------------- without MPI
def test_missing_mpi4py_names_the_packages_to_install(monkeypatch):
    from tensorlite.distributed import _backend
    monkeypatch.setitem(sys.modules, "mpi4py", None)
    with pytest.raises(ImportError) as info:
        _backend._import_mpi("init")
    msg = str(info.value)
    assert "init()" in msg and "pip install tensorlite[mpi]" in msg
    assert "apt-get install openmpi-bin libopenmpi-dev" in msg


def test_uninitialized_world_gives_clear_errors():
    from tensorlite import distributed as dist
    if dist.is_initialized():
        pytest.skip("this process joined an MPI world")
    for call, name in ((dist.rank, "rank()"), (dist.world_size, "world_size()"),
                       (lambda: dist.all_reduce(tl.ones(2)), "all_reduce()")):
        with pytest.raises(RuntimeError, match=r"not initialized.*tensorlite\.distributed\.init\(\)") as info:
            call()
        assert name in str(info.value)
    with pytest.raises(RuntimeError, match="DistributedDataParallel.*init"):
        tl.nn.parallel.DistributedDataParallel(tl.nn.Linear(2, 2))
    with pytest.raises(RuntimeError, match="num_replicas="):
        tl.data.DistributedSampler(range(4))
    with pytest.raises(ValueError, match="timeout"):
        dist.init(timeout=-1)


def test_import_tensorlite_does_not_load_mpi4py():
    code = "import sys, tensorlite as tl; tl.distributed; tl.nn.parallel; tl.data.DistributedSampler; " \
           "print('mpi4py' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_sync_batchnorm_outside_a_world_is_batchnorm_and_conversion_shares_tensors():
    tl.manual_seed(0)
    net = tl.nn.Sequential(tl.nn.Conv2d(3, 4, 3), tl.nn.BatchNorm2d(4), tl.nn.ReLU())
    x = tl.randn(5, 3, 6, 6)
    want = net(x).detach().numpy()
    bn = net[1]
    converted = tl.nn.SyncBatchNorm.convert_sync_batchnorm(net)
    assert isinstance(converted[1], tl.nn.SyncBatchNorm) and converted[1].weight is bn.weight
    assert converted[1].running_mean is bn.running_mean
    np.testing.assert_allclose(converted(x).detach().numpy(), want, rtol=1e-6, atol=1e-6)
    with pytest.raises(ValueError, match="at least 2D"):
        converted[1](tl.ones(4))


# ---------------------------------------------------------------------- DistributedSampler
def _torch_sampler(torch, n, replicas, rank, shuffle, seed, drop_last):
    from torch.utils.data import DistributedSampler as TorchSampler
    return TorchSampler(range(n), num_replicas=replicas, rank=rank, shuffle=shuffle, seed=seed, drop_last=drop_last)


@given(n=st.integers(0, 40), replicas=st.integers(1, 6), rank_frac=st.floats(0, 0.999), shuffle=st.booleans(),
       seed=st.integers(0, 1000), epoch=st.integers(0, 5), drop_last=st.booleans())
def test_distributed_sampler_matches_torch(torch, n, replicas, rank_frac, shuffle, seed, epoch, drop_last):
    rank = int(rank_frac * replicas)
    ours = tl.data.DistributedSampler(range(n), num_replicas=replicas, rank=rank, shuffle=shuffle, seed=seed,
                                      drop_last=drop_last)
    theirs = _torch_sampler(torch, n, replicas, rank, shuffle, seed, drop_last)
    ours.set_epoch(epoch)
    theirs.set_epoch(epoch)

    def our_permutation(size, generator):          # same permutation, so padding/splitting must agree
        return torch.tensor(tl.random.Generator().manual_seed(generator.initial_seed()).rng.permutation(size))
    assert len(ours) == len(theirs) and ours.total_size == theirs.total_size
    with mock.patch.object(torch, "randperm", our_permutation):
        assert list(ours) == list(theirs)


@given(n=st.integers(1, 40), replicas=st.integers(1, 6), seed=st.integers(0, 1000), drop_last=st.booleans())
def test_distributed_sampler_partitions_one_permutation_per_epoch(n, replicas, seed, drop_last):
    def shares(epoch):
        out = []
        for r in range(replicas):
            s = tl.data.DistributedSampler(range(n), num_replicas=replicas, rank=r, seed=seed, drop_last=drop_last)
            s.set_epoch(epoch)
            out.append(list(s))
        return out
    parts = shares(0)
    assert len({len(p) for p in parts}) == 1
    flat = [i for p in parts for i in p]
    if drop_last:
        assert len(set(flat)) == len(flat) == (n // replicas) * replicas
    else:
        assert set(flat) == set(range(n)) and len(flat) == -(-n // replicas) * replicas
    assert shares(0) == parts                              # every rank draws the same order
    if n >= 8:
        assert shares(1) != parts                          # set_epoch reshuffles


def test_distributed_sampler_argument_errors():
    with pytest.raises(ValueError, match=r"Invalid rank 3, rank should be in the interval \[0, 2\]"):
        tl.data.DistributedSampler(range(5), num_replicas=3, rank=3)
    with pytest.raises(ValueError, match="num_replicas must be >= 1"):
        tl.data.DistributedSampler(range(5), num_replicas=0, rank=0)
    with pytest.raises(TypeError, match="rank must be an int"):
        tl.data.DistributedSampler(range(5), num_replicas=2, rank=1.0)
