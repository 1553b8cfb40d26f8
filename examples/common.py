"""A plain training loop shared by the experiment scripts in examples/ (the training command,
`python -m tensorlite.train`, is the full-featured version with checkpoints and resume)."""
import json
import os
import time

import numpy as np

import tensorlite as tl
import tensorlite.nn.functional as F
from tensorlite.evaluate import metrics_from_logits, normalize_batch, predict
from tensorlite.train import augment as crop_flip


def cifar10_arrays(classes=None):
    """(x_train, y_train), (x_test, y_test) as uint8 NHWC / int64, optionally only `classes`
    (relabelled 0..len(classes)-1 in the given order)."""
    train, test = tl.data.CIFAR10(train=True, download=True), tl.data.CIFAR10(train=False, download=True)
    out = []
    for ds in (train, test):
        x, y = ds.data, np.asarray(ds.targets, dtype=np.int64)
        if classes is not None:
            lut = np.full(10, -1, dtype=np.int64)
            lut[list(classes)] = np.arange(len(classes))
            keep = lut[y] >= 0
            x, y = x[keep], lut[y[keep]]
        out.append((x, y))
    return out


def accuracy(model, x, y):
    return metrics_from_logits(predict(model, x), y, num_classes=int(max(y.max() + 1, 1)))["accuracy"]


def fit(model, x, y, epochs, optimizer, scheduler=None, batch_size=128, augment=True, test=None,
        label="", seed=0, log=True):
    """Train for `epochs` passes over (x, y); the scheduler steps once per batch. Returns the history:
    a list of {"epoch", "train_loss", "train_acc", "test_acc", "lr", "seconds"}."""
    rng = np.random.default_rng(seed)
    history = []
    for epoch in range(epochs):
        model.train()
        t0, perm, seen, loss_sum, correct = time.perf_counter(), rng.permutation(len(x)), 0, 0.0, 0
        for i in range(0, len(x) - batch_size + 1 if len(x) >= batch_size else 1, batch_size):
            idx = perm[i:i + batch_size]
            imgs = crop_flip(x[idx], rng) if augment else x[idx]
            logits = model(normalize_batch(imgs))
            loss = F.cross_entropy(logits, tl.from_numpy(y[idx]))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            if scheduler is not None:
                scheduler.step()
            seen += len(idx)
            loss_sum += loss.item() * len(idx)
            correct += int((logits.detach().numpy().argmax(1) == y[idx]).sum())
        rec = {"epoch": epoch + 1, "train_loss": loss_sum / seen, "train_acc": correct / seen,
               "lr": optimizer.param_groups[0]["lr"], "seconds": time.perf_counter() - t0}
        if test is not None:
            rec["test_acc"] = accuracy(model, *test)
        history.append(rec)
        if log:
            print(f"{label} epoch {epoch + 1}/{epochs}: loss {rec['train_loss']:.4f} train {100 * rec['train_acc']:.1f}%"
                  + (f" test {100 * rec['test_acc']:.2f}%" if test is not None else "")
                  + f" ({rec['seconds']:.1f} s)", flush=True)
    return history


def write_json(obj, path):
    """Atomic JSON write (results are what the README quotes)."""
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w") as fh:
        json.dump(obj, fh, indent=2)
    os.replace(tmp, path)
