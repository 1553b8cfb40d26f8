"""PNG plots: learning curves, confusion matrix, first-layer filters, overlaid runs, image grids."""

import numpy as np

from ._io import atomic_write


def _plt():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def _save(fig, path):
    atomic_write(path, lambda fh: fig.savefig(fh, format="png", dpi=110, bbox_inches="tight"))


def learning_curves(history, path, schedule=None):
    """Loss, accuracy and learning rate per epoch; `schedule` = (epoch positions, lrs) adds the
    planned learning-rate curve to the third panel."""
    plt = _plt()
    epochs = [h["epoch"] for h in history]
    fig, (a, b, c) = plt.subplots(1, 3, figsize=(16, 4))
    a.plot(epochs, [h["train_loss"] for h in history], label="train")
    a.plot(epochs, [h["test_loss"] for h in history], label="test")
    a.set_xlabel("epoch"), a.set_ylabel("loss"), a.legend(), a.grid(alpha=0.3)
    b.plot(epochs, [100 * h["train_acc"] for h in history], label="train")
    b.plot(epochs, [100 * h["test_acc"] for h in history], label="test")
    b.set_xlabel("epoch"), b.set_ylabel("accuracy (%)"), b.legend(), b.grid(alpha=0.3)
    if schedule is not None:
        c.plot(schedule[0], schedule[1], color="0.6", linestyle="--", label="schedule")
    if any("lr" in h for h in history):
        c.plot([h["epoch"] for h in history if "lr" in h], [h["lr"] for h in history if "lr" in h], "o",
               markersize=3, label="end of epoch")
    c.set_xlabel("epoch"), c.set_ylabel("learning rate"), c.legend(), c.grid(alpha=0.3)
    _save(fig, path)
    plt.close(fig)


def confusion_matrix_plot(cm, classes, path):
    plt = _plt()
    fig, ax = plt.subplots(figsize=(7, 6))
    norm = cm / np.maximum(cm.sum(axis=1, keepdims=True), 1)
    im = ax.imshow(norm, cmap="Blues", vmin=0, vmax=1)
    ax.set_xticks(range(len(classes)), classes, rotation=45, ha="right")
    ax.set_yticks(range(len(classes)), classes)
    for i in range(len(classes)):
        for j in range(len(classes)):
            ax.text(j, i, str(cm[i, j]), ha="center", va="center", fontsize=7,
                    color="white" if norm[i, j] > 0.5 else "black")
    ax.set_xlabel("predicted"), ax.set_ylabel("true")
    fig.colorbar(im, ax=ax, fraction=0.046)
    _save(fig, path)
    plt.close(fig)


def filter_grid(weight, path, title="first-layer filters"):
    """First conv layer's filters (C_out, C_in, k, k) as an image grid, each filter min-max scaled,
    numbered by output channel, with a title saying what the colours mean."""
    plt = _plt()
    w = np.asarray(weight, dtype=np.float64)
    n, c_in = w.shape[0], w.shape[1]
    cols = int(np.ceil(np.sqrt(n)))
    rows = int(np.ceil(n / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(1.3 * cols, 1.3 * rows + 0.9))
    for i, ax in enumerate(np.atleast_1d(axes).ravel()):
        ax.axis("off")
        if i < n:
            f = w[i].transpose(1, 2, 0)
            f = (f - f.min()) / max(f.max() - f.min(), 1e-12)
            ax.imshow(f if f.shape[2] == 3 else f[:, :, 0], cmap=None if f.shape[2] == 3 else "gray",
                      interpolation="nearest")
            ax.set_title(str(i), fontsize=7, pad=2)
    colours = "R, G, B input channels as colours" if c_in == 3 else "grey level = weight"
    fig.suptitle(f"{title}: {n} filters of {c_in}x{w.shape[2]}x{w.shape[3]} ({colours}; each filter scaled "
                 f"from its min, dark, to its max, bright)", fontsize=9)
    _save(fig, path)
    plt.close(fig)


def overlaid_curves(curves, path, ylabel="test accuracy", title=None, xlabel="epoch"):
    """Several runs' per-epoch values in one plot: curves maps a label to a list of values (0..1)."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(8, 5))
    for label, values in curves.items():
        ax.plot(range(1, len(values) + 1), [100 * v for v in values], label=label)
    ax.set_xlabel(xlabel), ax.set_ylabel(ylabel + " (%)"), ax.grid(alpha=0.3), ax.legend()
    if title:
        ax.set_title(title)
    _save(fig, path)
    plt.close(fig)


def image_rows(rows, path, labels=None):
    """Rows of grey or RGB images (each row a list/array of HxW or HxWx3 arrays in [0, 1]) as one grid,
    e.g. inputs / noisy inputs / reconstructions of an autoencoder."""
    plt = _plt()
    n_rows, n_cols = len(rows), max(len(r) for r in rows)
    fig, axes = plt.subplots(n_rows, n_cols, figsize=(1.1 * n_cols, 1.2 * n_rows), squeeze=False)
    for i, row in enumerate(rows):
        for j in range(n_cols):
            ax = axes[i, j]
            ax.set_xticks([]), ax.set_yticks([])
            if j < len(row):
                img = np.clip(np.asarray(row[j], dtype=np.float64), 0, 1)
                ax.imshow(img, cmap="gray" if img.ndim == 2 else None, vmin=0, vmax=1, interpolation="nearest")
            if j == 0 and labels:
                ax.set_ylabel(labels[i], fontsize=8)
    _save(fig, path)
    plt.close(fig)
