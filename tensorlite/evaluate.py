"""Evaluate a checkpoint on the CIFAR-10 test set.

    python -m tensorlite.evaluate --model lenet5 --checkpoint examples/results/lenet5/lenet5_final.safetensors

Prints test accuracy, top-5 accuracy, per-class accuracy and the confusion matrix. Inputs are
normalized with the CIFAR-10 constants the training command uses."""
import argparse
import json
import sys

import numpy as np

import tensorlite as tl

CIFAR10_MEAN = (0.4914, 0.4822, 0.4465)
CIFAR10_STD = (0.2470, 0.2435, 0.2616)


def normalize_batch(images_uint8):
    """NHWC uint8 -> normalized NCHW float32 tensor."""
    x = images_uint8.astype(np.float32).transpose(0, 3, 1, 2) / 255.0
    x = (x - np.asarray(CIFAR10_MEAN, np.float32)[:, None, None]) / np.asarray(CIFAR10_STD, np.float32)[:, None, None]
    return tl.from_numpy(np.ascontiguousarray(x))


def predict(model, images, batch_size=500):
    """Logits for NHWC uint8 images, in eval mode without a graph."""
    was = model.training
    model.eval()
    out = []
    with tl.no_grad():
        for i in range(0, len(images), batch_size):
            out.append(model(normalize_batch(images[i:i + batch_size])).numpy())
    model.train(was)
    return np.concatenate(out) if out else np.zeros((0, 10), np.float32)


def metrics_from_logits(logits, labels, num_classes=10):
    labels = np.asarray(labels)
    pred = logits.argmax(1)
    top5 = np.argsort(-logits, axis=1)[:, :5]
    cm = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(cm, (labels, pred), 1)
    per_class = cm.diagonal() / np.maximum(cm.sum(1), 1)
    return {"accuracy": float((pred == labels).mean()), "top5": float((top5 == labels[:, None]).any(1).mean()),
            "per_class": per_class.tolist(), "confusion": cm}


def load_weights(model, path):
    obj = tl.load(path)
    state = obj["model"] if isinstance(obj, dict) and "model" in obj and isinstance(obj["model"], dict) else obj
    model.load_state_dict(state)
    return model


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m tensorlite.evaluate", description=__doc__.splitlines()[0])
    p.add_argument("--model", required=True, choices=tl.models.available_models())
    p.add_argument("--checkpoint", required=True, help="a *_final.safetensors model file or a training checkpoint")
    p.add_argument("--data-dir", default=None, help="CIFAR-10 root (default ~/.cache/tensorlite/cifar10)")
    p.add_argument("--download", action="store_true", help="fetch CIFAR-10 if it is not there")
    p.add_argument("--json", default=None, help="also write the metrics to this JSON file")
    args = p.parse_args(argv)

    model = load_weights(tl.models.get_model(args.model), args.checkpoint)
    test = tl.data.CIFAR10(args.data_dir, train=False, download=args.download)
    m = metrics_from_logits(predict(model, test.data), test.targets)
    print(f"test accuracy: {100 * m['accuracy']:.2f}%   top-5: {100 * m['top5']:.2f}%   ({len(test.targets)} images)")
    print("per-class accuracy:")
    for name, acc in zip(test.classes, m["per_class"]):
        print(f"  {name:<11s} {100 * acc:6.2f}%")
    print("confusion matrix (rows: true, columns: predicted):")
    print("           " + " ".join(f"{c[:5]:>5s}" for c in test.classes))
    for name, row in zip(test.classes, m["confusion"]):
        print(f"  {name[:8]:<8s} " + " ".join(f"{v:5d}" for v in row))
    if args.json:
        out = dict(m, confusion=m["confusion"].tolist())
        with open(args.json, "w") as fh:
            json.dump(out, fh, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
