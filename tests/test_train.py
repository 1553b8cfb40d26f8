"""The training command on real CIFAR-10 (CI fetches it): smoke run, exact resume, evaluate."""
import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

import tensorlite as tl

ROOT = os.environ.get("TENSORLITE_DATA", os.path.expanduser("~/.cache/tensorlite/cifar10"))
have_cifar = os.path.exists(os.path.join(ROOT, "cifar10-cache.json"))
pytestmark = pytest.mark.skipif(not have_cifar, reason="CIFAR-10 not fetched (run: python -m tensorlite.data cifar10)")


def train(tmp, *extra):
    from tensorlite.train import main
    return main(["--data-dir", ROOT, "--no-download", "--no-progress", "--threads", "2", "--out", str(tmp), *extra])


def weights(path):
    return {k: v.numpy() for k, v in tl.load(path).items()}


def test_one_lenet_epoch_on_5000_images_beats_chance_and_writes_artifacts(tmp_path):
    assert train(tmp_path, "--model", "lenet5", "--epochs", "1", "--subset", "5000", "--optimizer", "adam",
                 "--lr", "0.003", "--batch-size", "32", "--weight-decay", "0", "--schedule", "constant",
                 "--no-augment") == 0
    m = json.loads((tmp_path / "metrics.json").read_text())
    assert m["history"][0]["test_acc"] > 0.20            # chance is 0.10; this run reaches about 0.28
    for f in ("lenet5_final.safetensors", "lenet5_best.safetensors", "last.safetensors", "curves.png",
              "confusion.png", "filters.png"):
        assert (tmp_path / f).stat().st_size > 0, f
    assert sum(sum(r) for r in m["test_confusion"]) == 10_000


def test_resume_after_max_steps_is_bit_identical(tmp_path):
    args = ["--model", "lenet5", "--epochs", "2", "--subset", "1280", "--batch-size", "128"]
    train(tmp_path / "a", *args)
    assert train(tmp_path / "b", *args, "--max-steps", "7") == 0       # pauses inside epoch 1
    assert not (tmp_path / "b" / "lenet5_final.safetensors").exists()
    train(tmp_path / "b", "--resume", str(tmp_path / "b" / "last.safetensors"), "--max-steps", "6")  # inside epoch 2
    train(tmp_path / "b", "--resume", str(tmp_path / "b" / "last.safetensors"))
    a, b = weights(tmp_path / "a" / "lenet5_final.safetensors"), weights(tmp_path / "b" / "lenet5_final.safetensors")
    for k in a:
        np.testing.assert_array_equal(a[k], b[k], err_msg=k)
    ha = json.loads((tmp_path / "a" / "metrics.json").read_text())["history"]
    hb = json.loads((tmp_path / "b" / "metrics.json").read_text())["history"]
    assert [h["test_acc"] for h in ha] == [h["test_acc"] for h in hb]


def test_sigint_saves_checkpoint_and_resume_matches_uninterrupted(tmp_path):
    args = ["--model", "lenet5", "--epochs", "1", "--subset", "6400", "--batch-size", "64"]
    train(tmp_path / "a", *args)
    cmd = [sys.executable, "-m", "tensorlite.train", "--data-dir", ROOT, "--no-download", "--no-progress",
           "--threads", "2", "--out", str(tmp_path / "b"), *args]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    for line in proc.stdout:                              # wait until training steps are running
        if "step" in line:
            break
    time.sleep(0.3)
    proc.send_signal(signal.SIGINT)
    out = proc.communicate(timeout=120)[0]
    assert proc.returncode == 130, out
    assert (tmp_path / "b" / "last.safetensors").exists()
    ck = tl.load(tmp_path / "b" / "last.safetensors")
    assert 0 < ck["step"] < 100
    train(tmp_path / "b", "--resume", str(tmp_path / "b" / "last.safetensors"))
    a, b = weights(tmp_path / "a" / "lenet5_final.safetensors"), weights(tmp_path / "b" / "lenet5_final.safetensors")
    for k in a:
        np.testing.assert_array_equal(a[k], b[k], err_msg=k)


def test_evaluate_reproduces_the_runs_test_accuracy(tmp_path, capsys):
    train(tmp_path, "--model", "lenet5", "--epochs", "1", "--subset", "2560")
    from tensorlite.evaluate import main
    main(["--model", "lenet5", "--checkpoint", str(tmp_path / "lenet5_final.safetensors"), "--data-dir", ROOT,
          "--json", str(tmp_path / "eval.json")])
    ev = json.loads((tmp_path / "eval.json").read_text())
    run = json.loads((tmp_path / "metrics.json").read_text())["history"][-1]
    assert ev["accuracy"] == pytest.approx(run["test_acc"], abs=1e-9)
    assert "per-class accuracy" in capsys.readouterr().out


@pytest.mark.parametrize("padding", [0, 1, 2, 4])
def test_training_augment_is_a_padded_crop_and_flip_of_each_image(padding):
    """train.augment: every output image is a 32x32 window of the zero-padded input, maybe mirrored."""
    from tensorlite.train import augment
    rng = np.random.default_rng(0)
    images = rng.integers(1, 256, (16, 32, 32, 3), dtype=np.uint8)   # no zeros: padding is recognisable
    out = augment(images, np.random.default_rng(1), padding)
    assert out.shape == images.shape and out.dtype == np.uint8
    p = padding
    padded = np.zeros((16, 32 + 2 * p, 32 + 2 * p, 3), dtype=np.uint8)
    padded[:, p:p + 32, p:p + 32] = images
    for img, pad, got in zip(images, padded, out):
        windows = [pad[dy:dy + 32, dx:dx + 32] for dy in range(2 * p + 1) for dx in range(2 * p + 1)]
        assert any(np.array_equal(got, w) or np.array_equal(got, w[:, ::-1]) for w in windows)
    if p == 0:
        flipped = [np.array_equal(o, i[:, ::-1]) and not np.array_equal(o, i) for o, i in zip(out, images)]
        assert 0 < sum(flipped) < 16      # both flipped and unflipped images occur
