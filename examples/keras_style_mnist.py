"""The lecture's Keras CNN examples, written with tensorlite: summary(), then fit with per-epoch
progress and validation, Keras-style.

    python examples/keras_style_mnist.py                          # both lecture CNNs on Fashion-MNIST
    python examples/keras_style_mnist.py --model fashion_mnist_cnn --epochs 2
    python examples/keras_style_mnist.py --dataset mnist          # needs MNIST's IDX files (see tl.data.MNIST)

Fashion-MNIST comes from Debian's dataset-fashion-mnist package; the lecture trained on MNIST,
whose full files are not packaged here (tl.data.MNIST documents where to place them).
As in the lecture: inputs scaled to [-0.5, 0.5], Adam, cross-entropy, batch 32 (Keras' default).
Results go to examples/results/keras_style_<dataset>/<model>.json.
"""
import argparse
import os
import sys
import time

import numpy as np

import tensorlite as tl
import tensorlite.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import write_json  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")
EPOCHS = {"keras_mnist_simple": 3, "keras_mnist_cnn": 10, "fashion_mnist_cnn": 3}


def arrays(dataset):
    cls = tl.data.FashionMNIST if dataset == "fashion_mnist" else tl.data.MNIST
    train, test = cls(train=True, download=True), cls(train=False, download=True)
    prep = lambda d: (d.data.astype(np.float32)[:, None] / 255.0 - 0.5)   # noqa: E731  (N, 1, 28, 28)
    return (prep(train), np.asarray(train.targets)), (prep(test), np.asarray(test.targets))


def evaluate(model, x, y, batch=1000):
    model.eval()
    loss, correct = 0.0, 0
    with tl.no_grad():
        for i in range(0, len(x), batch):
            logits = model(tl.from_numpy(x[i:i + batch]))
            target = tl.from_numpy(y[i:i + batch])
            loss += F.cross_entropy(logits, target, reduction="sum").item()
            correct += int((logits.numpy().argmax(1) == y[i:i + batch]).sum())
    model.train()
    return loss / len(x), correct / len(x)


def fit(model, train, val, epochs, batch_size=32, lr=1e-3, seed=0):
    """Keras' model.fit(..., validation_data=val) printout: one progress line per epoch."""
    opt = tl.optim.Adam(model.parameters(), lr=lr)
    x, y = train
    steps = -(-len(x) // batch_size)
    rng = np.random.default_rng(seed)
    history = []
    for epoch in range(epochs):
        print(f"Epoch {epoch + 1}/{epochs}", flush=True)
        t0, perm, loss_sum, correct = time.perf_counter(), rng.permutation(len(x)), 0.0, 0
        for s in range(steps):
            idx = perm[s * batch_size:(s + 1) * batch_size]
            logits = model(tl.from_numpy(x[idx]))
            loss = F.cross_entropy(logits, tl.from_numpy(y[idx]))
            opt.zero_grad()
            loss.backward()
            opt.step()
            loss_sum += loss.item() * len(idx)
            correct += int((logits.detach().numpy().argmax(1) == y[idx]).sum())
            if sys.stdout.isatty() and (s % 50 == 0 or s == steps - 1):
                bar = "=" * int(30 * (s + 1) / steps)
                print(f"\r{s + 1}/{steps} [{bar:<30}] - loss: {loss_sum / ((s + 1) * batch_size):.4f}",
                      end="", flush=True)
        seconds = time.perf_counter() - t0
        val_loss, val_acc = evaluate(model, *val)
        rec = {"epoch": epoch + 1, "loss": loss_sum / len(x), "accuracy": correct / len(x),
               "val_loss": val_loss, "val_accuracy": val_acc, "seconds": seconds}
        history.append(rec)
        print(f"\r{steps}/{steps} [{'=' * 30}] - {seconds:.0f}s {1000 * seconds / steps:.0f}ms/step - "
              f"loss: {rec['loss']:.4f} - accuracy: {rec['accuracy']:.4f} - val_loss: {val_loss:.4f} - "
              f"val_accuracy: {val_acc:.4f}", flush=True)
    return history


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", nargs="*", default=["keras_mnist_simple", "keras_mnist_cnn"], choices=sorted(EPOCHS))
    p.add_argument("--dataset", default="fashion_mnist", choices=["fashion_mnist", "mnist"])
    p.add_argument("--epochs", type=int, default=None, help="default: 3 (simple CNN), 10 (87,290-parameter CNN)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default=None)
    args = p.parse_args(argv)
    out = args.out or os.path.join(OUT, f"keras_style_{args.dataset}")
    train, test = arrays(args.dataset)
    for name in args.model:
        tl.manual_seed(args.seed)
        model = tl.models.get_model(name)
        print(f'Model: "{name}"')
        table = model.summary((1, 1, 28, 28))
        history = fit(model, train, test, args.epochs or EPOCHS[name], seed=args.seed)
        with tl.no_grad():
            pred = model.eval()(tl.from_numpy(test[0][:5])).numpy().argmax(1)
        print(f"predictions on the first 5 test images: {pred.tolist()}; labels: {test[1][:5].tolist()}\n")
        write_json({"model": name, "dataset": args.dataset, "total_params": table["total_params"],
                    "final_val_accuracy": history[-1]["val_accuracy"], "history": history},
                   os.path.join(out, f"{name}.json"))
        tl.save(model.state_dict(), os.path.join(out, f"{name}.safetensors"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
